import { posix } from 'node:path';

/** Options for {@link normalizePath}. */
export interface NormalizePathOptions {
  /** Absolute path of the checked-out repository (GITHUB_WORKSPACE), POSIX or Windows style. */
  workspace: string;
  /** Roots the report says its paths are relative to (Cobertura `<source>`); tried in order. */
  sourceRoots?: string[];
  /**
   * Repo-relative POSIX paths of the files in the workspace. When given, a path that does not match directly is
   * resolved to the longest suffix that names a known file (container prefixes like `/app/`, other machines' home
   * directories, Go module import paths).
   */
  knownFiles?: ReadonlySet<string>;
  /** Go module paths (from go.mod) stripped from coverprofile import paths, e.g. `github.com/acme/api`. */
  goModules?: string[];
  /** Receives one message per path that was dropped or kept outside the workspace. */
  onWarning?: (message: string) => void;
}

/**
 * CI and container checkouts whose prefix we strip when the report was written elsewhere than the gate runs:
 * GitHub-hosted (`/home/runner/work/<repo>/<repo>/`), container actions (`/github/workspace/`), GitLab
 * (`/builds/<group>/<project>/`), and the usual Docker workdirs.
 */
const CONTAINER_PREFIXES: RegExp[] = [
  /^\/home\/runner\/work\/[^/]+\/[^/]+\//,
  /^\/__w\/[^/]+\/[^/]+\//,
  /^\/github\/workspace\//,
  /^\/builds\/[^/]+\/[^/]+\//,
  /^\/usr\/src\/app\//,
  /^\/app\//,
  /^\/workspace\//,
  /^\/src\//,
  /^\/code\//,
];

/** Module-level so one path normalization call stays allocation-light; see {@link PathNormalizer}. */
function toPosix(path: string): string {
  let p = path.trim().replace(/\\/g, '/');
  if (p.startsWith('file://')) {
    try {
      p = decodeURIComponent(p.slice(7)).replace(/^\/([A-Za-z]:\/)/, '$1');
    } catch {
      p = p.slice(7);
    }
  }
  return p;
}

const isWindowsAbsolute = (p: string): boolean => /^[A-Za-z]:\//.test(p);
const isAbsolute = (p: string): boolean => p.startsWith('/') || isWindowsAbsolute(p);

/**
 * Why a path names no source file: esbuild `<define:…>` and other `<…>` pseudo-modules, `node:` builtins,
 * webpack runtime internals. Returns null for real paths.
 */
function virtualReason(p: string): string | null {
  if (/(^|\/)<[^/]*>$/.test(p) || p.includes('<define:')) return 'a virtual module';
  if (p.startsWith('node:') || p.startsWith('internal/')) return 'a Node.js builtin';
  if (/^webpack:\/\/[^/]*\/(\(webpack\)|webpack\/|external |ignored )/.test(p) || p === 'webpack/bootstrap') {
    return 'a webpack runtime module';
  }
  if (p.startsWith('data:')) return 'a data: URL';
  return null;
}

/**
 * Normalizes report paths against one workspace. Holds the prepared workspace prefix and caches, so merging
 * 20,000 files does not redo the same string work; {@link normalizePath} is the one-shot form.
 */
export class PathNormalizer {
  private readonly workspace: string;
  private readonly workspaceLower: string;
  private readonly goModules: string[];

  constructor(private readonly options: NormalizePathOptions) {
    const ws = toPosix(options.workspace).replace(/\/+$/, '');
    this.workspace = ws === '' ? '/' : ws;
    this.workspaceLower = this.workspace.toLowerCase();
    this.goModules = (options.goModules ?? []).map((m) => m.replace(/\/+$/, '')).filter((m) => m !== '');
  }

  /**
   * @param reportPath path as written in the report.
   * @param sourceRoots roots of this report (overrides the options' roots).
   * @returns repo-relative POSIX path, the absolute path when it is outside the workspace and no known file
   *   matches (kept so totals stay right, with a warning), or null for virtual modules (with a warning).
   */
  normalize(reportPath: string, sourceRoots = this.options.sourceRoots ?? []): string | null {
    let p = toPosix(reportPath);
    if (p === '') return this.drop(reportPath, 'an empty path');
    const virtual = virtualReason(p);
    if (virtual) return this.drop(reportPath, virtual);
    const webpack = /^webpack:\/\/[^/]*\/(.*)$/.exec(p);
    if (webpack) p = webpack[1]!;

    const candidates: string[] = [];
    if (isAbsolute(p)) candidates.push(p);
    else {
      for (const root of sourceRoots) {
        const r = toPosix(root).replace(/\/+$/, '');
        if (r !== '' && r !== '.') candidates.push(`${r}/${p}`);
      }
      candidates.push(p);
    }

    const known = this.options.knownFiles;
    let fallback: string | null = null;
    for (const candidate of candidates) {
      const relative = this.relativeToWorkspace(candidate);
      if (relative === null) continue;
      if (!known || known.has(relative)) return relative;
      fallback ??= relative;
    }
    if (known) {
      for (const candidate of candidates) {
        const match = this.longestKnownSuffix(candidate, known);
        if (match) return match;
      }
    }
    if (fallback !== null) return fallback;
    for (const candidate of candidates) {
      for (const prefix of CONTAINER_PREFIXES) {
        if (prefix.test(candidate)) return clean(candidate.replace(prefix, ''));
      }
    }
    const kept = clean(candidates[candidates.length - 1]!);
    this.options.onWarning?.(
      `coverage path "${reportPath}" is outside the workspace and matches no file in it; kept as "${kept}"`,
    );
    return kept;
  }

  /** Workspace-relative form of a path, or null when it is absolute outside the workspace. */
  private relativeToWorkspace(path: string): string | null {
    if (!isAbsolute(path)) {
      const stripped = this.stripGoModule(path);
      return clean(stripped);
    }
    const ws = this.workspace;
    const windows = isWindowsAbsolute(path);
    const hay = windows ? path.toLowerCase() : path;
    const prefix = windows ? this.workspaceLower : ws;
    if (ws === '/') return windows ? null : clean(path.slice(1));
    if (hay === prefix) return null;
    if (hay.startsWith(`${prefix}/`)) {
      const rel = clean(path.slice(prefix.length + 1));
      return rel.startsWith('../') ? null : rel;
    }
    return null;
  }

  private stripGoModule(path: string): string {
    for (const module of this.goModules) {
      if (path.startsWith(`${module}/`)) {
        // A `/vN` major-version suffix is part of the import path but not of the directory layout.
        return path.slice(module.length + 1).replace(/^v\d+\//, '');
      }
      // The same repository under another major version (`…/lefthook/` and `…/lefthook/v2/` in one profile).
      const withoutMajor = module.replace(/\/v\d+$/, '');
      const major = new RegExp(`^${escapeRegExp(withoutMajor)}/(v\\d+/)?`);
      if (major.test(path)) return path.replace(major, '');
    }
    return path;
  }

  private longestKnownSuffix(path: string, known: ReadonlySet<string>): string | null {
    const segments = clean(path).split('/');
    for (let i = 1; i < segments.length; i++) {
      const suffix = segments.slice(i).join('/');
      if (known.has(suffix)) return suffix;
    }
    return null;
  }

  private drop(reportPath: string, reason: string): null {
    this.options.onWarning?.(`coverage path "${reportPath}" is ${reason}, not a source file; ignored`);
    return null;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What `posix.normalize` changes: an empty path, `.` or `..` segments, repeated slashes. */
const NOT_NORMAL = /^$|\/\/|(^|\/)\.\.?(\/|$)/;

/** `./a//b/../c` -> `a/c`; keeps a leading `/` or drive. */
function clean(path: string): string {
  const drive = /^[A-Za-z]:\//.exec(path)?.[0] ?? '';
  const rest = path.slice(drive.length);
  // Report paths are nearly always normal already, and posix.normalize rebuilds every one of them character by
  // character (20,000 new strings on a monorepo report); for such a path it would return the same text.
  const normalized = NOT_NORMAL.test(rest) ? posix.normalize(rest) : rest;
  const result = drive + normalized;
  return result.startsWith('./') ? result.slice(2) : result === '.' ? '' : result;
}

/**
 * Turns a path from a coverage report into a repo-relative POSIX path.
 * Handles absolute POSIX paths under the workspace, Windows `C:\…` / `C:/…` / backslashes, `./`, `file://` URLs,
 * Cobertura `<source>` roots, Go module import paths, and checkouts in containers or on other machines (`/app/`,
 * `/home/runner/work/<repo>/<repo>/`, `/github/workspace/`, `/usr/src/app/`, `/builds/…`): with `knownFiles` the
 * longest suffix naming a workspace file wins, otherwise the workspace or a known container prefix is stripped.
 * @param reportPath the path as written in the report.
 * @param options workspace, source roots, known files.
 * @returns the normalized path, or null for virtual modules (`<define:…>`, `node:`, webpack internals) — reported
 *   through `options.onWarning`.
 * @example normalizePath('C:\\a\\repo\\src\\x.ts', { workspace: 'C:\\a\\repo' }) // 'src/x.ts'
 */
export function normalizePath(reportPath: string, options: NormalizePathOptions): string | null {
  return new PathNormalizer(options).normalize(reportPath);
}
