// Test-only helpers: an OpenAI-compatible chat-completions server on a real local port, and Error-shape checks.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenAi {
  url: string;
  requests: { method: string; url: string; authorization: string | undefined; body: any }[];
  handle: (request: IncomingMessage, body: any, response: ServerResponse) => void;
  close(): Promise<void>;
}

/** A chat-completion answer in the OpenAI wire format. */
export function chatCompletion(content: string, usage: object | null = { prompt_tokens: 11, completion_tokens: 7 }) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    ...(usage ? { usage } : {}),
  };
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const fake: FakeOpenAi = {
    url: '',
    requests: [],
    handle: (request, _body, response) =>
      request.url === '/v1/models'
        ? json(response, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] })
        : json(response, 200, chatCompletion('```ts\nexport const x = 1;\n```')),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const body = raw ? JSON.parse(raw) : undefined;
      fake.requests.push({
        method: request.method!,
        url: request.url!,
        authorization: request.headers.authorization,
        body,
      });
      fake.handle(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

/** Sums the samples of `name` whose labels include `labels` in a Prometheus exposition. */
export function readMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const sample = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => sample[key] === value)) total += Number(match[3]);
  }
  return total;
}

/** Returns why a 4xx/5xx body is not exactly `{error: {code, message, requestId}}`, or undefined when it is. */
export function errorShapeProblem(body: string): string | undefined {
  let parsed: any;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `not JSON: ${body.slice(0, 80)}`;
  }
  const keys = Object.keys(parsed ?? {}).join(',');
  const inner = parsed?.error ? Object.keys(parsed.error).sort().join(',') : '';
  if (keys !== 'error' || inner !== 'code,message,requestId') return `wrong shape: ${body.slice(0, 120)}`;
  if (![parsed.error.code, parsed.error.message, parsed.error.requestId].every((v) => typeof v === 'string')) {
    return `non-string field: ${body.slice(0, 120)}`;
  }
  if (!/^[a-z][a-z0-9_]*$/.test(parsed.error.code)) return `bad code ${parsed.error.code}`;
  return undefined;
}
