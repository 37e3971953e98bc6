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
      'prometheus-url',
      'slo-spec',
      'slos',
      'since',
      'until',
      'duration',
      'interval',
      'initial-delay',
      'baseline',
      'confidence',
      'headers',
      'bearer-token',
      'basic-auth',
      'comment',
      'github-token',
      'fail-on-error',
      'on-inconclusive',
      'on-no-data',
      'min-events',
    ])
      expect(yml.inputs).toHaveProperty([id]);
    expect(Object.keys(yml.outputs).sort()).toEqual(['breached', 'report', 'rollback', 'status']);
    expect(yml.inputs.confidence.default).toBe('0.95');
    expect(yml.inputs.duration.default).toBe('0');
  });

  it('reads every input once with types', () => {
    const raw: Record<string, string> = {
      'prometheus-url': 'http://127.0.0.1:9090',
      'slo-spec': 'slos.yaml',
      since: '10m',
      slos: 'a, b',
      confidence: '0.99',
      comment: 'false',
      'fail-on-error': 'false',
    };
    const seen: string[] = [];
    const config = readActionConfig((id) => {
      seen.push(id);
      return raw[id] ?? (inputs[id as keyof typeof inputs] as { default?: string }).default ?? '';
    });
    expect(seen.sort()).toEqual(Object.keys(inputs).sort());
    expect(config).toMatchObject({ comment: false, failOnError: false });
    expect(config.gate).toMatchObject({ slos: ['a', 'b'], confidence: 0.99, baseline: 'none', interval: '15s' });
  });

  it('rejects a confidence outside 0.5–0.9999 naming the input', () => {
    expect(() =>
      readActionConfig(
        (id) => ({ 'prometheus-url': 'http://x', 'slo-spec': 's', since: '1m', confidence: '95' })[id] ?? '',
      ),
    ).toThrow(/confidence/);
  });
});
