/** What a command may touch: output streams, environment and folder. Tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes shared by every command. */
export const EXIT = {
  /** The gate passed (or only warned). */
  pass: 0,
  /** The gate failed: coverage below a threshold, a breaking change … */
  fail: 1,
  /** The command could not run: bad flag, unreadable file. */
  error: 2,
} as const;
