import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway folder for one test: files by relative path, and git with a fixed identity and no user config. */
export interface TempRepo {
  /** Absolute path of the folder. */
  readonly root: string;
  /** Writes a file (creating folders) relative to the root. */
  write(path: string, content: string): void;
  /** Runs git in the root and returns its stdout without the trailing newline; throws with git's stderr on failure. */
  git(...args: string[]): string;
  /** Deletes the folder. */
  remove(): void;
}

/**
 * Creates a temp folder with the given files, for tests that need a real workspace or a real git history.
 * @param files relative path -> content.
 * @param options `git: true` runs `git init -b main` first; `prefix` names the folder.
 * @returns the folder and helpers; call remove() in afterEach/afterAll.
 * @example const repo = tempRepo({ 'src/a.ts': 'a' }, { git: true }); repo.git('add', '-A'); repo.git('commit', '-qm', 'base');
 */
export function tempRepo(
  files: Record<string, string> = {},
  options: { git?: boolean; prefix?: string } = {},
): TempRepo {
  const root = mkdtempSync(join(tmpdir(), options.prefix ?? 'myco-repo-'));
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  // A fixed identity and no system/global config, so a developer's git setup (signing, hooks) can't change a test.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: root,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  // Trimmed like a shell's $(…), so `git('rev-parse', 'HEAD')` is the bare SHA.
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] }).trimEnd();
  if (options.git) git('init', '-q', '-b', 'main');
  for (const [path, content] of Object.entries(files)) write(path, content);
  return { root, write, git, remove: () => rmSync(root, { recursive: true, force: true }) };
}
