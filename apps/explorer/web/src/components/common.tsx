// Small shared pieces: links to blocks/txs/addresses, coins, ages, node tags, notices.
import type { ComponentChildren } from 'preact';
import { useInfo } from '../context.js';
import { formatAge, formatCoins, nodeColor, shortHash } from '../format.js';
import { useNow } from '../live.js';

export function HashLink(props: {
  hash: string | null | undefined;
  kind: 'block' | 'tx' | 'address';
  full?: boolean;
  label?: string;
}) {
  const { hash, kind } = props;
  if (!hash) return <span>—</span>;
  const text = props.full
    ? hash
    : kind === 'address'
      ? `${hash.slice(0, 8)}…${hash.slice(-4)}`
      : shortHash(hash);
  return (
    <a
      href={`#/${kind}/${hash}`}
      title={hash}
      class="hash"
      aria-label={props.label ?? `${kind} ${hash}`}
    >
      <code>{text}</code>
    </a>
  );
}

export function Coins(props: { units: string | null | undefined }) {
  const info = useInfo();
  const decimals = info?.coin.decimals ?? 18;
  const symbol = info?.coin.symbol ?? '';
  return (
    <span class="coins" title={props.units ? `${props.units} base units` : undefined}>
      {formatCoins(props.units, decimals, symbol)}
    </span>
  );
}

/** "12 s ago", counting up live. */
export function Age(props: { time: number | null | undefined; suffix?: string }) {
  const now = useNow();
  if (props.time === null || props.time === undefined) return <span>—</span>;
  const s = now / 1000 - props.time;
  return (
    <time
      dateTime={new Date(props.time * 1000).toISOString()}
      title={new Date(props.time * 1000).toISOString()}
    >
      {s < 0 ? `in ${formatAge(-s)}` : `${formatAge(s)} ${props.suffix ?? 'ago'}`}
    </time>
  );
}

export function NodeTag(props: { id: string; down?: boolean }) {
  return (
    <span class={`node-tag${props.down ? ' down' : ''}`} style={{ '--node': nodeColor(props.id) }}>
      {props.id}
    </span>
  );
}

export function Notice(props: { kind?: 'error' | 'info' | 'ok'; children: ComponentChildren }) {
  return (
    <div
      class={`notice ${props.kind ?? 'info'}`}
      role={props.kind === 'error' ? 'alert' : undefined}
    >
      {props.children}
    </div>
  );
}

export function Loading(props: { what: string }) {
  return <p class="muted">Loading {props.what}…</p>;
}

export function Section(props: {
  title: string;
  id?: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  const id = props.id ?? props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return (
    <section aria-labelledby={`h-${id}`} class="card">
      <div class="card-head">
        <h2 id={`h-${id}`}>{props.title}</h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}
