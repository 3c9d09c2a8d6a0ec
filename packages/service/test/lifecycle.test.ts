import { describe, expect, it } from 'vitest';
import { Lifecycle } from '@chainlab/service';

describe('Lifecycle', () => {
  it('closes the server first, then runs hooks last-registered first, once', async () => {
    const order: string[] = [];
    const exits: number[] = [];
    const lc = new Lifecycle({ exit: (c) => exits.push(c) });
    lc.setServer(async () => void order.push('server'));
    lc.onShutdown('a', () => void order.push('a'));
    lc.onShutdown('b', async () => void order.push('b'));
    const [c1, c2] = await Promise.all([lc.shutdown('test'), lc.shutdown('again')]);
    expect(order).toEqual(['server', 'b', 'a']);
    expect([c1, c2]).toEqual([0, 0]);
    expect(lc.stopping).toBe(true);
    await lc.shutdownAndExit();
    expect(exits).toEqual([0]);
    expect(order).toEqual(['server', 'b', 'a']);
  });

  it('bounds each step by the timeout and keeps going; exit code 1 when a step failed', async () => {
    const order: string[] = [];
    const lc = new Lifecycle({ stepTimeoutMs: 50, exit: () => {} });
    lc.onShutdown('first', () => void order.push('first'));
    lc.onShutdown('hangs', () => new Promise(() => {}));
    lc.onShutdown('throws', () => {
      throw new Error('nope');
    });
    expect(await lc.shutdown()).toBe(1);
    expect(order).toEqual(['first']);
  });
});
