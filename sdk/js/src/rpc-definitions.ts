// The node's own JSON-RPC methods (node/src/rpc/records.rs, consent.rs, claims.rs) as
// polkadot-js RPC definitions. `connect` registers them (`api.rpc.records.verify(...)`), and
// `scripts/generate.mjs` feeds them to @polkadot/typegen, so `src/interfaces/augment-api-rpc.ts`
// types them. Scalar and list answers have their codec types (`bool`, `Vec<AccountId>`,
// `Vec<u64>`); the node's JSON objects are `Json` (lists of them `Vec<Json>`, nullable ones
// `Option<Json>`). `src/pallets.ts` wraps each method in a typed function answering the plain
// JSON with its exact TypeScript shape (`records.verify(api, ...)` -> `RecordVerification`).
//
// This module has no runtime imports: the generator transpiles it on its own.

import type { DefinitionsRpc } from '@polkadot/types/types';

/** The optional trailing block hash of every Healthchain RPC (default: the finalized block). */
const at = { name: 'at', type: 'BlockHash', isHistoric: true, isOptional: true } as const;

/**
 * RPC definitions of the `records_*`, `consent_*` and `claims_*` methods, by section. Param
 * names and order are the node's; the JSON shapes are documented on the typed wrappers.
 */
export const rpcDefinitions: Record<'records' | 'consent' | 'claims', DefinitionsRpc> = {
  records: {
    verify: {
      description: 'Whether a digest is the current content of a record: {status: valid|superseded|retracted|unknown, version?, latest?}',
      params: [{ name: 'recordId', type: 'H256' }, { name: 'digest', type: 'H256' }, at],
      type: 'Json',
    },
    verifyInclusion: {
      description: 'Whether a leaf is leaf `leafIndex` of Merkle batch `batchId` given the sibling hashes',
      params: [
        { name: 'batchId', type: 'u64' }, { name: 'leaf', type: 'H256' },
        { name: 'leafIndex', type: 'u32' }, { name: 'proof', type: 'Vec<H256>' }, at,
      ],
      type: 'bool',
    },
    get: {
      description: "A record's anchor and latest version, or null",
      params: [{ name: 'recordId', type: 'H256' }, at],
      type: 'Option<Json>',
    },
    history: {
      description: 'Every version of a record, oldest first',
      params: [{ name: 'recordId', type: 'H256' }, at],
      type: 'Vec<Json>',
    },
    batch: {
      description: 'A Merkle batch, or null',
      params: [{ name: 'batchId', type: 'u64' }, at],
      type: 'Option<Json>',
    },
  },
  consent: {
    hasAccess: {
      description: "Whether `grantee` may access `patient`'s data in `scope` for `purpose` (names, lowerCamel)",
      params: [
        { name: 'patient', type: 'AccountId' }, { name: 'grantee', type: 'AccountId' },
        { name: 'scope', type: 'Text' }, { name: 'purpose', type: 'Text' }, at,
      ],
      type: 'bool',
    },
    accessBasis: {
      description: 'On which basis an access is covered, or why not',
      params: [
        { name: 'patient', type: 'AccountId' }, { name: 'grantee', type: 'AccountId' },
        { name: 'scope', type: 'Text' }, { name: 'purpose', type: 'Text' }, at,
      ],
      type: 'Json',
    },
    recordAccess: {
      description: "Whether `accessor` may access record `recordId` for `purpose` (the record's own scope)",
      params: [
        { name: 'accessor', type: 'AccountId' }, { name: 'recordId', type: 'H256' },
        { name: 'purpose', type: 'Text' }, at,
      ],
      type: 'Json',
    },
    grantsOf: {
      description: "The patient's grants",
      params: [{ name: 'patient', type: 'AccountId' }, at],
      type: 'Vec<Json>',
    },
    guardiansOf: {
      description: "The patient's guardians",
      params: [{ name: 'patient', type: 'AccountId' }, at],
      type: 'Vec<AccountId>',
    },
    breakGlass: {
      description: 'A break-glass access, or null',
      params: [{ name: 'id', type: 'u64' }, at],
      type: 'Option<Json>',
    },
    breakGlassTally: {
      description: "A provider's break-glass tally",
      params: [{ name: 'provider', type: 'AccountId' }, at],
      type: 'Json',
    },
  },
  claims: {
    get: {
      description: 'A claim and its status, or null',
      params: [{ name: 'claimId', type: 'u64' }, at],
      type: 'Option<Json>',
    },
    of: {
      description: 'A page of the claim ids an account submitted or received (after `after`, at most `limit`, cap 100)',
      params: [
        { name: 'who', type: 'AccountId' }, { name: 'after', type: 'Option<u64>' },
        { name: 'limit', type: 'Option<u32>' }, at,
      ],
      type: 'Vec<u64>',
    },
  },
};
