import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareOutputsWithActionYml, compareWithActionYml, knownSecrets, parseActionYml } from '@myco-gates/core';
import { describe, expect, it } from 'vitest';
import { Outputs, inputs, maskKubeconfig, readActionConfig } from './config.js';

const actionYml = readFileSync(new URL('../action.yml', import.meta.url), 'utf8');

const defaults = (raw: Record<string, string>) => (id: string) =>
  raw[id] ?? (inputs[id as keyof typeof inputs] as { default?: string }).default ?? '';

describe('config and action.yml', () => {
  it('declare the same inputs, required flags and defaults', () => {
    expect(compareWithActionYml(inputs, actionYml)).toEqual([]);
  });

  it('declare the same outputs', () => {
    expect(compareOutputsWithActionYml(Object.values(Outputs), actionYml)).toEqual([]);
  });

  it('keeps the fixed input and output names', () => {
    const yml = parseActionYml(actionYml);
    for (const id of [
      'mode',
      'kind',
      'name',
      'namespace',
      'to-revision',
      'timeout',
      'dry-run',
      'kubeconfig',
      'context',
      'kubectl',
      'helm',
      'verify-report',
      'verify-command',
      'comment',
      'github-token',
    ])
      expect(yml.inputs).toHaveProperty([id]);
    for (const id of [
      'revision',
      'rolled-back',
      'from-revision',
      'to-revision',
      'from-image',
      'to-image',
      'duration-seconds',
      'status',
      'report',
    ])
      expect(yml.outputs).toHaveProperty([id]);
  });

  it('reads every input once, typed, with the verify command split without a shell', () => {
    const config = readActionConfig(
      defaults({
        name: 'web',
        namespace: 'shop',
        timeout: '1m30s',
        'verify-command': `curl -fsS "https://shop.example/health?a=1&b=2" 'x y' \\$HOME`,
        'dry-run': 'true',
        'github-token': 'ghs_x',
      }),
    );
    expect(config.rollback).toMatchObject({
      mode: 'rollback',
      kind: 'deployment',
      name: 'web',
      namespace: 'shop',
      timeoutSeconds: 90,
      dryRun: true,
      helm: 'auto',
      verifyCommand: ['curl', '-fsS', 'https://shop.example/health?a=1&b=2', 'x y', '$HOME'],
    });
  });

  it.each([
    [{ name: '--kubeconfig=/etc/x' }, /not a valid Kubernetes name/],
    [{ name: 'web', namespace: 'Shop' }, /not a valid DNS-1123 label/],
    [{ name: 'web', 'to-revision': '1; rm' }, /neither a revision number nor a template hash/],
    [{ name: 'web', timeout: 'soon' }, /not a duration/],
    [{ name: 'web', 'verify-command': `curl "x` }, /unclosed " quote/],
    [{ name: 'web', kind: 'job' }, /kind/],
  ])('refuses %o', (raw, message) => {
    expect(() => readActionConfig(defaults(raw as Record<string, string>))).toThrow(message);
  });

  it('masks the credentials of the kubeconfig', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      'users:\n- name: ci\n  user:\n    token: kube-token-9f8e7d\n    client-key-data: "S0VZREFUQQ=="\n',
    );
    expect(maskKubeconfig([file, join(dir, 'missing')])).toBeGreaterThanOrEqual(2);
    expect(knownSecrets()).toEqual(expect.arrayContaining(['kube-token-9f8e7d', 'S0VZREFUQQ==']));
  });
});
