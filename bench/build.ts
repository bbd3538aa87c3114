// Compiles the gateway for the benchmark the way a deployment runs it: plain JavaScript
// on node, without tsx's loader (whose extra thread and transpiler cost ~35 MB RSS and
// some start-up). TypeScript's transpileModule per file (no type check, a few seconds)
// into <dir>/src and <dir>/bench, with node_modules, migrations and package.json linked,
// so every relative path (migrations, package.json) resolves as in the repository.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { REPO_DIR } from './processes.js';

const SKIP = /\.test\.ts$|test-support\.ts$|\.test-helpers\.ts$|\/testing\/|\.d\.ts$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !SKIP.test(path) ? [path] : [];
  });
}

/**
 * Writes the compiled gateway (and the benchmark's own servers) into `dir`; returns the
 * path of the compiled gateway entry.
 * `root` holds the `src/` to compile (another checkout for an A/B run); the entry is this one's.
 */
export function buildGateway(dir: string, root = REPO_DIR): string {
  const bench = ['gateway-server.ts', 'upstream.ts', 'bare-proxy.ts'].map((name) => ({ file: join(REPO_DIR, 'bench', name), root: REPO_DIR }));
  const files = [...sources(join(root, 'src')).map((file) => ({ file, root })), ...bench];
  for (const { file, root: from } of files) {
    const output = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, sourceMap: false, esModuleInterop: true, verbatimModuleSyntax: false },
    });
    const target = join(dir, relative(from, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
  for (const name of ['node_modules', 'migrations', 'package.json']) symlinkSync(join(REPO_DIR, name), join(dir, name));
  return join(dir, 'bench/gateway-server.js');
}
