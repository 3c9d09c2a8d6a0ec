// JSON-RPC 2.0 errors with the codes and messages Ethereum tools recognise (geth's).

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** geth's code for a refused tx, a missing state, … */
export const SERVER_ERROR = -32000;
/** geth's code for "execution reverted" (with the revert data in `data`). */
export const EXECUTION_REVERTED = 3;

export function invalidParam(name: string, why: string): RpcError {
  return new RpcError(INVALID_PARAMS, `invalid argument ${name}: ${why}`);
}

/**
 * The mempool's /pushtx refusal as geth words it, so that viem/ethers classify it
 * (NonceTooLowError, InsufficientFundsError, …). The chainlab detail follows a colon.
 */
export function mempoolRefusal(code: string, message: string): RpcError {
  let geth: string;
  switch (code) {
    case 'BAD_NONCE':
      geth = /too far ahead/.test(message) ? 'nonce too high' : 'nonce too low';
      break;
    case 'INSUFFICIENT_FUNDS':
      geth = 'insufficient funds for gas * price + value';
      break;
    case 'FEE_TOO_LOW':
      geth = /replacement/.test(message)
        ? 'replacement transaction underpriced'
        : /intrinsic gas/.test(message)
          ? 'intrinsic gas too low'
          : 'transaction underpriced';
      break;
    case 'WRONG_CHAIN':
      geth = 'invalid chain id';
      break;
    case 'DUPLICATE':
      geth = 'already known';
      break;
    case 'INVALID_SIGNATURE':
      geth = 'invalid sender';
      break;
    case 'TOO_LARGE':
      geth = /gas limit/.test(message) ? 'exceeds block gas limit' : 'oversized data';
      break;
    case 'POOL_FULL':
      geth = 'txpool is full';
      break;
    case 'AMOUNT_OUT_OF_RANGE':
      geth = 'value out of range';
      break;
    default:
      geth = 'invalid transaction';
  }
  return new RpcError(SERVER_ERROR, `${geth}: ${message}`);
}
