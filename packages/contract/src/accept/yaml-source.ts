import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';

/** A YAML/JSON text parsed with its line table, so validation errors can name `file:line`. */
export interface SourceDocument {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/**
 * Parse YAML (or JSON, a subset) keeping positions.
 * @param text file contents.
 * @param file repo-relative path used in error messages.
 * @returns the parsed document, or the first syntax error as `{ line, message }`.
 */
export function parseSource(
  text: string,
  file: string,
): { source: SourceDocument; error?: undefined } | { error: { line: number; message: string } } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first.linePos?.[0].line ?? lines.linePos(first.pos[0]).line;
    return { error: { line, message: first.message.split('\n')[0] } };
  }
  return { source: { file, doc, lines } };
}

/**
 * The 1-based line of the node at `path` (map keys and sequence indexes), or of its nearest existing parent.
 * @param source a document from {@link parseSource}.
 * @param path keys/indexes from the root.
 * @returns the line number (1 when nothing matches).
 */
export function lineOf(source: SourceDocument, path: readonly (string | number)[]): number {
  let node: Node | null = source.doc.contents as Node | null;
  let line = node?.range ? source.lines.linePos(node.range[0]).line : 1;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (keyNode.range) line = source.lines.linePos(keyNode.range[0]).line;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      if (item.range) line = source.lines.linePos(item.range[0]).line;
      node = item;
    } else break;
  }
  return line;
}
