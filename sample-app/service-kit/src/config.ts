import { ConfigError } from './errors.js';
import { parseFaultSettings, type FaultSettings } from './faults.js';

/** What every sample service reads the same way (see {@link readServiceConfig}); each service's config extends it. */
export interface ServiceConfig {
  /** PORT: the listen port. */
  port: number;
  /** HOST: the listen address, `127.0.0.1` by default (`0.0.0.0` in containers). */
  host: string;
  /** LOG_LEVEL: a pino level, `info` by default. */
  logLevel: string;
  /** READINESS_TIMEOUT_MS: how long `/readyz` waits for a dependency, 2000 by default. */
  readinessTimeoutMs: number;
  /** FAULT_ERROR_RATE, FAULT_LATENCY_MS, FAULT_ROUTES: the bad-release switch at start-up, off by default. */
  faults: FaultSettings;
}

/** How {@link readServiceConfig} differs between services. */
export interface ServiceDefaults {
  /** The port when PORT is unset. */
  port: number;
  /** A route template of the service, quoted in the FAULT_ROUTES fix. */
  exampleRoute: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads a whole-number environment variable.
 *
 * @param env - the environment to read (process.env in production, a literal in tests)
 * @param name - the variable, e.g. `PORT`
 * @param fallback - the value when the variable is unset or blank
 * @param min - the smallest accepted value
 * @param max - the largest accepted value
 * @returns the value, or `fallback`
 * @throws ConfigError naming the variable, its value and the accepted range
 * @example
 * readInteger(env, 'PORT', 3000, 0, 65535); // PORT="http" -> 'PORT="http" is invalid: set it to a whole number from 0 to 65535.'
 */
export function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: set it to a whole number from ${min} to ${max}.`);
  }
  return value;
}

/**
 * Reads the variables every sample service shares: LOG_LEVEL, PORT, HOST, READINESS_TIMEOUT_MS and FAULT_*.
 *
 * @param env - the environment to read
 * @param defaults - the service's default port and an example route for the FAULT_ROUTES fix
 * @returns the shared part of the service's configuration
 * @throws ConfigError naming the first bad variable and the fix
 * @example
 * const config = { ...readServiceConfig(env, { port: 3001, exampleRoute: '/v1/generate' }), provider };
 */
export function readServiceConfig(env: NodeJS.ProcessEnv, defaults: ServiceDefaults): ServiceConfig {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL=${JSON.stringify(logLevel)} is invalid: use one of ${LOG_LEVELS.join(', ')}.`);
  }
  return {
    port: readInteger(env, 'PORT', defaults.port, 0, 65535),
    host: env.HOST || '127.0.0.1',
    logLevel,
    readinessTimeoutMs: readInteger(env, 'READINESS_TIMEOUT_MS', 2_000, 1, 60_000),
    faults: parseFaultSettings(env, defaults.exampleRoute),
  };
}
