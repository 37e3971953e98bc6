import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  artifactJson,
  checkRunJson,
  commentJson,
  type DeploymentSeed,
  deploymentJson,
  deploymentStatusJson,
  type GitHubHosts,
  pullJson,
  type PullRequestSeed,
  releaseJson,
  runJson,
  type StoredArtifact,
  type StoredRun,
  type StubCheckRun,
  type StubComment,
  type StubDeployment,
  type StubDeploymentStatus,
  type StubRelease,
  type WorkflowRunSeed,
} from './github-objects.js';
import { type GitHubContract, loadGitHubContract, type RouteMatch } from './openapi-contract.js';

/** Options for {@link startGitHubStub}. */
export interface GitHubStubOptions {
  /** Web UI base used in `html_url` fields. Default `https://github.com`. */
  webUrl?: string;
  /** Login that authors comments, deployments and statuses created through the API. Default `github-actions[bot]`. */
  actor?: string;
  /** Clock for `created_at`/`updated_at` of objects created through the API. Default: the real clock. */
  now?: () => Date;
}

/** A failure to inject on a route instead of the normal response. */
export type GitHubFault =
  /** Respond with this status and a GitHub-style error body (e.g. 500, 502, 503). */
  | { kind: 'status'; status: number; message?: string }
  /** 403 "Resource not accessible by integration": the token lacks a permission (e.g. fork PRs). */
  | { kind: 'read-only' }
  /**
   * Rate limit. Primary (default): 403 with `x-ratelimit-remaining: 0` and a reset time.
   * Secondary: `status` 403 or 429 with `retry-after`.
   */
  | { kind: 'rate-limit'; status?: 403 | 429; retryAfterSeconds?: number; secondary?: boolean }
  /** Destroy the socket without answering (a network failure). */
  | { kind: 'close-socket' };

/** One request the stub received. The Authorization value is never recorded. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-cased request headers without `authorization` and `cookie`. */
  headers: Record<string, string>;
  /** Whether an Authorization header was sent, and its scheme (`token`, `bearer`…), never the credential. */
  auth: { present: boolean; scheme?: string };
  /** Parsed JSON body, the raw text when not JSON, `undefined` when empty. */
  body: unknown;
  /** `METHOD /template` of the matched documented operation. */
  route?: string;
  operationId?: string;
  /** Status the stub answered with (0 when the socket was closed by a fault). */
  status: number;
  /** Kind of the injected fault, when one was applied. */
  fault?: GitHubFault['kind'];
}

/** A place where the traffic disagreed with GitHub's published OpenAPI description. */
export interface ContractViolation {
  method: string;
  path: string;
  route?: string;
  message: string;
}

/** A running GitHub REST stub. */
export interface GitHubStub {
  /** Base URL to use as `GITHUB_API_URL`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Contract violations found so far. */
  readonly violations: ContractViolation[];
  /** Seeds a pull request (and its changed files). */
  addPullRequest(seed: PullRequestSeed): void;
  /** Seeds a comment on an issue or pull request; returns it with its id. */
  addComment(seed: { owner: string; repo: string; issueNumber: number; body: string; author?: string }): StubComment;
  /** Current comments of an issue or pull request, oldest first. */
  comments(owner: string, repo: string, issueNumber: number): StubComment[];
  /** Seeds a deployment (with optional statuses, oldest first); returns it. */
  addDeployment(seed: DeploymentSeed): StubDeployment;
  /** Current deployments of a repository, newest first. */
  deployments(owner: string, repo: string): StubDeployment[];
  /** Releases of a repository, oldest first. */
  releases(owner: string, repo: string): StubRelease[];
  /** Seeds a workflow run and its artifacts; returns the run id and artifact ids. */
  addWorkflowRun(seed: WorkflowRunSeed): { id: number; artifactIds: number[] };
  /** Check runs created or updated through the API. */
  checkRuns(owner: string, repo: string): StubCheckRun[];
  /**
   * Makes the next `times` requests to `route` fail with `fault`.
   *
   * @param route - `METHOD /template` (e.g. `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`),
   *   an operationId (e.g. `issues/create-comment`), or `*` for every route.
   */
  injectFault(route: string, fault: GitHubFault, times?: number): void;
  /** Throws one error listing every contract violation seen so far. */
  assertNoViolations(): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

interface HandlerContext {
  owner: string;
  repo: string;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  body: Record<string, unknown>;
  pathname: string;
}

interface StubResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (context: HandlerContext) => StubResponse;

const DOCS = 'https://docs.github.com/rest';
const ARTIFACT_BLOB_PREFIX = '/_testkit/artifacts/';

function notFound(): StubResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function repoKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/**
 * Starts a GitHub REST API stub on 127.0.0.1 with an in-memory repository state, fault injection,
 * a request log, and a contract check of every request and response against `@octokit/openapi`.
 *
 * @param options - Web URL, acting user and clock.
 * @returns The running stub; call `close()` when done.
 * @example
 * const github = await startGitHubStub();
 * github.addPullRequest({ owner: 'acme', repo: 'shop', number: 7, headSha: 'abc' });
 * // ... point GITHUB_API_URL at github.url, run the action ...
 * github.assertNoViolations();
 * await github.close();
 */
export async function startGitHubStub(options: GitHubStubOptions = {}): Promise<GitHubStub> {
  const actor = options.actor ?? 'github-actions[bot]';
  const now = () => isoSeconds((options.now ?? (() => new Date()))());
  const requests: RecordedRequest[] = [];
  const violations: ContractViolation[] = [];
  const faults: { route: string; fault: GitHubFault; remaining: number }[] = [];

  let nextId = 1000;
  const pulls = new Map<string, PullRequestSeed>();
  const comments: StubComment[] = [];
  const deployments: StubDeployment[] = [];
  const releases: StubRelease[] = [];
  const runs: StoredRun[] = [];
  const artifacts: StoredArtifact[] = [];
  const checkRuns: StubCheckRun[] = [];

  const hosts: GitHubHosts = { api: '', web: (options.webUrl ?? 'https://github.com').replace(/\/$/, '') };

  function pullKey(owner: string, repo: string, number: number): string {
    return `${repoKey(owner, repo)}#${number}`;
  }

  function pullFor(run: StoredRun): (number: number) => PullRequestSeed | undefined {
    return (number) => pulls.get(pullKey(run.owner, run.repo, number));
  }

  function paginate<T>(items: T[], context: HandlerContext): { page: T[]; headers: Record<string, string> } {
    const perPage = Math.min(100, Math.max(1, Number(single(context.query.per_page) ?? 30) || 30));
    const pageNumber = Math.max(1, Number(single(context.query.page) ?? 1) || 1);
    const lastPage = Math.max(1, Math.ceil(items.length / perPage));
    const link = (page: number, rel: string) => {
      const url = new URL(context.pathname, hosts.api);
      for (const [name, value] of Object.entries(context.query)) {
        if (name !== 'page') url.searchParams.set(name, String(single(value)));
      }
      url.searchParams.set('per_page', String(perPage));
      url.searchParams.set('page', String(page));
      return `<${url.toString()}>; rel="${rel}"`;
    };
    // RFC 5988 links exactly as GitHub orders them: prev, next, last, first.
    const links: string[] = [];
    if (pageNumber > 1) links.push(link(pageNumber - 1, 'prev'));
    if (pageNumber < lastPage) links.push(link(pageNumber + 1, 'next'), link(lastPage, 'last'));
    if (pageNumber > 1) links.push(link(1, 'first'));
    return {
      page: items.slice((pageNumber - 1) * perPage, pageNumber * perPage),
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    };
  }

  /** The record with the id in path parameter `param`, if it belongs to the requested repository. */
  function findInRepo<T extends { id: number; owner: string; repo: string }>(
    records: T[],
    context: HandlerContext,
    param: string,
  ): T | undefined {
    const id = Number(context.params[param]);
    return records.find((r) => r.id === id && repoKey(r.owner, r.repo) === repoKey(context.owner, context.repo));
  }

  function repoRuns(context: HandlerContext): StoredRun[] {
    const { branch, event, status, head_sha: headSha } = context.query;
    return (
      runs
        .filter((run) => repoKey(run.owner, run.repo) === repoKey(context.owner, context.repo))
        .filter((run) => branch === undefined || run.headBranch === single(branch))
        .filter((run) => event === undefined || run.event === single(event))
        // GitHub's `status` filter accepts a status or a conclusion.
        .filter((run) => status === undefined || run.status === single(status) || run.conclusion === single(status))
        .filter((run) => headSha === undefined || run.headSha === single(headSha))
        .sort((a, b) => b.id - a.id)
    );
  }

  function addDeploymentStatus(
    deployment: StubDeployment,
    input: {
      state: StubDeploymentStatus['state'];
      description?: string;
      environmentUrl?: string;
      logUrl?: string;
      environment?: string;
    },
  ): StubDeploymentStatus {
    const status: StubDeploymentStatus = {
      id: nextId++,
      state: input.state,
      description: input.description ?? '',
      environment: input.environment ?? deployment.environment,
      environmentUrl: input.environmentUrl ?? '',
      logUrl: input.logUrl ?? '',
      // GitHub sends '' for an unset target_url although its description requires a URI; a real URL keeps
      // the response check strict instead of special-casing the field.
      targetUrl:
        input.logUrl ??
        `${hosts.web}/${deployment.owner}/${deployment.repo}/deployments/${encodeURIComponent(deployment.environment)}`,
      creator: actor,
      createdAt: now(),
    };
    deployment.statuses.unshift(status);
    return status;
  }

  const handlers: Record<string, Handler> = {
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': (context) => {
      const since = single(context.query.since);
      const list = comments
        .filter(
          (c) =>
            repoKey(c.owner, c.repo) === repoKey(context.owner, context.repo) &&
            c.issueNumber === Number(context.params.issue_number),
        )
        .filter((c) => since === undefined || c.updatedAt >= since);
      const { page, headers } = paginate(list, context);
      return { status: 200, body: page.map((c) => commentJson(hosts, c)), headers };
    },
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': (context) => {
      const timestamp = now();
      const comment: StubComment = {
        id: nextId++,
        owner: context.owner,
        repo: context.repo,
        issueNumber: Number(context.params.issue_number),
        body: String(context.body.body),
        author: actor,
        createdAt: timestamp,
        updatedAt: timestamp,
      };
      comments.push(comment);
      return {
        status: 201,
        body: commentJson(hosts, comment),
        headers: { location: `${hosts.api}/repos/${context.owner}/${context.repo}/issues/comments/${comment.id}` },
      };
    },
    'GET /repos/{owner}/{repo}/issues/comments/{comment_id}': (context) => {
      const comment = findInRepo(comments, context, 'comment_id');
      return comment ? { status: 200, body: commentJson(hosts, comment) } : notFound();
    },
    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': (context) => {
      const comment = findInRepo(comments, context, 'comment_id');
      if (!comment) return notFound();
      comment.body = String(context.body.body);
      comment.updatedAt = now();
      return { status: 200, body: commentJson(hosts, comment) };
    },
    'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}': (context) => {
      const comment = findInRepo(comments, context, 'comment_id');
      if (!comment) return notFound();
      comments.splice(comments.indexOf(comment), 1);
      return { status: 204 };
    },
    'GET /repos/{owner}/{repo}/pulls/{pull_number}': (context) => {
      const pull = pulls.get(pullKey(context.owner, context.repo, Number(context.params.pull_number)));
      return pull
        ? {
            status: 200,
            body: pullJson(hosts, pull, {
              commentCount: comments.filter(
                (c) => repoKey(c.owner, c.repo) === repoKey(pull.owner, pull.repo) && c.issueNumber === pull.number,
              ).length,
            }),
          }
        : notFound();
    },
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/files': (context) => {
      const pull = pulls.get(pullKey(context.owner, context.repo, Number(context.params.pull_number)));
      if (!pull) return notFound();
      const files = (pull.files ?? []).map((file) => {
        const blob = `${hosts.web}/${context.owner}/${context.repo}`;
        const entry: Record<string, unknown> = {
          sha: null,
          filename: file.filename,
          status: file.status ?? 'modified',
          additions: file.additions ?? 0,
          deletions: file.deletions ?? 0,
          changes: (file.additions ?? 0) + (file.deletions ?? 0),
          blob_url: `${blob}/blob/${pull.headSha}/${encodeURI(file.filename)}`,
          raw_url: `${blob}/raw/${pull.headSha}/${encodeURI(file.filename)}`,
          contents_url: `${hosts.api}/repos/${context.owner}/${context.repo}/contents/${encodeURI(file.filename)}?ref=${pull.headSha}`,
        };
        if (file.patch !== undefined) entry.patch = file.patch;
        if (file.previousFilename !== undefined) entry.previous_filename = file.previousFilename;
        return entry;
      });
      const { page, headers } = paginate(files, context);
      return { status: 200, body: page, headers };
    },
    'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls': (context) => {
      const sha = context.params.commit_sha;
      const list = [...pulls.values()]
        .filter((p) => repoKey(p.owner, p.repo) === repoKey(context.owner, context.repo))
        .filter((p) => p.headSha === sha || p.mergeCommitSha === sha)
        .sort((a, b) => b.number - a.number);
      const { page, headers } = paginate(list, context);
      return { status: 200, body: page.map((p) => pullJson(hosts, p)), headers };
    },
    'GET /repos/{owner}/{repo}/releases/tags/{tag}': (context) => {
      const release = releases.find(
        (r) => repoKey(r.owner, r.repo) === repoKey(context.owner, context.repo) && r.tagName === context.params.tag,
      );
      return release ? { status: 200, body: releaseJson(hosts, release) } : notFound();
    },
    'POST /repos/{owner}/{repo}/releases': (context) => {
      const body = context.body as {
        tag_name: string;
        target_commitish?: string;
        name?: string;
        body?: string;
        draft?: boolean;
        prerelease?: boolean;
        generate_release_notes?: boolean;
        make_latest?: string;
      };
      const inRepo = releases.filter((r) => repoKey(r.owner, r.repo) === repoKey(context.owner, context.repo));
      if (inRepo.some((r) => r.tagName === body.tag_name))
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
            documentation_url: DOCS,
            status: '422',
          },
        };
      const previous = inRepo.at(-1)?.tagName;
      const release: StubRelease = {
        id: nextId++,
        owner: context.owner,
        repo: context.repo,
        tagName: body.tag_name,
        targetCommitish: body.target_commitish ?? 'main',
        name: body.name ?? body.tag_name,
        // What GitHub's generated notes look like: the changes since the previous release.
        body:
          (body.body ?? '') +
          (body.generate_release_notes
            ? `## What's Changed\n\n**Full Changelog**: ${hosts.web}/${context.owner}/${context.repo}/` +
              (previous ? `compare/${previous}...${body.tag_name}` : `commits/${body.tag_name}`)
            : ''),
        draft: body.draft ?? false,
        prerelease: body.prerelease ?? false,
        makeLatest: body.make_latest ?? 'true',
        author: actor,
        createdAt: now(),
      };
      releases.push(release);
      return { status: 201, body: releaseJson(hosts, release) };
    },
    'GET /repos/{owner}/{repo}/deployments': (context) => {
      const { sha, ref, task, environment } = context.query;
      const list = deployments
        .filter((d) => repoKey(d.owner, d.repo) === repoKey(context.owner, context.repo))
        .filter((d) => sha === undefined || d.sha === single(sha))
        .filter((d) => ref === undefined || d.ref === single(ref))
        .filter((d) => task === undefined || d.task === single(task))
        .filter((d) => environment === undefined || d.environment === single(environment))
        .sort((a, b) => b.id - a.id);
      const { page, headers } = paginate(list, context);
      return { status: 200, body: page.map((d) => deploymentJson(hosts, d)), headers };
    },
    'POST /repos/{owner}/{repo}/deployments': (context) => {
      const body = context.body as {
        ref: string;
        task?: string;
        environment?: string;
        description?: string | null;
        payload?: Record<string, unknown> | string;
        production_environment?: boolean;
        transient_environment?: boolean;
      };
      const environment = body.environment ?? 'production';
      const deployment: StubDeployment = {
        id: nextId++,
        owner: context.owner,
        repo: context.repo,
        // The real API resolves the ref to a commit; a 40-hex ref is taken as the SHA itself.
        sha: /^[0-9a-f]{40}$/i.test(body.ref) ? body.ref : '0'.repeat(40),
        ref: body.ref,
        task: body.task ?? 'deploy',
        environment,
        description: body.description ?? '',
        payload: body.payload ?? {},
        productionEnvironment: body.production_environment ?? environment === 'production',
        transientEnvironment: body.transient_environment ?? false,
        creator: actor,
        createdAt: now(),
        statuses: [],
      };
      deployments.push(deployment);
      return { status: 201, body: deploymentJson(hosts, deployment) };
    },
    'GET /repos/{owner}/{repo}/deployments/{deployment_id}': (context) => {
      const deployment = findInRepo(deployments, context, 'deployment_id');
      return deployment ? { status: 200, body: deploymentJson(hosts, deployment) } : notFound();
    },
    'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': (context) => {
      const deployment = findInRepo(deployments, context, 'deployment_id');
      if (!deployment) return notFound();
      const { page, headers } = paginate(deployment.statuses, context);
      return { status: 200, body: page.map((s) => deploymentStatusJson(hosts, deployment, s)), headers };
    },
    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': (context) => {
      const deployment = findInRepo(deployments, context, 'deployment_id');
      if (!deployment) return notFound();
      const body = context.body as {
        state: StubDeploymentStatus['state'];
        description?: string;
        environment_url?: string;
        log_url?: string;
        target_url?: string;
        environment?: string;
      };
      const status = addDeploymentStatus(deployment, {
        state: body.state,
        description: body.description,
        environmentUrl: body.environment_url,
        logUrl: body.log_url ?? body.target_url,
        environment: body.environment,
      });
      return { status: 201, body: deploymentStatusJson(hosts, deployment, status) };
    },
    'GET /repos/{owner}/{repo}/actions/runs': (context) => {
      const list = repoRuns(context);
      const { page, headers } = paginate(list, context);
      return {
        status: 200,
        body: { total_count: list.length, workflow_runs: page.map((r) => runJson(hosts, r, pullFor(r))) },
        headers,
      };
    },
    'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs': (context) => {
      const workflow = context.params.workflow_id;
      const list = repoRuns(context).filter(
        (run) => String(run.workflowId) === workflow || run.workflowFile === workflow,
      );
      const { page, headers } = paginate(list, context);
      return {
        status: 200,
        body: { total_count: list.length, workflow_runs: page.map((r) => runJson(hosts, r, pullFor(r))) },
        headers,
      };
    },
    'GET /repos/{owner}/{repo}/actions/runs/{run_id}': (context) => {
      const run = repoRuns(context).find((r) => r.id === Number(context.params.run_id));
      return run ? { status: 200, body: runJson(hosts, run, pullFor(run)) } : notFound();
    },
    'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts': (context) => {
      const name = single(context.query.name);
      const list = artifacts
        .filter((a) => a.runId === Number(context.params.run_id))
        .filter((a) => repoKey(a.owner, a.repo) === repoKey(context.owner, context.repo))
        .filter((a) => name === undefined || a.name === name);
      const { page, headers } = paginate(list, context);
      return {
        status: 200,
        body: {
          total_count: list.length,
          artifacts: page.map((a) =>
            artifactJson(
              hosts,
              a,
              runs.find((r) => r.id === a.runId),
            ),
          ),
        },
        headers,
      };
    },
    'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}': (context) => {
      const artifact = findInRepo(artifacts, context, 'artifact_id');
      return artifact
        ? {
            status: 200,
            body: artifactJson(
              hosts,
              artifact,
              runs.find((r) => r.id === artifact.runId),
            ),
          }
        : notFound();
    },
    'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}': (context) => {
      const artifact = findInRepo(artifacts, context, 'artifact_id');
      if (!artifact || context.params.archive_format !== 'zip') return notFound();
      if (artifact.expired) {
        return { status: 410, body: { message: 'Artifact has expired', documentation_url: DOCS } };
      }
      // GitHub answers with a redirect to short-lived blob storage; clients must follow it.
      return {
        status: 302,
        headers: {
          location: `${hosts.api}${ARTIFACT_BLOB_PREFIX}${artifact.id}/${encodeURIComponent(artifact.name)}.zip`,
        },
      };
    },
    'POST /repos/{owner}/{repo}/check-runs': (context) => {
      const body = context.body as Record<string, any>;
      const run: StubCheckRun = {
        id: nextId++,
        owner: context.owner,
        repo: context.repo,
        name: body.name,
        headSha: body.head_sha,
        status: body.status ?? (body.conclusion ? 'completed' : 'queued'),
        conclusion: body.conclusion ?? null,
        detailsUrl: body.details_url ?? null,
        externalId: body.external_id ?? null,
        startedAt: body.started_at ?? now(),
        completedAt: body.completed_at ?? (body.conclusion ? now() : null),
        output: {
          title: body.output?.title ?? null,
          summary: body.output?.summary ?? null,
          text: body.output?.text ?? null,
          annotations: body.output?.annotations ?? [],
        },
      };
      checkRuns.push(run);
      return { status: 201, body: checkRunJson(hosts, run) };
    },
    'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': (context) => {
      const run = findInRepo(checkRuns, context, 'check_run_id');
      if (!run) return notFound();
      const body = context.body as Record<string, any>;
      if (body.name !== undefined) run.name = body.name;
      if (body.details_url !== undefined) run.detailsUrl = body.details_url;
      if (body.external_id !== undefined) run.externalId = body.external_id;
      if (body.status !== undefined) run.status = body.status;
      if (body.conclusion !== undefined) {
        run.conclusion = body.conclusion;
        run.status = 'completed';
        run.completedAt = body.completed_at ?? now();
      }
      if (body.output !== undefined) {
        run.output = {
          title: body.output.title ?? run.output.title,
          summary: body.output.summary ?? run.output.summary,
          text: body.output.text ?? run.output.text,
          // Annotations are appended across updates, as GitHub does.
          annotations: [...run.output.annotations, ...(body.output.annotations ?? [])],
        };
      }
      return { status: 200, body: checkRunJson(hosts, run) };
    },
  };

  const contract: GitHubContract = loadGitHubContract(Object.keys(handlers));

  function takeFault(match: RouteMatch): GitHubFault | undefined {
    const index = faults.findIndex(
      (f) => f.remaining > 0 && (f.route === '*' || f.route === match.key || f.route === match.route.operationId),
    );
    if (index < 0) return undefined;
    const entry = faults[index];
    entry.remaining -= 1;
    if (entry.remaining === 0) faults.splice(index, 1);
    return entry.fault;
  }

  function faultResponse(fault: Exclude<GitHubFault, { kind: 'close-socket' }>): StubResponse {
    switch (fault.kind) {
      case 'status':
        return {
          status: fault.status,
          body: { message: fault.message ?? (fault.status >= 500 ? 'Server Error' : 'Error'), documentation_url: DOCS },
        };
      case 'read-only':
        return {
          status: 403,
          body: {
            message: 'Resource not accessible by integration',
            documentation_url: DOCS,
            status: '403',
          },
          headers: { 'x-accepted-github-permissions': 'issues=write; pull_requests=write' },
        };
      case 'rate-limit': {
        const retryAfter = fault.retryAfterSeconds ?? 1;
        const reset = String(Math.floor(Date.now() / 1000) + retryAfter);
        const headers: Record<string, string> = {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': fault.secondary ? '4999' : '0',
          'x-ratelimit-used': fault.secondary ? '1' : '5000',
          'x-ratelimit-reset': reset,
          'x-ratelimit-resource': 'core',
        };
        if (fault.secondary || fault.status === 429) headers['retry-after'] = String(retryAfter);
        return {
          status: fault.status ?? 403,
          headers,
          body: {
            message: fault.secondary
              ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
              : 'API rate limit exceeded for installation ID 1.',
            documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
          },
        };
      }
    }
  }

  function send(response: ServerResponse, result: StubResponse): void {
    const headers: Record<string, string> = {
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      ...result.headers,
    };
    if (result.body === undefined) {
      response.writeHead(result.status, headers).end();
      return;
    }
    const text = JSON.stringify(result.body);
    response
      .writeHead(result.status, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
      })
      .end(text);
  }

  async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', hosts.api);
    const method = (request.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(request);
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const previous = query[name];
      query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (name === 'authorization' || name === 'cookie' || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const authorization = request.headers.authorization;
    let parsedBody: unknown = rawBody === '' ? undefined : rawBody;
    try {
      if (rawBody !== '') parsedBody = JSON.parse(rawBody);
    } catch {
      // Keep the raw text in the log; the contract check reports the malformed JSON.
    }
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query,
      headers,
      auth: authorization
        ? { present: true, scheme: authorization.trim().split(/\s+/)[0]?.toLowerCase() }
        : { present: false },
      body: parsedBody,
      status: 0,
    };
    requests.push(record);
    const violate = (message: string, route?: string) =>
      violations.push({ method, path: url.pathname, route, message });

    // Blob storage for artifact archives: outside the REST API, so outside the contract.
    if (method === 'GET' && url.pathname.startsWith(ARTIFACT_BLOB_PREFIX)) {
      const id = Number(url.pathname.slice(ARTIFACT_BLOB_PREFIX.length).split('/')[0]);
      const artifact = artifacts.find((a) => a.id === id);
      if (!artifact) {
        record.status = 404;
        response.writeHead(404).end();
        return;
      }
      record.status = 200;
      response
        .writeHead(200, { 'content-type': 'application/zip', 'content-length': String(artifact.zip.length) })
        .end(artifact.zip);
      return;
    }

    const match = contract.match(method, url.pathname);
    if (!match) {
      violate(`no operation in GitHub's OpenAPI description (${SPEC_LABEL}) matches ${method} ${url.pathname}`);
      record.status = 404;
      send(response, notFound());
      return;
    }
    record.route = match.key;
    record.operationId = match.route.operationId;
    const handler = handlers[match.key];
    if (!handler) {
      violate(
        `${match.key} (${match.route.operationId}) is documented but the stub does not serve it; ` +
          'add a handler in packages/testkit/src/github-stub.ts',
        match.key,
      );
      record.status = 404;
      send(response, notFound());
      return;
    }

    const requestProblems = contract.checkRequest(match.key, match.params, query, rawBody);
    for (const problem of requestProblems) violate(`${match.route.operationId}: ${problem}`, match.key);

    const fault = takeFault(match);
    if (fault) {
      record.fault = fault.kind;
      if (fault.kind === 'close-socket') {
        request.socket.destroy();
        return;
      }
      // Injected faults are deliberately off-contract (GitHub documents few 5xx), so no response check.
      const result = faultResponse(fault);
      record.status = result.status;
      send(response, result);
      return;
    }

    if (requestProblems.some((p) => p.startsWith('request body'))) {
      // GitHub rejects malformed bodies with 422 before touching any state.
      const result = {
        status: 422,
        body: { message: `Invalid request.\n\n${requestProblems.join('\n')}`, documentation_url: DOCS, status: '422' },
      };
      record.status = 422;
      send(response, result);
      return;
    }

    const result = handler({
      owner: match.params.owner ?? '',
      repo: match.params.repo ?? '',
      params: match.params,
      query,
      body: (typeof parsedBody === 'object' && parsedBody !== null ? parsedBody : {}) as Record<string, unknown>,
      pathname: url.pathname,
    });
    // GitHub answers 404 on every repository route although many operations do not document it.
    const undocumented404 = result.status === 404 && !contract.documentsStatus(match.key, 404);
    if (!undocumented404) {
      for (const problem of contract.checkResponse(match.key, result.status, result.body)) {
        violate(`${match.route.operationId}: ${problem}`, match.key);
      }
    }
    record.status = result.status;
    send(response, result);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // A crash here is a stub bug; answer 500 and surface it as a violation so the test fails loudly.
      violations.push({
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        message: `stub crashed: ${(error as Error).stack ?? String(error)}`,
      });
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  hosts.api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const SPEC_LABEL = `@octokit/openapi@${contract.packageVersion}`;

  return {
    url: hosts.api,
    requests,
    violations,
    addPullRequest(seed) {
      pulls.set(pullKey(seed.owner, seed.repo, seed.number), { ...seed });
    },
    addComment(seed) {
      const timestamp = now();
      const comment: StubComment = {
        id: nextId++,
        owner: seed.owner,
        repo: seed.repo,
        issueNumber: seed.issueNumber,
        body: seed.body,
        author: seed.author ?? actor,
        createdAt: timestamp,
        updatedAt: timestamp,
      };
      comments.push(comment);
      return { ...comment };
    },
    comments(owner, repo, issueNumber) {
      return comments
        .filter((c) => repoKey(c.owner, c.repo) === repoKey(owner, repo) && c.issueNumber === issueNumber)
        .map((c) => ({ ...c }));
    },
    addDeployment(seed) {
      const deployment: StubDeployment = {
        id: nextId++,
        owner: seed.owner,
        repo: seed.repo,
        sha: seed.sha,
        ref: seed.ref ?? seed.sha,
        task: seed.task ?? 'deploy',
        environment: seed.environment ?? 'production',
        description: seed.description ?? null,
        payload: seed.payload ?? {},
        productionEnvironment: (seed.environment ?? 'production') === 'production',
        transientEnvironment: false,
        creator: 'octocat',
        createdAt: now(),
        statuses: [],
      };
      for (const status of seed.statuses ?? []) addDeploymentStatus(deployment, status);
      deployments.push(deployment);
      return structuredClone(deployment);
    },
    releases(owner, repo) {
      return structuredClone(releases.filter((r) => repoKey(r.owner, r.repo) === repoKey(owner, repo)));
    },
    deployments(owner, repo) {
      return structuredClone(
        deployments.filter((d) => repoKey(d.owner, d.repo) === repoKey(owner, repo)).sort((a, b) => b.id - a.id),
      );
    },
    addWorkflowRun(seed) {
      const id = seed.id ?? nextId++;
      const sameWorkflow = runs.filter(
        (r) =>
          repoKey(r.owner, r.repo) === repoKey(seed.owner, seed.repo) &&
          r.workflowFile === (seed.workflowFile ?? 'ci.yml'),
      );
      const status = seed.status ?? 'completed';
      runs.push({
        owner: seed.owner,
        repo: seed.repo,
        headSha: seed.headSha,
        id,
        workflowId: seed.workflowId ?? 161335,
        workflowFile: seed.workflowFile ?? 'ci.yml',
        name: seed.name ?? 'CI',
        headBranch: seed.headBranch === undefined ? 'main' : seed.headBranch,
        event: seed.event ?? 'push',
        status,
        conclusion: seed.conclusion === undefined ? (status === 'completed' ? 'success' : null) : seed.conclusion,
        pullRequests: seed.pullRequests ?? [],
        runNumber: sameWorkflow.length + 1,
        createdAt: now(),
      });
      const artifactIds = (seed.artifacts ?? []).map((artifact) => {
        const stored: StoredArtifact = {
          id: nextId++,
          runId: id,
          owner: seed.owner,
          repo: seed.repo,
          name: artifact.name,
          zip: Buffer.from(artifact.zip),
          expired: artifact.expired ?? false,
        };
        artifacts.push(stored);
        return stored.id;
      });
      return { id, artifactIds };
    },
    checkRuns(owner, repo) {
      return structuredClone(checkRuns.filter((r) => repoKey(r.owner, r.repo) === repoKey(owner, repo)));
    },
    injectFault(route, fault, times = 1) {
      const known =
        route === '*' || route in handlers || Object.keys(handlers).some((key) => contract.operationId(key) === route);
      if (!known) {
        throw new Error(
          `injectFault: the stub serves no route "${route}". Use "METHOD /template" or an operationId of: ` +
            Object.keys(handlers).join(', '),
        );
      }
      if (!Number.isInteger(times) || times < 1) {
        throw new Error(`injectFault: times must be a positive integer, got ${times}`);
      }
      faults.push({ route, fault, remaining: times });
    },
    assertNoViolations() {
      if (violations.length === 0) return;
      const lines = violations.map((v) => `- ${v.method} ${v.path}: ${v.message}`);
      throw new Error(
        `The GitHub stub saw ${violations.length} contract violation(s) against ${SPEC_LABEL}:\n${lines.join('\n')}`,
      );
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
