import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { applyTables, parsePermissions, renderActionTables, updateActionDocs } from './docs.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

const yml = `# permission: pull-requests: write — post the comment
# permission: actions: read - find artifacts
name: x
inputs:
  token:
    description: The token | with a pipe
    default: \${{ github.token }}
  files:
    description: Files
    required: true
outputs:
  status:
    description: pass or fail
runs: { using: node24, main: dist/index.js }
`;

describe('docs generator', () => {
  it('renders inputs, outputs and permissions from action.yml', () => {
    const tables = renderActionTables(yml);
    expect(tables.inputs).toBe(
      [
        '| Input | Required | Default | Description |',
        '| --- | --- | --- | --- |',
        '| `token` | no | `${{ github.token }}` | The token \\| with a pipe |',
        '| `files` | yes |  | Files |',
      ].join('\n'),
    );
    expect(tables.outputs).toContain('| `status` | pass or fail |');
    expect(parsePermissions(yml)).toEqual([
      { scope: 'pull-requests', level: 'write', reason: 'post the comment' },
      { scope: 'actions', level: 'read', reason: 'find artifacts' },
    ]);
  });

  it('replaces only what is between the markers, idempotently', () => {
    const readme = 'intro\n<!-- myco-gates:outputs:start -->\nstale\n<!-- myco-gates:outputs:end -->\nrest\n';
    const once = applyTables(readme, renderActionTables(yml));
    expect(once).toBe(
      'intro\n<!-- myco-gates:outputs:start -->\n| Output | Description |\n| --- | --- |\n| `status` | pass or fail |\n<!-- myco-gates:outputs:end -->\nrest\n',
    );
    expect(applyTables(once, renderActionTables(yml))).toBe(once);
  });

  it('every generated README in actions/ is up to date (run `npx tsx packages/cli/src/index.ts docs`)', () => {
    const results = updateActionDocs(root, { check: true });
    expect(results.find((r) => r.readme === 'actions/coverage-gate/README.md')?.generated).toBe(true);
    expect(results.filter((r) => r.generated && r.outdated).map((r) => r.readme)).toEqual([]);
  });
});
