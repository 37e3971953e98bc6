#!/usr/bin/env node
// postinstall: installs Node 24 (npm package `node`, which ships the binary) into tools/node24, outside the root's
// node_modules/.bin so it never replaces the Node that runs npm scripts. Bundle tests run each action on it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const dir = new URL('../tools/node24/', import.meta.url).pathname;
if (!existsSync(`${dir}node_modules/node/bin/node`)) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
}
