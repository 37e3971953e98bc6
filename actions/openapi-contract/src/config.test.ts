import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareOutputsWithActionYml, compareWithActionYml } from '@myco-gates/core';
import { describe, expect, it } from 'vitest';
import { inputs, Outputs, readActionConfig } from './config.js';

const actionYml = readFileSync(fileURLToPath(new URL('../action.yml', import.meta.url)), 'utf8');

describe('config', () => {
  it('declares the same inputs (ids, required, defaults) as action.yml', () => {
    expect(compareWithActionYml(inputs, actionYml)).toEqual([]);
  });

  it('declares the same outputs as action.yml', () => {
    expect(compareOutputsWithActionYml(Object.values(Outputs), actionYml)).toEqual([]);
  });

  it('keeps the fixed input and output names', () => {
    expect(Object.keys(inputs)).toEqual(
      expect.arrayContaining([
        'spec',
        'base-spec',
        'ruleset',
        'accept',
        'client',
        'client-command',
        'fail-on',
        'github-token',
        'comment',
        'mode',
      ]),
    );
    expect(Object.values(Outputs)).toEqual(expect.arrayContaining(['status', 'breaking', 'lint-errors', 'report']));
  });

  const read = (values: Record<string, string>) => readActionConfig((id) => values[id] ?? '');

  it('applies the defaults', () => {
    expect(read({ spec: 'api.yaml' })).toEqual({
      spec: 'api.yaml',
      baseSpec: undefined,
      ruleset: undefined,
      accept: undefined,
      client: undefined,
      clientCommand: undefined,
      failOn: 'breaking',
      token: '${{ github.token }}',
      comment: true,
      commentId: undefined,
      mode: 'gate',
      workingDirectory: '.',
    });
  });

  it.each([
    { values: {}, error: /Input `spec` is required/ },
    {
      values: { spec: 'a.yaml', 'fail-on': 'breaking-only' },
      error: /`fail-on` must be one of `breaking`, `warning`, `never`/,
    },
    { values: { spec: 'a.yaml', mode: 'comment' }, error: /`mode` must be one of/ },
    { values: { spec: 'a.yaml', comment: 'yes' }, error: /`comment` must be a boolean/ },
  ])('rejects $values', ({ values, error }) => {
    expect(() => read(values as Record<string, string>)).toThrow(error);
  });

  it('does not need `spec` in publish mode', () => {
    expect(read({ mode: 'publish' }).spec).toBe('');
  });
});
