import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, realpath, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ContractInputError } from '../load/errors.js';

const exec = promisify(execFile);

/** The generator used when `client-command` is empty; resolved from the repository's own node_modules. */
export const DEFAULT_CLIENT_COMMAND = 'openapi-typescript {spec} -o {out}';
/** Lines of unified diff shown in the report; the full diff is one command away. */
export const DIFF_EXCERPT_LINES = 60;

export interface ClientCheckOptions {
  /** Spec entry, relative to `cwd`. */
  spec: string;
  /** The committed generated file (or folder), relative to `cwd`. */
  client: string;
  /** Shell command with `{spec}` and `{out}` placeholders; default {@link DEFAULT_CLIENT_COMMAND}. */
  command?: string;
  /** Working directory: where the command runs and whose `node_modules/.bin` (and its parents') come first on PATH. */
  cwd: string;
  /** Repository root: the search for `node_modules/.bin` stops here. Defaults to `cwd`. */
  root?: string;
  /** Kill the generator after this long (default 5 minutes). */
  timeoutMs?: number;
}

export interface ClientStatus {
  upToDate: boolean;
  /** The committed client path as given. */
  client: string;
  /** The exact command (run in the working directory) that regenerates the committed client. */
  fixCommand: string;
  /** `name@version` of the generator package when it could be identified, e.g. `openapi-typescript@7.13.0`. */
  generator?: string;
  /** Files that differ, relative to the client path (`.` for a single file). */
  changedFiles: string[];
  /** Start of the unified diff (committed → regenerated), at most {@link DIFF_EXCERPT_LINES} lines. */
  diffExcerpt?: string;
  /** Number of diff lines left out of the excerpt. */
  diffLinesOmitted: number;
  durationMs: number;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function fill(command: string, spec: string, out: string): string {
  return command.replaceAll('{spec}', shellQuote(spec)).replaceAll('{out}', shellQuote(out));
}

/** `node_modules/.bin` folders from `cwd` up to `root`, nearest first, like `npm run` puts on PATH. */
function binDirs(cwd: string, root: string): string[] {
  const dirs: string[] = [];
  let dir = path.resolve(cwd);
  const stop = path.resolve(root);
  for (;;) {
    const bin = path.join(dir, 'node_modules', '.bin');
    if (existsSync(bin)) dirs.push(bin);
    const parent = path.dirname(dir);
    if (dir === stop || parent === dir) break;
    dir = parent;
  }
  return dirs;
}

/**
 * The package behind a command's executable, read from the repository's node_modules (the bin is a symlink into
 * the package). Shows reviewers exactly which generator produced the expected output.
 */
async function generatorVersion(command: string, bins: string[]): Promise<string | undefined> {
  const words = command.trim().split(/\s+/);
  const exe = words[0] === 'npx' ? words.find((w, i) => i > 0 && !w.startsWith('-')) : words[0];
  if (!exe) return undefined;
  for (const bin of bins) {
    const candidate = path.join(bin, exe);
    if (!existsSync(candidate)) continue;
    let dir = path.dirname(await realpath(candidate));
    for (let i = 0; i < 6; i++) {
      try {
        const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name && pkg.version) return `${pkg.name}@${pkg.version}`;
      } catch {
        // not a package folder yet; keep walking up
      }
      dir = path.dirname(dir);
    }
  }
  return undefined;
}

function run(
  command: string,
  cwd: string,
  bins: string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], {
      cwd,
      env: { ...process.env, PATH: [...bins, process.env.PATH ?? ''].join(path.delimiter) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: `sh -c` would otherwise leave the generator running.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: error.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

const normalize = (text: string) => text.replace(/\r\n?/g, '\n');

async function readNormalized(file: string): Promise<string | undefined> {
  try {
    return normalize(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Regenerate the typed client from the spec into a temporary folder with the repository's own generator and compare
 * it with the committed one (line endings normalized).
 * @param options spec, committed client path, command and working directory.
 * @returns whether the committed client is current, the command that fixes it, the generator version and a diff excerpt.
 * @throws ContractInputError when the generator is missing, fails, times out, or writes nothing.
 */
export async function checkClient(options: ClientCheckOptions): Promise<ClientStatus> {
  const started = performance.now();
  const cwd = path.resolve(options.cwd);
  const root = path.resolve(options.root ?? cwd);
  const command = options.command?.trim() ? options.command.trim() : DEFAULT_CLIENT_COMMAND;
  if (!command.includes('{out}')) {
    throw new ContractInputError(
      '`client-command` has no `{out}` placeholder, so the regenerated client cannot be compared',
      { file: 'action input client-command' },
      'write the command with `{spec}` and `{out}`, e.g. `openapi-typescript {spec} -o {out}`',
    );
  }
  const committed = path.resolve(cwd, options.client);
  let isDir = false;
  try {
    isDir = (await stat(committed)).isDirectory();
  } catch {
    throw new ContractInputError(
      'the committed client does not exist',
      { file: options.client },
      `generate it once with \`${fill(options.command?.trim() || `npx ${DEFAULT_CLIENT_COMMAND}`, options.spec, options.client)}\` and commit it, or correct the \`client\` input`,
    );
  }
  const bins = binDirs(cwd, root);
  const generator = await generatorVersion(command, bins);
  if (!options.command?.trim() && !generator) {
    throw new ContractInputError(
      'openapi-typescript is not installed in the repository (no node_modules/.bin/openapi-typescript)',
      { file: options.client },
      'run `npm ci` before this step (add openapi-typescript to devDependencies), or set `client-command`',
    );
  }
  const temp = await mkdtemp(path.join(tmpdir(), 'openapi-client-'));
  try {
    const out = isDir ? path.join(temp, 'out') : path.join(temp, 'out', path.basename(committed));
    await mkdir(isDir ? out : path.dirname(out), { recursive: true });
    const result = await run(fill(command, options.spec, out), cwd, bins, options.timeoutMs ?? 300_000);
    if (result.code !== 0) {
      const why = result.timedOut
        ? `timed out after ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s`
        : `exited with ${result.code}`;
      const tail = result.output.trim().split('\n').slice(-5).join(' | ');
      throw new ContractInputError(
        `the client generator ${why}: ${tail}`,
        { file: options.client },
        `run \`${fill(command, options.spec, options.client)}\` locally and fix what it reports`,
      );
    }
    const fixCommand = options.command?.trim()
      ? fill(command, options.spec, options.client)
      : `npx ${fill(command, options.spec, options.client)}`;
    const status: ClientStatus = {
      upToDate: true,
      client: options.client,
      fixCommand,
      generator,
      changedFiles: [],
      diffLinesOmitted: 0,
      durationMs: 0,
    };
    const files = isDir ? [...new Set([...(await listFiles(committed)), ...(await listFiles(out))])].sort() : ['.'];
    const left = path.join(temp, 'committed');
    const right = path.join(temp, 'regenerated');
    for (const file of files) {
      const a = await readNormalized(file === '.' ? committed : path.join(committed, file));
      const b = await readNormalized(file === '.' ? out : path.join(out, file));
      if (b === undefined && file === '.') {
        throw new ContractInputError(
          'the client generator finished but wrote no file at {out}',
          { file: options.client },
          'make `client-command` write its output to the `{out}` path',
        );
      }
      if (a === b) continue;
      status.changedFiles.push(file);
      const name = file === '.' ? path.basename(committed) : file;
      await mkdir(path.dirname(path.join(left, name)), { recursive: true });
      await mkdir(path.dirname(path.join(right, name)), { recursive: true });
      if (a !== undefined) await writeFile(path.join(left, name), a);
      if (b !== undefined) await writeFile(path.join(right, name), b);
    }
    status.upToDate = status.changedFiles.length === 0;
    if (!status.upToDate) {
      const diff = await unifiedDiff(temp, 'committed', 'regenerated');
      const lines = diff.split('\n');
      status.diffExcerpt = lines.slice(0, DIFF_EXCERPT_LINES).join('\n');
      status.diffLinesOmitted = Math.max(0, lines.length - DIFF_EXCERPT_LINES);
    }
    status.durationMs = Math.round(performance.now() - started);
    return status;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** `git diff --no-index` of two folders: git is on every runner and its diff is the format reviewers know. */
async function unifiedDiff(cwd: string, a: string, b: string): Promise<string> {
  try {
    await exec('git', ['diff', '--no-index', '--no-color', '--no-ext-diff', '--unified=2', a, b], {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
    });
    return '';
  } catch (error) {
    // Exit code 1 means "differences found"; the diff is on stdout.
    const stdout = (error as { stdout?: string }).stdout ?? '';
    return stdout
      .split('\n')
      .filter((l) => !l.startsWith('index '))
      .join('\n')
      .trimEnd();
  }
}
