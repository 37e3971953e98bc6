import { ApiError } from '@myco-gates/service-kit';
import { createHash } from 'node:crypto';
import { LruCache } from './cache.js';
import type { EngineMetrics } from './metrics.js';
import { ProviderError, type LlmProvider } from './providers.js';

/** US dollars per million tokens. Unknown models cost 0 and are reported by GET /v1/usage with `priced: false`. */
export const MODEL_PRICES: Record<string, { input: number; output: number }> = {
  'local-deterministic': { input: 0, output: 0 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
};

/** A code-generation request as the HTTP API accepts it. */
export interface GenerateRequest {
  prompt: string;
  language?: string;
  maxTokens?: number;
  provider?: string;
}

/** The answer of POST /v1/generate. */
export interface GenerateResult {
  code: string;
  language: string;
  provider: string;
  model: string;
  cached: boolean;
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number;
  latencyMs: number;
}

/** Running totals per provider/model for GET /v1/usage. */
export interface ModelUsage {
  provider: string;
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  priced: boolean;
}

/** Routes requests to providers, caches answers, meters tokens/cost and classifies failures. */
export class LlmManager {
  private readonly usage = new Map<string, ModelUsage>();

  constructor(
    private readonly providers: Map<string, LlmProvider>,
    readonly defaultProvider: string,
    private readonly cache: LruCache<Omit<GenerateResult, 'cached' | 'costUsd' | 'latencyMs'>>,
    private readonly metrics: EngineMetrics,
    private readonly prices: Record<string, { input: number; output: number }> = MODEL_PRICES,
  ) {
    for (const name of providers.keys()) metrics.providerUp.set({ provider: name }, 1);
  }

  provider(name: string = this.defaultProvider): LlmProvider {
    const provider = this.providers.get(name);
    if (!provider) {
      throw new ApiError(
        422,
        'unknown_provider',
        `Provider ${JSON.stringify(name)} is not configured; use one of ${[...this.providers.keys()].join(', ')}.`,
      );
    }
    return provider;
  }

  /** Generates code, from the cache when the same request was answered within the TTL. */
  async generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    const provider = this.provider(request.provider);
    const language = request.language ?? 'typescript';
    const maxTokens = request.maxTokens ?? 1024;
    const key = createHash('sha256')
      .update(JSON.stringify([provider.name, provider.model, language, maxTokens, request.prompt]))
      .digest('hex');
    const hit = this.cache.get(key);
    if (hit) {
      this.metrics.cacheHits.inc();
      return { ...hit, cached: true, costUsd: 0, latencyMs: 0 };
    }
    this.metrics.cacheMisses.inc();
    const labels = { provider: provider.name, model: provider.model };
    const started = performance.now();
    try {
      const completion = await provider.complete({ prompt: request.prompt, language, maxTokens, signal });
      const seconds = (performance.now() - started) / 1000;
      this.metrics.llmDuration.observe({ ...labels, status: 'success' }, seconds);
      this.metrics.providerUp.set({ provider: provider.name }, 1);
      const costUsd = this.account(provider, completion.inputTokens, completion.outputTokens);
      const result = {
        code: completion.text,
        language,
        provider: provider.name,
        model: provider.model,
        usage: { inputTokens: completion.inputTokens, outputTokens: completion.outputTokens },
      };
      this.cache.set(key, result);
      return { ...result, cached: false, costUsd, latencyMs: Math.round(seconds * 1000) };
    } catch (error) {
      this.metrics.llmDuration.observe({ ...labels, status: 'error' }, (performance.now() - started) / 1000);
      const category = error instanceof ProviderError ? error.category : 'bad_response';
      this.metrics.llmErrors.inc({ provider: provider.name, category });
      // A cancelled call says nothing about the provider's health.
      if (category !== 'cancelled') this.metrics.providerUp.set({ provider: provider.name }, 0);
      if (category === 'timeout') throw new ApiError(504, 'llm_timeout', (error as Error).message);
      if (category === 'cancelled') throw new ApiError(409, 'cancelled', (error as Error).message);
      throw new ApiError(
        502,
        'llm_error',
        `Provider ${provider.name} failed (${category}): ${(error as Error).message}`,
      );
    }
  }

  private account(provider: LlmProvider, inputTokens: number, outputTokens: number): number {
    const labels = { provider: provider.name, model: provider.model };
    const price = this.prices[provider.model];
    const costUsd = price ? (inputTokens * price.input + outputTokens * price.output) / 1_000_000 : 0;
    this.metrics.llmTokens.inc({ ...labels, direction: 'input' }, inputTokens);
    this.metrics.llmTokens.inc({ ...labels, direction: 'output' }, outputTokens);
    this.metrics.llmCost.inc(labels, costUsd);
    const key = `${provider.name}/${provider.model}`;
    const usage = this.usage.get(key) ?? {
      ...labels,
      requests: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      priced: Boolean(price),
    };
    usage.requests += 1;
    usage.inputTokens += inputTokens;
    usage.outputTokens += outputTokens;
    usage.costUsd += costUsd;
    this.usage.set(key, usage);
    return costUsd;
  }

  /** Spend so far per provider/model, sorted by key. */
  usageReport(): ModelUsage[] {
    return [...this.usage.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, usage]) => ({ ...usage }));
  }

  /** Probes the default provider; updates llm_provider_up. */
  async ready(timeoutMs: number): Promise<boolean> {
    const provider = this.provider();
    try {
      await provider.check(AbortSignal.timeout(timeoutMs));
      this.metrics.providerUp.set({ provider: provider.name }, 1);
      return true;
    } catch {
      this.metrics.providerUp.set({ provider: provider.name }, 0);
      return false;
    }
  }
}
