import { listenUntilSignal, loadConfigOrReport } from '@myco-gates/service-kit';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

/** Starts the AI engine from the environment; a bad setting prints one line naming the variable and exits 1. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<ReturnType<typeof buildApp> | undefined> {
  const config = loadConfigOrReport('sample-ai-engine', () => loadConfig(env));
  if (!config) return undefined;
  const app = buildApp({ config });
  await listenUntilSignal(app, config);
  app.log.info({ provider: config.provider }, 'LLM provider selected');
  // Probe once at startup so llm_provider_up reflects reality before the first request or readiness check.
  void app.llm.ready(config.readinessTimeoutMs);
  return app;
}
