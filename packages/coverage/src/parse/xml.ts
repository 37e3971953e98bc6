import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { CoverageInputError } from './errors.js';

/** Attributes of one element; a null-prototype record so `__proto__` in a report cannot pollute anything. */
export type XmlAttributes = Record<string, string>;

/** Callbacks of the streaming tokenizer. Element nesting is the handler's business (no tree, no recursion). */
export interface XmlHandler {
  open(name: string, attributes: XmlAttributes, line: number): void;
  close(name: string): void;
  /** Called with decoded character data only while {@link wantText} returns true (e.g. inside `<source>`). */
  text?(text: string): void;
  wantText?(): boolean;
}

const CHUNK_BYTES = 1024 * 1024;
/** One tag, comment or text run larger than this is not a coverage report; refuse instead of buffering 1 GB. */
const MAX_CONSTRUCT = 16 * 1024 * 1024;
const ATTRIBUTE_RE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY_RE = /&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi;

/**
 * Decodes the five predefined XML entities and character references. Anything else (`&custom;`) is left verbatim:
 * declared entities are never expanded, which is what makes entity bombs and external entities harmless.
 * @param text raw attribute value or character data.
 */
export function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY_RE, (whole, ref: string) => {
    const lower = ref.toLowerCase();
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'amp') return '&';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * A small streaming, non-validating XML tokenizer for coverage reports. Reads 1 MB at a time, never builds a tree,
 * never recurses (so 100,000 nested elements are just a loop), never fetches or expands DTDs: a DOCTYPE with an
 * internal subset that declares entities is rejected with one error, an external DTD reference is ignored.
 * @param file report path, for error messages.
 * @param handle open file.
 * @param handler element callbacks.
 * @throws CoverageInputError on entity declarations, truncated or oversized constructs.
 */
export async function parseXml(file: string, handle: FileHandle, handler: XmlHandler): Promise<void> {
  const decoder = new StringDecoder('utf8');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let pending = '';
  let eof = false;
  // Line tracking: newlines before `lineCursor` in `pending` are already counted in `lineCount`.
  // `nextNewline` caches the first '\n' at or after the cursor so a long line without newlines is not rescanned
  // per tag (that made 200,000 tags on one line quadratic); -2 = unknown, Infinity = none in `pending`.
  let lineCount = 1;
  let lineCursor = 0;
  let nextNewline = -2;
  const lineAt = (index: number): number => {
    if (nextNewline === -2) {
      const i = pending.indexOf('\n', lineCursor);
      nextNewline = i === -1 ? Infinity : i;
    }
    while (nextNewline < index) {
      lineCount++;
      const i = pending.indexOf('\n', nextNewline + 1);
      nextNewline = i === -1 ? Infinity : i;
    }
    lineCursor = index;
    return lineCount;
  };
  const fail = (problem: string, fix: string, index: number): never => {
    throw new CoverageInputError(file, problem, fix, lineAt(index));
  };
  const wantsText = (): boolean => handler.wantText?.() === true;

  let first = true;
  for (;;) {
    if (!eof) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) {
        eof = true;
        pending += decoder.end();
      } else pending += decoder.write(chunk.subarray(0, bytesRead));
      if (first && pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
      first = false;
      if (nextNewline === Infinity) nextNewline = -2; // new text may contain newlines
    }
    let pos = 0;
    for (;;) {
      const lt = pending.indexOf('<', pos);
      if (lt === -1) {
        if (wantsText()) handler.text!(decodeXmlEntities(pending.slice(pos)));
        pos = pending.length;
        break;
      }
      if (lt > pos && wantsText()) handler.text!(decodeXmlEntities(pending.slice(pos, lt)));
      pos = lt;
      if (!eof && pending.length - lt < 10) break; // not enough to classify the construct yet
      let end: number; // index just after the construct, or -1 when more input is needed
      const next = pending.charCodeAt(lt + 1);
      if (next === 63 /* ? */) {
        const close = pending.indexOf('?>', lt + 2);
        end = close === -1 ? -1 : close + 2;
      } else if (pending.startsWith('<!--', lt)) {
        const close = pending.indexOf('-->', lt + 4);
        end = close === -1 ? -1 : close + 3;
      } else if (pending.startsWith('<![CDATA[', lt)) {
        const close = pending.indexOf(']]>', lt + 9);
        end = close === -1 ? -1 : close + 3;
        if (end !== -1 && wantsText()) handler.text!(pending.slice(lt + 9, close));
      } else if (next === 33 /* ! */) {
        end = doctypeEnd(pending, lt);
        if (end !== -1) {
          const declaration = pending.slice(lt, end);
          if (/<!ENTITY/i.test(declaration)) {
            fail(
              'the XML DOCTYPE declares entities (<!ENTITY>); they are never expanded (XXE / entity-bomb protection)',
              'Generate the report without an internal DTD subset; coverage tools never need one',
              lt,
            );
          }
        }
      } else if (next === 47 /* / */) {
        const close = pending.indexOf('>', lt + 2);
        end = close === -1 ? -1 : close + 1;
        if (end !== -1) handler.close(pending.slice(lt + 2, close).trim());
      } else {
        end = tagEnd(pending, lt + 1);
        if (end !== -1) {
          const selfClosing = pending.charCodeAt(end - 2) === 47;
          const body = pending.slice(lt + 1, selfClosing ? end - 2 : end - 1);
          let nameEnd = 0;
          while (nameEnd < body.length && !isSpace(body.charCodeAt(nameEnd))) nameEnd++;
          const name = body.slice(0, nameEnd);
          if (name === '') fail('malformed XML: "<" not followed by an element name', 'Check the file is XML', lt);
          const attributes: XmlAttributes = Object.create(null) as XmlAttributes;
          if (nameEnd < body.length) {
            ATTRIBUTE_RE.lastIndex = nameEnd;
            for (let m = ATTRIBUTE_RE.exec(body); m; m = ATTRIBUTE_RE.exec(body)) {
              attributes[m[1]!] = decodeXmlEntities(m[2] ?? m[3] ?? '');
            }
          }
          handler.open(name, attributes, lineAt(lt));
          if (selfClosing) handler.close(name);
        }
      }
      if (end === -1) {
        if (eof) fail('the XML ends inside a tag or comment (truncated file?)', 'Regenerate the report', lt);
        if (pending.length - lt > MAX_CONSTRUCT) {
          fail(`an XML tag or comment is larger than ${MAX_CONSTRUCT >> 20} MB`, 'This is not a coverage report', lt);
        }
        break;
      }
      pos = end;
    }
    if (pos > 0) {
      lineAt(pos);
      pending = pending.slice(pos);
      lineCursor = 0;
      if (nextNewline !== Infinity && nextNewline !== -2) nextNewline -= pos;
    }
    if (eof) {
      if (pending.trim() !== '' && !wantsText()) {
        fail('unexpected text after the last XML element', 'Check the file is a complete XML report', 0);
      }
      return;
    }
    if (pending.length > MAX_CONSTRUCT) {
      fail(`an XML text run is larger than ${MAX_CONSTRUCT >> 20} MB`, 'This is not a coverage report', 0);
    }
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Index after the '>' that ends a start tag beginning at `from`, skipping '>' inside quoted values; -1 if absent. */
function tagEnd(text: string, from: number): number {
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62) return i + 1;
  }
  return -1;
}

/** Index after a `<!DOCTYPE …>` (or other `<!…>`) declaration including an internal `[ … ]` subset; -1 if absent. */
function doctypeEnd(text: string, from: number): number {
  let quote = 0;
  let bracket = 0;
  for (let i = from + 2; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 91) bracket++;
    else if (c === 93) bracket--;
    else if (c === 62 && bracket <= 0) return i + 1;
  }
  return -1;
}
