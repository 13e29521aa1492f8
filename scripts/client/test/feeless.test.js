// End-to-end tests of fee-less patient calls and of delegation (proxies, multisig) on a dev
// node: a patient whose account never held HLTH grants, revokes, appoints a guardian and closes
// a break-glass window; replays, expired and forged payloads and the quota's (n+1)-th call are
// refused with named errors while a revocation still goes through; a records-gateway proxy key
// anchors for its hospital and can do nothing outside its proxy type; a 2-of-3 multisig acts.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { blake2AsHex, createKeyMulti, encodeAddress, sortAddresses } from '@polkadot/util-crypto';
import {
  connect, devAccounts, account, send, findEvent, balance, bits, recordIdOf, SCOPES, PURPOSES,
  SS58_PREFIX, records, consent, patient, proxy,
} from '@healthchain/sdk';
import { startNode } from '../src/node.js';

let node;
let api;
let dev;
const HLTH = 10n ** 12n;
const FIN = { finalized: true };
const h = (label) => blake2AsHex(`healthchain fee-less e2e ${label} ${process.pid}`);

before(async () => {
  if (!process.env.WS_URL) node = await startNode(['--dev'], { name: 'client-feeless' });
  api = await connect(process.env.WS_URL ?? node.url);
  dev = devAccounts();
});

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

const grantOf = (grantee, scopes = ['Clinical'], purposes = ['Treatment']) => ({
  Grant: { grantee, scopes: bits(SCOPES, scopes), purposes: bits(PURPOSES, purposes),
    expiresAt: null, consentDigest: null },
});

test('a patient with no HLTH grants, the provider logs access, the patient revokes, the provider is denied', async () => {
  const pat = account(`//Feeless/Patient/${process.pid}`);
  assert.equal((await balance(api, pat.address)).free, 0n);
  assert.equal((await api.query.system.account(pat.address)).providers.toNumber(), 0, 'no account at all');
  // The ordinary path needs a fee the patient cannot pay.
  await assert.rejects(consent.grant(api, pat, dev.alice.address, ['Clinical'], ['Treatment']),
    /Inability to pay some fees|1010/);

  const record = await records.anchor(api, dev.alice, h('record'), pat.address, h('digest'), 2, 'Clinical');
  assert.ok(record.ok, record.error?.message);

  const g = await patient.send(api, pat, grantOf(dev.alice.address), FIN);
  assert.ok(g.ok, g.error?.message);
  const exec = findEvent(g, 'consent', 'PatientCallExecuted');
  assert.ok(exec.relayer.isNone, 'fee-less: no relayer');
  assert.ok(findEvent(g, 'consent', 'ConsentGranted'));
  assert.equal(findEvent(g, 'transactionPayment', 'TransactionFeePaid'), null, 'no fee charged');
  assert.equal(await consent.hasAccess(api, pat.address, dev.alice.address, 'clinical', 'treatment'), true);

  const logged = await consent.logAccess(api, dev.alice, pat.address, record.recordId, 'Treatment');
  assert.ok(logged.ok, logged.error?.message);

  const r = await patient.send(api, pat, { Revoke: { grantee: dev.alice.address } }, FIN);
  assert.ok(r.ok, r.error?.message);
  assert.ok(findEvent(r, 'consent', 'ConsentRevoked'));
  const denied = await consent.logAccess(api, dev.alice, pat.address, record.recordId, 'Treatment');
  assert.equal(denied.error?.name, 'ConsentMissing');
  assert.equal((await balance(api, pat.address)).free, 0n, 'still holds nothing');
});

test('replayed, expired, forged and no-op payloads are refused before inclusion with named errors', async () => {
  const pat = account(`//Feeless/Refusals/${process.pid}`);
  const signed = await patient.sign(api, pat, grantOf(dev.bob.address));
  assert.ok((await patient.submitFeeless(api, signed)).ok);
  await assert.rejects(patient.submitFeeless(api, signed), { name: 'PayloadNonceUsed' });

  const expired = await patient.sign(api, pat, grantOf(dev.charlie.address), { validFor: -1 });
  await assert.rejects(patient.submitFeeless(api, expired), { name: 'PayloadExpired' });

  const tooLong = await patient.sign(api, pat, grantOf(dev.charlie.address), { validFor: 100_000 });
  await assert.rejects(patient.submitFeeless(api, tooLong), { name: 'PayloadLifetimeTooLong' });

  const forged = await patient.sign(api, pat, grantOf(dev.charlie.address));
  const other = await patient.sign(api, dev.eve, grantOf(dev.charlie.address), { nonce: forged.payload.nonce });
  await assert.rejects(patient.submitFeeless(api, { payload: forged.payload, signature: other.signature }),
    { name: 'BadPayloadSignature' });

  await assert.rejects(patient.send(api, pat, { Revoke: { grantee: dev.charlie.address } }),
    { name: 'NothingToWithdraw' });
});

test('the quota refuses the (n+1)-th fee-less call in a period; revoking still works; a relayer may pay instead', async () => {
  const pat = account(`//Feeless/Quota/${process.pid}`);
  const { quota } = await patient.quota(api, pat.address);
  assert.equal(quota, api.consts.consent.feelessQuota.toNumber());
  // n grants, submitted at once with consecutive nonces: the pool orders them.
  const grantees = Array.from({ length: quota }, (_, i) => account(`//Feeless/Grantee/${i}/${process.pid}`).address);
  const signed = await Promise.all(grantees.map((g, i) => patient.sign(api, pat, grantOf(g), { nonce: i })));
  const results = await Promise.all(signed.map((s) => patient.submitFeeless(api, s)));
  assert.ok(results.every((x) => x.ok), 'all n admitted');
  assert.equal((await patient.quota(api, pat.address)).used, quota);

  await assert.rejects(patient.send(api, pat, grantOf(dev.bob.address)), { name: 'FeelessQuotaExhausted' });
  await assert.rejects(patient.send(api, pat, { AddGuardian: { guardian: dev.eve.address } }),
    { name: 'FeelessQuotaExhausted' });

  const revoke = await patient.send(api, pat, { Revoke: { grantee: grantees[0] } });
  assert.ok(revoke.ok, revoke.error?.message);

  // Anyone who pays can relay the patient's signed payload: no quota, the relayer is named.
  const relayed = await patient.relay(api, dev.ferdie, await patient.sign(api, pat, grantOf(dev.bob.address)));
  assert.ok(relayed.ok, relayed.error?.message);
  const exec = findEvent(relayed, 'consent', 'PatientCallExecuted');
  assert.equal(exec.relayer.unwrap().toString(), dev.ferdie.address);
  assert.ok(findEvent(relayed, 'transactionPayment', 'TransactionFeePaid'), 'the relayer paid');
});

test('guardians act for a ward fee-less, and the ward closes a break-glass window fee-less', async () => {
  const ward = account(`//Feeless/Ward/${process.pid}`);
  const parent = account(`//Feeless/Parent/${process.pid}`);
  assert.ok((await patient.send(api, ward, { AddGuardian: { guardian: parent.address } })).ok);
  const g = await patient.send(api, parent, { GrantFor: { patient: ward.address, grantee: dev.bob.address,
    scopes: bits(SCOPES, ['Labs']), purposes: bits(PURPOSES, ['Treatment']), expiresAt: null,
    consentDigest: null } }, FIN);
  assert.ok(g.ok, g.error?.message);
  assert.equal(findEvent(g, 'consent', 'ConsentGranted').by.toString(), parent.address);
  assert.equal(await consent.hasAccess(api, ward.address, dev.bob.address, 'labs', 'treatment'), true);
  const rv = await patient.send(api, parent, { RevokeFor: { patient: ward.address, grantee: dev.bob.address } });
  assert.ok(rv.ok, rv.error?.message);

  const bg = await consent.breakGlass(api, dev.alice, ward.address);
  assert.ok(bg.ok, bg.error?.message);
  const close = await patient.send(api, ward, { CloseBreakGlass: { patient: ward.address, provider: dev.alice.address } });
  assert.ok(close.ok, close.error?.message);
  assert.equal(findEvent(close, 'consent', 'BreakGlassClosed').cause.type, 'Patient');
  assert.ok((await patient.send(api, ward, { RemoveGuardian: { guardian: parent.address } })).ok);
});

test('a records-gateway proxy key anchors for its hospital and can do nothing outside its type', async () => {
  const gateway = account(`//Feeless/Gateway/${process.pid}`);
  // The gateway key pays its own fees (the hospital funds it); the proxy deposit is Alice's.
  assert.ok((await send(api, api.tx.balances.transferKeepAlive(gateway.address, 10n * HLTH), dev.alice)).ok);
  const added = await proxy.add(api, dev.alice, gateway.address, 'Records');
  assert.ok(added.ok, added.error?.message);

  const local = h('proxied record');
  const a = await proxy.send(api, gateway, dev.alice.address,
    api.tx.records.anchor(local, dev.dave.address, h('proxied digest'), 2, 'Labs'));
  assert.ok(a.ok, a.error?.message);
  const anchored = findEvent(a, 'records', 'RecordAnchored');
  assert.equal(anchored.recordId.toHex(), recordIdOf(dev.alice.address, local), 'the record is the hospital\'s');
  assert.equal(anchored.author.toString(), dev.alice.address);

  // Outside its type: consent, transfers, governance, adding proxies.
  for (const call of [
    api.tx.consent.logAccess(dev.dave.address, anchored.recordId, 'Treatment'),
    api.tx.balances.transferKeepAlive(gateway.address, HLTH),
    api.tx.proxy.addProxy(gateway.address, 'Any', 0),
  ]) {
    const r = await proxy.send(api, gateway, dev.alice.address, call);
    assert.equal(r.ok, false, `${call.method.section}.${call.method.method} must be filtered`);
    assert.match(r.error.name, /CallFiltered/, r.error.message);
  }
  // Inside a batch each call is filtered with the proxy's type: the batch stops at it.
  const before = (await balance(api, gateway.address)).free;
  const batched = await proxy.send(api, gateway, dev.alice.address,
    api.tx.utility.batch([api.tx.balances.transferKeepAlive(gateway.address, HLTH)]));
  const interrupted = findEvent(batched, 'utility', 'BatchInterrupted');
  assert.ok(interrupted, 'the batch was interrupted');
  assert.equal(interrupted.index.toNumber(), 0);
  assert.equal(interrupted.error.asModule.index.toNumber(), api.tx.system.remark.callIndex[0]);
  assert.ok((await balance(api, gateway.address)).free < before, 'only the fee left the gateway');
  assert.equal(findEvent(batched, 'balances', 'Transfer'), null);
  // A key that is not Alice's proxy gets nothing.
  const stranger = await send(api, api.tx.proxy.proxy(dev.alice.address, null,
    api.tx.records.anchor(h('stranger'), dev.dave.address, h('x'), 2, 'Labs')), dev.ferdie);
  assert.equal(stranger.error?.name, 'NotProxy');
  assert.ok((await proxy.remove(api, dev.alice, gateway.address, 'Records')).ok);
});

test('a 2-of-3 multisig of officers acts only once two approve', async () => {
  const officers = [dev.alice, dev.bob, dev.charlie];
  const others = (me) => sortAddresses(officers.filter((o) => o !== me).map((o) => o.address), SS58_PREFIX);
  const multi = encodeAddress(createKeyMulti(officers.map((o) => o.address), 2), SS58_PREFIX);
  assert.ok((await send(api, api.tx.balances.transferKeepAlive(multi, 20n * HLTH), dev.alice)).ok);
  const call = api.tx.balances.transferKeepAlive(dev.ferdie.address, HLTH);
  const weight = (await api.call.transactionPaymentCallApi.queryCallInfo(call, call.method.encodedLength)).weight;
  const before = (await balance(api, dev.ferdie.address)).free;

  const first = await send(api, api.tx.multisig.asMulti(2, others(dev.alice), null, call.method, weight), dev.alice);
  assert.ok(first.ok, first.error?.message);
  const timepoint = (await api.query.multisig.multisigs(multi, call.method.hash)).unwrap().when;
  assert.equal((await balance(api, dev.ferdie.address)).free, before, 'one approval does nothing');

  const second = await send(api, api.tx.multisig.asMulti(2, others(dev.bob), timepoint, call.method, weight), dev.bob);
  assert.ok(second.ok, second.error?.message);
  const executed = findEvent(second, 'multisig', 'MultisigExecuted');
  assert.ok(executed.result.isOk);
  assert.equal((await balance(api, dev.ferdie.address)).free, before + HLTH);
});
