import { describe, expect, it } from 'vitest';
import { checkLabelName, checkObjectName, parseTimeoutSeconds, splitCommandLine } from './names.js';

describe('splitCommandLine', () => {
  it.each([
    ['curl -fsS https://x/health', ['curl', '-fsS', 'https://x/health']],
    [`sh -c 'exit 0'`, ['sh', '-c', 'exit 0']],
    [`node -e "console.log(\\"hi\\")"`, ['node', '-e', 'console.log("hi")']],
    [`a  "" b`, ['a', '', 'b']],
    [`echo $HOME; rm -rf / | cat`, ['echo', '$HOME;', 'rm', '-rf', '/', '|', 'cat']],
    [`a\\ b c`, ['a b', 'c']],
  ])('%s', (line, args) => expect(splitCommandLine(line)).toEqual(args));

  it('refuses unclosed quotes and empty commands', () => {
    expect(() => splitCommandLine(`a 'b`)).toThrow(/unclosed ' quote/);
    expect(() => splitCommandLine('   ')).toThrow(/empty/);
  });
});

describe('names', () => {
  it.each(['web', 'web-1', 'a.b.c'])('accepts %s', (n) => expect(checkObjectName('name', n)).toBe(n));
  it.each(['-web', 'Web', 'a_b', '--kubeconfig=/x', 'a'.repeat(254), ''])('refuses %s', (n) =>
    expect(() => checkObjectName('name', n)).toThrow(/not a valid Kubernetes name/),
  );
  it('limits labels', () => {
    expect(() => checkLabelName('namespace', 'a.b')).toThrow(/DNS-1123 label/);
    expect(() => checkLabelName('release', 'a'.repeat(54), 53)).toThrow(/is not a valid DNS-1123 label/);
  });
});

describe('parseTimeoutSeconds', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['5m', 300],
    ['1m30s', 90],
    ['1h', 3600],
  ])('%s', (t, s) => expect(parseTimeoutSeconds('timeout', t)).toBe(s));
  it.each(['', '0', '5x', 'm'])('refuses %s', (t) =>
    expect(() => parseTimeoutSeconds('timeout', t)).toThrow(/not a duration/),
  );
});
