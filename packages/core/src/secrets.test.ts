import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { knownSecrets, maskSecrets, redact, redactDeep } from './secrets.js';
import { startRunnerStub, type RunnerStub } from './runner-stub.js';

let runner: RunnerStub;
beforeEach(() => {
  runner = startRunnerStub();
});
afterEach(() => runner.restore());

describe('maskSecrets', () => {
  it('registers each secret (and its line and encoded forms) with the runner', () => {
    const registered = maskSecrets(['ghp_secretvalue1', undefined, '', null, 'line-one-secret\nline-two-secret']);
    const masks = runner.commands('add-mask');
    expect(masks).toContain('::add-mask::ghp_secretvalue1');
    expect(masks).toContain('::add-mask::line-one-secret');
    expect(masks).toContain('::add-mask::line-two-secret');
    expect(masks).toContain(`::add-mask::${Buffer.from('x-access-token:ghp_secretvalue1').toString('base64')}`);
    expect(registered).toContain('ghp_secretvalue1');
    expect(knownSecrets()).toContain('ghp_secretvalue1');
  });
});

describe('redact', () => {
  it.each([
    ['replaces every occurrence', 'a tok3n-abc b tok3n-abc', ['tok3n-abc'], 'a *** b ***'],
    ['longest secret first', 'key=abcd-efgh', ['abcd', 'abcd-efgh'], 'key=***'],
    ['ignores empty and too-short values', 'a b abc', ['', 'a', 'abc', undefined], 'a b abc'],
    ['leaves clean text alone', 'nothing here', ['s3cr3t-value'], 'nothing here'],
    ['handles regex characters literally', 'x(a+b)*y', ['(a+b)*'], 'x***y'],
  ])('%s', (_name, text, secrets, expected) => {
    expect(redact(text, secrets)).toBe(expected);
  });

  it('uses the secrets registered by maskSecrets by default', () => {
    maskSecrets(['registered-secret-42']);
    expect(redact('token registered-secret-42 leaked')).toBe('token *** leaked');
  });
});

describe('redactDeep', () => {
  it('redacts every string and key of a nested value', () => {
    const value = { headline: 'x tok-12345', list: [{ 'tok-12345': 'tok-12345 y' }, 3, null, true] };
    expect(redactDeep(value, ['tok-12345'])).toEqual({ headline: 'x ***', list: [{ '***': '*** y' }, 3, null, true] });
  });
});
