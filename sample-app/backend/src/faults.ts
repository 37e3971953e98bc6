import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

/** Fault-injection settings (the "bad release" switch); `routes` empty means every non-exempt route. */
export interface FaultSettings {
  errorRate: number;
  latencyMs: number;
  routes: string[];
}

/** Routes faults never touch: probes must tell the truth and the switch itself must stay reachable. */
export const FAULT_EXEMPT_ROUTES = ['/healthz', '/readyz', '/metrics', '/api/admin/faults'];

/** Parses FAULT_ERROR_RATE, FAULT_LATENCY_MS and FAULT_ROUTES; off when unset. */
export function parseFaultSettings(env: NodeJS.ProcessEnv, fail: (message: string) => Error): FaultSettings {
  const rateRaw = env.FAULT_ERROR_RATE?.trim() || '0';
  const errorRate = Number(rateRaw);
  if (!Number.isFinite(errorRate) || errorRate < 0 || errorRate > 1) {
    throw fail(
      `FAULT_ERROR_RATE=${JSON.stringify(rateRaw)} is invalid: set a number from 0 to 1 (0.2 = 20% of requests fail).`,
    );
  }
  const latencyRaw = env.FAULT_LATENCY_MS?.trim() || '0';
  const latencyMs = Number(latencyRaw);
  if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
    throw fail(`FAULT_LATENCY_MS=${JSON.stringify(latencyRaw)} is invalid: set whole milliseconds from 0 to 60000.`);
  }
  const routes = (env.FAULT_ROUTES ?? '')
    .split(',')
    .map((route) => route.trim())
    .filter(Boolean);
  const bad = routes.find((route) => !route.startsWith('/'));
  if (bad) {
    throw fail(`FAULT_ROUTES entry ${JSON.stringify(bad)} is invalid: list route templates such as /api/projects/:id.`);
  }
  return { errorRate, latencyMs, routes };
}

/** True when the settings apply to the route template (`prefix*` entries match by prefix). */
export function faultApplies(settings: FaultSettings, route: string | undefined): boolean {
  if (route === undefined || FAULT_EXEMPT_ROUTES.includes(route)) return false;
  if (settings.routes.length === 0) return true;
  return settings.routes.some((entry) =>
    entry.endsWith('*') ? route.startsWith(entry.slice(0, -1)) : entry === route,
  );
}

/** Holds the live settings and injects latency/errors into matching requests. */
export class FaultInjector {
  constructor(
    private settings: FaultSettings,
    private readonly random: () => number = Math.random,
  ) {}

  get current(): FaultSettings {
    return { ...this.settings, routes: [...this.settings.routes] };
  }

  set(settings: FaultSettings): void {
    this.settings = { ...settings, routes: [...settings.routes] };
  }

  /** onRequest hook body: waits the configured latency, then fails the configured share with 503. */
  async inject(request: FastifyRequest): Promise<void> {
    const { errorRate, latencyMs } = this.settings;
    if ((errorRate === 0 && latencyMs === 0) || !faultApplies(this.settings, request.routeOptions.url)) return;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (errorRate > 0 && this.random() < errorRate) {
      throw new ApiError(
        503,
        'fault_injected',
        'Fault injected by the bad-release switch; PUT /api/admin/faults to turn it off.',
      );
    }
  }
}
