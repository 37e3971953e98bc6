import { readFileSync } from 'node:fs';
import { compareOutputsWithActionYml, compareWithActionYml, parseActionYml } from '@myco-gates/core';
import { describe, expect, it } from 'vitest';
import { POLICY_KEYS } from '@myco-gates/coverage';
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
      'thresholds',
      'package-thresholds',
      'config',
      'base-report',
      'patch-threshold',
      'max-drop',
      'github-token',
      'comment',
      'mode',
    ])
      expect(yml.inputs).toHaveProperty([id]);
    expect(Object.keys(yml.outputs)).toEqual(
      expect.arrayContaining(['status', 'lines', 'branches', 'functions', 'statements', 'report']),
    );
    expect(yml.inputs['github-token'].default).toBe('${{ github.token }}');
    expect(yml.inputs.comment.default).toBe('true');
  });

  it('gives policy inputs no default, so a config file value is not silently overridden', () => {
    const yml = parseActionYml(actionYml);
    for (const id of [...POLICY_KEYS, 'reports']) expect(yml.inputs[id].default, id).toBeUndefined();
  });

  it('reads every input once with types', () => {
    const raw: Record<string, string> = {
      reports: 'a.info\nb.xml',
      thresholds: 'lines=85',
      'github-token': '',
      comment: 'false',
      mode: 'report',
      'fail-on-error': 'false',
    };
    const seen: string[] = [];
    const config = readActionConfig((id) => {
      seen.push(id);
      return raw[id] ?? '';
    });
    expect(seen.sort()).toEqual(Object.keys(inputs).sort());
    expect(config).toMatchObject({ comment: false, mode: 'report', failOnError: false, annotations: true });
    expect(config.gate).toMatchObject({
      reports: ['a.info', 'b.xml'],
      thresholds: 'lines=85',
      workingDirectory: '.',
      baseArtifact: 'coverage-gate-report',
    });
  });

  it('rejects an unknown mode naming the input', () => {
    expect(() => readActionConfig((id) => (id === 'mode' ? 'strict' : ''))).toThrow(
      /Input `mode` must be one of `gate`, `report`, `publish`/,
    );
  });
});
