import { useSyncExternalStore } from 'react';

// Three kinds of page need no router library: /signin, /signup, / and /watchlists/{id}. The gateway
// answers every such path with index.html (docs/web.md), so links and reloads work.

const listeners = new Set<() => void>();

function notify(): void {
  listeners.forEach((listener) => listener());
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(path: string, replace = false): void {
  if (window.location.pathname === path) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  notify();
}

export function usePath(): string {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => window.location.pathname,
  );
}

export function watchlistIdFromPath(path: string): number | null {
  const match = /^\/watchlists\/(\d+)\/?$/.exec(path);
  return match ? Number(match[1]) : null;
}
