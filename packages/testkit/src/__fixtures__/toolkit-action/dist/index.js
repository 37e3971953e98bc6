// Fixture action for packages/testkit: unbundled, but written with the same @actions/* packages our
// actions bundle, so runAction and the GitHub stub are checked against the real toolkit's formats.
import * as core from '@actions/core';
import * as github from '@actions/github';

try {
  const token = core.getInput('github-token', { required: true });
  core.setSecret(token);
  const octokit = github.getOctokit(token);
  const { data: comment } = await octokit.rest.issues.createComment({
    ...github.context.repo,
    issue_number: github.context.issue.number,
    body: core.getInput('comment', { required: true }),
  });
  const { data: pull } = await octokit.rest.pulls.get({
    ...github.context.repo,
    pull_number: github.context.issue.number,
  });
  core.setOutput('comment-id', comment.id);
  core.setOutput('head-sha', pull.head.sha);
  core.setOutput('multiline', 'first\nsecond');
  core.exportVariable('GATE_RESULT', 'pass');
  core.saveState('comment-id', String(comment.id));
  core.addPath('/opt/gate/bin');
  core.error('Coverage 71.2% < 80%', { file: 'src/a.ts', startLine: 3, endLine: 4, title: 'Coverage: low, 71%' });
  core.debug(`commented ${comment.html_url}`);
  await core.summary.addHeading('Gate').addTable([['metric', 'value'], ['coverage', '71.2%']]).write();
} catch (error) {
  core.setFailed(`toolkit-action failed with: ${error.message}`);
}
