import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Document, Spectral, type ISpectralDiagnostic, type Ruleset } from '@stoplight/spectral-core';
import * as ParsersModule from '@stoplight/spectral-parsers';
import { Resolver } from '@stoplight/spectral-ref-resolver';
import { ContractInputError } from '../load/errors.js';
import { loadRuleset } from './ruleset.js';

/**
 * Spectral's YAML and JSON parsers. spectral-parsers is CommonJS re-exported through `__exportStar`: Node's ESM loader
 * only sees a default export, while the ncc bundle sees the named ones. Take whichever carries the parsers.
 */
export const Parsers = (
  (ParsersModule as { Yaml?: unknown }).Yaml
    ? ParsersModule
    : (ParsersModule as unknown as { default: typeof ParsersModule }).default
) as typeof ParsersModule;

/** Spectral severities by their numeric `DiagnosticSeverity`. */
const SEVERITY_NAMES = ['error', 'warn', 'info', 'hint'] as const;
export type LintSeverity = (typeof SEVERITY_NAMES)[number];

/** One Spectral finding, located in the file it comes from (multi-file specs point into the referenced file). */
export interface LintFinding {
  /** Spectral rule code, e.g. `oas3-valid-media-example` or `house-operation-security`. */
  rule: string;
  severity: LintSeverity;
  message: string;
  /** JSON path of the offending node inside `file`, joined with `.` (for messages only). */
  jsonPath: string;
  /** Path relative to the repository root, `/`-separated. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** 1-based, inclusive. */
  endLine: number;
}

export interface LintOptions {
  /** Entry file of the spec, absolute or relative to `root`. */
  entry: string;
  /** Repository root: finding paths are made relative to it. */
  root: string;
  /**
   * A local Spectral ruleset file (`.spectral.yaml`/`.yml`/`.json`) replacing the house ruleset; relative to `root`.
   * Empty or undefined uses the house ruleset.
   */
  ruleset?: string;
}

export interface LintRun {
  findings: LintFinding[];
  /** Repo-relative paths of every file of the spec that was read (entry first), for the changed-lines diff. */
  files: string[];
  /** Repo-relative path of the ruleset used, or `house` for the built-in one. */
  ruleset: string;
  durationMs: number;
}

/**
 * A `$ref` resolver that reads local files only. Spectral's default one also fetches `http(s)` refs, which a CI gate
 * must not do (unreviewed network input, flaky runs); remote refs become `invalid-ref` findings instead.
 */
function localResolver(read: Set<string>): Resolver {
  return new Resolver({
    resolvers: {
      file: {
        resolve: (ref) => {
          const file = decodeURIComponent(ref.path());
          read.add(file);
          return readFile(file, 'utf8');
        },
      },
    },
  });
}

/**
 * Lint an OpenAPI/Swagger description with Spectral, following local `$ref`s across files.
 * @param options entry file, repository root and optional user ruleset.
 * @returns findings with repo-relative `file:line:column`, and the list of spec files read.
 * @throws ContractInputError when the entry or the ruleset cannot be read or is not a valid ruleset.
 * @example const { findings } = await lintSpec({ entry: 'api/openapi.yaml', root: process.cwd() });
 */
export async function lintSpec(options: LintOptions): Promise<LintRun> {
  const started = performance.now();
  const root = path.resolve(options.root);
  const entry = path.resolve(root, options.entry);
  const rel = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
  let text: string;
  try {
    if (!(await stat(entry)).isFile()) throw new Error('not a file');
    text = await readFile(entry, 'utf8');
  } catch {
    throw new ContractInputError(
      'the OpenAPI spec file does not exist or is not a readable file',
      { file: rel(entry) },
      'set `spec` to the path of your OpenAPI entry file, relative to `working-directory`',
    );
  }
  const ruleset: Ruleset = await loadRuleset(options.ruleset ? path.resolve(root, options.ruleset) : undefined, root);
  const read = new Set<string>();
  const spectral = new Spectral({ resolver: localResolver(read) });
  spectral.setRuleset(ruleset);
  // Two constructions because the parsers' result types differ and Document is generic over them.
  const document = /\.json$/i.test(entry)
    ? new Document(text, Parsers.Json, entry)
    : new Document(text, Parsers.Yaml, entry);
  const results = await spectral.run(document, { ignoreUnknownFormat: false });
  const files = new Set<string>([rel(entry), ...[...read].map(rel)]);
  const findings = results.map((r) => toFinding(r, entry, rel));
  for (const f of findings) files.add(f.file);
  return {
    findings,
    files: [...files],
    ruleset: options.ruleset ? rel(path.resolve(root, options.ruleset)) : 'house',
    durationMs: Math.round(performance.now() - started),
  };
}

function toFinding(r: ISpectralDiagnostic, entry: string, rel: (abs: string) => string): LintFinding {
  const source = r.source ? r.source : entry;
  return {
    rule: String(r.code),
    severity: SEVERITY_NAMES[r.severity] ?? 'hint',
    message: r.message,
    jsonPath: r.path.map(String).join('.'),
    file: rel(source),
    line: r.range.start.line + 1,
    column: r.range.start.character + 1,
    endLine: Math.max(r.range.end.line, r.range.start.line) + 1,
  };
}
