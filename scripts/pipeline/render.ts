// The main job's renders: every PR comment and job summary as GitHub shows it (GitHub-flavoured markdown to HTML,
// with GitHub's table and details styling), and the Slack message with its thread as Slack lays it out (Block Kit:
// header, sections, context; mrkdwn bold, links, code). Written to .myco-gates/ with an index.html.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { marked } from 'marked';
import type { GitHubStub } from '@myco-gates/testkit';
import type { SlackStub, StubSlackMessage } from '@myco-gates/testkit/slack-stub';

const GITHUB_CSS = `body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;max-width:880px;margin:24px auto;padding:0 16px}
.comment{border:1px solid #d1d9e0;border-radius:6px;padding:16px}table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #d1d9e0;padding:6px 13px}tr:nth-child(2n){background:#f6f8fa}code{background:#eff1f3;padding:.2em .4em;border-radius:6px;font-size:85%}
pre{background:#f6f8fa;padding:16px;border-radius:6px;overflow:auto}details{margin:8px 0}summary{cursor:pointer}h1,h2,h3,h4{margin:16px 0 8px}`;
const SLACK_CSS = `body{font:15px/1.47 Lato,"Helvetica Neue",Arial,sans-serif;color:#1d1c1d;max-width:720px;margin:24px auto;padding:0 16px}
.msg{display:flex;gap:8px;padding:8px 0}.avatar{width:36px;height:36px;border-radius:6px;background:#2eb67d;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700}
.who b{margin-right:6px}.who span{color:#616061;font-size:12px}.header{font-weight:900;font-size:18px;margin:4px 0}.section{margin:4px 0;white-space:pre-wrap}
.context{color:#616061;font-size:13px;margin:4px 0}.thread{margin-left:44px;border-left:3px solid #e8e8e8;padding-left:12px}code{color:#e01e5a;background:#f8f8f8;border:1px solid #e8e8e8;padding:0 3px;border-radius:3px}
a{color:#1264a3;text-decoration:none}.edited{color:#616061;font-size:12px}`;

const escape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * Slack's mrkdwn as Slack shows it: `<url|label>` links, *bold*, _italic_, ~strike~, `code`, newlines kept.
 * @param text mrkdwn (Slack escapes &, <, > in it as entities already).
 */
export function mrkdwnToHtml(text: string): string {
  const links: string[] = [];
  let out = text.replace(/<([^|>]+)\|([^>]+)>|<(https?:[^>]+)>/g, (_m, url: string, label: string, bare: string) => {
    links.push(`<a href="${escape(url ?? bare)}">${escape(label ?? bare)}</a>`);
    return `\u0000${links.length - 1}\u0000`;
  });
  out = escape(out.replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>'))
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/(^|[\s(])~([^~\n]+)~/g, '$1<s>$2</s>');
  return out.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => links[Number(i)]);
}

function blockToHtml(block: Record<string, any>): string {
  const text = (t: { type: string; text: string } | undefined) =>
    !t ? '' : t.type === 'mrkdwn' ? mrkdwnToHtml(t.text) : escape(t.text);
  switch (block.type) {
    case 'header':
      return `<div class="header">${text(block.text)}</div>`;
    case 'section':
      return `<div class="section">${text(block.text)}${(block.fields ?? []).map((f: any) => `<div>${text(f)}</div>`).join('')}</div>`;
    case 'context':
      return `<div class="context">${(block.elements ?? []).map((e: any) => text(e)).join(' · ')}</div>`;
    case 'divider':
      return '<hr>';
    default:
      return `<div class="section">[${escape(String(block.type))} block]</div>`;
  }
}

function messageToHtml(m: StubSlackMessage): string {
  const time = new Date(Number(m.ts.split('.')[0]) * 1000).toISOString().slice(11, 16);
  const body = m.blocks?.length
    ? m.blocks.map(blockToHtml).join('\n')
    : `<div class="section">${mrkdwnToHtml(m.text)}</div>`;
  const edited = m.edits ? ` <span class="edited">(edited ${m.edits}×)</span>` : '';
  return `<div class="msg"><div class="avatar">M</div><div><div class="who"><b>Myco Gates</b><span>APP ${time}</span>${edited}</div>${body}</div></div>`;
}

const page = (title: string, css: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title><style>${css}</style></head><body>${body}</body></html>\n`;

/** Writes the HTML renders and an index next to the markdown the main job saved in `outDir`. */
export function writeRenders(options: {
  outDir: string;
  slack: SlackStub;
  github: GitHubStub;
  owner: string;
  repo: string;
  prNumber: number;
}): string[] {
  const written: string[] = [];
  for (const file of readdirSync(options.outDir).filter((f) => f.endsWith('.md'))) {
    const markdown = readFileSync(join(options.outDir, file), 'utf8');
    if (!markdown.trim()) continue;
    const html = join(options.outDir, file.replace(/\.md$/, '.html'));
    const kind = file.endsWith('-comment.md') ? 'PR comment' : 'job summary';
    writeFileSync(
      html,
      page(
        `${file.replace(/-(comment|summary)\.md$/, '')} — ${kind}`,
        GITHUB_CSS,
        `<div class="comment">${marked.parse(markdown, { gfm: true, async: false })}</div>`,
      ),
    );
    written.push(html);
  }
  const channel = 'C0DEPLOYS1';
  const messages = options.slack.messages(channel).filter((m) => !m.threadTs || m.threadTs === m.ts);
  const slackBody = messages
    .map((m) => {
      const replies = options.slack.replies(channel, m.ts).filter((r) => r.ts !== m.ts);
      return (
        messageToHtml(m) + (replies.length ? `<div class="thread">${replies.map(messageToHtml).join('\n')}</div>` : '')
      );
    })
    .join('\n');
  const slackFile = join(options.outDir, 'slack-deploys.html');
  writeFileSync(
    slackFile,
    page('#deploys — Slack', SLACK_CSS, `<h3>#deploys</h3>${slackBody || '<p>(no message)</p>'}`),
  );
  written.push(slackFile);
  const deployments = options.github.deployments(options.owner, options.repo);
  const index = [
    '<h2>Myco Gates main job</h2><ul>',
    ...written.map((f) => `<li><a href="${escape(f.split('/').pop()!)}">${escape(f.split('/').pop()!)}</a></li>`),
    '</ul><h3>GitHub deployment statuses</h3><ul>',
    ...deployments.flatMap((d) =>
      d.statuses.map(
        (s) => `<li>${escape(d.environment)}: <b>${escape(s.state)}</b> — ${escape(s.description ?? '')}</li>`,
      ),
    ),
    '</ul>',
  ].join('\n');
  writeFileSync(join(options.outDir, 'index.html'), page('Myco Gates main job', GITHUB_CSS, index));
  return written;
}
