import { rm } from 'node:fs/promises';
import { diffSpecs } from '../diff/index.js';
import type { Change } from '../diff/types.js';
import { loadSpec } from '../load/index.js';
import { materializeBaseSpec } from './base-spec.js';

/*
 * The diff half of the contract gate, apart from lint and reporting so that the action's diff worker bundles only
 * this (loader, engine, git) and starts in a few milliseconds instead of evaluating Spectral a second time.
 */

/** Load two specs and diff them: plain data, so it can cross to a worker thread. */
export interface DiffJob {
  /** A base spec file, or the spec at a commit (read from git with every file it references). */
  base: { entry: string; root: string } | { gitRoot: string; commit: string; path: string };
  head: { entry: string; root: string };
  /** ISO timestamp for sunset-date decisions. */
  now: string;
}

export interface DiffJobResult {
  /** False when the spec did not exist at the base commit (a new spec: nothing to compare). */
  baseFound: boolean;
  changes: Change[];
  /** `info.version` of each side, for `allow-breaking-on-major`. */
  baseVersion?: string;
  headVersion?: string;
  timings: Record<string, number>;
}

/**
 * Load both specs and diff them in this thread.
 * @param job entries, roots and clock.
 * @returns the changes, both `info.version`s and timings.
 * @throws ContractInputError when a spec cannot be loaded.
 */
export async function runDiffJob(job: DiffJob): Promise<DiffJobResult> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(performance.now() - started);
    }
  };
  let base = job.base;
  let temp: string | undefined;
  try {
    if ('commit' in base) {
      const { gitRoot, commit, path: specPath } = base;
      const materialized = await timed('read base from git', () => materializeBaseSpec(gitRoot, commit, specPath));
      temp = materialized.root;
      if (!materialized.entry) return { baseFound: false, changes: [], timings };
      base = { entry: materialized.entry, root: materialized.root };
    }
    const { entry, root } = base;
    const head = await timed('load head', () => loadSpec(job.head.entry, { root: job.head.root }));
    const baseSpec = await timed('load base', () => loadSpec(entry, { root }));
    const changes = await timed('diff', () => diffSpecs(baseSpec, head, { now: new Date(job.now) }));
    return {
      baseFound: true,
      changes,
      baseVersion: stringOrUndefined(baseSpec.document.info?.version),
      headVersion: stringOrUndefined(head.document.info?.version),
      timings,
    };
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}
