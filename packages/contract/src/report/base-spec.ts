import { spawn, execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ContractInputError } from '../load/errors.js';

const exec = promisify(execFile);

/** The base spec written out of git into a temporary tree that mirrors the repository layout. */
export interface MaterializedBase {
  /** Temporary root; `entry` and every referenced file sit at their repo-relative paths below it. */
  root: string;
  /** Absolute path of the entry file inside `root`, or undefined when the spec did not exist at that commit. */
  entry?: string;
  /** Repo-relative paths written. */
  files: string[];
}

/** `$ref: './x.yaml#/a'`, `"$ref": "x.json"`: the file part of every reference, good enough to find the files to copy. */
const REF = /["']?\$ref["']?\s*:\s*["']?([^"'#\s,}]*)/g;

/**
 * Reads files of one commit through a single `git cat-file --batch` process: DigitalOcean's spec has ~2,900 files,
 * and a `git show` per file would cost seconds.
 */
class BlobReader {
  private readonly child;
  private buffer = Buffer.alloc(0);
  private waiting: { resolve: (v: Buffer | undefined) => void; reject: (e: Error) => void }[] = [];

  constructor(cwd: string) {
    this.child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    this.child.on('error', (error) => this.waiting.splice(0).forEach((w) => w.reject(error)));
  }

  read(spec: string): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${spec}\n`);
    });
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const eol = this.buffer.indexOf(10);
      if (eol === -1) return;
      const header = this.buffer.subarray(0, eol).toString('utf8');
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buffer = this.buffer.subarray(eol + 1);
        this.waiting.shift()!.resolve(undefined);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (this.buffer.length < eol + 1 + size + 1) return;
      const body = this.buffer.subarray(eol + 1, eol + 1 + size);
      this.buffer = this.buffer.subarray(eol + 1 + size + 1);
      const type = header.split(' ')[1];
      this.waiting.shift()!.resolve(type === 'blob' ? Buffer.from(body) : undefined);
    }
  }

  close(): void {
    this.child.stdin.end();
  }
}

/**
 * The merge base of the pull request: `git merge-base <base sha> HEAD`.
 * @param root repository root.
 * @param baseSha `pull_request.base.sha` of the event.
 * @returns the merge-base commit.
 * @throws ContractInputError when the history is too shallow to find it.
 */
export async function findMergeBase(root: string, baseSha: string): Promise<string> {
  try {
    const { stdout } = await exec('git', ['merge-base', baseSha, 'HEAD'], { cwd: root });
    return stdout.trim();
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '')
      .trim()
      .split('\n')[0];
    throw new ContractInputError(
      `cannot find the merge base of ${baseSha.slice(0, 12)} and HEAD${stderr ? ` (${stderr})` : ''}`,
      { file: '.git' },
      'check out the full history: actions/checkout with `fetch-depth: 0`',
    );
  }
}

/**
 * Write the spec as it was at `commit` (with every file it references through local `$ref`s) into a temporary tree.
 * @param root repository root (git top level).
 * @param commit usually the merge base.
 * @param entry repo-relative path of the spec entry.
 * @returns the temporary root and the entry inside it; `entry` undefined when the file did not exist at `commit`.
 */
export async function materializeBaseSpec(root: string, commit: string, entry: string): Promise<MaterializedBase> {
  const temp = await mkdtemp(path.join(tmpdir(), 'openapi-base-'));
  const reader = new BlobReader(root);
  const written: string[] = [];
  try {
    const queue = [path.posix.normalize(entry)];
    const seen = new Set(queue);
    while (queue.length > 0) {
      // Batches keep the cat-file pipe full instead of one round trip per file.
      const batch = queue.splice(0, 256);
      const blobs = await Promise.all(batch.map((file) => reader.read(`${commit}:${file}`)));
      for (const [i, file] of batch.entries()) {
        const blob = blobs[i];
        if (blob === undefined) continue;
        const target = path.join(temp, file);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, blob);
        written.push(file);
        const text = blob.toString('utf8');
        for (const match of text.matchAll(REF)) {
          const ref = match[1];
          if (!ref || /^[a-z][a-z0-9+.-]*:/i.test(ref)) continue; // local pointer or URL
          const next = path.posix.normalize(path.posix.join(path.posix.dirname(file), safeDecode(ref)));
          // Refs that leave the repository are left for the loader to refuse with its own message.
          if (next.startsWith('../') || seen.has(next)) continue;
          seen.add(next);
          queue.push(next);
        }
      }
    }
  } finally {
    reader.close();
  }
  return {
    root: temp,
    entry: written.includes(path.posix.normalize(entry)) ? path.join(temp, entry) : undefined,
    files: written,
  };
}

function safeDecode(ref: string): string {
  try {
    return decodeURIComponent(ref);
  } catch {
    return ref;
  }
}
