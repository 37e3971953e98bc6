// The main job: the seed's pipeline on one machine, every gate from its committed bundle on Node 24 as the runner
// would run it, against a local GitHub API that checks every call against GitHub's OpenAPI description.
// 1. PR gates, as `.github/workflows/ci.yml`'s `gates` job: the sample app's tests with coverage, then every
//    `uses: ./actions/<name>` step with its `with:` inputs read from ci.yml; each sticky PR comment is printed.
// 2.–6. The deploy (scripts/pipeline/deploy-story.ts): the sample app on the test cluster, a release deployed with
//    kubectl, slo-validate, k8s-rollback on a breach, notify to a local Slack. `--good` deploys a good release.
// 7. The timeline; job summaries, comments and the Slack message are written to .myco-gates/.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot, runAction, startGitHubStub, webhookPayload } from '@myco-gates/testkit';
import { slackSpecAvailable, startSlackStub } from '@myco-gates/testkit/slack-stub';
import { runDeployStory, SLACK_TOKEN, type Stage } from './pipeline/deploy-story.js';
import { writeRenders } from './pipeline/render.js';

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

const good = process.argv.includes('--good');
const deployOnly = process.argv.includes('--deploy-only');
const timeline: Stage[] = [];
const gateReports: string[] = [];
rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(outDir, 'reports'), { recursive: true });
mkdirSync(join(outDir, 'runner-temp'), { recursive: true });

const workflow = parse(readFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
  jobs: Record<string, { steps: Step[] }>;
};
const gateSteps = workflow.jobs.gates.steps.filter((s) => s.uses?.startsWith('./actions/'));

const prStarted = Date.now();
if (!deployOnly) {
  section('Sample app: tests with coverage (npm run test:coverage --workspaces --if-present)');
  const tests = spawnSync('npm', ['run', 'test:coverage', '--workspaces', '--if-present'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (tests.status !== 0) {
    console.error('\nmain-job: the sample app tests failed, so the gates did not run (as in CI).');
    process.exit(tests.status ?? 1);
  }
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
let failed = 0;
for (const step of deployOnly ? [] : gateSteps) {
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
    env: { RUNNER_TEMP: join(outDir, 'runner-temp') },
    timeoutMs: 600_000,
  });
  const summaryFile = join(outDir, `${action}-summary.md`);
  writeFileSync(summaryFile, result.summary);
  if (result.outputs.report && existsSync(result.outputs.report)) {
    const kept = join(outDir, 'reports', `pr-${action}.json`);
    copyFileSync(result.outputs.report, kept);
    gateReports.push(kept);
  }
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
  if (comment) writeFileSync(join(outDir, `${action}-comment.md`), comment.body);
  console.log(`\noutputs: ${JSON.stringify(result.outputs)}`);
}

if (!deployOnly)
  timeline.push({
    name: 'PR gates: tests with coverage, coverage-gate, openapi-contract',
    startedAt: prStarted,
    seconds: (Date.now() - prStarted) / 1000,
    decision: `${gateSteps.length - failed} of ${gateSteps.length} gates passed`,
  });

// The deploy: Slack is a local Web API (checked against Slack's published description when ../shared has it).
const checkedSlack = slackSpecAvailable();
const slack = await startSlackStub({ token: SLACK_TOKEN, specPath: checkedSlack ? undefined : false });
const story = await runDeployStory({
  good,
  github,
  repository: `${owner}/${repo}`,
  sha: head,
  outDir,
  gateReports,
  pushPayload: webhookPayload('push', undefined, {
    ref: 'refs/heads/main',
    after: head,
    repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner, name: owner } },
    head_commit: { id: head, message: git('log', '-1', '--format=%s') },
    sender: { login: 'release-bot' },
  }),
  slack: { apiUrl: slack.url },
});
timeline.push(...story.stages);

writeRenders({ outDir, slack, github, owner, repo, prNumber });
github.assertNoViolations();
if (checkedSlack) slack.assertNoViolations();
await slack.close();
await github.close();

section('Timeline');
const t0 = timeline[0]?.startedAt ?? Date.now();
for (const s of timeline)
  console.log(
    `${`+${((s.startedAt - t0) / 1000).toFixed(0)} s`.padStart(8)}  ${s.seconds.toFixed(1).padStart(6)} s  ${s.name}\n${' '.repeat(20)}→ ${s.decision}`,
  );
if (story.breachToRecoveredSeconds !== undefined)
  console.log(
    `\nBad release serving → rolled back and verified healthy: ${story.breachToRecoveredSeconds.toFixed(0)} s (the seed's target: under 120 s)`,
  );
section(
  `main-job: ${good ? 'a good release deployed and passed its SLOs' : 'a bad release was caught and rolled back'}` +
    `${story.ok ? '' : ' — NOT AS EXPECTED'}; every GitHub API call matched GitHub's OpenAPI description` +
    `${checkedSlack ? ", every Slack call Slack's Web API description" : ''}. Renders in ${outDir}/`,
);
process.exit(failed || !story.ok ? 1 : 0);
