// Helpers per pallet (the names and argument orders of the former scripts/client): providers,
// records, consent, patient (fee-less), proxy, claims, council, validators. Every helper that
// sends takes the send options (`{ finalized, timeoutMs, onStatus }`) as its last argument.
//
// The node's records_*, consent_* and claims_* RPCs answer at the FINALIZED block unless a block
// hash is given: read them after `send(..., { finalized: true })`, or poll with `waitFor`.
// Storage reads (`providers.list`, `council.openMotions`, ...) answer at the best block.

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { Event } from '@polkadot/types/interfaces';
import type { SpWeightsWeightV2Weight } from '@polkadot/types/lookup';
import type { IMethod } from '@polkadot/types/types';
import { compactAddLength, hexToU8a, stringToU8a, u8aConcat, u8aToHex, u8aToU8a } from '@polkadot/util';
import {
  base58Encode, blake2AsU8a, decodeAddress, ed25519PairFromSeed, ed25519Sign, encodeAddress,
} from '@polkadot/util-crypto';
import { SS58_PREFIX } from './chain.js';
import { type DecodedError, decodeError, feelessRefusal } from './errors.js';
import {
  type BreakGlassReasonName, type ProxyTypeName, PURPOSES, type PurposeName, type RetractReasonName,
  type RoleName, ROLES, roleNames, type ScopeName, SCOPES, scopeName, type VerdictName, bits,
} from './names.js';
import { type HcSigner, isKeyringPair } from './signer.js';
import {
  type RawSigner, type SendOptions, type SendResult, findEvent, proxyOutcome, providerOf, rpc, send,
} from './tx.js';
import { type Hex, withAt, withTimeout } from './util.js';

// ---- ids and accounts ----

/** The domain tag of record ids (pallet-records `RECORD_ID_DOMAIN`). */
export const RECORD_ID_DOMAIN = 'healthchain/record';

/**
 * The on-chain id of the record `author` (an address or a 32-byte public key) anchors under its
 * own `localId` (32 bytes, hex or Uint8Array): blake2-256 of "healthchain/record", the author's
 * account id and `localId`, as pallet-records' `record_id_of`. Hex.
 */
export function recordIdOf(author: string | Uint8Array, localId: string | Uint8Array): Hex {
  const local = u8aToU8a(localId);
  if (local.length !== 32) throw new Error(`localId must be 32 bytes, got ${local.length}`);
  return u8aToHex(blake2AsU8a(u8aConcat(stringToU8a(RECORD_ID_DOMAIN), decodeAddress(author), local), 256)) as Hex;
}

/**
 * The consortium treasury's account (`PalletId(*b"hc/trsry").into_account_truncating()`): every
 * transaction fee and tip goes there. SS58 address (prefix 7373 unless given).
 */
export function treasuryAddress(prefix: number = SS58_PREFIX): string {
  return encodeAddress(u8aConcat(stringToU8a('modl'), stringToU8a('hc/trsry'), new Uint8Array(20)), prefix);
}

/** Two accounts are the same (any address format). */
function sameAccount(a: string, b: string): boolean {
  try {
    return u8aToHex(decodeAddress(a)) === u8aToHex(decodeAddress(b));
  } catch {
    return false;
  }
}

// ---- JSON shapes of the node's RPCs (node/src/rpc/*.rs) ----

/** `records_verify`: whether a digest is a record's current content. */
export type RecordVerification =
  | { status: 'valid'; version: number }
  | { status: 'superseded'; version: number; latest: number }
  | { status: 'retracted' }
  | { status: 'unknown' };

/** `records_get`: a record's anchor and latest version (accounts SS58, hashes hex). */
export interface RecordInfo {
  /** The record id. */
  recordId: Hex;
  /** The patient. */
  subject: string;
  /** The authoring organisation. */
  author: string;
  /** Resource kind code. */
  kind: number;
  /** The record's category, lowerCamel (`labs`, `mentalHealth`), fixed at anchoring. */
  scope: string;
  /** Number of versions. */
  versions: number;
  /** Block of version 1. */
  createdAt: number;
  /** `active` or `retracted`. */
  status: 'active' | 'retracted';
  /** The retraction (`reason` lowerCamel, e.g. `patientRequest`), if any. */
  retraction: { reason: string; at: number } | null;
  /** The latest version. */
  latest: { digest: Hex; author: string; at: number };
}

/** `records_history`: one version. */
export interface RecordVersionInfo {
  /** Version number, from 1. */
  version: number;
  /** The salted digest. */
  digest: Hex;
  /** Who anchored it. */
  author: string;
  /** Block number. */
  at: number;
}

/** `records_batch`: a Merkle batch. */
export interface BatchInfo {
  /** Batch id. */
  batchId: number;
  /** Merkle root. */
  root: Hex;
  /** Number of leaves. */
  leafCount: number;
  /** Who anchored it. */
  author: string;
  /** Block number. */
  at: number;
}

/** Why the access rule refuses (lowerCamel of pallet-consent `AccessDenial`). */
export type AccessDenialReason =
  | 'consentMissing' | 'consentExpired' | 'scopeNotGranted' | 'purposeNotGranted' | 'unknownRecord'
  | 'recordNotOfPatient' | 'recordRetracted' | 'notActiveProvider';

/** `consent_accessBasis`: on which basis an access is covered, or why not. */
export type AccessAnswer =
  | { allowed: true; basis: 'consent' }
  | { allowed: true; basis: 'breakGlass'; breakGlassId: number }
  | { allowed: false; reason: AccessDenialReason };

/** `consent_recordAccess`: as {@link AccessAnswer}, plus the record's patient and scope when allowed. */
export type RecordAccessAnswer =
  | ({ allowed: true; basis: 'consent' } & { patient: string; scope: string })
  | ({ allowed: true; basis: 'breakGlass'; breakGlassId: number } & { patient: string; scope: string })
  | { allowed: false; reason: AccessDenialReason };

/** `consent_grantsOf`: one grant of a patient. */
export interface GrantInfo {
  /** Who may access. */
  grantee: string;
  /** Scope names, lowerCamel. */
  scopes: string[];
  /** Purpose names, lowerCamel. */
  purposes: string[];
  /** Block granted (or last updated) at. */
  grantedAt: number;
  /** First block without access. */
  expiresAt: number;
  /** The patient or the guardian who granted. */
  grantedBy: string;
  /** Digest of the off-chain FHIR Consent, if any. */
  consentDigest: Hex | null;
  /** Whether the grant is in force at the queried block. */
  live: boolean;
}

/** `consent_breakGlass`: a break-glass window. */
export interface BreakGlassInfo {
  /** Id. */
  id: number;
  /** The patient. */
  patient: string;
  /** The emergency provider. */
  provider: string;
  /** `patientUnableToConsent`, `lifeThreatening`, `publicHealthEmergency` or `other`. */
  reason: string;
  /** Opening block. */
  openedAt: number;
  /** First block the window is closed. */
  expiresAt: number;
  /** Whether the window is open at the queried block. */
  open: boolean;
  /** `pending`, `justified` or `unjustified`. */
  review: 'pending' | 'justified' | 'unjustified';
}

/** `consent_breakGlassTally`: a provider's break-glass counts. */
export interface BreakGlassTallyInfo {
  /** Windows opened. */
  opened: number;
  /** Reviewed as justified. */
  justified: number;
  /** Reviewed as unjustified. */
  unjustified: number;
}

/** `claims_get`'s status (amounts are decimal strings in plancks). */
export type ClaimStatusInfo =
  | { state: 'submitted' }
  | { state: 'approved'; approved: string; at: number }
  | { state: 'denied'; reason: number; at: number }
  | { state: 'settled'; paid: string; adjudicatedAt: number }
  | { state: 'disputed'; paid: string; reason: Hex; at: number }
  | { state: 'resolved'; paid: string; award: string; at: number }
  | { state: 'withdrawn'; at: number };

/** `claims_get`: a claim (amounts are decimal strings in plancks, 12 decimals). */
export interface ClaimInfo {
  /** Claim id. */
  id: number;
  /** Submitting provider. */
  provider: string;
  /** Paying insurer. */
  insurer: string;
  /** Patient. */
  patient: string;
  /** Digest of the off-chain FHIR Claim. */
  digest: Hex;
  /** Claimed amount (plancks, decimal string). */
  amount: string;
  /** Supporting record ids. */
  records: Hex[];
  /** Submission block. */
  submittedAt: number;
  /** Lifecycle state. */
  status: ClaimStatusInfo;
}

// ---- providers ----

/** The domain separator of a node-ownership proof (pallet-providers `NODE_PROOF_CONTEXT`). */
export const NODE_PROOF_CONTEXT = 'healthchain/node-ownership/v1';

/** A node-ownership proof as `providers.setNodes` takes it, plus the peer id as the node prints it. */
export interface NodeProof {
  /** The libp2p peer id (protobuf-encoded ed25519 public key), hex. */
  peerId: Hex;
  /** The node key's signature over the context, the genesis hash and the account, hex. */
  signature: Hex;
  /** The peer id in base58 (`12D3KooW...`). */
  peerIdBase58: string;
}

/** A provider organisation as the registry stores it. */
export interface ProviderInfo {
  /** The organisation's account. */
  account: string;
  /** `Pending`, `Active`, `Suspended` or `Revoked`. */
  status: string;
  /** Role names. */
  roles: RoleName[];
  /** The role bit set. */
  roleBits: number;
  /** Digest of the credential documents. */
  credentialDigest: Hex;
  /** Block the credential lapses at. */
  credentialExpiresAt: number;
  /** The deposit held, in plancks. */
  deposit: bigint;
  /** Registration block. */
  registeredAt: number;
}

/** The provider registry (pallet-providers). */
export const providers = {
  /**
   * The proof that `account` controls the node whose libp2p key is `nodeKeyHex` (the 32-byte
   * secret of `--node-key`), for the chain with `genesisHash`: `{ peerId, signature }` as
   * `setNodes` takes it (a `NodeProof`), plus `peerIdBase58` as the node prints it. The same as
   * `healthchain-node node-proof`.
   */
  nodeProof(nodeKeyHex: string, account: string, genesisHash: string): NodeProof {
    const pair = ed25519PairFromSeed(hexToU8a(nodeKeyHex));
    const peerId = u8aConcat(new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]), pair.publicKey);
    const message = u8aConcat(stringToU8a(NODE_PROOF_CONTEXT), hexToU8a(genesisHash), decodeAddress(account));
    return {
      peerId: u8aToHex(peerId) as Hex,
      signature: u8aToHex(ed25519Sign(message, pair)) as Hex,
      peerIdBase58: base58Encode(peerId),
    };
  },
  /** List the signer's nodes: `proofs` from `nodeProof` (or `healthchain-node node-proof`). */
  setNodes: (api: ApiPromise, signer: HcSigner, proofs: { peerId: string; signature: string }[], opts?: SendOptions) =>
    send(api, api.tx.providers.setNodes(proofs.map(({ peerId, signature }) => ({ peerId, signature }))), signer, opts),
  /** Apply as an organisation: roles by name, a credential digest, an expiry block (a deposit is held). */
  register: (api: ApiPromise, signer: HcSigner, roles: readonly RoleName[], credentialDigest: string, expiresAt: number, opts?: SendOptions) =>
    send(api, api.tx.providers.register(bits(ROLES, roles), credentialDigest, expiresAt), signer, opts),
  /** The registry status of `who` (`'Pending'`, `'Active'`, `'Suspended'`, `'Revoked'`) or null. */
  status: async (api: ApiPromise, who: string): Promise<string | null> => {
    const p = await api.query.providers.providers(who);
    return p.isSome ? p.unwrap().status.type : null;
  },
  /** The registry entry of `who`, or null. */
  get: async (api: ApiPromise, who: string): Promise<ProviderInfo | null> => {
    const p = await api.query.providers.providers(who);
    return p.isSome ? providerInfo(who, p.unwrap()) : null;
  },
  /** Every registered organisation (optionally only those with `status`), by account. */
  list: async (api: ApiPromise, { status }: { status?: string } = {}): Promise<ProviderInfo[]> => {
    const entries = await api.query.providers.providers.entries();
    return entries
      .filter(([, p]) => p.isSome)
      .map(([key, p]) => providerInfo(key.args[0].toString(), p.unwrap()))
      .filter((p) => !status || p.status === status)
      .sort((a, b) => a.registeredAt - b.registeredAt || a.account.localeCompare(b.account));
  },
  /** The applications awaiting governance's decision (status `Pending`), oldest first. */
  pending: (api: ApiPromise): Promise<ProviderInfo[]> => providers.list(api, { status: 'Pending' }),
  /** Governance's approval of an application: the call to wrap in a council motion. */
  approveCall: (api: ApiPromise, who: string) => api.tx.providers.approve(who),
  /** Governance's rejection of an application: the call to wrap in a council motion. */
  rejectCall: (api: ApiPromise, who: string) => api.tx.providers.reject(who),
  /** Governance's suspension of an organisation: the call to wrap in a council motion. */
  suspendCall: (api: ApiPromise, who: string) => api.tx.providers.suspend(who),
  /** Governance's reinstatement of a suspended organisation: the call to wrap in a council motion. */
  reinstateCall: (api: ApiPromise, who: string) => api.tx.providers.reinstate(who),
  /** Governance's revocation of an organisation: the call to wrap in a council motion. */
  revokeCall: (api: ApiPromise, who: string) => api.tx.providers.revoke(who),
};

function providerInfo(account: string, p: import('@polkadot/types/lookup').PalletProvidersProvider): ProviderInfo {
  const roleSet = p.roles.toNumber();
  return {
    account,
    status: p.status.type,
    roles: roleNames(roleSet),
    roleBits: roleSet,
    credentialDigest: p.credentialDigest.toHex() as Hex,
    credentialExpiresAt: p.credentialExpiresAt.toNumber(),
    deposit: p.deposit.toBigInt(),
    registeredAt: p.registeredAt.toNumber(),
  };
}

// ---- records ----

/** Record anchoring (pallet-records) and the records_* RPCs. */
export const records = {
  /**
   * Anchor version 1 of a record under the signer's own `localId`, in category `scope` (one of
   * SCOPES' names, fixed for the record's life). Resolves to `send`'s result plus `recordId`, the
   * record's on-chain id (derived from the signer: `recordIdOf(signer.address, localId)`; for a
   * proxy signer, from the organisation it acts for).
   */
  anchor: async (api: ApiPromise, signer: HcSigner, localId: string, subject: string, digest: string, kind: number, scope: ScopeName | string, opts?: SendOptions): Promise<SendResult & { recordId: Hex }> => {
    const tx = api.tx.records.anchor(localId, subject, digest, kind, scopeName(scope));
    const result = await send(api, tx, signer, opts);
    return { ...result, recordId: recordIdOf(signer.address, localId) };
  },
  /** A new version of a record (by its author). */
  amend: (api: ApiPromise, signer: HcSigner, recordId: string, digest: string, opts?: SendOptions) =>
    send(api, api.tx.records.amend(recordId, digest), signer, opts),
  /** Retract a record (by its author). */
  retract: (api: ApiPromise, signer: HcSigner, recordId: string, reason: RetractReasonName = 'EnteredInError', opts?: SendOptions) =>
    send(api, api.tx.records.retract(recordId, reason), signer, opts),
  /** Anchor a Merkle root over `leafCount` leaves (see `merkleRoot`). */
  anchorBatch: (api: ApiPromise, signer: HcSigner, root: string, leafCount: number, opts?: SendOptions) =>
    send(api, api.tx.records.anchorBatch(root, leafCount), signer, opts),
  /** Governance's retraction: the call to wrap in a council motion or `sudo`. */
  forceRetractCall: (api: ApiPromise, recordId: string, reason: RetractReasonName = 'EnteredInError') =>
    api.tx.records.forceRetract(recordId, reason),
  /** `{ status: 'valid' | 'superseded' | 'retracted' | 'unknown', version?, latest? }` */
  verify: (api: ApiPromise, recordId: string, digest: string, at?: string) =>
    rpc<RecordVerification>(api, 'records_verify', withAt([recordId, digest], at)),
  /** Whether `leaf` is leaf `leafIndex` of batch `batchId` given the sibling hashes `proof`. */
  verifyInclusion: (api: ApiPromise, batchId: number, leaf: string, leafIndex: number, proof: string[], at?: string) =>
    rpc<boolean>(api, 'records_verifyInclusion', withAt([batchId, leaf, leafIndex, proof], at)),
  /** `null` | `{ recordId, subject, author, kind, scope, versions, createdAt, status, retraction, latest }` */
  get: (api: ApiPromise, recordId: string, at?: string) =>
    rpc<RecordInfo | null>(api, 'records_get', withAt([recordId], at)),
  /** Every version of a record, oldest first. */
  history: (api: ApiPromise, recordId: string, at?: string) =>
    rpc<RecordVersionInfo[]>(api, 'records_history', withAt([recordId], at)),
  /** A Merkle batch, or null. */
  batch: (api: ApiPromise, batchId: number, at?: string) =>
    rpc<BatchInfo | null>(api, 'records_batch', withAt([batchId], at)),
};

// ---- consent ----

/** An open break-glass window on a patient (storage `consent.openWindows`). */
export interface OpenWindowInfo {
  /** The emergency provider. */
  provider: string;
  /** The window's id. */
  id: number;
  /** First block the window is closed. */
  expiresAt: number;
}

/** Consent (pallet-consent) and the consent_* RPCs. Scope/purpose names: SCOPES/PURPOSES keys. */
export const consent = {
  /** Grant by scope and purpose names; `expiresAt` null = the maximum duration. */
  grant: (api: ApiPromise, patient: HcSigner, grantee: string, scopes: readonly (ScopeName | string)[], purposes: readonly (PurposeName | string)[], expiresAt: number | null = null, consentDigest: string | null = null, opts?: SendOptions) =>
    send(api, api.tx.consent.grant(grantee, bits(SCOPES, scopes), bits(PURPOSES, purposes), expiresAt, consentDigest), patient, opts),
  /** Revoke the grant to `grantee`. */
  revoke: (api: ApiPromise, patient: HcSigner, grantee: string, opts?: SendOptions) =>
    send(api, api.tx.consent.revoke(grantee), patient, opts),
  /** Appoint a guardian (who may grant and revoke for the patient). */
  addGuardian: (api: ApiPromise, patient: HcSigner, guardian: string, opts?: SendOptions) =>
    send(api, api.tx.consent.addGuardian(guardian), patient, opts),
  /** Remove a guardian. */
  removeGuardian: (api: ApiPromise, patient: HcSigner, guardian: string, opts?: SendOptions) =>
    send(api, api.tx.consent.removeGuardian(guardian), patient, opts),
  /**
   * Log an access to `recordId` (of `patient`) for `purpose`. The category checked is the
   * record's own scope, fixed when it was anchored; `AccessLogged` names it.
   */
  logAccess: (api: ApiPromise, provider: HcSigner, patient: string, recordId: string, purpose: PurposeName, opts?: SendOptions) =>
    send(api, api.tx.consent.logAccess(patient, recordId, purpose), provider, opts),
  /** Open a break-glass window on `patient` (an emergency provider). */
  breakGlass: (api: ApiPromise, provider: HcSigner, patient: string, reason: BreakGlassReasonName = 'PatientUnableToConsent', opts?: SendOptions) =>
    send(api, api.tx.consent.breakGlass(patient, reason), provider, opts),
  /** Close `provider`'s open break-glass window on `patient`: by the patient or a guardian. */
  closeBreakGlass: (api: ApiPromise, signer: HcSigner, patient: string, provider: string, opts?: SendOptions) =>
    send(api, api.tx.consent.closeBreakGlass(patient, provider), signer, opts),
  /** Governance's review of a break-glass window: the call to wrap in a council motion. */
  reviewBreakGlassCall: (api: ApiPromise, id: number, verdict: VerdictName) =>
    api.tx.consent.reviewBreakGlass(id, verdict),
  /** Whether `grantee` may access `patient`'s `scope` data for `purpose` (names lowerCamel: 'labs', 'treatment'). */
  hasAccess: (api: ApiPromise, patient: string, grantee: string, scope: string, purpose: string, at?: string) =>
    rpc<boolean>(api, 'consent_hasAccess', withAt([patient, grantee, scope, purpose], at)),
  /** On which basis an access is covered, or why not. */
  accessBasis: (api: ApiPromise, patient: string, grantee: string, scope: string, purpose: string, at?: string) =>
    rpc<AccessAnswer>(api, 'consent_accessBasis', withAt([patient, grantee, scope, purpose], at)),
  /**
   * May `accessor` access record `recordId` for `purpose` (lowerCamel: 'treatment', ...)? What a
   * gateway asks before releasing a record: `{ allowed: true, basis, breakGlassId?, patient,
   * scope }` | `{ allowed: false, reason }` (reasons: unknownRecord, recordRetracted,
   * notActiveProvider, consentMissing, consentExpired, scopeNotGranted, purposeNotGranted).
   */
  recordAccess: (api: ApiPromise, accessor: string, recordId: string, purpose: string, at?: string) =>
    rpc<RecordAccessAnswer>(api, 'consent_recordAccess', withAt([accessor, recordId, purpose], at)),
  /** The patient's grants (including expired ones the sweep has not removed: `live: false`). */
  grantsOf: (api: ApiPromise, patient: string, at?: string) =>
    rpc<GrantInfo[]>(api, 'consent_grantsOf', withAt([patient], at)),
  /** The patient's guardians. */
  guardiansOf: (api: ApiPromise, patient: string, at?: string) =>
    rpc<string[]>(api, 'consent_guardiansOf', withAt([patient], at)),
  /** A break-glass window by id, or null. */
  breakGlassInfo: (api: ApiPromise, id: number, at?: string) =>
    rpc<BreakGlassInfo | null>(api, 'consent_breakGlass', withAt([id], at)),
  /** A provider's break-glass tally. */
  breakGlassTally: (api: ApiPromise, provider: string, at?: string) =>
    rpc<BreakGlassTallyInfo>(api, 'consent_breakGlassTally', withAt([provider], at)),
  /**
   * The break-glass windows open on `patient` (best block), with their details: one per
   * provider, `BreakGlassInfo` (from `consent_breakGlass` at the finalized block) when the
   * window is already final, else the stored id and expiry.
   */
  openWindows: async (api: ApiPromise, patient: string): Promise<(OpenWindowInfo & { info: BreakGlassInfo | null })[]> => {
    const entries = await api.query.consent.openWindows.entries(patient);
    const now = (await api.rpc.chain.getHeader()).number.toNumber();
    const open = entries
      .filter(([, w]) => w.isSome && w.unwrap().expiresAt.toNumber() > now)
      .map(([key, w]) => ({
        provider: key.args[1].toString(), id: w.unwrap().id.toNumber(), expiresAt: w.unwrap().expiresAt.toNumber(),
      }));
    return Promise.all(open.map(async (w) => ({ ...w, info: await consent.breakGlassInfo(api, w.id) })));
  },
};

// ---- patient (fee-less) ----

/** The domain separator of a signed patient payload (pallet-consent `PATIENT_PAYLOAD_CONTEXT`). */
export const PATIENT_PAYLOAD_CONTEXT = 'healthchain/patient-call/v1';

/** The fields of a grant in a patient action (bit sets: `bits(SCOPES, [...])`). */
export interface GrantFields {
  /** Who may access. */
  grantee: string;
  /** Scope bit set. */
  scopes: number;
  /** Purpose bit set. */
  purposes: number;
  /** Expiry block, or null for the maximum duration. */
  expiresAt: number | null;
  /** Digest of the off-chain FHIR Consent, or null. */
  consentDigest: string | null;
}

/** A `PatientAction` (pallet-consent): what a patient (or guardian) signs for the fee-less path. */
export type PatientAction =
  | { Grant: GrantFields }
  | { Revoke: { grantee: string } }
  | { AddGuardian: { guardian: string } }
  | { RemoveGuardian: { guardian: string } }
  | { GrantFor: GrantFields & { patient: string } }
  | { RevokeFor: { patient: string; grantee: string } }
  | { CloseBreakGlass: { patient: string; provider: string } };

/** A `PatientPayload`: the signer, its patient nonce, the last valid block and the action. */
export interface PatientPayload {
  /** The patient's (or guardian's) address. */
  signer: string;
  /** The signer's next patient-call nonce (`consent.patientNonces`). */
  nonce: number;
  /** The last block the payload is valid in. */
  validUntil: number;
  /** The action. */
  action: PatientAction;
}

/** A signed patient payload: `{ payload, signature }` (a `MultiSignature` value). */
export interface SignedPatientPayload {
  /** The payload. */
  payload: PatientPayload;
  /** The signature as a `MultiSignature` value. */
  signature: MultiSignatureValue;
}

/** A `MultiSignature` value: `{ Sr25519: hex }` | `{ Ed25519: hex }` | `{ Ecdsa: hex }`. */
export type MultiSignatureValue = { Sr25519: string } | { Ed25519: string } | { Ecdsa: string };

/** A MultiSignature value of `kind` (`Sr25519`, `Ed25519`, `Ecdsa`). */
function multiSignature(kind: string, hex: string): MultiSignatureValue {
  switch (kind) {
    case 'Ed25519': return { Ed25519: hex };
    case 'Ecdsa': return { Ecdsa: hex };
    case 'Sr25519': return { Sr25519: hex };
    default: throw new Error(`unknown signature kind ${kind}`);
  }
}

/** A grant action from names: `grantAction(grantee, ['Labs'], ['Treatment'])`. */
export function grantAction(grantee: string, scopes: readonly (ScopeName | string)[], purposes: readonly (PurposeName | string)[], expiresAt: number | null = null, consentDigest: string | null = null): PatientAction {
  return { Grant: { grantee, scopes: bits(SCOPES, scopes), purposes: bits(PURPOSES, purposes), expiresAt, consentDigest } };
}

/**
 * Patient calls signed by the patient's (or guardian's) own key, for accounts that hold no HLTH
 * (docs/fees.md). `action` is a {@link PatientAction}, e.g.
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
 * error of the action (`PatientCallExecuted.result`). A refusal before inclusion rejects with a
 * `HealthchainError` whose `name` is the refusal's name (`FeelessQuotaExhausted`,
 * `PayloadExpired`, `PayloadNonceUsed`, `BadPayloadSignature`, `NothingToWithdraw`, ...).
 */
export const patient = {
  /** The bytes the key signs for `payload`: context ++ genesis hash ++ SCALE(payload). */
  async message(api: ApiPromise, payload: PatientPayload): Promise<Uint8Array> {
    const type = api.tx.consent.patientCall.meta.args[0]!.type.toString();
    const encoded = api.registry.createType(type, payload).toU8a();
    return u8aConcat(stringToU8a(PATIENT_PAYLOAD_CONTEXT), api.genesisHash.toU8a(), encoded);
  },

  /**
   * Sign `action` for `signer` (a keyring pair, or an extension signer / `{ address, signRaw }`:
   * the extension signs the `<Bytes>`-wrapped message, which the chain accepts too).
   */
  async sign(api: ApiPromise, signer: RawSigner, action: PatientAction, { nonce, validFor = 600 }: { nonce?: number; validFor?: number } = {}): Promise<SignedPatientPayload> {
    const address = signer.address;
    const next = nonce ?? (await api.query.consent.patientNonces(address)).toNumber();
    const now = (await api.rpc.chain.getHeader()).number.toNumber();
    const payload: PatientPayload = { signer: address, nonce: next, validUntil: now + validFor, action };
    const message = await patient.message(api, payload);
    let signature: MultiSignatureValue;
    if (isKeyringPair(signer)) {
      const kind = ({ sr25519: 'Sr25519', ed25519: 'Ed25519', ecdsa: 'Ecdsa' } as Record<string, string>)[signer.type];
      if (!kind) throw new Error(`cannot sign a patient payload with a ${signer.type} key`);
      signature = multiSignature(kind, u8aToHex(signer.sign(message)));
    } else if (typeof signer.signRaw === 'function') {
      const { signature: sig } = await signer.signRaw({ address, data: u8aToHex(message), type: 'bytes' });
      const bytes = hexToU8a(sig);
      // The extension returns a MultiSignature (type byte first) for sr25519/ed25519 keys.
      signature = bytes.length === 65
        ? multiSignature(['Ed25519', 'Sr25519', 'Ecdsa'][bytes[0]!] ?? 'Sr25519', u8aToHex(bytes.subarray(1)))
        : { Sr25519: sig };
    } else {
      throw new Error('the signer can neither sign nor signRaw');
    }
    return { payload, signature };
  },

  /** The call carrying a signed payload (to relay, batch or inspect). */
  call: (api: ApiPromise, { payload, signature }: SignedPatientPayload) =>
    api.tx.consent.patientCall(payload, signature),

  /**
   * The fee-less general transaction (extrinsic v5, no signer) of a signed payload, hex. The
   * transaction extensions' explicit data is each one's default (immortal era, nonce 0, no tip,
   * no metadata hash): read from the metadata, not hard-coded.
   */
  feelessExtrinsic(api: ApiPromise, signed: SignedPatientPayload): Hex {
    const call = patient.call(api, signed).method.toU8a();
    const { extrinsic } = api.registry.metadata;
    const explicit = extrinsic.transactionExtensions.map((ext) =>
      api.registry.createType(api.registry.createLookupType(ext.type)).toU8a());
    const body = u8aConcat(new Uint8Array([0x45, 0x00]), ...explicit, call);
    return u8aToHex(compactAddLength(body)) as Hex;
  },

  /**
   * Submit a signed payload fee-less and wait until it is in a block (or finalized). Rejects with
   * a named `HealthchainError` when the chain refuses it before inclusion. `onStatus` reports
   * 'submitted', 'inBlock' and 'finalized'.
   */
  async submitFeeless(api: ApiPromise, signed: SignedPatientPayload, { finalized = false, timeoutMs = 120_000, onStatus }: SendOptions = {}): Promise<SendResult> {
    const hex = patient.feelessExtrinsic(api, signed);
    const { signer, nonce } = signed.payload;
    const provider = providerOf(api);
    const report = (s: 'submitted' | 'inBlock' | 'finalized', blockHash?: string) => {
      try { onStatus?.(s, blockHash ? { blockHash } : {}); } catch { /* UI callback */ }
    };
    const blockHash = await withTimeout(new Promise<string>((resolve, reject) => {
      let subId: string | number | null = null;
      let submitted = false;
      let finished = false;
      const done = (f: (v: never) => void, v: unknown) => {
        if (finished) return;
        finished = true;
        if (subId !== null) provider.unsubscribe('author_extrinsicUpdate', 'author_unwatchExtrinsic', subId).catch(() => {});
        (f as (v: unknown) => void)(v);
      };
      provider.subscribe('author_extrinsicUpdate', 'author_submitAndWatchExtrinsic', [hex], (err: Error | null, status: unknown) => {
        if (err) { done(reject, feelessRefusal(api, err)); return; }
        if (!submitted) { submitted = true; report('submitted'); }
        if (status && typeof status === 'object') {
          const st = status as { inBlock?: string; finalized?: string; dropped?: unknown; invalid?: unknown; usurped?: unknown };
          if (st.inBlock) report('inBlock', st.inBlock);
          if (st.finalized) report('finalized', st.finalized);
          const hash = finalized ? st.finalized : (st.inBlock ?? st.finalized);
          if (hash) done(resolve, hash);
          else if (st.dropped !== undefined || st.invalid !== undefined || st.usurped) {
            done(reject, feelessRefusal(api, new Error(`fee-less transaction ${Object.keys(st)[0]}`)));
          }
        } else if (status === 'dropped' || status === 'invalid') {
          done(reject, feelessRefusal(api, new Error(`fee-less transaction ${status}`)));
        }
      }).then((id) => {
        subId = id;
        if (finished) provider.unsubscribe('author_extrinsicUpdate', 'author_unwatchExtrinsic', id).catch(() => {});
      }, (e: unknown) => done(reject, feelessRefusal(api, e)));
    }), timeoutMs, `fee-less patient call of ${signer} (nonce ${nonce})`);
    return patientCallResult(api, blockHash, signer, nonce);
  },

  /** Sign and submit fee-less in one step (`opts`: sign's `{ nonce, validFor }` and send's options). */
  async send(api: ApiPromise, signer: RawSigner, action: PatientAction, opts: SendOptions & { nonce?: number; validFor?: number } = {}): Promise<SendResult> {
    try { opts.onStatus?.('signing', {}); } catch { /* UI callback */ }
    return patient.submitFeeless(api, await patient.sign(api, signer, action, opts), opts);
  },

  /** Relay a signed payload in `relayer`'s own transaction (the relayer pays the fee). */
  async relay(api: ApiPromise, relayer: HcSigner, signed: SignedPatientPayload, opts?: SendOptions): Promise<SendResult> {
    const r = await send(api, patient.call(api, signed), relayer, opts);
    if (!r.ok) return r;
    return patientCallResult(api, r.blockHash, signed.payload.signer, signed.payload.nonce);
  },

  /** The signer's fee-less use: `{ used, quota, periodStart }` (`used` of the current period). */
  async quota(api: ApiPromise, address: string): Promise<{ used: number; quota: number; periodStart: number }> {
    const [use, now] = await Promise.all([api.query.consent.feelessUsage(address), api.rpc.chain.getHeader()]);
    const period = api.consts.consent.feelessPeriod.toNumber();
    const next = now.number.toNumber() + 1;
    const start = next - (next % period);
    const periodStart = use.periodStart.toNumber();
    return {
      used: periodStart === start ? use.used.toNumber() : 0,
      quota: api.consts.consent.feelessQuota.toNumber(),
      periodStart: start,
    };
  },
};

/** `send`-shaped result of the patient call of (`signer`, `nonce`) in block `blockHash`. */
async function patientCallResult(api: ApiPromise, blockHash: string, signer: string, nonce: number): Promise<SendResult> {
  const [recordsAt, header] = await Promise.all([
    (await api.at(blockHash)).query.system.events(), api.rpc.chain.getHeader(blockHash)]);
  const target = u8aToHex(decodeAddress(signer));
  const mine = recordsAt.find(({ event }) => api.events.consent.PatientCallExecuted.is(event)
    && u8aToHex(event.data.signer.toU8a()) === target && event.data.nonce.toNumber() === nonce);
  if (!mine || !api.events.consent.PatientCallExecuted.is(mine.event)) {
    throw new Error(`no PatientCallExecuted for ${signer} nonce ${nonce} in ${blockHash}`);
  }
  const index = mine.phase.asApplyExtrinsic.toNumber();
  const events = recordsAt.filter(({ phase }) => phase.isApplyExtrinsic
    && phase.asApplyExtrinsic.toNumber() === index).map(({ event }) => event as unknown as Event);
  const result = mine.event.data.result;
  const error = result.isErr ? decodeError(api, result.asErr) : null;
  return {
    ok: !error, error, events, blockHash: blockHash.toString(),
    blockNumber: header.number.toNumber(), extrinsicIndex: index,
  };
}

// ---- proxy ----

/** A proxy of an account (pallet-proxy). */
export interface ProxyInfo {
  /** The delegate key. */
  delegate: string;
  /** Its proxy type. */
  proxyType: string;
  /** Announcement delay in blocks. */
  delay: number;
}

/** Delegation (pallet-proxy): organisations' keys acting for them within a proxy type. */
export const proxy = {
  /** `real` lets `delegate` act for it within `type` (a deposit is held from `real`). */
  add: (api: ApiPromise, real: HcSigner, delegate: string, type: ProxyTypeName, opts?: SendOptions) =>
    send(api, api.tx.proxy.addProxy(delegate, type, 0), real, opts),
  /** Remove a proxy. */
  remove: (api: ApiPromise, real: HcSigner, delegate: string, type: ProxyTypeName, opts?: SendOptions) =>
    send(api, api.tx.proxy.removeProxy(delegate, type, 0), real, opts),
  /**
   * `delegate` submits `call` for `real` (the organisation): the call runs with `real`'s origin.
   * `error` is the inner call's decoded error (`proxy.ProxyExecuted.result`), or the proxy
   * pallet's own (e.g. `proxy.NotProxy`); a call outside the proxy type fails with
   * `system.CallFiltered`.
   */
  async send(api: ApiPromise, delegate: HcSigner, real: string, call: SubmittableExtrinsic<'promise'>, type: ProxyTypeName | null = null, opts?: SendOptions): Promise<SendResult> {
    const r = await send(api, api.tx.proxy.proxy(real, type, call), delegate, opts);
    return proxyOutcome(api, r);
  },
  /** The proxies of `real`. */
  list: async (api: ApiPromise, real: string): Promise<ProxyInfo[]> => {
    const [defs] = await api.query.proxy.proxies(real);
    return defs.map((d) => ({ delegate: d.delegate.toString(), proxyType: d.proxyType.type, delay: d.delay.toNumber() }));
  },
};

// ---- claims ----

/** An insurer's decision: `'Approve'` | `{ Partial: amount }` | `{ Deny: reasonCode }`. */
export type Decision = 'Approve' | { Partial: bigint | number | string } | { Deny: number };

/** A claim in an insurer's or provider's work queue. */
export interface QueuedClaim {
  /** The claim (from `claims_get`). */
  claim: ClaimInfo;
  /** What is due: the insurer adjudicates, anyone settles, governance resolves. */
  action: 'adjudicate' | 'settle' | 'resolve';
  /** The block from which the provider may escalate (adjudication), else null. */
  deadline: number | null;
  /** Whether the deadline has passed (at the finalized block). */
  overdue: boolean;
}

/** Claims (pallet-claims) and the claims_* RPCs. */
export const claims = {
  /**
   * Bill `insurer` for care to `patient`. Needs the patient's Billing/Payment grant to the
   * insurer and a care relationship: the patient's live Treatment grant to the provider covering
   * each record's scope (or the provider's open break-glass window), else `NoCareRelationship`.
   */
  submit: (api: ApiPromise, provider: HcSigner, insurer: string, patientAccount: string, claimDigest: string, amount: bigint | number | string, recordIds: string[], opts?: SendOptions) =>
    send(api, api.tx.claims.submit(insurer, patientAccount, claimDigest, amount, recordIds), provider, opts),
  /** `decision`: 'Approve' | { Partial: amount } | { Deny: reasonCode } */
  adjudicate: (api: ApiPromise, insurer: HcSigner, claimId: number, decision: Decision, opts?: SendOptions) =>
    send(api, api.tx.claims.adjudicate(claimId, decision), insurer, opts),
  /** Pay an approved claim out of escrow (anyone may). */
  settle: (api: ApiPromise, signer: HcSigner, claimId: number, opts?: SendOptions) =>
    send(api, api.tx.claims.settle(claimId), signer, opts),
  /** Dispute a denial or partial payment, or escalate an overdue claim (the provider). */
  dispute: (api: ApiPromise, provider: HcSigner, claimId: number, reasonDigest: string, opts?: SendOptions) =>
    send(api, api.tx.claims.dispute(claimId, reasonDigest), provider, opts),
  /** Withdraw a claim before adjudication (the provider). */
  withdraw: (api: ApiPromise, provider: HcSigner, claimId: number, opts?: SendOptions) =>
    send(api, api.tx.claims.withdraw(claimId), provider, opts),
  /** Governance's resolution of a dispute: the call to wrap in a council motion. */
  resolveDisputeCall: (api: ApiPromise, claimId: number, award: bigint | number | string) =>
    api.tx.claims.resolveDispute(claimId, award),
  /** A claim and its status, or null. */
  get: (api: ApiPromise, claimId: number, at?: string) =>
    rpc<ClaimInfo | null>(api, 'claims_get', withAt([claimId], at)),
  /** A page of the claim ids `who` submitted or received (after id `after`, at most `limit`, cap 100). */
  of: (api: ApiPromise, who: string, { after = null, limit = null, at }: { after?: number | null; limit?: number | null; at?: string } = {}) =>
    rpc<number[]>(api, 'claims_of', withAt([who, after, limit], at)),
  /** Every claim `who` submitted or received (all pages), at the finalized block unless `at`. */
  async all(api: ApiPromise, who: string, { at }: { at?: string } = {}): Promise<ClaimInfo[]> {
    const ids: number[] = [];
    let after: number | null = null;
    for (;;) {
      const page: number[] = await claims.of(api, who, { after, limit: 100, ...(at ? { at } : {}) });
      ids.push(...page);
      if (page.length < 100) break;
      after = page[page.length - 1] ?? null;
    }
    const got = await Promise.all(ids.map((id) => claims.get(api, id, at)));
    return got.filter((c): c is ClaimInfo => c !== null);
  },
  /**
   * The work queue of `party` (an insurer, or a provider): its open claims with what is due and
   * the adjudication deadline (`submittedAt + AdjudicationDeadline`, after which the provider may
   * escalate), oldest deadline first. For an insurer: submitted claims to adjudicate and approved
   * ones to settle; disputed ones await governance (`resolve`). At the finalized block.
   */
  async queue(api: ApiPromise, party: string): Promise<QueuedClaim[]> {
    const finalized = await api.rpc.chain.getFinalizedHead();
    const now = (await api.rpc.chain.getHeader(finalized)).number.toNumber();
    const window = api.consts.claims.adjudicationDeadline.toNumber();
    const all = await claims.all(api, party, { at: finalized.toHex() });
    const out: QueuedClaim[] = [];
    for (const claim of all) {
      const st = claim.status.state;
      if (st === 'submitted') {
        const deadline = claim.submittedAt + window;
        out.push({ claim, action: 'adjudicate', deadline, overdue: now >= deadline });
      } else if (st === 'approved') {
        out.push({ claim, action: 'settle', deadline: null, overdue: false });
      } else if (st === 'disputed') {
        out.push({ claim, action: 'resolve', deadline: null, overdue: false });
      }
    }
    return out.sort((a, b) => (a.deadline ?? Infinity) - (b.deadline ?? Infinity) || a.claim.id - b.claim.id);
  },
  /** The claims `insurer` must decide on or settle (its {@link claims.queue} as insurer only). */
  async byInsurer(api: ApiPromise, insurer: string): Promise<QueuedClaim[]> {
    return (await claims.queue(api, insurer)).filter((q) => sameAccount(q.claim.insurer, insurer));
  },
};

// ---- council ----

/** The outcome of a motion: `ok`/`error` of the executed call (`council.Executed`). */
export interface MotionOutcome {
  /** Whether the motion was executed and its call succeeded. */
  ok: boolean;
  /** The failure: a step's error, `NotExecuted`, or the call's decoded error. */
  error: DecodedError | null;
  /** The result of the last step (the `close`, or the `propose` that executed at once). */
  result?: SendResult;
}

/** An open council motion, decoded. */
export interface Motion {
  /** The proposal's hash. */
  hash: Hex;
  /** Its index (what `vote` and `close` take). */
  index: number;
  /** The proposed call as `section.method`, e.g. `providers.approve`. */
  call: string;
  /** The call's section (pallet). */
  section: string;
  /** The call's method. */
  method: string;
  /** The call's arguments by name, human-readable. */
  args: Record<string, unknown>;
  /** The call's documentation. */
  docs: string;
  /** Members who voted aye. */
  ayes: string[];
  /** Members who voted nay. */
  nays: string[];
  /** Ayes needed. */
  threshold: number;
  /** The block the voting ends at. */
  end: number;
  /** Whether `close` would succeed now: enough ayes, enough nays to fail, or past `end`. */
  closable: boolean;
}

/** The result of {@link council.propose}. */
export type ProposeResult = SendResult & {
  /** The proposal's index (null when the motion executed at once, threshold below 2). */
  proposalIndex: number | null;
  /** The proposal's hash. */
  proposalHash: Hex | null;
  /** Whether the call was executed at once (threshold below 2). */
  executed: boolean;
};

/** The council (pallet-collective instance `Council`): motions. */
export const council = {
  /** The council's members. */
  members: async (api: ApiPromise): Promise<string[]> =>
    (await api.query.council.members()).map((m) => m.toString()),
  /**
   * Propose `call` as a motion needing `threshold` ayes. A threshold below 2 executes at once
   * (pallet-collective) without a vote. Answers `send`'s result plus `proposalIndex` and
   * `proposalHash`.
   */
  async propose(api: ApiPromise, proposer: HcSigner, call: SubmittableExtrinsic<'promise'>, threshold = 2, opts?: SendOptions): Promise<ProposeResult> {
    const length = call.method.encodedLength;
    const r = await send(api, api.tx.council.propose(threshold, call, length), proposer, opts);
    const proposed = findEvent(r, 'council', 'Proposed');
    return {
      ...r,
      proposalIndex: proposed ? Number(proposed.proposalIndex!.toString()) : null,
      proposalHash: proposed ? (proposed.proposalHash!.toHex() as Hex) : null,
      executed: !!findEvent(r, 'council', 'Executed'),
    };
  },
  /** Vote on motion (`proposalHash`, `index`): aye when `approve`. */
  vote: (api: ApiPromise, member: HcSigner, proposalHash: string, index: number, approve = true, opts?: SendOptions) =>
    send(api, api.tx.council.vote(proposalHash, index, approve), member, opts),
  /**
   * Close motion (`proposalHash`, `index`): executes it when it has enough ayes, disapproves it
   * otherwise (after its end). The weight and length bounds are the proposal's own (read from
   * storage). `ok`/`error` are the executed call's (`council.Executed`).
   */
  async close(api: ApiPromise, closer: HcSigner, proposalHash: string, index: number, opts?: SendOptions): Promise<MotionOutcome> {
    const stored = await api.query.council.proposalOf(proposalHash);
    if (stored.isNone) {
      return { ok: false, error: { section: 'council', name: 'ProposalMissing', docs: 'The motion is not open (already closed, or unknown).', message: 'council.ProposalMissing' } };
    }
    const call = stored.unwrap();
    const length = call.encodedLength;
    const weight = await callWeight(api, call, length);
    const closed = await send(api, api.tx.council.close(proposalHash, index, weight, length), closer, opts);
    if (!closed.ok) return { ok: false, error: closed.error, result: closed };
    return executed(api, closed);
  },
  /**
   * Pass `call` as a council motion: `proposer` proposes with `threshold`, every account in
   * `ayes` votes aye (the proposer too, if listed), and `closer` closes. Returns the `close`
   * result and the `Executed` event's inner result (decoded error or null).
   */
  async motion(api: ApiPromise, call: SubmittableExtrinsic<'promise'>, { proposer, ayes, closer = proposer, threshold = 2, opts }: { proposer: HcSigner; ayes: HcSigner[]; closer?: HcSigner; threshold?: number; opts?: SendOptions }): Promise<MotionOutcome> {
    const proposed = await council.propose(api, proposer, call, threshold, opts);
    if (!proposed.ok) return { ok: false, error: proposed.error, result: proposed };
    if (proposed.executed) return executed(api, proposed);
    if (proposed.proposalHash === null || proposed.proposalIndex === null) {
      return { ok: false, error: { section: 'council', name: 'NotProposed', docs: '', message: 'no Proposed event' }, result: proposed };
    }
    for (const member of ayes) {
      const v = await council.vote(api, member, proposed.proposalHash, proposed.proposalIndex, true, opts);
      if (!v.ok) return { ok: false, error: v.error, result: v };
    }
    return council.close(api, closer, proposed.proposalHash, proposed.proposalIndex, opts);
  },
  /** The open motions, decoded (call as `section.method` with its arguments, votes, threshold, end). */
  async openMotions(api: ApiPromise): Promise<Motion[]> {
    const [hashes, members, header] = await Promise.all([
      api.query.council.proposals(), api.query.council.members(), api.rpc.chain.getHeader()]);
    const now = header.number.toNumber();
    const out = await Promise.all(hashes.map(async (hash) => {
      const [call, voting] = await Promise.all([api.query.council.proposalOf(hash), api.query.council.voting(hash)]);
      if (call.isNone || voting.isNone) return null;
      const c = call.unwrap();
      const v = voting.unwrap();
      const args: Record<string, unknown> = {};
      c.meta.args.forEach((a, i) => { args[a.name.toString()] = c.args[i]?.toHuman(); });
      const threshold = v.threshold.toNumber();
      const ayes = v.ayes.map((a) => a.toString());
      const nays = v.nays.map((a) => a.toString());
      const end = v.end.toNumber();
      return {
        hash: hash.toHex() as Hex, index: v.index.toNumber(), call: `${c.section}.${c.method}`,
        section: c.section, method: c.method, args, docs: c.meta.docs.map((d) => d.toString()).join(' ').trim(),
        ayes, nays, threshold, end,
        closable: ayes.length >= threshold || members.length - nays.length < threshold || now >= end,
      } satisfies Motion;
    }));
    return out.filter((m): m is Motion => m !== null).sort((a, b) => a.index - b.index);
  },
};

/** The weight of `call` (for `council.close`'s bound). */
async function callWeight(api: ApiPromise, call: IMethod, length: number): Promise<SpWeightsWeightV2Weight> {
  return (await api.call.transactionPaymentCallApi.queryCallInfo(call, length)).weight;
}

/** The outcome of a motion from the `council.Executed` event in `result`. */
function executed(api: ApiPromise, result: SendResult): MotionOutcome {
  const exec = result.events.find((e) => api.events.council.Executed.is(e));
  if (!exec || !api.events.council.Executed.is(exec)) {
    return { ok: false, error: { section: 'council', name: 'NotExecuted', docs: 'The motion was closed without being executed (not enough ayes).', message: 'motion not executed' }, result };
  }
  const inner = exec.data.result.isErr ? decodeError(api, exec.data.result.asErr) : null;
  return { ok: !inner, error: inner, result };
}

// ---- validators ----

/** The validator set and sessions (pallet-validator-set, pallet-session). */
export interface ValidatorStatus {
  /** The session index. */
  sessionIndex: number;
  /** The validators of the current session. */
  current: string[];
  /** The admitted organisations (the set planned for the next sessions). */
  admitted: string[];
  /** Session length in blocks. */
  sessionLength: number;
  /** Whether the next session's keys changed. */
  queuedChanged: boolean;
  /** Indices (into `current`) of disabled validators. */
  disabled: number[];
}

/** An organisation that may be admitted as a validator (no application queue exists: governance admits). */
export interface ValidatorCandidate {
  /** The organisation's account. */
  account: string;
  /** Its roles. */
  roles: RoleName[];
  /** Whether it registered session keys (`session.setKeys`), which admission requires. */
  hasSessionKeys: boolean;
}

/** Validators: governance admits and removes them (pallet-validator-set has no applications). */
export const validators = {
  /** The current set, the admitted set, the session index and length. */
  async status(api: ApiPromise): Promise<ValidatorStatus> {
    const [sessionIndex, current, admitted, sessionLength, queuedChanged, disabled] = await Promise.all([
      api.query.session.currentIndex(), api.query.session.validators(), api.query.validatorSet.validators(),
      api.query.validatorSet.sessionBlocks(), api.query.session.queuedChanged(), api.query.session.disabledValidators(),
    ]);
    return {
      sessionIndex: sessionIndex.toNumber(),
      current: current.map((v) => v.toString()),
      admitted: admitted.map((v) => v.toString()),
      sessionLength: sessionLength.toNumber(),
      queuedChanged: queuedChanged.isTrue,
      disabled: disabled.map(([i]) => i.toNumber()),
    };
  },
  /**
   * Active provider organisations that are not admitted validators: who governance could admit
   * (`hasSessionKeys` must be true first). The pallet keeps no applications; an organisation
   * asks off-chain and the council votes `validators.addCall`.
   */
  async candidates(api: ApiPromise): Promise<ValidatorCandidate[]> {
    const [active, admitted] = await Promise.all([providers.list(api, { status: 'Active' }), api.query.validatorSet.validators()]);
    const inSet = new Set(admitted.map((a) => u8aToHex(a.toU8a())));
    const out = await Promise.all(active
      .filter((p) => !inSet.has(u8aToHex(decodeAddress(p.account))))
      .map(async (p) => ({ account: p.account, roles: p.roles, hasSessionKeys: (await api.query.session.nextKeys(p.account)).isSome })));
    return out;
  },
  /** Admit `who` (governance): the call to wrap in a council motion. */
  addCall: (api: ApiPromise, who: string) => api.tx.validatorSet.addValidator(who),
  /** Remove `who` (governance): the call to wrap in a council motion. */
  removeCall: (api: ApiPromise, who: string) => api.tx.validatorSet.removeValidator(who),
  /** Set the session length in blocks (governance): the call to wrap in a council motion. */
  setSessionLengthCall: (api: ApiPromise, blocks: number) => api.tx.validatorSet.setSessionLength(blocks),
};
