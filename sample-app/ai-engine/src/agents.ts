import { ApiError } from '@myco-gates/service-kit';
import { randomUUID } from 'node:crypto';
import type { LlmManager } from './llm.js';
import type { EngineMetrics } from './metrics.js';

export type SessionStatus = 'running' | 'completed' | 'cancelled' | 'failed';
type StepName = 'plan' | 'implement' | 'review';

/** One step of an agent session. */
export interface AgentStep {
  name: StepName;
  status: 'pending' | 'running' | 'completed' | 'cancelled' | 'failed';
  output: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** An agent session as returned by the API. */
export interface AgentSession {
  id: string;
  goal: string;
  language: string;
  status: SessionStatus;
  steps: AgentStep[];
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

const PROMPTS: Record<StepName, (goal: string, previous: string) => string> = {
  plan: (goal) => `Plan the implementation of: ${goal}`,
  implement: (goal, plan) => `Implement ${goal} following this plan:\n${plan}`,
  review: (goal, code) => `Review this implementation of ${goal} and return the corrected code:\n${code}`,
};

/** Runs plan -> implement -> review sessions on the LLM manager; sessions can be cancelled mid-step. */
export class AgentManager {
  private readonly sessions = new Map<string, { session: AgentSession; abort: AbortController; done: Promise<void> }>();

  constructor(
    private readonly llm: LlmManager,
    private readonly metrics: EngineMetrics,
    private readonly maxSessions = 1000,
  ) {}

  /** Starts a session in the background and returns it in `running` state. */
  create(goal: string, language = 'typescript'): AgentSession {
    this.evictFinished();
    const now = new Date().toISOString();
    const session: AgentSession = {
      id: randomUUID(),
      goal,
      language,
      status: 'running',
      steps: (['plan', 'implement', 'review'] as const).map((name) => ({
        name,
        status: 'pending',
        output: null,
        startedAt: null,
        finishedAt: null,
      })),
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    const abort = new AbortController();
    this.metrics.sessionsActive.inc();
    const done = this.run(session, abort.signal);
    this.sessions.set(session.id, { session, abort, done });
    return structuredClone(session);
  }

  private async run(session: AgentSession, signal: AbortSignal): Promise<void> {
    let previous = '';
    for (const step of session.steps) {
      if (signal.aborted) break;
      step.status = 'running';
      step.startedAt = session.updatedAt = new Date().toISOString();
      try {
        const result = await this.llm.generate(
          { prompt: PROMPTS[step.name](session.goal, previous), language: session.language },
          signal,
        );
        previous = result.code;
        step.output = result.code;
        step.status = 'completed';
        session.usage.inputTokens += result.usage.inputTokens;
        session.usage.outputTokens += result.usage.outputTokens;
        session.usage.costUsd += result.costUsd;
      } catch (error) {
        step.status = signal.aborted ? 'cancelled' : 'failed';
        if (!signal.aborted) session.error = (error as Error).message;
      }
      step.finishedAt = session.updatedAt = new Date().toISOString();
      if (step.status !== 'completed') break;
    }
    if (session.status === 'running') this.finish(session, session.error ? 'failed' : 'completed');
  }

  private finish(session: AgentSession, status: Exclude<SessionStatus, 'running'>): void {
    session.status = status;
    session.updatedAt = new Date().toISOString();
    for (const step of session.steps) if (step.status === 'pending') step.status = 'cancelled';
    this.metrics.sessionsActive.dec();
    this.metrics.sessionsTotal.inc({ status });
  }

  get(id: string): AgentSession {
    const entry = this.sessions.get(id);
    if (!entry)
      throw new ApiError(
        404,
        'session_not_found',
        `Agent session ${id} does not exist (sessions are kept in memory only).`,
      );
    return structuredClone(entry.session);
  }

  /** Cancels a running session; the step in flight is aborted. Cancelling a finished session is a 409. */
  cancel(id: string): AgentSession {
    const entry = this.sessions.get(id);
    if (!entry) return this.get(id);
    if (entry.session.status !== 'running') {
      throw new ApiError(
        409,
        'session_finished',
        `Agent session ${id} already ${entry.session.status}; nothing to cancel.`,
      );
    }
    this.finish(entry.session, 'cancelled');
    entry.abort.abort();
    return structuredClone(entry.session);
  }

  /** Resolves when the session's background run has stopped (tests and graceful shutdown). */
  async settled(id: string): Promise<AgentSession> {
    await this.sessions.get(id)?.done;
    return this.get(id);
  }

  /** Cancels every running session (shutdown). */
  cancelAll(): void {
    for (const { session } of this.sessions.values()) if (session.status === 'running') this.cancel(session.id);
  }

  private evictFinished(): void {
    for (const [id, { session }] of this.sessions) {
      if (this.sessions.size < this.maxSessions) return;
      if (session.status !== 'running') this.sessions.delete(id);
    }
    if (this.sessions.size >= this.maxSessions) {
      throw new ApiError(
        503,
        'too_many_sessions',
        `${this.maxSessions} agent sessions are running; cancel some or retry later.`,
      );
    }
  }
}
