import { startGitHubStub as startContractStub, type GitHubStub as ContractStub } from '@myco-gates/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, upsertStickyComment, type GitHubClient, type GitHubClientOptions } from './github.js';
import { startGitHubStub, type GitHubStub } from './github-stub.js';

const MARKER = '<!-- myco-gates:coverage -->';
const fast: GitHubClientOptions = {
  retryBaseMs: 5,
  rateLimitBaseMs: 5,
  totalTimeoutMs: 5_000,
  attemptTimeoutMs: 2_000,
};
const quiet = { info: () => {}, warning: () => {} };

let stub: GitHubStub;
beforeEach(async () => {
  stub = await startGitHubStub();
});
afterEach(async () => {
  await stub.close();
});

const client = (extra: GitHubClientOptions = {}) =>
  createGitHubClient('ghs_testtoken123', { baseUrl: stub.url, log: quiet, ...fast, ...extra });
const upsert = (body: string, issueNumber = 7) =>
  upsertStickyComment(client(), { owner: 'o', repo: 'r', issueNumber, marker: MARKER, body });

describe('upsertStickyComment', () => {
  it('creates the comment once, then updates it in place on re-runs', async () => {
    const first = await upsert(`first\n${MARKER}`);
    expect(first.action).toBe('created');
    const second = await upsert(`second\n${MARKER}`);
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    const third = await upsert(`second\n${MARKER}`);
    expect(third).toMatchObject({ action: 'unchanged', id: first.id });
    expect(stub.comments.get(7)).toHaveLength(1);
    expect(stub.comments.get(7)![0].body).toBe(`second\n${MARKER}`);
    expect(stub.requests[0].authorization).toBe('token ghs_testtoken123');
  });

  it('appends the marker when the body lacks it', async () => {
    await upsert('no marker');
    expect(stub.comments.get(7)![0].body).toBe(`no marker\n\n${MARKER}\n`);
  });

  it('finds the marker on the last of several pages (per_page 100, all pages read)', async () => {
    for (let i = 0; i < 250; i++) stub.addComment(7, `chatter ${i}`, { login: 'dev', type: 'User' });
    const existing = stub.addComment(7, `old\n${MARKER}`);
    const result = await upsert(`new\n${MARKER}`);
    expect(result).toMatchObject({ action: 'updated', id: existing.id });
    const lists = stub.requests.filter((r) => r.method === 'GET');
    expect(lists.map((r) => [r.query.get('per_page'), r.query.get('page') ?? '1'])).toEqual([
      ['100', '1'],
      ['100', '2'],
      ['100', '3'],
    ]);
    expect(stub.comments.get(7)).toHaveLength(251);
  });

  it('updates the newest of several legacy duplicates and leaves the others', async () => {
    const older = stub.addComment(7, `v0\n${MARKER}`, undefined, '2024-01-01T00:00:00Z');
    const newer = stub.addComment(7, `v1\n${MARKER}`, undefined, '2024-06-01T00:00:00Z');
    const result = await upsert(`v2\n${MARKER}`);
    expect(result.id).toBe(newer.id);
    expect(stub.comments.get(7)!.find((c) => c.id === older.id)!.body).toBe(`v0\n${MARKER}`);
    expect(stub.comments.get(7)!.find((c) => c.id === newer.id)!.body).toBe(`v2\n${MARKER}`);
  });

  it('prefers a bot comment over a newer human comment quoting the marker', async () => {
    const bot = stub.addComment(7, `bot\n${MARKER}`, undefined, '2024-01-01T00:00:00Z');
    stub.addComment(7, `> quoted\n${MARKER}`, { login: 'dev', type: 'User' }, '2024-06-01T00:00:00Z');
    expect((await upsert(`v2\n${MARKER}`)).id).toBe(bot.id);
  });

  it('does not touch comments of another gate or another PR', async () => {
    stub.addComment(7, 'other <!-- myco-gates:contract -->');
    stub.addComment(8, `other PR\n${MARKER}`);
    expect((await upsert(`mine\n${MARKER}`)).action).toBe('created');
    expect(stub.comments.get(7)).toHaveLength(2);
  });
});

describe('upsertStickyComment when two jobs of one gate race', () => {
  // testkit's stub checks every request and response against GitHub's OpenAPI description, so the extra list,
  // update and delete of the race step are real REST routes with real payloads.
  let github: ContractStub;
  beforeEach(async () => {
    github = await startContractStub();
  });
  afterEach(async () => {
    github.assertNoViolations();
    await github.close();
  });

  const PR = { owner: 'o', repo: 'r', issueNumber: 7 };
  const raceClient = () => createGitHubClient('ghs_testtoken123', { baseUrl: github.url, log: quiet, ...fast });
  const job = (client: GitHubClient, body: string) => upsertStickyComment(client, { ...PR, marker: MARKER, body });
  const comments = () => github.comments(PR.owner, PR.repo, PR.issueNumber);
  const routes = () => github.requests.map((r) => `${r.method} ${r.route}`);
  /** Runs `act` right before the `nth` (1-based) request of `method` the client sends: the competing job's move. */
  const before = (client: GitHubClient, method: string, nth: number, act: () => void) => {
    let seen = 0;
    client.hook.before('request', (options) => {
      if (options.method === method && ++seen === nth) act();
    });
  };
  const competitor = (body: string, author = 'github-actions[bot]') =>
    github.addComment({ ...PR, body: `${body}\n${MARKER}`, author });

  it.each([
    {
      name: 'the other job created first (between our list and our create): ours is withdrawn, its comment gets our body',
      theirs: 'theirs',
      survivor: 'theirs',
      result: 'updated',
      requests: ['PATCH', 'DELETE'],
    },
    {
      name: 'the other job created first with the same body: ours is withdrawn, no update',
      theirs: 'ours',
      survivor: 'theirs',
      result: 'unchanged',
      requests: ['DELETE'],
    },
  ])('$name', async ({ theirs, survivor, result, requests }) => {
    const client = raceClient();
    let other = 0;
    before(client, 'POST', 1, () => (other = competitor(theirs).id));
    const done = await job(client, `ours\n${MARKER}`);
    const left = comments();
    expect(left).toHaveLength(1);
    expect(left[0].id).toBe(survivor === 'theirs' ? other : done.id);
    expect(left[0].body).toBe(`ours\n${MARKER}`);
    expect(done).toMatchObject({ action: result, id: left[0].id });
    expect(
      routes()
        .filter((r) => !r.startsWith('GET') && !r.startsWith('POST'))
        .map((r) => r.split(' ')[0]),
    ).toEqual(requests);
    expect(routes().filter((r) => r.startsWith('GET'))).toHaveLength(2);
  });

  it('the other job created after us: ours is the oldest and stays; that job withdraws its own', async () => {
    const client = raceClient();
    let other = 0;
    before(client, 'GET', 2, () => (other = competitor('theirs').id));
    const done = await job(client, `ours\n${MARKER}`);
    expect(done.action).toBe('created');
    // Only the newer job deletes, and only its own comment: this job leaves the twin for its owner.
    expect(comments().map((c) => c.id)).toEqual([done.id, other]);
    expect(routes().some((r) => r.startsWith('DELETE') || r.startsWith('PATCH'))).toBe(false);
  });

  it.each([
    ['both list before either creates', false],
    ['both list, both create, then both list again', true],
  ])('two concurrent jobs converge on one comment: %s', async (_name, bothCreateFirst) => {
    const a = raceClient();
    const b = raceClient();
    const gate = () => {
      let open!: () => void;
      let waiting = 0;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return async () => {
        if (++waiting === 2) open();
        await opened;
      };
    };
    const listed = gate();
    const created = gate();
    for (const client of [a, b]) {
      let gets = 0;
      let posts = 0;
      client.hook.wrap('request', async (request, options) => {
        if (options.method === 'POST' && ++posts === 1) await listed();
        if (options.method === 'GET' && ++gets === 2 && bothCreateFirst) await created();
        return request(options);
      });
    }
    const [first, second] = await Promise.all([job(a, `job a\n${MARKER}`), job(b, `job b\n${MARKER}`)]);
    const left = comments();
    expect(left).toHaveLength(1);
    // The survivor is the older comment, carrying one job's body, and both jobs point at it.
    expect(first.id).toBe(left[0].id);
    expect(second.id).toBe(left[0].id);
    expect([`job a\n${MARKER}`, `job b\n${MARKER}`]).toContain(left[0].body);
    expect(routes().filter((r) => r.startsWith('POST'))).toHaveLength(2);
    expect(routes().filter((r) => r.startsWith('DELETE'))).toHaveLength(1);
  });

  it('a human comment quoting the marker is not a twin', async () => {
    const client = raceClient();
    before(client, 'POST', 1, () => competitor('> quoting the gate', 'dev'));
    const done = await job(client, `ours\n${MARKER}`);
    expect(done.action).toBe('created');
    expect(comments()).toHaveLength(2);
    expect(routes().some((r) => r.startsWith('DELETE'))).toBe(false);
  });

  it('keeps our comment when the older twin is gone before we update it (never zero comments)', async () => {
    const client = raceClient();
    before(client, 'POST', 1, () => competitor('theirs'));
    github.injectFault('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { kind: 'status', status: 404 });
    const done = await job(client, `ours\n${MARKER}`);
    expect(done.action).toBe('created');
    expect(comments().map((c) => c.id)).toContain(done.id);
    expect(routes().some((r) => r.startsWith('DELETE'))).toBe(false);
  });
});

describe('createGitHubClient', () => {
  const list = (c = client()) => c.rest.issues.listComments({ owner: 'o', repo: 'r', issue_number: 7 });

  it.each([
    ['500 then success', { status: 500 }, 1],
    ['502 twice then success', { status: 502 }, 2],
    ['network error then success', { status: 0, destroy: true }, 1],
  ])('retries %s', async (_name, response, times) => {
    stub.fail('GET', /comments$/, response, times);
    const { status } = await list();
    expect(status).toBe(200);
    expect(stub.requests).toHaveLength(times + 1);
  });

  it('gives up after the configured retries on a persistent 5xx', async () => {
    stub.fail('GET', /comments$/, { status: 503 }, 100);
    await expect(list(client({ retries: 2 }))).rejects.toMatchObject({ status: 503 });
    expect(stub.requests).toHaveLength(3);
  });

  it.each([
    ['401', 401],
    ['404', 404],
    ['422', 422],
  ])('does not retry a %s', async (_name, status) => {
    stub.fail('GET', /comments$/, { status }, 5);
    await expect(list()).rejects.toMatchObject({ status });
    expect(stub.requests).toHaveLength(1);
  });

  it('does not retry a read-only 403', async () => {
    stub.readOnly = true;
    await expect(
      client().rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 7, body: 'x' }),
    ).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by integration'),
    });
    expect(stub.requests).toHaveLength(1);
  });

  it('honours Retry-After of a secondary rate limit', async () => {
    stub.fail('GET', /comments$/, {
      status: 403,
      headers: { 'retry-after': '20' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    });
    const start = Date.now();
    await list();
    const waited = stub.requests[1].at - stub.requests[0].at;
    // 20 s × 5 ms test unit = 100 ms: the header was read, not a fixed backoff.
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(Date.now() - start).toBeLessThan(2_000);
  });

  it.each([403, 429])('waits for x-ratelimit-reset on a primary rate limit (%i)', async (status) => {
    const reset = Math.floor(Date.now() / 1000) + 30;
    stub.fail('GET', /comments$/, {
      status,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded' },
    });
    await list();
    const waited = stub.requests[1].at - stub.requests[0].at;
    // ≈ 30-31 s × 5 ms.
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(stub.requests).toHaveLength(2);
  });

  it('does not wait for a rate limit longer than the total time bound', async () => {
    stub.fail('GET', /comments$/, {
      status: 403,
      headers: { 'retry-after': '3600' },
      body: { message: 'You have exceeded a secondary rate limit.' },
    });
    const warnings: string[] = [];
    const c = client({ log: { info: () => {}, warning: (m) => warnings.push(m) } });
    await expect(list(c)).rejects.toMatchObject({ status: 403 });
    expect(stub.requests).toHaveLength(1);
    expect(warnings.join('\n')).toContain('not retrying');
  });

  it('bounds the total time of a hanging call', async () => {
    stub.fail('GET', /comments$/, { status: 200, delayMs: 3_000 }, 10);
    const start = Date.now();
    await expect(list(client({ totalTimeoutMs: 300, attemptTimeoutMs: 10_000 }))).rejects.toThrow(
      /did not succeed within/,
    );
    expect(Date.now() - start).toBeLessThan(1_000);
  });

  it('retries an attempt that exceeds the per-attempt timeout', async () => {
    stub.fail('GET', /comments$/, { status: 200, body: [], delayMs: 1_000 }, 1);
    const { status } = await list(client({ attemptTimeoutMs: 200 }));
    expect(status).toBe(200);
    expect(stub.requests).toHaveLength(2);
  });

  it('uses GITHUB_API_URL when no baseUrl is given', async () => {
    const previous = process.env.GITHUB_API_URL;
    process.env.GITHUB_API_URL = stub.url;
    try {
      const c = createGitHubClient('t0ken-value', { ...fast, log: quiet });
      expect((await list(c)).status).toBe(200);
    } finally {
      if (previous === undefined) delete process.env.GITHUB_API_URL;
      else process.env.GITHUB_API_URL = previous;
    }
  });
});
