// Bounds every peer must respect (docs/protocol.md §10). A message beyond them is invalid
// data, whatever it says.

/** Largest WebSocket frame a node accepts. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Blocks in one `blocks` answer, and the most a `getblocks` may ask for. */
export const MAX_BLOCKS_PER_MESSAGE = 500;
/** Canonical bytes of the blocks in one `blocks` answer (at least one block is always sent). */
export const MAX_BLOCKS_BYTES = 4 * 1024 * 1024;
/** Hashes in a `getblocks` locator (Bitcoin's locators hold ~10 + log2(height)). */
export const MAX_LOCATOR_HASHES = 200;
