import { afterAll, describe, expect, it } from 'vitest';
import { totals } from '../merge.js';
import { CoverageInputError } from './errors.js';
import { cleanupTempDirs, parseText, summarize, tempFile } from './test-support.js';
import { parseCoverageFile } from './index.js';

afterAll(cleanupTempDirs);

describe('lcov parser', () => {
  const cases: {
    name: string;
    input: string;
    files: Partial<ReturnType<typeof summarize>>[];
    warnings?: RegExp[];
  }[] = [
    {
      name: 'lcov 1.x basic record',
      input:
        'TN:\nSF:src/a.ts\nFN:1,f\nFNDA:2,f\nFNF:1\nFNH:1\nDA:1,2\nDA:2,0\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nLF:2\nLH:1\nend_of_record\n',
      files: [
        {
          path: 'src/a.ts',
          hitLines: [1],
          missedLines: [2],
          lines: '1/2',
          branches: '1/2',
          functions: '1/1',
          statements: null,
        },
      ],
    },
    {
      name: 'negative counts are 0 hits (Codecov), -0 too',
      input: 'SF:file.js\nDA:1,1\nDA:2,2\nDA:3,0\nDA:4,-1\nDA:5,-5\nDA:6,-20\nDA:7,-0\nend_of_record\n',
      files: [{ hitLines: [1, 2], missedLines: [3, 4, 5, 6, 7], lines: '2/7' }],
    },
    {
      name: 'uint64 max (wrapped -1) reads as a huge count: hit, like the Coveralls reporter',
      input: 'SF:a.js\nDA:13,18446744073709551615\nDA:14,0\nend_of_record\n',
      files: [{ hitLines: [13], missedLines: [14] }],
    },
    {
      name: 'floats and scientific notation are numbers; garbage skips the record with a warning',
      input: 'SF:a.cpp\nDA:1,1e+0\nDA:2,1.0e+19\nDA:3,0.0\nDA:10,1.a0e+19\nDA:11,1.67+20\nend_of_record\n',
      files: [{ hitLines: [1, 2], missedLines: [3], lines: '2/3' }],
      warnings: [/:5: DA record with a non-numeric execution count skipped/, /:6: DA record/],
    },
    {
      name: 'duplicate DA lines union (hit wins), checksums ignored',
      input: 'SF:a\nDA:46,0\nDA:46,0\nDA:47,0,abc123\nDA:47,3,abc123\nend_of_record\n',
      files: [{ hitLines: [47], missedLines: [46], lines: '1/2' }],
    },
    {
      name: 'the same SF in two records is unioned',
      input:
        'SF:a\nDA:1,0\nBRDA:1,0,0,0\nFN:1,f\nFNDA:0,f\nend_of_record\nSF:b\nDA:1,1\nend_of_record\nSF:a\nDA:1,4\nDA:2,0\nBRDA:1,0,0,1\nFNDA:1,f\nend_of_record\n',
      files: [
        { path: 'a', hitLines: [1], missedLines: [2], branches: '1/1', functions: '1/1' },
        { path: 'b', lines: '1/1' },
      ],
    },
    {
      name: 'SF with leading space, Windows path, CRLF line ends and no final newline',
      input: 'SF: test.cpp \r\nDA:1,1\r\nend_of_record\r\nSF:C:\\temp\\A.cs\r\nDA:2,0\r\nend_of_record',
      files: [
        { path: 'test.cpp', lines: '1/1' },
        { path: 'C:\\temp\\A.cs', lines: '0/1' },
      ],
    },
    {
      name: 'empty SF record is skipped with a warning',
      input: 'SF:a\nDA:1,1\nend_of_record\nSF:\nDA:5,1\nFNF:0\nend_of_record\n',
      files: [{ path: 'a', lines: '1/1' }],
      warnings: [/:4: record with an empty SF: path skipped/],
    },
    {
      name: "BRDA: '-' is found-not-taken; 5-field expression form; exception blocks; coverage.py text branches",
      input:
        "SF:t.cpp\nBRDA:15,e0,0,1\nBRDA:15,e0,1,0\nBRDA:40,0,0,condition,1\nBRDA:40,0,1,!condition,0\nBRDA:42,0,0,-\nBRDA:2,0,jump to line 3,-\nBRDA:2,0,return from function 'foo',2\nend_of_record\n",
      files: [{ branches: '3/7' }],
    },
    {
      name: 'duplicate BRDA identities union; line 0 dropped',
      input: 'SF:a\nBRDA:1,2,1,1.67e+20\nBRDA:1,2,1,0\nBRDA:1,1,1,-1\nBRDA:0,1,0,1\nend_of_record\n',
      files: [{ branches: '1/2' }],
    },
    {
      name: 'FN names with commas and generics; lcov 2 FN:start,end,name',
      input:
        'SF:a.cs\nFN:37,System.String T::Do(System.String,System.Int32)\nFNDA:3,System.String T::Do(System.String,System.Int32)\nFN:12,45,main\nFNDA:0,main\nend_of_record\n',
      files: [{ functions: '1/2' }],
    },
    {
      name: 'lcov 2 FNL/FNA: aliases of one function index count once',
      input: 'SF:a.cpp\nFNL:0,10,20\nFNA:0,0,ctorC1\nFNA:0,4,ctorC2\nFNL:1,30\nFNA:1,0,other\nend_of_record\n',
      files: [{ functions: '1/2' }],
    },
    {
      name: 'MCDC, VER, comments and declared totals are ignored (totals are counted, not trusted)',
      input:
        'VER:2.0\n# comment\nSF:a\nDA:1,1\nMCDC:1,2,t,1,0,a && b\nLF:99\nLH:98\nBRF:7\nBRH:4\nFNF:9\nFNH:9\nend_of_record\n',
      files: [{ lines: '1/1', branches: null, functions: null }],
    },
    {
      name: "Codecov's corrupt records are skipped, not fatal",
      input:
        'TN:\nSF:foo.cpp\n\nDA:1,1\n\nDA:DA:130,0\nDA:0,\nDA:,0\nDA:\nDA:not_int,123\nDA:123,not_decimal\n\nFN:just_a_name_no_line\n\nend_of_record\n',
      files: [{ path: 'foo.cpp', hitLines: [1], missedLines: [], functions: null }],
      warnings: [/DA record/],
    },
    {
      name: 'records before any SF are ignored with a warning',
      input: 'DA:1,1\nSF:a\nDA:2,1\nend_of_record\n',
      files: [{ path: 'a', hitLines: [2] }],
      warnings: [/:1: record outside an SF: section ignored/],
    },
    {
      name: 'out-of-range line numbers are skipped, not allocated',
      input: 'SF:a\nDA:2000000000,1\nDA:3,1\nend_of_record\n',
      files: [{ lines: '1/1' }],
      warnings: [/line number 2000000000 out of range/],
    },
  ];

  it.each(cases)('$name', async ({ input, files, warnings }) => {
    const report = await parseText(input);
    expect(report.format).toBe('lcov');
    expect(report.files.map(summarize)).toEqual(files.map((f) => expect.objectContaining(f)));
    for (const pattern of warnings ?? []) expect(report.warnings.some((w) => pattern.test(w))).toBe(true);
    if (!warnings) expect(report.warnings).toEqual([]);
  });

  it('never lets NaN into totals, whatever the numbers', async () => {
    const report = await parseText(
      'SF:a\nDA:1,NaN\nDA:2,Infinity\nDA:3,1e999\nDA:4,0x10\nBRDA:1,0,0,NaN\nFNDA:NaN,f\nend_of_record\n',
    );
    const t = totals(report.files);
    for (const counter of Object.values(t)) {
      if (counter) {
        expect(Number.isFinite(counter.found)).toBe(true);
        expect(Number.isFinite(counter.hit)).toBe(true);
      }
    }
    expect(report.warnings.length).toBeGreaterThan(0);
  });

  it('parses records that straddle the 4 MB read buffer boundary', async () => {
    const records: string[] = [];
    for (let f = 0; f < 3000; f++) {
      let s = `SF:src/f${f}.ts\n`;
      for (let l = 1; l <= 200; l++) s += `DA:${l},${(l + f) % 3}\n`;
      records.push(`${s}end_of_record\n`);
    }
    const text = records.join('');
    expect(text.length).toBeGreaterThan(4 * 1024 * 1024);
    const report = await parseText(text);
    expect(report.files).toHaveLength(3000);
    let expectedHit = 0;
    for (let f = 0; f < 3000; f++) for (let l = 1; l <= 200; l++) if ((l + f) % 3 !== 0) expectedHit++;
    expect(totals(report.files).lines).toEqual({ found: 600_000, hit: expectedHit });
  });

  const errors: { name: string; input: string | Buffer; message: RegExp }[] = [
    { name: 'empty file', input: '', message: /empty coverage report/ },
    { name: 'whitespace only', input: '\n\n  \n', message: /empty coverage report/ },
    {
      name: 'only empty SF records',
      input: 'TN:\nSF:\nDA:1,1\nend_of_record\n',
      message: /every lcov record has an empty SF/,
    },
    { name: 'not a report', input: 'hello world\nthis is text\n', message: /not a recognized coverage report/ },
    {
      name: 'a source file that quotes some lcov',
      input: `def test():\n${'    x = 1\n'.repeat(30)}    txt = """\nSF:a.js\nDA:1,1\nend_of_record\n"""\n`,
      message: /:1: not an lcov tracefile: \d+ of \d+ non-empty lines are not lcov records \(first at line 1\)/,
    },
    { name: 'binary data', input: Buffer.from([0x43, 0x4f, 0x56, 0x00, 0x01, 0x02]), message: /binary file/ },
  ];

  it.each(errors)('rejects $name with one error naming the file', async ({ input, message }) => {
    const path = tempFile(input);
    const error = await parseCoverageFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoverageInputError);
    expect((error as CoverageInputError).message).toMatch(message);
    expect((error as CoverageInputError).message.startsWith(path)).toBe(true);
    expect((error as CoverageInputError).fix.length).toBeGreaterThan(10);
  });

  it('reports a missing file as CoverageInputError', async () => {
    await expect(parseCoverageFile('/nonexistent/lcov.info')).rejects.toThrow(/nonexistent\/lcov.info: file not found/);
  });
});
