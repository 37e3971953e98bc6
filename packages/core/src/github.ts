import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

/** The Octokit client our actions use (REST methods, pagination, retry, throttling). */
export type GitHubClient = ReturnType<typeof getOctokit>;

/** Options of {@link createGitHubClient}. Times are configurable so tests run in milliseconds. */
export interface GitHubClientOptions {
  /** API root; defaults to `GITHUB_API_URL` (GitHub Enterprise), else `https://api.github.com`. */
  baseUrl?: string;
  /** Retries of 5xx and network errors; default 3. */
  retries?: number;
  /** Backoff unit of those retries: waits are 1, 4, 9 … × this (ms); default 1000. */
  retryBaseMs?: number;
  /** Multiplier turning Retry-After / rate-limit-reset seconds into a wait (ms); default 1000. */
  rateLimitBaseMs?: number;
  /** Retries after a primary or secondary rate limit; default 3. */
  rateLimitRetries?: number;
  /** Upper bound of one API call including every retry and wait (ms); default 120000. */
  totalTimeoutMs?: number;
  /** Upper bound of one HTTP attempt (ms); a timed-out attempt is retried; default 30000. */
  attemptTimeoutMs?: number;
  /** Sink for retry/limit messages; defaults to `core.info` (and `core.warning` when giving up). */
  log?: { info(message: string): void; warning(message: string): void };
}

/** An API call ran out of its total time budget; carries `status` 500 like Octokit's network errors. */
export class GitHubTimeoutError extends Error {
  readonly status = 500;
  constructor(method: string, url: string, ms: number) {
    super(`${method} ${url} did not succeed within ${Math.round(ms / 1000)}s (retries included)`);
    this.name = 'GitHubTimeoutError';
  }
}

let clientCount = 0;

/**
 * Creates the GitHub client every action uses: `getOctokit` with @octokit/plugin-retry (5xx and network errors,
 * backoff 1, 4, 9 × `retryBaseMs`) and @octokit/plugin-throttling (primary rate limits wait for `x-ratelimit-reset`,
 * secondary ones for `Retry-After`), each call bounded by `totalTimeoutMs` and each attempt by `attemptTimeoutMs`.
 * @param token a GITHUB_TOKEN or PAT; register it with `maskSecrets` before calling.
 * @param options API root, retry timing and bounds.
 * @returns an Octokit with `rest.*` and `paginate`.
 * @example const client = createGitHubClient(token); await client.rest.issues.get({ owner, repo, issue_number: 1 });
 */
export function createGitHubClient(token: string, options: GitHubClientOptions = {}): GitHubClient {
  const baseUrl = (options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  const retries = options.retries ?? 3;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const rateLimitBaseMs = options.rateLimitBaseMs ?? 1000;
  const rateLimitRetries = options.rateLimitRetries ?? 3;
  const totalTimeoutMs = options.totalTimeoutMs ?? 120_000;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 30_000;
  const log = options.log ?? { info: (m: string) => core.info(m), warning: (m: string) => core.warning(m) };

  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method: string; url: string; request?: object },
      _octokit: unknown,
      retryCount: number,
    ) => {
      const waitMs = retryAfter * rateLimitBaseMs;
      const startedAt = (request.request as { startedAt?: number } | undefined)?.startedAt ?? Date.now();
      const elapsed = Date.now() - startedAt;
      const what = `${request.method} ${request.url}`;
      if (retryCount < rateLimitRetries && elapsed + waitMs < totalTimeoutMs) {
        log.info(`GitHub ${kind} rate limit on ${what}; retrying in ${retryAfter}s (attempt ${retryCount + 2}).`);
        return true;
      }
      log.warning(
        `GitHub ${kind} rate limit on ${what}; not retrying (would wait ${retryAfter}s, ${retryCount} retries so far).`,
      );
      return false;
    };

  const client = getOctokit(
    token,
    {
      baseUrl,
      // 429 joins the plugin's default list: rate limits belong to the throttling plugin, which waits as long as
      // GitHub asks instead of hammering it at 1, 4, 9 s.
      retry: { retries, retryAfterBaseValue: retryBaseMs, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      throttle: {
        // A private limiter key per client: the plugin's limiters are process-wide and would otherwise serialise
        // unrelated clients' writes (its 1 s spacing between writes still applies within one client).
        id: `myco-gates-${process.pid}-${++clientCount}`,
        retryAfterBaseValue: rateLimitBaseMs,
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
      },
    },
    retry,
    throttling,
  );

  // Outermost wrapper: one deadline for the whole call (all retries and waits) and a timeout per attempt.
  client.hook.wrap('request', async (request, options) => {
    const started = Date.now();
    const deadline = new AbortController();
    const requestOptions = options.request as Record<string, unknown>;
    requestOptions.startedAt = started;
    const baseFetch = (requestOptions.fetch as typeof fetch | undefined) ?? globalThis.fetch;
    requestOptions.fetch = (url: string, init: RequestInit = {}) =>
      baseFetch(url, {
        ...init,
        signal: AbortSignal.any([deadline.signal, AbortSignal.timeout(attemptTimeoutMs)]),
      });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        deadline.abort();
        reject(new GitHubTimeoutError(options.method, options.url, totalTimeoutMs));
      }, totalTimeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([request(options), expired]);
    } finally {
      clearTimeout(timer);
    }
  });
  return client;
}

/** Options of {@link upsertStickyComment}. */
export interface StickyCommentOptions {
  owner: string;
  repo: string;
  /** Pull request (or issue) number. */
  issueNumber: number;
  /** Hidden HTML marker identifying the comment (see `commentMarker`). */
  marker: string;
  /** Full comment body; the marker is appended when missing. */
  body: string;
}

/** What {@link upsertStickyComment} did. */
export interface StickyCommentResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
  created_at: string;
  user?: { login?: string; type?: string } | null;
}

interface CommentThread {
  owner: string;
  repo: string;
  issueNumber: number;
}

async function listComments(client: GitHubClient, { owner, repo, issueNumber }: CommentThread) {
  return (await client.paginate(client.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  })) as IssueComment[];
}

/**
 * Creates or updates the sticky comment of a gate on a pull request. Reads every page of existing comments (100 per
 * page) looking for the marker; updates the newest match in place (and leaves older duplicates from earlier versions
 * alone), creates a comment only when none exists, and skips the update when the body is unchanged so re-runs do not
 * notify anyone. Comments by bots are preferred, so a human quoting the marker does not capture the comment.
 *
 * Two jobs of one gate that start together (a re-run racing a push, two workflows on one PR) can both find no comment
 * and both create one. So after creating, the comments are listed again and the twins — comments with the marker by
 * the same author as ours — converge on the oldest (lowest id): when that is another job's comment, it is updated
 * with our body (unless equal) and our own comment is deleted; when ours is the oldest, it stays and the other job,
 * running the same steps, deletes its newer one. A job only ever deletes the comment it created itself, and only
 * after a twin has our body, so the pull request ends with exactly one comment, never none. Cost: one more listing
 * after a create, plus one update and one delete when a race actually happened (all documented REST routes:
 * `GET …/issues/{n}/comments`, `PATCH` and `DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}`). A twin
 * created so late that the second listing misses it stays until that job's own second listing removes it.
 * @param client from {@link createGitHubClient}.
 * @param options repository, PR number, marker and body.
 * @returns whether the comment was created, updated or already current, with its id and URL; after a lost race it
 *   is the surviving (older) comment, reported as `updated` (or `unchanged` when it already had our body).
 */
export async function upsertStickyComment(
  client: GitHubClient,
  options: StickyCommentOptions,
): Promise<StickyCommentResult> {
  const { owner, repo, issueNumber, marker } = options;
  const body = options.body.includes(marker) ? options.body : `${options.body.replace(/\n*$/, '\n\n')}${marker}\n`;
  const comments = await listComments(client, options);
  const matches = comments.filter((c) => typeof c.body === 'string' && c.body.includes(marker));
  const bots = matches.filter((c) => c.user?.type === 'Bot');
  const candidates = bots.length > 0 ? bots : matches;
  const newest = candidates.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)[0];
  if (!newest) {
    const { data } = await client.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
    return convergeAfterCreate(client, options, body, data as IssueComment);
  }
  if (newest.body === body) return { action: 'unchanged', id: newest.id, url: newest.html_url };
  const { data } = await client.rest.issues.updateComment({ owner, repo, comment_id: newest.id, body });
  return { action: 'updated', id: data.id, url: data.html_url };
}

/** The race step of {@link upsertStickyComment}: keep the oldest twin of the comment we just created. */
async function convergeAfterCreate(
  client: GitHubClient,
  options: StickyCommentOptions,
  body: string,
  created: IssueComment,
): Promise<StickyCommentResult> {
  const { owner, repo, marker } = options;
  const ours: StickyCommentResult = { action: 'created', id: created.id, url: created.html_url };
  const author = created.user?.login;
  const twins = (await listComments(client, options)).filter(
    (c) =>
      c.id !== created.id &&
      typeof c.body === 'string' &&
      c.body.includes(marker) &&
      (author ? c.user?.login === author : c.user?.type === 'Bot'),
  );
  const oldest = twins.reduce<IssueComment | undefined>((a, c) => (!a || c.id < a.id ? c : a), undefined);
  if (!oldest || oldest.id > created.id) return ours;
  let kept: StickyCommentResult = { action: 'unchanged', id: oldest.id, url: oldest.html_url };
  if (oldest.body !== body) {
    try {
      const { data } = await client.rest.issues.updateComment({ owner, repo, comment_id: oldest.id, body });
      kept = { action: 'updated', id: data.id, url: data.html_url };
    } catch (error) {
      // The twin vanished (someone deleted it): ours is then the only one and must stay.
      if ((error as { status?: number }).status === 404) return ours;
      throw error;
    }
  }
  try {
    await client.rest.issues.deleteComment({ owner, repo, comment_id: created.id });
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  return kept;
}
