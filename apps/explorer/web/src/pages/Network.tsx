// Network: every node the tracker lists, live — tip, height, hashrate, peers, mining, last block age.
import type { NetworkJson, NodeRow } from '../api.js';
import { Age, HashLink, Loading, NodeTag, Notice, Section } from '../components/common.js';
import { DevPanel, useDev, DevMessage } from '../components/dev.js';
import { useInfo } from '../context.js';
import { formatDuration, formatHashrate } from '../format.js';
import { useApi } from '../live.js';

function NodeRowView(props: {
  n: NodeRow;
  best: NetworkJson['best'];
  devnet: boolean;
  dev: ReturnType<typeof useDev>;
}) {
  const { n, best, dev } = props;
  // Behind only when its tip is an ancestor of the best tip; a node whose tip is not in the
  // best chain (e.g. after /dev/invalidate) is on another branch, however high it is.
  const pos = n.tipPosition;
  const behind =
    pos.position === 'behind'
      ? pos.blocks
      : pos.position === 'unknown' && best && n.height !== null && !n.onBestTip
        ? best.height - n.height
        : 0;
  return (
    <tr class={n.up ? '' : 'down'} data-node={n.id}>
      <th scope="row">
        <NodeTag id={n.id} down={!n.up} />
        {n.strategy && (
          <span
            class="attack-badge"
            data-field="strategy"
            title={`runs --strategy ${n.strategy.name} (a devnet experiment): it withholds the blocks it mines and publishes them when it pays`}
          >
            {n.strategy.name}
            {n.strategy.privateBlocks > 0 ? ` · ${n.strategy.privateBlocks} withheld` : ''}
          </span>
        )}
        <div class="small muted">
          <a href={n.url + '/status'} target="_blank" rel="noreferrer">
            {n.url.replace(/^https?:\/\//, '')}
          </a>
        </div>
      </th>
      <td>
        {n.up ? (
          <span class="ok-text">up{n.live ? ', live' : ''}</span>
        ) : (
          <span class="bad-text" title={n.error ?? ''}>
            down
          </span>
        )}
      </td>
      <td class="num" data-field="height">
        {n.height ?? '—'}
      </td>
      <td>
        <HashLink hash={n.tip} kind="block" />
        <div class="small">
          {n.up && n.tip ? (
            n.onBestTip ? (
              <span class="ok-text">best tip</span>
            ) : pos.position === 'branch' ? (
              <span
                class="warn-text"
                data-field="position"
                title="its tip is not in the best chain: it follows another branch and will not catch up by syncing"
              >
                on another branch
                {pos.forkHeight !== null ? ` (forked at ${pos.forkHeight})` : ''}
              </span>
            ) : behind > 0 ? (
              <span class="warn-text" data-field="position">
                {behind} behind
              </span>
            ) : (
              <span class="warn-text" data-field="position">
                on another branch
              </span>
            )
          ) : null}
        </div>
      </td>
      <td>
        <Age time={n.tipTime} />
      </td>
      <td class="num">{n.mining ? formatHashrate(n.hashrate) : '—'}</td>
      <td>
        <span title={n.peers.map((p) => p.url).join('\n')}>
          {n.peers.length === 0
            ? 'none'
            : n.peers.map((p) => p.node ?? p.url.replace(/^https?:\/\//, '')).join(', ')}
        </span>
      </td>
      <td data-field="mining">
        {n.mining === null ? (
          '—'
        ) : n.mining ? (
          <span class="ok-text">on</span>
        ) : (
          <span class="muted">off</span>
        )}
      </td>
      <td class="num">{n.pending ?? '—'}</td>
      <td class="num">{n.timeOffsetSeconds ? formatDuration(n.timeOffsetSeconds) : '0'}</td>
      {props.devnet && (
        <td>
          <div class="actions">
            {n.up && n.devControls && (
              <>
                <button
                  type="button"
                  disabled={dev.busy}
                  aria-label={`Mine 1 block on ${n.id}`}
                  onClick={() =>
                    dev.run('mine', { node: n.id, blocks: 1 }, () => `${n.id} mined a block`)
                  }
                >
                  Mine 1
                </button>
                <button
                  type="button"
                  disabled={dev.busy}
                  aria-pressed={n.mining === true}
                  aria-label={`${n.mining ? 'Stop' : 'Start'} mining on ${n.id}`}
                  onClick={() =>
                    dev.run(
                      'mining',
                      { node: n.id, on: !n.mining },
                      () => `${n.id}: mining ${n.mining ? 'off' : 'on'}`,
                    )
                  }
                >
                  {n.mining ? 'Stop mining' : 'Start mining'}
                </button>
              </>
            )}
          </div>
        </td>
      )}
    </tr>
  );
}

export function NetworkPage() {
  const info = useInfo();
  const net = useApi<NetworkJson>('/api/network', ['network']);
  const dev = useDev();
  const data = net.data;
  const devnet = !!info?.devnet;
  return (
    <>
      <h1 tabIndex={-1}>Network</h1>
      <p class="lead">
        Every node the tracker
        {info?.tracker ? (
          <>
            {' '}
            (<code>{info.tracker}</code>)
          </>
        ) : null}{' '}
        lists, updated live as blocks arrive over each node's WebSocket. The{' '}
        <strong>best tip</strong> is the tip with the most cumulative work.
      </p>
      {net.error && <Notice kind="error">Cannot read the network: {net.error.message}</Notice>}
      {!data && !net.error && <Loading what="nodes" />}
      {data && (
        <>
          <dl class="stats">
            <div>
              <dt>Nodes</dt>
              <dd data-testid="node-count">
                {data.nodes.filter((n) => n.up).length} up / {data.nodes.length}
              </dd>
            </div>
            <div>
              <dt>Best height</dt>
              <dd>{data.best?.height ?? '—'}</dd>
            </div>
            <div>
              <dt>Best tip</dt>
              <dd>
                <HashLink hash={data.best?.tip} kind="block" />{' '}
                {data.best && <NodeTag id={data.best.node} />}
              </dd>
            </div>
            <div>
              <dt>Mempool</dt>
              <dd>
                {data.mempool.url ? (
                  data.mempool.up ? (
                    <a href="#/mempool">{data.mempool.pending ?? 0} pending</a>
                  ) : (
                    <span class="bad-text">unreachable</span>
                  )
                ) : (
                  'none'
                )}
              </dd>
            </div>
          </dl>
          <Section title="Nodes">
            {data.nodes.length === 0 ? (
              <p>
                No node yet: the tracker lists none. Start one with <code>pnpm start:node</code> or
                run <code>pnpm dev</code>.
              </p>
            ) : (
              <div class="table-scroll">
                <table class="nodes">
                  <caption class="sr-only">Nodes, their tips and mining</caption>
                  <thead>
                    <tr>
                      <th scope="col">Node</th>
                      <th scope="col">State</th>
                      <th scope="col">Height</th>
                      <th scope="col">Tip</th>
                      <th scope="col">Last block</th>
                      <th scope="col">Hashrate</th>
                      <th scope="col">Peers</th>
                      <th scope="col">Mining</th>
                      <th scope="col">Pending</th>
                      <th scope="col">Clock offset</th>
                      {devnet && <th scope="col">Devnet</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {data.nodes.map((n) => (
                      <NodeRowView key={n.id} n={n} best={data.best} devnet={devnet} dev={dev} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {devnet && <DevMessage dev={dev} />}
          </Section>
          {devnet && (
            <section class="card" aria-label="Devnet controls">
              <DevPanel nodes={data.nodes} idPrefix="net" />
            </section>
          )}
        </>
      )}
    </>
  );
}
