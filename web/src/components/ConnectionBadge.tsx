import type { ConnectionStatus } from '../realtime/priceStream';
import { formatTime } from '../format';

const labels: Record<ConnectionStatus, string> = {
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
  unauthorized: 'Signed out',
  not_found: 'Watchlist deleted',
  failed: 'Stopped',
};

const tone: Record<ConnectionStatus, string> = {
  connecting: 'wait',
  live: 'live',
  reconnecting: 'wait',
  offline: 'off',
  unauthorized: 'off',
  not_found: 'off',
  failed: 'off',
};

/**
 * Only the status word is a live region: the update time changes several times a second and would
 * drown a screen reader.
 */
export function ConnectionBadge(props: {
  status: ConnectionStatus;
  lastUpdate: Date | null;
  retryInMs: number | null;
  onRetryNow: () => void;
}) {
  const { status, lastUpdate, retryInMs } = props;
  return (
    <div className="connection">
      <span className={`badge ${tone[status]}`} role="status" aria-live="polite" data-testid="connection-status" data-status={status}>
        {labels[status]}
      </span>
      <span className="updated">
        {lastUpdate ? (
          <>
            Last update <time dateTime={lastUpdate.toISOString()} data-testid="last-update">{formatTime(lastUpdate)}</time>
          </>
        ) : (
          'No prices yet'
        )}
      </span>
      {(status === 'reconnecting' || status === 'offline') && (
        <span className="retry">
          {status === 'offline'
            ? 'Waiting for the network.'
            : retryInMs !== null
              ? `Next try in ${Math.max(1, Math.round(retryInMs / 1000))} s.`
              : 'Trying now…'}{' '}
          <button type="button" className="link" onClick={props.onRetryNow}>Retry now</button>
        </span>
      )}
    </div>
  );
}
