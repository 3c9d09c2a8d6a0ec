// Receipts on the wire (GET /receipt/:txid): amounts as decimal strings.
import type { Receipt, ReceiptJson } from './types.js';

export function receiptToJson(r: Receipt): ReceiptJson {
  const json: ReceiptJson = {
    txid: r.txid,
    status: r.status,
    gasUsed: r.gasUsed.toString(),
    cumulativeGasUsed: r.cumulativeGasUsed.toString(),
    fee: r.fee.toString(),
    ...(r.effectiveGasPrice !== undefined
      ? { effectiveGasPrice: r.effectiveGasPrice.toString() }
      : {}),
    logs: r.logs.map((l) => ({ address: l.address, topics: [...l.topics], data: l.data })),
    contractAddress: r.contractAddress,
  };
  if (r.error !== undefined) json.error = r.error;
  if (r.revertReason !== undefined) json.revertReason = r.revertReason;
  if (r.output !== undefined) json.output = r.output;
  return json;
}

export function receiptFromJson(j: ReceiptJson): Receipt {
  const r: Receipt = {
    txid: j.txid,
    status: j.status,
    gasUsed: BigInt(j.gasUsed),
    cumulativeGasUsed: BigInt(j.cumulativeGasUsed),
    fee: BigInt(j.fee),
    ...(j.effectiveGasPrice !== undefined
      ? { effectiveGasPrice: BigInt(j.effectiveGasPrice) }
      : {}),
    logs: j.logs,
    contractAddress: j.contractAddress,
  };
  if (j.error !== undefined) r.error = j.error;
  if (j.revertReason !== undefined) r.revertReason = j.revertReason;
  if (j.output !== undefined) r.output = j.output;
  return r;
}
