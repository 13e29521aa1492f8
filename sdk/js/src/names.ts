// The chain's names, both ways: scope, purpose and role bit sets, and the enums of decisions,
// claim statuses, break-glass reasons, proxy types and the like. The tables are the runtime's
// (healthchain-primitives `sets.rs`, the pallets' `types.rs`); `namesFromMetadata` reads the
// same enums from a connected node's metadata, and the tests check the tables against
// services/chain/metadata/healthchain.scale. Roles are a fixed table: the metadata carries only
// the `Roles` bit set (a u16), not the `Role` enum (as services/indexer/src/ingest.rs notes).

import type { Registry } from '@polkadot/types/types';

/** Scope bits (healthchain-primitives `Scope`: variant index = bit). */
export const SCOPES = {
  Clinical: 1, Labs: 2, Imaging: 4, Medications: 8, MentalHealth: 16, Genomics: 32, Billing: 64,
} as const;
/** Purpose bits (healthchain-primitives `Purpose`). */
export const PURPOSES = { Treatment: 1, Payment: 2, Operations: 4, Research: 8 } as const;
/** Role bits (healthchain-primitives `Role`; not in the metadata, see the module comment). */
export const ROLES = { Hospital: 1, Clinic: 2, Lab: 4, Pharmacy: 8, Insurer: 16, Emergency: 32 } as const;

/** A scope name (`'Labs'`, ...). */
export type ScopeName = keyof typeof SCOPES;
/** A purpose name (`'Treatment'`, ...). */
export type PurposeName = keyof typeof PURPOSES;
/** A provider role name (`'Hospital'`, ...). */
export type RoleName = keyof typeof ROLES;
/** A bit table: name -> bit value. */
export type BitTable = Readonly<Record<string, number>>;

/** The proxy types of pallet-proxy in this runtime (runtime `ProxyType`), in index order. */
export const PROXY_TYPES = ['Any', 'Records', 'AccessLog', 'Claims', 'Governance'] as const;
/** An insurer's decision kinds (pallet-claims `Decision`): `'Approve' | { Partial } | { Deny }`. */
export const DECISIONS = ['Approve', 'Partial', 'Deny'] as const;
/** Claim lifecycle states (pallet-claims `ClaimStatus`). */
export const CLAIM_STATUSES = ['Submitted', 'Approved', 'Denied', 'Settled', 'Disputed', 'Resolved', 'Withdrawn'] as const;
/** Why a break-glass window was opened (pallet-consent `BreakGlassReason`). */
export const BREAK_GLASS_REASONS = ['PatientUnableToConsent', 'LifeThreatening', 'PublicHealthEmergency', 'Other'] as const;
/** Governance's review verdicts on a break-glass window (pallet-consent `Verdict`). */
export const VERDICTS = ['Justified', 'Unjustified'] as const;
/** A break-glass window's review state (pallet-consent `Review`). */
export const REVIEWS = ['Pending', 'Justified', 'Unjustified'] as const;
/** Why a break-glass window closed (pallet-consent `CloseCause`). */
export const CLOSE_CAUSES = ['Expired', 'Patient', 'Guardian', 'Governance', 'Unjustified'] as const;
/** Why a record was retracted (pallet-records `RetractReason`). */
export const RETRACT_REASONS = ['EnteredInError', 'Duplicate', 'PatientRequest', 'Replaced', 'Other'] as const;
/** The access rule's refusals (pallet-consent `AccessDenial`). */
export const ACCESS_DENIALS = [
  'ConsentMissing', 'ConsentExpired', 'ScopeNotGranted', 'PurposeNotGranted', 'UnknownRecord',
  'RecordNotOfPatient', 'RecordRetracted', 'NotActiveProvider',
] as const;
/** A provider organisation's registry status (pallet-providers `ProviderStatus`). */
export const PROVIDER_STATUSES = ['Pending', 'Active', 'Suspended', 'Revoked'] as const;
/** The actions a patient may sign for the fee-less path (pallet-consent `PatientAction`). */
export const PATIENT_ACTIONS = ['Grant', 'Revoke', 'AddGuardian', 'RemoveGuardian', 'GrantFor', 'RevokeFor', 'CloseBreakGlass'] as const;

/** A proxy type name. */
export type ProxyTypeName = typeof PROXY_TYPES[number];
/** A claim status name. */
export type ClaimStatusName = typeof CLAIM_STATUSES[number];
/** A break-glass reason name. */
export type BreakGlassReasonName = typeof BREAK_GLASS_REASONS[number];
/** A retraction reason name. */
export type RetractReasonName = typeof RETRACT_REASONS[number];
/** A review verdict name. */
export type VerdictName = typeof VERDICTS[number];

/** A bit set from names: `bits(SCOPES, ['Clinical', 'Labs'])` -> 3. Unknown names throw. */
export function bits(table: BitTable, names: readonly string[]): number {
  return names.reduce((acc, n) => {
    if (!Object.prototype.hasOwnProperty.call(table, n)) {
      throw new Error(`unknown name '${n}'; valid: ${Object.keys(table).join(', ')}`);
    }
    return acc | (table[n] as number);
  }, 0);
}

/**
 * The names of a bit set, in bit order: `namesOf(SCOPES, 3)` -> `['Clinical', 'Labs']`. A bit
 * the table does not know is named `bitN` (as the indexer does), so nothing is hidden.
 */
export function namesOf(table: BitTable, set: number): string[] {
  const out: string[] = [];
  const entries = Object.entries(table);
  for (let i = 0; i < 32; i++) {
    const bit = 2 ** i;
    if (Math.floor(set / bit) % 2 !== 1) continue;
    const hit = entries.find(([, v]) => v === bit);
    out.push(hit ? hit[0] : `bit${i}`);
  }
  return out;
}

/** Scope names to their bit set: `scopeBits(['Labs', 'Clinical'])` -> 3. */
export function scopeBits(names: readonly ScopeName[] | readonly string[]): number {
  return bits(SCOPES, names);
}
/** A scope bit set to names: `scopeNames(3)` -> `['Clinical', 'Labs']`. */
export function scopeNames(set: number): ScopeName[] {
  return namesOf(SCOPES, set) as ScopeName[];
}
/** Purpose names to their bit set. */
export function purposeBits(names: readonly PurposeName[] | readonly string[]): number {
  return bits(PURPOSES, names);
}
/** A purpose bit set to names. */
export function purposeNames(set: number): PurposeName[] {
  return namesOf(PURPOSES, set) as PurposeName[];
}
/** Role names to their bit set: `roleBits(['Hospital', 'Emergency'])` -> 33. */
export function roleBits(names: readonly RoleName[] | readonly string[]): number {
  return bits(ROLES, names);
}
/** A role bit set to names. */
export function roleNames(set: number): RoleName[] {
  return namesOf(ROLES, set) as RoleName[];
}

/** Check a record scope name (a record has exactly one, e.g. 'Labs'); returns it. */
export function scopeName(scope: unknown): ScopeName {
  if (typeof scope !== 'string' || !Object.prototype.hasOwnProperty.call(SCOPES, scope)) {
    throw new Error(`unknown scope '${String(scope)}'; valid: ${Object.keys(SCOPES).join(', ')}`);
  }
  return scope as ScopeName;
}

/** `'MentalHealth'` -> `'mentalHealth'`: the names the node's RPCs take and answer. */
export function rpcName(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
/** `'MentalHealth'` -> `'mental_health'`: the names the indexer's API uses. */
export function snakeName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
/**
 * The chain's name (`'MentalHealth'`) from any of its spellings: the RPC's `mentalHealth`, the
 * indexer's `mental_health`, or the gateway's `mental-health`, looked up in `names`.
 * Case-insensitive; `null` when none matches.
 */
export function chainName<T extends string>(names: readonly T[], spelling: string): T | null {
  const key = spelling.replace(/[_-]/g, '').toLowerCase();
  return names.find((n) => n.toLowerCase() === key) ?? null;
}

/** The kinds of names {@link label} knows. */
export type LabelKind =
  | 'scope' | 'purpose' | 'role' | 'proxyType' | 'decision' | 'claimStatus' | 'breakGlassReason'
  | 'verdict' | 'review' | 'closeCause' | 'retractReason' | 'accessDenial' | 'providerStatus';

const LABELS: Record<LabelKind, Record<string, string>> = {
  scope: {
    Clinical: 'Clinical notes', Labs: 'Laboratory results', Imaging: 'Imaging',
    Medications: 'Medications', MentalHealth: 'Mental health', Genomics: 'Genomic data',
    Billing: 'Billing and claims',
  },
  purpose: {
    Treatment: 'Treatment', Payment: 'Payment for care', Operations: 'Health-care operations',
    Research: 'Research',
  },
  role: {
    Hospital: 'Hospital', Clinic: 'Clinic', Lab: 'Laboratory', Pharmacy: 'Pharmacy',
    Insurer: 'Insurer', Emergency: 'Emergency care',
  },
  proxyType: {
    Any: 'Any call', Records: 'Records (anchoring)', AccessLog: 'Access logging',
    Claims: 'Claims', Governance: 'Governance',
  },
  decision: { Approve: 'Approve in full', Partial: 'Approve in part', Deny: 'Deny' },
  claimStatus: {
    Submitted: 'Submitted', Approved: 'Approved', Denied: 'Denied', Settled: 'Settled',
    Disputed: 'Disputed', Resolved: 'Resolved', Withdrawn: 'Withdrawn',
  },
  breakGlassReason: {
    PatientUnableToConsent: 'Patient unable to consent', LifeThreatening: 'Life-threatening',
    PublicHealthEmergency: 'Public-health emergency', Other: 'Other',
  },
  verdict: { Justified: 'Justified', Unjustified: 'Unjustified' },
  review: { Pending: 'Awaiting review', Justified: 'Justified', Unjustified: 'Unjustified' },
  closeCause: {
    Expired: 'Expired', Patient: 'Closed by the patient', Guardian: 'Closed by a guardian',
    Governance: 'Closed by governance', Unjustified: 'Closed as unjustified',
  },
  retractReason: {
    EnteredInError: 'Entered in error', Duplicate: 'Duplicate', PatientRequest: "Patient's request",
    Replaced: 'Replaced', Other: 'Other',
  },
  accessDenial: {
    ConsentMissing: 'No consent', ConsentExpired: 'Consent expired',
    ScopeNotGranted: 'Category not granted', PurposeNotGranted: 'Purpose not granted',
    UnknownRecord: 'Unknown record', RecordNotOfPatient: "Not this patient's record",
    RecordRetracted: 'Record retracted', NotActiveProvider: 'Not an active provider',
  },
  providerStatus: { Pending: 'Awaiting approval', Active: 'Active', Suspended: 'Suspended', Revoked: 'Revoked' },
};

/**
 * A human label for a chain name, for UIs: `label('scope', 'MentalHealth')` -> `'Mental health'`.
 * Accepts the RPC's and the indexer's spellings too (`'mentalHealth'`, `'mental_health'`). An
 * unknown name is returned split into words (`'SomethingNew'` -> `'Something new'`).
 */
export function label(kind: LabelKind, name: string): string {
  const table = LABELS[kind];
  const key = chainName(Object.keys(table), name);
  if (key) return table[key] as string;
  const words = name.replace(/[_-]/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The enums {@link namesFromMetadata} reads, by the type path the runtime gives them. */
export const METADATA_ENUMS = {
  scopes: 'healthchain_primitives::sets::Scope',
  purposes: 'healthchain_primitives::sets::Purpose',
  proxyTypes: 'healthchain_runtime::configs::delegation::ProxyType',
  decisions: 'pallet_claims::types::Decision',
  claimStatuses: 'pallet_claims::types::ClaimStatus',
  breakGlassReasons: 'pallet_consent::types::BreakGlassReason',
  verdicts: 'pallet_consent::types::Verdict',
  reviews: 'pallet_consent::types::Review',
  closeCauses: 'pallet_consent::types::CloseCause',
  retractReasons: 'pallet_records::types::RetractReason',
  accessDenials: 'pallet_consent::types::AccessDenial',
  providerStatuses: 'pallet_providers::types::ProviderStatus',
  patientActions: 'pallet_consent::types::PatientAction',
} as const;

/** What {@link namesFromMetadata} answers: each enum's variant names in index order. */
export type MetadataNames = { [K in keyof typeof METADATA_ENUMS]: string[] } & {
  /** Scope bits from the `Scope` enum (variant index = bit). */
  scopeBits: Record<string, number>;
  /** Purpose bits from the `Purpose` enum. */
  purposeBits: Record<string, number>;
};

/**
 * The chain's enums as its metadata has them (`api` or `api.registry` of a connected node, or
 * any registry with Healthchain metadata set): variant names in index order, and the scope and
 * purpose bit tables. An enum missing from the metadata gives `[]`.
 */
export function namesFromMetadata(source: { registry: Registry } | Registry): MetadataNames {
  const registry = 'registry' in source ? source.registry : source;
  const { lookup } = registry.metadata;
  const variants = (path: string): string[] => {
    for (const t of lookup.types) {
      if (t.type.path.map((s) => s.toString()).join('::') === path && t.type.def.isVariant) {
        return [...t.type.def.asVariant.variants]
          .sort((a, b) => a.index.toNumber() - b.index.toNumber())
          .map((v) => v.name.toString());
      }
    }
    return [];
  };
  const bitsOf = (path: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const t of lookup.types) {
      if (t.type.path.map((s) => s.toString()).join('::') === path && t.type.def.isVariant) {
        for (const v of t.type.def.asVariant.variants) out[v.name.toString()] = 2 ** v.index.toNumber();
      }
    }
    return out;
  };
  const names = Object.fromEntries(Object.entries(METADATA_ENUMS)
    .map(([k, path]) => [k, variants(path)])) as { [K in keyof typeof METADATA_ENUMS]: string[] };
  return {
    ...names,
    scopeBits: bitsOf(METADATA_ENUMS.scopes),
    purposeBits: bitsOf(METADATA_ENUMS.purposes),
  };
}
