import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { api, setUnauthorizedHandler } from './api/client';
import { describeError } from './api/errors';
import { getSession, setSession, subscribeSession } from './api/session';
import type { Watchlist } from './api/types';
import { AuthPage } from './components/AuthPage';
import { WatchlistsPanel } from './components/WatchlistsPanel';
import { WatchlistView } from './components/WatchlistView';
import { navigate, usePath, watchlistIdFromPath } from './router';

export function App() {
  const session = useSyncExternalStore(subscribeSession, getSession);
  const path = usePath();
  const [notice, setNotice] = useState<string | null>(null);

  const signOutLocally = useCallback((message: string | null) => {
    setSession(null);
    setNotice(message);
    navigate('/signin');
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => signOutLocally('Your session has ended. Please sign in again.'));
  }, [signOutLocally]);

  useEffect(() => {
    if (!session && path !== '/signin' && path !== '/signup') navigate('/signin', true);
    if (session && (path === '/signin' || path === '/signup')) navigate('/', true);
  }, [session, path]);

  if (!session) {
    return (
      <AuthPage
        mode={path === '/signup' ? 'signup' : 'signin'}
        notice={notice}
        onSignedIn={() => {
          setNotice(null);
          navigate('/');
        }}
      />
    );
  }

  return (
    <Shell
      username={session.username}
      path={path}
      onSignOut={async () => {
        try {
          await api.logout();
        } catch {
          // Signing out locally is what matters; a token the server did not revoke expires on its own.
        }
        signOutLocally('You are signed out.');
      }}
      onSessionEnded={() => signOutLocally('Your session has ended. Please sign in again.')}
    />
  );
}

function Shell(props: { username: string; path: string; onSignOut: () => void; onSessionEnded: () => void }) {
  const [watchlists, setWatchlists] = useState<Watchlist[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const selectedId = watchlistIdFromPath(props.path);

  const reload = useCallback(async () => {
    try {
      setWatchlists(await api.watchlists());
      setLoadError(null);
    } catch (error) {
      setLoadError(describeError(error, 'load-watchlists'));
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  const selected = watchlists?.find((w) => w.watchlist_id === selectedId) ?? null;

  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <p className="brand">
          <a href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>ActorQuotes</a>
        </p>
        <p className="whoami">
          Signed in as <strong>{props.username}</strong>
        </p>
        <button type="button" className="secondary" onClick={props.onSignOut}>Sign out</button>
      </header>
      <div className="layout">
        <WatchlistsPanel
          watchlists={watchlists}
          loadError={loadError}
          selectedId={selectedId}
          onChanged={setWatchlists}
          reload={reload}
        />
        <main id="main" className="content" tabIndex={-1}>
          {selectedId === null ? (
            <section className="empty-state">
              <h1>Your watchlists</h1>
              <p>
                {watchlists && watchlists.length > 0
                  ? 'Pick a watchlist to see its prices live.'
                  : 'Create a watchlist, then add stocks to follow their prices and your profit and loss live.'}
              </p>
            </section>
          ) : watchlists !== null && selected === null ? (
            <section className="empty-state">
              <h1>Watchlist not found</h1>
              <p role="alert">This watchlist does not exist (it may have just been deleted), or it is not yours. Pick another one.</p>
            </section>
          ) : (
            <WatchlistView
              key={selectedId}
              watchlistId={selectedId}
              name={selected?.name ?? ''}
              onGone={() => void reload()}
              onSessionEnded={props.onSessionEnded}
            />
          )}
        </main>
      </div>
    </div>
  );
}
