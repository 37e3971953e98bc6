import { createHash } from 'node:crypto';

/** What a provider is asked to produce. */
export interface CompletionRequest {
  prompt: string;
  language: string;
  maxTokens: number;
  signal?: AbortSignal;
}

/** What a provider returns: the raw code plus the token counts it was billed for. */
export interface Completion {
  text: string;
  inputTokens: number;
  outputTokens: number;
}

/** One LLM backend. `check` is the readiness probe. */
export interface LlmProvider {
  readonly name: string;
  readonly model: string;
  complete(request: CompletionRequest): Promise<Completion>;
  check(signal?: AbortSignal): Promise<void>;
}

/** Error categories for llm_errors_total{category}. */
export type ErrorCategory = 'timeout' | 'cancelled' | 'rate_limit' | 'auth' | 'server' | 'network' | 'bad_response';

/** A failed provider call, classified so metrics and HTTP status can tell outages from our own bugs. */
export class ProviderError extends Error {
  constructor(
    readonly category: ErrorCategory,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** Rough token count (about 4 characters per token), used where a provider reports none. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ProviderError('cancelled', 'The request was cancelled.'));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new ProviderError('cancelled', 'The request was cancelled.'));
      },
      { once: true },
    );
  });
}

const TEMPLATES: Record<string, (name: string, prompt: string, seed: string) => string> = {
  typescript: (name, prompt, seed) =>
    `// ${prompt}\nexport function ${name}(input: string): string {\n  // seed ${seed}\n  return input.trim();\n}\n`,
  javascript: (name, prompt, seed) =>
    `// ${prompt}\nexport function ${name}(input) {\n  // seed ${seed}\n  return input.trim();\n}\n`,
  python: (name, prompt, seed) =>
    `# ${prompt}\ndef ${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}(value: str) -> str:\n    # seed ${seed}\n    return value.strip()\n`,
  go: (name, prompt, seed) =>
    `// ${prompt}\npackage main\n\nimport "strings"\n\n// seed ${seed}\nfunc ${name}(input string) string {\n\treturn strings.TrimSpace(input)\n}\n`,
  rust: (name, prompt, seed) =>
    `// ${prompt}\n// seed ${seed}\npub fn ${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}(input: &str) -> String {\n    input.trim().to_string()\n}\n`,
};

/**
 * The default provider: no network, the same prompt always yields the same code, and token counts follow the
 * text. `latencyMs` simulates a model's think time so latency SLOs and timeouts can be exercised.
 */
export class LocalProvider implements LlmProvider {
  readonly name = 'local';

  constructor(
    readonly model: string,
    private readonly latencyMs: number,
  ) {}

  async complete({ prompt, language, maxTokens, signal }: CompletionRequest): Promise<Completion> {
    if (this.latencyMs > 0) await sleep(this.latencyMs, signal);
    const words = prompt.toLowerCase().match(/[a-z0-9]+/g) ?? ['generated'];
    const name = words
      .slice(0, 4)
      .map((word, index) => (index === 0 ? word : word[0].toUpperCase() + word.slice(1)))
      .join('')
      .replace(/^[0-9]/, '_$&');
    const seed = createHash('sha256').update(`${language}\n${prompt}`).digest('hex').slice(0, 12);
    const comment = prompt.replace(/\s+/g, ' ').slice(0, 200);
    const full = (TEMPLATES[language] ?? TEMPLATES.typescript)(name, comment, seed);
    // maxTokens caps the output like a real model would: cut at the token budget.
    const text = full.slice(0, maxTokens * 4);
    return { text, inputTokens: estimateTokens(prompt), outputTokens: estimateTokens(text) };
  }

  async check(): Promise<void> {}
}

/** Settings of the OpenAI-compatible provider (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL). */
export interface OpenAiOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** A provider speaking the chat-completions API of OpenAI and compatible servers (vLLM, Ollama, LiteLLM...). */
export class OpenAiProvider implements LlmProvider {
  readonly name = 'openai';
  readonly model: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: OpenAiOptions) {
    this.model = options.model;
    this.fetch = options.fetch ?? fetch;
  }

  private async call(path: string, init: RequestInit, signal?: AbortSignal): Promise<any> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await this.fetch(`${this.options.baseUrl}${path}`, {
        ...init,
        // The key goes only into this header; errors below never echo headers, so it cannot reach logs.
        headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw new ProviderError('cancelled', 'The request was cancelled.');
      if (timeout.aborted)
        throw new ProviderError('timeout', `OpenAI-compatible API did not answer within ${this.options.timeoutMs} ms.`);
      throw new ProviderError(
        'network',
        `OpenAI-compatible API at OPENAI_BASE_URL is unreachable: ${(error as Error).message}.`,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      const category: ErrorCategory =
        response.status === 429
          ? 'rate_limit'
          : response.status === 401 || response.status === 403
            ? 'auth'
            : response.status >= 500
              ? 'server'
              : 'bad_response';
      const hint = category === 'auth' ? ' (check OPENAI_API_KEY)' : '';
      throw new ProviderError(category, `OpenAI-compatible API answered ${response.status}${hint}.`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new ProviderError('bad_response', 'OpenAI-compatible API answered with invalid JSON.');
    }
  }

  async complete({ prompt, language, maxTokens, signal }: CompletionRequest): Promise<Completion> {
    const answer = await this.call(
      '/chat/completions',
      {
        method: 'POST',
        body: JSON.stringify({
          model: this.model,
          max_tokens: maxTokens,
          temperature: 0,
          messages: [
            { role: 'system', content: `You write ${language} code. Answer with code only, no prose.` },
            { role: 'user', content: prompt },
          ],
        }),
      },
      signal,
    );
    const content = answer?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      throw new ProviderError('bad_response', 'OpenAI-compatible API answered without choices[0].message.content.');
    }
    // Models often wrap code in a Markdown fence despite the instruction; keep only what is inside.
    const fenced = /```[\w+-]*\n([\s\S]*?)```/.exec(content);
    const text = fenced ? fenced[1] : content;
    return {
      text,
      inputTokens: Number.isInteger(answer.usage?.prompt_tokens) ? answer.usage.prompt_tokens : estimateTokens(prompt),
      outputTokens: Number.isInteger(answer.usage?.completion_tokens)
        ? answer.usage.completion_tokens
        : estimateTokens(text),
    };
  }

  async check(signal?: AbortSignal): Promise<void> {
    await this.call('/models', { method: 'GET' }, signal);
  }
}
