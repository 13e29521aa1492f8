// End-to-end tests of every Healthchain pallet through real signed extrinsics and the node's
// RPCs, with polkadot-js and metadata only. Starts a dev node on free loopback ports, or uses
// WS_URL. Dev preset: Alice hospital+emergency, Bob clinic+lab, Charlie insurer (the three form
// the council; Alice is sudo); Dave is the patient.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { blake2AsHex } from '@polkadot/util-crypto';
import {
  connect, devAccounts, account, send, findEvent, decodeError, balance, providers, records,
  consent, claims, council,
} from '../src/index.js';
import { startNode } from '../src/node.js';

let node;
let api;
let dev;
const HLTH = 10n ** 12n;
const h = (label) => blake2AsHex(`healthchain e2e ${label} ${process.pid}`);

before(async () => {
  if (!process.env.WS_URL) node = await startNode(['--dev'], { name: 'client-e2e' });
  api = await connect(process.env.WS_URL ?? node.url);
  dev = devAccounts();
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

test('metadata exposes every pallet by its public name', () => {
  for (const p of ['providers', 'validatorSet', 'session', 'council', 'councilMembership',
    'records', 'consent', 'claims']) {
    assert.ok(api.tx[p] || api.query[p], `pallet ${p} in metadata`);
  }
  assert.equal(api.registry.chainSS58, 7373);
});

test('provider registration and approval by a council motion', async () => {
  const org = account(`//E2E/Pharmacy/${process.pid}`);
  // Fund the applicant: the deposit (100 HLTH) is held on registration.
  const fund = await send(api, api.tx.balances.transferKeepAlive(org.address, 1_000n * HLTH), dev.alice);
  assert.ok(fund.ok, fund.error?.message);
  const now = (await api.rpc.chain.getHeader()).number.toNumber();
  const reg = await providers.register(api, org, ['Pharmacy'], h('credential'), now + 100_000);
  assert.ok(reg.ok, reg.error?.message);
  assert.equal(await providers.status(api, org.address), 'Pending');
  const { reserved } = await balance(api, org.address);
  assert.equal(reserved, 100n * HLTH, 'deposit held');

  // A single member's motion (threshold 1 of 3) is too weak: BadOrigin inside Executed.
  const weak = await council.motion(api, api.tx.providers.approve(org.address),
    { proposer: dev.alice, ayes: [], threshold: 1 });
  assert.equal(weak.ok, false);
  assert.equal(weak.error?.name, 'BadOrigin');
  assert.equal(await providers.status(api, org.address), 'Pending');

  const motion = await council.motion(api, api.tx.providers.approve(org.address),
    { proposer: dev.alice, ayes: [dev.alice, dev.bob], closer: dev.charlie });
  assert.ok(motion.ok, motion.error?.message);
  assert.equal(await providers.status(api, org.address), 'Active');
});

test('records: anchor, amend, retract, anchorBatch and records_verify', async () => {
  const id = h('record');
  const [d1, d2] = [h('v1'), h('v2')];
  const a = await records.anchor(api, dev.alice, id, dev.dave.address, d1, 2);
  assert.ok(a.ok, a.error?.message);
  assert.deepEqual(await records.verify(api, id, d1), { status: 'valid', version: 1 });
  assert.ok((await records.amend(api, dev.alice, id, d2)).ok);
  assert.deepEqual(await records.verify(api, id, d1), { status: 'superseded', version: 1, latest: 2 });
  // Another provider cannot amend: named error, nothing changes.
  const other = await records.amend(api, dev.bob, id, h('v3'));
  assert.equal(other.error?.name, 'NotRecordAuthor');
  assert.deepEqual(await records.verify(api, id, d2), { status: 'valid', version: 2 });
  assert.ok((await records.retract(api, dev.alice, id, 'PatientRequest')).ok);
  assert.deepEqual(await records.verify(api, id, d2), { status: 'retracted' });

  const root = h('root');
  const b = await records.anchorBatch(api, dev.bob, root, 1_000);
  assert.ok(b.ok, b.error?.message);
  const ev = findEvent(b, 'records', 'BatchAnchored');
  assert.equal(ev.root.toHex(), root);
  assert.equal(ev.leafCount.toNumber(), 1_000);
});

test('consent: grant, consent_hasAccess, logAccess allowed then denied after revoke', async () => {
  const rec = h('consent record');
  assert.ok((await records.anchor(api, dev.bob, rec, dev.dave.address, h('consent digest'), 2)).ok);
  assert.equal(await consent.hasAccess(api, dev.dave.address, dev.bob.address, 'labs', 'treatment'), false);
  const g = await consent.grant(api, dev.dave, dev.bob.address, ['Clinical', 'Labs'], ['Treatment']);
  assert.ok(g.ok, g.error?.message);
  assert.ok(findEvent(g, 'consent', 'ConsentGranted'));
  assert.equal(await consent.hasAccess(api, dev.dave.address, dev.bob.address, 'labs', 'treatment'), true);
  const grants = await consent.grantsOf(api, dev.dave.address);
  assert.ok(grants.some((x) => x.grantee === dev.bob.address && x.live));

  const ok = await consent.logAccess(api, dev.bob, dev.dave.address, rec, 'Labs', 'Treatment');
  assert.ok(ok.ok, ok.error?.message);
  const logged = findEvent(ok, 'consent', 'AccessLogged');
  assert.equal(logged.basis.type, 'Consent');

  const wrong = await consent.logAccess(api, dev.bob, dev.dave.address, rec, 'Genomics', 'Treatment');
  assert.equal(wrong.error?.name, 'ScopeNotGranted');
  assert.ok((await consent.revoke(api, dev.dave, dev.bob.address)).ok);
  const denied = await consent.logAccess(api, dev.bob, dev.dave.address, rec, 'Labs', 'Treatment');
  assert.equal(denied.ok, false);
  assert.equal(denied.error.name, 'ConsentMissing');
  assert.match(denied.error.message, /^consent\.ConsentMissing: /);
  assert.equal(findEvent(denied, 'consent', 'AccessLogged'), null);
});

test('consent: break-glass by an emergency provider', async () => {
  const rec = h('bg record');
  assert.ok((await records.anchor(api, dev.alice, rec, dev.dave.address, h('bg digest'), 2)).ok);
  // Bob holds no Emergency role.
  const notEr = await consent.breakGlass(api, dev.bob, dev.dave.address);
  assert.equal(notEr.error?.name, 'NotEmergencyProvider');
  const bg = await consent.breakGlass(api, dev.alice, dev.dave.address, 'LifeThreatening');
  assert.ok(bg.ok, bg.error?.message);
  const opened = findEvent(bg, 'consent', 'BreakGlassOpened');
  assert.equal(opened.patient.toString(), dev.dave.address);
  const basis = await consent.accessBasis(api, dev.dave.address, dev.alice.address, 'mentalHealth', 'treatment');
  assert.deepEqual(basis, { allowed: true, basis: 'breakGlass', breakGlassId: opened.id.toNumber() });
  const logged = await consent.logAccess(api, dev.alice, dev.dave.address, rec, 'MentalHealth', 'Treatment');
  assert.ok(logged.ok, logged.error?.message);
  assert.equal(findEvent(logged, 'consent', 'AccessLogged').basis.type, 'BreakGlass');
  // Break-glass covers treatment only.
  const pay = await consent.logAccess(api, dev.alice, dev.dave.address, rec, 'Billing', 'Payment');
  assert.equal(pay.error?.name, 'ConsentMissing');
  // The council reviews it: root via sudo in the dev preset.
  const review = await send(api, api.tx.sudo.sudo(
    api.tx.consent.reviewBreakGlass(opened.id, 'Unjustified')), dev.alice);
  assert.ok(review.ok);
  assert.equal(findEvent(review, 'consent', 'BreakGlassReviewed').unjustifiedTotal.toNumber(), 1);
});

test('claims: submit, adjudicate, settle with balances checked to the unit', async () => {
  const rec = h('claim record');
  assert.ok((await records.anchor(api, dev.alice, rec, dev.dave.address, h('claim record digest'), 13)).ok);
  // Without the patient's billing consent the insurer cannot be billed.
  const noConsent = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address,
    h('claim 0'), 10n * HLTH, [rec]);
  assert.equal(noConsent.error?.name, 'ConsentMissing');
  assert.ok((await consent.grant(api, dev.dave, dev.charlie.address, ['Billing'], ['Payment'])).ok);

  const amount = 750n * HLTH;
  const sub = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address,
    h('claim 1'), amount, [rec]);
  assert.ok(sub.ok, sub.error?.message);
  const claimId = findEvent(sub, 'claims', 'ClaimSubmitted').claimId.toNumber();
  // The same digest again: DuplicateClaim.
  const dup = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address,
    h('claim 1'), amount, [rec]);
  assert.equal(dup.error?.name, 'DuplicateClaim');

  const insurer0 = await balance(api, dev.charlie.address);
  const adj = await claims.adjudicate(api, dev.charlie, claimId, { Partial: 600n * HLTH });
  assert.ok(adj.ok, adj.error?.message);
  const insurer1 = await balance(api, dev.charlie.address, adj.blockHash);
  assert.equal(insurer1.reserved - insurer0.reserved, 600n * HLTH, 'escrow held');

  // A keeper (Ferdie) settles: Alice receives exactly the approved amount.
  const provider0 = await balance(api, dev.alice.address);
  const st = await claims.settle(api, dev.ferdie, claimId);
  assert.ok(st.ok, st.error?.message);
  const provider1 = await balance(api, dev.alice.address, st.blockHash);
  const insurer2 = await balance(api, dev.charlie.address, st.blockHash);
  assert.equal(provider1.free - provider0.free, 600n * HLTH);
  assert.equal(insurer2.reserved, insurer0.reserved);
  const again = await claims.settle(api, dev.ferdie, claimId);
  assert.equal(again.error?.name, 'AlreadySettled');
  const got = await claims.get(api, claimId);
  assert.equal(got.status.state, 'settled');
  assert.equal(got.status.paid, (600n * HLTH).toString());
});

test('bad input: wrong origin, oversized values and unknown ids give named errors and change nothing', async () => {
  // Wrong origin: Dave is not the council.
  const who = dev.eve.address;
  const wrong = await send(api, api.tx.providers.approve(who), dev.dave);
  assert.equal(wrong.error?.name, 'BadOrigin');
  // Not a provider.
  const notProvider = await records.anchor(api, dev.dave, h('x'), dev.dave.address, h('y'), 1);
  assert.equal(notProvider.error?.name, 'NotActiveProvider');
  assert.equal((await api.query.records.records(h('x'))).isNone, true);
  // Oversized: a batch above MaxBatchLeaves, a claim above MaxClaimAmount.
  const maxLeaves = api.consts.records.maxBatchLeaves.toNumber();
  const big = await records.anchorBatch(api, dev.bob, h('big root'), maxLeaves + 1);
  assert.equal(big.error?.name, 'BatchTooLarge');
  const maxAmount = api.consts.claims.maxClaimAmount.toBigInt();
  const rich = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address,
    h('too much'), maxAmount + 1n, [h('no record')]);
  assert.equal(rich.error?.name, 'AmountTooLarge');
  // A batch over its bound does not even decode: the pool refuses it.
  const maxBatch = api.consts.consent.maxAccessBatch.toNumber();
  const entries = Array.from({ length: maxBatch + 1 }, () => ({
    patient: dev.dave.address, recordId: h('r'), scope: 'Labs', purpose: 'Treatment' }));
  await assert.rejects(send(api, api.tx.consent.logAccessBatch(entries), dev.bob));
  // Unknown ids.
  assert.equal((await claims.settle(api, dev.ferdie, 999_999)).error?.name, 'UnknownClaim');
  const review = await send(api, api.tx.sudo.sudo(
    api.tx.consent.reviewBreakGlass(999_999, 'Justified')), dev.alice);
  const sudid = findEvent(review, 'sudo', 'Sudid');
  assert.ok(sudid.sudoResult.isErr);
  assert.equal(decodeError(api, sudid.sudoResult.asErr).name, 'UnknownBreakGlass');
  assert.equal(await claims.get(api, 999_999), null);
  // Bad RPC input is an error with a message naming the valid values.
  await assert.rejects(consent.hasAccess(api, dev.dave.address, dev.bob.address, 'xrays', 'treatment'),
    /unknown scope 'xrays'; valid: clinical/);
});
