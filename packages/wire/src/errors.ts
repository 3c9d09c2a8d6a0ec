// A message that breaks the protocol's shape (not a consensus rule: those are core's
// RuleErrors). The reason is what the receiving node logs when it penalises the sender.
export class WireError extends Error {
  override readonly name = 'WireError';
}

export function isWireError(e: unknown): e is WireError {
  return e instanceof WireError;
}
