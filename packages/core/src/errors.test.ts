import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeError, formatGateError, GateError, isGateError, runAction } from './errors.js';
import { startRunnerStub, type RunnerStub } from './runner-stub.js';

let runner: RunnerStub;
beforeEach(() => {
  runner = startRunnerStub();
});
afterEach(() => runner.restore());

describe('formatGateError', () => {
  it.each([
    [new GateError('bad value', { fix: 'use a number', file: 'a.yml', line: 3 }), 'a.yml:3: bad value — use a number'],
    [new GateError('bad value', { fix: 'use a number', file: 'a.yml' }), 'a.yml: bad value — use a number'],
    [new GateError('bad value', { fix: 'use a number' }), 'bad value — use a number'],
    [new GateError('two\nlines', { fix: '  fix\n it ' }), 'two lines — fix it'],
    [new GateError('no fix', { fix: '' }), 'no fix'],
  ])('%#: %s', (error, expected) => {
    expect(formatGateError(error)).toBe(expected);
  });
});

describe('describeError', () => {
  it.each([
    ['a string', 'boom', 'non-Error value thrown: boom'],
    ['a plain object', { code: 42, why: 'x' }, 'non-Error value thrown: {"code":42,"why":"x"}'],
    ['undefined', undefined, 'non-Error value thrown: undefined'],
    ['a bigint', 10n, 'non-Error value thrown: "10n"'],
  ])('renders %s readably', (_name, value, expected) => {
    expect(describeError(value)).toEqual({ userError: false, text: expected });
  });

  it('survives circular objects', () => {
    const value: Record<string, unknown> = { a: 1 };
    value.self = value;
    expect(describeError(value).text).toBe('non-Error value thrown: {"a":1,"self":"[Circular]"}');
  });

  it('recognises a GateError from another copy of the module by shape', () => {
    const foreign = Object.assign(new Error('missing file'), { name: 'GateError', fix: 'create it' });
    expect(isGateError(foreign)).toBe(true);
    expect(describeError(foreign)).toEqual({ userError: true, text: 'missing file — create it' });
  });
});

describe('runAction', () => {
  const failure = () => runner.commands('error').join('\n');

  it('reports a GateError as one line without stack', async () => {
    await runAction('coverage-gate', () => {
      throw new GateError('threshold `x` is not a number', {
        fix: 'use e.g. `lines=80`',
        file: '.github/gates.yml',
        line: 4,
      });
    });
    expect(runner.commands('error')).toEqual([
      '::error::coverage-gate failed with: .github/gates.yml:4: threshold `x` is not a number — use e.g. `lines=80`',
    ]);
    expect(process.exitCode).toBe(1);
  });

  it('keeps the stack of an unexpected error (our bug)', async () => {
    await runAction('coverage-gate', async () => {
      throw new TypeError('cannot read x of undefined');
    });
    expect(failure()).toContain('coverage-gate failed with: TypeError: cannot read x of undefined');
    expect(failure()).toMatch(/errors\.test\.ts/); // the stack, escaped as %0A by the runner protocol
    expect(failure()).toContain('This is a bug in Myco Gates');
  });

  it.each([
    ['a string', 'plain string'],
    ['a plain object', { message: 'not an Error' }],
    ['null', null],
  ])('handles a rejection with %s', async (_name, value) => {
    await runAction('notify', () => Promise.reject(value));
    expect(failure()).toContain('notify failed with: non-Error value thrown:');
    expect(process.exitCode).toBe(1);
  });

  it('does nothing when main succeeds', async () => {
    await runAction('notify', async () => {});
    expect(runner.commands('error')).toEqual([]);
    expect(process.exitCode).not.toBe(1);
  });
});
