import { afterAll, describe, expect, it } from 'vitest';
import { newFileCoverageFrom } from '../model.js';
import { cleanupTempDirs, parseText, summarize } from './test-support.js';

afterAll(cleanupTempDirs);

describe('XML coverage formats', () => {
  const cases: {
    name: string;
    xml: string;
    format: string;
    files: Partial<ReturnType<typeof summarize>>[];
    sourceRoots?: string[];
  }[] = [
    {
      name: 'Cobertura (coverage.py) with sources, condition-coverage and a partial branch',
      format: 'cobertura',
      xml: `<?xml version="1.0" ?>
<coverage version="7.4" line-rate="0.75" branch-rate="0.5">
  <sources><source>/home/runner/work/app/app/src</source></sources>
  <packages><package name="app"><classes>
    <class name="a.py" filename="app/a.py" line-rate="0.75">
      <methods/>
      <lines>
        <line number="1" hits="1"/>
        <line number="2" hits="3" branch="true" condition-coverage="50% (1/2)" missing-branches="4"/>
        <line number="4" hits="0"/>
        <line number="5" hits="1"/>
      </lines>
    </class>
  </classes></package></packages>
</coverage>`,
      sourceRoots: ['/home/runner/work/app/app/src'],
      files: [{ path: 'app/a.py', hitLines: [1, 2, 5], missedLines: [4], branches: '1/2', functions: null }],
    },
    {
      name: 'Cobertura (istanbul): method lines are declarations, not statements; method hits attribute',
      format: 'cobertura',
      xml: `<coverage lines-valid="2"><packages><package name="p"><classes><class name="x.js" filename="src/x.js">
<methods><method name="f" hits="0" signature="()V"><lines><line number="9" hits="0"/></lines></method>
<method name="g" hits="2" signature="()V"><lines><line number="3" hits="2"/></lines></method></methods>
<lines><line number="4" hits="2" branch="True" condition-coverage="100% (2/2)"/><line number="10" hits="0"/></lines>
</class></classes></package></packages></coverage>`,
      files: [{ path: 'src/x.js', hitLines: [4], missedLines: [10], branches: '2/2', functions: '1/2' }],
    },
    {
      name: 'Cobertura (scoverage): one branch per <line branch="true">; classes of one file unioned',
      format: 'cobertura',
      xml: `<coverage><packages><package name="p"><classes>
<class name="A" filename="S.scala"><lines><line number="12" hits="1" branch="true"/><line number="12" hits="0" branch="true"/></lines></class>
<class name="B" filename="S.scala"><lines><line number="15" hits="0" branch="false"/><line number="12" hits="0" branch="true"/></lines></class>
</classes></package></packages></coverage>`,
      files: [{ path: 'S.scala', hitLines: [12], missedLines: [15], branches: '1/3' }],
    },
    {
      name: 'Cobertura one-line document with Windows filenames and line 0 ignored',
      format: 'cobertura',
      xml: '<coverage line-rate="0"><packages><package name="x"><classes><class name="c" filename="C:\\src\\a.h"><lines><line number="0" hits="1"/><line number="1" hits="0"/></lines></class></classes></package></packages></coverage>',
      files: [{ path: 'C:\\src\\a.h', lines: '0/1' }],
    },
    {
      name: 'Clover (istanbul): cond truecount/falsecount are covered/uncovered; metrics give branch and method totals',
      format: 'clover',
      xml: `<coverage generated="1" clover="3.2.0"><project timestamp="1" name="All files">
<metrics statements="3" coveredstatements="2"/>
<file name="a.ts" path="/ws/src/a.ts"><metrics statements="3" coveredstatements="2" conditionals="5" coveredconditionals="2" methods="2" coveredmethods="1"/>
<line num="1" count="1" type="stmt"/><line num="2" count="4" type="cond" truecount="1" falsecount="2"/><line num="3" count="0" type="stmt"/>
</file></project></coverage>`,
      files: [{ path: '/ws/src/a.ts', hitLines: [1, 2], missedLines: [3], branches: '2/5', functions: '1/2' }],
    },
    {
      name: 'Clover (PHPUnit): method lines are functions, not lines',
      format: 'clover',
      xml: `<coverage generated="1"><project timestamp="1"><file name="/w/A.php"><class name="A"><metrics methods="2" coveredmethods="1"/></class>
<line num="5" type="method" name="run" count="3"/><line num="6" type="stmt" count="3"/><line num="9" type="method" name="stop" count="0"/><line num="10" type="stmt" count="0"/>
</file></project></coverage>`,
      files: [{ path: '/w/A.php', hitLines: [6], missedLines: [10], functions: '1/2', branches: null }],
    },
    {
      name: 'Clover (OpenClover): cond lines carry true/false counts, 2 branches each',
      format: 'clover',
      xml: `<coverage clover="4.4.1"><project><package name="p"><file name="A.java" path="src/A.java"><metrics conditionals="4" coveredconditionals="3"/>
<line num="3" count="5" type="cond" truecount="5" falsecount="0"/><line num="7" count="2" type="cond" truecount="1" falsecount="1"/></file></package></project></coverage>`,
      files: [{ path: 'src/A.java', hitLines: [3, 7], branches: '3/4' }],
    },
    {
      name: 'JaCoCo: package + sourcefile path, mi/ci/mb/cb, METHOD counter; DTD reference ignored',
      format: 'jacoco',
      xml: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="r">
<package name="com/acme"><class name="com/acme/A" sourcefilename="A.java"><counter type="METHOD" missed="9" covered="9"/></class>
<sourcefile name="A.java"><line nr="3" mi="0" ci="3" mb="0" cb="0"/><line nr="9" mi="0" ci="6" mb="2" cb="2"/><line nr="11" mi="5" ci="0" mb="0" cb="0"/><line nr="12" mi="0" ci="0"/>
<counter type="LINE" missed="1" covered="2"/><counter type="METHOD" missed="1" covered="2"/></sourcefile></package></report>`,
      files: [{ path: 'com/acme/A.java', hitLines: [3, 9], missedLines: [11], branches: '2/4', functions: '2/3' }],
    },
    {
      name: 'JaCoCo (gcovr writer, no mi/ci): LINE counter gives the line totals',
      format: 'jacoco',
      xml: `<report name="GCOVR report"><package name=""><sourcefile name="main.cpp"><line nr="8"/><line nr="9"/><line nr="54" mb="3" cb="3"/>
<counter type="LINE" missed="7" covered="31"/><counter type="BRANCH" missed="3" covered="3"/><counter type="METHOD" missed="0" covered="7"/></sourcefile></package></report>`,
      files: [{ path: 'main.cpp', lines: '31/38', branches: '3/6', functions: '7/7' }],
    },
    {
      name: 'SonarQube generic coverage: repeated lines union, branches per line',
      format: 'sonarqube',
      xml: `<coverage version="1"><file path="src/a.c"><lineToCover lineNumber="3" covered="false"/><lineToCover lineNumber="3" covered="true"/>
<lineToCover lineNumber="5" covered="false" branchesToCover="4" coveredBranches="1"/></file></coverage>`,
      files: [{ path: 'src/a.c', hitLines: [3], missedLines: [5], branches: '1/4' }],
    },
  ];

  it.each(cases)('$name', async ({ xml, format, files, sourceRoots }) => {
    const report = await parseText(xml);
    expect(report.format).toBe(format);
    expect(report.files.map(summarize)).toEqual(files.map((f) => expect.objectContaining(f)));
    if (sourceRoots) expect(report.sourceRoots).toEqual(sourceRoots);
  });

  it('exposes per-line branch counts lazily and consistently with the totals', async () => {
    const report = await parseText(
      '<coverage><packages><package><classes><class filename="a.py"><lines><line number="2" hits="1" branch="true" condition-coverage="33% (1/3)"/><line number="7" hits="1" branch="true" condition-coverage="100% (2/2)"/></lines></class></classes></package></packages></coverage>',
    );
    const file = report.files[0]!;
    expect(file.branchLines).toEqual(
      new Map([
        [2, [3, 1]],
        [7, [2, 2]],
      ]),
    );
    expect(newFileCoverageFrom('b.py', file).branchLines).toEqual(file.branchLines);
  });

  const bad: { name: string; xml: string; message: RegExp }[] = [
    {
      name: 'garbage hits skip the line with a warning',
      xml: '<coverage><packages><package><classes><class filename="a"><lines><line number="1" hits="x"/><line number="2" hits="1"/></lines></class></classes></package></packages></coverage>',
      message: /hits="x"> is not numeric; skipped/,
    },
    {
      name: 'condition-coverage nonsense',
      xml: '<coverage><packages><package><classes><class filename="a"><lines><line number="1" hits="1" branch="true" condition-coverage="(3/2)"/></lines></class></classes></package></packages></coverage>',
      message: /condition-coverage="\(3\/2\)" not understood/,
    },
  ];

  it.each(bad)('$name', async ({ xml, message }) => {
    const report = await parseText(xml);
    expect(report.warnings.some((w) => message.test(w))).toBe(true);
  });

  it.each([
    [
      'OpenCover',
      '<?xml version="1.0"?><CoverageSession><Modules/></CoverageSession>',
      /OpenCover XML is not supported.*Cobertura/,
    ],
    ['unknown XML', '<html><body/></html>', /unrecognized XML coverage format \(root element <html>\)/],
    ['JaCoCo root missing', '<report', /ends inside a tag/],
  ])('rejects %s with one clear error', async (_name, xml, message) => {
    await expect(parseText(xml)).rejects.toThrow(message);
  });
});
