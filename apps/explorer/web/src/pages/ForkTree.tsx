// Fork tree: the union of every node's block tree. Lane 0 is the best chain (the tip with
// the most cumulative work); side branches sit below it. Each node's tag marks the block it
// sits on. Stale blocks (no node's active chain) are grey, blocks a node marked invalid are
// red with ✕, and blocks a reorg just took off (orange) or put on (green) a chain flash.
// An attacker's withheld blocks (--strategy, devnet experiments) show as dashed ghosts in a
// lane of their own until it publishes them; then they appear, marked "withheld".
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { NetworkJson, ReorgEvent, TreeBlock, TreeJson } from '../api.js';
import { Age, HashLink, Loading, NodeTag, Notice, Section } from '../components/common.js';
import { BlockDevActions, DevPanel, DevMessage, useDev } from '../components/dev.js';
import { useInfo } from '../context.js';
import { formatAge, formatWork, nodeColor, shortHash } from '../format.js';
import { onLive, useApi } from '../live.js';
import { layoutTree } from '../tree-layout.js';

const COL_W = 116;
const BOX_W = 92;
const BOX_H = 42;
const TAG_H = 17;
const FLASH_MS = 20_000;

type BlockState = 'best' | 'active' | 'stale' | 'invalid';

interface ForkResult {
  node: string;
  height: number;
  replaced: string;
  competing: string | null;
  pausedMining: string[];
}

function stateOf(b: TreeBlock): BlockState {
  if (b.invalidOn.length > 0 && b.activeOn.length === 0) return 'invalid';
  if (b.onBest) return 'best';
  if (b.activeOn.length > 0) return 'active';
  return 'stale';
}

const STATE_TEXT: Record<BlockState, string> = {
  best: 'on the best chain',
  active: 'on a competing chain (some node’s active chain, not the most work)',
  stale: 'stale: no node’s active chain',
  invalid: 'invalid',
};

/** What caused a reorg, when it was an attacker publishing withheld blocks. */
export function describeCause(e: ReorgEvent): string {
  const c = e.cause;
  if (!c) return '';
  return ` The new chain carries ${c.node}’s withheld branch (${c.blocks} block${c.blocks === 1 ? '' : 's'} published at once: ${c.action}).`;
}

export function describeReorg(e: ReorgEvent): string {
  const dropped = e.disconnected.length;
  const added = e.connected.length;
  const fork = e.forkPoint ? ` at the fork #${e.forkPoint.height}` : '';
  const what = `${e.node} reorganised${fork} (depth ${dropped}): ${dropped} block${dropped === 1 ? '' : 's'} disconnected, ${added} connected; tip #${e.oldTip.height} ${shortHash(e.oldTip.hash, 6)} → #${e.newTip.height} ${shortHash(e.newTip.hash, 6)}.`;
  const cause = describeCause(e);
  if (e.reason === 'more-work')
    return `${what} The new chain has more work (${formatWork(e.newTip.chainwork)} vs ${formatWork(e.oldTip.chainwork)}), so it wins.${cause}`;
  if (e.reason === 'equal-work')
    return `${what} Both tips have the same work: of equal chains a node keeps the one it saw first.${cause}`;
  if (e.reason === 'invalidated')
    return `${what} Its old tip was marked invalid, so it moved to its best remaining chain.`;
  return what + cause;
}

interface Ghost {
  node: string;
  heights: number[];
  /** The attacker's public tip, when the withheld blocks sit right on it (drawn as parent). */
  parent: string | null;
}

/** The blocks attackers withhold now (from their /status): heights only, hashes are private. */
function ghostsOf(tree: TreeJson): Ghost[] {
  const out: Ghost[] = [];
  for (const t of tree.tips) {
    const s = t.strategy;
    if (!s || s.privateBlocks === 0 || !s.privateHeights) continue;
    const [lo, hi] = s.privateHeights as [number, number];
    const heights: number[] = [];
    for (let h = lo; h <= hi && heights.length < 50; h++) heights.push(h);
    out.push({ node: t.node, heights, parent: t.height === lo - 1 ? t.tip : null });
  }
  return out;
}

interface Flash {
  out: Map<string, number>;
  in: Map<string, number>;
}

function TreeSvg(props: {
  tree: TreeJson;
  selected: string | null;
  onSelect: (hash: string) => void;
  flash: Flash;
  now: number;
}) {
  const { tree, flash, now } = props;
  const layout = useMemo(() => layoutTree(tree.blocks), [tree]);
  const byHash = useMemo(() => new Map(tree.blocks.map((b) => [b.hash, b])), [tree]);
  const tagsByBlock = useMemo(() => {
    const m = new Map<string, { node: string; up: boolean }[]>();
    for (const t of tree.tips) {
      if (!t.tip || !byHash.has(t.tip)) continue;
      const list = m.get(t.tip) ?? [];
      list.push({ node: t.node, up: t.up });
      m.set(t.tip, list);
    }
    return m;
  }, [tree, byHash]);
  const maxTags = [...tagsByBlock.values()].reduce((m, l) => Math.max(m, l.length), 1);
  const topPad = maxTags * TAG_H + 8;
  const rowH = topPad + BOX_H + 26;
  // Withheld blocks: one lane per attacker below the tree, at their heights' columns.
  const ghosts = ghostsOf(tree).filter((g) => g.heights.at(-1)! >= layout.minHeight);
  let cols = layout.cols;
  for (const g of ghosts) cols = Math.max(cols, g.heights.at(-1)! - layout.minHeight + 1);
  const width = Math.max(cols * COL_W + 24, 300);
  const height = (layout.lanes + ghosts.length) * rowH + 8;
  const x = (col: number) => 12 + col * COL_W;
  const y = (lane: number) => 4 + lane * rowH + topPad;
  const scroller = useRef<HTMLDivElement>(null);
  const stickRight = useRef(true);
  useEffect(() => {
    const el = scroller.current;
    if (el && stickRight.current) el.scrollLeft = el.scrollWidth;
  }, [width]);

  const focusBlock = (hash: string | undefined) => {
    if (!hash) return;
    const el = scroller.current?.querySelector<SVGGElement>(`[data-hash="${hash}"]`);
    el?.focus();
    props.onSelect(hash);
  };
  const onKey = (e: KeyboardEvent, b: TreeBlock) => {
    const p = layout.placed.get(b.hash)!;
    const sameCol = (lane: number) =>
      [...layout.placed.values()].find((q) => q.col === p.col && q.lane === lane)?.hash;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      props.onSelect(b.hash);
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      focusBlock(byHash.has(b.prevHash) ? b.prevHash : undefined);
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      const kids = tree.blocks.filter((k) => k.prevHash === b.hash);
      focusBlock((kids.find((k) => layout.placed.get(k.hash)?.lane === p.lane) ?? kids[0])?.hash);
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      const dir = e.key === 'ArrowUp' ? -1 : 1;
      for (let lane = p.lane + dir; lane >= 0 && lane < layout.lanes; lane += dir) {
        const h = sameCol(lane);
        if (h) return focusBlock(h);
      }
    }
  };

  return (
    <div
      class="tree-scroll"
      ref={scroller}
      onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        stickRight.current = el.scrollLeft + el.clientWidth >= el.scrollWidth - 40;
      }}
    >
      <svg
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="group"
        aria-label={`Block tree from height ${tree.from} to ${tree.top}: ${layout.lanes} branch${layout.lanes === 1 ? '' : 'es'}. Use the arrow keys to move between blocks.`}
        class="tree"
      >
        <g class="cols" aria-hidden="true">
          {Array.from({ length: cols }, (_, c) => (
            <text x={x(c) + BOX_W / 2} y={height - 4} class="col-label" text-anchor="middle">
              {layout.minHeight + c}
            </text>
          ))}
        </g>
        <g class="edges" aria-hidden="true">
          {layout.edges.map((e) => {
            const a = layout.placed.get(e.from)!;
            const b = layout.placed.get(e.to)!;
            const x1 = x(a.col) + BOX_W;
            const y1 = y(a.lane) + BOX_H / 2;
            const x2 = x(b.col);
            const y2 = y(b.lane) + BOX_H / 2;
            const child = byHash.get(e.to)!;
            const st = stateOf(child);
            const d =
              y1 === y2
                ? `M${x1},${y1} L${x2},${y2}`
                : `M${x1},${y1} C${x1 + 18},${y1} ${x2 - 22},${y2} ${x2},${y2}`;
            return <path key={e.to} d={d} class={`edge edge-${st}`} />;
          })}
        </g>
        {tree.blocks.map((b) => {
          const p = layout.placed.get(b.hash);
          if (!p) return null;
          const st = stateOf(b);
          const invalid = b.invalidOn.length > 0;
          const tags = tagsByBlock.get(b.hash) ?? [];
          const flashOut = (flash.out.get(b.hash) ?? 0) > now;
          const flashIn = (flash.in.get(b.hash) ?? 0) > now;
          const bx = x(p.col);
          const by = y(p.lane);
          const label =
            `Block ${b.height} ${b.hash}: ${STATE_TEXT[st]}` +
            (invalid ? `; invalid on ${b.invalidOn.join(', ')}` : '') +
            (tags.length ? `; tip of ${tags.map((t) => t.node).join(', ')}` : '') +
            (b.releasedBy
              ? `; withheld by ${b.releasedBy.node}, then published with ${b.releasedBy.blocks - 1} other${b.releasedBy.blocks === 2 ? '' : 's'} (${b.releasedBy.action})`
              : '') +
            (flashOut ? '; just reorganised away' : '') +
            (flashIn ? '; just connected by a reorg' : '');
          return (
            <g
              key={b.hash}
              class={`blk st-${st}${invalid ? ' invalid' : ''}${props.selected === b.hash ? ' selected' : ''}${flashOut ? ' flash-out' : ''}${flashIn ? ' flash-in' : ''}`}
              data-hash={b.hash}
              data-height={b.height}
              data-state={st}
              data-invalid={invalid ? 'true' : 'false'}
              data-tips={tags.map((t) => t.node).join(' ')}
              data-released-by={b.releasedBy?.node ?? ''}
              transform={`translate(${bx},${by})`}
              tabindex={0}
              role="button"
              aria-label={label}
              aria-pressed={props.selected === b.hash}
              onClick={() => props.onSelect(b.hash)}
              onKeyDown={(e) => onKey(e as unknown as KeyboardEvent, b)}
            >
              <title>{label}</title>
              <rect class="box" width={BOX_W} height={BOX_H} rx={6} />
              <text x={8} y={17} class="blk-h">
                #{b.height}
              </text>
              {b.releasedBy && (
                <text x={BOX_W - 6} y={16} text-anchor="end" class="held-text">
                  withheld
                </text>
              )}
              <text x={8} y={33} class="blk-hash">
                {b.hash.slice(2, 10)}
              </text>
              {invalid && (
                <g class="x-mark" aria-hidden="true">
                  <text x={BOX_W - 8} y={17} text-anchor="end" class="x-text">
                    ✕
                  </text>
                  <text x={0} y={BOX_H + 14} class="badge-text">
                    invalid
                    {b.invalidOn.length < Object.keys(b.views).length
                      ? ` on ${b.invalidOn.join(', ')}`
                      : ''}
                  </text>
                </g>
              )}
              {!invalid && st === 'stale' && (
                <text x={0} y={BOX_H + 14} class="badge-text stale-text" aria-hidden="true">
                  stale
                </text>
              )}
              {tags.map((t, i) => (
                <g
                  key={t.node}
                  class="tip-tag"
                  data-node-tip={t.node}
                  transform={`translate(0,${-(i + 1) * TAG_H - 2})`}
                  aria-hidden="true"
                >
                  <rect
                    width={64}
                    height={TAG_H - 3}
                    rx={7}
                    style={{ fill: t.up ? nodeColor(t.node) : '#6b7280' }}
                  />
                  <text x={32} y={TAG_H - 7} text-anchor="middle" class="tag-text">
                    {t.node}
                  </text>
                </g>
              ))}
            </g>
          );
        })}
        {ghosts.map((g, i) => {
          const lane = layout.lanes + i;
          return (
            <g
              key={`ghost-${g.node}`}
              class="ghost"
              data-withheld-by={g.node}
              data-blocks={g.heights.length}
              role="img"
              aria-label={`${g.node} withholds ${g.heights.length} block${g.heights.length === 1 ? '' : 's'} (heights ${g.heights[0]}–${g.heights.at(-1)}): mined, not published, unknown to the other nodes`}
            >
              <text
                x={x(Math.max(0, g.heights[0]! - layout.minHeight))}
                y={y(lane) - 6}
                class="ghost-label"
              >
                withheld by {g.node}
              </text>
              {(() => {
                const from = g.parent ? layout.placed.get(g.parent) : undefined;
                const col = g.heights[0]! - layout.minHeight;
                if (!from || col < 0) return null;
                const x1 = x(from.col) + BOX_W;
                const y1 = y(from.lane) + BOX_H / 2;
                const x2 = x(col);
                const y2 = y(lane) + BOX_H / 2;
                return (
                  <path
                    class="ghost-edge"
                    d={`M${x1},${y1} C${x1 + 18},${y1} ${x2 - 22},${y2} ${x2},${y2}`}
                  />
                );
              })()}
              {g.heights.map((h) => {
                const col = h - layout.minHeight;
                if (col < 0) return null;
                return (
                  <g key={h} transform={`translate(${x(col)},${y(lane)})`}>
                    {h > g.heights[0]! && (
                      <path
                        class="ghost-edge"
                        d={`M${BOX_W - COL_W},${BOX_H / 2} L0,${BOX_H / 2}`}
                      />
                    )}
                    <rect class="ghost-box" width={BOX_W} height={BOX_H} rx={6} />
                    <text x={8} y={17} class="blk-h">
                      #{h}
                    </text>
                    <text x={8} y={33} class="blk-hash">
                      ? private
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function Legend() {
  return (
    <ul class="legend" aria-label="Legend">
      <li>
        <span class="sw sw-best" aria-hidden="true" /> best chain (most work)
      </li>
      <li>
        <span class="sw sw-active" aria-hidden="true" /> another node’s active chain
      </li>
      <li>
        <span class="sw sw-stale" aria-hidden="true" /> stale / orphaned
      </li>
      <li>
        <span class="sw sw-invalid" aria-hidden="true" /> invalid (✕)
      </li>
      <li>
        <span class="sw sw-ghost" aria-hidden="true" /> withheld by an attacker (private)
      </li>
      <li>
        <span class="sw sw-out" aria-hidden="true" /> just reorganised away
      </li>
      <li>
        <span class="sw sw-in" aria-hidden="true" /> just connected by a reorg
      </li>
    </ul>
  );
}

function SelectedBlock(props: {
  block: TreeBlock;
  tree: TreeJson;
  devNodes: NetworkJson['nodes'] | null;
  devnet: boolean;
}) {
  const b = props.block;
  const st = stateOf(b);
  return (
    <section class="card selected-block" aria-labelledby="sel-title" data-testid="selected-block">
      <h2 id="sel-title">
        Block #{b.height} <code class="small">{shortHash(b.hash, 10)}</code>
      </h2>
      <p>
        <strong>{STATE_TEXT[st]}</strong>. <a href={`#/block/${b.hash}`}>Open the block page</a>
      </p>
      <dl class="kv">
        <dt>Hash</dt>
        <dd>
          <HashLink hash={b.hash} kind="block" full />
        </dd>
        <dt>Parent</dt>
        <dd>
          <HashLink hash={b.prevHash} kind="block" />
        </dd>
        <dt>Time</dt>
        <dd>
          <Age time={b.time} />
        </dd>
        <dt>Chainwork</dt>
        <dd>{formatWork(b.chainwork)} in total, up to this block</dd>
      </dl>
      <table>
        <caption>How each node sees it</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Status</th>
            <th scope="col">On its active chain</th>
          </tr>
        </thead>
        <tbody>
          {props.tree.tips.map((t) => {
            const v = b.views[t.node];
            return (
              <tr key={t.node}>
                <th scope="row">
                  <NodeTag id={t.node} down={!t.up} />
                </th>
                <td>
                  {v ? v.status + (v.failure ? ` (${v.failure.code})` : '') : 'does not know it'}
                </td>
                <td>{v ? (v.active ? 'yes' : 'no') : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {props.devnet && props.devNodes && (
        <BlockDevActions hash={b.hash} nodes={props.devNodes} idPrefix="tree" />
      )}
    </section>
  );
}

export function ForkTreePage() {
  const info = useInfo();
  const [windowSize, setWindowSize] = useState(30);
  const tree = useApi<TreeJson>(`/api/tree?window=${windowSize}`, ['tree']);
  const net = useApi<NetworkJson>('/api/network', ['network']);
  const [selected, setSelected] = useState<string | null>(null);
  const [flash, setFlash] = useState<Flash>({ out: new Map(), in: new Map() });
  const [latest, setLatest] = useState<ReorgEvent | null>(null);
  const [now, setNow] = useState(Date.now());
  const race = useDev();

  useEffect(
    () =>
      onLive((_k, reorgs) => {
        if (reorgs.length === 0) return;
        const until = Date.now() + FLASH_MS;
        setFlash((f) => {
          const out = new Map(f.out);
          const inn = new Map(f.in);
          for (const r of reorgs) {
            for (const h of r.disconnected) out.set(h, until);
            for (const h of r.connected) inn.set(h, until);
          }
          return { out, in: inn };
        });
        setLatest(reorgs.at(-1)!);
      }),
    [],
  );
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const data = tree.data;
  // The list's copy of the latest event: its cause may be known only after the live event.
  const shown = latest ? (data?.reorgs.find((r) => r.id === latest.id) ?? latest) : null;
  const attackers = data?.tips.some((t) => t.strategy) ?? false;
  const selectedBlock = data?.blocks.find((b) => b.hash === selected) ?? null;
  const devnet = !!info?.devnet;
  const upNodes = net.data?.nodes.filter((n) => n.up && n.devControls) ?? [];
  return (
    <>
      <h1 tabIndex={-1}>Fork tree</h1>
      <p class="lead">
        Every block any node knows, merged. Nodes build on the tip with the{' '}
        <strong>most cumulative work</strong>; when two miners find a block at the same height the
        network forks, and the branch that gets the next block wins — the other becomes{' '}
        <em>stale</em>. Select a block for details{devnet ? ' and to invalidate it' : ''}.
      </p>
      <div class="toolbar">
        <span class="field">
          <label for="tree-window">Heights shown</label>
          <select
            id="tree-window"
            value={String(windowSize)}
            onChange={(e) => setWindowSize(Number((e.target as HTMLSelectElement).value))}
          >
            {[15, 30, 60, 120].map((n) => (
              <option key={n} value={String(n)}>
                last {n}
              </option>
            ))}
          </select>
        </span>
        {devnet && upNodes.length > 1 && (
          <button
            type="button"
            disabled={race.busy}
            title="One node replaces the tip with a block of its own at the same height: two competing tips of equal work"
            onClick={() =>
              race.run('fork', {}, (r) => {
                const f = r as unknown as ForkResult;
                const paused = f.pausedMining.length
                  ? ` Mining is paused on ${f.pausedMining.join(', ')}.`
                  : '';
                return `${f.node} replaced block #${f.height} ${shortHash(f.replaced, 6)} with its own, ${shortHash(f.competing, 6)}: two tips of equal work.${paused} Now mine 1 block on ${f.node} (its branch gets the most work and every node moves to it) or on another node (the other branch wins).`;
              })
            }
          >
            Make a fork
          </button>
        )}
        <Legend />
      </div>
      {devnet && <DevMessage dev={race} />}
      <div class="reorg-banner" role="status" aria-live="polite" data-testid="reorg-banner">
        {shown && now - shown.at < FLASH_MS * 3 ? <span>Reorg: {describeReorg(shown)}</span> : null}
      </div>
      {tree.error && <Notice kind="error">Cannot read the block tree: {tree.error.message}</Notice>}
      {!data && !tree.error && <Loading what="the block tree" />}
      {data && data.blocks.length === 0 && <p>No blocks yet.</p>}
      {data && data.blocks.length > 0 && (
        <TreeSvg tree={data} selected={selected} onSelect={setSelected} flash={flash} now={now} />
      )}
      <div class="tree-below">
        {selectedBlock && data && (
          <SelectedBlock
            block={selectedBlock}
            tree={data}
            devNodes={net.data?.nodes ?? null}
            devnet={devnet}
          />
        )}
        {data && (
          <Section title="Tips">
            <table class="tips" data-testid="tips">
              <caption class="sr-only">Each node's tip and its cumulative work</caption>
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">Tip</th>
                  <th scope="col">Height</th>
                  <th scope="col">Chainwork</th>
                  <th scope="col">Best?</th>
                  {attackers && <th scope="col">Withholding</th>}
                </tr>
              </thead>
              <tbody>
                {data.tips.map((t) => (
                  <tr key={t.node} data-node={t.node} data-tip={t.tip ?? ''}>
                    <th scope="row">
                      <NodeTag id={t.node} down={!t.up} />
                    </th>
                    <td>
                      <HashLink hash={t.tip} kind="block" />
                    </td>
                    <td class="num">{t.height ?? '—'}</td>
                    <td>{formatWork(t.chainwork)}</td>
                    <td>{data.best && t.tip === data.best.tip ? 'yes: most work' : 'no'}</td>
                    {attackers && (
                      <td data-field="withheld">
                        {t.strategy
                          ? `${t.strategy.name}: ${t.strategy.privateBlocks} block${t.strategy.privateBlocks === 1 ? '' : 's'}` +
                            (t.strategy.privateHeights
                              ? ` (#${t.strategy.privateHeights[0]}–#${t.strategy.privateHeights[1]})`
                              : '')
                          : '—'}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        )}
        {data && (
          <Section title="Reorgs">
            {data.reorgs.length === 0 ? (
              <p class="muted">
                No reorg seen yet.{' '}
                {devnet ? 'Try “Make a fork”, then mine one more block on one node.' : ''}
              </p>
            ) : (
              <ol class="reorgs" reversed data-testid="reorg-list">
                {[...data.reorgs].reverse().map((r) => (
                  <li key={r.id} data-caused-by={r.cause?.node ?? ''}>
                    <span class="muted small">{formatAge((now - r.at) / 1000)} ago · </span>
                    <NodeTag id={r.node} /> {describeReorg(r)}
                  </li>
                ))}
              </ol>
            )}
          </Section>
        )}
        {devnet && net.data && (
          <section class="card" aria-label="Devnet controls">
            <DevPanel nodes={net.data.nodes} idPrefix="tree" />
          </section>
        )}
      </div>
    </>
  );
}
