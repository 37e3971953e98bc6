// The main job: what `.github/workflows/ci.yml`'s `gates` job does on a pull request, run locally.
// 1. the sample app's tests with coverage; 2. every `uses: ./actions/<name>` step of that job, with its `with:` inputs
// read from ci.yml, run from the committed bundle (dist/index.js) on Node 24 as the runner would, with a real
// `pull_request` webhook payload and a local GitHub API that checks every call against GitHub's OpenAPI description;
// 3. prints each sticky PR comment as the pull request would show it and writes the job summaries to .myco-gates/.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot, runAction, startGitHubStub, webhookPayload } from '@myco-gates/testkit';

const root = repoRoot();
const owner = 'myco';
const repo = 'myco-gates';
const prNumber = 1;
const outDir = join(root, '.myco-gates');

interface Step {
  name?: string;
  uses?: string;
  with?: Record<string, string | number | boolean>;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/** The pull request's base: the merge base with origin/main when there is one, else the parent commit. */
function baseSha(head: string): string {
  for (const candidate of [
    ['merge-base', 'HEAD', 'origin/main'],
    ['rev-parse', 'HEAD~1'],
  ]) {
    try {
      const sha = git(...candidate);
      if (sha && sha !== head) return sha;
    } catch {
      // try the next
    }
  }
  return head;
}

function section(title: string): void {
  console.log(`\n${'─'.repeat(100)}\n${title}\n${'─'.repeat(100)}`);
}

const workflow = parse(readFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
  jobs: Record<string, { steps: Step[] }>;
};
const gateSteps = workflow.jobs.gates.steps.filter((s) => s.uses?.startsWith('./actions/'));

section('Sample app: tests with coverage (npm run test:coverage --workspaces --if-present)');
const tests = spawnSync('npm', ['run', 'test:coverage', '--workspaces', '--if-present'], {
  cwd: root,
  stdio: 'inherit',
});
if (tests.status !== 0) {
  console.error('\nmain-job: the sample app tests failed, so the gates did not run (as in CI).');
  process.exit(tests.status ?? 1);
}

const head = git('rev-parse', 'HEAD');
const base = baseSha(head);
const payload = webhookPayload('pull_request', 'opened', {
  number: prNumber,
  repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } },
  pull_request: { number: prNumber, head: { sha: head, ref: 'feature' }, base: { sha: base, ref: 'main' } },
});
const github = await startGitHubStub();
github.addPullRequest({ owner, repo, number: prNumber, headSha: head, baseSha: base } as Parameters<
  typeof github.addPullRequest
>[0]);
mkdirSync(outDir, { recursive: true });

let failed = 0;
for (const step of gateSteps) {
  const action = step.uses!.replace('./actions/', '');
  const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v)]));
  const before = github.comments(owner, repo, prNumber).map((c) => c.id);
  const result = await runAction({
    action,
    inputs,
    eventName: 'pull_request',
    payload,
    github,
    repository: `${owner}/${repo}`,
    sha: head,
    workspace: root,
    node: '24',
    timeoutMs: 600_000,
  });
  const summaryFile = join(outDir, `${action}-summary.md`);
  writeFileSync(summaryFile, result.summary);
  section(`${action}: exit ${result.exitCode}, status ${result.outputs.status ?? '?'} — job summary in ${summaryFile}`);
  if (result.exitCode !== 0) {
    failed++;
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    if (errors.length) console.log(`errors:\n${errors.map((e) => `  ${e}`).join('\n')}\n`);
  }
  const comment =
    github.comments(owner, repo, prNumber).find((c) => !before.includes(c.id)) ??
    github.comments(owner, repo, prNumber).at(-1);
  console.log(comment ? `PR comment:\n\n${comment.body}` : '(no PR comment was posted)');
  console.log(`\noutputs: ${JSON.stringify(result.outputs)}`);
}

github.assertNoViolations();
await github.close();
section(
  `main-job: ${gateSteps.length - failed} of ${gateSteps.length} gates passed; every GitHub API call matched GitHub's OpenAPI description`,
);
process.exit(failed ? 1 : 0);
