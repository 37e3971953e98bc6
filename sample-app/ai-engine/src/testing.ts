// Test-only helper: an OpenAI-compatible chat-completions server on a real local port.
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
