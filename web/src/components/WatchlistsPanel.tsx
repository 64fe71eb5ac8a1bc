import { useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import type { Watchlist } from '../api/types';
import { navigate } from '../router';

interface Props {
  watchlists: Watchlist[] | null;
  loadError: string | null;
  selectedId: number | null;
  onChanged: (next: Watchlist[]) => void;
  reload: () => Promise<void>;
}

export function WatchlistsPanel({ watchlists, loadError, selectedId, onChanged, reload }: Props) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.createWatchlist(name.trim());
      onChanged([...(watchlists ?? []), created]);
      setName('');
      navigate(`/watchlists/${created.watchlist_id}`);
    } catch (failure) {
      setError(describeError(failure, 'create-watchlist'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <nav className="watchlists" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Watchlists</h2>
      {loadError && (
        <p className="error" role="alert">
          {loadError} <button type="button" className="link" onClick={() => void reload()}>Retry</button>
        </p>
      )}
      {watchlists === null && !loadError && <p className="muted">Loading…</p>}
      {watchlists !== null && watchlists.length === 0 && <p className="muted">No watchlists yet.</p>}
      {watchlists !== null && watchlists.length > 0 && (
        <ul>
          {watchlists.map((w) => (
            <WatchlistItem
              key={w.watchlist_id}
              watchlist={w}
              selected={w.watchlist_id === selectedId}
              onRenamed={(renamed) =>
                onChanged(watchlists.map((x) => (x.watchlist_id === renamed.watchlist_id ? { ...x, name: renamed.name } : x)))
              }
              onDeleted={() => {
                onChanged(watchlists.filter((x) => x.watchlist_id !== w.watchlist_id));
                if (w.watchlist_id === selectedId) navigate('/');
              }}
              onGone={() => void reload()}
            />
          ))}
        </ul>
      )}
      <form className="create" onSubmit={create}>
        <label htmlFor={`${id}-name`}>New watchlist</label>
        <div className="row">
          <input
            id={`${id}-name`}
            value={name}
            required
            maxLength={100}
            placeholder="e.g. Core"
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={busy || name.trim() === ''}>Create</button>
        </div>
        {error && <p className="error" role="alert">{error}</p>}
      </form>
    </nav>
  );
}

function WatchlistItem(props: {
  watchlist: Watchlist;
  selected: boolean;
  onRenamed: (w: Watchlist) => void;
  onDeleted: () => void;
  onGone: () => void;
}) {
  const { watchlist } = props;
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete'>('view');
  const [name, setName] = useState(watchlist.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const id = useId();

  async function rename(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onRenamed(await api.renameWatchlist(watchlist.watchlist_id, name.trim()));
      setMode('view');
      requestAnimationFrame(() => renameButton.current?.focus());
    } catch (failure) {
      setError(describeError(failure, 'rename-watchlist'));
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await api.deleteWatchlist(watchlist.watchlist_id);
      props.onDeleted();
    } catch (failure) {
      setError(describeError(failure, 'delete-watchlist'));
      setBusy(false);
    }
  }

  return (
    <li className={props.selected ? 'selected' : undefined}>
      {mode === 'rename' ? (
        <form className="rename" onSubmit={rename}>
          <label htmlFor={`${id}-rename`} className="visually-hidden">New name for {watchlist.name}</label>
          <input
            id={`${id}-rename`}
            value={name}
            required
            maxLength={100}
            autoFocus
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setMode('view');
            }}
          />
          <button type="submit" disabled={busy || name.trim() === ''}>Save</button>
          <button type="button" className="secondary" onClick={() => setMode('view')}>Cancel</button>
        </form>
      ) : (
        <>
          <a
            href={`/watchlists/${watchlist.watchlist_id}`}
            aria-current={props.selected ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/watchlists/${watchlist.watchlist_id}`);
            }}
          >
            {watchlist.name}
          </a>
          {mode === 'confirm-delete' ? (
            <span className="actions">
              <button type="button" className="danger" disabled={busy} onClick={() => void remove()} autoFocus>
                Delete “{watchlist.name}”
              </button>
              <button type="button" className="secondary" onClick={() => setMode('view')}>Keep</button>
            </span>
          ) : (
            <span className="actions">
              <button
                type="button"
                className="small secondary"
                ref={renameButton}
                aria-label={`Rename ${watchlist.name}`}
                onClick={() => {
                  setName(watchlist.name);
                  setError(null);
                  setMode('rename');
                }}
              >
                Rename
              </button>
              <button
                type="button"
                className="small secondary"
                aria-label={`Delete ${watchlist.name}`}
                onClick={() => {
                  setError(null);
                  setMode('confirm-delete');
                }}
              >
                Delete
              </button>
            </span>
          )}
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
          {error.includes('no longer exists') && (
            <button type="button" className="link" onClick={props.onGone}>Refresh list</button>
          )}
        </p>
      )}
    </li>
  );
}
