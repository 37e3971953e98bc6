import type { FileHandle } from 'node:fs/promises';
import type { FileCoverage } from '../model.js';
import { FileBuilder, branchKey } from './builder.js';
import { CoverageInputError } from './errors.js';
import { parseCount, parseLineNumber } from './numbers.js';
import type { ParsedReport } from './types.js';
import { WarningSink } from './warnings.js';
import { parseXml, type XmlAttributes, type XmlHandler } from './xml.js';

/** Builders by path, in first-seen order; a file split over several elements (classes) is unioned. */
class BuilderMap {
  private readonly map = new Map<string, FileBuilder>();
  get(path: string): FileBuilder {
    let builder = this.map.get(path);
    if (!builder) {
      builder = new FileBuilder(path);
      this.map.set(path, builder);
    }
    return builder;
  }
  finish(): FileCoverage[] {
    return [...this.map.values()].map((b) => b.finish());
  }
  get size(): number {
    return this.map.size;
  }
}

/** Shared end of every XML parser: an XML file whose root we never saw is not a report of that format. */
function done(
  file: string,
  format: ParsedReport['format'],
  builders: BuilderMap,
  warnings: WarningSink,
  sawRoot: boolean,
  rootName: string,
  sourceRoots: string[] = [],
): ParsedReport {
  if (!sawRoot) {
    throw new CoverageInputError(
      file,
      `no <${rootName}> element found; this is not a ${format} report`,
      'Point the gate at the coverage report itself',
    );
  }
  return { file, format, files: builders.finish(), sourceRoots, warnings: warnings.finish() };
}

/**
 * Cobertura (coverage.py / pytest-cov, gcovr, coverlet, istanbul, scoverage, OpenCppCoverage …).
 * Lines: `<class><lines><line number hits>` (the class's list is the complete one; lines under `<method>` repeat
 * them, and istanbul puts the function's declaration line there, which is not a statement — they are used only when a
 * class has no class-level lines). Branches: `condition-coverage="50% (1/2)"` gives per-line counts; scoverage marks
 * each branch statement as its own `<line branch="true">` without condition-coverage, counted one branch each.
 * Functions: `<method>`, hit when its `hits` attribute (istanbul) or any of its lines is > 0. `<source>` roots are
 * returned for path normalization.
 */
export async function parseCobertura(file: string, handle: FileHandle): Promise<ParsedReport> {
  const warnings = new WarningSink(file);
  const builders = new BuilderMap();
  const sourceRoots: string[] = [];
  let sawRoot = false;
  let inSource = false;
  let sourceText = '';
  let current: FileBuilder | null = null;
  let classLines = 0;
  let methodLines: [number, boolean][] = [];
  let method: { key: string; hit: boolean } | null = null;
  // scoverage branch statements: per file and line, how many we have seen (their identity is the ordinal).
  let branchOrdinals = new Map<string, number>();
  const handler: XmlHandler = {
    wantText: () => inSource,
    text: (text) => {
      sourceText += text;
    },
    open(name: string, a: XmlAttributes, line: number) {
      switch (name) {
        case 'coverage':
          sawRoot = true;
          break;
        case 'source':
          inSource = true;
          sourceText = '';
          break;
        case 'class': {
          const filename = a.filename ?? a.name;
          if (!filename) {
            warnings.add('class', '<class> without a filename attribute skipped', line);
            current = null;
          } else current = builders.get(filename);
          classLines = 0;
          methodLines = [];
          break;
        }
        case 'method':
          if (current) {
            const hits = a.hits === undefined ? null : parseCount(a.hits);
            method = { key: `${a.name ?? ''}${a.signature ?? ''}`, hit: hits !== null && hits > 0 };
          }
          break;
        case 'line': {
          if (!current) break;
          const lineNo = parseLineNumber(a.number);
          const hits = parseCount(a.hits ?? '0');
          if (lineNo === null || hits === null) {
            if (a.number?.trim() !== '0') {
              warnings.add('line', `<line number="${a.number}" hits="${a.hits}"> is not numeric; skipped`, line);
            }
            break;
          }
          if (method) {
            if (hits > 0) method.hit = true;
            methodLines.push([lineNo, hits > 0]);
            break;
          }
          classLines++;
          current.line(lineNo, hits > 0);
          if (a.branch?.toLowerCase() !== 'true') break;
          const condition = a['condition-coverage'];
          if (condition) {
            const m = /\((\d+)\s*\/\s*(\d+)\)/.exec(condition);
            if (m && Number(m[1]) <= Number(m[2])) current.lineBranches(lineNo, Number(m[2]), Number(m[1]));
            else warnings.add('condition', `condition-coverage="${condition}" not understood; skipped`, line);
          } else {
            const ordinalKey = `${current.path}\u0000${lineNo}`;
            const ordinal = branchOrdinals.get(ordinalKey) ?? 0;
            branchOrdinals.set(ordinalKey, ordinal + 1);
            current.branch(lineNo, branchKey(1, ordinal), hits > 0);
          }
          break;
        }
      }
    },
    close(name: string) {
      if (name === 'source') {
        inSource = false;
        const root = sourceText.trim();
        if (root !== '') sourceRoots.push(root);
      } else if (name === 'method' && method && current) {
        current.functionHit(method.key, method.hit);
        method = null;
      } else if (name === 'class' && current) {
        if (classLines === 0) for (const [lineNo, hit] of methodLines) current.line(lineNo, hit);
        current = null;
      }
    },
  };
  await parseXml(file, handle, handler);
  branchOrdinals = new Map();
  return done(file, 'cobertura', builders, warnings, sawRoot, 'coverage', sourceRoots);
}

interface CondLine {
  line: number;
  trueCount: number;
  falseCount: number;
}

/**
 * Clover (OpenClover, PHPUnit, istanbul, gcovr). Lines: `type="stmt"` and `type="cond"`; functions: `type="method"`
 * (when a file has no method lines, its `<metrics methods coveredmethods>` counts are used). Branches of a cond line:
 * istanbul writes truecount = covered branches, falsecount = uncovered ones, while OpenClover writes how often the
 * condition was true/false (2 branches). We tell them apart per file by the file's `<metrics conditionals>`: when
 * is exactly two per cond line (and not the sum of the counts) it is OpenClover's meaning, otherwise istanbul's.
 * The branch totals come from the file's `<metrics conditionals coveredconditionals>` when present: istanbul's
 * writer drops branches on lines without statements from the per-line data (vitest v8: 6480 of 8160), so the
 * per-line cond data only feeds `branchLines`.
 */
export async function parseClover(file: string, handle: FileHandle): Promise<ParsedReport> {
  const warnings = new WarningSink(file);
  const builders = new BuilderMap();
  let sawRoot = false;
  let current: FileBuilder | null = null;
  let depthInFile = 0;
  let conds: CondLine[] = [];
  let fileConditionals: number | null = null;
  let fileCoveredConditionals: number | null = null;
  let fileMethods: { found: number; hit: number } | null = null;
  let methodLines = 0;
  const branchTotals = new Map<string, { found: number; hit: number }>();
  const handler: XmlHandler = {
    open(name: string, a: XmlAttributes, line: number) {
      if (current) depthInFile++;
      if (name === 'coverage') sawRoot = true;
      else if (name === 'file') {
        const path = a.path ?? a.name;
        if (!path) {
          warnings.add('file', '<file> without a name or path skipped', line);
          return;
        }
        current = builders.get(path);
        depthInFile = 0;
        conds = [];
        fileConditionals = null;
        fileCoveredConditionals = null;
        fileMethods = null;
        methodLines = 0;
      } else if (current && name === 'metrics' && depthInFile === 1) {
        fileConditionals = parseCount(a.conditionals);
        fileCoveredConditionals = parseCount(a.coveredconditionals);
        const methods = parseCount(a.methods);
        const covered = parseCount(a.coveredmethods);
        if (methods !== null && covered !== null) fileMethods = { found: methods, hit: Math.min(covered, methods) };
      } else if (current && name === 'line') {
        const lineNo = parseLineNumber(a.num);
        const count = parseCount(a.count ?? '0');
        if (lineNo === null || count === null) {
          warnings.add('line', `<line num="${a.num}" count="${a.count}"> is not numeric; skipped`, line);
          return;
        }
        const type = a.type ?? 'stmt';
        if (type === 'method') {
          methodLines++;
          current.functionHit(`${lineNo}:${a.name ?? a.signature ?? ''}`, count > 0);
          return;
        }
        current.line(lineNo, count > 0);
        if (type === 'cond') {
          const trueCount = parseCount(a.truecount ?? '0');
          const falseCount = parseCount(a.falsecount ?? '0');
          if (trueCount === null || falseCount === null) {
            warnings.add('cond', `<line num="${lineNo}" type="cond"> has non-numeric true/false counts`, line);
          } else conds.push({ line: lineNo, trueCount, falseCount });
        }
      }
    },
    close(name: string) {
      if (!current) return;
      if (name === 'file' && depthInFile === 0) {
        const sum = conds.reduce((s, c) => s + c.trueCount + c.falseCount, 0);
        const openCloverMeaning = fileConditionals === 2 * conds.length && sum !== fileConditionals;
        for (const c of conds) {
          if (!openCloverMeaning) current.lineBranches(c.line, c.trueCount + c.falseCount, c.trueCount);
          else {
            current.branch(c.line, branchKey(0, 1), c.trueCount > 0);
            current.branch(c.line, branchKey(0, 0), c.falseCount > 0);
          }
        }
        if (methodLines === 0 && fileMethods) {
          const methods: { found: number; hit: number } = fileMethods;
          for (let i = 0; i < methods.found; i++) current.functionHit(`#metrics${i}`, i < methods.hit);
        }
        if (fileConditionals !== null && fileCoveredConditionals !== null && fileConditionals > 0) {
          branchTotals.set(current.path, {
            found: fileConditionals,
            hit: Math.min(fileCoveredConditionals, fileConditionals),
          });
        }
        current = null;
        return;
      }
      depthInFile--;
    },
  };
  await parseXml(file, handle, handler);
  const report = done(file, 'clover', builders, warnings, sawRoot, 'coverage');
  for (const result of report.files) {
    const totals = branchTotals.get(result.path);
    if (totals) result.branches = totals;
  }
  return report;
}

/**
 * JaCoCo XML. Path = package name + '/' + sourcefile name. Lines: `<line nr mi ci mb cb>` (executable when mi+ci > 0,
 * hit when ci > 0; branches mb+cb found, cb hit). Functions from the sourcefile's METHOD counter (no identity).
 * gcovr's JaCoCo writer omits mi/ci; then the sourcefile's LINE counter gives the line counts (no per-line data).
 */
export async function parseJacoco(file: string, handle: FileHandle): Promise<ParsedReport> {
  const warnings = new WarningSink(file);
  const builders = new BuilderMap();
  let sawRoot = false;
  let packageName = '';
  let current: FileBuilder | null = null;
  let linesWithoutCounts = 0;
  let lineCounter: { found: number; hit: number } | null = null;
  const handler: XmlHandler = {
    open(name: string, a: XmlAttributes, line: number) {
      if (name === 'report') sawRoot = true;
      else if (name === 'package') packageName = (a.name ?? '').replace(/\\/g, '/').replace(/\/+$/, '');
      else if (name === 'sourcefile') {
        const base = a.name ?? '';
        if (base === '') {
          warnings.add('sourcefile', '<sourcefile> without a name skipped', line);
          return;
        }
        current = builders.get(packageName ? `${packageName}/${base}` : base);
        linesWithoutCounts = 0;
        lineCounter = null;
      } else if (current && name === 'line') {
        const lineNo = parseLineNumber(a.nr);
        if (lineNo === null) {
          warnings.add('line', `<line nr="${a.nr}"> is not a line number; skipped`, line);
          return;
        }
        const mi = a.mi === undefined ? null : parseCount(a.mi);
        const ci = a.ci === undefined ? null : parseCount(a.ci);
        const mb = parseCount(a.mb ?? '0') ?? 0;
        const cb = parseCount(a.cb ?? '0') ?? 0;
        if (mi === null && ci === null) linesWithoutCounts++;
        else if ((mi ?? 0) + (ci ?? 0) > 0) current.line(lineNo, (ci ?? 0) > 0);
        if (mb + cb > 0) current.lineBranches(lineNo, mb + cb, cb);
      } else if (current && name === 'counter') {
        const missed = parseCount(a.missed);
        const covered = parseCount(a.covered);
        if (missed === null || covered === null) {
          warnings.add('counter', `<counter type="${a.type}"> has non-numeric values; ignored`, line);
          return;
        }
        if (a.type === 'METHOD') {
          for (let i = 0; i < missed + covered; i++) current.functionHit(`#method${i}`, i < covered);
        } else if (a.type === 'LINE') lineCounter = { found: missed + covered, hit: covered };
      }
    },
    close(name: string) {
      if (name === 'sourcefile' && current) {
        if (linesWithoutCounts > 0 && current.maxLine === 0 && lineCounter) {
          current.lineCounts = lineCounter;
          warnings.add('no-ci', `<line> elements lack mi/ci in ${current.path}; using its LINE counter`);
        }
        current = null;
      } else if (name === 'package') packageName = '';
    },
  };
  await parseXml(file, handle, handler);
  return done(file, 'jacoco', builders, warnings, sawRoot, 'report');
}

/** SonarQube generic test coverage XML: `<file path><lineToCover lineNumber covered branchesToCover coveredBranches>`. */
export async function parseSonarGeneric(file: string, handle: FileHandle): Promise<ParsedReport> {
  const warnings = new WarningSink(file);
  const builders = new BuilderMap();
  let sawRoot = false;
  let current: FileBuilder | null = null;
  const handler: XmlHandler = {
    open(name: string, a: XmlAttributes, line: number) {
      if (name === 'coverage') sawRoot = true;
      else if (name === 'file') current = a.path ? builders.get(a.path) : null;
      else if (current && name === 'lineToCover') {
        const lineNo = parseLineNumber(a.lineNumber);
        if (lineNo === null || (a.covered !== 'true' && a.covered !== 'false')) {
          warnings.add('line', `<lineToCover lineNumber="${a.lineNumber}" covered="${a.covered}"> skipped`, line);
          return;
        }
        current.line(lineNo, a.covered === 'true');
        const toCover = parseCount(a.branchesToCover ?? '0') ?? 0;
        const covered = parseCount(a.coveredBranches ?? '0') ?? 0;
        if (toCover > 0) current.lineBranches(lineNo, toCover, Math.min(covered, toCover));
      }
    },
    close(name: string) {
      if (name === 'file') current = null;
    },
  };
  await parseXml(file, handle, handler);
  return done(file, 'sonarqube', builders, warnings, sawRoot, 'coverage');
}
