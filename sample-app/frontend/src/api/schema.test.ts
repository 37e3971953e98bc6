import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const FRONTEND = resolve(import.meta.dirname, '../..');

describe('src/api/schema.d.ts', () => {
  it('is what openapi-typescript generates from ../backend/openapi.yaml today', () => {
    // The package's export map rewrites *.js to *.mjs, so find the CLI next to its package.json.
    const cli = join(dirname(createRequire(import.meta.url).resolve('openapi-typescript/package.json')), 'bin/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'myco-schema-'));
    try {
      const fresh = join(dir, 'schema.d.ts');
      execFileSync(process.execPath, [cli, '../backend/openapi.yaml', '-o', fresh], { cwd: FRONTEND, stdio: 'pipe' });
      const committed = readFileSync(join(FRONTEND, 'src/api/schema.d.ts'), 'utf8');
      expect(
        committed === readFileSync(fresh, 'utf8'),
        'src/api/schema.d.ts is stale: run `npm run generate:api --workspace sample-app/frontend` and commit it.',
      ).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
