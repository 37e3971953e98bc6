import { describe, expect, it } from 'vitest';
import { deepMerge, webhookPayload } from './webhook.js';

describe('webhookPayload', () => {
  it.each([
    ['pull_request', 'opened', (p: any) => p.pull_request.head.sha],
    ['pull_request', 'synchronize', (p: any) => p.pull_request.number],
    ['workflow_run', 'completed', (p: any) => p.workflow_run.conclusion],
    ['push', undefined, (p: any) => p.after],
    ['deployment_status', 'created', (p: any) => p.deployment_status.state],
  ])('returns a real %s %s example', (event, action, probe) => {
    const payload = webhookPayload(event, action);
    if (action) expect(payload.action).toBe(action);
    expect(probe(payload)).toBeDefined();
    expect(payload.repository).toMatchObject({ full_name: expect.stringMatching(/^[^/]+\/[^/]+$/) });
  });

  it('deep-merges the override and leaves the other fields of the example intact', () => {
    const original = webhookPayload('pull_request', 'opened');
    const payload = webhookPayload('pull_request', 'opened', {
      repository: { full_name: 'acme/shop', owner: { login: 'acme' } },
      pull_request: { number: 7, head: { sha: 'abc' }, labels: [] },
    }) as any;
    expect(payload.repository.full_name).toBe('acme/shop');
    expect(payload.repository.owner.login).toBe('acme');
    expect(payload.repository.owner.id).toBe((original as any).repository.owner.id);
    expect(payload.pull_request).toMatchObject({
      number: 7,
      head: { sha: 'abc', ref: (original as any).pull_request.head.ref },
    });
    expect(payload.pull_request.labels).toEqual([]);
  });

  it('hands out independent copies', () => {
    const first = webhookPayload('push') as any;
    first.after = 'mutated';
    expect((webhookPayload('push') as any).after).not.toBe('mutated');
  });

  it.each([
    ['pull_requests', 'opened', /no example for event "pull_requests". Known events: .*pull_request/],
    [
      'workflow_run',
      'finished',
      /no "workflow_run" example with action "finished". Examples exist for: completed, requested/,
    ],
  ])('explains a missing example: %s %s', (event, action, message) => {
    expect(() => webhookPayload(event, action)).toThrow(message);
  });
});

describe('deepMerge', () => {
  it.each([
    [{ a: 1, b: { c: 2, d: 3 } }, { b: { c: 9 } }, { a: 1, b: { c: 9, d: 3 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: { b: 1 } }, { a: null }, { a: null }],
    [{ a: 1 }, { a: undefined }, { a: 1 }],
    [{ a: 1 }, { b: { c: 1 } }, { a: 1, b: { c: 1 } }],
  ])('%j + %j', (base, override, expected) => {
    expect(deepMerge(base, override)).toEqual(expected);
  });
});
