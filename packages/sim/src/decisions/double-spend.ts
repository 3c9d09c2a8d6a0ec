// The double-spend attacker's decision (Rosenfeld, "Analysis of hashrate-based double
// spending", 2014), a pure function of the race state. The simulator's strategy
// (strategies/double-spend.ts) and the node's (apps/node/src/strategies/double-spend.ts)
// both call it, so they cannot decide differently.

export interface DoubleSpendRace {
  /** Honest blocks on top of the fork point (the first holds the payment). */
  honest: number;
  /** The attacker's private blocks on top of the fork point (the first holds the conflicting tx). */
  attacker: number;
  /** Confirmations the victim waits for. */
  confirmations: number;
  /** Give up when this many blocks behind. */
  giveUpBehind: number;
  /**
   * Confirmations the payment has (default: `honest`, the model's payment in the first
   * honest block). On a real network the payment may reach the honest miners a block late;
   * the victim still waits for its own z confirmations.
   */
  paymentConfirmations?: number;
}

export type DoubleSpendAction = 'wait' | 'publish' | 'give-up';

/** What the attacker does now. */
export function doubleSpendDecision(r: DoubleSpendRace): DoubleSpendAction {
  const confirmed = r.paymentConfirmations ?? r.honest;
  if (confirmed >= r.confirmations && r.attacker > r.honest) return 'publish';
  if (r.honest - r.attacker >= r.giveUpBehind) return 'give-up';
  return 'wait';
}
