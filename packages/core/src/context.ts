import { readFileSync } from 'node:fs';
import { GateError } from './errors.js';

/** The parts of the workflow run that publishing needs, read from the runner's environment. */
export interface GitHubContext {
  /** `GITHUB_EVENT_NAME`, e.g. `pull_request`, `workflow_run`, `push`. */
  eventName: string;
  /** The webhook payload from `GITHUB_EVENT_PATH` (`{}` when there is none, e.g. the CLI). */
  payload: Record<string, any>;
  owner: string;
  repo: string;
  /** `GITHUB_SHA`. */
  sha: string;
  runId?: number;
  runAttempt?: number;
  /** `GITHUB_SERVER_URL`, default `https://github.com`. */
  serverUrl: string;
}

/**
 * Reads the workflow context fresh from the environment (unlike `@actions/github`'s `context`, which is frozen when
 * the module loads), so the CLI and tests can supply their own.
 * @param env environment variables; defaults to `process.env`.
 * @returns the context; owner/repo are empty strings outside a workflow.
 * @throws GateError when `GITHUB_EVENT_PATH` is set but unreadable or not JSON.
 */
export function readGitHubContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  let payload: Record<string, any> = {};
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath) {
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8')) as Record<string, any>;
    } catch (error) {
      throw new GateError(`cannot read the event payload: ${(error as Error).message}`, {
        fix: 'GITHUB_EVENT_PATH must point to the JSON event file the runner writes; unset it when running locally.',
        file: eventPath,
        cause: error,
      });
    }
  }
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? payload.repository?.full_name ?? '').split('/');
  const int = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    payload,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    runId: int(env.GITHUB_RUN_ID),
    runAttempt: int(env.GITHUB_RUN_ATTEMPT),
    serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, ''),
  };
}

/** Events whose payload carries the pull request a gate comments on. */
export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

/**
 * The pull request of a `pull_request`/`pull_request_target` run.
 * @param context from {@link readGitHubContext}.
 * @returns number and head SHA, or undefined for other events.
 */
export function pullRequestOf(context: GitHubContext): { number: number; headSha?: string } | undefined {
  if (!PULL_REQUEST_EVENTS.includes(context.eventName)) return undefined;
  const pr = context.payload.pull_request;
  if (!pr || typeof pr.number !== 'number') return undefined;
  return { number: pr.number, headSha: typeof pr.head?.sha === 'string' ? pr.head.sha : undefined };
}

/**
 * The URL of this run's page (job summaries are shown there).
 * @param context from {@link readGitHubContext}.
 * @returns e.g. `https://github.com/o/r/actions/runs/42/attempts/2`, or undefined outside a workflow.
 */
export function runUrl(context: GitHubContext): string | undefined {
  if (!context.owner || !context.repo || !context.runId) return undefined;
  const attempt = context.runAttempt && context.runAttempt > 1 ? `/attempts/${context.runAttempt}` : '';
  return `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${context.runId}${attempt}`;
}
