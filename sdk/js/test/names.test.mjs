// Names both ways, human labels, and the static tables against the chain's metadata.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCESS_DENIALS, BREAK_GLASS_REASONS, CLAIM_STATUSES, CLOSE_CAUSES, DECISIONS, PATIENT_ACTIONS,
  PROVIDER_STATUSES, PROXY_TYPES, PURPOSES, RETRACT_REASONS, REVIEWS, ROLES, SCOPES, VERDICTS,
  bits, chainName, label, namesFromMetadata, namesOf, purposeBits, purposeNames, roleBits, roleNames,
  rpcName, scopeBits, scopeName, scopeNames, snakeName,
} from '../dist/index.js';
import { metadataRegistry } from './metadata.mjs';

test('bit sets both ways', () => {
  assert.equal(scopeBits(['Labs', 'Clinical']), 3);
  assert.deepEqual(scopeNames(3), ['Clinical', 'Labs']);
  assert.equal(purposeBits(['Treatment', 'Payment']), 3);
  assert.deepEqual(purposeNames(9), ['Treatment', 'Research']);
  assert.equal(roleBits(['Hospital', 'Emergency']), 33);
  assert.deepEqual(roleNames(33), ['Hospital', 'Emergency']);
  assert.equal(bits(SCOPES, ['Clinical', 'Labs']), 3);
  assert.equal(bits(PURPOSES, ['Treatment', 'Payment']), 3);
  assert.equal(bits(ROLES, ['Hospital', 'Emergency']), 33);
  assert.equal(bits(SCOPES, []), 0);
  assert.deepEqual(scopeNames(0), []);
  assert.throws(() => bits(SCOPES, ['Xrays']), /unknown name 'Xrays'; valid: Clinical, Labs/);
  assert.deepEqual(namesOf(SCOPES, 1 | 128), ['Clinical', 'bit7'], 'unknown bits are named, not hidden');
  for (const [table, toNames, toBits] of [[SCOPES, scopeNames, scopeBits], [PURPOSES, purposeNames, purposeBits], [ROLES, roleNames, roleBits]]) {
    const all = Object.keys(table);
    assert.deepEqual(toNames(toBits(all)), all, 'round trip of every name');
  }
  assert.equal(scopeName('MentalHealth'), 'MentalHealth');
  assert.throws(() => scopeName('Xrays'), /unknown scope 'Xrays'; valid: Clinical, Labs/);
  assert.throws(() => scopeName(undefined), /unknown scope/);
});

test('spellings of the RPC, the indexer and the gateway map to the chain name', () => {
  assert.equal(rpcName('MentalHealth'), 'mentalHealth');
  assert.equal(snakeName('MentalHealth'), 'mental_health');
  assert.equal(snakeName('PatientUnableToConsent'), 'patient_unable_to_consent');
  const scopes = Object.keys(SCOPES);
  assert.equal(chainName(scopes, 'mentalHealth'), 'MentalHealth');
  assert.equal(chainName(scopes, 'mental_health'), 'MentalHealth');
  assert.equal(chainName(scopes, 'MENTAL-HEALTH'), 'MentalHealth');
  assert.equal(chainName(scopes, 'xrays'), null);
  assert.equal(chainName(BREAK_GLASS_REASONS, 'life_threatening'), 'LifeThreatening');
});

test('human labels', () => {
  assert.equal(label('scope', 'MentalHealth'), 'Mental health');
  assert.equal(label('scope', 'mental_health'), 'Mental health');
  assert.equal(label('purpose', 'treatment'), 'Treatment');
  assert.equal(label('breakGlassReason', 'lifeThreatening'), 'Life-threatening');
  assert.equal(label('accessDenial', 'scopeNotGranted'), 'Category not granted');
  assert.equal(label('claimStatus', 'Settled'), 'Settled');
  assert.equal(label('scope', 'SomethingNew'), 'Something new');
  for (const s of Object.keys(SCOPES)) assert.ok(label('scope', s).length > 0);
  for (const r of Object.keys(ROLES)) assert.ok(label('role', r).length > 0);
  for (const p of PROXY_TYPES) assert.notEqual(label('proxyType', p), '');
});

test('the static tables are the metadata\'s enums', () => {
  const m = namesFromMetadata(metadataRegistry());
  assert.deepEqual(m.scopeBits, SCOPES);
  assert.deepEqual(m.purposeBits, PURPOSES);
  assert.deepEqual(m.scopes, Object.keys(SCOPES));
  assert.deepEqual(m.purposes, Object.keys(PURPOSES));
  assert.deepEqual(m.proxyTypes, [...PROXY_TYPES]);
  assert.deepEqual(m.decisions, [...DECISIONS]);
  assert.deepEqual(m.claimStatuses, [...CLAIM_STATUSES]);
  assert.deepEqual(m.breakGlassReasons, [...BREAK_GLASS_REASONS]);
  assert.deepEqual(m.verdicts, [...VERDICTS]);
  assert.deepEqual(m.reviews, [...REVIEWS]);
  assert.deepEqual(m.closeCauses, [...CLOSE_CAUSES]);
  assert.deepEqual(m.retractReasons, [...RETRACT_REASONS]);
  assert.deepEqual(m.accessDenials, [...ACCESS_DENIALS]);
  assert.deepEqual(m.providerStatuses, [...PROVIDER_STATUSES]);
  assert.deepEqual(m.patientActions, [...PATIENT_ACTIONS]);
});

test('roles: the metadata has the Roles bit set (u16) but not the Role enum, so ROLES is a fixed table', () => {
  const registry = metadataRegistry();
  const paths = registry.metadata.lookup.types.map((t) => t.type.path.map(String).join('::'));
  assert.ok(!paths.includes('healthchain_primitives::sets::Role'), 'no Role enum in the metadata');
  // A provider's `roles` is a plain u16 bit set.
  const provider = registry.metadata.lookup.types.find((t) => t.type.path.map(String).join('::') === 'pallet_providers::types::Provider');
  const roles = provider.type.def.asComposite.fields.find((f) => f.name.toString() === 'roles');
  assert.equal(registry.metadata.lookup.getTypeDef(roles.type).type, 'u16');
  assert.deepEqual(Object.values(ROLES), [1, 2, 4, 8, 16, 32]);
});
