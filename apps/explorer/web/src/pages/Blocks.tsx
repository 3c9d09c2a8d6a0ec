// Blocks: the best chain, newest first, live.
import type { BlockSummary } from '../api.js';
import { Age, HashLink, Loading, Notice } from '../components/common.js';
import { useInfo } from '../context.js';
import { formatDuration } from '../format.js';
import { useApi } from '../live.js';

export function BlocksPage(props: { before: number | null }) {
  const info = useInfo();
  const level = info?.level ?? 1;
  const path = `/api/blocks?limit=25${props.before !== null ? `&before=${props.before}` : ''}`;
  const res = useApi<{ height: number; tip: string | null; blocks: BlockSummary[] }>(path, [
    'blocks',
  ]);
  const d = res.data;
  const oldest = d?.blocks.at(-1)?.height ?? null;
  return (
    <>
      <h1 tabIndex={-1}>Blocks</h1>
      <p class="lead">
        The best chain (the one with the most work), newest first. Click a height or hash for every
        detail.
      </p>
      {res.error && <Notice kind="error">{res.error.message}</Notice>}
      {!d && !res.error && <Loading what="blocks" />}
      {d && (
        <>
          <div class="table-scroll card">
            <table class="blocks" data-testid="blocks-table">
              <caption class="sr-only">Blocks of the best chain</caption>
              <thead>
                <tr>
                  <th scope="col">Height</th>
                  <th scope="col">Hash</th>
                  <th scope="col">Age</th>
                  <th scope="col">After parent</th>
                  <th scope="col">{level === 1 ? 'Data items' : 'Txs'}</th>
                  <th scope="col">Size</th>
                  {level >= 2 && <th scope="col">Miner</th>}
                  <th scope="col" title="Leading zero bits of the block hash">
                    Zero bits
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.blocks.map((b) => (
                  <tr key={b.hash}>
                    <td class="num">
                      <a href={`#/block/${b.hash}`}>{b.height}</a>
                    </td>
                    <td>
                      <HashLink hash={b.hash} kind="block" />
                    </td>
                    <td>
                      <Age time={b.time} />
                    </td>
                    <td class="num">{formatDuration(b.sinceParent)}</td>
                    <td class="num">{b.items}</td>
                    <td class="num">
                      {b.size === null ? '—' : `${b.size.toLocaleString('en-US')} B`}
                    </td>
                    {level >= 2 && (
                      <td>
                        <HashLink hash={b.miner} kind="address" />
                      </td>
                    )}
                    <td class="num">{b.hashLeadingZeroBits ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages of blocks">
            {props.before !== null && <a href="#/blocks">Newest</a>}
            {props.before !== null && (
              <a href={`#/blocks?before=${Math.min(d.height + 1, props.before + 25)}`}>Newer</a>
            )}
            {oldest !== null && oldest > 0 && <a href={`#/blocks?before=${oldest}`}>Older</a>}
          </nav>
        </>
      )}
    </>
  );
}
