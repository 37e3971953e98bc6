import { createServiceMetrics } from '@myco-gates/service-kit';
import { Counter, Histogram } from 'prom-client';

const DB_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];

/** The backend's Prometheus metrics; names and labels are fixed because SLO rules and dashboards use them. */
export function createMetrics() {
  const http = createServiceMetrics('backend');
  const registers = [http.registry];
  return {
    ...http,
    dbDuration: new Histogram({
      name: 'db_query_duration_seconds',
      help: 'SQLite statement duration in seconds by operation.',
      labelNames: ['operation'] as const,
      buckets: DB_BUCKETS,
      registers,
    }),
    authAttempts: new Counter({
      name: 'auth_attempts_total',
      help: 'Authentication attempts by type (login, register, refresh) and result (success, failure).',
      labelNames: ['type', 'result'] as const,
      registers,
    }),
    projectOperations: new Counter({
      name: 'project_operations_total',
      help: 'Successful project operations by operation.',
      labelNames: ['operation'] as const,
      registers,
    }),
    filesystemOperations: new Counter({
      name: 'filesystem_operations_total',
      help: 'Project file operations by operation and result.',
      labelNames: ['operation', 'result'] as const,
      registers,
    }),
    aiRequests: new Counter({
      name: 'ai_requests_total',
      help: 'Code-generation requests forwarded to the AI engine by result.',
      labelNames: ['result'] as const,
      registers,
    }),
    usersRegistered: new Counter({ name: 'users_registered_total', help: 'Users registered.', registers }),
    projectsCreated: new Counter({ name: 'projects_created_total', help: 'Projects created.', registers }),
    codeGenerations: new Counter({
      name: 'code_generations_total',
      help: 'Successful code generations.',
      registers,
    }),
  };
}

export type BackendMetrics = ReturnType<typeof createMetrics>;
