import { readFileSync } from 'node:fs';
import { compareOutputsWithActionYml, compareWithActionYml, parseActionYml } from '@myco-gates/core';
import { describe, expect, it } from 'vitest';
import { Outputs, inputs, readActionConfig } from './config.js';

const actionYml = readFileSync(new URL('../action.yml', import.meta.url), 'utf8');

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
      'reports',
      'slack-token',
      'slack-webhook',
      'channel',
      'slack-api-url',
      'key',
      'thread-details',
      'mention-on-failure',
      'environment',
      'environment-url',
      'deployment-status',
      'github-token',
      'comment',
    ])
      expect(yml.inputs).toHaveProperty([id]);
    expect(Object.keys(yml.outputs)).toEqual(expect.arrayContaining(['ts', 'channel', 'permalink', 'status']));
    expect(yml.inputs['fail-on-error'].default).toBe('false');
  });

  it('reads every input once with types', () => {
    const raw: Record<string, string> = {
      reports: 'a.json\nreports/*.json',
      'slack-token': 'xoxb-1-2-3',
      channel: 'C0123456789',
      'mention-on-failure': 'U024BE7LH, S0614TZR7',
      'deployment-status': 'true',
    };
    const seen: string[] = [];
    const config = readActionConfig((id) => {
      seen.push(id);
      return raw[id] ?? (inputs[id as keyof typeof inputs] as { default?: string }).default ?? '';
    });
    expect(seen.sort()).toEqual(Object.keys(inputs).sort());
    expect(config).toMatchObject({
      reports: ['a.json', 'reports/*.json'],
      mentionOnFailure: ['U024BE7LH', 'S0614TZR7'],
      deploymentStatus: true,
      threadDetails: true,
      failOnError: false,
    });
  });
});
