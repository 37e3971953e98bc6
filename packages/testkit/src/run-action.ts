import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { GitHubStub, RecordedRequest } from './github-stub.js';
import { webhookPayload } from './webhook.js';
import { type Annotation, parseFileCommands, parseWorkflowCommands } from './workflow-commands.js';

/** Which Node.js runs the bundle: the one running the tests, or Node 24 as `runs.using: node24` does. */
export type NodeRuntime = 'current' | '24';

/** Options for {@link runAction}. */
export interface RunActionOptions {
  /** Action folder name under `actions/`, e.g. `coverage-gate`; runs `actions/<name>/dist/index.js`. */
  action?: string;
  /** Path to a bundle (absolute, or relative to the repo root) instead of `action`. */
  bundle?: string;
  /**
   * action.yml whose input defaults are applied and whose input names are enforced.
   * Default: `action.yml` next to the bundle's folder (`dist/..`); `false` to skip.
   */
  actionYml?: string | false;
  /** Inputs by their action.yml id, e.g. `{ 'github-token': 't', threshold: 80 }`. */
  inputs?: Record<string, string | number | boolean>;
  /** Event name; default `push`. */
  eventName?: string;
  /** Webhook payload written to `GITHUB_EVENT_PATH`; default: the first example of `eventName`. */
  payload?: Record<string, unknown>;
  /** The GitHub stub the action talks to; sets `GITHUB_API_URL` and collects `requests`. */
  github?: GitHubStub;
  /** Value of `${{ github.token }}` in input defaults. Default `ghs_testkit-token`. */
  token?: string;
  /** `owner/repo`; default from the payload's `repository.full_name`. */
  repository?: string;
  /** `GITHUB_SHA`; default derived from the payload like GitHub does (PR merge commit, push `after`…). */
  sha?: string;
  /** `GITHUB_REF`; default derived from the payload. */
  ref?: string;
  /** `GITHUB_RUN_ID`; default `1658821493`. */
  runId?: number;
  /** `GITHUB_SERVER_URL`; default `https://github.com`. */
  serverUrl?: string;
  /** `GITHUB_WORKSPACE` and working directory; default a fresh temp folder, removed afterwards. */
  workspace?: string;
  /** Saved state for a post step, passed as `STATE_<name>`. */
  state?: Record<string, string>;
  /** Extra environment variables (applied last). Nothing else of the parent's environment leaks in but PATH. */
  env?: Record<string, string>;
  /** Default `current`. */
  node?: NodeRuntime;
  /** Kill the process (and its children) after this many ms; default 30 000 (below vitest's 60 s test timeout, so a hang is reported with its output). */
  timeoutMs?: number;
}

/** What an action run produced, read the way the runner reads it. */
export interface RunActionResult {
  /** Process exit code; `null` when killed by a signal (e.g. on timeout). */
  exitCode: number | null;
  /** True when the run hit `timeoutMs` and was killed. */
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Outputs from `GITHUB_OUTPUT` (plain and heredoc form). */
  outputs: Record<string, string>;
  /** Variables exported through `GITHUB_ENV`. */
  exportedEnv: Record<string, string>;
  /** State saved through `GITHUB_STATE`. */
  savedState: Record<string, string>;
  /** Directories added through `GITHUB_PATH`. */
  addedPath: string[];
  /** Text appended to `GITHUB_STEP_SUMMARY`. */
  summary: string;
  /** `::error/warning/notice/debug::` commands from stdout. */
  annotations: Annotation[];
  /** Values registered with `::add-mask::`. */
  masked: string[];
  /** Requests the GitHub stub received during this run (empty without `github`). */
  requests: RecordedRequest[];
  /** The environment the action was started with (for assertions about what it saw). */
  env: Record<string, string>;
}

const ZERO_SHA = '0000000000000000000000000000000000000000';

/**
 * Finds the monorepo root: the nearest ancestor of this file whose package.json declares workspaces.
 *
 * @returns Absolute path of the repository root.
 */
export function repoRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (parsed.workspaces) return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error('testkit: no package.json with "workspaces" above packages/testkit; is the checkout complete?');
    }
    directory = parent;
  }
}

/**
 * Path of the Node.js binary for a runtime choice.
 *
 * @param runtime - `current` (this process's node) or `24` (the `node@24` npm package at the repo root).
 * @returns Absolute path of an executable node binary.
 * @throws Error with the install command when Node 24 is missing.
 */
export function nodeBinary(runtime: NodeRuntime): string {
  if (runtime === 'current') return process.execPath;
  const binary = join(repoRoot(), 'tools', 'node24', 'node_modules', 'node', 'bin', 'node');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `testkit: Node 24 not found at ${binary}. Install it with \`npm ci --prefix tools/node24\` (npm ci at the root does it).`,
    );
  }
  return binary;
}

/** `INPUT_<NAME>` exactly as the runner builds it: spaces become `_`, upper-cased, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

interface ActionManifest {
  inputs?: Record<string, { default?: unknown } | null>;
}

function inputDefaults(actionYmlPath: string, token: string): { names: string[]; defaults: Record<string, string> } {
  let manifest: ActionManifest;
  try {
    manifest = (parseYaml(readFileSync(actionYmlPath, 'utf8')) ?? {}) as ActionManifest;
  } catch (error) {
    throw new Error(`testkit: cannot read ${actionYmlPath}: ${(error as Error).message}`);
  }
  const defaults: Record<string, string> = {};
  for (const [name, spec] of Object.entries(manifest.inputs ?? {})) {
    if (spec?.default === undefined || spec.default === null) continue;
    const text = String(spec.default);
    const expression = /^\$\{\{\s*(.*?)\s*\}\}$/.exec(text);
    if (expression) {
      if (expression[1] !== 'github.token') {
        throw new Error(
          `testkit: ${actionYmlPath} input "${name}" defaults to \${{ ${expression[1]} }}, which runAction cannot ` +
            'evaluate; pass the input explicitly in options.inputs.',
        );
      }
      defaults[name] = token;
    } else {
      defaults[name] = text;
    }
  }
  return { names: Object.keys(manifest.inputs ?? {}), defaults };
}

function stringAt(value: unknown, ...path: string[]): string | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' || typeof current === 'number' ? String(current) : undefined;
}

/** GITHUB_SHA/REF/HEAD_REF/BASE_REF as GitHub sets them for each trigger. */
function gitContext(eventName: string, payload: Record<string, unknown>) {
  const defaultBranch = stringAt(payload, 'repository', 'default_branch') ?? 'main';
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    const number = stringAt(payload, 'pull_request', 'number') ?? stringAt(payload, 'number');
    const headSha = stringAt(payload, 'pull_request', 'head', 'sha') ?? ZERO_SHA;
    return {
      // pull_request runs on the merge commit; pull_request_target on the base branch.
      sha:
        eventName === 'pull_request'
          ? (stringAt(payload, 'pull_request', 'merge_commit_sha') ?? headSha)
          : (stringAt(payload, 'pull_request', 'base', 'sha') ?? ZERO_SHA),
      ref: eventName === 'pull_request' ? `refs/pull/${number}/merge` : `refs/heads/${defaultBranch}`,
      headRef: stringAt(payload, 'pull_request', 'head', 'ref') ?? '',
      baseRef: stringAt(payload, 'pull_request', 'base', 'ref') ?? '',
    };
  }
  if (eventName === 'push') {
    return {
      sha: stringAt(payload, 'after') ?? ZERO_SHA,
      ref: stringAt(payload, 'ref') ?? `refs/heads/${defaultBranch}`,
      headRef: '',
      baseRef: '',
    };
  }
  if (eventName === 'workflow_run') {
    return {
      sha: stringAt(payload, 'workflow_run', 'head_sha') ?? ZERO_SHA,
      // workflow_run workflows always run on the default branch.
      ref: `refs/heads/${defaultBranch}`,
      headRef: '',
      baseRef: '',
    };
  }
  return { sha: ZERO_SHA, ref: `refs/heads/${defaultBranch}`, headRef: '', baseRef: '' };
}

function readText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/**
 * Runs an action bundle as a child process the way the GitHub runner does: inputs as `INPUT_*`,
 * the event payload file, file commands (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_STATE`,
 * `GITHUB_ENV`, `GITHUB_PATH`), runner variables, and a clean environment (no parent tokens or inputs).
 *
 * @param options - Which bundle, inputs, event, stub, runtime and timeout.
 * @returns Exit code, output streams, parsed outputs/summary/annotations/masks and the stub's requests.
 * @throws Error naming the fix when the bundle is missing, an input is not declared in action.yml,
 *   or a file-command file is malformed.
 * @example
 * const github = await startGitHubStub();
 * const result = await runAction({
 *   action: 'coverage-gate',
 *   inputs: { 'github-token': 't', threshold: 80 },
 *   eventName: 'pull_request',
 *   payload: webhookPayload('pull_request', 'opened'),
 *   github,
 *   node: '24',
 * });
 * expect(result.exitCode).toBe(0);
 */
export async function runAction(options: RunActionOptions): Promise<RunActionResult> {
  const root = repoRoot();
  if (!options.action === !options.bundle) {
    throw new Error(
      'runAction: pass exactly one of `action` (folder under actions/) or `bundle` (path to a .js file).',
    );
  }
  const bundle = options.action
    ? join(root, 'actions', options.action, 'dist', 'index.js')
    : isAbsolute(options.bundle as string)
      ? (options.bundle as string)
      : resolve(root, options.bundle as string);
  if (!existsSync(bundle)) {
    throw new Error(
      `runAction: bundle ${bundle} does not exist. Build it first` +
        (options.action ? ` with \`npm run build -w actions/${options.action}\`.` : '.'),
    );
  }

  const token = options.token ?? 'ghs_testkit-token';
  const inputs: Record<string, string> = {};
  const actionYml =
    options.actionYml === false ? undefined : (options.actionYml ?? join(dirname(dirname(bundle)), 'action.yml'));
  if (actionYml !== undefined && (options.actionYml !== undefined || existsSync(actionYml))) {
    const { names, defaults } = inputDefaults(actionYml, token);
    const unexpected = Object.keys(options.inputs ?? {}).filter((name) => !names.includes(name));
    if (unexpected.length > 0) {
      // The runner only warns here; in a test an unknown input is always a typo, so fail loudly.
      throw new Error(
        `runAction: input(s) ${unexpected.map((n) => `"${n}"`).join(', ')} are not declared in ${actionYml}; ` +
          `valid inputs are: ${names.join(', ')}.`,
      );
    }
    Object.assign(inputs, defaults);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) inputs[name] = String(value);

  const eventName = options.eventName ?? 'push';
  const payload = options.payload ?? webhookPayload(eventName);
  const repository = options.repository ?? stringAt(payload, 'repository', 'full_name') ?? 'octo-org/octo-repo';
  const git = gitContext(eventName, payload);
  const sha = options.sha ?? git.sha;
  const ref = options.ref ?? git.ref;

  // realpath: the child's process.cwd() is canonical (macOS /var -> /private/var), so GITHUB_WORKSPACE is too.
  const runnerRoot = realpathSync(mkdtempSync(join(tmpdir(), 'myco-gates-run-')));
  const runnerTemp = join(runnerRoot, 'temp');
  const fileCommands = join(runnerRoot, 'file_commands');
  const home = join(runnerRoot, 'home');
  for (const directory of [runnerTemp, fileCommands, home]) mkdirSync(directory, { recursive: true });
  const workspace = options.workspace ?? join(runnerRoot, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const id = randomUUID();
  const files = {
    GITHUB_OUTPUT: join(fileCommands, `set_output_${id}`),
    GITHUB_STATE: join(fileCommands, `save_state_${id}`),
    GITHUB_ENV: join(fileCommands, `set_env_${id}`),
    GITHUB_PATH: join(fileCommands, `add_path_${id}`),
    GITHUB_STEP_SUMMARY: join(fileCommands, `step_summary_${id}`),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const eventPath = join(runnerRoot, 'event.json');
  writeFileSync(eventPath, JSON.stringify(payload, null, 2));

  const serverUrl = (options.serverUrl ?? 'https://github.com').replace(/\/$/, '');
  const apiUrl = options.github?.url ?? 'https://api.github.com';
  const [owner] = repository.split('/');
  const refName = ref.replace(/^refs\/(heads|tags)\//, '');
  const env: Record<string, string> = {
    // PATH only, so bundles can spawn git/kubectl; HOME is private so no ~/.npmrc or credentials leak in.
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    ...files,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_SHA: sha,
    GITHUB_REF: ref,
    GITHUB_REF_NAME: refName,
    GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_HEAD_REF: git.headRef,
    GITHUB_BASE_REF: git.baseRef,
    GITHUB_RUN_ID: String(options.runId ?? 1658821493),
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'gate',
    GITHUB_ACTION: 'gate',
    GITHUB_ACTOR: stringAt(payload, 'sender', 'login') ?? 'octocat',
    GITHUB_TRIGGERING_ACTOR: stringAt(payload, 'sender', 'login') ?? 'octocat',
    GITHUB_SERVER_URL: serverUrl,
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`,
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: join(runnerRoot, 'tool_cache'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_ENVIRONMENT: 'github-hosted',
  };
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  Object.assign(env, options.env);

  const requestsBefore = options.github?.requests.length ?? 0;
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    const { exitCode, timedOut, stdout, stderr } = await new Promise<{
      exitCode: number | null;
      timedOut: boolean;
      stdout: string;
      stderr: string;
    }>((resolvePromise, reject) => {
      // detached: the child leads its own process group, so a timeout kills its children as well.
      const child = spawn(nodeBinary(options.node ?? 'current'), [bundle], {
        cwd: workspace,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`runAction: could not start ${bundle}: ${error.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise({
          exitCode: code,
          timedOut,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
    });

    const commands = parseWorkflowCommands(stdout);
    return {
      exitCode,
      timedOut,
      durationMs: Date.now() - started,
      stdout,
      stderr,
      outputs: parseFileCommands(readText(files.GITHUB_OUTPUT), `GITHUB_OUTPUT of ${bundle}`),
      exportedEnv: parseFileCommands(readText(files.GITHUB_ENV), `GITHUB_ENV of ${bundle}`),
      savedState: parseFileCommands(readText(files.GITHUB_STATE), `GITHUB_STATE of ${bundle}`),
      addedPath: readText(files.GITHUB_PATH)
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
      summary: readText(files.GITHUB_STEP_SUMMARY),
      annotations: commands.annotations,
      masked: commands.masked,
      requests: options.github ? options.github.requests.slice(requestsBefore) : [],
      env,
    };
  } finally {
    rmSync(runnerRoot, { recursive: true, force: true });
  }
}
