import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../run-action.js';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'test-cluster-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run test-cluster', () => {
  it('writes a kubeconfig kubectl can use, and stops cleanly on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const tsx = join(repoRoot(), 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, [join(repoRoot(), 'packages/testkit/src/cluster/cli.ts'), '--kubeconfig', kubeconfig], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const end = Date.now() + 30_000;
      while (!/stop with Ctrl-C/.test(out)) {
        if (Date.now() > end) throw new Error(`cluster did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = /test cluster at (https:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
      expect(existsSync(kubeconfig)).toBe(true);
      const env = { ...process.env, HOME: join(dir, 'home'), KUBECONFIG: kubeconfig };
      const version = await exec('kubectl', ['version', '-o', 'json'], { env });
      expect(JSON.parse(version.stdout).serverVersion.gitVersion).toBe('v1.32.0');
      const ns = await exec('kubectl', ['get', 'ns', '-o', 'name'], { env });
      expect(ns.stdout).toContain('namespace/default');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('stopped (SIGTERM)');
      await expect(exec('kubectl', ['get', 'ns', '--request-timeout=2s', '--server', url], { env })).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
