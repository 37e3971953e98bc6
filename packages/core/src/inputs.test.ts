import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  compareOutputsWithActionYml,
  compareWithActionYml,
  defineInputs,
  parseActionYml,
  readActionOutputsSpec,
  readInputs,
} from './inputs.js';
import { gateErrorOf } from './test-helpers.js';
import { startRunnerStub, type RunnerStub } from './runner-stub.js';

const spec = defineInputs({
  'github-token': {
    kind: 'string',
    description: 'Token for the PR comment',
    default: '${{ github.token }}',
    secret: true,
  },
  comment: { kind: 'boolean', description: 'Post a sticky comment', default: 'true' },
  'max-drop': { kind: 'number', description: 'Allowed drop in points', min: 0, max: 100 },
  retries: { kind: 'number', description: 'Retries', integer: true, default: '3' },
  files: { kind: 'list', description: 'Report files' },
  mode: { kind: 'enum', description: 'Mode', values: ['gate', 'report', 'publish'], default: 'gate' },
  'fail-on': { kind: 'enum', description: 'Fail on', values: ['fail', 'warn', 'never'], required: true },
});

const from = (values: Record<string, string>) => (id: string) => values[id] ?? '';

let runner: RunnerStub;
beforeEach(() => {
  runner = startRunnerStub();
});
afterEach(() => runner.restore());

describe('readInputs', () => {
  it('returns typed values with camelCase keys and spec defaults', () => {
    const config = readInputs(spec, from({ 'fail-on': 'warn', files: 'a.info, b.info\n\n c.xml ,' }));
    expect(config).toEqual({
      githubToken: '${{ github.token }}',
      comment: true,
      maxDrop: undefined,
      retries: 3,
      files: ['a.info', 'b.info', 'c.xml'],
      mode: 'gate',
      failOn: 'warn',
    });
    expectTypeOf(config.mode).toEqualTypeOf<'gate' | 'report' | 'publish'>();
    expectTypeOf(config.maxDrop).toEqualTypeOf<number | undefined>();
    expectTypeOf(config.files).toEqualTypeOf<string[]>();
    expectTypeOf(config.comment).toEqualTypeOf<boolean>();
  });

  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    [' FALSE ', false],
  ])('reads boolean %j like the runner', (value, expected) => {
    expect(readInputs(spec, from({ comment: value, 'fail-on': 'fail' })).comment).toBe(expected);
  });

  it.each([
    [
      'a boolean',
      { comment: 'yes' },
      'Input `comment` must be a boolean, got "yes". — Use `true` or `false` for `comment`.',
    ],
    [
      'a number',
      { 'max-drop': '1,5' },
      'Input `max-drop` must be a number, got "1,5". — Use a number (≥ 0, ≤ 100) for `max-drop`, e.g. `max-drop: 0`.',
    ],
    [
      'a bounded number',
      { 'max-drop': '101' },
      'Input `max-drop` is out of range: "101". — Use a number (≥ 0, ≤ 100) for `max-drop`, e.g. `max-drop: 0`.',
    ],
    [
      'an integer',
      { retries: '2.5' },
      'Input `retries` is out of range: "2.5". — Use a number (a whole number) for `retries`, e.g. `retries: 3`.',
    ],
    [
      'not Infinity',
      { retries: 'Infinity' },
      'Input `retries` must be a number, got "Infinity". — Use a number (a whole number) for `retries`, e.g. `retries: 3`.',
    ],
    [
      'an enum',
      { mode: 'Gate' },
      'Input `mode` must be one of `gate`, `report`, `publish`; got "Gate". — Set `mode` to one of: gate, report, publish.',
    ],
  ])('rejects a bad %s with one clear error', async (_name, values, message) => {
    expect(await gateErrorOf(() => readInputs(spec, from({ 'fail-on': 'fail', ...values })))).toBe(message);
  });

  it('names a missing required input', async () => {
    expect(await gateErrorOf(() => readInputs(spec, from({})))).toBe(
      'Input `fail-on` is required but was not set. — Add `fail-on: …` under `with:` in your workflow step (Fail on).',
    );
  });

  it('masks secret inputs before anything else and never echoes them', async () => {
    const secretSpec = defineInputs({
      token: { kind: 'enum', description: 'Token', values: ['a', 'b'], secret: true },
    });
    const message = await gateErrorOf(() => readInputs(secretSpec, from({ token: 'ghp_supersecret' })));
    expect(message).not.toContain('ghp_supersecret');
    expect(message).toContain('(secret value)');
    expect(runner.commands('add-mask')).toContain('::add-mask::ghp_supersecret');
  });

  it('reads INPUT_* variables through core.getInput by default', () => {
    process.env['INPUT_FAIL-ON'] = 'never';
    process.env.INPUT_MODE = 'report';
    try {
      expect(readInputs(spec)).toMatchObject({ failOn: 'never', mode: 'report' });
    } finally {
      delete process.env['INPUT_FAIL-ON'];
      delete process.env.INPUT_MODE;
    }
  });
});

const actionYml = `
name: test
inputs:
  github-token:
    description: Token
    default: \${{ github.token }}
  comment:
    description: Comment
    default: true
  max-drop:
    description: Drop
  retries:
    description: Retries
    default: 3
  files:
    description: Files
  mode:
    description: Mode
    default: gate
  fail-on:
    description: Fail on
    required: true
outputs:
  status:
    description: Status
  report:
    description: Report path
runs:
  using: node24
  main: dist/index.js
`;

describe('compareWithActionYml', () => {
  it('finds no disagreement when config and action.yml match (YAML booleans/numbers compared as strings)', () => {
    expect(compareWithActionYml(spec, actionYml)).toEqual([]);
  });

  it('lists every disagreement', () => {
    const drifted = actionYml
      .replace('  files:\n    description: Files\n', '')
      .replace('default: gate', 'default: report')
      .replace('    required: true\n', '    required: false\n')
      .replace('outputs:', '  extra:\n    description: Extra\noutputs:');
    expect(compareWithActionYml(spec, drifted)).toEqual([
      'input `files` is in config.ts but missing from action.yml',
      'input `mode`: default is "gate" in config.ts but "report" in action.yml',
      'input `fail-on`: required is true in config.ts but false in action.yml',
      'input `extra` is in action.yml but missing from config.ts',
    ]);
  });

  it('reports malformed action.yml with its line', async () => {
    expect(
      await gateErrorOf(() => parseActionYml('name: x\ninputs:\n  a: [unclosed\n', 'actions/x/action.yml')),
    ).toMatch(/^actions\/x\/action\.yml:\d+: invalid YAML: .+ — Fix the YAML syntax/);
  });
});

describe('outputs', () => {
  it('reads output ids and compares them with the ids the code sets', () => {
    expect(readActionOutputsSpec(actionYml)).toEqual({
      status: { description: 'Status' },
      report: { description: 'Report path' },
    });
    expect(compareOutputsWithActionYml(['status', 'report'], actionYml)).toEqual([]);
    expect(compareOutputsWithActionYml({ status: { description: '' }, lines: { description: '' } }, actionYml)).toEqual(
      [
        'output `lines` is set by the code but missing from action.yml',
        'output `report` is in action.yml but never set by the code',
      ],
    );
  });
});
