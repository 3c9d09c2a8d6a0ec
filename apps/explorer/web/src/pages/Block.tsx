// Block: every header field, the proof of work explained (hash vs target), the payload,
// how each node sees the block, and devnet invalidate/reconsider.
import type { BlockDetail, NetworkJson, PowInfo } from '../api.js';
import { Age, Coins, HashLink, Loading, NodeTag, Notice, Section } from '../components/common.js';
import { BlockDevActions } from '../components/dev.js';
import { useInfo } from '../context.js';
import { formatBig, formatDuration, formatTime, formatWork, hexToBinary } from '../format.js';
import { useApi } from '../live.js';

function ZeroBits(props: { label: string; hex: string; zeros: number }) {
  const bin = hexToBinary(props.hex);
  const shown = Math.min(256, Math.max(props.zeros + 24, 64));
  return (
    <div class="bits-row">
      <span class="bits-label">{props.label}</span>
      <code class="bits" aria-label={`${props.label}: ${props.zeros} leading zero bits`}>
        <span class="zeros">{bin.slice(0, props.zeros)}</span>
        {bin.slice(props.zeros, shown)}
        {shown < 256 ? '…' : ''}
      </code>
    </div>
  );
}

function PowSection(props: { hash: string; pow: PowInfo; chainwork: string | null }) {
  const { pow } = props;
  const ratio = pow.hashToTargetRatio;
  return (
    <Section title="Proof of work">
      <p>
        A block is valid when its hash, read as a 256-bit number, is{' '}
        <strong>at most the target</strong> encoded by <code>bits</code>. No shortcut exists: miners
        change the nonce (and time) and hash again until one hash is small enough.
      </p>
      <ZeroBits label="Hash" hex={props.hash} zeros={pow.hashLeadingZeroBits} />
      <ZeroBits label="Target" hex={pow.target} zeros={pow.targetLeadingZeroBits} />
      <dl class="kv">
        <dt>Leading zero bits</dt>
        <dd data-testid="zero-bits">
          hash {pow.hashLeadingZeroBits}, target {pow.targetLeadingZeroBits}: every hash with more
          than {pow.targetLeadingZeroBits} leading zeros is below the target
        </dd>
        <dt>Hash ÷ target</dt>
        <dd>
          {ratio < 0.0001 ? ratio.toExponential(2) : ratio.toFixed(4)}{' '}
          {pow.meetsTarget ? '(below 1: valid)' : '(above 1: NOT valid)'}
        </dd>
        <dt>Expected hashes</dt>
        <dd>
          {formatBig(pow.expectedHashes)} (≈ 2^{pow.log2ExpectedHashes}): on average a miner tries
          this many nonces to find one block at this target — this is the block's <em>work</em>
        </dd>
        <dt>Difficulty</dt>
        <dd>
          {pow.difficulty === null
            ? '—'
            : pow.difficulty.toLocaleString('en-US', { maximumFractionDigits: 2 })}
          {pow.difficulty !== null &&
            ' × harder than the easiest target the chain allows (its pow limit)'}
        </dd>
        <dt>Chainwork</dt>
        <dd>
          {formatWork(props.chainwork)}: the work of this block and all its ancestors. Nodes follow
          the valid chain with the most.
        </dd>
      </dl>
    </Section>
  );
}

export function BlockPage(props: { id: string }) {
  const info = useInfo();
  const res = useApi<BlockDetail>(`/api/block/${encodeURIComponent(props.id)}`, ['blocks', 'tree']);
  const net = useApi<NetworkJson>(info?.devnet ? '/api/network' : null, ['network']);
  const b = res.data;
  if (res.error && !b) {
    return (
      <>
        <h1 tabIndex={-1}>Block</h1>
        <Notice kind="error">{res.error.message}</Notice>
      </>
    );
  }
  if (!b) return <Loading what="the block" />;
  const invalidOn = b.views.filter((v) => v.status === 'invalid' || v.status === 'invalid-parent');
  return (
    <>
      <h1 tabIndex={-1}>Block #{b.height}</h1>
      <p class="hash-line">
        <code data-testid="block-hash">{b.hash}</code>
      </p>
      <p class="status-line" role="status" data-testid="block-status">
        {b.onBestChain ? (
          <span class="badge ok">
            On the best chain · {b.confirmations} confirmation{b.confirmations === 1 ? '' : 's'}
          </span>
        ) : (
          <span class="badge warn">Not on the best chain (stale or competing)</span>
        )}{' '}
        {invalidOn.length > 0 && (
          <span class="badge bad">✕ invalid on {invalidOn.map((v) => v.node).join(', ')}</span>
        )}
      </p>
      {b.children.length > 1 && (
        <Notice>
          The chain forks after this block: {b.children.length} children (
          {b.children.map((c, i) => (
            <span key={c.hash}>
              {i > 0 && ', '}
              <HashLink hash={c.hash} kind="block" />
              {c.onBest ? ' (best)' : ''}
            </span>
          ))}
          ). See the <a href="#/tree">fork tree</a>.
        </Notice>
      )}
      <div class="grid2">
        <Section title="Header">
          <dl class="kv" data-testid="header-fields">
            <dt>Height</dt>
            <dd>{b.height}</dd>
            <dt>Version</dt>
            <dd>{b.header.version}</dd>
            <dt>Previous block</dt>
            <dd>
              {b.height === 0 ? (
                'none (genesis)'
              ) : (
                <HashLink hash={b.header.prevHash} kind="block" full />
              )}
            </dd>
            <dt>Merkle root</dt>
            <dd>
              <code class="wrap">{b.header.merkleRoot}</code>
            </dd>
            <dt>Time</dt>
            <dd>
              {formatTime(b.header.time)} (<Age time={b.header.time} />, unix {b.header.time})
            </dd>
            <dt>Bits</dt>
            <dd>
              <code>0x{b.header.bits.toString(16).padStart(8, '0')}</code> (compact target)
            </dd>
            <dt>Nonce</dt>
            <dd>{b.header.nonce.toLocaleString('en-US')}</dd>
            <dt>Size</dt>
            <dd>{b.size === null ? '—' : `${b.size.toLocaleString('en-US')} bytes`}</dd>
            <dt>Time since parent</dt>
            <dd>{formatDuration(b.sinceParent)}</dd>
            <dt>Next block</dt>
            <dd>
              {b.nextHash ? (
                <HashLink hash={b.nextHash} kind="block" />
              ) : b.onBestChain ? (
                'none yet (this is the tip)'
              ) : (
                '—'
              )}
            </dd>
          </dl>
        </Section>
        {b.pow && <PowSection hash={b.hash} pow={b.pow} chainwork={b.chainwork} />}
      </div>
      <Section title="Payload">
        {b.decodeError && <Notice kind="error">Cannot decode the payload: {b.decodeError}</Notice>}
        {b.items && (
          <table data-testid="payload">
            <caption class="sr-only">Data items</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Item id</th>
                <th scope="col">Text</th>
                <th scope="col">Bytes</th>
              </tr>
            </thead>
            <tbody>
              {b.items.map((i) => (
                <tr key={i.index}>
                  <td class="num">{i.index}</td>
                  <td>
                    <HashLink hash={i.id} kind="tx" />
                  </td>
                  <td>
                    <pre class="data-item">{i.text}</pre>
                  </td>
                  <td class="num">{i.bytes}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {b.items?.length === 0 && <p class="muted">No data items.</p>}
        {b.txs && (
          <>
            <p>
              {b.txs.length} tx{b.txs.length === 1 ? '' : 's'}; fees <Coins units={b.fees} />
              {b.coinbase && (
                <>
                  ; the coinbase pays <Coins units={b.coinbase.amount} /> (reward + fees) to{' '}
                  <HashLink hash={b.coinbase.to} kind="address" />
                </>
              )}
              .
            </p>
            <div class="table-scroll">
              <table data-testid="payload">
                <caption class="sr-only">Transactions</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Txid</th>
                    <th scope="col">Type</th>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Fee</th>
                    <th scope="col">Nonce</th>
                  </tr>
                </thead>
                <tbody>
                  {b.txs.map((t) => (
                    <tr key={t.txid}>
                      <td class="num">{t.index}</td>
                      <td>
                        <HashLink hash={t.txid} kind="tx" />
                      </td>
                      <td>{t.kind}</td>
                      <td>
                        {t.from ? (
                          <HashLink hash={t.from} kind="address" />
                        ) : (
                          <span class="muted">new coins</span>
                        )}
                      </td>
                      <td>
                        {t.to ? (
                          <HashLink hash={t.to} kind="address" />
                        ) : (
                          <span class="muted">contract creation</span>
                        )}
                      </td>
                      <td class="num">
                        <Coins units={t.amount} />
                      </td>
                      <td class="num">
                        <Coins units={t.fee} />
                      </td>
                      <td class="num">{t.nonce}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Section>
      <Section title="Seen by nodes">
        <table data-testid="views">
          <caption class="sr-only">How each node sees this block</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Status</th>
              <th scope="col">On its active chain</th>
              <th scope="col">Failure</th>
            </tr>
          </thead>
          <tbody>
            {b.views.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  {b.onBestChain
                    ? `Deep in the best chain: the explorer tracks each node's view of its last ${info?.treeDepth ?? 200} heights only.`
                    : 'No node reports this block any more.'}
                </td>
              </tr>
            )}
            {b.views.map((v) => (
              <tr key={v.node} data-node={v.node} data-status={v.status}>
                <th scope="row">
                  <NodeTag id={v.node} />
                </th>
                <td>{v.status}</td>
                <td>{v.active ? 'yes' : 'no'}</td>
                <td>{v.failure ? `${v.failure.code}: ${v.failure.message}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {info?.devnet && net.data && b.height > 0 && (
          <BlockDevActions hash={b.hash} nodes={net.data.nodes} idPrefix="block" />
        )}
      </Section>
    </>
  );
}
