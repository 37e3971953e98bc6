import { listenUntilSignal, loadConfigOrReport } from '@myco-gates/service-kit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

/** Starts the backend from the environment; a bad setting prints one line naming the variable and exits 1. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<FastifyInstance | undefined> {
  const config = loadConfigOrReport('sample-backend', () => loadConfig(env));
  if (!config) return undefined;
  const app = buildApp({ config });
  if (config.jwtSecretGenerated)
    app.log.warn('JWT_SECRET is unset: using a random key, so tokens stop working on restart.');
  await listenUntilSignal(app, config);
  return app;
}
