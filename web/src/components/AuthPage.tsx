import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import { setSession } from '../api/session';
import { navigate } from '../router';

export function AuthPage(props: { mode: 'signin' | 'signup'; notice: string | null; onSignedIn: () => void }) {
  const signUp = props.mode === 'signup';
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const id = useId();

  useEffect(() => {
    setError(null);
    heading.current?.focus();
  }, [props.mode]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (signUp) {
        try {
          await api.register(username, password);
        } catch (failure) {
          setError(describeError(failure, 'register'));
          return;
        }
      }
      const answer = await api.login(username, password);
      setSession({ token: answer.token, username: username.trim().toLowerCase(), expiresAt: answer.expires_at });
      props.onSignedIn();
    } catch (failure) {
      setError(describeError(failure, 'login'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth" id="main">
      <p className="brand">ActorQuotes</p>
      <h1 ref={heading} tabIndex={-1}>{signUp ? 'Create an account' : 'Sign in'}</h1>
      {props.notice && !error && <p className="notice" role="status">{props.notice}</p>}
      <form onSubmit={submit} aria-describedby={error ? `${id}-error` : undefined}>
        <label htmlFor={`${id}-username`}>Username</label>
        <input
          id={`${id}-username`}
          name="username"
          autoComplete="username"
          required
          minLength={signUp ? 3 : undefined}
          maxLength={32}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          aria-describedby={signUp ? `${id}-username-hint` : undefined}
        />
        {signUp && <p className="hint" id={`${id}-username-hint`}>3–32 letters, digits, dots, dashes or underscores.</p>}
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete={signUp ? 'new-password' : 'current-password'}
          required
          minLength={signUp ? 8 : undefined}
          maxLength={128}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby={signUp ? `${id}-password-hint` : undefined}
        />
        {signUp && <p className="hint" id={`${id}-password-hint`}>At least 8 characters.</p>}
        {error && <p className="error" role="alert" id={`${id}-error`}>{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Please wait…' : signUp ? 'Sign up' : 'Sign in'}</button>
      </form>
      <p className="switch">
        {signUp ? 'Already have an account? ' : 'New here? '}
        <a
          href={signUp ? '/signin' : '/signup'}
          onClick={(e) => {
            e.preventDefault();
            navigate(signUp ? '/signin' : '/signup');
          }}
        >
          {signUp ? 'Sign in' : 'Create an account'}
        </a>
      </p>
    </main>
  );
}
