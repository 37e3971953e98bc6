import { ApiError } from '@myco-gates/service-kit';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.js';
import { visibleProject } from './projects.js';

interface GenerateBody {
  prompt: string;
  language?: string;
  projectId?: string;
  maxTokens?: number;
}

/** The engine's answer, checked field by field because it crosses a service boundary. */
function readEngineAnswer(answer: any) {
  const usage = answer?.usage;
  const valid =
    typeof answer?.code === 'string' &&
    typeof answer.language === 'string' &&
    typeof answer.provider === 'string' &&
    typeof answer.model === 'string' &&
    typeof answer.cached === 'boolean' &&
    Number.isInteger(usage?.inputTokens) &&
    Number.isInteger(usage?.outputTokens) &&
    typeof answer.costUsd === 'number';
  if (!valid)
    throw new ApiError(502, 'ai_engine_error', 'The AI engine answered with an unexpected body; check its version.');
  return {
    code: answer.code,
    language: answer.language,
    provider: answer.provider,
    model: answer.model,
    cached: answer.cached,
    usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
    costUsd: answer.costUsd,
  };
}

/** Registers POST /api/ai/generate, which forwards to the AI engine with a timeout. */
export function aiRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { config, metrics } = ctx;

  app.post('/api/ai/generate', { onRequest: ctx.authenticate }, async (request) => {
    const body = request.body as GenerateBody;
    if (body.projectId) visibleProject(ctx, request, body.projectId);
    try {
      let response: Response;
      try {
        response = await ctx.fetch(`${config.aiEngineUrl}/v1/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': request.id },
          body: JSON.stringify({ prompt: body.prompt, language: body.language, maxTokens: body.maxTokens }),
          signal: AbortSignal.timeout(config.aiEngineTimeoutMs),
        });
      } catch (error) {
        if ((error as Error).name === 'TimeoutError') {
          throw new ApiError(
            504,
            'ai_engine_timeout',
            `The AI engine did not answer within ${config.aiEngineTimeoutMs} ms (AI_ENGINE_TIMEOUT_MS); try again.`,
          );
        }
        throw new ApiError(
          502,
          'ai_engine_unavailable',
          `The AI engine at AI_ENGINE_URL is unreachable (${(error as Error).cause ?? (error as Error).message}); start it or fix AI_ENGINE_URL.`,
        );
      }
      const text = await response.text();
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        answer = undefined;
      }
      if (!response.ok) {
        const reason = (answer as { error?: { message?: string } } | undefined)?.error?.message ?? 'no error message';
        throw new ApiError(502, 'ai_engine_error', `The AI engine answered ${response.status}: ${reason}`);
      }
      const result = readEngineAnswer(answer);
      metrics.aiRequests.inc({ result: 'success' });
      metrics.codeGenerations.inc();
      return result;
    } catch (error) {
      metrics.aiRequests.inc({ result: 'failure' });
      throw error;
    }
  });
}
