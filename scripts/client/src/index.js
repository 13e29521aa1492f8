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
import { compactAddLength, hexToU8a, stringToU8a, u8aConcat, u8aToHex, u8aToU8a } from '@polkadot/util';
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

/** The domain separator of a signed patient payload (pallet-consent `PATIENT_PAYLOAD_CONTEXT`). */
export const PATIENT_PAYLOAD_CONTEXT = 'healthchain/patient-call/v1';

/**
 * Patient calls signed by the patient's (or guardian's) own key, for accounts that hold no HLTH
 * (docs/fees.md). `action` is a `PatientAction`, e.g.
 *   { Grant: { grantee, scopes: bits(SCOPES, ['Labs']), purposes: bits(PURPOSES, ['Treatment']),
 *              expiresAt: null, consentDigest: null } }
 *   { Revoke: { grantee } } | { AddGuardian: { guardian } } | { RemoveGuardian: { guardian } }
 *   { GrantFor: { patient, grantee, scopes, purposes, expiresAt, consentDigest } }
 *   { RevokeFor: { patient, grantee } } | { CloseBreakGlass: { patient, provider } }
 *
 * - `sign` makes `{ payload, signature }` (nonce from `consent.patientNonces` unless given; valid
 *   for `validFor` blocks);
 * - `submitFeeless` sends it as a **fee-less general transaction** (no signer account, no fee;
 *   the chain's quota and per-block caps apply, withdrawals are never refused for quota);
 * - `relay` sends it in a signed transaction of `relayer`, who pays the fee (no quota);
 * - `send` = sign + submitFeeless.
 * Results are `send`-shaped: `{ ok, error, events, blockHash, blockNumber }`, `error` the decoded
 * error of the action (`PatientCallExecuted.result`). A refusal before inclusion rejects with an
 * Error whose `name` is the refusal's name (`FeelessQuotaExhausted`, `PayloadExpired`,
 * `PayloadNonceUsed`, `BadPayloadSignature`, `NothingToWithdraw`, ...).
 */
export const patient = {
  /** The SCALE bytes the key signs for `payload` (a `PatientPayload` value). */
  async message(api, payload) {
    const type = api.tx.consent.patientCall.meta.args[0].type.toString();
    const encoded = api.registry.createType(type, payload).toU8a();
    return u8aConcat(stringToU8a(PATIENT_PAYLOAD_CONTEXT), api.genesisHash.toU8a(), encoded);
  },

  /**
   * Sign `action` for `signer` (a keyring pair, or `{ address, signRaw }` as the browser
   * extension's signer: it signs the `<Bytes>`-wrapped message, which the chain accepts too).
   */
  async sign(api, signer, action, { nonce, validFor = 600 } = {}) {
    const address = signer.address;
    const next = nonce ?? (await api.query.consent.patientNonces(address)).toNumber();
    const now = (await api.rpc.chain.getHeader()).number.toNumber();
    const payload = { signer: address, nonce: next, validUntil: now + validFor, action };
    const message = await patient.message(api, payload);
    let signature;
    if (typeof signer.sign === 'function') {
      const kind = { sr25519: 'Sr25519', ed25519: 'Ed25519', ecdsa: 'Ecdsa' }[signer.type];
      if (!kind) throw new Error(`cannot sign a patient payload with a ${signer.type} key`);
      signature = { [kind]: u8aToHex(signer.sign(message)) };
    } else if (typeof signer.signRaw === 'function') {
      const { signature: sig } = await signer.signRaw({ address, data: u8aToHex(message), type: 'bytes' });
      const bytes = hexToU8a(sig);
      // The extension returns a MultiSignature (type byte first) for sr25519/ed25519 keys.
      signature = bytes.length === 65
        ? { [['Ed25519', 'Sr25519', 'Ecdsa'][bytes[0]]]: u8aToHex(bytes.subarray(1)) }
        : { Sr25519: sig };
    } else {
      throw new Error('the signer can neither sign nor signRaw');
    }
    return { payload, signature };
  },

  /** The call carrying a signed payload (to relay, batch or inspect). */
  call: (api, { payload, signature }) => api.tx.consent.patientCall(payload, signature),

  /**
   * The fee-less general transaction (extrinsic v5, no signer) of a signed payload, hex. The
   * transaction extensions' explicit data is each one's default (immortal era, nonce 0, no tip,
   * no metadata hash): read from the metadata, not hard-coded.
   */
  feelessExtrinsic(api, signed) {
    const call = patient.call(api, signed).method.toU8a();
    const { extrinsic } = api.registry.metadata;
    const explicit = (extrinsic.transactionExtensions ?? extrinsic.signedExtensions).map((ext) =>
      api.registry.createType(api.registry.createLookupType(ext.type)).toU8a());
    const body = u8aConcat(new Uint8Array([0x45, 0x00]), ...explicit, call);
    return u8aToHex(compactAddLength(body));
  },

  /**
   * Submit a signed payload fee-less and wait until it is in a block (or finalized). Rejects with
   * a named Error when the chain refuses it before inclusion.
   */
  async submitFeeless(api, signed, { finalized = false, timeoutMs = 120_000 } = {}) {
    const hex = patient.feelessExtrinsic(api, signed);
    const { signer, nonce } = signed.payload;
    const provider = api._rpcCore.provider;
    const blockHash = await withTimeout(new Promise((resolve, reject) => {
      let subId = null;
      const done = (f, v) => {
        if (subId !== null) provider.unsubscribe('author_extrinsicUpdate', 'author_unwatchExtrinsic', subId).catch(() => {});
        f(v);
      };
      provider.subscribe('author_extrinsicUpdate', 'author_submitAndWatchExtrinsic', [hex], (err, status) => {
        if (err) { done(reject, err); return; }
        if (status && typeof status === 'object') {
          const hash = finalized ? status.finalized : (status.inBlock ?? status.finalized);
          if (hash) done(resolve, hash);
          else if (status.dropped !== undefined || status.invalid !== undefined || status.usurped) {
            done(reject, new Error(`fee-less transaction ${Object.keys(status)[0]}`));
          }
        } else if (status === 'dropped' || status === 'invalid') {
          done(reject, new Error(`fee-less transaction ${status}`));
        }
      }).then((id) => { subId = id; }, (e) => reject(feelessRefusal(api, e)));
    }), timeoutMs, `fee-less patient call of ${signer} (nonce ${nonce})`);
    return patientCallResult(api, blockHash, signer, nonce);
  },

  /** Sign and submit fee-less in one step. */
  async send(api, signer, action, opts = {}) {
    return patient.submitFeeless(api, await patient.sign(api, signer, action, opts), opts);
  },

  /** Relay a signed payload in `relayer`'s own transaction (the relayer pays the fee). */
  async relay(api, relayer, signed, opts) {
    const r = await send(api, patient.call(api, signed), relayer, opts);
    if (!r.ok) return r;
    return patientCallResult(api, r.blockHash, signed.payload.signer, signed.payload.nonce);
  },

  /** The signer's fee-less use: `{ used, quota, periodStart }` (`used` of the current period). */
  async quota(api, address) {
    const [use, now] = await Promise.all([api.query.consent.feelessUsage(address),
      api.rpc.chain.getHeader()]);
    const period = api.consts.consent.feelessPeriod.toNumber();
    const start = now.number.toNumber() + 1 - ((now.number.toNumber() + 1) % period);
    const periodStart = use.periodStart.toNumber();
    return { used: periodStart === start ? use.used.toNumber() : 0,
      quota: api.consts.consent.feelessQuota.toNumber(), periodStart: start };
  },
};

/** The named Error for an RPC refusal of a fee-less transaction. */
function feelessRefusal(api, e) {
  const text = `${e?.message ?? e} ${e?.data ?? ''}`;
  const custom = /Custom error: (\d+)/.exec(text);
  let name = null;
  if (custom) {
    const code = Number(custom[1]);
    const names = api.consts.consent.feelessRefusals.toJSON();
    const hit = names.find(([c]) => c === code);
    name = hit ? new TextDecoder().decode(hexToU8a(hit[1])) : `Custom${code}`;
  } else if (/outdated|Stale/i.test(text)) name = 'PayloadNonceUsed';
  else if (/bad signature|BadProof/i.test(text)) name = 'BadPayloadSignature';
  else if (/exhaust the block limits/i.test(text)) name = 'BlockFull';
  else if (/in the future/i.test(text)) name = 'PayloadNonceTooHigh';
  const err = new Error(name ? `${name}: ${text.trim()}` : text.trim());
  err.name = name ?? 'FeelessRefused';
  return err;
}

/** `send`-shaped result of the patient call of (`signer`, `nonce`) in block `blockHash`. */
async function patientCallResult(api, blockHash, signer, nonce) {
  const [records, header] = await Promise.all([
    (await api.at(blockHash)).query.system.events(), api.rpc.chain.getHeader(blockHash)]);
  const target = decodeAddress(signer);
  const mine = records.find(({ event }) => api.events.consent.PatientCallExecuted.is(event)
    && u8aToHex(event.data.signer.toU8a()) === u8aToHex(target) && event.data.nonce.toNumber() === nonce);
  if (!mine) throw new Error(`no PatientCallExecuted for ${signer} nonce ${nonce} in ${blockHash}`);
  const index = mine.phase.asApplyExtrinsic.toNumber();
  const events = records.filter(({ phase }) => phase.isApplyExtrinsic
    && phase.asApplyExtrinsic.toNumber() === index).map(({ event }) => event);
  const result = mine.event.data.result;
  const error = result.isErr ? decodeError(api, result.asErr) : null;
  return { ok: !error, error, events, blockHash: blockHash.toString(),
    blockNumber: header.number.toNumber(), extrinsicIndex: index };
}

/** The proxy types of pallet-proxy in this runtime (runtime `ProxyType`). */
export const PROXY_TYPES = ['Any', 'Records', 'AccessLog', 'Claims', 'Governance'];

export const proxy = {
  /** `real` lets `delegate` act for it within `type` (a deposit is held from `real`). */
  add: (api, real, delegate, type, opts) =>
    send(api, api.tx.proxy.addProxy(delegate, type, 0), real, opts),
  remove: (api, real, delegate, type, opts) =>
    send(api, api.tx.proxy.removeProxy(delegate, type, 0), real, opts),
  /**
   * `delegate` submits `call` for `real` (the organisation): the call runs with `real`'s origin.
   * `error` is the inner call's decoded error (`proxy.ProxyExecuted.result`), or the proxy
   * pallet's own (e.g. `proxy.NotProxy`); a call outside the proxy type fails with
   * `system.CallFiltered`.
   */
  async send(api, delegate, real, call, type = null, opts) {
    const r = await send(api, api.tx.proxy.proxy(real, type, call), delegate, opts);
    if (!r.ok) return r;
    const exec = findEvent(r, 'proxy', 'ProxyExecuted');
    const inner = exec && exec.result.isErr ? decodeError(api, exec.result.asErr) : null;
    return { ...r, ok: !inner, error: inner };
  },
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
