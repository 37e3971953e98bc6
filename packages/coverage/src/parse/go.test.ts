import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, parseText, summarize } from './test-support.js';

afterAll(cleanupTempDirs);

describe('Go coverprofile', () => {
  const cases: { name: string; profile: string; files: Partial<ReturnType<typeof summarize>>[]; warning?: RegExp }[] = [
    {
      name: 'set mode: blocks become lines, statements counted per block',
      profile: 'mode: set\nexample.com/m/a.go:3.10,5.2 2 1\nexample.com/m/a.go:7.2,7.15 1 0\n',
      files: [{ path: 'example.com/m/a.go', hitLines: [3, 4, 5], missedLines: [7], statements: '2/3' }],
    },
    {
      name: 'count mode, unsorted; a line in a hit and a missed block is hit',
      profile: 'mode: count\np/f.go:22.51,24.3 1 3\np/f.go:18.95,22.51 3 0\n',
      files: [{ hitLines: [22, 23, 24], missedLines: [18, 19, 20, 21], statements: '1/4' }],
    },
    {
      name: 'duplicate blocks from several packages (and concatenated profiles) are counted once, hit if any',
      profile: 'mode: atomic\nm/a.go:1.1,2.2 2 0\nm/a.go:1.1,2.2 2 5\nmode: atomic\nm/a.go:1.1,2.2 2 0\n',
      files: [{ hitLines: [1, 2], statements: '2/2' }],
    },
    {
      name: 'garbage and reversed ranges are skipped with a warning',
      profile: 'mode: set\nm/a.go:9.1,3.2 1 1\nnot a block\nm/a.go:1.1,1.9 1 1\n',
      files: [{ hitLines: [1], statements: '1/1' }],
      warning: /:2: block range 9\.\.3 is invalid/,
    },
    {
      name: 'module paths with dashes and Windows line ends',
      profile: 'mode: atomic\r\ngithub.com/evilmartians/lefthook-go/internal/log/log.go:47.20,58.2 1 1\r\n',
      files: [{ path: 'github.com/evilmartians/lefthook-go/internal/log/log.go', lines: '12/12' }],
    },
  ];

  it.each(cases)('$name', async ({ profile, files, warning }) => {
    const report = await parseText(profile);
    expect(report.format).toBe('go');
    expect(report.files.map(summarize)).toEqual(files.map((f) => expect.objectContaining(f)));
    if (warning) expect(report.warnings.some((w) => warning.test(w))).toBe(true);
  });

  it('a profile with only the mode line has no files (readCoverage then refuses it)', async () => {
    const report = await parseText('mode: set\n');
    expect(report.files).toEqual([]);
  });
});
