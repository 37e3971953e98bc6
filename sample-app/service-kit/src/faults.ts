import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, ConfigError } from './errors.js';

/** Fault-injection settings (the "bad release" switch); `routes` empty means every non-exempt route. */
export interface FaultSettings {
  /** Share of matching requests answered 503 `fault_injected`, from 0 to 1. */
  errorRate: number;
  /** Whole milliseconds added to every matching request, from 0 to 60000. */
  latencyMs: number;
  /** Route templates (`/api/projects/:id`) or prefixes ending in `*`. */
  routes: string[];
}

/** The probes faults never touch: they must tell the truth while a bad release is simulated. */
export const PROBE_ROUTES = ['/healthz', '/readyz', '/metrics'];

/**
 * Parses FAULT_ERROR_RATE, FAULT_LATENCY_MS and FAULT_ROUTES; faults are off when they are unset.
 *
 * @param env - the environment to read
 * @param exampleRoute - a route template of the service, quoted in the FAULT_ROUTES fix
 * @returns the settings
 * @throws ConfigError naming the first bad variable and the fix
 */
export function parseFaultSettings(env: NodeJS.ProcessEnv, exampleRoute: string): FaultSettings {
  const rateRaw = env.FAULT_ERROR_RATE?.trim() || '0';
  const errorRate = Number(rateRaw);
  if (!Number.isFinite(errorRate) || errorRate < 0 || errorRate > 1) {
    throw new ConfigError(
      `FAULT_ERROR_RATE=${JSON.stringify(rateRaw)} is invalid: set a number from 0 to 1 (0.2 = 20% of requests fail).`,
    );
  }
  const latencyRaw = env.FAULT_LATENCY_MS?.trim() || '0';
  const latencyMs = Number(latencyRaw);
  if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
    throw new ConfigError(
      `FAULT_LATENCY_MS=${JSON.stringify(latencyRaw)} is invalid: set whole milliseconds from 0 to 60000.`,
    );
  }
  const routes = (env.FAULT_ROUTES ?? '')
    .split(',')
    .map((route) => route.trim())
    .filter(Boolean);
  const bad = routes.find((route) => !route.startsWith('/'));
  if (bad) {
    throw new ConfigError(
      `FAULT_ROUTES entry ${JSON.stringify(bad)} is invalid: list route templates such as ${exampleRoute}.`,
    );
  }
  return { errorRate, latencyMs, routes };
}

/**
 * Decides whether the settings apply to a request's route template.
 *
 * @param settings - the live settings; `routes` empty means every route
 * @param route - the matched route template, `undefined` for a request no route matched
 * @param exempt - templates never faulted (the probes and the switch itself)
 * @returns true when the route is not exempt and is listed (`prefix*` entries match by prefix)
 */
export function faultApplies(settings: FaultSettings, route: string | undefined, exempt: readonly string[]): boolean {
  if (route === undefined || exempt.includes(route)) return false;
  if (settings.routes.length === 0) return true;
  return settings.routes.some((entry) =>
    entry.endsWith('*') ? route.startsWith(entry.slice(0, -1)) : entry === route,
  );
}

/** Options for {@link FaultInjector}. */
export interface FaultInjectorOptions {
  /** The route template of the service's GET/PUT switch; it stays reachable so a bad release can be turned off. */
  switchRoute: string;
  /** Random source in [0, 1) deciding which requests fail (default Math.random); tests pin it. */
  random?: () => number;
}

/** Options for {@link FaultInjector.registerSwitch}. */
export interface FaultSwitchOptions {
  /** onRequest hook that lets only admins through; it throws (ApiError 401/403) for anyone else. */
  guard: (request: FastifyRequest) => Promise<void>;
  /**
   * JSON schema of the PUT body. Omit it only when the app validates request bodies itself (the backend checks
   * every body against openapi.yaml): the switch trusts the body it is given.
   */
  bodySchema?: object;
}

/** Holds the live settings and injects latency/errors into matching requests. */
export class FaultInjector {
  /** The probes and the switch: the routes never faulted. */
  readonly exemptRoutes: readonly string[];
  private settings: FaultSettings;
  private readonly switchRoute: string;
  private readonly random: () => number;

  /**
   * @param settings - the settings to start with (from {@link parseFaultSettings})
   * @param options - the switch route and the random source
   */
  constructor(settings: FaultSettings, options: FaultInjectorOptions) {
    this.settings = { ...settings, routes: [...settings.routes] };
    this.switchRoute = options.switchRoute;
    this.random = options.random ?? Math.random;
    this.exemptRoutes = [...PROBE_ROUTES, options.switchRoute];
  }

  /** A copy of the live settings. */
  get current(): FaultSettings {
    return { ...this.settings, routes: [...this.settings.routes] };
  }

  /** Replaces the live settings (the service validated them against its request schema). */
  set(settings: FaultSettings): void {
    this.settings = { ...settings, routes: [...settings.routes] };
  }

  /**
   * onRequest hook body: waits the configured latency, then fails the configured share with 503.
   *
   * @throws ApiError 503 `fault_injected` naming the switch that turns it off
   */
  async inject(request: FastifyRequest): Promise<void> {
    const { errorRate, latencyMs } = this.settings;
    const off = errorRate === 0 && latencyMs === 0;
    if (off || !faultApplies(this.settings, request.routeOptions.url, this.exemptRoutes)) return;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (errorRate > 0 && this.random() < errorRate) {
      throw new ApiError(
        503,
        'fault_injected',
        `Fault injected by the bad-release switch; PUT ${this.switchRoute} to turn it off.`,
      );
    }
  }

  /**
   * Serves the switch at its route: GET answers the live settings, PUT replaces them (logged as a warning, since
   * it changes how the service behaves) and answers the new ones.
   *
   * @param app - the service's Fastify instance
   * @param options - the admin guard and, unless the app validates bodies itself, the PUT body schema
   */
  registerSwitch(app: FastifyInstance, options: FaultSwitchOptions): void {
    const schema = options.bodySchema ? { body: options.bodySchema } : undefined;
    app.get(this.switchRoute, { onRequest: options.guard }, async () => this.current);
    app.put(this.switchRoute, { onRequest: options.guard, schema }, async (request) => {
      this.set(request.body as FaultSettings);
      request.log.warn({ faults: this.current }, 'fault injection changed');
      return this.current;
    });
  }
}
