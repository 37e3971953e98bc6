import { createRequire } from 'node:module';

/** A deep-partial override applied on top of an example payload. */
export type PayloadOverride = { [key: string]: unknown };

interface WebhookDefinition {
  name: string;
  actions: string[];
  examples: Record<string, unknown>[];
}

let definitions: WebhookDefinition[] | undefined;

function loadDefinitions(): WebhookDefinition[] {
  // The package is a JSON file (~6 MB); read it on first use only.
  definitions ??= createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
  return definitions;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges `override` into a copy of `base`: objects merge key by key, arrays and scalars replace,
 * `undefined` leaves the base value alone, `null` sets null.
 *
 * @param base - The object to start from (not modified).
 * @param override - The values to set.
 * @returns A new object.
 */
export function deepMerge<T extends Record<string, unknown>>(base: T, override: PayloadOverride): T {
  const result: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : structuredClone(value);
  }
  return result as T;
}

/**
 * Returns a real webhook payload from `@octokit/webhooks-examples` (GitHub's documented examples),
 * optionally with fields overridden — the file GitHub writes to `GITHUB_EVENT_PATH`.
 *
 * @param event - Webhook event name, e.g. `pull_request`, `push`, `workflow_run`.
 * @param action - The payload's `action`, e.g. `opened`, `completed`; omit for events without one (push).
 * @param override - Deep-merged over the example, e.g. `{ pull_request: { number: 7 } }`.
 * @returns A fresh copy; mutating it does not affect later calls.
 * @throws Error listing the known events or actions when the example does not exist.
 * @example
 * const payload = webhookPayload('pull_request', 'opened', {
 *   repository: { name: 'shop', full_name: 'acme/shop', owner: { login: 'acme' } },
 *   pull_request: { number: 7, head: { sha: 'abc123' } },
 * });
 */
export function webhookPayload(
  event: string,
  action?: string,
  override: PayloadOverride = {},
): Record<string, unknown> {
  const all = loadDefinitions();
  const definition = all.find((d) => d.name === event);
  if (!definition) {
    throw new Error(
      `webhookPayload: no example for event "${event}". Known events: ${all.map((d) => d.name).join(', ')}`,
    );
  }
  const example = definition.examples.find((e) => (action === undefined ? true : e.action === action));
  if (!example) {
    const available = [...new Set(definition.examples.map((e) => e.action).filter(Boolean))];
    throw new Error(
      `webhookPayload: no "${event}" example with action "${action}". Examples exist for: ${available.join(', ')}`,
    );
  }
  return deepMerge(example, override);
}
