// Tx: status, confirmations counting up live, block, fee; level 3: the receipt and logs.
import type { TxDetail } from '../api.js';
import { Age, Coins, HashLink, Loading, Notice, Section } from '../components/common.js';
import { useInfo } from '../context.js';
import { useApi } from '../live.js';

interface Receipt {
  txid?: string;
  status?: 0 | 1;
  gasUsed?: string;
  cumulativeGasUsed?: string;
  fee?: string;
  contractAddress?: string | null;
  logs?: { address?: string; topics?: string[]; data?: string }[];
  error?: string;
  revertReason?: string;
  output?: string;
  blockHash?: string;
  blockHeight?: number;
  index?: number;
}

/** Level 3: what the EVM did with the tx (the node's GET /receipt/:txid). */
function ReceiptSection(props: { txid: string }) {
  const r = useApi<Receipt>(`/api/receipt/${props.txid}`, ['blocks']);
  const d = r.data;
  return (
    <Section title="Receipt">
      {r.error && !d && <p class="muted">{r.error.message}</p>}
      {d && (
        <>
          <dl class="kv" data-testid="receipt">
            <dt>Status</dt>
            <dd>
              {d.status === 1 ? (
                <span class="badge ok">success</span>
              ) : (
                <span class="badge bad">
                  failed{d.revertReason ? `: ${d.revertReason}` : d.error ? `: ${d.error}` : ''}
                </span>
              )}
            </dd>
            <dt>Gas used</dt>
            <dd>
              {d.gasUsed ?? '—'} (block total so far: {d.cumulativeGasUsed ?? '—'})
            </dd>
            <dt>Fee paid</dt>
            <dd>
              <Coins units={d.fee} /> (gas used × gas price)
            </dd>
            {d.contractAddress && (
              <>
                <dt>Contract created</dt>
                <dd>
                  <HashLink hash={d.contractAddress} kind="address" full />
                </dd>
              </>
            )}
            {d.output && d.output !== '0x' && (
              <>
                <dt>Output</dt>
                <dd>
                  <code class="wrap">{d.output}</code>
                </dd>
              </>
            )}
          </dl>
          <h3>Logs</h3>
          {(d.logs ?? []).length === 0 ? (
            <p class="muted">No logs.</p>
          ) : (
            <ol class="logs">
              {(d.logs ?? []).map((l, i) => (
                <li key={i}>
                  from <HashLink hash={l.address} kind="address" />
                  <ul>
                    {(l.topics ?? []).map((t, j) => (
                      <li key={j}>
                        topic {j}: <code class="wrap">{t}</code>
                      </li>
                    ))}
                  </ul>
                  data <code class="wrap">{l.data}</code>
                </li>
              ))}
            </ol>
          )}
          <p class="muted small">
            Logs are shown raw (topics and data): the explorer knows no contract ABI yet.
          </p>
        </>
      )}
    </Section>
  );
}

export function TxPage(props: { id: string }) {
  const info = useInfo();
  const res = useApi<TxDetail>(`/api/tx/${encodeURIComponent(props.id)}`, ['blocks', 'mempool']);
  const t = res.data;
  if (res.error && !t) {
    return (
      <>
        <h1 tabIndex={-1}>Transaction</h1>
        <p>
          <code class="wrap">{props.id}</code>
        </p>
        <Notice kind="error">{res.error.message}</Notice>
      </>
    );
  }
  if (!t) return <Loading what="the transaction" />;
  const isData = t.kind === 'data';
  return (
    <>
      <h1 tabIndex={-1}>
        {isData ? 'Data item' : t.kind === 'coinbase' ? 'Coinbase transaction' : 'Transaction'}
      </h1>
      <p class="hash-line">
        <code data-testid="txid">{t.txid}</code>
      </p>
      <p class="status-line" role="status" aria-live="polite">
        <span
          class={`badge ${t.status === 'confirmed' ? 'ok' : t.status === 'pending' ? 'info' : 'warn'}`}
          data-testid="tx-status"
        >
          {t.status === 'pending'
            ? 'Pending in the mempool'
            : t.status === 'confirmed'
              ? 'Confirmed'
              : 'Only in a stale block'}
        </span>{' '}
        <span class="badge" data-testid="confirmations" data-confirmations={t.confirmations}>
          {t.confirmations} confirmation{t.confirmations === 1 ? '' : 's'}
        </span>
      </p>
      <Section title="Details">
        <dl class="kv">
          <dt>Block</dt>
          <dd>
            {t.blockHash ? (
              <>
                <HashLink hash={t.blockHash} kind="block" /> at height {t.blockHeight ?? '?'}
              </>
            ) : (
              'not in a block yet'
            )}
          </dd>
          {t.blockTime !== null && (
            <>
              <dt>Block time</dt>
              <dd>
                <Age time={t.blockTime} />
              </dd>
            </>
          )}
          {t.mempool?.position ? (
            <>
              <dt>Mempool position</dt>
              <dd>
                {t.mempool.position} in inclusion order (<a href="#/mempool">mempool</a>)
              </dd>
            </>
          ) : null}
          {isData && (
            <>
              <dt>Data</dt>
              <dd>
                <pre class="data-item">{t.data}</pre> ({t.bytes} bytes)
              </dd>
            </>
          )}
          {t.tx && (
            <>
              <dt>Type</dt>
              <dd>{t.tx.kind}</dd>
              <dt>From</dt>
              <dd>
                {t.tx.from ? (
                  <HashLink hash={t.tx.from} kind="address" full />
                ) : (
                  'new coins (block reward and fees)'
                )}
              </dd>
              <dt>To</dt>
              <dd>
                {t.tx.to ? <HashLink hash={t.tx.to} kind="address" full /> : 'a new contract'}
              </dd>
              <dt>Amount</dt>
              <dd>
                <Coins units={t.tx.amount} />
              </dd>
              <dt>Fee</dt>
              <dd>
                <Coins units={t.tx.fee} />
                {t.tx.kind === 'contract' && ' (gas is paid per unit used: see the receipt)'}
              </dd>
              {t.tx.gasLimit && (
                <>
                  <dt>Gas limit / price</dt>
                  <dd>
                    {t.tx.gasLimit} gas at <Coins units={t.tx.gasPrice} /> per gas
                  </dd>
                </>
              )}
              <dt>Nonce</dt>
              <dd>{t.tx.nonce}</dd>
              <dt>Chain id</dt>
              <dd>{t.tx.chainId}</dd>
              <dt>Signature</dt>
              <dd>
                {t.tx.sig ? (
                  <code class="wrap">{t.tx.sig}</code>
                ) : (
                  'none (a coinbase is not signed)'
                )}
              </dd>
              {t.tx.data && t.tx.data !== '0x' && (
                <>
                  <dt>
                    {t.tx.kind === 'coinbase'
                      ? 'State root'
                      : t.tx.to === null
                        ? 'Init code'
                        : 'Call data'}
                  </dt>
                  <dd>
                    <code class="wrap">{t.tx.data}</code>
                  </dd>
                </>
              )}
            </>
          )}
        </dl>
      </Section>
      {t.inBlocks.length > 1 && (
        <Section title="Blocks containing it">
          <p>
            After a fork the same transaction can sit in blocks of several branches; only the best
            chain counts.
          </p>
          <ul>
            {t.inBlocks.map((b) => (
              <li key={b.hash}>
                <HashLink hash={b.hash} kind="block" /> #{b.height}{' '}
                {b.onBestChain ? '(best chain)' : '(stale)'}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {info?.features.receipt && t.kind !== 'data' && t.kind !== 'coinbase' && (
        <ReceiptSection txid={t.txid} />
      )}
    </>
  );
}
