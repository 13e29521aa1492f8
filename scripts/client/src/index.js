// Healthchain polkadot-js client: connect, sign and wait, decode module errors, and small
// helpers per pallet. Metadata only: no custom type definitions.
//
//   import { connect, dev, providers, records, consent, claims, council } from 'healthchain-client';
//   const api = await connect('ws://127.0.0.1:9944');
//   const r = await consent.grant(api, dev.dave, dev.bob.address, ['Clinical'], ['Treatment']);
//   if (!r.ok) console.log(r.error.name); // e.g. 'CannotTargetSelf'
//   const a = await records.anchor(api, dev.alice, localId, dev.dave.address, digest, 2, 'Labs');
//   a.recordId // the on-chain id, derived from the author: recordIdOf(dev.alice.address, localId)
//
// The node's records_*, consent_* and claims_* RPCs answer at the FINALIZED block unless a block
// hash is given: read them after `send(..., { finalized: true })` (every helper below takes the
// send options as its last argument), or poll with `waitFor`.

import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex, u8aToU8a } from '@polkadot/util';
import {
  base58Encode, blake2AsU8a, cryptoWaitReady, decodeAddress, ed25519PairFromSeed, ed25519Sign,
  encodeAddress,
} from '@polkadot/util-crypto';

/** Scope bits (healthchain-primitives `Scope`). */
export const SCOPES = {
  Clinical: 1, Labs: 2, Imaging: 4, Medications: 8, MentalHealth: 16, Genomics: 32, Billing: 64,
};
/** Purpose bits (healthchain-primitives `Purpose`). */
export const PURPOSES = { Treatment: 1, Payment: 2, Operations: 4, Research: 8 };
/** Role bits (healthchain-primitives `Role`). */
export const ROLES = { Hospital: 1, Clinic: 2, Lab: 4, Pharmacy: 8, Insurer: 16, Emergency: 32 };

/** The SS58 prefix of Healthchain addresses. */
export const SS58_PREFIX = 7373;

/** The domain tag of record ids (pallet-records `RECORD_ID_DOMAIN`). */
export const RECORD_ID_DOMAIN = 'healthchain/record';

/**
 * The on-chain id of the record `author` (an address or a 32-byte public key) anchors under its
 * own `localId` (32 bytes, hex or Uint8Array): blake2-256 of "healthchain/record", the author's
 * account id and `localId`, as pallet-records' `record_id_of`. Hex.
 */
export function recordIdOf(author, localId) {
  const local = u8aToU8a(localId);
  if (local.length !== 32) throw new Error(`localId must be 32 bytes, got ${local.length}`);
  return u8aToHex(blake2AsU8a(u8aConcat(stringToU8a(RECORD_ID_DOMAIN), decodeAddress(author), local), 256));
}

/**
 * The consortium treasury's account (`PalletId(*b"hc/trsry").into_account_truncating()`): every
 * transaction fee and tip goes there. SS58 address.
 */
export function treasuryAddress() {
  return encodeAddress(u8aConcat(stringToU8a('modl'), stringToU8a('hc/trsry'), new Uint8Array(20)),
    SS58_PREFIX);
}

/** Check a record scope name (a record has exactly one, e.g. 'Labs'); returns it. */
export function scopeName(scope) {
  if (typeof scope !== 'string' || !(scope in SCOPES)) {
    throw new Error(`unknown scope '${scope}'; valid: ${Object.keys(SCOPES).join(', ')}`);
  }
  return scope;
}

/** A bit set from names: `bits(SCOPES, ['Clinical', 'Labs'])` → 3. */
export function bits(table, names) {
  return names.reduce((acc, n) => {
    if (!(n in table)) throw new Error(`unknown name '${n}'; valid: ${Object.keys(table).join(', ')}`);
    return acc | table[n];
  }, 0);
}

/** Connect and wait until the metadata is loaded. `timeoutMs` bounds the wait. */
export async function connect(url, { timeoutMs = 60_000 } = {}) {
  await cryptoWaitReady();
  const provider = new WsProvider(url, 1_000, {}, timeoutMs);
  const api = await withTimeout(ApiPromise.create({ provider, noInitWarn: true }), timeoutMs,
    `connecting to ${url}`);
  return api;
}

/** The well-known development accounts (sr25519, `//Alice` ...). */
export function devAccounts() {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_PREFIX });
  const names = ['alice', 'bob', 'charlie', 'dave', 'eve', 'ferdie'];
  return Object.fromEntries(names.map((n) => [n,
    keyring.addFromUri(`//${n[0].toUpperCase()}${n.slice(1)}`, { name: n })]));
}

/** A fresh sr25519 account from a seed phrase or URI (e.g. `//Org/1`). */
export function account(uri) {
  return new Keyring({ type: 'sr25519', ss58Format: SS58_PREFIX }).addFromUri(uri);
}

/**
 * Decode a `DispatchError` into `{ section, name, docs, message }`. Module errors get their
 * pallet and variant names and doc text from the metadata; other errors (BadOrigin, Token,
 * Arithmetic ...) their kind.
 */
export function decodeError(api, dispatchError) {
  if (dispatchError.isModule) {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    const docs = meta.docs.join(' ').trim();
    return { section: meta.section, name: meta.name, docs,
      message: `${meta.section}.${meta.name}${docs ? `: ${docs}` : ''}` };
  }
  const kind = dispatchError.type;
  const inner = dispatchError[`as${kind}`];
  const name = inner && inner.type ? `${kind}.${inner.type}` : kind;
  return { section: 'system', name, docs: '', message: name };
}

/**
 * Sign `tx` with `signer`, submit, wait until it is in a block (or finalized with
 * `{ finalized: true }`), and return `{ ok, error, events, blockHash, blockNumber }`. `error`
 * is the decoded dispatch error when the extrinsic failed (it is still in the block: the fee was
 * paid, the nonce advanced, its state changes were reverted). A pool rejection (bad signature,
 * no funds for the fee, an invalid transaction) rejects the promise.
 */
export async function send(api, tx, signer, { finalized = false, timeoutMs = 120_000 } = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    let unsub = () => {};
    tx.signAndSend(signer, { nonce: -1 }, (result) => {
      const { status, events, dispatchError } = result;
      if (result.isError) {
        unsub();
        reject(new Error(`transaction ${status.type}`));
        return;
      }
      const done = finalized ? status.isFinalized : (status.isInBlock || status.isFinalized);
      if (!done) return;
      unsub();
      const blockHash = status.isFinalized ? status.asFinalized : status.asInBlock;
      const error = dispatchError ? decodeError(api, dispatchError) : null;
      api.rpc.chain.getHeader(blockHash).then((h) => resolve({
        ok: !error,
        error,
        events: events.map(({ event }) => event),
        blockHash: blockHash.toHex(),
        blockNumber: h.number.toNumber(),
      }), reject);
    }).then((u) => { unsub = u; }, reject);
  }), timeoutMs, `extrinsic ${tx.method.section}.${tx.method.method}`);
}

/**
 * Poll `fn` every `intervalMs` until it returns a truthy value (returned), or throw after
 * `timeoutMs` naming `what`.
 */
export async function waitFor(what, fn, timeoutMs, intervalMs = 500) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The first event `section.method` in `result.events`, as `{ name: value }` data. */
export function findEvent(result, section, method) {
  const e = result.events.find((ev) => ev.section === section && ev.method === method);
  if (!e) return null;
  const names = e.meta.fields.map((f) => f.name.unwrapOr(null)?.toString());
  return Object.fromEntries(e.data.map((v, i) => [camel(names[i] ?? String(i)), v]));
}

/** Call a Healthchain JSON-RPC method (`records_verify`, `consent_hasAccess`, ...). */
export function rpc(api, method, params = []) {
  return api._rpcCore.provider.send(method, params);
}

/** Free and reserved balance of `address` as BigInts. */
export async function balance(api, address, at) {
  const q = at ? await api.at(at) : api;
  const { data } = await q.query.system.account(address);
  return { free: data.free.toBigInt(), reserved: data.reserved.toBigInt() };
}

// ---- per pallet ----

/** The domain separator of a node-ownership proof (pallet-providers `NODE_PROOF_CONTEXT`). */
export const NODE_PROOF_CONTEXT = 'healthchain/node-ownership/v1';

export const providers = {
  /**
   * The proof that `account` controls the node whose libp2p key is `nodeKeyHex` (the 32-byte
   * secret of `--node-key`), for the chain with `genesisHash`: `{ peerId, signature }` as
   * `setNodes` takes it (a `NodeProof`), plus `peerIdBase58` as the node prints it. The same as
   * `healthchain-node node-proof`.
   */
  nodeProof(nodeKeyHex, account, genesisHash) {
    const pair = ed25519PairFromSeed(hexToU8a(nodeKeyHex));
    const peerId = u8aConcat(new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]), pair.publicKey);
    const message = u8aConcat(stringToU8a(NODE_PROOF_CONTEXT), hexToU8a(genesisHash),
      decodeAddress(account));
    return {
      peerId: u8aToHex(peerId),
      signature: u8aToHex(ed25519Sign(message, pair)),
      peerIdBase58: base58Encode(peerId),
    };
  },
  /** List the signer's nodes: `proofs` from `nodeProof` (or `healthchain-node node-proof`). */
  setNodes: (api, signer, proofs, opts) => send(api,
    api.tx.providers.setNodes(proofs.map(({ peerId, signature }) => ({ peerId, signature }))),
    signer, opts),
  /** Apply as an organisation: roles by name, a credential digest, an expiry block. */
  register: (api, signer, roles, credentialDigest, expiresAt) =>
    send(api, api.tx.providers.register(bits(ROLES, roles), credentialDigest, expiresAt), signer),
  status: async (api, who) => {
    const p = await api.query.providers.providers(who);
    return p.isSome ? p.unwrap().status.type : null;
  },
};

export const records = {
  /**
   * Anchor version 1 of a record under the signer's own `localId`, in category `scope` (one of
   * SCOPES' names, fixed for the record's life). Resolves to `send`'s result plus `recordId`, the
   * record's on-chain id (derived from the signer: `recordIdOf(signer.address, localId)`).
   */
  anchor: async (api, signer, localId, subject, digest, kind, scope, opts) => {
    const tx = api.tx.records.anchor(localId, subject, digest, kind, scopeName(scope));
    const result = await send(api, tx, signer, opts);
    return { ...result, recordId: recordIdOf(signer.address, localId) };
  },
  amend: (api, signer, recordId, digest, opts) =>
    send(api, api.tx.records.amend(recordId, digest), signer, opts),
  retract: (api, signer, recordId, reason = 'EnteredInError', opts) =>
    send(api, api.tx.records.retract(recordId, reason), signer, opts),
  anchorBatch: (api, signer, root, leafCount, opts) =>
    send(api, api.tx.records.anchorBatch(root, leafCount), signer, opts),
  /** Governance's retraction: the call to wrap in a council motion or `sudo`. */
  forceRetractCall: (api, recordId, reason = 'EnteredInError') =>
    api.tx.records.forceRetract(recordId, reason),
  /** `{ status: 'valid' | 'superseded' | 'retracted' | 'unknown', version?, latest? }` */
  verify: (api, recordId, digest, at) => rpc(api, 'records_verify', withAt([recordId, digest], at)),
  verifyInclusion: (api, batchId, leaf, leafIndex, proof, at) =>
    rpc(api, 'records_verifyInclusion', withAt([batchId, leaf, leafIndex, proof], at)),
  /** `null` | `{ recordId, subject, author, kind, scope, versions, createdAt, status, ... }` */
  get: (api, recordId, at) => rpc(api, 'records_get', withAt([recordId], at)),
};

export const consent = {
  /** Grant by scope and purpose names; `expiresAt` null = the maximum duration. */
  grant: (api, patient, grantee, scopes, purposes, expiresAt = null, consentDigest = null, opts) =>
    send(api, api.tx.consent.grant(grantee, bits(SCOPES, scopes), bits(PURPOSES, purposes),
      expiresAt, consentDigest), patient, opts),
  revoke: (api, patient, grantee, opts) => send(api, api.tx.consent.revoke(grantee), patient, opts),
  /**
   * Log an access to `recordId` (of `patient`) for `purpose`. The category checked is the
   * record's own scope, fixed when it was anchored; `AccessLogged` names it.
   */
  logAccess: (api, provider, patient, recordId, purpose, opts) =>
    send(api, api.tx.consent.logAccess(patient, recordId, purpose), provider, opts),
  breakGlass: (api, provider, patient, reason = 'PatientUnableToConsent', opts) =>
    send(api, api.tx.consent.breakGlass(patient, reason), provider, opts),
  /** Close `provider`'s open break-glass window on `patient`: by the patient or a guardian. */
  closeBreakGlass: (api, signer, patient, provider, opts) =>
    send(api, api.tx.consent.closeBreakGlass(patient, provider), signer, opts),
  hasAccess: (api, patient, grantee, scope, purpose, at) =>
    rpc(api, 'consent_hasAccess', withAt([patient, grantee, scope, purpose], at)),
  accessBasis: (api, patient, grantee, scope, purpose, at) =>
    rpc(api, 'consent_accessBasis', withAt([patient, grantee, scope, purpose], at)),
  /**
   * May `accessor` access record `recordId` for `purpose` (lowerCamel: 'treatment', ...)? What a
   * gateway asks before releasing a record: `{ allowed: true, basis, breakGlassId?, patient,
   * scope }` | `{ allowed: false, reason }` (reasons: unknownRecord, recordRetracted,
   * notActiveProvider, consentMissing, consentExpired, scopeNotGranted, purposeNotGranted).
   */
  recordAccess: (api, accessor, recordId, purpose, at) =>
    rpc(api, 'consent_recordAccess', withAt([accessor, recordId, purpose], at)),
  grantsOf: (api, patient, at) => rpc(api, 'consent_grantsOf', withAt([patient], at)),
  breakGlassInfo: (api, id, at) => rpc(api, 'consent_breakGlass', withAt([id], at)),
  breakGlassTally: (api, provider, at) => rpc(api, 'consent_breakGlassTally', withAt([provider], at)),
};

export const claims = {
  /**
   * Bill `insurer` for care to `patient`. Needs the patient's Billing/Payment grant to the
   * insurer and a care relationship: the patient's live Treatment grant to the provider covering
   * each record's scope (or the provider's open break-glass window), else `NoCareRelationship`.
   */
  submit: (api, provider, insurer, patient, claimDigest, amount, recordIds, opts) =>
    send(api, api.tx.claims.submit(insurer, patient, claimDigest, amount, recordIds), provider, opts),
  /** `decision`: 'Approve' | { Partial: amount } | { Deny: reasonCode } */
  adjudicate: (api, insurer, claimId, decision, opts) =>
    send(api, api.tx.claims.adjudicate(claimId, decision), insurer, opts),
  settle: (api, signer, claimId, opts) => send(api, api.tx.claims.settle(claimId), signer, opts),
  dispute: (api, provider, claimId, reasonDigest, opts) =>
    send(api, api.tx.claims.dispute(claimId, reasonDigest), provider, opts),
  withdraw: (api, provider, claimId, opts) =>
    send(api, api.tx.claims.withdraw(claimId), provider, opts),
  get: (api, claimId, at) => rpc(api, 'claims_get', withAt([claimId], at)),
};

export const council = {
  /**
   * Pass `call` as a council motion: `proposer` proposes with `threshold`, every account in
   * `ayes` votes aye (the proposer too, if listed), and `closer` closes. Returns the `close`
   * result and the `Executed` event's inner result (decoded error or null).
   */
  async motion(api, call, { proposer, ayes, closer = proposer, threshold = 2 }) {
    const length = call.method.encodedLength;
    const proposed = await send(api, api.tx.council.propose(threshold, call, length), proposer);
    if (!proposed.ok) return { ok: false, error: proposed.error };
    // A threshold below 2 executes at once (pallet-collective), without a vote.
    if (findEvent(proposed, 'council', 'Executed')) return executed(api, proposed);
    const { proposalIndex, proposalHash } = findEvent(proposed, 'council', 'Proposed');
    for (const member of ayes) {
      const v = await send(api, api.tx.council.vote(proposalHash, proposalIndex, true), member);
      if (!v.ok) return { ok: false, error: v.error };
    }
    const weight = (await api.call.transactionPaymentCallApi.queryCallInfo(call, length)).weight;
    const closed = await send(api,
      api.tx.council.close(proposalHash, proposalIndex, weight, length), closer);
    if (!closed.ok) return { ok: false, error: closed.error };
    return executed(api, closed);
  },
};

/** The outcome of a motion from the `council.Executed` event in `result`. */
function executed(api, result) {
  const exec = findEvent(result, 'council', 'Executed');
  if (!exec) return { ok: false, error: { name: 'NotExecuted', message: 'motion not executed' }, result };
  const inner = exec.result.isErr ? decodeError(api, exec.result.asErr) : null;
  return { ok: !inner, error: inner, result };
}

// ---- internals ----

/** RPC params with the optional block hash `at` appended when given. */
function withAt(params, at) {
  return at === undefined || at === null ? params : [...params, at];
}

function camel(s) {
  return s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}
