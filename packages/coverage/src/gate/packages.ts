import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import picomatch from 'picomatch';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { CoverageGateError } from './errors.js';
import type { PackageGlobRule, PackageThresholdRule } from './policy.js';

/** The bucket of files that belong to no package. */
export const ROOT_PACKAGE = '(root)';

/** How a package was found. */
export type PackageSource = 'npm' | 'pnpm' | 'lerna' | 'python' | 'explicit';

/** One package of the workspace. */
export interface WorkspacePackage {
  /** Display name: package.json / pyproject name, the explicit name, or the folder path when names collide. */
  name: string;
  /** Repo-relative POSIX folder (or the glob for explicit packages). */
  path: string;
  source: PackageSource;
}

/** Assigns files to packages. */
export interface PackageMap {
  /** The known packages (without the root bucket), in path order. */
  packages: WorkspacePackage[];
  /**
   * The package a file belongs to.
   * @param file repo-relative POSIX path.
   * @returns the package name, or {@link ROOT_PACKAGE}.
   */
  packageOf(file: string): string;
}

/** Folders never searched for packages: dependencies, VCS data, virtualenvs, build output. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', 'dist', 'coverage', 'target']);
const MAX_DEPTH = 6;
const MAX_DIRS = 50_000;

interface Candidate {
  path: string;
  hasPackageJson: boolean;
  hasPyproject: boolean;
}

function readJson(file: string, display: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CoverageGateError(
      display,
      `cannot read JSON (${(error as Error).message})`,
      'Fix the file, or list packages explicitly with the `packages` input (`name=glob` lines)',
    );
  }
}

/** Workspace globs from package.json `workspaces`, pnpm-workspace.yaml and lerna.json. */
function workspaceGlobs(root: string): { source: PackageSource; globs: string[] }[] {
  const found: { source: PackageSource; globs: string[] }[] = [];
  const pkgFile = join(root, 'package.json');
  if (existsSync(pkgFile)) {
    const pkg = readJson(pkgFile, 'package.json') as { workspaces?: unknown };
    const ws = pkg?.workspaces;
    const globs = Array.isArray(ws) ? ws : (ws as { packages?: unknown } | undefined)?.packages;
    if (Array.isArray(globs)) found.push({ source: 'npm', globs: globs.map(String) });
  }
  const pnpmFile = join(root, 'pnpm-workspace.yaml');
  if (existsSync(pnpmFile)) {
    let doc: { packages?: unknown } | null;
    try {
      doc = parseYaml(readFileSync(pnpmFile, 'utf8')) as { packages?: unknown } | null;
    } catch (error) {
      throw new CoverageGateError(
        'pnpm-workspace.yaml',
        `cannot read YAML (${(error as Error).message.split('\n')[0]})`,
        'Fix the file, or list packages explicitly with the `packages` input',
      );
    }
    if (Array.isArray(doc?.packages)) found.push({ source: 'pnpm', globs: doc.packages.map(String) });
  }
  const lernaFile = join(root, 'lerna.json');
  if (existsSync(lernaFile)) {
    const lerna = readJson(lernaFile, 'lerna.json') as { packages?: unknown };
    if (Array.isArray(lerna?.packages)) found.push({ source: 'lerna', globs: lerna.packages.map(String) });
  }
  return found;
}

/** Every folder (bounded depth) holding a package.json or pyproject.toml. */
function candidates(root: string): Candidate[] {
  const result: Candidate[] = [];
  let visited = 0;
  const walk = (rel: string, depth: number) => {
    if (depth > MAX_DEPTH || visited++ > MAX_DIRS) return;
    let entries;
    try {
      entries = readdirSync(rel ? join(root, rel) : root, { withFileTypes: true });
    } catch {
      return; // unreadable folder: not a package we can attribute files to
    }
    const names = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    if (rel) {
      const c = { path: rel, hasPackageJson: names.has('package.json'), hasPyproject: names.has('pyproject.toml') };
      if (c.hasPackageJson || c.hasPyproject) result.push(c);
    }
    for (const e of entries) {
      if (!e.isDirectory() || SKIP_DIRS.has(e.name) || e.name.startsWith('.')) continue;
      walk(rel ? `${rel}/${e.name}` : e.name, depth + 1);
    }
  };
  walk('', 0);
  return result;
}

function pythonName(root: string, dir: string): string {
  try {
    const toml = parseToml(readFileSync(join(root, dir, 'pyproject.toml'), 'utf8')) as {
      project?: { name?: unknown };
      tool?: { poetry?: { name?: unknown } };
    };
    const name = toml.project?.name ?? toml.tool?.poetry?.name;
    return typeof name === 'string' && name ? name : basename(dir);
  } catch (error) {
    throw new CoverageGateError(
      `${dir}/pyproject.toml`,
      `cannot read TOML (${(error as Error).message.split('\n')[0]})`,
      'Fix the file, or list packages explicitly with the `packages` input',
    );
  }
}

function stripSlash(glob: string): string {
  return glob.replace(/^\.\//, '').replace(/\/+$/, '');
}

/**
 * Finds the packages of a workspace: npm/yarn `workspaces`, pnpm-workspace.yaml, lerna.json `packages`, and every
 * folder with a pyproject.toml (Python monorepos have no workspace file).
 * @param root the workspace folder (absolute).
 * @returns the packages, sorted by path; empty for a single-package repository.
 * @throws CoverageGateError naming the workspace file when it cannot be read.
 */
export function detectPackages(root: string): WorkspacePackage[] {
  const sets = workspaceGlobs(root);
  const dirs = candidates(root);
  const byPath = new Map<string, WorkspacePackage>();
  for (const { source, globs } of sets) {
    const include = globs.filter((g) => !g.startsWith('!')).map(stripSlash);
    const exclude = globs.filter((g) => g.startsWith('!')).map((g) => stripSlash(g.slice(1)));
    if (include.length === 0) continue;
    const isIncluded = picomatch(include);
    const isExcluded = exclude.length ? picomatch(exclude) : () => false;
    for (const dir of dirs) {
      if (!dir.hasPackageJson || byPath.has(dir.path) || !isIncluded(dir.path) || isExcluded(dir.path)) continue;
      const pkg = readJson(join(root, dir.path, 'package.json'), `${dir.path}/package.json`) as { name?: unknown };
      const name = typeof pkg?.name === 'string' && pkg.name ? pkg.name : basename(dir.path);
      byPath.set(dir.path, { name, path: dir.path, source });
    }
  }
  for (const dir of dirs) {
    if (!dir.hasPyproject || byPath.has(dir.path)) continue;
    byPath.set(dir.path, { name: pythonName(root, dir.path), path: dir.path, source: 'python' });
  }
  const packages = [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
  // Two folders may declare the same name (copies, fixtures); the path keeps them apart in tables.
  const counts = new Map<string, number>();
  for (const p of packages) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
  for (const p of packages) if ((counts.get(p.name) ?? 0) > 1) p.name = p.path;
  return packages;
}

/**
 * Builds the file -> package assignment.
 * @param packages detected packages (see {@link detectPackages}); a file goes to the deepest folder containing it.
 * @param explicit `packages` rules (`name=glob`); when given they replace detection, the first matching rule wins.
 * @returns the map; files outside every package go to {@link ROOT_PACKAGE}.
 */
export function createPackageMap(packages: WorkspacePackage[], explicit: PackageGlobRule[] = []): PackageMap {
  if (explicit.length > 0) {
    const rules = explicit.map((r) => ({ name: r.name, match: picomatch(stripSlash(r.glob), { dot: true }) }));
    const seen = new Map<string, WorkspacePackage>();
    for (const r of explicit)
      if (!seen.has(r.name)) seen.set(r.name, { name: r.name, path: r.glob, source: 'explicit' });
    return {
      packages: [...seen.values()],
      packageOf: (file) => rules.find((r) => r.match(file))?.name ?? ROOT_PACKAGE,
    };
  }
  // A file belongs to the deepest package folder containing it, so nested packages win over their parents. The
  // file's own folders are looked up from the deepest up: a few lookups per file, where testing every package's
  // path was 40 string comparisons per file on a 40-package monorepo (and grows with the package count).
  const byFolder = new Map<string, string>();
  for (const p of packages) if (!byFolder.has(p.path)) byFolder.set(p.path, p.name);
  return {
    packages,
    packageOf: (file) => {
      let slash = file.lastIndexOf('/');
      while (slash >= 0) {
        const name = byFolder.get(file.slice(0, slash));
        if (name !== undefined) return name;
        // lastIndexOf from -1 would find the leading `/` again.
        slash = slash === 0 ? -1 : file.lastIndexOf('/', slash - 1);
      }
      return ROOT_PACKAGE;
    },
  };
}

/**
 * The `package-thresholds` rule that applies to a package: the first whose pattern equals its name, path or folder
 * name, or matches its path or name as a glob.
 * @param pkg the package.
 * @param rules the policy's rules in written order.
 * @returns the rule, or undefined when the package has none.
 */
export function ruleFor(pkg: WorkspacePackage, rules: PackageThresholdRule[]): PackageThresholdRule | undefined {
  return rules.find((rule) => ruleMatches(rule, pkg));
}

/**
 * Whether a `package-thresholds` pattern names a package (see {@link ruleFor}).
 * @param rule the rule.
 * @param pkg the package.
 * @returns true when the rule applies.
 */
export function ruleMatches(rule: PackageThresholdRule, pkg: WorkspacePackage): boolean {
  const pattern = stripSlash(rule.pattern);
  if (pattern === pkg.name || pattern === pkg.path || pattern === basename(pkg.path)) return true;
  const match = picomatch(pattern, { dot: true });
  return match(pkg.path) || match(pkg.name);
}
