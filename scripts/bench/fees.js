// The fee of each user-facing call, measured on a dev node from `TransactionFeePaid` (what the
// signer really paid, after the refund of unused weight), and what a hospital's daily volume
// costs. Prints a Markdown table for docs/fees.md.
//
//   node scripts/bench/fees.js            # starts a dev node (or WS_URL=ws://... to use one)
//
// Every call is a real extrinsic in a block; nothing is estimated except the daily totals,
// which multiply the measured per-call fees.

import { randomBytes } from 'node:crypto';
import {
  account, bits, connect, devAccounts, findEvent, patient, PURPOSES, recordIdOf, SCOPES, send,
} from '../../sdk/js/dist/index.js';
import { startNode } from '../client/src/node.js';

const UNIT = 10n ** 12n;
const h = () => `0x${randomBytes(32).toString('hex')}`;
const hlth = (planck) => (Number(planck) / 1e12).toFixed(6);

async function main() {
  const node = process.env.WS_URL ? null : await startNode(['--dev'], { name: 'fees' });
  const api = await connect(process.env.WS_URL ?? node.url);
  const dev = devAccounts();
  const rows = [];
  const measure = async (label, tx, signer) => {
    const r = await send(api, tx, signer);
    if (!r.ok) throw new Error(`${label}: ${r.error.message}`);
    const paid = findEvent(r, 'transactionPayment', 'TransactionFeePaid');
    const fee = paid.actualFee.toBigInt() + paid.tip.toBigInt();
    if (!rows.some((x) => x.label === label)) rows.push({ label, fee, len: tx.encodedLength });
    return { r, fee };
  };
  try {
    const dave = dev.dave.address;
    const anchors = [];
    for (let i = 0; i < 3; i++) {
      const local = h(`record ${i}`);
      await measure('records.anchor', api.tx.records.anchor(local, dave, h(`d${i}`), 2, 'Labs'), dev.alice);
      anchors.push(recordIdOf(dev.alice.address, local));
    }
    await measure('records.amend', api.tx.records.amend(anchors[0], h('amended')), dev.alice);
    await measure('records.anchorBatch (one Merkle root, any number of records)',
      api.tx.records.anchorBatch(h('root'), 4096), dev.alice);
    await measure('consent.grant (patient pays)', api.tx.consent.grant(dev.alice.address,
      bits(SCOPES, ['Labs']), bits(PURPOSES, ['Treatment']), null, null), dev.dave);
    await measure('consent.logAccess', api.tx.consent.logAccess(dave, anchors[0], 'Treatment'), dev.alice);
    const batch = Array.from({ length: 512 }, () => [dave, anchors[1], 'Treatment']);
    const { fee: batchFee } = await measure('consent.logAccessBatch (512 accesses)',
      api.tx.consent.logAccessBatch(batch.map(([patient, recordId, purpose]) => ({ patient, recordId, purpose }))), dev.alice);
    const fresh = account(`//Fees/Patient/${process.pid}`);
    const signed = await patient.sign(api, fresh, { Grant: { grantee: dev.bob.address,
      scopes: bits(SCOPES, ['Labs']), purposes: bits(PURPOSES, ['Treatment']), expiresAt: null,
      consentDigest: null } });
    await measure('consent.patientCall relayed (grant; the relayer pays)', patient.call(api, signed), dev.ferdie);
    const billing = await send(api, api.tx.consent.grant(dev.charlie.address, bits(SCOPES, ['Billing']),
      bits(PURPOSES, ['Payment']), null, null), dev.dave);
    if (!billing.ok) throw new Error(`billing grant: ${billing.error.message}`);
    const claim = await measure('claims.submit', api.tx.claims.submit(dev.charlie.address, dave, h('claim'),
      10n * UNIT, [anchors[0]]), dev.alice).catch((e) => ({ error: e }));
    if (claim.error) rows.push({ label: `claims.submit (${claim.error.message.slice(0, 40)})`, fee: null });
    await measure('consent.revoke (patient pays)', api.tx.consent.revoke(dev.alice.address), dev.dave);
    await measure('balances.transferKeepAlive', api.tx.balances.transferKeepAlive(dev.eve.address, UNIT), dev.alice);

    const fee = (label) => rows.find((r) => r.label === label)?.fee ?? 0n;
    const anchorDay = fee('records.anchor') * 10_000n;
    const logDay = batchFee * BigInt(Math.ceil(50_000 / 512));
    const logSingleDay = fee('consent.logAccess') * 50_000n;
    console.log('| call | fee (HLTH) | encoded bytes |');
    console.log('|---|---:|---:|');
    for (const r of rows) console.log(`| ${r.label} | ${r.fee === null ? '—' : hlth(r.fee)} | ${r.len ?? '—'} |`);
    const feelessHex = patient.feelessExtrinsic(api, await patient.sign(api, account(`//Fees/Other/${process.pid}`),
      { Grant: { grantee: dev.bob.address, scopes: bits(SCOPES, ['Labs']), purposes: bits(PURPOSES, ['Treatment']),
        expiresAt: null, consentDigest: null } }));
    const feelessLen = (feelessHex.length - 2) / 2;
    console.log(`| consent.patientCall fee-less (general transaction) | 0 | ${feelessLen} |`);
    // Raw state_call: polkadot-js would re-encode the v5 general extrinsic itself.
    const lenLe = Buffer.alloc(4);
    lenLe.writeUInt32LE(feelessLen);
    const raw = await api.rpc.state.call('TransactionPaymentApi_query_info',
      `${feelessHex}${lenLe.toString('hex')}`);
    const [refTime] = api.registry.createType('(Compact<u64>, Compact<u64>)', raw.toU8a(true));
    const info = { weight: { refTime } };
    const base = api.consts.system.blockWeights.perClass.normal.baseExtrinsic.refTime.toBigInt();
    const maxNormal = api.consts.system.blockWeights.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
    const grantWeight = info.weight.refTime.toBigInt() + base;
    console.log('');
    console.log(`A fee-less grant takes ${(Number(grantWeight) / 1e9).toFixed(3)} ms of block weight (authorization + dispatch + base extrinsic); ${api.consts.consent.maxFeelessPerBlock} of them ${(Number(grantWeight) * api.consts.consent.maxFeelessPerBlock.toNumber() / Number(maxNormal) * 100).toFixed(1)} % of the normal-class budget (${(Number(maxNormal) / 1e9).toFixed(0)} ms)`);
    console.log('');
    console.log(`A hospital anchoring 10,000 records a day (one records.anchor each): ${hlth(anchorDay)} HLTH/day`);
    console.log(`Logging 50,000 accesses a day with logAccessBatch (512 per extrinsic, ${Math.ceil(50_000 / 512)} extrinsics): ${hlth(logDay)} HLTH/day`);
    console.log(`(the same 50,000 as single logAccess calls: ${hlth(logSingleDay)} HLTH/day)`);
    console.log(`Total with batched logging: ${hlth(anchorDay + logDay)} HLTH/day, ${hlth((anchorDay + logDay) * 365n)} HLTH/year`);
  } finally {
    await api.disconnect();
    await node?.stop();
  }
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
