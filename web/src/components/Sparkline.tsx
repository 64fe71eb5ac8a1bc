import { formatMoney } from '../format';

const width = 72;
const height = 28;
const pad = 2;

/** The prices seen on the stream since the view opened, as a small SVG line. */
export function Sparkline(props: { points: readonly number[]; currency?: string; label: string }) {
  const { points } = props;
  if (points.length < 2) {
    return <span className="sparkline-empty" aria-label={`${props.label}: not enough prices yet`} role="img">–</span>;
  }
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min || 1;
  const step = (width - pad * 2) / (points.length - 1);
  const coordinates = points
    .map((p, i) => `${(pad + i * step).toFixed(1)},${(height - pad - ((p - min) / span) * (height - pad * 2)).toFixed(1)}`)
    .join(' ');
  const first = points[0];
  const last = points[points.length - 1];
  // Coloured by what the line shows (since the page opened), not by the day's change.
  const direction = last > first ? 'up' : last < first ? 'down' : 'flat';
  return (
    <svg
      className={`sparkline ${direction}`}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${props.label}: ${points.length} prices, from ${formatMoney(first, props.currency)} to ${formatMoney(last, props.currency)}`}
      data-points={points.length}
    >
      <polyline points={coordinates} fill="none" strokeWidth="1.5" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}
