import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { userObject } from './github-objects.js';
import { loadGitHubContract } from './openapi-contract.js';

const LIST = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';
const CREATE = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const DELETE = 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}';
const contract = loadGitHubContract([LIST, CREATE, DELETE]);
const hosts = { api: 'http://127.0.0.1:1', web: 'https://github.com' };

function comment(): Record<string, unknown> {
  return {
    id: 1,
    node_id: 'IC_1',
    url: 'https://api.github.com/repos/a/b/issues/comments/1',
    html_url: 'https://github.com/a/b/pull/1#issuecomment-1',
    issue_url: 'https://api.github.com/repos/a/b/issues/1',
    body: 'hi',
    user: userObject(hosts, 'octocat'),
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    author_association: 'NONE',
  };
}

describe('route matching', () => {
  it.each([
    ['GET', '/repos/a/b/issues/5/comments', LIST, { owner: 'a', repo: 'b', issue_number: '5' }],
    ['DELETE', '/repos/a/b/issues/comments/5', DELETE, { owner: 'a', repo: 'b', comment_id: '5' }],
    [
      'get',
      '/repos/a/b/actions/workflows/ci%20main.yml/runs',
      'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
      { owner: 'a', repo: 'b', workflow_id: 'ci main.yml' },
    ],
    [
      'GET',
      '/repos/a/b/actions/artifacts/9/zip',
      'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
      { owner: 'a', repo: 'b', artifact_id: '9', archive_format: 'zip' },
    ],
  ])('%s %s -> %s', (method, path, key, params) => {
    expect(contract.match(method, path)).toMatchObject({ key, params });
  });

  it.each([
    ['GET', '/repos/a/b/pull-requests/1'],
    ['PUT', '/repos/a/b/issues/comments/5'],
    ['GET', '/repos/a/b/issues/5/comments/extra'],
  ])('finds no operation for %s %s', (method, path) => {
    expect(contract.match(method, path)).toBeUndefined();
  });
});

describe('checkRequest', () => {
  it.each<{ name: string; raw: string; query: Record<string, string>; problems: string[] }>([
    { name: 'a valid comment', raw: '{"body":"x"}', query: {}, problems: [] },
    {
      name: '`text` instead of `body`',
      raw: '{"text":"x"}',
      query: {},
      problems: ["request body must have required property 'body'"],
    },
    { name: 'no body at all', raw: '', query: {}, problems: ['request body is required but was empty'] },
    { name: 'broken JSON', raw: '{"body":', query: {}, problems: ['request body is not valid JSON'] },
    {
      name: 'a query parameter on an operation without any',
      raw: '{"body":"x"}',
      query: { page: '2' },
      problems: ["request query must NOT have additional properties 'page'"],
    },
  ])('$name', ({ raw, query, problems }) => {
    expect(contract.checkRequest(CREATE, { owner: 'a', repo: 'b', issue_number: '1' }, query, raw)).toEqual(problems);
  });

  it('coerces and validates path and query parameters', () => {
    expect(contract.checkRequest(LIST, { owner: 'a', repo: 'b', issue_number: '1' }, { per_page: '100' }, '')).toEqual(
      [],
    );
    expect(contract.checkRequest(LIST, { owner: 'a', repo: 'b', issue_number: 'one' }, {}, '')).toEqual([
      'request path/issue_number must be integer',
    ]);
  });
});

describe('checkResponse', () => {
  const without = (field: string) => {
    const body = comment();
    delete body[field];
    return body;
  };
  it.each([
    { name: 'a complete comment', status: 201, body: comment(), problems: [] },
    {
      name: 'a comment missing `user`',
      status: 201,
      body: without('user'),
      problems: ["response 201 body must have required property 'user'"],
    },
    {
      name: 'a string id',
      status: 201,
      body: { ...comment(), id: '1' },
      problems: ['response 201 body/id must be integer'],
    },
    {
      name: 'a non-URI html_url',
      status: 201,
      body: { ...comment(), html_url: 'not a url' },
      problems: ['response 201 body/html_url must match format "uri"'],
    },
    {
      name: 'an undocumented status',
      status: 500,
      body: { message: 'x' },
      problems: ['response status 500 is not documented (documented: 201, 403, 404, 410, 422)'],
    },
  ])('$name', ({ status, body, problems }) => {
    expect(contract.checkResponse(CREATE, status, body)).toEqual(problems);
  });

  it('requires an empty body where none is documented', () => {
    expect(contract.checkResponse(DELETE, 204, undefined)).toEqual([]);
    expect(contract.checkResponse(DELETE, 204, {})).toEqual(['response 204 documents no JSON body but one was sent']);
  });

  it('checks list items one by one', () => {
    expect(contract.checkResponse(LIST, 200, [comment(), without('id')])).toEqual([
      "response 200 body/1 must have required property 'id'",
    ]);
  });
});

describe('loading', () => {
  it('caches a compact extract of the 73 MB description in os.tmpdir()', () => {
    const directory = join(tmpdir(), 'myco-gates-testkit', `github-openapi-${contract.packageVersion}`);
    const files = readdirSync(directory);
    expect(files).toContain('routes.json');
    expect(files.filter((f) => f.startsWith('op-')).length).toBeGreaterThanOrEqual(3);
    const total = files.reduce((sum, f) => sum + statSync(join(directory, f)).size, 0);
    expect(total).toBeLessThan(5_000_000);
    expect(loadGitHubContract([DELETE, CREATE, LIST])).toBe(contract);
  });

  it('names the route when the stub serves something GitHub does not document', () => {
    expect(() => loadGitHubContract(['GET /repos/{owner}/{repo}/pull-requests'])).toThrow(
      /serves routes that @octokit\/openapi@[\d.]+ does not document: GET \/repos\/\{owner\}\/\{repo\}\/pull-requests/,
    );
  });
});
