import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as core from '@actions/core';
import {
  createGitHubClient,
  describeError,
  parseReportFile,
  publishReport,
  readGitHubContext,
  runUrl,
  type GateReport,
  type GateReportInput,
  type GitHubContext,
} from '@myco-gates/core';
import {
  buildDeployMessage,
  createSlackClient,
  defaultDeployKey,
  deploymentState,
  postWebhook,
  publishDeployMessage,
  SlackNotifyError,
  type DeployContext,
  type DeployMessage,
  type Verdict,
} from '@myco-gates/notify';
import { glob } from 'tinyglobby';
import { Outputs, readActionConfig, type ActionConfig } from './config.js';

const VERDICT_STATUS: Record<Verdict, GateReport['status']> = {
  'in-progress': 'pass',
  deployed: 'pass',
  warnings: 'warn',
  failed: 'fail',
  'rolled-back': 'fail',
  'rollback-failed': 'error',
  error: 'error',
};

/** The action: read the reports, build the message, post or update it in Slack, set the deployment status. */
export async function run(): Promise<void> {
  const config = readActionConfig();
  const context = readGitHubContext();
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const reports = await readReports(config.reports, workspace);
  const deploy = deployContext(context, config);
  const message = buildDeployMessage(reports, deploy, {
    mentionOnFailure: config.mentionOnFailure,
    // A webhook cannot thread: what does not fit is pointed at the run summary instead.
    threadDetails: config.threadDetails && Boolean(config.slackToken),
  });
  const key = config.key || defaultDeployKey(deploy);
  const facts: Record<string, string> = { verdict: message.verdict, key };
  const notes: string[] = [];
  const problems: string[] = [];

  try {
    const slack = await sendToSlack(config, message, key);
    Object.assign(facts, slack.facts);
    notes.push(slack.note);
  } catch (error) {
    problems.push(`Slack: ${describeError(error).text}`);
  }
  if (config.deploymentStatus) {
    try {
      notes.push(await setDeploymentStatus(config, context, deploy, message.verdict));
    } catch (error) {
      problems.push(`deployment status: ${describeError(deploymentError(error)).text}`);
    }
  }
  facts.notified = String(problems.length === 0);

  const report: GateReportInput = {
    schemaVersion: 1,
    gate: 'notify',
    status: VERDICT_STATUS[message.verdict],
    headline: message.blocks[0] ? String((message.blocks[0].text as { text: string }).text) : message.text,
    checks: reports.map((r) => ({ id: r.gate, title: r.gate, status: r.status, message: r.headline })),
    metrics: {},
    facts,
    sections: [
      {
        title: 'Notification',
        markdown: [...notes, ...problems.map((p) => `⚠️ ${p}`)].map((l) => `- ${l}`).join('\n') || '- nothing sent',
      },
    ],
    generatedAt: new Date().toISOString(),
  };
  await publishReport(report, { mode: 'gate', token: config.githubToken, comment: config.comment, annotations: false });
  for (const id of [Outputs.Ts, Outputs.Channel, Outputs.Permalink]) if (!facts[id]) core.setOutput(id, '');
  if (problems.length) {
    const text = `notify could not send everything: ${problems.join('; ')}`;
    if (config.failOnError) core.setFailed(text);
    else core.warning(text);
  }
}

/** Expands the `reports` globs; a pattern without a match is skipped (its gate did not run), a bad file is an error. */
async function readReports(patterns: string[], workspace: string): Promise<GateReport[]> {
  const reports: GateReport[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const files = /[*?[{]/.test(pattern)
      ? (await glob(pattern, { cwd: workspace, absolute: true })).sort()
      : [isAbsolute(pattern) ? pattern : resolve(workspace, pattern)];
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        core.info(`notify: ${pattern} — no report there (the gate did not run), skipped`);
        continue;
      }
      const report = parseReportFile(text, file);
      // A glob over the reports folder also matches an earlier notify step's own report: it is not a gate.
      if (report.gate !== 'notify') reports.push(report);
    }
  }
  return reports;
}

function deployContext(context: GitHubContext, config: ActionConfig): DeployContext {
  const repository = context.owner ? `${context.owner}/${context.repo}` : (process.env.GITHUB_REPOSITORY ?? '');
  const pr = context.payload.pull_request;
  return {
    repository,
    serverUrl: context.serverUrl,
    sha: (typeof pr?.head?.sha === 'string' ? pr.head.sha : context.sha) || '',
    ref: process.env.GITHUB_HEAD_REF || process.env.GITHUB_REF_NAME || undefined,
    actor: process.env.GITHUB_ACTOR || undefined,
    workflow: process.env.GITHUB_WORKFLOW || undefined,
    runId: context.runId,
    runUrl: runUrl(context),
    pullRequest:
      pr && typeof pr.number === 'number'
        ? { number: pr.number, url: String(pr.html_url ?? `${context.serverUrl}/${repository}/pull/${pr.number}`) }
        : undefined,
    environment: config.environment || undefined,
    environmentUrl: config.environmentUrl || undefined,
  };
}

function retryBudgetMs(text: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  if (!m)
    throw new SlackNotifyError(`input \`retry-timeout\`: \`${text}\` is not a duration`, 'write e.g. `60s` or `2m`');
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
}

async function sendToSlack(
  config: ActionConfig,
  message: DeployMessage,
  key: string,
): Promise<{ facts: Record<string, string>; note: string }> {
  const budget = retryBudgetMs(config.retryTimeout);
  if (config.slackToken) {
    if (!config.channel)
      throw new SlackNotifyError(
        '`slack-token` is set but `channel` is not',
        'set `channel` to the channel id, e.g. `C0123456789`',
      );
    const client = createSlackClient({
      token: config.slackToken,
      apiUrl: config.slackApiUrl,
      retryBudgetMs: budget,
      log: core.info,
    });
    const posted = await publishDeployMessage(client, config.channel, message, key, {
      threadDetails: config.threadDetails,
    });
    const replies = posted.replies.length
      ? `; ${posted.replies.length} thread repl${posted.replies.length === 1 ? 'y' : 'ies'} (${posted.replies.filter((r) => r.action === 'updated').length} updated)`
      : '';
    return {
      facts: { ts: posted.ts, channel: posted.channel, ...(posted.permalink ? { permalink: posted.permalink } : {}) },
      note: `Slack message ${posted.action}${posted.permalink ? ` — ${posted.permalink}` : ''}${replies}`,
    };
  }
  if (config.slackWebhook) {
    await postWebhook(config.slackWebhook, message, { retryBudgetMs: budget });
    return {
      facts: {},
      note: 'Posted through the incoming webhook. Webhooks cannot update a message: each notify step posts a new one. Use `slack-token` and `channel` for one message per deploy, updated in place.',
    };
  }
  return {
    facts: {},
    note: 'No Slack destination (`slack-token` or `slack-webhook`) is set: nothing was posted to Slack.',
  };
}

const DEPLOYMENT_DESCRIPTION: Record<Verdict, string> = {
  'in-progress': 'Deploying; the gates have not reported yet',
  deployed: 'Deployed; every gate passed',
  warnings: 'Deployed with warnings from the gates',
  failed: 'The gates failed this deploy',
  'rolled-back': 'Rolled back to the previous version after a failed gate',
  'rollback-failed': 'The rollback failed: check the environment',
  error: 'The gates could not verify this deploy',
};

/** GitHub's HTTP errors as one line with the fix; anything else is left as it is (a bug shows its stack). */
function deploymentError(error: unknown): unknown {
  const status = (error as { status?: number })?.status;
  if (typeof status !== 'number') return error;
  const fix =
    status === 403 || status === 404
      ? 'give the job `permissions: deployments: write` (or pass a `github-token` that has it)'
      : status === 401
        ? 'pass a valid `github-token`'
        : 'GitHub is failing; the deploy itself is unaffected — re-run the job later';
  return new SlackNotifyError(
    `GitHub answered HTTP ${status} to the deployment status: ${(error as Error).message.split('\n')[0]}`,
    fix,
  );
}

async function setDeploymentStatus(
  config: ActionConfig,
  context: GitHubContext,
  deploy: DeployContext,
  verdict: Verdict,
): Promise<string> {
  if (!config.environment)
    throw new SlackNotifyError(
      '`deployment-status: true` needs `environment`',
      'set `environment` (e.g. `production`)',
    );
  if (!config.githubToken)
    throw new SlackNotifyError('no `github-token`', 'pass `github-token` with `deployments: write`');
  const client = createGitHubClient(config.githubToken);
  const { owner, repo } = context;
  const existing = await client.rest.repos.listDeployments({
    owner,
    repo,
    sha: deploy.sha,
    environment: config.environment,
    per_page: 1,
  });
  let id = existing.data[0]?.id;
  if (!id) {
    const created = await client.rest.repos.createDeployment({
      owner,
      repo,
      ref: deploy.sha,
      environment: config.environment,
      auto_merge: false,
      required_contexts: [],
      description: 'Deployed by this workflow; status set by Myco Gates notify',
    });
    id = (created.data as { id: number }).id;
  }
  const state = deploymentState(verdict);
  await client.rest.repos.createDeploymentStatus({
    owner,
    repo,
    deployment_id: id,
    state,
    log_url: deploy.runUrl,
    environment_url: config.environmentUrl || undefined,
    description: DEPLOYMENT_DESCRIPTION[verdict],
    auto_inactive: state === 'success',
  });
  return `GitHub deployment ${id} (${config.environment}) set to \`${state}\``;
}
