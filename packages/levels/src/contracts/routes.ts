// Level-3 routes: receipts, read-only calls, code and storage at the tip. Only registered
// on contracts chains, so every other chain answers them 404 NOT_FOUND. The EVM state
// lives in the chain's EvmMachine; each question is one round trip to its worker.
import { mempoolContractRoutes, nodeContractRoutes as S } from '@chainlab/api';
import { isRuleError } from '@chainlab/core';
import { parseSlot, receiptToJson, type CallRequest, type EvmMachine } from '@chainlab/evm';
import { HttpError, type Server } from '@chainlab/service';
import { addressParam } from '../http-params.js';

/** The receipt of an active-chain tx with where it is; 404 TX_NOT_FOUND otherwise. */
export function receiptJson(machine: EvmMachine, txid: string) {
  const loc = machine.receipt(txid);
  if (!loc)
    throw new HttpError(
      404,
      'TX_NOT_FOUND',
      `no tx ${txid} in the active chain (pending txs have no receipt yet)`,
    );
  return {
    ...receiptToJson(loc.receipt),
    blockHash: loc.blockHash,
    blockHeight: loc.height,
    index: loc.index,
  };
}

/** The mempool's GET /receipt/:txid: the same answer as the node's. */
export function registerReceiptRoute(server: Server, machine: EvmMachine): void {
  server.get(
    '/receipt/:txid',
    { schema: mempoolContractRoutes['GET /receipt/:txid'] },
    async (req) => receiptJson(machine, req.params.txid.toLowerCase()),
  );
}

/** The node's level-3 REST routes. */
export function registerContractRoutes(server: Server, machine: EvmMachine): void {
  const blockGasLimit = machine.spec.blockGasLimit;

  server.get('/receipt/:txid', { schema: S['GET /receipt/:txid'] }, async (req) =>
    receiptJson(machine, req.params.txid.toLowerCase()),
  );

  server.get('/code/:address', { schema: S['GET /code/:address'] }, async (req) => {
    const address = addressParam(req.params.address);
    return { address, code: machine.code(address) };
  });

  server.get(
    '/storage/:address/:slot',
    { schema: S['GET /storage/:address/:slot'] },
    async (req) => {
      const address = addressParam(req.params.address);
      let slot: bigint;
      try {
        slot = parseSlot(req.params.slot);
      } catch (e) {
        throw new HttpError(400, 'INVALID_SLOT', (e as Error).message);
      }
      return {
        address,
        slot: '0x' + slot.toString(16).padStart(64, '0'),
        value: machine.storage(address, slot),
      };
    },
  );

  // A read-only call at the tip (eth_call): no tx, no fee, nothing changes. A revert is an
  // answer (status 0 with the revert data and reason), not an HTTP error.
  server.post('/call', { schema: S['POST /call'] }, async (req) => {
    const body = req.body;
    // The call as eth_estimateGas sees it (without a gas limit), then the limit of this call.
    const request: CallRequest = {
      to: body.to === null ? null : addressParam(body.to, 'to'),
      data: body.data.toLowerCase(),
    };
    if (body.from !== undefined) request.from = addressParam(body.from, 'from');
    if (body.value !== undefined) request.value = BigInt(body.value);
    let gasLimit: bigint | undefined;
    if (body.gasLimit !== undefined) {
      gasLimit = BigInt(body.gasLimit);
      if (gasLimit > blockGasLimit)
        throw new HttpError(
          400,
          'GAS_LIMIT',
          `gasLimit ${gasLimit} is above the block gas limit ${blockGasLimit}`,
        );
    }
    let result;
    try {
      result = machine.call(request.to, request.data, request.from, {
        ...(request.value !== undefined ? { value: request.value } : {}),
        ...(gasLimit !== undefined ? { gasLimit } : {}),
      });
    } catch (e) {
      if (isRuleError(e)) throw new HttpError(400, e.code, e.message);
      throw e;
    }
    // What a tx doing the same needs: the smallest gasLimit that succeeds (null if none does).
    let gasEstimate: string | null = null;
    if (result.status === 1) {
      try {
        gasEstimate = machine.estimateGas(request).toString();
      } catch (e) {
        if (!isRuleError(e)) throw e;
      }
    }
    return {
      status: result.status,
      result: result.returnData,
      gasUsed: result.gasUsed.toString(),
      gasEstimate,
      logs: result.logs,
      ...(result.contractAddress !== undefined ? { contractAddress: result.contractAddress } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.revertReason !== undefined ? { revertReason: result.revertReason } : {}),
    };
  });
}
