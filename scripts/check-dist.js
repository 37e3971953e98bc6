#!/usr/bin/env node
// Rebuilds every action's ncc bundle and fails when the committed dist/ differs, like actions/typescript-action's
// check-dist: GitHub runs dist/index.js as committed, so a stale bundle is a silent bug.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const actions = readdirSync(join(root, 'actions')).filter((name) =>
  existsSync(join(root, 'actions', name, 'action.yml')),
);
const stale = [];
for (const name of actions) {
  const dir = `actions/${name}`;
  execFileSync('npm', ['run', 'build', '--silent', '-w', dir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const changed = execFileSync('git', ['status', '--porcelain', '--', `${dir}/dist`], { cwd: root, encoding: 'utf8' });
  if (changed.trim()) stale.push(`${dir}/dist:\n${changed}`);
  else console.log(`${dir}/dist is up to date`);
}
if (stale.length) {
  console.error(
    `check-dist: the committed bundles differ from a fresh build — run \`npm run build\` and commit dist/:\n${stale.join('\n')}`,
  );
  process.exit(1);
}
