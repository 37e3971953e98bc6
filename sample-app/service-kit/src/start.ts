import type { FastifyInstance } from 'fastify';
import type { ServiceConfig } from './config.js';
import { ConfigError } from './errors.js';

/**
 * Loads a service's configuration; a bad setting prints one line naming the service, the variable and the fix,
 * and sets exit code 1 instead of crashing with a stack trace.
 *
 * @param service - the prefix of the message, e.g. `sample-backend`
 * @param load - reads and validates the environment, throwing ConfigError on a bad variable
 * @returns the configuration, or `undefined` after reporting a ConfigError
 * @throws whatever else `load` throws: that is a bug, and its stack trace is wanted
 * @example
 * const config = loadConfigOrReport('sample-backend', () => loadConfig(env));
 * if (!config) return undefined;
 */
export function loadConfigOrReport<C>(service: string, load: () => C): C | undefined {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${service}: ${error.message}`);
    process.exitCode = 1;
    return undefined;
  }
}

/**
 * Listens on the configured address and closes the app (finishing in-flight requests) on SIGINT or SIGTERM,
 * then exits 0. Closing the app some other way removes the signal handlers again.
 *
 * @param app - the built service
 * @param address - the port and host from the service's configuration
 * @returns the address the app listens on, e.g. `http://127.0.0.1:3000`
 */
export async function listenUntilSignal(
  app: FastifyInstance,
  address: Pick<ServiceConfig, 'port' | 'host'>,
): Promise<string> {
  const shutdown = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  app.addHook('onClose', async () => {
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
  });
  return app.listen({ port: address.port, host: address.host });
}
