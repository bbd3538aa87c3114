// The production image's start command, read from the Dockerfile's final CMD, so the
// benchmark runs the gateway with the image's node flags and the start test runs the
// image's command, without a copy of either to drift.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DOCKERFILE = fileURLToPath(new URL('../Dockerfile', import.meta.url));

/** The final stage's CMD, as argv (exec form). */
export function imageCommand(): string[] {
  const cmd = readFileSync(DOCKERFILE, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('CMD '))
    .pop();
  if (!cmd) throw new Error('the Dockerfile has no CMD');
  return JSON.parse(cmd.slice(4)) as string[];
}

/** The node flags of the image's CMD (everything between `node` and the script). */
export function imageNodeFlags(): string[] {
  const [, ...args] = imageCommand();
  return args.slice(0, -1);
}
