import type { CoverageFormat } from './parse/types.js';

/** What the first bytes of a file say it is. `json` is refined by structure after parsing. */
export type DetectedKind =
  | { kind: 'format'; format: CoverageFormat }
  | { kind: 'json' }
  | { kind: 'empty' }
  | { kind: 'unsupported'; name: string; problem: string; fix: string }
  | { kind: 'unknown' };

/** How many bytes of the head {@link detectFormat} needs. */
export const DETECT_HEAD_BYTES = 64 * 1024;

const LCOV_RECORD_RE = /^[ \t]*(TN:|SF:|DA:\d|FN:\d|FNDA:|FNL:|BRDA:|VER:|end_of_record\b)/m;
const ROOT_RE = /<(?![?!/])([A-Za-z_][\w.:-]*)([^>]*)>?/;

/**
 * Detects a coverage report's format from its content (never its name: `coverage.xml` is Cobertura from coverage.py
 * and Clover from PHPUnit; `coverage.json` is three different things).
 * @param head the first bytes of the file (up to {@link DETECT_HEAD_BYTES}).
 * @returns the format, `json` (structure decides), `empty`, an unsupported format with advice, or `unknown`.
 * @example detectFormat(Buffer.from('TN:\nSF:a.ts\n')) // { kind: 'format', format: 'lcov' }
 */
export function detectFormat(head: Buffer): DetectedKind {
  if (head.includes(0)) {
    return {
      kind: 'unsupported',
      name: 'binary coverage data',
      problem:
        'this is a binary file, not a coverage report (raw data such as jacoco.exec, .profraw, .gcda or Go covdata)',
      fix: 'Convert it to a report first: `jacococli report --xml`, `llvm-cov export -format=lcov`, `lcov --capture` / gcovr, or `go tool covdata textfmt`',
    };
  }
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trimStart();
  if (trimmed === '') return { kind: 'empty' };
  const first = trimmed[0];
  if (first === '<') return detectXml(trimmed);
  if (first === '{' || first === '[') return { kind: 'json' };
  if (/^mode:\s*(set|count|atomic)\b/.test(trimmed)) return { kind: 'format', format: 'go' };
  if (LCOV_RECORD_RE.test(trimmed)) return { kind: 'format', format: 'lcov' };
  return { kind: 'unknown' };
}

function detectXml(text: string): DetectedKind {
  // Skip the prolog (declaration, comments, DOCTYPE) to find the root element.
  const body = text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^[>]*(\[[\s\S]*?\])?\s*>/gi, '');
  const root = ROOT_RE.exec(body);
  if (!root) return { kind: 'unknown' };
  const name = root[1]!;
  const attributes = root[2] ?? '';
  if (name === 'coverage') {
    if (/\bclover="/.test(attributes) || /<project[\s>]/.test(body)) return { kind: 'format', format: 'clover' };
    if (/<packages[\s>]|<sources[\s>]|line-rate=/.test(body)) return { kind: 'format', format: 'cobertura' };
    if (/<file\s[^>]*path=/.test(body) || /\bversion="1"/.test(attributes))
      return { kind: 'format', format: 'sonarqube' };
    return { kind: 'format', format: 'cobertura' };
  }
  if (name === 'report') return { kind: 'format', format: 'jacoco' };
  if (name === 'CoverageSession') {
    return {
      kind: 'unsupported',
      name: 'OpenCover XML',
      problem: 'OpenCover XML is not supported',
      fix: 'Produce Cobertura instead (coverlet: `--collect "XPlat Code Coverage"` or `/p:CoverletOutputFormat=cobertura`; or convert with ReportGenerator `-reporttypes:Cobertura`)',
    };
  }
  return {
    kind: 'unsupported',
    name: `XML <${name}>`,
    problem: `unrecognized XML coverage format (root element <${name}>)`,
    fix: 'Supported XML formats are Cobertura, Clover, JaCoCo and SonarQube generic coverage; or produce lcov',
  };
}
