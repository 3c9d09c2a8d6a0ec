// Every gossip message, and the envelope they share: a JSON text frame {"type": ..., ...}
// (docs/protocol.md §10). parseMessage checks the envelope and the message's own fields;
// the blocks and txs inside are checked against a chain by readBlock / readBlocks / readTx,
// since only the receiver knows its chain's level and limits.
import { WireError } from './errors.js';
import { parseHello, type HelloMessage } from './hello.js';
import { parseBlockMessage, type BlockMessage } from './block.js';
import { parseTxMessage, type TxMessage } from './tx.js';
import { parseGetBlocks, type GetBlocksMessage } from './getblocks.js';
import { parseBlocksMessage, type BlocksMessage } from './blocks.js';

export type Message = HelloMessage | BlockMessage | TxMessage | GetBlocksMessage | BlocksMessage;
export type MessageType = Message['type'];

export const MESSAGE_TYPES: readonly MessageType[] = [
  'hello',
  'block',
  'tx',
  'getblocks',
  'blocks',
];

const parsers: Record<MessageType, (raw: Record<string, unknown>) => Message> = {
  hello: parseHello,
  block: parseBlockMessage,
  tx: parseTxMessage,
  getblocks: parseGetBlocks,
  blocks: parseBlocksMessage,
};

/** Parses a text frame. Throws a WireError saying what is wrong with it. */
export function parseMessage(text: string): Message {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WireError('malformed JSON');
  }
  return parseMessageObject(raw);
}

/** The same for an already-parsed JSON value. */
export function parseMessageObject(raw: unknown): Message {
  if (
    typeof raw !== 'object' ||
    raw === null ||
    Array.isArray(raw) ||
    typeof (raw as { type?: unknown }).type !== 'string'
  )
    throw new WireError('message without a type');
  const type = (raw as { type: string }).type;
  if (!Object.hasOwn(parsers, type))
    throw new WireError(`unknown message type ${JSON.stringify(type).slice(0, 40)}`);
  return parsers[type as MessageType](raw as Record<string, unknown>);
}

/** The text frame of a message. */
export function encodeMessage(message: Message): string {
  return JSON.stringify(message);
}
