import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createServiceMetrics, HTTP_BUCKETS, readMetric } from './metrics.js';

describe('createServiceMetrics', () => {
  it('labels every sample with the service and keeps the fixed names, labels and buckets', async () => {
    const metrics = createServiceMetrics('backend');
    const labels = { route: '/api/projects/:id', method: 'GET', status_code: '200' };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, 0.3);
    new Counter({ name: 'projects_created_total', help: 'Projects created.', registers: [metrics.registry] }).inc();

    const text = await metrics.registry.metrics();
    expect(text).toContain('# HELP http_requests_total HTTP requests by route template, method and status code.');
    expect(text).toContain(
      'http_requests_total{route="/api/projects/:id",method="GET",status_code="200",service="backend"} 1',
    );
    for (const bucket of HTTP_BUCKETS) {
      expect(text).toContain(
        `http_request_duration_seconds_bucket{le="${bucket}",service="backend",route="/api/projects/:id",method="GET",status_code="200"} ${bucket >= 0.3 ? 1 : 0}`,
      );
    }
    expect(HTTP_BUCKETS).toEqual([0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5, 10]);
    expect(text).toContain('projects_created_total{service="backend"} 1');
    expect(text).toContain('process_cpu_user_seconds_total{service="backend"}');
  });

  it('gives every app its own registry, so two apps in one process never collide', () => {
    expect(() => [createServiceMetrics('ai-engine'), createServiceMetrics('ai-engine')]).not.toThrow();
  });
});

describe('readMetric', () => {
  const text = [
    '# HELP http_requests_total HTTP requests.',
    '# TYPE http_requests_total counter',
    'http_requests_total{route="/a",method="GET",status_code="200",service="backend"} 3',
    'http_requests_total{route="/a",method="GET",status_code="503",service="backend"} 2',
    'http_requests_total{route="/b",method="POST",status_code="200",service="backend"} 5',
    'http_requests_total_created 17',
    'users_registered_total{service="backend"} 4',
    'up 1',
    String.raw`odd_total{path="a\"b",service="backend"} 7`,
  ].join('\n');

  it.each([
    ['http_requests_total', {}, 10],
    ['http_requests_total', { route: '/a' }, 5],
    ['http_requests_total', { route: '/a', status_code: '503' }, 2],
    ['http_requests_total', { route: '/c' }, 0],
    ['users_registered_total', { service: 'backend' }, 4],
    ['up', {}, 1],
    ['up', { service: 'backend' }, 0],
    ['odd_total', { path: String.raw`a\"b` }, 7],
    ['missing_total', {}, 0],
  ] as const)('%s %j -> %s', (name, labels, expected) => {
    expect(readMetric(text, name, labels)).toBe(expected);
  });

  it('defaults to no label filter', () => {
    expect(readMetric(text, 'users_registered_total')).toBe(4);
  });
});
