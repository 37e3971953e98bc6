import { useState, type FormEvent } from 'react';
import { describeError, unwrap } from '../api/client.js';
import { useServices } from '../api/context.js';
import { Feedback } from '../Feedback.js';

type Mode = 'login' | 'register';

/** Login and registration; both end by starting a session with the returned tokens. */
export function AuthForm() {
  const { api, session } = useServices();
  const [mode, setMode] = useState<Mode>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>(session.endReason());
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const auth =
        mode === 'login'
          ? await unwrap(api.POST('/api/auth/login', { body: { email, password } }))
          : await unwrap(api.POST('/api/auth/register', { body: { email, password, name } }));
      session.set({ user: auth.user, tokens: auth.tokens });
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  }

  function switchMode() {
    setMode(mode === 'login' ? 'register' : 'login');
    setError(undefined);
  }

  const title = mode === 'login' ? 'Log in' : 'Create account';
  return (
    <section className="panel auth" aria-labelledby="auth-title">
      <h2 id="auth-title">{title}</h2>
      <form className="stack" onSubmit={submit}>
        {mode === 'register' && (
          <label>
            Name
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              maxLength={100}
              autoComplete="name"
            />
          </label>
        )}
        <label>
          Email
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="email" />
        </label>
        <label>
          Password
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            minLength={mode === 'register' ? 8 : undefined}
            maxLength={128}
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          />
        </label>
        <Feedback error={error} />
        <button type="submit" disabled={busy}>
          {title}
        </button>
      </form>
      <p className="muted">
        {mode === 'login' ? 'No account yet? ' : 'Already registered? '}
        <button type="button" className="link" onClick={switchMode}>
          {mode === 'login' ? 'Create one' : 'Log in instead'}
        </button>
      </p>
    </section>
  );
}
