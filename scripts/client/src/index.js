// Healthchain polkadot-js client: connect, sign and wait, decode module errors, and small
// helpers per pallet. Metadata only: no custom type definitions.
//
//   import { connect, dev, providers, records, consent, claims, council } from 'healthchain-client';
//   const api = await connect('ws://127.0.0.1:9944');
//   const r = await consent.grant(api, dev.dave, dev.bob.address, ['Clinical'], ['Treatment']);
//   if (!r.ok) console.log(r.error.name); // e.g. 'CannotTargetSelf'

import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** Scope bits (healthchain-primitives `Scope`). */
export const SCOPES = {
  Clinical: 1, Labs: 2, Imaging: 4, Medications: 8, MentalHealth: 16, Genomics: 32, Billing: 64,
};
/** Purpose bits (healthchain-primitives `Purpose`). */
export const PURPOSES = { Treatment: 1, Payment: 2, Operations: 4, Research: 8 };
/** Role bits (healthchain-primitives `Role`). */
export const ROLES = { Hospital: 1, Clinic: 2, Lab: 4, Pharmacy: 8, Insurer: 16, Emergency: 32 };

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
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 7373 });
  const names = ['alice', 'bob', 'charlie', 'dave', 'eve', 'ferdie'];
  return Object.fromEntries(names.map((n) => [n,
    keyring.addFromUri(`//${n[0].toUpperCase()}${n.slice(1)}`, { name: n })]));
}

/** A fresh sr25519 account from a seed phrase or URI (e.g. `//Org/1`). */
export function account(uri) {
  return new Keyring({ type: 'sr25519', ss58Format: 7373 }).addFromUri(uri);
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

export const providers = {
  /** Apply as an organisation: roles by name, a credential digest, an expiry block. */
  register: (api, signer, roles, credentialDigest, expiresAt) =>
    send(api, api.tx.providers.register(bits(ROLES, roles), credentialDigest, expiresAt), signer),
  status: async (api, who) => {
    const p = await api.query.providers.providers(who);
    return p.isSome ? p.unwrap().status.type : null;
  },
};

export const records = {
  anchor: (api, signer, recordId, subject, digest, kind = 0) =>
    send(api, api.tx.records.anchor(recordId, subject, digest, kind), signer),
  amend: (api, signer, recordId, digest) => send(api, api.tx.records.amend(recordId, digest), signer),
  retract: (api, signer, recordId, reason = 'EnteredInError') =>
    send(api, api.tx.records.retract(recordId, reason), signer),
  anchorBatch: (api, signer, root, leafCount) =>
    send(api, api.tx.records.anchorBatch(root, leafCount), signer),
  /** `{ status: 'valid' | 'superseded' | 'retracted' | 'unknown', version?, latest? }` */
  verify: (api, recordId, digest) => rpc(api, 'records_verify', [recordId, digest]),
  verifyInclusion: (api, batchId, leaf, leafIndex, proof) =>
    rpc(api, 'records_verifyInclusion', [batchId, leaf, leafIndex, proof]),
};

export const consent = {
  /** Grant by scope and purpose names; `expiresAt` null = the maximum duration. */
  grant: (api, patient, grantee, scopes, purposes, expiresAt = null, consentDigest = null) =>
    send(api, api.tx.consent.grant(grantee, bits(SCOPES, scopes), bits(PURPOSES, purposes),
      expiresAt, consentDigest), patient),
  revoke: (api, patient, grantee) => send(api, api.tx.consent.revoke(grantee), patient),
  logAccess: (api, provider, patient, recordId, scope, purpose) =>
    send(api, api.tx.consent.logAccess(patient, recordId, scope, purpose), provider),
  breakGlass: (api, provider, patient, reason = 'PatientUnableToConsent') =>
    send(api, api.tx.consent.breakGlass(patient, reason), provider),
  hasAccess: (api, patient, grantee, scope, purpose) =>
    rpc(api, 'consent_hasAccess', [patient, grantee, scope, purpose]),
  accessBasis: (api, patient, grantee, scope, purpose) =>
    rpc(api, 'consent_accessBasis', [patient, grantee, scope, purpose]),
  grantsOf: (api, patient) => rpc(api, 'consent_grantsOf', [patient]),
};

export const claims = {
  submit: (api, provider, insurer, patient, claimDigest, amount, recordIds) =>
    send(api, api.tx.claims.submit(insurer, patient, claimDigest, amount, recordIds), provider),
  /** `decision`: 'Approve' | { Partial: amount } | { Deny: reasonCode } */
  adjudicate: (api, insurer, claimId, decision) =>
    send(api, api.tx.claims.adjudicate(claimId, decision), insurer),
  settle: (api, signer, claimId) => send(api, api.tx.claims.settle(claimId), signer),
  dispute: (api, provider, claimId, reasonDigest) =>
    send(api, api.tx.claims.dispute(claimId, reasonDigest), provider),
  withdraw: (api, provider, claimId) => send(api, api.tx.claims.withdraw(claimId), provider),
  get: (api, claimId) => rpc(api, 'claims_get', [claimId]),
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
