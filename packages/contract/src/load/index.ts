import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ContractInputError } from './errors.js';
import { lazyOffset, lineCol, parseJson, parseYaml, type MetaMap, type NodeMeta, type SourceFile } from './parse.js';
import { normalizeSwagger2 } from './swagger2.js';

export { ContractInputError } from './errors.js';

/** A place in a loaded file: repo-relative path and 1-based line/column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Options of {@link loadSpec}. */
export interface LoadOptions {
  /**
   * Directory every file must live in (the repository). `$ref`s that leave it are refused, so a spec in a pull
   * request cannot make the gate read `/etc/passwd`. Defaults to the entry file's directory.
   */
  root?: string;
  /** Largest single file accepted, in bytes (default 32 MiB); bigger files get a clear error instead of a slow parse. */
  maxFileBytes?: number;
  /** Most files one spec may pull in through `$ref` (default 2000). */
  maxFiles?: number;
  /** YAML alias expansions allowed per file (default 10000); bounds "billion laughs" documents. */
  maxAliasCount?: number;
}

/**
 * An OpenAPI description loaded into the 3.x shape, with every `$ref` replaced by the object it points to.
 * Cycles stay cycles in the object graph (no expansion), so walkers must keep a visited set.
 */
export interface LoadedSpec {
  /** Entry file, relative to `root`. */
  entry: string;
  /** Absolute root directory. */
  root: string;
  /** The `openapi`/`swagger` version string as written, e.g. `3.1.0` or `2.0`. */
  version: string;
  /** Major dialect; Swagger 2.0 documents are normalized to the 3.0 shape. */
  dialect: '2.0' | '3.0' | '3.1';
  /** The document in OpenAPI 3.x shape. */
  document: Record<string, any>;
  /** Every file read, relative to `root`. */
  files: string[];
  /** Where `node` (or its `key`) sits in its source file; undefined for objects the loader synthesized without a source. */
  locate(node: object, key?: string | number): SourceLocation | undefined;
  /** JSON pointer of `node` (and `key`) inside its own source file. */
  pointer(node: object, key?: string | number): string | undefined;
  /**
   * Where a JSON pointer into `document` (through `$ref`s) is written; the nearest enclosing key when the exact
   * one has no position (e.g. inside a flow collection). For Spectral results and other tools that report paths.
   */
  locatePointer(pointer: string): SourceLocation | undefined;
}

const DEFAULTS = { maxFileBytes: 32 * 1024 * 1024, maxFiles: 2000, maxAliasCount: 10_000 };

/** Keys whose values are literal data, never OpenAPI structure, so `$ref` inside them is not a reference. */
const LITERAL_KEYS = new Set(['example', 'examples', 'default', 'enum', 'const', 'x-examples']);
/** Maps keyed by user-chosen names, where keyword-looking keys must still be walked. */
const NAME_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'schemas', '$defs', 'dependentSchemas']);
/** `$ref` siblings that only annotate; a 3.1 `$ref` with other siblings is merged with its target instead. */
const ANNOTATION_KEYS = new Set(['$ref', 'description', 'summary', 'title']);

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

const formatBytes = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null;

/**
 * Loads an OpenAPI 3.0/3.1/3.2 or Swagger 2.0 description (YAML or JSON, one or many files) into the 3.x shape.
 * `$ref`s are resolved relative to the file that contains them; only local files under `root` are read.
 * @param entryFile path of the entry document (absolute, or relative to the working directory).
 * @param options root directory and size limits.
 * @returns the loaded spec with a source map from objects to file:line.
 * @throws ContractInputError for unreadable, invalid, oversized or unsafe input, naming the file and line.
 * @example const spec = loadSpec('api/openapi.yaml', { root: process.cwd() });
 */
export function loadSpec(entryFile: string, options: LoadOptions = {}): LoadedSpec {
  const opts = { ...DEFAULTS, ...options };
  const entryAbs = path.resolve(entryFile);
  const root = path.resolve(options.root ?? path.dirname(entryAbs));
  let realRoot = root;
  try {
    realRoot = realpathSync.native(root);
  } catch {
    // A root that does not exist leaves every file outside it; the error names the entry file.
  }
  const meta: MetaMap = new WeakMap();
  const files = new Map<string, SourceFile>();
  const relOf = (abs: string) => path.relative(root, abs).split(path.sep).join('/') || path.basename(abs);

  const segmentsOf = (m: NodeMeta): string[] => {
    const segs: string[] = [];
    for (let cur: NodeMeta | undefined = m, guard = 0; cur && cur.key !== undefined && guard < 10_000; guard++) {
      segs.push(cur.key);
      cur = cur.parent ? meta.get(cur.parent) : undefined;
    }
    return segs.reverse();
  };
  const offsetOf = (m: NodeMeta, key?: string): number => {
    if (m.keys) return key !== undefined ? (m.keys.get(key) ?? m.offset) : m.offset;
    const segs = segmentsOf(m);
    if (key !== undefined) segs.push(key);
    return lazyOffset(m.file, segs);
  };
  const where = (node: object | undefined, key?: string): { file: string; line?: number; column?: number } => {
    const m = node ? meta.get(node) : undefined;
    if (!m) return { file: relOf(entryAbs) };
    return { file: m.file.rel, ...lineCol(m.file, offsetOf(m, key)) };
  };

  const readFile = (abs: string, referrer?: { node: object; key: string; ref: string }): SourceFile => {
    const known = files.get(abs);
    if (known) return known;
    const rel = relOf(abs);
    const isOutside = (p: string, r: string) =>
      path.relative(r, p).startsWith('..') || path.isAbsolute(path.relative(r, p));
    // A symlink inside the repository may point anywhere, so the real path is checked too.
    let real = abs;
    try {
      real = realpathSync.native(abs);
    } catch {
      // A missing file is reported below, with its referrer.
    }
    if (isOutside(abs, root) || isOutside(real, realRoot)) {
      throw new ContractInputError(
        referrer
          ? `$ref ${JSON.stringify(referrer.ref)} points outside the repository (${abs})`
          : `the spec ${abs} is outside the root ${root}`,
        referrer ? where(referrer.node, referrer.key) : { file: abs },
        'keep every referenced file inside the repository and use a relative path',
      );
    }
    if (files.size >= opts.maxFiles) {
      throw new ContractInputError(
        `more than ${opts.maxFiles} files referenced`,
        referrer ? where(referrer.node, referrer.key) : { file: rel },
        'bundle the spec or raise maxFiles',
      );
    }
    let size: number;
    try {
      const st = statSync(abs);
      if (!st.isFile()) throw new Error('not a regular file');
      size = st.size;
    } catch {
      if (referrer) {
        throw new ContractInputError(
          `$ref ${JSON.stringify(referrer.ref)} points to a missing file ${rel}`,
          where(referrer.node, referrer.key),
          `create ${rel} or correct the path; it is resolved relative to the file containing the $ref`,
        );
      }
      throw new ContractInputError(
        'spec file not found',
        { file: rel },
        'check the spec path input; it is relative to the repository root',
      );
    }
    if (size > opts.maxFileBytes) {
      throw new ContractInputError(
        `file is ${formatBytes(size)}, above the ${formatBytes(opts.maxFileBytes)} limit`,
        { file: rel },
        'split the spec into several files with $ref, or raise the size limit (maxFileBytes)',
      );
    }
    const text = readFileSync(abs, 'utf8');
    const file: SourceFile = { abs, rel, text, value: undefined };
    const looksJson = /\.json$/i.test(abs) || (!/\.ya?ml$/i.test(abs) && /^\s*[{[]/.test(text.slice(0, 64)));
    file.value = looksJson ? parseJson(file, meta) : parseYaml(file, meta, opts.maxAliasCount);
    files.set(abs, file);
    return file;
  };

  const entry = readFile(entryAbs);
  if (!isObject(entry.value) || Array.isArray(entry.value)) {
    throw new ContractInputError(
      'the document is not a mapping/object',
      { file: entry.rel, line: 1 },
      'point the spec input at an OpenAPI or Swagger document',
    );
  }
  const doc = entry.value as Record<string, any>;
  const rawVersion = doc.openapi ?? doc.swagger;
  const version = rawVersion === undefined ? '' : String(rawVersion);
  let dialect: LoadedSpec['dialect'];
  if (doc.swagger !== undefined && /^2(\.0)?$/.test(version)) dialect = '2.0';
  else if (/^3\.0(\.|$)/.test(version)) dialect = '3.0';
  // 3.2 keeps 3.1's JSON Schema 2020-12 and `$ref` rules; its additions (e.g. `itemSchema`) are plain keywords here.
  else if (/^3\.[12](\.|$)/.test(version)) dialect = '3.1';
  else {
    throw new ContractInputError(
      version ? `unsupported OpenAPI version ${JSON.stringify(version)}` : 'no `openapi` or `swagger` version field',
      { file: entry.rel, line: 1 },
      'use an OpenAPI 3.0, 3.1 or 3.2 (`openapi: 3.x.y`) or Swagger 2.0 (`swagger: "2.0"`) document',
    );
  }

  resolveRefs(entry, { meta, readFile, where, mergeSiblings: dialect === '3.1' });
  const document = dialect === '2.0' ? normalizeSwagger2(doc, meta) : doc;

  const loaded: LoadedSpec = {
    entry: entry.rel,
    root,
    version,
    dialect,
    document,
    files: [...files.values()].map((f) => f.rel),
    locate(node, key) {
      const m = meta.get(node);
      if (!m) return undefined;
      return { file: m.file.rel, ...lineCol(m.file, offsetOf(m, key === undefined ? undefined : String(key))) };
    },
    locatePointer(pointer) {
      const segments =
        pointer === ''
          ? []
          : pointer
              .replace(/^#/, '')
              .slice(1)
              .split('/')
              .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      let node: any = document;
      let best: SourceLocation | undefined = loaded.locate(document);
      for (const seg of segments) {
        if (!isObject(node) || !(seg in node)) break;
        best = loaded.locate(node, seg) ?? best;
        node = node[seg];
      }
      return best;
    },
    pointer(node, key) {
      const m = meta.get(node);
      if (!m) return undefined;
      const segs = segmentsOf(m);
      if (key !== undefined) segs.push(String(key));
      return segs.map((s) => '/' + escapePointer(s)).join('');
    },
  };
  return loaded;
}

interface ResolveContext {
  meta: MetaMap;
  readFile: (abs: string, referrer: { node: object; key: string; ref: string }) => SourceFile;
  where: (node: object | undefined, key?: string) => { file: string; line?: number; column?: number };
  mergeSiblings: boolean;
}

/**
 * Replaces every reachable `{$ref}` object with its target, in place. Starting from the entry document and
 * following only what is referenced means a broken file nobody points to is never read.
 */
function resolveRefs(entry: SourceFile, ctx: ResolveContext): void {
  const { meta } = ctx;
  const cache = new Map<object, { value: any; file: SourceFile }>();
  const inProgress = new Set<object>();

  const fileOf = (node: object, fallback: SourceFile) => meta.get(node)?.file ?? fallback;

  const deref = (refObj: Record<string, any>, file: SourceFile): { value: any; file: SourceFile } => {
    const cached = cache.get(refObj);
    if (cached) return cached;
    const ref: string = refObj.$ref;
    const at = () => ctx.where(refObj, '$ref');
    if (inProgress.has(refObj)) {
      throw new ContractInputError(
        `$ref ${JSON.stringify(ref)} is a reference loop that never reaches a value`,
        at(),
        'make one of the references in the loop point to a real object',
      );
    }
    inProgress.add(refObj);
    if (/^[a-z][a-z0-9+.-]*:/i.test(ref) && !/^file:/i.test(ref)) {
      throw new ContractInputError(
        `$ref ${JSON.stringify(ref)} is remote; the gate never fetches over the network`,
        at(),
        'vendor the referenced document into the repository and reference it by relative path',
      );
    }
    const hash = ref.indexOf('#');
    const filePart = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = hash === -1 ? '' : ref.slice(hash + 1);
    let target = file;
    if (filePart) {
      let decoded: string;
      try {
        decoded = decodeURI(filePart.replace(/^file:\/\//i, ''));
      } catch {
        throw new ContractInputError(
          `$ref ${JSON.stringify(ref)} has invalid %-encoding`,
          at(),
          'percent-encode the path correctly or write it plainly',
        );
      }
      const abs = path.isAbsolute(decoded) ? decoded : path.resolve(path.dirname(file.abs), decoded);
      target = ctx.readFile(abs, { node: refObj, key: '$ref', ref });
    }
    let node: any = target.value;
    let nodeFile = target;
    if (fragment) {
      if (!fragment.startsWith('/')) {
        throw new ContractInputError(
          `$ref ${JSON.stringify(ref)} uses a plain-name fragment, which is not supported`,
          at(),
          'use a JSON pointer fragment such as `#/components/schemas/Pet`',
        );
      }
      let segments: string[];
      try {
        segments = fragment
          .slice(1)
          .split('/')
          .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
      } catch {
        throw new ContractInputError(
          `$ref ${JSON.stringify(ref)} has invalid %-encoding`,
          at(),
          'percent-encode the pointer correctly',
        );
      }
      for (const seg of segments) {
        if (isObject(node) && typeof node.$ref === 'string') {
          const r = deref(node, nodeFile);
          node = r.value;
          nodeFile = r.file;
        }
        if (!isObject(node) || !Object.prototype.hasOwnProperty.call(node, seg)) {
          throw new ContractInputError(
            `$ref ${JSON.stringify(ref)} points to nothing: ${JSON.stringify(seg)} not found in ${target.rel}`,
            at(),
            'correct the JSON pointer after `#` or add the missing definition',
          );
        }
        node = node[seg];
        if (isObject(node)) nodeFile = fileOf(node, nodeFile);
      }
    }
    if (isObject(node) && typeof node.$ref === 'string') {
      const r = deref(node, nodeFile);
      node = r.value;
      nodeFile = r.file;
    }
    let value = node;
    if (
      ctx.mergeSiblings &&
      isObject(node) &&
      !Array.isArray(node) &&
      Object.keys(refObj).some((k) => !ANNOTATION_KEYS.has(k))
    ) {
      // 3.1: `$ref` beside other keywords means "both apply"; a shallow merge keeps the target shared underneath.
      value = { ...node };
      for (const [k, v] of Object.entries(refObj)) if (k !== '$ref') value[k] = v;
      const m = meta.get(refObj);
      if (m) meta.set(value, m);
    }
    const result = { value, file: nodeFile };
    inProgress.delete(refObj);
    cache.set(refObj, result);
    return result;
  };

  const visited = new Set<object>();
  const stack: Array<[any, SourceFile]> = [[entry.value, entry]];
  while (stack.length) {
    const [node, file] = stack.pop()!;
    if (visited.has(node)) continue;
    visited.add(node);
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    // Inside `properties` (and similar name-keyed maps) a key like `default` is a property name, not a keyword.
    const nameMap = NAME_MAPS.has(meta.get(node)?.key ?? '');
    for (const key of keys) {
      if (typeof key === 'string' && !nameMap && (LITERAL_KEYS.has(key) || key.startsWith('x-'))) {
        // `examples` in a Media Type is a map of Example Objects, which may be `$ref`s; their values are literal.
        if (key === 'examples' && isObject(node[key]) && !Array.isArray(node[key])) {
          for (const [ek, ev] of Object.entries(node[key] as Record<string, any>)) {
            if (isObject(ev) && typeof ev.$ref === 'string')
              (node[key] as Record<string, any>)[ek] = deref(ev, file).value;
          }
        }
        continue;
      }
      const child = node[key];
      if (!isObject(child)) continue;
      if (typeof child.$ref === 'string') {
        const r = deref(child, file);
        node[key] = r.value;
        if (isObject(r.value)) stack.push([r.value, r.file]);
      } else {
        stack.push([child, fileOf(child, file)]);
      }
    }
  }
}
