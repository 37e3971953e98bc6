import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

/** Starts the AI engine from the environment; a bad setting prints one line naming the variable and exits 1. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<ReturnType<typeof buildApp> | undefined> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`sample-ai-engine: ${error.message}`);
      process.exitCode = 1;
      return undefined;
    }
    throw error;
  }
  const app = buildApp({ config });
  const shutdown = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  app.addHook('onClose', async () => {
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
  });
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ provider: config.provider }, 'LLM provider selected');
  // Probe once at startup so llm_provider_up reflects reality before the first request or readiness check.
  void app.llm.ready(config.readinessTimeoutMs);
  return app;
}
