/**
 * Parsers for what an action tells the runner: `::command::` lines on stdout and the
 * `GITHUB_OUTPUT`/`GITHUB_ENV`/`GITHUB_STATE` files. They follow actions/runner's rules
 * (ActionCommand.TryParseV2 and the file-command heredoc format) so a test sees what GitHub sees.
 */

/** Severity of an annotation; `debug` lines are kept too, since actions use them to explain decisions. */
export type AnnotationLevel = 'error' | 'warning' | 'notice' | 'debug';

/** One `::error|warning|notice|debug …::message` workflow command. */
export interface Annotation {
  level: AnnotationLevel;
  /** Unescaped message (`%0A` → newline, `%25` → `%`, …). */
  message: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
  title?: string;
}

/** What the workflow commands on stdout amount to. */
export interface WorkflowCommands {
  annotations: Annotation[];
  /** Values registered with `::add-mask::`, in order. */
  masked: string[];
}

const LEVELS = new Set<AnnotationLevel>(['error', 'warning', 'notice', 'debug']);

/** Unescapes a command's message. `%25` goes last so `%250A` stays a literal `%0A`. */
function unescapeData(value: string): string {
  return value.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/** Unescapes a command property value, which additionally escapes `:` and `,`. */
function unescapeProperty(value: string): string {
  return value
    .replace(/%0D/gi, '\r')
    .replace(/%0A/gi, '\n')
    .replace(/%3A/gi, ':')
    .replace(/%2C/gi, ',')
    .replace(/%25/g, '%');
}

function toInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number.parseInt(value, 10);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * Parses the workflow commands an action printed on stdout.
 *
 * @param stdout - The action's standard output.
 * @returns Annotations (error, warning, notice, debug) and masked values, in the order printed.
 *   Commands between `::stop-commands::TOKEN` and `::TOKEN::` are ignored, as on GitHub.
 */
export function parseWorkflowCommands(stdout: string): WorkflowCommands {
  const annotations: Annotation[] = [];
  const masked: string[] = [];
  let stopToken: string | undefined;
  for (const rawLine of stdout.split('\n')) {
    const line = rawLine.replace(/\r$/, '').trimStart();
    if (!line.startsWith('::')) continue;
    const end = line.indexOf('::', 2);
    if (end < 0) continue;
    const info = line.slice(2, end);
    const data = line.slice(end + 2);
    if (stopToken !== undefined) {
      if (info === stopToken && data === '') stopToken = undefined;
      continue;
    }
    const space = info.indexOf(' ');
    const command = (space < 0 ? info : info.slice(0, space)).toLowerCase();
    const properties: Record<string, string> = {};
    if (space >= 0) {
      for (const pair of info.slice(space + 1).split(',')) {
        const equals = pair.indexOf('=');
        if (equals > 0) properties[pair.slice(0, equals).trim()] = unescapeProperty(pair.slice(equals + 1));
      }
    }
    if (command === 'stop-commands') {
      stopToken = data;
      continue;
    }
    if (command === 'add-mask') {
      masked.push(unescapeData(data));
      continue;
    }
    if (!LEVELS.has(command as AnnotationLevel)) continue;
    const annotation: Annotation = { level: command as AnnotationLevel, message: unescapeData(data) };
    if (properties.file !== undefined) annotation.file = properties.file;
    const line_ = toInt(properties.line);
    if (line_ !== undefined) annotation.line = line_;
    const endLine = toInt(properties.endLine);
    if (endLine !== undefined) annotation.endLine = endLine;
    const col = toInt(properties.col);
    if (col !== undefined) annotation.col = col;
    const endColumn = toInt(properties.endColumn);
    if (endColumn !== undefined) annotation.endColumn = endColumn;
    if (properties.title !== undefined) annotation.title = properties.title;
    annotations.push(annotation);
  }
  return { annotations, masked };
}

/**
 * Parses a file-command file (`GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STATE`): `name=value` lines and
 * `name<<DELIMITER` … `DELIMITER` blocks, as written by `@actions/core`.
 *
 * @param content - The file's text.
 * @param fileLabel - Name used in errors, e.g. `GITHUB_OUTPUT`.
 * @returns Values by name; a later write of the same name wins, as on GitHub.
 * @throws Error naming the file and line when a line is neither form or a heredoc is never closed.
 */
export function parseFileCommands(content: string, fileLabel: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = content.split('\n').map((l) => l.replace(/\r$/, ''));
  // A file that ends with a newline yields one empty trailing element; it is not a line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals > 0 && (heredoc < 0 || equals < heredoc)) {
      values[line.slice(0, equals)] = line.slice(equals + 1);
      continue;
    }
    if (heredoc > 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (delimiter === '') {
        throw new Error(`${fileLabel} line ${index + 1}: "${name}<<" has no delimiter; write name<<DELIMITER.`);
      }
      const body: string[] = [];
      const start = index;
      index++;
      while (index < lines.length && lines[index] !== delimiter) body.push(lines[index++]);
      if (index >= lines.length) {
        throw new Error(
          `${fileLabel} line ${start + 1}: the value of "${name}" is never closed by a line "${delimiter}". ` +
            'Use core.setOutput/exportVariable/saveState, which write the closing delimiter.',
        );
      }
      values[name] = body.join('\n');
      continue;
    }
    throw new Error(
      `${fileLabel} line ${index + 1}: "${line.slice(0, 60)}" is neither name=value nor name<<DELIMITER.`,
    );
  }
  return values;
}
