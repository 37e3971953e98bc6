import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

/** Starts the backend from the environment; a bad setting prints one line naming the variable and exits 1. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<FastifyInstance | undefined> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`sample-backend: ${error.message}`);
      process.exitCode = 1;
      return undefined;
    }
    throw error;
  }
  const app = buildApp({ config });
  if (config.jwtSecretGenerated)
    app.log.warn('JWT_SECRET is unset: using a random key, so tokens stop working on restart.');
  const shutdown = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  app.addHook('onClose', async () => {
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
  });
  await app.listen({ port: config.port, host: config.host });
  return app;
}
