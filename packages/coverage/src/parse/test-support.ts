import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineCounter, type FileCoverage } from '../model.js';
import { parseCoverageFile } from './index.js';
import type { ParseOptions, ParsedReport } from './types.js';

/** Test-only: a temporary directory removed by {@link cleanupTempDirs}. */
const dirs: string[] = [];

/**
 * Writes content to a fresh temporary file (test helper).
 * @returns the file path.
 */
export function tempFile(content: string | Buffer, name = 'report'): string {
  const dir = mkdtempSync(join(tmpdir(), 'myco-cov-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Removes every directory made by {@link tempFile} (call in afterAll). */
export function cleanupTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Parses inline report text through the public entry point (detection included). */
export async function parseText(content: string | Buffer, options?: ParseOptions): Promise<ParsedReport> {
  return parseCoverageFile(tempFile(content), options);
}

/** A compact, comparable view of one file's coverage for table-driven assertions. */
export interface Summary {
  path: string;
  hitLines: number[];
  missedLines: number[];
  lines: string;
  branches: string | null;
  functions: string | null;
  statements: string | null;
}

const pair = (c: { found: number; hit: number } | null | undefined): string | null =>
  c ? `${c.hit}/${c.found}` : null;

/** Summarizes a file: hit and missed line numbers and hit/found strings per metric. */
export function summarize(file: FileCoverage): Summary {
  const hitLines: number[] = [];
  const missedLines: number[] = [];
  file.lines.forEach((status, line) => {
    if (status === 2) hitLines.push(line);
    else if (status === 1) missedLines.push(line);
  });
  return {
    path: file.path,
    hitLines,
    missedLines,
    lines: pair(lineCounter(file))!,
    branches: pair(file.branches),
    functions: pair(file.functions),
    statements: pair(file.statements),
  };
}
