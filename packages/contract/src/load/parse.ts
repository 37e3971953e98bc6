import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import jsYaml from 'js-yaml';
import { ContractInputError } from './errors.js';

/** One file read during loading. `text` is kept so positions are computed only for nodes that get reported. */
export interface SourceFile {
  /** Absolute path. */
  abs: string;
  /** Path relative to the load root, with `/` separators; this is what messages and locations show. */
  rel: string;
  text: string;
  value: unknown;
  lineStarts?: number[];
  /** Set for YAML read by the fast parser: key offsets are looked up in this index, built on first use. */
  keyIndex?: Map<string, number>;
  lazy?: boolean;
}

/** Where a parsed object came from: its file, its parent link (for the JSON pointer) and the offsets of its keys. */
export interface NodeMeta {
  file: SourceFile;
  parent?: object;
  key?: string;
  /** Offset of the object itself (its first key / opening bracket). */
  offset: number;
  /** Offset of each key (objects) or item (arrays, index as string); absent for lazily positioned YAML. */
  keys?: Map<string, number>;
}

/** Source map of one load: every parsed object -> where it came from. */
export type MetaMap = WeakMap<object, NodeMeta>;

/** Deeper nesting than this is not a real API description; refusing it keeps the recursive parser off the stack limit. */
const MAX_DEPTH = 1000;

/** 1-based line and column of `offset` in `file`. */
export function lineCol(file: SourceFile, offset: number): { line: number; column: number } {
  if (!file.lineStarts) {
    const starts = [0];
    const t = file.text;
    for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
    file.lineStarts = starts;
  }
  const s = file.lineStarts;
  let lo = 0;
  let hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - s[lo] + 1 };
}

/**
 * JSON with positions. `JSON.parse` gives no offsets and the YAML parser is ~20x slower on multi-megabyte JSON
 * (Kubernetes is 4 MB), so this is a small hand-written parser that records key offsets as it goes.
 */
export function parseJson(file: SourceFile, meta: MetaMap): unknown {
  const t = file.text;
  let i = 0;
  const fail = (what: string): never => {
    const { line, column } = lineCol(file, Math.min(i, t.length));
    throw new ContractInputError(
      `invalid JSON: ${what}`,
      { file: file.rel, line, column },
      'correct the JSON syntax at this position (a linter such as `jq . <file>` shows the same place)',
    );
  };
  const ws = () => {
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  const str = (): string => {
    const start = ++i;
    let escaped = false;
    for (;;) {
      const c = t.charCodeAt(i);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
      } else if (c < 32) fail('control character in string');
      else i++;
    }
    const raw = t.slice(start, i);
    i++;
    if (!escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return fail('bad escape sequence in string');
    }
  };
  const value = (depth: number, parent: object | undefined, key: string | undefined): unknown => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    ws();
    const c = t.charCodeAt(i);
    if (c === 123) {
      const obj: Record<string, unknown> = {};
      const keys = new Map<string, number>();
      meta.set(obj, { file, parent, key, offset: i, keys });
      i++;
      ws();
      if (t.charCodeAt(i) === 125) {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (t.charCodeAt(i) !== 34) fail('expected a quoted property name');
        const at = i;
        const k = str();
        ws();
        if (t.charCodeAt(i) !== 58) fail('expected `:` after property name');
        i++;
        keys.set(k, at);
        // defineProperty-free assignment is fine: `__proto__` as a key is handled by JSON semantics below.
        const v = value(depth + 1, obj, k);
        if (k === '__proto__')
          Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        else obj[k] = v;
        ws();
        const d = t.charCodeAt(i);
        if (d === 44) i++;
        else if (d === 125) {
          i++;
          return obj;
        } else fail('expected `,` or `}`');
      }
    }
    if (c === 91) {
      const arr: unknown[] = [];
      const keys = new Map<string, number>();
      meta.set(arr, { file, parent, key, offset: i, keys });
      i++;
      ws();
      if (t.charCodeAt(i) === 93) {
        i++;
        return arr;
      }
      for (;;) {
        ws();
        keys.set(String(arr.length), i);
        arr.push(value(depth + 1, arr, String(arr.length)));
        ws();
        const d = t.charCodeAt(i);
        if (d === 44) i++;
        else if (d === 93) {
          i++;
          return arr;
        } else fail('expected `,` or `]`');
      }
    }
    if (c === 34) return str();
    if (t.startsWith('true', i)) return ((i += 4), true);
    if (t.startsWith('false', i)) return ((i += 5), false);
    if (t.startsWith('null', i)) return ((i += 4), null);
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const num = m.exec(t);
    if (!num) return fail(Number.isNaN(c) ? 'unexpected end of file' : `unexpected character ${JSON.stringify(t[i])}`);
    i += num[0].length;
    return Number(num[0]);
  };
  if (t.charCodeAt(0) === 0xfeff) i = 1;
  const root = value(0, undefined, undefined);
  ws();
  if (i < t.length) fail('unexpected content after the end of the document');
  return root;
}

/**
 * YAML with positions. Aliases are bounded by `maxAliasCount` (billion-laughs protection); the JS value comes from
 * `toJS` and a parallel walk of the AST records where each key sits.
 */
export function parseYaml(file: SourceFile, meta: MetaMap, maxAliasCount: number): unknown {
  // js-yaml is ~7x faster than `yaml` (DigitalOcean is 13 MB in 1,500 files) but keeps no positions and does not
  // count aliases. Files without anchors take the fast path and get positions later, only if a finding needs one;
  // files with anchors take the `yaml` path, which bounds alias expansion.
  if (!/(^|[\s[{,])&[^\s,[\]{}]/m.test(file.text)) return parseYamlFast(file, meta);
  const lineCounter = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    const message = err.message.split('\n')[0];
    throw new ContractInputError(
      `invalid YAML: ${message}`,
      { file: file.rel, line: pos.line, column: pos.col },
      'correct the YAML syntax at this position (check indentation, quoting and duplicate keys)',
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ContractInputError(
      `YAML aliases expand too much (${message})`,
      { file: file.rel },
      `remove the alias chain (\`*anchor\` references) or write the values out; at most ${maxAliasCount} alias expansions are allowed`,
    );
  }
  const walk = (
    node: YamlNode | null,
    js: unknown,
    parent: object | undefined,
    key: string | undefined,
    depth: number,
  ) => {
    if (!node || isAlias(node) || js === null || typeof js !== 'object' || meta.has(js)) return;
    if (depth > MAX_DEPTH) {
      throw new ContractInputError(
        `nesting deeper than ${MAX_DEPTH} levels`,
        { file: file.rel },
        'flatten the document',
      );
    }
    const keys = new Map<string, number>();
    meta.set(js, { file, parent, key, offset: node.range?.[0] ?? 0, keys });
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key as YamlNode | null;
        const ks = isScalar(k) ? String(k.value) : undefined;
        if (ks === undefined || ks === '<<') continue;
        keys.set(ks, k?.range?.[0] ?? 0);
        walk(pair.value as YamlNode | null, (js as Record<string, unknown>)[ks], js, ks, depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, idx) => {
        const n = item as YamlNode | null;
        keys.set(String(idx), n?.range?.[0] ?? 0);
        walk(n, (js as unknown[])[idx], js, String(idx), depth + 1);
      });
    }
  };
  walk(doc.contents as YamlNode | null, value, undefined, undefined, 0);
  return value;
}

function parseYamlFast(file: SourceFile, meta: MetaMap): unknown {
  let value: unknown;
  try {
    value = jsYaml.load(file.text, { schema: jsYaml.CORE_SCHEMA, filename: file.rel });
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    const reason = (e as { reason?: string }).reason ?? String(e);
    throw new ContractInputError(
      `invalid YAML: ${reason}`,
      { file: file.rel, line: mark ? mark.line + 1 : undefined, column: mark ? mark.column + 1 : undefined },
      'correct the YAML syntax at this position (check indentation, quoting and duplicate keys)',
    );
  }
  file.lazy = true;
  // Recursion rather than an explicit stack: no tuple per node, which matters at 1,500 files.
  const walk = (js: unknown, parent: object | undefined, key: string | undefined, depth: number): void => {
    if (js === null || typeof js !== 'object' || meta.has(js)) return;
    if (depth > MAX_DEPTH) {
      throw new ContractInputError(
        `nesting deeper than ${MAX_DEPTH} levels`,
        { file: file.rel },
        'flatten the document',
      );
    }
    meta.set(js, { file, parent, key, offset: 0 });
    if (Array.isArray(js)) for (let i = 0; i < js.length; i++) walk(js[i], js, String(i), depth + 1);
    else for (const k in js) walk((js as Record<string, unknown>)[k], js, k, depth + 1);
  };
  walk(value, undefined, undefined, 0);
  return value;
}

/**
 * Offset of the value at `segments` (or of its deepest indexed ancestor) in a lazily positioned YAML file. The
 * first lookup builds a key index in one pass over the lines (block-style YAML, which is what OpenAPI files use);
 * anything the index cannot see (flow collections) falls back to the nearest enclosing key, never to a wrong one.
 */
export function lazyOffset(file: SourceFile, segments: string[]): number {
  if (!file.keyIndex) file.keyIndex = indexYamlKeys(file.text);
  for (let n = segments.length; n > 0; n--) {
    const off = file.keyIndex.get(segments.slice(0, n).join('\u0000'));
    if (off !== undefined) return off;
  }
  return 0;
}

const KEY_RE =
  /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{[\]},&*!|>%@`-][^#\n]*?|-[^\s][^#\n]*?))[ \t]*:(?=[ \t]|$)/;

interface Container {
  indent: number;
  kind: 'map' | 'seq';
  /** Path of the container itself, segments joined by NUL ('' = document root). */
  path: string;
  count: number;
  /** Path of the most recent child. */
  last?: string;
}

const join = (parent: string, seg: string) => (parent === '' ? seg : `${parent}\u0000${seg}`);

/** One pass over block-style YAML: path (segments joined by NUL) -> offset of the key or dash. */
function indexYamlKeys(text: string): Map<string, number> {
  const index = new Map<string, number>();
  const stack: Container[] = [];
  let blockIndent = -1;
  let explicitKeyCol = -1;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    // Windows line endings: the `\r` would hide the `key:` at the end of the line.
    const line =
      text.charCodeAt(lineEnd - 1) === 13 ? text.slice(lineStart, lineEnd - 1) : text.slice(lineStart, lineEnd);
    const start = lineStart;
    lineStart = lineEnd + 1;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length || line.charCodeAt(indent) === 13) continue;
    if (blockIndent >= 0) {
      if (indent > blockIndent) continue;
      blockIndent = -1;
    }
    let col = indent;
    let rest = line.slice(col);
    if (rest.startsWith('#') || rest.startsWith('---') || rest.startsWith('...')) continue;
    if (rest === '-' || rest.startsWith('- ') || rest.startsWith('-\t')) {
      while (stack.length && stack[stack.length - 1].indent > col) stack.pop();
      let top = stack[stack.length - 1];
      if (!top || top.indent < col || top.kind === 'map') {
        top = { indent: col, kind: 'seq', path: top ? (top.last ?? top.path) : '', count: -1 };
        stack.push(top);
      }
      top.count++;
      top.last = join(top.path, String(top.count));
      index.set(top.last, start + col);
      let after = 1;
      while (rest.charCodeAt(after) === 32 || rest.charCodeAt(after) === 9) after++;
      if (after >= rest.length) continue;
      col += after;
      rest = line.slice(col);
    }
    let key: string | undefined;
    let valueText = '';
    if (rest.startsWith('? ')) {
      // Explicit key (`? long key` / `: value`), as some generators write very long keys.
      key = rest.slice(2).trim();
      explicitKeyCol = col;
    } else if (rest.startsWith(': ') && col === explicitKeyCol) {
      explicitKeyCol = -1;
      col += 2;
      rest = line.slice(col);
      while (stack.length && stack[stack.length - 1].indent > col) stack.pop();
    }
    if (key === undefined) {
      const m = KEY_RE.exec(rest);
      if (!m) continue;
      key =
        m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3].trim();
      valueText = rest.slice(m[0].length).trim();
    }
    while (
      stack.length &&
      (stack[stack.length - 1].indent > col ||
        (stack[stack.length - 1].indent === col && stack[stack.length - 1].kind === 'seq'))
    )
      stack.pop();
    let top = stack[stack.length - 1];
    if (!top || top.indent < col || top.kind === 'seq') {
      top = { indent: col, kind: 'map', path: top ? (top.last ?? top.path) : '', count: 0 };
      stack.push(top);
    }
    top.last = join(top.path, key);
    index.set(top.last, start + col);
    if (/^[|>][-+0-9]*\s*(#.*)?$/.test(valueText)) blockIndent = col;
  }
  return index;
}
