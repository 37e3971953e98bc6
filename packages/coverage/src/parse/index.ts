import { open } from 'node:fs/promises';
import { DETECT_HEAD_BYTES, detectFormat } from '../detect.js';
import { CoverageInputError } from './errors.js';
import { parseGo } from './go.js';
import { DEFAULT_MAX_JSON_BYTES, detectJsonFormat, parseJsonDocument, readJson } from './json-formats.js';
import { parseLcov } from './lcov.js';
import type { CoverageFormat, ParseOptions, ParsedReport } from './types.js';
import { parseClover, parseCobertura, parseJacoco, parseSonarGeneric } from './xml-formats.js';

const JSON_FORMATS: ReadonlySet<CoverageFormat> = new Set([
  'istanbul',
  'istanbul-summary',
  'jest',
  'coveragepy',
  'gcovr',
  'coveralls',
  'simplecov',
]);

/**
 * Reads one coverage report from disk, detects its format from the content and parses it. Big lcov, XML and Go
 * files are streamed; JSON formats are read whole up to `maxJsonBytes`.
 * @param path the report file.
 * @param options format override and JSON size cap.
 * @returns per-file coverage with paths as written in the report (normalize them with `normalizePath`).
 * @throws CoverageInputError naming the file (and line) with the fix, for missing, empty, malformed, unsupported or
 *   oversized reports.
 * @example const report = await parseCoverageFile('coverage/lcov.info');
 */
export async function parseCoverageFile(path: string, options: ParseOptions = {}): Promise<ParsedReport> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new CoverageInputError(
      path,
      code === 'ENOENT' ? 'file not found' : `cannot open (${code})`,
      'Check the `reports` input and that the test step wrote its coverage report before this step',
    );
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new CoverageInputError(path, 'is not a regular file', 'Point the gate at a coverage report file');
    }
    const head = Buffer.alloc(Math.min(DETECT_HEAD_BYTES, stat.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const detected = detectFormat(head.subarray(0, bytesRead));
    let format: CoverageFormat | 'json';
    if (options.format) format = options.format;
    else if (detected.kind === 'format') format = detected.format;
    else if (detected.kind === 'json') format = 'json';
    else if (detected.kind === 'empty') {
      throw new CoverageInputError(
        path,
        'empty coverage report',
        'Check that the tests ran with coverage enabled and wrote this file',
      );
    } else if (detected.kind === 'unsupported') {
      throw new CoverageInputError(path, `${detected.problem} (detected: ${detected.name})`, detected.fix);
    } else {
      throw new CoverageInputError(
        path,
        'not a recognized coverage report (expected lcov, Cobertura/Clover/JaCoCo/SonarQube XML, istanbul/coverage.py/gcovr/Coveralls/SimpleCov JSON, or a Go coverprofile)',
        'Point the gate at the coverage report, or produce lcov',
      );
    }
    switch (format) {
      case 'lcov':
        return await parseLcov(path, handle);
      case 'go':
        return await parseGo(path, handle);
      case 'cobertura':
        return await parseCobertura(path, handle);
      case 'clover':
        return await parseClover(path, handle);
      case 'jacoco':
        return await parseJacoco(path, handle);
      case 'sonarqube':
        return await parseSonarGeneric(path, handle);
      default: {
        const doc = await readJson(path, handle, stat.size, options.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES);
        const jsonFormat = format === 'json' ? detectJsonFormat(doc) : format;
        if (jsonFormat === 'unknown' || !JSON_FORMATS.has(jsonFormat)) {
          const keys = doc && typeof doc === 'object' ? Object.keys(doc).slice(0, 5).join(', ') : typeof doc;
          throw new CoverageInputError(
            path,
            `unrecognized JSON coverage format (top-level: ${keys || 'empty'})`,
            'Supported JSON: istanbul coverage-final.json / coverage-summary.json, jest --json, coverage.py `coverage json`, gcovr --json, Coveralls, SimpleCov .resultset.json; or produce lcov',
          );
        }
        return parseJsonDocument(path, doc, jsonFormat);
      }
    }
  } finally {
    await handle.close();
  }
}

export { CoverageInputError } from './errors.js';
export type { CoverageFormat, ParseOptions, ParsedReport } from './types.js';
