// Fixture action for packages/testkit: plain Node (no bundle), reads inputs and writes results exactly
// like @actions/core does, so runAction is tested without depending on any real action.
import { appendFileSync, readFileSync } from 'node:fs';
import { EOL } from 'node:os';

const input = (name) => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
const escapeData = (s) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const setOutput = (name, value) => {
  const delimiter = `ghadelimiter_${Math.random().toString(16).slice(2)}`;
  appendFileSync(process.env.GITHUB_OUTPUT, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`);
};

const message = input('message');
const mode = input('mode');
const token = input('github-token');

console.log(`::add-mask::${token}`);
setOutput('greeting', `hello ${message}`);
setOutput('report', `line 1: ${message}\nline 2: 100%`);
appendFileSync(process.env.GITHUB_OUTPUT, `plain=a=b${EOL}`);
setOutput('max-retries', input('max retries'));
setOutput('node-version', process.version);
setOutput('env-names', Object.keys(process.env).sort().join(','));
setOutput('cwd', process.cwd());
appendFileSync(process.env.GITHUB_STEP_SUMMARY, `## Echo\n\n${message}\n`);
appendFileSync(process.env.GITHUB_ENV, `ECHOED=${message}${EOL}`);
appendFileSync(process.env.GITHUB_STATE, `seen=${message}${EOL}`);
appendFileSync(process.env.GITHUB_PATH, `/opt/echo/bin${EOL}`);
console.log(`::notice title=${escapeProperty('Echo: done, ok')}::${escapeData(message)}`);
console.log(`::warning file=src/a.ts,line=3,col=5,endLine=4,endColumn=9::${escapeData('two\nlines 50%')}`);
console.log('::debug::mode is ' + mode);
console.log('::stop-commands::pause-token');
console.log('::error::this is not a command while stopped');
console.log('::pause-token::');

if (mode === 'comment') {
  const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH, 'utf8'));
  const number = event.pull_request.number;
  const response = await fetch(
    `${process.env.GITHUB_API_URL}/repos/${process.env.GITHUB_REPOSITORY}/issues/${number}/comments`,
    {
      method: 'POST',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: `${message} on ${process.env.GITHUB_SHA}` }),
    },
  );
  setOutput('comment-status', String(response.status));
  if (!response.ok) {
    console.log(`::error::GitHub answered ${response.status}: ${escapeData(await response.text())}`);
    process.exitCode = 1;
  }
} else if (mode === 'hang') {
  setInterval(() => {}, 1000);
} else if (mode === 'fail') {
  console.log(`::error file=coverage/lcov.info,line=12::${escapeData('coverage 71.2% is below 80%')}`);
  process.exitCode = 1;
}
