// @chainlab/evm — level 3 (contracts): the EVM state machine core's Chain drives, block
// templates that commit to the post-state, receipts, and the Solidity/ABI helpers the
// wallet uses. Rules: docs/protocol.md §11.
export * from './types.js';
export {
  EvmMachine,
  parseSlot,
  toExecTx,
  type EvmMachineOptions,
  type EvmConnectResult,
  type ReceiptLocation,
  type BlockExecInfo,
} from './machine.js';
export {
  evmBlockTemplate,
  buildBlockPayload,
  type EvmTemplate,
  type EvmTemplateOptions,
  type BlockPayload,
} from './template.js';
export { EvmWorker, EvmWorkerError } from './bridge.js';
export { receiptToJson, receiptFromJson } from './receipt.js';
export { decodeRevertReason } from './revert.js';
export {
  compile,
  compileSource,
  solcVersion,
  CompileError,
  EVM_VERSION,
  type CompiledContract,
  type CompileOptions,
} from './compile.js';
export * from './abi.js';
