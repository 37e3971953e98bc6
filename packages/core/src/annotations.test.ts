import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emitAnnotations, selectAnnotations } from './annotations.js';
import { AnnotationSchema, type Annotation } from './report.js';
import { maskSecrets } from './secrets.js';
import { startRunnerStub, type RunnerStub } from './runner-stub.js';

const a = (over: Partial<Annotation> & Pick<Annotation, 'line'>): Annotation =>
  AnnotationSchema.parse({ level: 'warning', file: 'src/a.ts', message: `line ${over.line}`, ...over });

describe('selectAnnotations', () => {
  it.each([
    ['adjacent lines merge into one range', [a({ line: 3 }), a({ line: 4 }), a({ line: 5 })], [[3, 5]]],
    ['overlapping ranges merge', [a({ line: 3, endLine: 8 }), a({ line: 6, endLine: 10 })], [[3, 10]]],
    [
      'a gap keeps them apart',
      [a({ line: 3 }), a({ line: 5 })],
      [
        [3, undefined],
        [5, undefined],
      ],
    ],
    ['out-of-order input still merges', [a({ line: 5 }), a({ line: 3 }), a({ line: 4 })], [[3, 5]]],
  ])('%s', (_name, input, ranges) => {
    const { selected } = selectAnnotations(input);
    expect(selected.map((s) => [s.line, s.endLine])).toEqual(ranges);
  });

  it.each([
    ['another file', { file: 'src/b.ts' }],
    ['another level', { level: 'error' as const }],
    ['another title', { title: 'Other' }],
  ])('does not merge across %s', (_name, over) => {
    expect(selectAnnotations([a({ line: 3 }), a({ line: 4, ...over })]).selected).toHaveLength(2);
  });

  it('joins distinct messages and keeps the best priority of a merged range', () => {
    const { selected, merged } = selectAnnotations([
      a({ line: 1, message: 'x', priority: 40 }),
      a({ line: 2, message: 'x', priority: 10 }),
      a({ line: 3, message: 'y', priority: 70 }),
    ]);
    expect(merged).toBe(2);
    expect(selected).toEqual([
      { level: 'warning', file: 'src/a.ts', line: 1, endLine: 3, message: 'x\ny', priority: 10 },
    ]);
  });

  it('keeps at most 10 per level, most important first, and counts the rest', () => {
    const input = [
      ...Array.from({ length: 15 }, (_v, i) => a({ file: `n${i}.ts`, line: 1, level: 'notice' })),
      ...Array.from({ length: 15 }, (_v, i) => a({ file: `w${i}.ts`, line: 1, priority: 100 - i })),
      ...Array.from({ length: 12 }, (_v, i) => a({ file: `e${i}.ts`, line: 1, level: 'error' })),
    ];
    const { selected, dropped } = selectAnnotations(input);
    expect(dropped).toBe(5 + 5 + 2);
    expect(selected.map((s) => s.level)).toEqual([
      ...Array(10).fill('error'),
      ...Array(10).fill('warning'),
      ...Array(10).fill('notice'),
    ]);
    // errors in input order (same priority), warnings by priority (w14 has the lowest number)
    expect(selected.slice(0, 3).map((s) => s.file)).toEqual(['e0.ts', 'e1.ts', 'e2.ts']);
    expect(selected.slice(10, 13).map((s) => s.file)).toEqual(['w14.ts', 'w13.ts', 'w12.ts']);
  });

  it('applies the total cap', () => {
    const input = Array.from({ length: 30 }, (_v, i) =>
      a({ file: `f${i}.ts`, line: 1, level: i % 2 ? 'error' : 'warning' }),
    );
    const { selected, dropped } = selectAnnotations(input, { perLevel: 50, total: 12 });
    expect(selected).toHaveLength(12);
    expect(selected.every((s) => s.level === 'error')).toBe(true);
    expect(dropped).toBe(18);
  });
});

describe('emitAnnotations', () => {
  let runner: RunnerStub;
  beforeEach(() => {
    runner = startRunnerStub();
  });
  afterEach(() => runner.restore());

  it('issues workflow commands with file and line range, redacting secrets', () => {
    maskSecrets(['sekret-token-value']);
    const count = emitAnnotations([
      a({ line: 3, endLine: 5, title: 'Uncovered', message: 'lines 3-5 (sekret-token-value)' }),
      a({ line: 9, level: 'error', message: 'broken' }),
      a({ line: 1, level: 'notice', file: 'x y.ts', message: 'multi\nline' }),
    ]);
    expect(count).toBe(3);
    expect(runner.commands('warning')).toEqual([
      '::warning title=Uncovered,file=src/a.ts,line=3,endLine=5::lines 3-5 (***)',
    ]);
    expect(runner.commands('error')).toEqual(['::error file=src/a.ts,line=9,endLine=9::broken']);
    expect(runner.commands('notice')).toEqual(['::notice file=x y.ts,line=1,endLine=1::multi%0Aline']);
  });
});
