import { useState, type FormEvent } from 'react';
import { describeError, unwrap, type GenerateLanguage, type GenerateResponse } from '../api/client.js';
import { useServices } from '../api/context.js';
import { Feedback } from '../Feedback.js';

const LANGUAGES: GenerateLanguage[] = ['typescript', 'javascript', 'python', 'go', 'rust'];

export interface AiPanelProps {
  projectId: string;
  language: GenerateLanguage;
  /** Inserts generated code into the open file; absent when no file is open. */
  onInsert?: (code: string) => void;
}

/** Asks the backend (and through it the AI engine) for code and shows what it cost. */
export function AiPanel({ projectId, language: suggested, onInsert }: AiPanelProps) {
  const { api } = useServices();
  const [prompt, setPrompt] = useState('');
  const [language, setLanguage] = useState<GenerateLanguage | undefined>();
  const [result, setResult] = useState<GenerateResponse | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // Follow the open file's language until the user picks one explicitly.
  const chosen = language ?? suggested;

  async function generate(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setResult(await unwrap(api.POST('/api/ai/generate', { body: { prompt, language: chosen, projectId } })));
    } catch (failure) {
      setResult(undefined);
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="ai-title">
      <h3 id="ai-title">AI code generation</h3>
      <form className="stack" onSubmit={generate}>
        <label>
          Prompt
          <textarea
            rows={4}
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            required
            maxLength={8000}
            placeholder="A function that parses an ISO date"
          />
        </label>
        <label>
          Language
          <select value={chosen} onChange={(e) => setLanguage(e.target.value as GenerateLanguage)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || prompt.trim() === ''}>
          {busy ? 'Generating…' : 'Generate'}
        </button>
      </form>
      <Feedback error={error} />
      {result && (
        <div aria-label="Generated code">
          <pre className="generated">
            <code>{result.code}</code>
          </pre>
          <p className="muted">
            {result.provider}/{result.model} · {result.usage.inputTokens} in / {result.usage.outputTokens} out tokens ·{' '}
            {result.cached ? 'cached' : `$${result.costUsd.toFixed(4)}`}
          </p>
          <button type="button" className="secondary" disabled={!onInsert} onClick={() => onInsert?.(result.code)}>
            Insert into open file
          </button>
        </div>
      )}
    </section>
  );
}
