import * as core from '@actions/core';
import type { Annotation } from './report.js';
import { redact } from './secrets.js';

/** GitHub's caps: per step at most 10 of each level are shown, and at most 50 per job. */
export interface AnnotationCaps {
  /** Per level (error, warning, notice) in one step; default 10. */
  perLevel?: number;
  /** In total; default 50 (the per-job cap, for actions that emit from one step per job). */
  total?: number;
}

/** What {@link selectAnnotations} kept and how much it had to leave out. */
export interface AnnotationSelection {
  /** Merged and capped annotations, most important first. */
  selected: Annotation[];
  /** Annotations (after merging) that did not fit the caps. */
  dropped: number;
  /** Input annotations folded into a neighbour by merging. */
  merged: number;
}

const LEVEL_RANK: Record<Annotation['level'], number> = { error: 0, warning: 1, notice: 2 };
/** GitHub truncates longer annotation messages anyway; merged messages are kept under it. */
const MAX_MESSAGE = 4096;

/**
 * Chooses the annotations GitHub will actually show. Annotations of the same file, level and title on adjacent or
 * overlapping lines are merged into one range (so 40 uncovered lines in a row cost one slot, not 40); then the most
 * important are kept — by level, then priority (lower first), then original order — within the caps.
 * @param annotations candidates, in the order the gate produced them.
 * @param caps per-level and total caps (defaults match GitHub).
 * @returns the kept annotations, how many were dropped and how many were merged away.
 */
export function selectAnnotations(annotations: readonly Annotation[], caps: AnnotationCaps = {}): AnnotationSelection {
  const perLevel = caps.perLevel ?? 10;
  const total = caps.total ?? 50;
  const groups = new Map<string, Array<{ a: Annotation; order: number }>>();
  annotations.forEach((a, order) => {
    const key = JSON.stringify([a.file, a.level, a.title ?? '']);
    const list = groups.get(key) ?? [];
    list.push({ a, order });
    groups.set(key, list);
  });
  const merged: Array<{ a: Annotation; order: number }> = [];
  for (const list of groups.values()) {
    list.sort((x, y) => x.a.line - y.a.line || x.order - y.order);
    let current: { a: Annotation; order: number; messages: string[] } | null = null;
    for (const { a, order } of list) {
      const end = a.endLine && a.endLine > a.line ? a.endLine : a.line;
      if (current && a.line <= (current.a.endLine ?? current.a.line) + 1) {
        current.a.endLine = Math.max(current.a.endLine ?? current.a.line, end);
        current.a.priority = Math.min(current.a.priority, a.priority);
        current.order = Math.min(current.order, order);
        if (!current.messages.includes(a.message)) current.messages.push(a.message);
        continue;
      }
      if (current) merged.push(finish(current));
      current = { a: { ...a, endLine: end }, order, messages: [a.message] };
    }
    if (current) merged.push(finish(current));
  }
  merged.sort(
    (x, y) => LEVEL_RANK[x.a.level] - LEVEL_RANK[y.a.level] || x.a.priority - y.a.priority || x.order - y.order,
  );
  const perLevelCount: Record<Annotation['level'], number> = { error: 0, warning: 0, notice: 0 };
  const selected: Annotation[] = [];
  for (const { a } of merged) {
    if (selected.length >= total || perLevelCount[a.level] >= perLevel) continue;
    perLevelCount[a.level]++;
    selected.push(a);
  }
  return { selected, dropped: merged.length - selected.length, merged: annotations.length - merged.length };
}

function finish(group: { a: Annotation; order: number; messages: string[] }): { a: Annotation; order: number } {
  let message = group.messages.join('\n');
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE - 1)}…`;
  const a: Annotation = { ...group.a, message };
  if (a.endLine === a.line) delete a.endLine;
  return { a, order: group.order };
}

/**
 * Issues annotations with `core.error` / `core.warning` / `core.notice`, with file and line range properties.
 * Messages and titles are redacted of registered secrets first. Pass the result of {@link selectAnnotations}.
 * @param annotations the annotations to show.
 * @returns how many were issued.
 */
export function emitAnnotations(annotations: readonly Annotation[]): number {
  for (const a of annotations) {
    const properties: core.AnnotationProperties = {
      file: a.file,
      startLine: a.line,
      endLine: a.endLine ?? a.line,
      ...(a.title ? { title: redact(a.title) } : {}),
    };
    const message = redact(a.message);
    if (a.level === 'error') core.error(message, properties);
    else if (a.level === 'warning') core.warning(message, properties);
    else core.notice(message, properties);
  }
  return annotations.length;
}
