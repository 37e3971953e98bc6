import { execFile, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as core from '@actions/core';
import { GateError, publishReport, pullRequestOf, readGitHubContext, runAction } from '@myco-gates/core';
import {
  ContractInputError,
  findMergeBase,
  runContractGate,
  runDiffJob,
  type DiffJob,
  type DiffJobResult,
} from '@myco-gates/contract';
import { Outputs, readActionConfig } from './config.js';
import type { DiffWorkerMessage, SerializedError } from './diff-worker.js';

const exec = promisify(execFile);

/**
 * The entry point: {@link run} inside core's single top-level catch (one-line errors for user mistakes).
 * @returns resolves when the step's result is recorded; never throws.
 */
export function main(): Promise<void> {
  return runAction('openapi-contract', run);
}

/**
 * Loading and diffing two multi-megabyte specs is CPU work that does not depend on lint, so it runs beside it in a
 * child process: its own small bundle (dist/diff-worker/), at the lowest CPU priority. On a 2-core runner the lint
 * thread and V8's own background threads (compiler, GC) then keep precedence, and the diff, always the shorter of the
 * two, fills the spare time; a worker thread at equal priority made lint about 10 % slower on Twilio's spec. From
 * sources (tests of main via tsx), or if the worker file is missing, the diff runs in this process.
 */
function diffOnWorker(job: DiffJob): Promise<DiffJobResult> {
  const here = fileURLToPath(import.meta.url);
  const workerFile = path.join(path.dirname(here), 'diff-worker', 'index.js');
  if (!here.endsWith('.js') || !existsSync(workerFile)) return runDiffJob(job);
  return new Promise((resolve, reject) => {
    const child = fork(workerFile, [], {
      serialization: 'advanced',
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    try {
      setPriority(child.pid!, 19);
    } catch {
      // Lowering a child's priority is allowed everywhere we run; if a platform refuses, it simply runs at ours.
    }
    child.once('message', (message: DiffWorkerMessage) => {
      if (message.ok) resolve(message.result);
      else reject(deserializeError(message.error));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the diff worker exited with code ${code} before answering`)));
    child.send(job);
  });
}

function deserializeError(e: SerializedError): Error {
  if (e.name === 'ContractInputError' && e.file !== undefined && e.fix !== undefined) {
    return new GateError(problemOf(e.message, e.file, e.line, e.column, e.fix), {
      fix: e.fix,
      file: e.file,
      line: e.line,
    });
  }
  const error = new Error(e.message);
  error.name = e.name;
  error.stack = e.stack;
  return error;
}

/** The action: read the config, run the contract gate, publish the report; fail the step when the gate fails. */
export async function run(): Promise<void> {
  const config = readActionConfig();
  if (config.mode === 'publish') {
    await publishReport(null, { mode: 'publish', token: config.token, comment: config.comment });
    return;
  }
  const context = readGitHubContext();
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const workingDirectory = path.resolve(workspace, config.workingDirectory);
  const root = (await gitTopLevel(workingDirectory)) ?? workspace;
  const pr = pullRequestOf(context);
  const baseSha: unknown = context.payload.pull_request?.base?.sha;
  const result = await asGateError(async () => {
    // Only a pull request has a merge base; with an explicit `base-spec` git history is not needed for the diff,
    // but it still tells which lint findings are new.
    const mergeBase = pr && typeof baseSha === 'string' ? await findMergeBase(root, baseSha) : undefined;
    const headSha = pr?.headSha ?? context.sha;
    const blob = (sha: string) => `${context.serverUrl}/${context.owner}/${context.repo}/blob/${sha}`;
    return runContractGate({
      root,
      workingDirectory,
      spec: config.spec,
      baseSpec: config.baseSpec,
      mergeBase,
      ruleset: config.ruleset,
      accept: config.accept,
      client: config.client,
      clientCommand: config.clientCommand,
      failOn: config.failOn,
      links: context.owner
        ? { head: headSha ? blob(headSha) : undefined, base: mergeBase ? blob(mergeBase) : undefined }
        : undefined,
      commentId: config.commentId,
      commit: headSha || undefined,
      pullRequest: pr?.number,
      log: (line) => core.info(line),
      diffRunner: diffOnWorker,
    });
  });
  const published = await publishReport(result.report, {
    mode: config.mode,
    token: config.token,
    comment: config.comment,
  });
  // Counts, not the two-decimal metric form core uses for percentages.
  core.setOutput(Outputs.Breaking, String(result.report.metrics.breaking));
  core.setOutput(Outputs.LintErrors, String(result.report.metrics['lint-errors']));
  if (!published.outputs[Outputs.ArtifactPath]) core.setOutput(Outputs.ArtifactPath, '');
  if (result.report.status === 'fail') core.setFailed(`openapi-contract: ${result.report.headline}`);
}

async function gitTopLevel(cwd: string): Promise<string | undefined> {
  try {
    return (await exec('git', ['rev-parse', '--show-toplevel'], { cwd })).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The contract package throws ContractInputError (it stays free of @actions/*); the runner shows GateErrors. */
async function asGateError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ContractInputError)) throw error;
    throw new GateError(problemOf(error.message, error.file, error.line, error.column, error.fix), {
      fix: error.fix,
      file: error.file,
      line: error.line,
      cause: error,
    });
  }
}

/** ContractInputError's message is `file:line:col: problem. Fix: fix`; GateError wants the parts separately. */
function problemOf(
  message: string,
  file: string,
  line: number | undefined,
  column: number | undefined,
  fix: string,
): string {
  const position = line ? `:${line}${column ? `:${column}` : ''}` : '';
  let problem = message;
  if (problem.startsWith(`${file}${position}: `)) problem = problem.slice(`${file}${position}: `.length);
  if (problem.endsWith(`. Fix: ${fix}`)) problem = problem.slice(0, -`. Fix: ${fix}`.length);
  return problem;
}
