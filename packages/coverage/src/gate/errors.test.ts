import { describe, expect, it } from 'vitest';
import { CoverageInputError } from '../parse/errors.js';
import { CoverageGateError, asUserError } from './errors.js';

describe('CoverageGateError', () => {
  it.each([
    ['input `thresholds`', { file: undefined, line: undefined, message: 'input `thresholds`: bad' }],
    ['.github/coverage-gate.yml:7', { file: '.github/coverage-gate.yml', line: 7, message: 'bad' }],
  ])('%s carries core GateError fields', (where, fields) => {
    const error = new CoverageGateError(where, 'bad', 'fix it');
    expect(error).toMatchObject({ name: 'GateError', fix: 'fix it', ...fields });
    expect(String(error)).toBe(`${where}: bad — fix it`);
  });
});

describe('asUserError', () => {
  it('turns a parser input error into one line with file, line and fix', () => {
    const error = asUserError(new CoverageInputError('coverage/lcov.info', 'unknown record "XX"', 'Regenerate it', 12));
    expect(error).toBeInstanceOf(CoverageGateError);
    expect(error).toMatchObject({
      file: 'coverage/lcov.info',
      line: 12,
      message: 'unknown record "XX"',
      fix: 'Regenerate it',
    });
  });

  it('keeps the message of a parser error without line', () => {
    expect(String(asUserError(new CoverageInputError('a.xml', 'file not found', 'Check it')))).toBe(
      'a.xml: file not found — Check it',
    );
  });

  it.each([[new Error('bug')], ['text'], [new CoverageGateError('x', 'y', 'z')]])('passes %s through', (value) => {
    expect(asUserError(value)).toBe(value);
  });
});
