// Devnet controls as buttons: each posts to the explorer's /api/dev/* (proxied to the
// node's /dev/*) and reports the outcome in a status region screen readers announce.
import { useState } from 'preact/hooks';
import { postJson, type DevResult, type NodeRow } from '../api.js';
import { shortHash } from '../format.js';

export interface DevState {
  busy: boolean;
  message: { kind: 'ok' | 'error'; text: string } | null;
  run: (
    action: string,
    body: Record<string, unknown>,
    done: (r: DevResult) => string,
  ) => Promise<void>;
}

export function useDev(): DevState {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<DevState['message']>(null);
  const run: DevState['run'] = async (action, body, done) => {
    setBusy(true);
    setMessage(null);
    try {
      const r = await postJson<DevResult>(`/api/dev/${action}`, body);
      const failed = (r.results ?? []).filter((x) => !x.ok);
      const text =
        done(r) +
        (failed.length
          ? ` (failed on ${failed.map((f) => `${f.node}: ${f.message}`).join('; ')})`
          : '');
      setMessage({ kind: failed.length ? 'error' : 'ok', text });
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return { busy, message, run };
}

export function DevMessage(props: { dev: DevState }) {
  const m = props.dev.message;
  return (
    <p class={`dev-message ${m?.kind ?? ''}`} role="status" aria-live="polite">
      {props.dev.busy ? 'Working…' : (m?.text ?? '')}
    </p>
  );
}

export function NodeSelect(props: {
  id: string;
  label: string;
  nodes: { id: string }[];
  value: string;
  onChange: (v: string) => void;
  all?: boolean;
}) {
  return (
    <span class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.all && <option value="all">every node</option>}
        {props.nodes.map((n) => (
          <option key={n.id} value={n.id}>
            {n.id}
          </option>
        ))}
      </select>
    </span>
  );
}

const mined = (r: DevResult): string =>
  (r.results ?? [])
    .filter((x) => x.ok)
    .map((x) => {
      const a = x.answer as { hashes?: string[]; height?: number };
      return `${x.node} mined ${a.hashes?.length ?? 0} block${a.hashes?.length === 1 ? '' : 's'} (height ${a.height})`;
    })
    .join('; ');

/** Mine n blocks, mining on/off, clock offset: for one node or every node. */
export function DevPanel(props: { nodes: NodeRow[]; idPrefix: string }) {
  const dev = useDev();
  const devNodes = props.nodes.filter((n) => n.up && n.devControls);
  const [node, setNode] = useState('all');
  const [blocks, setBlocks] = useState(1);
  const [offset, setOffset] = useState(0);
  if (devNodes.length === 0) return null;
  const p = props.idPrefix;
  return (
    <div class="dev-panel" role="group" aria-labelledby={`${p}-dev-title`}>
      <h3 id={`${p}-dev-title`}>Devnet controls</h3>
      <div class="dev-row">
        <NodeSelect
          id={`${p}-dev-node`}
          label="Node"
          nodes={devNodes}
          value={node}
          onChange={setNode}
          all
        />
        <span class="field">
          <label for={`${p}-dev-blocks`}>Blocks</label>
          <input
            id={`${p}-dev-blocks`}
            type="number"
            min={1}
            max={100}
            value={blocks}
            onInput={(e) =>
              setBlocks(
                Math.max(1, Math.min(100, Number((e.target as HTMLInputElement).value) || 1)),
              )
            }
          />
        </span>
        <button
          type="button"
          disabled={dev.busy}
          onClick={() => dev.run('mine', { node, blocks }, mined)}
        >
          Mine {blocks} block{blocks === 1 ? '' : 's'}
        </button>
        <button
          type="button"
          disabled={dev.busy}
          onClick={() =>
            dev.run(
              'mining',
              { node, on: true },
              () => `mining switched on (${node === 'all' ? 'every node' : node})`,
            )
          }
        >
          Start mining
        </button>
        <button
          type="button"
          disabled={dev.busy}
          onClick={() =>
            dev.run(
              'mining',
              { node, on: false },
              () => `mining switched off (${node === 'all' ? 'every node' : node})`,
            )
          }
        >
          Stop mining
        </button>
        <span class="field">
          <label for={`${p}-dev-offset`}>Clock offset (s)</label>
          <input
            id={`${p}-dev-offset`}
            type="number"
            step={60}
            value={offset}
            onInput={(e) =>
              setOffset(Math.trunc(Number((e.target as HTMLInputElement).value) || 0))
            }
          />
        </span>
        <button
          type="button"
          disabled={dev.busy}
          onClick={() =>
            dev.run(
              'time',
              { node, offsetSeconds: offset },
              () => `clock offset set to ${offset} s (${node === 'all' ? 'every node' : node})`,
            )
          }
        >
          Set clock
        </button>
      </div>
      <DevMessage dev={dev} />
    </div>
  );
}

/** Invalidate / reconsider one block on one node or every node (forced reorgs). */
export function BlockDevActions(props: {
  hash: string;
  nodes: { id: string; devControls?: boolean | null; up?: boolean }[];
  idPrefix: string;
}) {
  const dev = useDev();
  const devNodes = props.nodes.filter((n) => n.up !== false && n.devControls !== false);
  const [node, setNode] = useState(devNodes[0]?.id ?? 'all');
  if (devNodes.length === 0) return null;
  const p = props.idPrefix;
  const after = (verb: string) => (r: DevResult) =>
    (r.results ?? [])
      .filter((x) => x.ok)
      .map((x) => {
        const tip = (x.answer as { tip?: { height: number; hash: string } }).tip;
        return `${x.node}: ${verb} ${shortHash(props.hash)}; tip now #${tip?.height} ${shortHash(tip?.hash)}`;
      })
      .join('; ');
  return (
    <div class="dev-panel" role="group" aria-labelledby={`${p}-block-dev`}>
      <h3 id={`${p}-block-dev`}>Devnet: force a reorg</h3>
      <p class="muted small">
        Like Bitcoin Core's <code>invalidateblock</code>: the node treats this block and its
        descendants as invalid and moves to its best other chain. <em>Reconsider</em> undoes it.
      </p>
      <div class="dev-row">
        <NodeSelect
          id={`${p}-inv-node`}
          label="On node"
          nodes={devNodes}
          value={node}
          onChange={setNode}
          all
        />
        <button
          type="button"
          class="danger"
          disabled={dev.busy}
          onClick={() => dev.run('invalidate', { node, hash: props.hash }, after('invalidated'))}
        >
          Invalidate block
        </button>
        <button
          type="button"
          disabled={dev.busy}
          onClick={() => dev.run('reconsider', { node, hash: props.hash }, after('reconsidered'))}
        >
          Reconsider block
        </button>
      </div>
      <DevMessage dev={dev} />
    </div>
  );
}
