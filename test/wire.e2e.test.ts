// The gossip wire format against a real node: a plain JSON peer gets exactly the JSON of
// docs/protocol.md §10, a peer whose hello lists binary-blocks gets the same blocks as one
// binary frame, and nodes sync with either encoding.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { blockToJson, loadSpec } from '@chainlab/core';
import { CAPABILITY_BINARY_BLOCKS, decodeBlocksBinary } from '@chainlab/wire';
import {
  getJson,
  mineBlocks,
  startNode,
  stopServicesAfterEachTest,
  tipOf,
  waitFor,
  waitForSameTip,
  writeSpec,
} from './helpers/index.js';

stopServicesAfterEachTest();

type Frame = { text: unknown } | { binary: Uint8Array };

/** A /ws client that says hello and collects what the node sends. */
async function peer(url: string, hello: Record<string, unknown>) {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws');
  const frames: Frame[] = [];
  ws.on('message', (data, isBinary) =>
    frames.push(
      isBinary
        ? { binary: new Uint8Array(data as Buffer) }
        : { text: JSON.parse((data as Buffer).toString()) },
    ),
  );
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', ...hello }));
  return { ws, frames };
}

describe('wire protocol over /ws (devnet, level 2)', () => {
  it('answers getblocks in JSON to a plain JSON peer and in binary to one that asks', async () => {
    const specPath = writeSpec('instant', 'devnet');
    const spec = loadSpec('devnet'); // the level and amount bounds decoding needs
    const a = await startNode({ spec: specPath, mine: false });
    await mineBlocks(a, 12);
    const genesis = (await getJson<{ hash: string }>(`${a.url}/block/0`)).hash;
    const hello = { chainId: spec.chainId, height: 0, tip: genesis, chainwork: '0x0', url: null };

    // A plain JSON peer (no capabilities): the node's hello, then a JSON `blocks` answer.
    const plain = await peer(a.url, hello);
    await waitFor(async () => plain.frames.length >= 1, { message: 'hello from the node' });
    const theirHello = (plain.frames[0] as { text: Record<string, unknown> }).text;
    expect(theirHello).toMatchObject({
      type: 'hello',
      chainId: spec.chainId,
      height: 12,
      url: a.url,
    });
    expect(theirHello.capabilities).toEqual([CAPABILITY_BINARY_BLOCKS]);
    plain.ws.send(JSON.stringify({ type: 'getblocks', locator: [genesis], limit: 10 }));
    await waitFor(async () => plain.frames.length >= 2, { message: 'blocks answer' });
    const json = plain.frames[1] as { text: { type: string; blocks: { height: number }[] } };
    expect(json.text.type).toBe('blocks');
    expect(json.text.blocks.map((b) => b.height)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(plain.frames.every((f) => 'text' in f)).toBe(true);

    // The same request from a peer listing binary-blocks: one binary frame, same blocks.
    const fast = await peer(a.url, {
      ...hello,
      capabilities: [CAPABILITY_BINARY_BLOCKS, 'x-future'],
    });
    await waitFor(async () => fast.frames.length >= 1, { message: 'hello from the node' });
    fast.ws.send(JSON.stringify({ type: 'getblocks', locator: [genesis], limit: 10 }));
    await waitFor(async () => fast.frames.length >= 2, { message: 'binary blocks answer' });
    const frame = fast.frames[1] as { binary: Uint8Array };
    expect(frame.binary).toBeInstanceOf(Uint8Array);
    const decoded = decodeBlocksBinary(frame.binary, spec).blocks.map(blockToJson);
    expect(decoded).toEqual(json.text.blocks);
    plain.ws.close();
    fast.ws.close();
  });

  it('a JSON-only node and a binary node both catch up from a peer', async () => {
    const spec = writeSpec('instant', 'devnet');
    const a = await startNode({ spec, mine: false });
    await mineBlocks(a, 40);
    const tip = await tipOf(a);
    const jsonNode = await startNode({
      spec,
      mine: false,
      extra: ['--peers', a.url, '--no-binary-sync'],
    });
    const binaryNode = await startNode({ spec, mine: false, extra: ['--peers', a.url] });
    const same = await waitForSameTip([a, jsonNode, binaryNode]);
    expect(same.hash).toBe(tip.hash);

    // Both kept what they synced: after a restart they replay their store to the same tip.
    for (const n of [jsonNode, binaryNode]) {
      await n.stop();
      const again = await startNode({ spec, mine: false, dataDir: n.dataDir });
      await waitFor(async () => (await tipOf(again)).hash === tip.hash, {
        message: 'replayed tip',
      });
    }
  });
});
