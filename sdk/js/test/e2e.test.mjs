// End-to-end against a dev node (binary: $HEALTHCHAIN_NODE, else
// ~/.cache/healthchain/target/release/healthchain-node; started on free loopback ports by
// scripts/client/src/node.js, or WS_URL to use a running one). Skipped, with a message, only
// when no node binary exists (and no WS_URL is given, and HEALTHCHAIN_REQUIRE_NODE is not 1);
// HEALTHCHAIN_NODE naming a missing file fails.
//
// Dev preset: Alice hospital+emergency, Bob clinic+lab, Charlie insurer (the council: Alice, Bob,
// Charlie; Alice is sudo); Dave is the patient.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { blake2AsHex } from '@polkadot/util-crypto';
import {
  HealthchainError, account, balance, claims, connect, consent, council, devAccounts, eventOf, explain,
  extensionSigner, findEvent, formatAddress, grantAction, patient, providers, proxy, proxySigner,
  records, send, ss58Prefix, validators, waitFor,
} from '../dist/index.js';
import { nodeBinary, startNode } from '../../../scripts/client/src/node.js';

const binary = nodeBinary();
// HEALTHCHAIN_REQUIRE_NODE=1 (CI) never skips: a missing binary fails in `before` (startNode).
const available = Boolean(process.env.WS_URL) || existsSync(binary) || Boolean(process.env.HEALTHCHAIN_NODE)
  || process.env.HEALTHCHAIN_REQUIRE_NODE === '1';
const skip = available ? false
  : `no node binary at ${binary}: set HEALTHCHAIN_NODE to a healthchain-node build (or WS_URL to a running dev node)`;
if (skip) console.log(`# e2e skipped: ${skip}`);

let node;
let api;
let dev;
const HLTH = 10n ** 12n;
const FIN = { finalized: true };
const h = (label) => blake2AsHex(`healthchain sdk e2e ${label} ${process.pid}`);

before(async () => {
  if (skip) return;
  if (!process.env.WS_URL) assert.ok(existsSync(binary), `no node binary at ${binary} (HEALTHCHAIN_REQUIRE_NODE=1 or HEALTHCHAIN_NODE set)`);
  if (!process.env.WS_URL) node = await startNode(['--dev'], { name: 'sdk-e2e' });
  api = await connect(process.env.WS_URL ?? node.url);
  dev = devAccounts();
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

test('connect: the SS58 prefix comes from the chain; custom RPCs are registered', { skip }, async () => {
  assert.equal(ss58Prefix(api), 7373);
  assert.equal(formatAddress(api, '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'), dev.alice.address);
  for (const section of ['records', 'consent', 'claims']) assert.ok(api.rpc[section], `api.rpc.${section}`);
  assert.ok(api.tx.consent.patientCall && api.query.consent.feelessUsage && api.consts.consent.feelessQuota);
});

test('a typed transaction through send reports signing, submitted, inBlock, finalized', { skip }, async () => {
  const to = account(`//SdkE2E/Transfer/${process.pid}`);
  const statuses = [];
  const r = await send(api, api.tx.balances.transferKeepAlive(to.address, 5n * HLTH), dev.alice,
    { finalized: true, onStatus: (s, d) => statuses.push([s, d.blockHash ?? null]) });
  assert.ok(r.ok, r.error?.message);
  assert.deepEqual(statuses.map(([s]) => s), ['signing', 'submitted', 'inBlock', 'finalized']);
  assert.equal(statuses[3][1], r.blockHash, 'finalized names the block');
  assert.equal((await balance(api, to.address)).free, 5n * HLTH);
  const transfer = eventOf(r, api.events.balances.Transfer);
  assert.equal(transfer.data.to.toString(), to.address);
  assert.ok(r.blockNumber > 0 && r.blockHash.startsWith('0x'));
});

test('consent by keypair; the custom RPCs answer (wrapper and api.rpc)', { skip }, async () => {
  const g = await consent.grant(api, dev.dave, dev.bob.address, ['Clinical', 'Labs'], ['Treatment'], null, null, FIN);
  assert.ok(g.ok, g.error?.message);
  assert.ok(findEvent(g, 'consent', 'ConsentGranted'));
  assert.equal(await consent.hasAccess(api, dev.dave.address, dev.bob.address, 'labs', 'treatment'), true);
  assert.equal((await api.rpc.consent.hasAccess(dev.dave.address, dev.bob.address, 'labs', 'treatment')).isTrue, true);
  const typedGrants = await api.rpc.consent.grantsOf(dev.dave.address);
  assert.ok(typedGrants.some((g) => g.toJSON().grantee === dev.bob.address), 'api.rpc answers Vec<Json>');
  assert.deepEqual((await api.rpc.consent.accessBasis(dev.dave.address, dev.bob.address, 'labs', 'treatment')).toJSON(),
    { allowed: true, basis: 'consent' });
  const grants = await consent.grantsOf(api, dev.dave.address);
  assert.ok(grants.some((x) => x.grantee === dev.bob.address && x.live && x.scopes.includes('labs')));
  assert.deepEqual(await consent.accessBasis(api, dev.dave.address, dev.bob.address, 'clinical', 'treatment'),
    { allowed: true, basis: 'consent' });
  const rec = await records.anchor(api, dev.bob, h('rec'), dev.dave.address, h('digest'), 2, 'Labs', FIN);
  assert.ok(rec.ok, rec.error?.message);
  assert.deepEqual(await records.verify(api, rec.recordId, h('digest')), { status: 'valid', version: 1 });
  assert.equal((await records.get(api, rec.recordId)).scope, 'labs');
  const typedRecord = await api.rpc.records.get(rec.recordId);
  assert.equal(typedRecord.unwrap().toJSON().author, dev.bob.address);
  assert.ok((await api.rpc.records.get(h('no such record'))).isNone);
  assert.deepEqual((await records.history(api, rec.recordId)).map((v) => v.version), [1]);
  assert.deepEqual(await consent.guardiansOf(api, dev.dave.address), []);
  assert.ok((await consent.revoke(api, dev.dave, dev.bob.address)).ok);
});

test('a dispatch error decodes to its name and a sentence from the metadata docs', { skip }, async () => {
  const rec = await records.anchor(api, dev.alice, h('no consent'), dev.eve.address, h('nc digest'), 2, 'Clinical');
  assert.ok(rec.ok, rec.error?.message);
  const denied = await consent.logAccess(api, dev.bob, dev.eve.address, rec.recordId, 'Treatment');
  assert.equal(denied.ok, false);
  assert.equal(denied.error.name, 'ConsentMissing');
  assert.equal(denied.error.section, 'consent');
  const sentence = explain(denied.error);
  assert.match(sentence, /^[A-Z].+\.$/);
  assert.ok(denied.error.docs && sentence.length > 10, sentence);
  const bad = await send(api, api.tx.providers.approve(dev.eve.address), dev.dave);
  assert.equal(bad.error?.name, 'BadOrigin');
  assert.match(explain(bad.error), /not allowed/);
});

test('fee-less: a zero-balance patient grants through patient.send; the paid path is refused with a sentence', { skip }, async () => {
  const pat = account(`//SdkE2E/Patient/${process.pid}`);
  assert.equal((await balance(api, pat.address)).free, 0n);
  const refused = await consent.grant(api, pat, dev.alice.address, ['Clinical'], ['Treatment']).then(() => null, (e) => e);
  assert.ok(refused instanceof HealthchainError, String(refused));
  assert.equal(refused.name, 'Payment');
  assert.match(refused.message, /Inability to pay some fees|1010/);
  assert.match(explain(refused), /^The account cannot pay the transaction fee/);

  const statuses = [];
  const g = await patient.send(api, pat, grantAction(dev.alice.address, ['Clinical'], ['Treatment']),
    { ...FIN, onStatus: (s) => statuses.push(s) });
  assert.ok(g.ok, g.error?.message);
  assert.deepEqual(statuses, ['signing', 'submitted', 'inBlock', 'finalized']);
  assert.ok(findEvent(g, 'consent', 'ConsentGranted'));
  assert.equal(findEvent(g, 'transactionPayment', 'TransactionFeePaid'), null, 'no fee charged');
  assert.equal(await consent.hasAccess(api, pat.address, dev.alice.address, 'clinical', 'treatment'), true);
  assert.equal((await balance(api, pat.address)).free, 0n);
  assert.equal((await patient.quota(api, pat.address)).used, 1);
  // A withdrawal of nothing is refused before inclusion, named and explained.
  const nothing = await patient.send(api, pat, { Revoke: { grantee: dev.charlie.address } }).then(() => null, (e) => e);
  assert.equal(nothing?.name, 'NothingToWithdraw');
  assert.match(explain(nothing), /nothing to withdraw/);
  // The same signed payload twice: a replay.
  const signed = await patient.sign(api, pat, { Revoke: { grantee: dev.alice.address } });
  assert.ok((await patient.submitFeeless(api, signed)).ok);
  await assert.rejects(patient.submitFeeless(api, signed), { name: 'PayloadNonceUsed' });
});

test('a proxy signer acts for its organisation within its type; the inner result is reported', { skip }, async () => {
  const gateway = account(`//SdkE2E/Gateway/${process.pid}`);
  assert.ok((await send(api, api.tx.balances.transferKeepAlive(gateway.address, 10n * HLTH), dev.alice)).ok);
  const added = await proxy.add(api, dev.alice, gateway.address, 'Records');
  assert.ok(added.ok, added.error?.message);
  assert.ok((await proxy.list(api, dev.alice.address)).some((p) => p.delegate === gateway.address && p.proxyType === 'Records'));
  const asAlice = proxySigner(gateway, dev.alice.address, 'Records');
  const a = await records.anchor(api, asAlice, h('proxied'), dev.dave.address, h('proxied digest'), 2, 'Labs');
  assert.ok(a.ok, a.error?.message);
  const anchored = eventOf(a, api.events.records.RecordAnchored);
  assert.equal(anchored.data.author.toString(), dev.alice.address);
  assert.equal(anchored.data.recordId.toHex(), a.recordId, 'the record id is derived from the organisation');
  const outside = await send(api, api.tx.balances.transferKeepAlive(gateway.address, HLTH), asAlice);
  assert.equal(outside.ok, false);
  assert.match(outside.error.name, /CallFiltered/);
  assert.ok((await proxy.remove(api, dev.alice, gateway.address, 'Records')).ok);
});

test('an extension signer (signPayload) sends like a keypair', { skip }, async () => {
  const pair = dev.ferdie;
  let id = 0;
  const injected = {
    async signPayload(payload) {
      const ext = api.registry.createType('ExtrinsicPayload', payload, { version: payload.version });
      return { id: ++id, signature: ext.sign(pair).signature };
    },
  };
  const signer = extensionSigner(pair.address, injected);
  const r = await send(api, api.tx.system.remark('0x01'), signer);
  assert.ok(r.ok, r.error?.message);
  assert.ok(id >= 1, 'the extension signed');
});

test('council: propose, vote and close separately; openMotions decodes the motion; providers.pending', { skip }, async () => {
  const org = account(`//SdkE2E/Org/${process.pid}`);
  assert.ok((await send(api, api.tx.balances.transferKeepAlive(org.address, 1_000n * HLTH), dev.alice)).ok);
  const now = (await api.rpc.chain.getHeader()).number.toNumber();
  const reg = await providers.register(api, org, ['Pharmacy'], h('credential'), now + 100_000);
  assert.ok(reg.ok, reg.error?.message);
  const pending = await providers.pending(api);
  const mine = pending.find((p) => p.account === org.address);
  assert.ok(mine, 'listed as pending');
  assert.deepEqual(mine.roles, ['Pharmacy']);
  assert.equal(mine.deposit, 100n * HLTH);

  const proposed = await council.propose(api, dev.alice, providers.approveCall(api, org.address));
  assert.ok(proposed.ok, proposed.error?.message);
  assert.equal(proposed.executed, false);
  const open = await council.openMotions(api);
  const motion = open.find((m) => m.hash === proposed.proposalHash);
  assert.ok(motion, 'the motion is open');
  assert.equal(motion.call, 'providers.approve');
  assert.equal(motion.index, proposed.proposalIndex);
  assert.equal(motion.threshold, 2);
  assert.ok(motion.end > now);
  assert.deepEqual(Object.keys(motion.args), ['who']);
  assert.equal(formatAddress(api, String(motion.args.who)), org.address);
  assert.equal(motion.closable, false);

  for (const m of [dev.alice, dev.bob]) {
    const v = await council.vote(api, m, proposed.proposalHash, proposed.proposalIndex, true);
    assert.ok(v.ok, v.error?.message);
  }
  const voted = (await council.openMotions(api)).find((m) => m.hash === proposed.proposalHash);
  assert.deepEqual(voted.ayes.sort(), [dev.alice.address, dev.bob.address].sort());
  assert.equal(voted.closable, true);
  const closed = await council.close(api, dev.charlie, proposed.proposalHash, proposed.proposalIndex);
  assert.ok(closed.ok, closed.error?.message);
  assert.equal(await providers.status(api, org.address), 'Active');
  assert.ok(!(await council.openMotions(api)).some((m) => m.hash === proposed.proposalHash));
  assert.ok((await council.members(api)).includes(dev.charlie.address));
});

test('validators: the current set and session; candidates are active organisations not admitted', { skip }, async () => {
  const s = await validators.status(api);
  assert.ok(s.current.includes(dev.alice.address));
  assert.ok(s.admitted.includes(dev.alice.address));
  assert.ok(s.sessionLength > 0);
  assert.ok(s.sessionIndex >= 0);
  const candidates = await validators.candidates(api);
  assert.ok(!candidates.some((c) => c.account === dev.alice.address));
  assert.ok(candidates.some((c) => c.account === dev.bob.address));
});

test('claims: an insurer\'s queue lists a submitted claim with its adjudication deadline', { skip }, async () => {
  assert.ok((await consent.grant(api, dev.dave, dev.charlie.address, ['Billing'], ['Payment'])).ok);
  assert.ok((await consent.grant(api, dev.dave, dev.alice.address, ['Clinical'], ['Treatment'])).ok);
  const rec = await records.anchor(api, dev.alice, h('claim record'), dev.dave.address, h('claim digest'), 13, 'Clinical');
  assert.ok(rec.ok, rec.error?.message);
  const sub = await claims.submit(api, dev.alice, dev.charlie.address, dev.dave.address, h('claim'), 50n * HLTH, [rec.recordId], FIN);
  assert.ok(sub.ok, sub.error?.message);
  const id = findEvent(sub, 'claims', 'ClaimSubmitted').claimId.toNumber();
  const queue = await waitFor('claim in the queue', async () =>
    (await claims.byInsurer(api, dev.charlie.address)).find((q) => q.claim.id === id), 30_000);
  assert.equal(queue.action, 'adjudicate');
  assert.equal(queue.deadline, queue.claim.submittedAt + api.consts.claims.adjudicationDeadline.toNumber());
  assert.equal(queue.overdue, false);
  assert.equal(queue.claim.amount, (50n * HLTH).toString());
  assert.ok((await claims.of(api, dev.charlie.address)).includes(id));
  const adj = await claims.adjudicate(api, dev.charlie, id, 'Approve', FIN);
  assert.ok(adj.ok, adj.error?.message);
  const settle = (await claims.byInsurer(api, dev.charlie.address)).find((q) => q.claim.id === id);
  assert.equal(settle.action, 'settle');
  assert.ok((await claims.settle(api, dev.ferdie, id)).ok);
  assert.ok((await consent.revoke(api, dev.dave, dev.alice.address)).ok);
  assert.ok((await consent.revoke(api, dev.dave, dev.charlie.address)).ok);
});
