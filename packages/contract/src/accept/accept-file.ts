import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, type YAMLMap } from 'yaml';
import { ContractInputError } from '../load/errors.js';
import { lineOf, parseSource, type SourceDocument } from './yaml-source.js';

/** Where the accept file lives when the `accept` input is not set. */
export const DEFAULT_ACCEPT_FILE = '.github/openapi-accept.yml';

/** One reviewed exception: a breaking change the team accepted, until a date. */
export interface AcceptEntry {
  /** 0-based index in the `accept` list. */
  index: number;
  /** 1-based line of the entry in the accept file. */
  line: number;
  /** Matches one change exactly (the fingerprint printed in the report). */
  fingerprint?: string;
  /** With `operation`: matches every change of this rule id on that operation. */
  rule?: string;
  /** `METHOD /path`, e.g. `GET /pets/{petId}`; normalized to upper-case method and single spaces. */
  operation?: string;
  reason: string;
  owner: string;
  /** `YYYY-MM-DD`; the entry is valid through this day (UTC). */
  expires: string;
}

/** The parsed accept file. */
export interface AcceptFile {
  /** Repo-relative path, or undefined when no file exists (default path not present). */
  file?: string;
  entries: AcceptEntry[];
  /** `policy.allow-breaking-on-major`: a major bump of `info.version` allows breaking changes. */
  allowBreakingOnMajor: boolean;
}

const ENTRY_KEYS = new Set(['fingerprint', 'rule', 'operation', 'reason', 'owner', 'expires']);
const POLICY_KEYS = new Set(['allow-breaking-on-major']);
const FORMAT_HELP =
  'see docs/openapi-contract.md#accept-file; an entry is `{ fingerprint | rule + operation, reason, owner, expires: YYYY-MM-DD }`';

/**
 * Normalize an operation key so `get  /pets` and `GET /pets` match.
 * @param operation `METHOD /path`.
 * @returns upper-case method, one space, path as written.
 */
export function normalizeOperation(operation: string): string {
  const match = /^\s*([A-Za-z]+)\s+(\S.*?)\s*$/.exec(operation);
  return match ? `${match[1].toUpperCase()} ${match[2]}` : operation.trim();
}

/**
 * Parse and validate accept-file text.
 * @param text the YAML contents.
 * @param file repo-relative path, used in errors and in the result.
 * @returns the entries and policy.
 * @throws ContractInputError naming `file:line` and the fix for syntax errors, unknown keys, missing fields or bad dates.
 */
export function parseAcceptFile(text: string, file: string): AcceptFile {
  const parsed = parseSource(text, file);
  if (parsed.error) {
    throw new ContractInputError(
      `the accept file is not valid YAML: ${parsed.error.message}`,
      { file, line: parsed.error.line },
      'fix the YAML syntax at this line',
    );
  }
  const source = parsed.source;
  const contents = source.doc.contents;
  const result: AcceptFile = { file, entries: [], allowBreakingOnMajor: false };
  if (contents === null || (isMap(contents) && contents.items.length === 0)) return result;
  const fail = (at: (string | number)[], problem: string, fix = FORMAT_HELP): never => {
    throw new ContractInputError(problem, { file, line: lineOf(source, at) }, fix);
  };
  if (!isMap(contents)) fail([], 'the accept file must be a mapping with `accept:` (a list) and optional `policy:`');
  const root = source.doc.toJS() as Record<string, unknown>;
  for (const key of Object.keys(root)) {
    if (key !== 'accept' && key !== 'policy')
      fail([key], `unknown top-level key "${key}" (expected \`accept\` or \`policy\`)`);
  }
  if (root.policy !== undefined && root.policy !== null) {
    if (!isMap((contents as YAMLMap).get('policy', true))) fail(['policy'], '`policy` must be a mapping');
    const policy = root.policy as Record<string, unknown>;
    for (const key of Object.keys(policy)) {
      if (!POLICY_KEYS.has(key))
        fail(['policy', key], `unknown policy "${key}" (known: ${[...POLICY_KEYS].join(', ')})`);
    }
    const major = policy['allow-breaking-on-major'];
    if (major !== undefined && typeof major !== 'boolean')
      fail(['policy', 'allow-breaking-on-major'], '`allow-breaking-on-major` must be true or false');
    result.allowBreakingOnMajor = major === true;
  }
  if (root.accept === undefined || root.accept === null) return result;
  if (!isSeq((contents as YAMLMap).get('accept', true))) fail(['accept'], '`accept` must be a list of entries');
  const list = root.accept as unknown[];
  for (const [index, raw] of list.entries()) {
    result.entries.push(validateEntry(raw, index, source, fail));
  }
  return result;
}

function validateEntry(
  raw: unknown,
  index: number,
  source: SourceDocument,
  fail: (at: (string | number)[], problem: string, fix?: string) => never,
): AcceptEntry {
  const at = ['accept', index];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(at, `accept entry ${index + 1} must be a mapping`);
  const e = raw as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!ENTRY_KEYS.has(key))
      fail([...at, key], `unknown key "${key}" in accept entry ${index + 1} (known: ${[...ENTRY_KEYS].join(', ')})`);
  }
  const text = (key: string, required: boolean): string | undefined => {
    const value = e[key];
    if (value === undefined || value === null) {
      if (required) fail(at, `accept entry ${index + 1} has no \`${key}\``);
      return undefined;
    }
    // Fingerprints like 0123 or 1e10 would otherwise arrive as numbers; ask for quotes rather than guess.
    if (typeof value !== 'string' || value.trim() === '')
      fail([...at, key], `\`${key}\` of accept entry ${index + 1} must be a non-empty string (quote it)`);
    return (value as string).trim();
  };
  const fingerprint = text('fingerprint', false);
  const rule = text('rule', false);
  const operation = text('operation', false);
  if (fingerprint === undefined && (rule === undefined || operation === undefined)) {
    fail(at, `accept entry ${index + 1} must name a \`fingerprint\`, or a \`rule\` together with an \`operation\``);
  }
  if (fingerprint !== undefined && (rule !== undefined || operation !== undefined)) {
    fail(at, `accept entry ${index + 1} has both \`fingerprint\` and \`rule\`/\`operation\`; use one way of matching`);
  }
  if (operation !== undefined && !/^[A-Za-z]+\s+\S/.test(operation)) {
    fail([...at, 'operation'], `\`operation\` "${operation}" must be \`METHOD /path\`, e.g. \`GET /pets/{petId}\``);
  }
  const reason = text('reason', true)!;
  const owner = text('owner', true)!;
  const expires = text('expires', true)!;
  if (!isIsoDate(expires))
    fail(
      [...at, 'expires'],
      `\`expires\` "${expires}" of accept entry ${index + 1} is not a date`,
      'write the date as YYYY-MM-DD, e.g. 2026-12-31',
    );
  return {
    index,
    line: lineOf(source, at),
    fingerprint,
    rule,
    operation: operation === undefined ? undefined : normalizeOperation(operation),
    reason,
    owner,
    expires,
  };
}

function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * Read the accept file.
 * @param file path relative to `root` (or absolute); undefined means {@link DEFAULT_ACCEPT_FILE}.
 * @param root repository root.
 * @returns the parsed file; an absent default file gives no entries, an absent explicit file is an error.
 * @throws ContractInputError when a file given explicitly is missing, or the file is malformed.
 */
export async function readAcceptFile(file: string | undefined, root: string): Promise<AcceptFile> {
  const explicit = file !== undefined && file.trim() !== '';
  const abs = path.resolve(root, explicit ? file : DEFAULT_ACCEPT_FILE);
  const rel = path.relative(root, abs).split(path.sep).join('/');
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT')
      return { entries: [], allowBreakingOnMajor: false };
    throw new ContractInputError(
      'the accept file cannot be read',
      { file: rel },
      'create it, or correct the `accept` input (it is relative to `working-directory`)',
    );
  }
  return parseAcceptFile(text, rel);
}
