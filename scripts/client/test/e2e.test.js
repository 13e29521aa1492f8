// End-to-end tests of every Healthchain pallet through real signed extrinsics and the node's
// RPCs, with polkadot-js and metadata only. Starts a dev node on free loopback ports, or uses
// WS_URL. Dev preset: Alice hospital+emergency, Bob clinic+lab, Charlie insurer (the three form
// the council; Alice is sudo); Dave is the patient.
//
// The records_*, consent_* and claims_* RPCs answer at the finalized block: a test that reads
// them right after an extrinsic sends it with `FIN` (resolves once its block is finalized).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { blake2AsHex } from '@polkadot/util-crypto';
import {
  connect, devAccounts, account, send, findEvent, decodeError, balance, waitFor, recordIdOf,
  treasuryAddress, providers, records, consent, claims, council,
} from '@healthchain/sdk';
import { startNode } from '../src/node.js';

let node;
let api;
let dev;
const HLTH = 10n ** 12n;
const FIN = { finalized: true };
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

/** `sudo(call)` by Alice; asserts the inner call succeeded. */
async function sudo(call, opts) {
  const r = await send(api, api.tx.sudo.sudo(call), dev.alice, opts);
  assert.ok(r.ok, r.error?.message);
  const sudid = findEvent(r, 'sudo', 'Sudid');
  assert.ok(sudid.sudoResult.isOk,
    sudid.sudoResult.isErr ? decodeError(api, sudid.sudoResult.asErr).message : '');
  return r;
}

test('metadata exposes every pallet by its public name', () => {
  for (const p of ['providers', 'validatorSet', 'session', 'council', 'councilMembership',
    'records', 'consent', 'claims']) {
    assert.ok(api.tx[p] || api.query[p], `pallet ${p} in metadata`);
  }
  assert.equal(api.registry.chainSS58, 7373);
  assert.deepEqual(api.tx.records.anchor.meta.args.map((a) => a.name.toString()),
    ['localId', 'subject', 'digest', 'kind', 'scope']);
  assert.deepEqual(api.tx.consent.logAccess.meta.args.map((a) => a.name.toString()),
    ['patient', 'recordId', 'purpose']);
  assert.ok(api.tx.consent.closeBreakGlass && api.tx.records.forceRetract);
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

test('records: ids derived from the author, scope fixed at anchor, amend, retract, forceRetract, anchorBatch', async () => {
  const local = h('record');
  const [d1, d2] = [h('v1'), h('v2')];
  const a = await records.anchor(api, dev.alice, local, dev.dave.address, d1, 2, 'Labs', FIN);
  assert.ok(a.ok, a.error?.message);
  const id = a.recordId;
  assert.equal(id, recordIdOf(dev.alice.address, local));
  assert.notEqual(id, local);
  const anchored = findEvent(a, 'records', 'RecordAnchored');
  assert.equal(anchored.recordId.toHex(), id, 'the chain derives the same id');
  assert.equal(anchored.scope.type, 'Labs');
  assert.deepEqual(await records.verify(api, id, d1), { status: 'valid', version: 1 });
  assert.deepEqual(await records.verify(api, local, d1), { status: 'unknown' });
  const got = await records.get(api, id);
  assert.equal(got.scope, 'labs');
  assert.equal(got.author, dev.alice.address);
  assert.equal(got.subject, dev.dave.address);
  assert.equal(got.kind, 2);

  // Another organisation anchoring the same local id (a front-runner copying Alice's pending
  // anchor) only ever creates its own record, under another id.
  const b = await records.anchor(api, dev.bob, local, dev.dave.address, h('bob v1'), 2, 'Clinical', FIN);
  assert.ok(b.ok, b.error?.message);
  assert.notEqual(b.recordId, id);
  assert.equal((await records.get(api, b.recordId)).author, dev.bob.address);
  assert.equal((await records.get(api, id)).author, dev.alice.address);
  const twice = await records.anchor(api, dev.alice, local, dev.dave.address, h('v1 again'), 2, 'Labs');
  assert.equal(twice.error?.name, 'RecordAlreadyExists');

  assert.ok((await records.amend(api, dev.alice, id, d2, FIN)).ok);
  assert.deepEqual(await records.verify(api, id, d1), { status: 'superseded', version: 1, latest: 2 });
  assert.equal((await records.get(api, id)).scope, 'labs', 'amend keeps the scope');
  // Another provider cannot amend: named error, nothing changes.
  const other = await records.amend(api, dev.bob, id, h('v3'), FIN);
  assert.equal(other.error?.name, 'NotRecordAuthor');
  assert.deepEqual(await records.verify(api, id, d2), { status: 'valid', version: 2 });
  assert.ok((await records.retract(api, dev.alice, id, 'PatientRequest', FIN)).ok);
  assert.deepEqual(await records.verify(api, id, d2), { status: 'retracted' });

  // Governance retracts Bob's record (root via sudo in the dev preset); a provider cannot.
  const notGov = await send(api, records.forceRetractCall(api, b.recordId, 'Other'), dev.bob);
  assert.equal(notGov.error?.name, 'BadOrigin');
  const fr = await sudo(records.forceRetractCall(api, b.recordId, 'EnteredInError'), FIN);
  assert.equal(findEvent(fr, 'records', 'RecordForceRetracted').recordId.toHex(), b.recordId);
  const gone = await records.get(api, b.recordId);
  assert.equal(gone.status, 'retracted');
  assert.equal(gone.retraction.reason, 'enteredInError');

  const root = h('root');
  const batch = await records.anchorBatch(api, dev.bob, root, 1_000);
  assert.ok(batch.ok, batch.error?.message);
  const ev = findEvent(batch, 'records', 'BatchAnchored');
  assert.equal(ev.root.toHex(), root);
  assert.equal(ev.leafCount.toNumber(), 1_000);
});

test('fees go to the treasury: total issuance unchanged, the sender pays exactly amount + fee', async () => {
  const treasury = treasuryAddress();
  const amount = 3n * HLTH;
  const r = await send(api, api.tx.balances.transferKeepAlive(dev.eve.address, amount), dev.ferdie);
  assert.ok(r.ok, r.error?.message);
  const header = await api.rpc.chain.getHeader(r.blockHash);
  const [pre, post] = [await api.at(header.parentHash), await api.at(r.blockHash)];
  const issuance = async (q) => (await q.query.balances.totalIssuance()).toBigInt();
  assert.equal(await issuance(post), await issuance(pre), 'total issuance unchanged');
  // Every fee paid in the block (only signed extrinsics pay) lands in the treasury.
  // `actual_fee` of TransactionFeePaid includes the tip.
  let fees = 0n;
  for (const { event } of await post.query.system.events()) {
    if (event.section === 'transactionPayment' && event.method === 'TransactionFeePaid') {
      fees += event.data[1].toBigInt();
    }
  }
  const fee = findEvent(r, 'transactionPayment', 'TransactionFeePaid').actualFee.toBigInt();
  assert.ok(fee > 0n && fees >= fee);
  const free = async (q, who) => (await q.query.system.account(who)).data.free.toBigInt();
  assert.equal(await free(post, treasury) - await free(pre, treasury), fees, 'treasury got the fees');
  assert.equal(await free(pre, dev.ferdie.address) - await free(post, dev.ferdie.address), amount + fee);
});

test('consent: grant, consent_hasAccess, consent_recordAccess, logAccess by the record\'s own scope, denied after revoke', async () => {
  const labs = await records.anchor(api, dev.bob, h('consent record'), dev.dave.address, h('consent digest'), 2, 'Labs');
  assert.ok(labs.ok, labs.error?.message);
  const genomics = await records.anchor(api, dev.bob, h('genomics record'), dev.dave.address, h('genomics digest'), 2, 'Genomics');
  assert.ok(genomics.ok, genomics.error?.message);
  assert.equal(await consent.hasAccess(api, dev.dave.address, dev.bob.address, 'labs', 'treatment'), false);
  const g = await consent.grant(api, dev.dave, dev.bob.address, ['Clinical', 'Labs'], ['Treatment'], null, null, FIN);
  assert.ok(g.ok, g.error?.message);
  assert.ok(findEvent(g, 'consent', 'ConsentGranted'));
  assert.equal(await consent.hasAccess(api, dev.dave.address, dev.bob.address, 'labs', 'treatment'), true);
  const grants = await consent.grantsOf(api, dev.dave.address);
  assert.ok(grants.some((x) => x.grantee === dev.bob.address && x.live));
  assert.deepEqual(await consent.recordAccess(api, dev.bob.address, labs.recordId, 'treatment'),
    { allowed: true, basis: 'consent', patient: dev.dave.address, scope: 'labs' });
  assert.deepEqual(await consent.recordAccess(api, dev.bob.address, genomics.recordId, 'treatment'),
    { allowed: false, reason: 'scopeNotGranted' });
  assert.deepEqual(await consent.recordAccess(api, dev.bob.address, h('no such record'), 'treatment'),
    { allowed: false, reason: 'unknownRecord' });
  // Ferdie is no provider organisation.
  assert.deepEqual(await consent.recordAccess(api, dev.ferdie.address, labs.recordId, 'treatment'),
    { allowed: false, reason: 'notActiveProvider' });

  const ok = await consent.logAccess(api, dev.bob, dev.dave.address, labs.recordId, 'Treatment');
  assert.ok(ok.ok, ok.error?.message);
  const logged = findEvent(ok, 'consent', 'AccessLogged');
  assert.equal(logged.basis.type, 'Consent');
  assert.equal(logged.scope.type, 'Labs', 'the record\'s scope');

  // The genomics record is outside Bob's grant: its own scope decides, not the caller.
  const wrong = await consent.logAccess(api, dev.bob, dev.dave.address, genomics.recordId, 'Treatment');
  assert.equal(wrong.error?.name, 'ScopeNotGranted');
  assert.ok((await consent.revoke(api, dev.dave, dev.bob.address)).ok);
  const denied = await consent.logAccess(api, dev.bob, dev.dave.address, labs.recordId, 'Treatment');
  assert.equal(denied.ok, false);
  assert.equal(denied.error.name, 'ConsentMissing');
  assert.match(denied.error.message, /^consent\.ConsentMissing: /);
  assert.equal(findEvent(denied, 'consent', 'AccessLogged'), null);
});

test('consent: an insurer with a billing grant is refused a mental-health record, by consent_recordAccess and by logAccess', async () => {
  // The security review's "tried on a dev node" scenario: the insurer (Charlie) holds Dave's
  // live Billing grant for Payment and asks for Dave's mental-health note.
  const note = await records.anchor(api, dev.alice, h('mh note'), dev.dave.address, h('mh digest'), 2, 'MentalHealth');
  assert.ok(note.ok, note.error?.message);
  const bill = await records.anchor(api, dev.alice, h('bill record'), dev.dave.address, h('bill digest'), 2, 'Billing');
  assert.ok(bill.ok, bill.error?.message);
  const g = await consent.grant(api, dev.dave, dev.charlie.address, ['Billing'], ['Payment'], null, null, FIN);
  assert.ok(g.ok, g.error?.message);
  assert.deepEqual(await consent.accessBasis(api, dev.dave.address, dev.charlie.address, 'billing', 'payment'),
    { allowed: true, basis: 'consent' }, 'the billing grant is live');

  assert.deepEqual(await consent.recordAccess(api, dev.charlie.address, note.recordId, 'payment'),
    { allowed: false, reason: 'scopeNotGranted' });
  const denied = await consent.logAccess(api, dev.charlie, dev.dave.address, note.recordId, 'Payment');
  assert.equal(denied.error?.name, 'ScopeNotGranted');
  assert.equal(findEvent(denied, 'consent', 'AccessLogged'), null, 'no "consented" access logged');

  // The billing record is what the grant covers.
  assert.deepEqual(await consent.recordAccess(api, dev.charlie.address, bill.recordId, 'payment'),
    { allowed: true, basis: 'consent', patient: dev.dave.address, scope: 'billing' });
  const ok = await consent.logAccess(api, dev.charlie, dev.dave.address, bill.recordId, 'Payment');
  assert.ok(ok.ok, ok.error?.message);
  assert.equal(findEvent(ok, 'consent', 'AccessLogged').scope.type, 'Billing');

  // Retracted by governance (an erasure request): no longer disclosed.
  await sudo(records.forceRetractCall(api, bill.recordId, 'PatientRequest'), FIN);
  assert.deepEqual(await consent.recordAccess(api, dev.charlie.address, bill.recordId, 'payment'),
    { allowed: false, reason: 'recordRetracted' });
  const retracted = await consent.logAccess(api, dev.charlie, dev.dave.address, bill.recordId, 'Payment');
  assert.equal(retracted.error?.name, 'RecordRetracted');

  assert.ok((await consent.revoke(api, dev.dave, dev.charlie.address)).ok);
});

test('consent: break-glass by an emergency provider, reviewed, closed early by the patient', async () => {
  const rec = await records.anchor(api, dev.alice, h('bg record'), dev.dave.address, h('bg digest'), 2, 'MentalHealth');
  assert.ok(rec.ok, rec.error?.message);
  // Bob holds no Emergency role.
  const notEr = await consent.breakGlass(api, dev.bob, dev.dave.address);
  assert.equal(notEr.error?.name, 'NotEmergencyProvider');
  const bg = await consent.breakGlass(api, dev.alice, dev.dave.address, 'LifeThreatening', FIN);
  assert.ok(bg.ok, bg.error?.message);
  const opened = findEvent(bg, 'consent', 'BreakGlassOpened');
  assert.equal(opened.patient.toString(), dev.dave.address);
  const id = opened.id.toNumber();
  const basis = await consent.accessBasis(api, dev.dave.address, dev.alice.address, 'mentalHealth', 'treatment');
  assert.deepEqual(basis, { allowed: true, basis: 'breakGlass', breakGlassId: id });
  assert.deepEqual(await consent.recordAccess(api, dev.alice.address, rec.recordId, 'treatment'),
    { allowed: true, basis: 'breakGlass', breakGlassId: id, patient: dev.dave.address, scope: 'mentalHealth' });
  const logged = await consent.logAccess(api, dev.alice, dev.dave.address, rec.recordId, 'Treatment');
  assert.ok(logged.ok, logged.error?.message);
  const entry = findEvent(logged, 'consent', 'AccessLogged');
  assert.equal(entry.basis.type, 'BreakGlass');
  assert.equal(entry.scope.type, 'MentalHealth');
  // Break-glass covers treatment only.
  const pay = await consent.logAccess(api, dev.alice, dev.dave.address, rec.recordId, 'Payment');
  assert.equal(pay.error?.name, 'ConsentMissing');
  // The council reviews it (root via sudo in the dev preset): justified, the window stays open.
  const review = await sudo(api.tx.consent.reviewBreakGlass(opened.id, 'Justified'));
  const reviewed = findEvent(review, 'consent', 'BreakGlassReviewed');
  assert.equal(reviewed.verdict.type, 'Justified');
  assert.equal(reviewed.suspended.isTrue, false);
  assert.equal(findEvent(review, 'consent', 'BreakGlassClosed'), null);

  // Only the patient, a guardian or governance closes it: not Bob.
  const notPatient = await consent.closeBreakGlass(api, dev.bob, dev.dave.address, dev.alice.address);
  assert.equal(notPatient.error?.name, 'NotPatientOrGuardian');
  const closed = await consent.closeBreakGlass(api, dev.dave, dev.dave.address, dev.alice.address, FIN);
  assert.ok(closed.ok, closed.error?.message);
  const ev = findEvent(closed, 'consent', 'BreakGlassClosed');
  assert.equal(ev.id.toNumber(), id);
  assert.equal(ev.provider.toString(), dev.alice.address);
  assert.equal(ev.cause.type, 'Patient');
  assert.deepEqual(await consent.accessBasis(api, dev.dave.address, dev.alice.address, 'mentalHealth', 'treatment'),
    { allowed: false, reason: 'consentMissing' });
  assert.equal((await consent.breakGlassInfo(api, id)).open, false,
    'consent_breakGlass reports the window the patient closed as closed');
  const after = await consent.logAccess(api, dev.alice, dev.dave.address, rec.recordId, 'Treatment');
  assert.equal(after.error?.name, 'ConsentMissing');
  const again = await consent.closeBreakGlass(api, dev.dave, dev.dave.address, dev.alice.address);
  assert.equal(again.error?.name, 'NoOpenWindow');
});

test('break-glass: an unjustified review closes the live window, the third suspends the provider', async () => {
  // A throwaway emergency organisation, so no dev account is ever suspended.
  const er = account(`//E2E/Emergency/${process.pid}`);
  const fund = await send(api, api.tx.balances.transferKeepAlive(er.address, 1_000n * HLTH), dev.alice);
  assert.ok(fund.ok, fund.error?.message);
  const now = (await api.rpc.chain.getHeader()).number.toNumber();
  const reg = await providers.register(api, er, ['Hospital', 'Emergency'], h('er credential'), now + 100_000);
  assert.ok(reg.ok, reg.error?.message);
  const motion = await council.motion(api, api.tx.providers.approve(er.address),
    { proposer: dev.alice, ayes: [dev.alice, dev.bob], closer: dev.charlie });
  assert.ok(motion.ok, motion.error?.message);
  assert.equal(await providers.status(api, er.address), 'Active');
  const rec = await records.anchor(api, dev.alice, h('er record'), dev.dave.address, h('er digest'), 2, 'Clinical');
  assert.ok(rec.ok, rec.error?.message);

  let review;
  for (let i = 1; i <= 3; i++) {
    const bg = await consent.breakGlass(api, er, dev.dave.address, 'Other');
    assert.ok(bg.ok, `window ${i}: ${bg.error?.message}`);
    const id = findEvent(bg, 'consent', 'BreakGlassOpened').id.toNumber();
    review = await sudo(api.tx.consent.reviewBreakGlass(id, 'Unjustified'));
    const reviewed = findEvent(review, 'consent', 'BreakGlassReviewed');
    assert.equal(reviewed.unjustifiedTotal.toNumber(), i);
    assert.equal(reviewed.suspended.isTrue, i === 3, `suspended at the third verdict (${i})`);
    const closed = findEvent(review, 'consent', 'BreakGlassClosed');
    assert.ok(closed, `the live window ${i} is closed by the verdict`);
    assert.equal(closed.id.toNumber(), id);
    assert.equal(closed.cause.type, 'Unjustified');
  }
  assert.ok(findEvent(review, 'providers', 'SuspendedForCause'));
  assert.equal(await providers.status(api, er.address), 'Suspended');
  const more = await consent.breakGlass(api, er, dev.dave.address, 'Other');
  assert.equal(more.error?.name, 'NotEmergencyProvider');
  const log = await consent.logAccess(api, er, dev.dave.address, rec.recordId, 'Treatment');
  assert.equal(log.error?.name, 'NotActiveProvider');
  await waitFor('suspension finalized', async () => {
    const r = await consent.recordAccess(api, er.address, rec.recordId, 'treatment');
    return r.allowed === false && r.reason === 'notActiveProvider';
  }, 60_000);
});

test('claims: only with a care relationship; submit, adjudicate, settle with balances checked to the unit', async () => {
  const rec = await records.anchor(api, dev.alice, h('claim record'), dev.dave.address, h('claim record digest'), 13, 'Clinical');
  assert.ok(rec.ok, rec.error?.message);
  // Without the patient's billing consent the insurer cannot be billed.
  const noConsent = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address,
    h('claim 0'), 10n * HLTH, [rec.recordId]);
  assert.equal(noConsent.error?.name, 'ConsentMissing');
  assert.ok((await consent.grant(api, dev.dave, dev.charlie.address, ['Billing'], ['Payment'])).ok);

  // Nor without a care relationship: Dave never consented to Alice treating him, so she cannot
  // bill his insurer, even for a record she anchored herself ...
  const amount = 750n * HLTH;
  const noCare = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address,
    h('claim 1'), amount, [rec.recordId]);
  assert.equal(noCare.error?.name, 'NoCareRelationship');
  // ... nor with a treatment grant for another category than the record's (Clinical).
  assert.ok((await consent.grant(api, dev.dave, dev.alice.address, ['Labs'], ['Treatment'])).ok);
  const otherScope = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address,
    h('claim 1'), amount, [rec.recordId]);
  assert.equal(otherScope.error?.name, 'NoCareRelationship');
  assert.ok((await consent.grant(api, dev.dave, dev.alice.address, ['Clinical', 'Labs'], ['Treatment'])).ok);

  const sub = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address,
    h('claim 1'), amount, [rec.recordId]);
  assert.ok(sub.ok, sub.error?.message);
  const claimId = findEvent(sub, 'claims', 'ClaimSubmitted').claimId.toNumber();
  // The same digest again: DuplicateClaim.
  const dup = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address,
    h('claim 1'), amount, [rec.recordId]);
  assert.equal(dup.error?.name, 'DuplicateClaim');
  // An insurer with an open claim cannot leave the registry.
  const leave = await send(api, api.tx.providers.deregister(), dev.charlie);
  assert.equal(leave.error?.name, 'OpenObligations');
  assert.equal(await providers.status(api, dev.charlie.address), 'Active');

  const insurer0 = await balance(api, dev.charlie.address);
  const adj = await claims.adjudicate(api, dev.charlie, claimId, { Partial: 600n * HLTH });
  assert.ok(adj.ok, adj.error?.message);
  const insurer1 = await balance(api, dev.charlie.address, adj.blockHash);
  assert.equal(insurer1.reserved - insurer0.reserved, 600n * HLTH, 'escrow held');

  // A keeper (Ferdie) settles: Alice receives exactly the approved amount.
  const provider0 = await balance(api, dev.alice.address);
  const st = await claims.settle(api, dev.ferdie, claimId, FIN);
  assert.ok(st.ok, st.error?.message);
  const provider1 = await balance(api, dev.alice.address, st.blockHash);
  const insurer2 = await balance(api, dev.charlie.address, st.blockHash);
  assert.equal(provider1.free - provider0.free, 600n * HLTH);
  assert.equal(insurer2.reserved, insurer0.reserved);
  const got = await claims.get(api, claimId);
  assert.equal(got.status.state, 'settled');
  assert.equal(got.status.paid, (600n * HLTH).toString());
  const again = await claims.settle(api, dev.ferdie, claimId);
  assert.equal(again.error?.name, 'AlreadySettled');

  // Leave Dave's grants as they were.
  assert.ok((await consent.revoke(api, dev.dave, dev.alice.address)).ok);
  assert.ok((await consent.revoke(api, dev.dave, dev.charlie.address)).ok);
});

test('bad input: wrong origin, oversized values and unknown ids give named errors and change nothing', async () => {
  // Wrong origin: Dave is not the council.
  const who = dev.eve.address;
  const wrong = await send(api, api.tx.providers.approve(who), dev.dave);
  assert.equal(wrong.error?.name, 'BadOrigin');
  // Not a provider.
  const notProvider = await records.anchor(api, dev.dave, h('x'), dev.dave.address, h('y'), 1, 'Clinical');
  assert.equal(notProvider.error?.name, 'NotActiveProvider');
  assert.equal((await api.query.records.records(recordIdOf(dev.dave.address, h('x')))).isNone, true);
  // A scope that does not exist is refused before signing.
  await assert.rejects(records.anchor(api, dev.alice, h('z'), dev.dave.address, h('z'), 1, 'Xrays'),
    /unknown scope 'Xrays'; valid: Clinical/);
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
    patient: dev.dave.address, recordId: h('r'), purpose: 'Treatment' }));
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
  await assert.rejects(consent.recordAccess(api, dev.bob.address, h('r'), 'marketing'),
    /unknown purpose 'marketing'; valid: treatment/);
});
