// Process entry: read config, build the app, listen, shut down gracefully.
import { buildApp } from './app.js';
import { prepareRuntime } from './bootstrap.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const runtime = await prepareRuntime(config);
  const app = await buildApp(runtime);
  for (const notice of runtime.notices) app.log[notice.level](notice.message);

  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down: no new connections, letting in-flight calls finish');
    const deadline = setTimeout(() => {
      app.log.error('shutdown deadline passed: exiting with calls still open');
      process.exit(1);
    }, runtime.config.shutdownGraceMs + 5_000);
    deadline.unref();
    try {
      await app.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  const address = await app.listen({ port: runtime.config.port, host: runtime.config.host });
  if (runtime.generatedTokens) {
    const { admin, service } = runtime.generatedTokens;
    // Printed once, to the terminal, on the first start only (they are kept in DATA_DIR).
    process.stdout.write(
      [
        '',
        'First start: generated tokens (kept in DATA_DIR/tokens.json, mode 0600; shown only now):',
        `  admin token   (for /byok/*): ${admin}`,
        `  service token (for /v1/*):   ${service}`,
        '',
        'Try it:',
        `  curl -s ${address}/byok/catalog -H "Authorization: Bearer ${admin}"`,
        '',
      ].join('\n'),
    );
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || (err as Error)?.name === 'VaultError') {
    process.stderr.write(`Configuration error: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${(err as Error)?.stack ?? String(err)}\n`);
  }
  process.exit(1);
});
