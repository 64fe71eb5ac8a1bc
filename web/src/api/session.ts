// The signed-in session: the bearer token and who it belongs to, kept in localStorage so a reload or a
// second tab stays signed in. Listeners hear sign-in and sign-out, including from other tabs.

export interface Session {
  token: string;
  username: string;
  expiresAt: string;
}

const storageKey = 'actorquotes.session';
const listeners = new Set<() => void>();
let cached: Session | null | undefined;

function read(): Session | null {
  try {
    const raw = globalThis.localStorage?.getItem(storageKey);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.token !== 'string' || typeof value.username !== 'string') return null;
    if (typeof value.expiresAt === 'string' && Date.parse(value.expiresAt) <= Date.now()) return null;
    return { token: value.token, username: value.username, expiresAt: value.expiresAt ?? '' };
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  if (cached === undefined) cached = read();
  return cached;
}

export function getToken(): string | null {
  return getSession()?.token ?? null;
}

export function setSession(session: Session | null): void {
  cached = session;
  try {
    if (session) globalThis.localStorage?.setItem(storageKey, JSON.stringify(session));
    else globalThis.localStorage?.removeItem(storageKey);
  } catch {
    // Private mode or a full quota: the session still lives in memory for this tab.
  }
  listeners.forEach((listener) => listener());
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== storageKey) return;
    cached = read();
    listeners.forEach((listener) => listener());
  });
}
