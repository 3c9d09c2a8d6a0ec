// What a real run learns from the nodes' logs: `stop.blocks` counts public blocks only, so an
// attacker's withheld blocks count from their release and an abandoned branch never counts.
import { describe, expect, it } from 'vitest';
import { LogBook, type NodeState } from '../src/real/nodes.js';

function state(j: number): NodeState {
  return {
    id: `n${j}`,
    j,
    share: 0.5,
    strategy: { type: 'honest' } as NodeState['strategy'],
    delayMs: 0,
    dataDir: '',
    port: 0,
    service: null,
    online: true,
    everKilled: false,
    connected: new Map(),
    acknowledged: new Set(),
    hashrates: [],
  };
}

describe('LogBook.publicMined (what stop.blocks counts on a real run)', () => {
  it('counts a selfish pool’s blocks from their release on', () => {
    const book = new LogBook([state(0), state(1)]);
    const pool = book.reader(0);
    const honest = book.reader(1);
    honest({ msg: 'mined a block', hash: 'h1', time: 1 });
    pool({ msg: 'selfish: withheld a block', hash: 'p1', height: 2, lead: 1 });
    pool({ msg: 'selfish: withheld a block', hash: 'p2', height: 3, lead: 2 });
    expect(book.mined.size).toBe(3);
    expect(book.publicMined).toBe(1);
    pool({ msg: 'selfish: published', hashes: ['p1'], action: 'match' });
    expect(book.publicMined).toBe(2);
    pool({ msg: 'selfish: published', hashes: ['p2'], action: 'override' });
    expect(book.publicMined).toBe(3);
  });

  it('never counts a double-spend branch the attacker gave up, counts a published one', () => {
    const book = new LogBook([state(0), state(1)]);
    const attacker = book.reader(0);
    const paid = (attempt: number, hash: string) =>
      attacker({
        msg: 'double-spend: paid',
        attempt,
        hash,
        height: 1,
        forkHeight: 0,
        payment: `pay${attempt}`,
        conflict: `c${attempt}`,
      });
    paid(1, 'a1');
    attacker({ msg: 'double-spend: withheld a block', hash: 'a2', height: 2 });
    attacker({ msg: 'double-spend: gave up', attempt: 1, honest: 4, attacker: 2 });
    paid(2, 'b1');
    attacker({ msg: 'double-spend: withheld a block', hash: 'b2', height: 6 });
    expect(book.publicMined).toBe(0);
    attacker({ msg: 'double-spend: published', attempt: 2, hashes: ['b1', 'b2'], honest: 1 });
    expect(book.mined.size).toBe(4);
    expect(book.publicMined).toBe(2);
  });
});
