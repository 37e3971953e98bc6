/** Command-line flags: `--name value`, `--name=value`, `--flag` (true); repeated flags collect in order. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

/**
 * Parses argv without a schema, so every action input can be passed as `--<input-id>` as-is.
 * @param argv the arguments after the command name.
 * @returns positional arguments and flags (`--reports a --reports b` keeps both values).
 * @example parseArgs(['--thresholds=85', 'x']) // flags: thresholds -> ['85'], positional: ['x']
 */
export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (name: string, value: string) => flags.set(name, [...(flags.get(name) ?? []), value]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      add(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      add(arg.slice(2), argv[++i]);
    } else {
      add(arg.slice(2), 'true');
    }
  }
  return { positional, flags };
}
