/**
 * The GitHub stub's records (what tests seed and inspect) and the builders that turn them into the JSON
 * objects GitHub's REST API returns. Each builder fills every field the published OpenAPI description
 * marks as required, so stub responses pass the contract check while tests pass only the fields they
 * care about.
 */

/** A fixed instant, so stub responses are reproducible in snapshots. */
export const STUB_EPOCH = '2026-01-01T00:00:00Z';

/** Where the REST API and the web UI of the simulated GitHub live. */
export interface GitHubHosts {
  /** Base URL of the REST API (the stub's own address). */
  api: string;
  /** Base URL of the web UI, e.g. `https://github.com`. */
  web: string;
}

function numericId(text: string): number {
  // A stable positive id per login/repo name, so the same user keeps the same id across calls.
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return (hash % 90_000_000) + 1000;
}

function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`).toString('base64');
}

/** A `simple-user` object. `github-actions[bot]` gets `type: Bot` like the real token's identity. */
export function userObject(hosts: GitHubHosts, login: string): Record<string, unknown> {
  const id = numericId(login);
  const url = `${hosts.api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: nodeId('User', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${hosts.web}/${encodeURIComponent(login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

/** A stable numeric id for a repository, as used in `repository.id` fields. */
export function repositoryId(owner: string, repo: string): number {
  return numericId(`${owner}/${repo}`.toLowerCase());
}

/** A `minimal-repository` object (as embedded in workflow runs). */
export function minimalRepositoryObject(hosts: GitHubHosts, owner: string, repo: string): Record<string, unknown> {
  const id = repositoryId(owner, repo);
  const url = `${hosts.api}/repos/${owner}/${repo}`;
  return {
    id,
    node_id: nodeId('Repository', id),
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: userObject(hosts, owner),
    private: false,
    html_url: `${hosts.web}/${owner}/${repo}`,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    hooks_url: `${url}/hooks`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
  };
}

/** A full `repository` object (as embedded in pull request heads and bases). */
export function repositoryObject(
  hosts: GitHubHosts,
  owner: string,
  repo: string,
  defaultBranch = 'main',
): Record<string, unknown> {
  return {
    ...minimalRepositoryObject(hosts, owner, repo),
    clone_url: `${hosts.web}/${owner}/${repo}.git`,
    git_url: `git://${new URL(hosts.web).host}/${owner}/${repo}.git`,
    ssh_url: `git@${new URL(hosts.web).host}:${owner}/${repo}.git`,
    svn_url: `${hosts.web}/${owner}/${repo}`,
    mirror_url: null,
    homepage: null,
    language: 'TypeScript',
    default_branch: defaultBranch,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: 0,
    open_issues_count: 0,
    size: 0,
    has_downloads: true,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: STUB_EPOCH,
    created_at: STUB_EPOCH,
    updated_at: STUB_EPOCH,
  };
}

/** A changed file of a seeded pull request. */
export interface PullRequestFileSeed {
  filename: string;
  /** Default `modified`. */
  status?: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions?: number;
  deletions?: number;
  patch?: string;
  /** For `renamed` files. */
  previousFilename?: string;
}

/** A pull request to seed into the stub. */
export interface PullRequestSeed {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  /** Default `feature-<number>`. */
  headRef?: string;
  /** Default `main`. */
  baseRef?: string;
  /** Default 40 × `0`. */
  baseSha?: string;
  /** Owner of the head repository; differs from `owner` for pull requests from forks. */
  headOwner?: string;
  title?: string;
  body?: string | null;
  /** Default `octocat`. */
  author?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  mergeCommitSha?: string | null;
  files?: PullRequestFileSeed[];
}

/** An issue or pull request comment as the stub stores it. */
export interface StubComment {
  id: number;
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

/** A deployment status as the stub stores it. */
export interface StubDeploymentStatus {
  id: number;
  state: 'error' | 'failure' | 'inactive' | 'pending' | 'success' | 'queued' | 'in_progress';
  description: string;
  environment: string;
  environmentUrl: string;
  logUrl: string;
  targetUrl: string;
  creator: string;
  createdAt: string;
}

/** A release as the stub stores it. */
export interface StubRelease {
  id: number;
  owner: string;
  repo: string;
  tagName: string;
  targetCommitish: string;
  name: string;
  body: string;
  draft: boolean;
  prerelease: boolean;
  makeLatest: string;
  author: string;
  createdAt: string;
}

/** A `release` object. */
export function releaseJson(hosts: GitHubHosts, release: StubRelease): Record<string, unknown> {
  const api = `${hosts.api}/repos/${release.owner}/${release.repo}`;
  const web = `${hosts.web}/${release.owner}/${release.repo}`;
  return {
    url: `${api}/releases/${release.id}`,
    html_url: `${web}/releases/tag/${release.tagName}`,
    assets_url: `${api}/releases/${release.id}/assets`,
    upload_url: `https://uploads.github.com/repos/${release.owner}/${release.repo}/releases/${release.id}/assets{?name,label}`,
    tarball_url: `${api}/tarball/${release.tagName}`,
    zipball_url: `${api}/zipball/${release.tagName}`,
    id: release.id,
    node_id: Buffer.from(`Release:${release.id}`).toString('base64'),
    tag_name: release.tagName,
    target_commitish: release.targetCommitish,
    name: release.name,
    body: release.body,
    draft: release.draft,
    prerelease: release.prerelease,
    immutable: true,
    created_at: release.createdAt,
    published_at: release.draft ? null : release.createdAt,
    updated_at: release.createdAt,
    author: userObject(hosts, release.author),
    assets: [],
  };
}

/** A deployment as the stub stores it; `statuses` is newest first, like the API. */
export interface StubDeployment {
  id: number;
  owner: string;
  repo: string;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: Record<string, unknown> | string;
  productionEnvironment: boolean;
  transientEnvironment: boolean;
  creator: string;
  createdAt: string;
  statuses: StubDeploymentStatus[];
}

/** A deployment to seed; only `ref`/`sha` are needed. */
export interface DeploymentSeed {
  owner: string;
  repo: string;
  sha: string;
  ref?: string;
  environment?: string;
  task?: string;
  description?: string | null;
  payload?: Record<string, unknown> | string;
  statuses?: { state: StubDeploymentStatus['state']; description?: string; environmentUrl?: string }[];
}

/** An artifact of a seeded workflow run; `zip` is served as the archive download. */
export interface ArtifactSeed {
  name: string;
  zip: Uint8Array;
  expired?: boolean;
}

/** A workflow run to seed. */
export interface WorkflowRunSeed {
  owner: string;
  repo: string;
  headSha: string;
  /** Default: next free id. */
  id?: number;
  /** Numeric workflow id; `workflowFile` is matched by the `/workflows/{workflow_id}/runs` route too. */
  workflowId?: number;
  /** Default `ci.yml`. */
  workflowFile?: string;
  /** Default `CI`. */
  name?: string;
  /** Default `main`. */
  headBranch?: string | null;
  /** Default `push`. */
  event?: string;
  /** Default `completed`. */
  status?: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  /** Default `success` when completed. */
  conclusion?: string | null;
  /** Numbers of pull requests the run belongs to. */
  pullRequests?: number[];
  artifacts?: ArtifactSeed[];
}

/** An artifact as the stub stores it. */
export interface StoredArtifact {
  id: number;
  runId: number;
  owner: string;
  repo: string;
  name: string;
  zip: Buffer;
  expired: boolean;
}

/** A workflow run as the stub stores it. */
export interface StoredRun extends Required<Omit<WorkflowRunSeed, 'artifacts'>> {
  runNumber: number;
  createdAt: string;
}

/** A check run as the stub stores it. */
export interface StubCheckRun {
  id: number;
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  startedAt: string | null;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: unknown[] };
}

/** An `issue-comment` object. */
export function commentJson(hosts: GitHubHosts, comment: StubComment): Record<string, unknown> {
  const repoUrl = `${hosts.api}/repos/${comment.owner}/${comment.repo}`;
  return {
    id: comment.id,
    node_id: Buffer.from(`IssueComment:${comment.id}`).toString('base64'),
    url: `${repoUrl}/issues/comments/${comment.id}`,
    html_url: `${hosts.web}/${comment.owner}/${comment.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${repoUrl}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userObject(hosts, comment.author),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: comment.author.endsWith('[bot]') ? 'NONE' : 'MEMBER',
  };
}

function pullLinks(hosts: GitHubHosts, owner: string, repo: string, number: number) {
  const api = `${hosts.api}/repos/${owner}/${repo}`;
  return {
    url: `${api}/pulls/${number}`,
    html_url: `${hosts.web}/${owner}/${repo}/pull/${number}`,
    diff_url: `${hosts.web}/${owner}/${repo}/pull/${number}.diff`,
    patch_url: `${hosts.web}/${owner}/${repo}/pull/${number}.patch`,
    issue_url: `${api}/issues/${number}`,
    commits_url: `${api}/pulls/${number}/commits`,
    review_comments_url: `${api}/pulls/${number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${number}/comments`,
  };
}

/**
 * A `pull-request-simple` object, or with `detail` the full `pull-request` of `GET /pulls/{number}`.
 */
export function pullJson(
  hosts: GitHubHosts,
  pull: PullRequestSeed,
  detail?: { commentCount: number },
): Record<string, unknown> {
  const { owner, repo, number } = pull;
  const headOwner = pull.headOwner ?? owner;
  const headRef = pull.headRef ?? `feature-${number}`;
  const baseRef = pull.baseRef ?? 'main';
  const links = pullLinks(hosts, owner, repo, number);
  const id = repositoryId(owner, repo) * 1000 + number;
  const statusesUrl = `${hosts.api}/repos/${owner}/${repo}/statuses/${pull.headSha}`;
  const merged = pull.merged ?? false;
  const simple: Record<string, unknown> = {
    ...links,
    id,
    node_id: Buffer.from(`PullRequest:${id}`).toString('base64'),
    number,
    state: pull.state ?? (merged ? 'closed' : 'open'),
    locked: false,
    title: pull.title ?? `Pull request #${number}`,
    user: userObject(hosts, pull.author ?? 'octocat'),
    body: pull.body ?? null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: STUB_EPOCH,
    updated_at: STUB_EPOCH,
    closed_at: merged || pull.state === 'closed' ? '2026-01-02T00:00:00Z' : null,
    merged_at: merged ? '2026-01-02T00:00:00Z' : null,
    merge_commit_sha: pull.mergeCommitSha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    draft: false,
    statuses_url: statusesUrl,
    head: {
      label: `${headOwner}:${headRef}`,
      ref: headRef,
      sha: pull.headSha,
      user: userObject(hosts, headOwner),
      repo: repositoryObject(hosts, headOwner, repo),
    },
    base: {
      label: `${owner}:${baseRef}`,
      ref: baseRef,
      sha: pull.baseSha ?? '0'.repeat(40),
      user: userObject(hosts, owner),
      repo: repositoryObject(hosts, owner, repo),
    },
    _links: {
      self: { href: links.url },
      html: { href: links.html_url },
      issue: { href: links.issue_url },
      comments: { href: links.comments_url },
      review_comments: { href: links.review_comments_url },
      review_comment: { href: links.review_comment_url },
      commits: { href: links.commits_url },
      statuses: { href: statusesUrl },
    },
    author_association: 'MEMBER',
    auto_merge: null,
  };
  if (!detail) return simple;
  const files = pull.files ?? [];
  return {
    ...simple,
    merged,
    mergeable: merged ? null : true,
    rebaseable: merged ? null : true,
    mergeable_state: merged ? 'unknown' : 'clean',
    merged_by: merged ? userObject(hosts, pull.author ?? 'octocat') : null,
    comments: detail.commentCount,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: files.reduce((sum, f) => sum + (f.additions ?? 0), 0),
    deletions: files.reduce((sum, f) => sum + (f.deletions ?? 0), 0),
    changed_files: files.length,
  };
}

/** A `deployment` object. */
export function deploymentJson(hosts: GitHubHosts, deployment: StubDeployment): Record<string, unknown> {
  const url = `${hosts.api}/repos/${deployment.owner}/${deployment.repo}/deployments/${deployment.id}`;
  return {
    url,
    id: deployment.id,
    node_id: Buffer.from(`Deployment:${deployment.id}`).toString('base64'),
    sha: deployment.sha,
    ref: deployment.ref,
    task: deployment.task,
    payload: deployment.payload,
    original_environment: deployment.environment,
    environment: deployment.environment,
    description: deployment.description,
    creator: userObject(hosts, deployment.creator),
    created_at: deployment.createdAt,
    updated_at: deployment.statuses[0]?.createdAt ?? deployment.createdAt,
    statuses_url: `${url}/statuses`,
    repository_url: `${hosts.api}/repos/${deployment.owner}/${deployment.repo}`,
    transient_environment: deployment.transientEnvironment,
    production_environment: deployment.productionEnvironment,
  };
}

/** A `deployment-status` object. */
export function deploymentStatusJson(hosts: GitHubHosts, deployment: StubDeployment, status: StubDeploymentStatus) {
  const deploymentUrl = `${hosts.api}/repos/${deployment.owner}/${deployment.repo}/deployments/${deployment.id}`;
  return {
    url: `${deploymentUrl}/statuses/${status.id}`,
    id: status.id,
    node_id: Buffer.from(`DeploymentStatus:${status.id}`).toString('base64'),
    state: status.state,
    creator: userObject(hosts, status.creator),
    description: status.description,
    environment: status.environment,
    target_url: status.targetUrl,
    // Optional URI fields are left out when unset rather than sent as '' (which fails `format: uri`).
    ...(status.logUrl ? { log_url: status.logUrl } : {}),
    ...(status.environmentUrl ? { environment_url: status.environmentUrl } : {}),
    created_at: status.createdAt,
    updated_at: status.createdAt,
    deployment_url: deploymentUrl,
    repository_url: `${hosts.api}/repos/${deployment.owner}/${deployment.repo}`,
  };
}

/** An `artifact` object; `run` is the workflow run that produced it. */
export function artifactJson(
  hosts: GitHubHosts,
  artifact: StoredArtifact,
  run: StoredRun | undefined,
): Record<string, unknown> {
  const url = `${hosts.api}/repos/${artifact.owner}/${artifact.repo}/actions/artifacts/${artifact.id}`;
  return {
    id: artifact.id,
    node_id: Buffer.from(`Artifact:${artifact.id}`).toString('base64'),
    name: artifact.name,
    size_in_bytes: artifact.zip.length,
    url,
    archive_download_url: `${url}/zip`,
    expired: artifact.expired,
    created_at: STUB_EPOCH,
    expires_at: '2026-04-01T00:00:00Z',
    updated_at: STUB_EPOCH,
    workflow_run: {
      id: artifact.runId,
      repository_id: repositoryId(artifact.owner, artifact.repo),
      head_repository_id: repositoryId(artifact.owner, artifact.repo),
      head_branch: run?.headBranch ?? null,
      head_sha: run?.headSha ?? '',
    },
  };
}

/** A `workflow-run` object; `pullRequest` looks up the seeded pull requests it belongs to. */
export function runJson(
  hosts: GitHubHosts,
  run: StoredRun,
  pullRequest: (number: number) => PullRequestSeed | undefined,
): Record<string, unknown> {
  const repoApi = `${hosts.api}/repos/${run.owner}/${run.repo}`;
  const url = `${repoApi}/actions/runs/${run.id}`;
  const repository = minimalRepositoryObject(hosts, run.owner, run.repo);
  const pullRequests = run.pullRequests.map((number) => {
    const pull = pullRequest(number);
    const repoRef = { id: repository.id, url: repoApi, name: run.repo };
    return {
      id: repositoryId(run.owner, run.repo) * 1000 + number,
      number,
      url: `${repoApi}/pulls/${number}`,
      head: { ref: pull?.headRef ?? `feature-${number}`, sha: pull?.headSha ?? run.headSha, repo: repoRef },
      base: { ref: pull?.baseRef ?? 'main', sha: pull?.baseSha ?? '0'.repeat(40), repo: repoRef },
    };
  });
  return {
    id: run.id,
    name: run.name,
    node_id: Buffer.from(`WorkflowRun:${run.id}`).toString('base64'),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: `.github/workflows/${run.workflowFile}`,
    display_title: run.name,
    run_number: run.runNumber,
    run_attempt: 1,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    check_suite_id: run.id + 1,
    url,
    html_url: `${hosts.web}/${run.owner}/${run.repo}/actions/runs/${run.id}`,
    pull_requests: pullRequests,
    created_at: run.createdAt,
    updated_at: run.createdAt,
    run_started_at: run.createdAt,
    actor: userObject(hosts, 'octocat'),
    triggering_actor: userObject(hosts, 'octocat'),
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${repoApi}/check-suites/${run.id + 1}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    workflow_url: `${repoApi}/actions/workflows/${run.workflowId}`,
    head_commit: {
      id: run.headSha,
      tree_id: run.headSha,
      message: run.name,
      timestamp: run.createdAt,
      author: { name: 'Octo Cat', email: 'octocat@github.com' },
      committer: { name: 'GitHub', email: 'noreply@github.com' },
    },
    repository,
    head_repository: repository,
  };
}

/** A `check-run` object. */
export function checkRunJson(hosts: GitHubHosts, run: StubCheckRun): Record<string, unknown> {
  const url = `${hosts.api}/repos/${run.owner}/${run.repo}/check-runs/${run.id}`;
  return {
    id: run.id,
    node_id: Buffer.from(`CheckRun:${run.id}`).toString('base64'),
    head_sha: run.headSha,
    external_id: run.externalId,
    url,
    html_url: `${hosts.web}/${run.owner}/${run.repo}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.id + 1 },
    app: null,
    pull_requests: [],
  };
}
