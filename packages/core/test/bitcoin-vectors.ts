// Real Bitcoin mainnet headers: if our header encoding and hashing are Bitcoin's, these
// hash to their known block hashes and meet their targets.
import type { Header } from '../src/types.js';

export const BITCOIN_HEADERS: { height: number; hash: string; header: Header }[] = [
  {
    height: 0,
    hash: '0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    header: {
      version: 1,
      prevHash: '0x' + '0'.repeat(64),
      merkleRoot: '0x4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      time: 1231006505,
      bits: 0x1d00ffff,
      nonce: 2083236893,
    },
  },
  {
    height: 1,
    hash: '0x00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048',
    header: {
      version: 1,
      prevHash: '0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
      merkleRoot: '0x0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098',
      time: 1231469665,
      bits: 0x1d00ffff,
      nonce: 2573394689,
    },
  },
  {
    height: 2,
    hash: '0x000000006a625f06636b8bb6ac7b960a8d03705d1ace08b1a19da3fdcc99ddbd',
    header: {
      version: 1,
      prevHash: '0x00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048',
      merkleRoot: '0x9b0fc92260312ce44e74ef369f5c66bbb85848f2eddd5a7a1cde251e54ccfdd5',
      time: 1231469744,
      bits: 0x1d00ffff,
      nonce: 1639830024,
    },
  },
  {
    height: 170,
    hash: '0x00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee',
    header: {
      version: 1,
      prevHash: '0x000000002a22cfee1f2c846adbd12b3e183d4f97683f85dad08a79780a84bd55',
      merkleRoot: '0x7dac2c5666815c17a3b36427de37bb9d2e2c5ccec3f8633eb91a4205cb4c10ff',
      time: 1231731025,
      bits: 0x1d00ffff,
      nonce: 1889418792,
    },
  },
  {
    height: 100000,
    hash: '0x000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506',
    header: {
      version: 1,
      prevHash: '0x000000000002d01c1fccc21636b607dfd930d31d01c3a62104612a1719011250',
      merkleRoot: '0xf3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766',
      time: 1293623863,
      bits: 0x1b04864c,
      nonce: 274148111,
    },
  },
];

/** Block 170: the first bitcoin transaction (Satoshi to Hal Finney), txids in display form. */
export const BLOCK_170_TXIDS = [
  '0xb1fea52486ce0c62bb442b530a3f0132b826c74e473d1f2c220bfa78111c5082',
  '0xf4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16',
];
