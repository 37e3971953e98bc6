/**
 * Test-only: a small local HTTP server that behaves like the parts of GitHub's REST API packages/core calls (issue
 * comments with Link pagination, PR lookup by commit or head branch), with scripted faults (5xx, rate limits,
 * read-only tokens). Tests point the real client at it through `baseUrl`; nothing of ours is mocked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubComment {
  id: number;
  body: string;
  created_at: string;
  updated_at: string;
  html_url: string;
  user: { login: string; type: 'Bot' | 'User' };
}

export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization?: string;
  at: number;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Close the socket without answering (a network error). */
  destroy?: boolean;
  /** Answer only after this many ms (to exercise timeouts). */
  delayMs?: number;
}

interface Fault extends ScriptedResponse {
  method: string;
  path: RegExp;
  times: number;
}

export interface GitHubStub {
  url: string;
  requests: StubRequest[];
  /** Comments per issue number. */
  comments: Map<number, StubComment[]>;
  /** Pull requests returned by `GET /repos/{o}/{r}/commits/{sha}/pulls`, keyed by sha. */
  pullsByCommit: Map<string, Array<{ number: number; head: { sha: string } }>>;
  /** Pull requests returned by `GET /repos/{o}/{r}/pulls?head=owner:branch`, keyed by the head parameter. */
  pullsByHead: Map<string, Array<{ number: number; head: { sha: string } }>>;
  /** Answer writes with 403 "Resource not accessible by integration", like a fork PR's token. */
  readOnly: boolean;
  /** Answer the next `times` matching requests with a scripted response. */
  fail(method: string, path: RegExp, response: ScriptedResponse, times?: number): void;
  addComment(issue: number, body: string, user?: StubComment['user'], createdAt?: string): StubComment;
  close(): Promise<void>;
}

/**
 * Starts the stub on 127.0.0.1 with a free port.
 * @param pageSizeCap largest `per_page` honoured (GitHub's is 100).
 * @returns the running stub; call `close()` after the test.
 */
export async function startGitHubStub(pageSizeCap = 100): Promise<GitHubStub> {
  let nextId = 1000;
  const faults: Fault[] = [];
  const stub: Omit<GitHubStub, 'url' | 'close'> = {
    requests: [],
    comments: new Map(),
    pullsByCommit: new Map(),
    pullsByHead: new Map(),
    readOnly: false,
    fail(method, path, response, times = 1) {
      faults.push({ ...response, method, path, times });
    },
    addComment(issue, body, user = { login: 'github-actions[bot]', type: 'Bot' }, createdAt) {
      const at = createdAt ?? new Date(Date.now() + nextId).toISOString();
      const comment: StubComment = {
        id: nextId++,
        body,
        created_at: at,
        updated_at: at,
        html_url: `https://github.test/o/r/pull/${issue}#issuecomment-${nextId - 1}`,
        user,
      };
      const list = stub.comments.get(issue) ?? [];
      list.push(comment);
      stub.comments.set(issue, list);
      return comment;
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  /** The `body` of a comment write, or null after answering 422 like GitHub does. */
  const commentBody = (request: StubRequest, res: ServerResponse): string | null => {
    const body = (request.body as { body?: unknown } | undefined)?.body;
    if (typeof body !== 'string') send(res, 422, { message: 'Invalid request: body is required' });
    else if (body.length > 65536)
      send(res, 422, {
        message: 'Validation Failed',
        errors: [{ message: 'body is too long (maximum is 65536 characters)' }],
      });
    else return body;
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stub');
    const request: StubRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
      authorization: req.headers.authorization,
      at: Date.now(),
    };
    stub.requests.push(request);

    const fault = faults.find((f) => f.times > 0 && f.method === request.method && f.path.test(request.path));
    if (fault) {
      fault.times--;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.destroy) {
        req.socket.destroy();
        return;
      }
      send(res, fault.status, fault.body ?? { message: `scripted ${fault.status}` }, fault.headers);
      return;
    }
    const isWrite = request.method !== 'GET';
    if (isWrite && stub.readOnly) {
      send(res, 403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
        status: '403',
      });
      return;
    }

    let m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(request.path);
    if (m && request.method === 'GET') {
      const all = stub.comments.get(Number(m[1])) ?? [];
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), pageSizeCap);
      const page = Number(url.searchParams.get('page') ?? 1);
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const link = (p: number, rel: string) => {
        const u = new URL(url.toString());
        u.searchParams.set('page', String(p));
        return `<http://${req.headers.host}${u.pathname}${u.search}>; rel="${rel}"`;
      };
      const links = [];
      if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
      if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
      send(res, 200, all.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(', ') } : {});
      return;
    }
    if (m && request.method === 'POST') {
      const body = commentBody(request, res);
      if (body === null) return;
      send(res, 201, stub.addComment(Number(m[1]), body));
      return;
    }
    m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(request.path);
    if (m && request.method === 'PATCH') {
      const id = Number(m[1]);
      const comment = [...stub.comments.values()].flat().find((c) => c.id === id);
      if (!comment) return send(res, 404, { message: 'Not Found' });
      const body = commentBody(request, res);
      if (body === null) return;
      comment.body = body;
      comment.updated_at = new Date().toISOString();
      send(res, 200, comment);
      return;
    }
    m = /^\/repos\/[^/]+\/[^/]+\/commits\/([^/]+)\/pulls$/.exec(request.path);
    if (m && request.method === 'GET') {
      send(res, 200, stub.pullsByCommit.get(m[1]) ?? []);
      return;
    }
    if (/^\/repos\/[^/]+\/[^/]+\/pulls$/.test(request.path) && request.method === 'GET') {
      send(res, 200, stub.pullsByHead.get(url.searchParams.get('head') ?? '') ?? []);
      return;
    }
    send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...stub,
    get readOnly() {
      return stub.readOnly;
    },
    set readOnly(value: boolean) {
      stub.readOnly = value;
    },
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
