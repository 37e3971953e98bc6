import { open } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CoverageInputError } from './errors.js';
import { cleanupTempDirs, tempFile } from './test-support.js';
import { decodeXmlEntities, parseXml, type XmlAttributes } from './xml.js';

afterAll(cleanupTempDirs);

interface Event {
  type: 'open' | 'close' | 'text';
  name: string;
  attributes?: XmlAttributes;
  line?: number;
}

async function tokenize(xml: string, textIn: string[] = []): Promise<Event[]> {
  const events: Event[] = [];
  const stack: string[] = [];
  const handle = await open(tempFile(xml), 'r');
  try {
    await parseXml('report.xml', handle, {
      open(name, attributes, line) {
        stack.push(name);
        events.push({ type: 'open', name, attributes: { ...attributes }, line });
      },
      close(name) {
        stack.pop();
        events.push({ type: 'close', name });
      },
      wantText: () => textIn.includes(stack[stack.length - 1] ?? ''),
      text(text) {
        if (text.trim() !== '') events.push({ type: 'text', name: stack[stack.length - 1]!, attributes: { text } });
      },
    });
  } finally {
    await handle.close();
  }
  return events;
}

describe('XML tokenizer', () => {
  it('reports elements, attributes (either quote, > inside values) and line numbers', async () => {
    const events = await tokenize(
      `<?xml version="1.0"?>\n<!-- a <fake> comment -->\n<root a="1" b='x > y'>\n  <child c="&lt;&amp;&#65;&#x42;"/>\n</root>\n`,
    );
    expect(events).toEqual([
      { type: 'open', name: 'root', attributes: { a: '1', b: 'x > y' }, line: 3 },
      { type: 'open', name: 'child', attributes: { c: '<&AB' }, line: 4 },
      { type: 'close', name: 'child' },
      { type: 'close', name: 'root' },
    ]);
  });

  it('delivers text (and CDATA) only where the handler asks', async () => {
    const events = await tokenize(
      '<a><source> /src &amp; lib </source><other>ignored</other><source><![CDATA[/x<y]]></source></a>',
      ['source'],
    );
    expect(events.filter((e) => e.type === 'text').map((e) => e.attributes!.text)).toEqual([' /src & lib ', '/x<y']);
  });

  const adversarial: { name: string; xml: string; error: RegExp }[] = [
    {
      name: 'billion laughs (entity declarations)',
      xml: '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><coverage>&lol2;</coverage>',
      error: /report.xml:1: the XML DOCTYPE declares entities/,
    },
    {
      name: 'external entity (XXE)',
      xml: '<?xml version="1.0"?>\n<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<coverage a="&xxe;"/>',
      error: /report.xml:2: the XML DOCTYPE declares entities/,
    },
    { name: 'truncated tag', xml: '<coverage>\n<line number="1"', error: /report.xml:2: the XML ends inside a tag/ },
    { name: 'unterminated comment', xml: '<coverage><!-- never closed', error: /ends inside a tag or comment/ },
    { name: 'empty element name', xml: '<coverage>< a="1"/></coverage>', error: /not followed by an element name/ },
  ];

  it.each(adversarial)('rejects $name with one error naming file and line', async ({ xml, error }) => {
    const result = await tokenize(xml).catch((e: unknown) => e);
    expect(result).toBeInstanceOf(CoverageInputError);
    expect((result as Error).message).toMatch(error);
  });

  it('ignores an external DTD reference (never fetched) and leaves undeclared entities verbatim', async () => {
    const events = await tokenize(
      '<?xml version="1.0"?>\n<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "http://127.0.0.1:9/report.dtd">\n<report name="&custom;"/>',
    );
    expect(events[0]).toEqual({ type: 'open', name: 'report', attributes: { name: '&custom;' }, line: 3 });
  });

  it('handles 200,000 levels of nesting without recursion', async () => {
    const depth = 200_000;
    const events = await tokenize(`${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`);
    expect(events).toHaveLength(depth * 2);
  });

  it('handles a one-line document larger than the 1 MB read chunk (tags split across chunks)', async () => {
    const count = 80_000;
    const xml = `<r>${Array.from({ length: count }, (_, i) => `<line number="${i + 1}" hits="${i % 2}"/>`).join('')}</r>`;
    expect(xml.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(xml.includes('\n')).toBe(false);
    const events = await tokenize(xml);
    const lines = events.filter((e) => e.type === 'open' && e.name === 'line');
    expect(lines).toHaveLength(count);
    expect(lines[count - 1]!.attributes).toEqual({ number: String(count), hits: String((count - 1) % 2) });
  });

  it('refuses a single tag or comment over 16 MB instead of buffering it', async () => {
    const error = await tokenize(`<coverage>\n<!-- ${'x'.repeat(17 * 1024 * 1024)}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoverageInputError);
    expect((error as Error).message).toMatch(/report.xml:2: an XML tag or comment is larger than 16 MB/);
  });

  it('does not let attribute names pollute prototypes', async () => {
    const events = await tokenize('<a __proto__="x" constructor="y"/>');
    expect(Object.getPrototypeOf(events[0]!.attributes)).toBe(Object.prototype); // the copy in the test
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each([
    ['&lt;&gt;&amp;&quot;&apos;', `<>&"'`],
    ['&#0;&#x110000;', '&#0;&#x110000;'],
    ['no entities', 'no entities'],
    ['&unknown; stays', '&unknown; stays'],
  ])('decodes %j as %j', (input, output) => {
    expect(decodeXmlEntities(input)).toBe(output);
  });
});
