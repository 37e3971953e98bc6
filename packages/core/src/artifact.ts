import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { z } from 'zod';
import { GateError } from './errors.js';
import { locateJsonError } from './json-position.js';
import { GateReportSchema, type GateReport } from './report.js';
import { redact } from './secrets.js';

/** Largest artifact `mode: publish` reads (all report files together). */
export const ARTIFACT_MAX_BYTES = 5 * 1024 * 1024;
/** Most reports one artifact may carry (one sticky comment each). */
export const ARTIFACT_MAX_REPORTS = 20;
/** Report files in an artifact end with this. */
export const REPORT_SUFFIX = '.report.json';

/**
 * A file-name-safe name for a report: `<gate>[-<commentId>]` with anything outside `[A-Za-z0-9._-]` replaced.
 * @param report the report.
 * @returns e.g. `coverage-backend`.
 */
export function reportFileStem(report: Pick<GateReport, 'gate' | 'commentId'>): string {
  const stem = `${report.gate}${report.commentId ? `-${report.commentId}` : ''}`;
  return stem.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '_');
}

/**
 * Writes a report into an artifact directory for `actions/upload-artifact` (`mode: report`). The report already
 * carries the PR number and head SHA; `mode: publish` ignores both and asks GitHub instead.
 * @param report the validated report.
 * @param dir the artifact directory (created when missing).
 * @returns the path of the written file.
 */
export async function writeReportArtifact(report: GateReport, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${reportFileStem(report)}${REPORT_SUFFIX}`);
  await writeFile(file, `${redact(JSON.stringify(report, null, 2))}\n`);
  return file;
}

/**
 * Reads every `*.report.json` of a downloaded artifact as UNTRUSTED input: symlinks are refused, the total size is
 * capped, and each file must parse as JSON and validate against {@link GateReportSchema}.
 * @param dir the directory `actions/download-artifact` wrote to.
 * @returns the validated reports with their paths, in path order.
 * @throws GateError naming the file (and line for JSON syntax errors) and the fix.
 */
export async function readReportArtifact(dir: string): Promise<Array<{ file: string; report: GateReport }>> {
  const files: string[] = [];
  let total = 0;
  const walk = async (current: string, depth: number) => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      throw new GateError(`cannot read the report artifact directory: ${(error as Error).message}`, {
        fix: 'Download the artifact of the `mode: report` run into this directory first (actions/download-artifact with `run-id: ${{ github.event.workflow_run.id }}`), and pass the same path here.',
        file: current,
        cause: error,
      });
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(current, entry.name);
      const info = await lstat(path);
      if (info.isSymbolicLink())
        throw new GateError('the report artifact contains a symbolic link, which is never produced by `mode: report`', {
          fix: 'Upload only the directory written by `mode: report` (its `artifact-path` output).',
          file: path,
        });
      if (info.isDirectory()) {
        if (depth < 3) await walk(path, depth + 1);
        continue;
      }
      if (!entry.name.endsWith(REPORT_SUFFIX)) continue;
      total += info.size;
      if (total > ARTIFACT_MAX_BYTES)
        throw new GateError(`the report artifact is larger than ${ARTIFACT_MAX_BYTES / 1024 / 1024} MB`, {
          fix: 'Upload only the directory written by `mode: report`; a report is far smaller than this.',
          file: path,
        });
      files.push(path);
      if (files.length > ARTIFACT_MAX_REPORTS)
        throw new GateError(`the report artifact holds more than ${ARTIFACT_MAX_REPORTS} reports`, {
          fix: 'Upload one artifact per workflow run with the reports of that run only.',
          file: path,
        });
    }
  };
  await walk(dir, 0);
  if (files.length === 0)
    throw new GateError(`no *${REPORT_SUFFIX} file found in the report artifact`, {
      fix: 'Download the artifact uploaded after the `mode: report` step into this directory (actions/download-artifact with `run-id: ${{ github.event.workflow_run.id }}`).',
      file: dir,
    });
  const reports = [];
  for (const file of files)
    reports.push({
      file,
      report: parseReportFile(await readFile(file, 'utf8'), relative(process.cwd(), file) || file),
    });
  return reports;
}

/**
 * Parses and validates one report file.
 * @param text the file content.
 * @param file shown in errors.
 * @returns the validated report (defaults filled in).
 * @throws GateError with the file, line and offending field.
 */
export function parseReportFile(text: string, file: string): GateReport {
  let data: unknown;
  try {
    // Editors on Windows add a byte-order mark that JSON.parse rejects.
    data = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (error) {
    // Our own locator: Node's message has no position for many errors and quotes the (untrusted) content.
    const where = locateJsonError(text);
    throw new GateError(`not valid JSON: ${where ? `${where.message} at column ${where.column}` : 'syntax error'}`, {
      fix: 'The file must be the unmodified report written by `mode: report`.',
      file,
      line: where?.line,
      cause: error,
    });
  }
  const parsed = GateReportSchema.safeParse(data);
  if (!parsed.success)
    throw new GateError(`not a valid gate report: ${describeIssues(parsed.error.issues)}`, {
      fix: 'Produce the artifact with the same Myco Gates version in `mode: report`, and do not edit it.',
      file,
    });
  return parsed.data;
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return `${shown.join('; ')}${issues.length > 3 ? ` (and ${issues.length - 3} more problems)` : ''}`;
}
