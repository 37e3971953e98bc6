/**
 * Escaping helpers for text we did not write ourselves (file names, spec strings, messages) that ends up in markdown
 * tables, headings or HTML. Each helper targets one context; using the right one keeps user text from breaking the
 * layout or injecting HTML.
 */

/**
 * Escapes the five HTML special characters.
 * @param text any text.
 * @returns text safe inside HTML elements and attribute values.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Escapes inline markdown syntax so the text shows literally (no emphasis, links, images, code or strikethrough),
 * and HTML. Use it for untrusted text in table cells.
 * @param text any text.
 * @returns text that renders as itself.
 * @example escapeMarkdown('*a* [b](c)') // '\\*a\\* \\[b\\](c)'
 */
export function escapeMarkdown(text: string): string {
  // Enough to stop emphasis, code, strikethrough, links and images (`[` is escaped, so `](…)` cannot form).
  // Pipes are left to escapeCell, which must see them unescaped to count backslashes correctly.
  return escapeHtml(text.replace(/[\\`*_[\]~]/g, (c) => `\\${c}`));
}

/**
 * Makes text safe as one GFM table cell: HTML is escaped, newlines become `<br>`, and every pipe that is not already
 * escaped gets a backslash. GFM splits cells before inline parsing and reads backslashes in pairs, so a pipe after an
 * even number of backslashes would split the cell, while one after an odd number is already escaped. Inline markdown
 * such as `code` and links written by a gate keeps working.
 * @param text cell content.
 * @returns one line safe between `|` separators.
 */
export function escapeCell(text: string): string {
  return escapeHtml(text)
    .replace(/(\\*)\|/g, (_m, slashes: string) => (slashes.length % 2 === 0 ? `${slashes}\\|` : `${slashes}|`))
    .replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * Folds text to one line for headlines and titles: newlines become spaces, HTML is escaped and emphasis markers
 * cannot open (so a `**` in a title cannot unbalance our bold).
 * @param text headline or title text.
 * @returns one escaped line.
 */
export function escapeInline(text: string): string {
  return escapeHtml(text.replace(/\s*[\r\n]+\s*/g, ' ').trim()).replace(/[\\`*_[\]]/g, (c) => `\\${c}`);
}

/**
 * Defuses `@user` and `@org/team` mentions in untrusted text with a zero-width space, so a comment re-posted from a
 * fork's artifact cannot ping people.
 * @param text any text.
 * @returns the text with mentions that no longer notify.
 */
export function defuseMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9])/g, '@\u200b');
}

/**
 * Wraps text in a fenced code block whose fence is longer than any backtick run inside, so nothing in it can close
 * the block or render as markdown/HTML.
 * @param text any text.
 * @param language optional info string.
 * @returns the fenced block (no trailing newline).
 */
export function codeBlock(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/**
 * Closes code fences a markdown block leaves open, so a section's markdown cannot swallow the markup after it
 * (our closing `</details>`, the next section, the sticky-comment marker).
 * @param markdown a markdown block.
 * @returns the block, with a closing fence appended when one was left open.
 */
export function closeOpenFences(markdown: string): string {
  let open: string | null = null;
  for (const line of markdown.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (!m) continue;
    if (open === null) open = m[1];
    else if (m[1][0] === open[0] && m[1].length >= open.length && line.trim() === m[1]) open = null;
  }
  return open === null ? markdown : `${markdown.replace(/\n?$/, '\n')}${open}`;
}
