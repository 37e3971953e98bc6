import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { FileBuilder } from './builder.js';
import { CoverageInputError } from './errors.js';
import type { ParsedReport } from './types.js';
import { WarningSink } from './warnings.js';

const BLOCK_RE = /^(.+):(\d+)\.(\d+),(\d+)\.(\d+) (\d+) (\S+)$/;
const MAX_BLOCK_LINES = 100_000;

interface Block {
  file: string;
  startLine: number;
  endLine: number;
  statements: number;
  hit: boolean;
}

/**
 * Go coverprofile (`go test -coverprofile`, modes set|count|atomic). A block covers lines startLine..endLine; a
 * line is hit when any block covering it ran. Identical blocks (the same file:range listed by several packages, or
 * several profiles concatenated) are merged first, hit if any copy ran, so statements are counted once — the
 * statements metric then equals `go tool cover -func`'s total. Paths stay as written (module import paths); path
 * normalization maps them into the workspace.
 */
export async function parseGo(file: string, handle: FileHandle): Promise<ParsedReport> {
  const warnings = new WarningSink(file);
  const blocks = new Map<string, Block>();
  let mode: string | null = null;
  let lineNo = 0;
  const handleLine = (raw: string): void => {
    lineNo++;
    const text = raw.trim();
    if (text === '') return;
    if (text.startsWith('mode:')) {
      const value = text.slice(5).trim();
      if (mode !== null && value !== mode) {
        warnings.add('mode', `profile mixes mode "${mode}" and "${value}"; hits are read as > 0 either way`, lineNo);
      }
      mode ??= value;
      return;
    }
    if (mode === null) {
      throw new CoverageInputError(
        file,
        'Go coverprofile does not start with a "mode:" line',
        'Pass the file written by `go test -coverprofile`',
        lineNo,
      );
    }
    const m = BLOCK_RE.exec(text);
    const count = m ? Number(m[7]) : NaN;
    if (!m || !Number.isFinite(count)) {
      warnings.add('block', 'line is not "file:start.col,end.col statements count"; skipped', lineNo);
      return;
    }
    const startLine = Number(m[2]);
    const endLine = Number(m[4]);
    if (startLine < 1 || endLine < startLine || endLine - startLine > MAX_BLOCK_LINES) {
      warnings.add('block', `block range ${m[2]}..${m[4]} is invalid; skipped`, lineNo);
      return;
    }
    const key = `${m[1]}:${m[2]}.${m[3]},${m[4]}.${m[5]}`;
    const existing = blocks.get(key);
    if (existing) existing.hit ||= count > 0;
    else blocks.set(key, { file: m[1]!, startLine, endLine, statements: Number(m[6]), hit: count > 0 });
  };

  const decoder = new StringDecoder('utf8');
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  let rest = '';
  let total = 0;
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    total += bytesRead;
    const text = rest + (bytesRead === 0 ? decoder.end() : decoder.write(chunk.subarray(0, bytesRead)));
    const lines = text.split('\n');
    rest = bytesRead === 0 ? '' : lines.pop()!;
    if (rest.length > 1024 * 1024) {
      throw new CoverageInputError(file, 'a line longer than 1 MB', 'This is not a Go coverprofile', lineNo + 1);
    }
    for (const line of lines) handleLine(line);
    if (bytesRead === 0) break;
  }
  if (total === 0 || mode === null) {
    throw new CoverageInputError(file, 'empty coverage report', 'Check that `go test -coverprofile` ran and wrote it');
  }
  const builders = new Map<string, FileBuilder>();
  for (const block of blocks.values()) {
    let builder = builders.get(block.file);
    if (!builder) builders.set(block.file, (builder = new FileBuilder(block.file)));
    for (let line = block.startLine; line <= block.endLine; line++) builder.line(line, block.hit);
    builder.addStatements(block.statements, block.hit ? block.statements : 0);
  }
  return {
    file,
    format: 'go',
    files: [...builders.values()].map((b) => b.finish()),
    sourceRoots: [],
    warnings: warnings.finish(),
  };
}
