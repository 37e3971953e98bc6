import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

/** The generated blocks of an action README, each between `<!-- myco-gates:<name>:start -->` and `…:end -->`. */
export const DOC_BLOCKS = ['inputs', 'outputs', 'permissions'] as const;
export type DocBlock = (typeof DOC_BLOCKS)[number];

/** A permission the action needs, declared in action.yml as a comment: `# permission: pull-requests: write — why`. */
export interface PermissionDoc {
  scope: string;
  level: string;
  reason: string;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').trim();

/**
 * Renders the README tables of one action from its action.yml.
 * @param actionYmlText the action.yml content.
 * @returns markdown per block.
 * @throws Error when action.yml is not valid YAML.
 */
export function renderActionTables(actionYmlText: string): Record<DocBlock, string> {
  const doc = parseDocument(actionYmlText);
  if (doc.errors.length) throw new Error(`invalid action.yml: ${doc.errors[0].message.split('\n')[0]}`);
  const yml = (doc.toJS() ?? {}) as {
    inputs?: Record<string, { description?: string; required?: boolean | string; default?: unknown }>;
    outputs?: Record<string, { description?: string }>;
  };
  const inputRows = Object.entries(yml.inputs ?? {}).map(([id, input]) => {
    const required = input.required === true || input.required === 'true' ? 'yes' : 'no';
    const fallback = input.default === undefined || input.default === null ? '' : `\`${cell(String(input.default))}\``;
    return `| \`${id}\` | ${required} | ${fallback} | ${cell(input.description ?? '')} |`;
  });
  const outputRows = Object.entries(yml.outputs ?? {}).map(([id, o]) => `| \`${id}\` | ${cell(o.description ?? '')} |`);
  const permissions = parsePermissions(actionYmlText);
  return {
    inputs: ['| Input | Required | Default | Description |', '| --- | --- | --- | --- |', ...inputRows].join('\n'),
    outputs: ['| Output | Description |', '| --- | --- |', ...outputRows].join('\n'),
    permissions: permissions.length
      ? [
          '| Permission | Access | Why |',
          '| --- | --- | --- |',
          ...permissions.map((p) => `| \`${p.scope}\` | ${p.level} | ${cell(p.reason)} |`),
        ].join('\n')
      : 'No token permissions needed.',
  };
}

/**
 * Reads the `# permission: <scope>: <read|write> — <why>` comments of an action.yml (GitHub has no field for it).
 * @param actionYmlText the action.yml content.
 * @returns the permissions in written order.
 */
export function parsePermissions(actionYmlText: string): PermissionDoc[] {
  const result: PermissionDoc[] = [];
  for (const line of actionYmlText.split(/\r?\n/)) {
    const match = /^#\s*permission:\s*([a-z-]+):\s*(read|write|none)\s*[—–-]+\s*(.+)$/.exec(line.trim());
    if (match) result.push({ scope: match[1], level: match[2], reason: match[3].trim() });
  }
  return result;
}

/**
 * Replaces the generated blocks of a README; blocks without markers are left alone.
 * @param readme the README content.
 * @param tables the rendered blocks.
 * @returns the updated README.
 */
export function applyTables(readme: string, tables: Record<DocBlock, string>): string {
  let result = readme;
  for (const block of DOC_BLOCKS) {
    const start = `<!-- myco-gates:${block}:start -->`;
    const end = `<!-- myco-gates:${block}:end -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from < 0 || to < from) continue;
    result = `${result.slice(0, from + start.length)}\n${tables[block]}\n${result.slice(to)}`;
  }
  return result;
}

/** One README that {@link updateActionDocs} looked at. */
export interface DocsResult {
  readme: string;
  /** The README had at least one marker pair. */
  generated: boolean;
  /** The file content differed from the generated one (and was rewritten unless checking). */
  outdated: boolean;
}

/**
 * Regenerates the tables of every `actions/<name>/README.md` from its action.yml.
 * @param root repository root.
 * @param options `check` only reports, writing nothing.
 * @returns one entry per action with both files.
 */
export function updateActionDocs(root: string, options: { check?: boolean } = {}): DocsResult[] {
  const actionsDir = join(root, 'actions');
  if (!existsSync(actionsDir)) return [];
  const results: DocsResult[] = [];
  for (const name of readdirSync(actionsDir).sort()) {
    const yml = join(actionsDir, name, 'action.yml');
    const readmePath = join(actionsDir, name, 'README.md');
    if (!existsSync(yml) || !existsSync(readmePath)) continue;
    const readme = readFileSync(readmePath, 'utf8');
    const generated = DOC_BLOCKS.some((b) => readme.includes(`<!-- myco-gates:${b}:start -->`));
    const next = applyTables(readme, renderActionTables(readFileSync(yml, 'utf8')));
    const outdated = next !== readme;
    if (outdated && !options.check) writeFileSync(readmePath, next);
    results.push({ readme: `actions/${name}/README.md`, generated, outdated });
  }
  return results;
}
