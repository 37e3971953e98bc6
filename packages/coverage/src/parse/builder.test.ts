import { describe, expect, it } from 'vitest';
import { LINE_HIT, LINE_MISSED } from '../model.js';
import { FileBuilder, MAX_LINE, branchKey, functionKey, functionKeyOfBytes } from './builder.js';

describe('function keys', () => {
  it.each(['main', '(anonymous_3)', 'System.String T::Do(System.String,System.Int32)', 'naïve_ünïcode', '関数', ''])(
    'the key of %j is the same from its UTF-8 bytes and from the string',
    (name) => {
      const bytes = Buffer.from(name, 'utf8');
      expect(functionKeyOfBytes(bytes, 0, bytes.length)).toBe(functionKey(name));
      expect(Number.isSafeInteger(functionKey(name))).toBe(true);
    },
  );

  it('gives 100,000 distinct names 100,000 distinct keys', () => {
    const keys = new Set<number>();
    for (let i = 0; i < 100_000; i++) keys.add(functionKey(`fn${i}`));
    expect(keys.size).toBe(100_000);
  });
});

describe('branchKey', () => {
  it.each([
    [0, 0, 0],
    [1, 2, 2 ** 21 + 2],
    [3, 'e0', 'interned'],
    ['0', 'jump to line 3', 'interned'],
    [-1, 0, 'interned'],
  ] as const)('(%j, %j) -> %j', (block, branch, expected) => {
    const key = branchKey(block, branch);
    if (expected === 'interned') {
      expect(key).toBeLessThan(0);
      expect(branchKey(block, branch)).toBe(key); // stable across calls (and so across reports)
    } else expect(key).toBe(expected);
  });
});

describe('FileBuilder', () => {
  it('unions hits, sorts and deduplicates branches, and re-opens a finished file', () => {
    const builder = new FileBuilder('a.ts');
    builder.line(3, false);
    builder.line(3, true);
    builder.line(1, false);
    builder.branch(5, 1, false);
    builder.branch(2, 0, true);
    builder.branch(5, 1, true);
    builder.functionHit('f', false);
    const first = builder.finish();
    expect([...first.lines]).toEqual([0, LINE_MISSED, 0, LINE_HIT]);
    expect([...first.branchDetail!]).toEqual([-2, 0, -5, 1]); // both taken (negative line), keys 0 and 1
    expect(first.branches).toEqual({ found: 2, hit: 2 });
    expect(first.functions).toEqual({ found: 1, hit: 0 });

    builder.reset('a.ts');
    builder.absorb(first);
    builder.functionHit('f', true);
    builder.line(4, false);
    const second = builder.finish();
    expect([...second.lines]).toEqual([0, LINE_MISSED, 0, LINE_HIT, LINE_MISSED]);
    expect(second.functions).toEqual({ found: 1, hit: 1 });
    expect(second.branchLines).toEqual(
      new Map([
        [2, [1, 1]],
        [5, [1, 1]],
      ]),
    );
  });

  it.each([0, -1, 1.5, MAX_LINE + 1, Number.NaN])('refuses line number %j', (line) => {
    const builder = new FileBuilder('a');
    expect(builder.line(line, true)).toBe(false);
    expect(builder.branch(line, 0, true)).toBe(false);
    expect(builder.finish().lines).toHaveLength(0);
  });
});
