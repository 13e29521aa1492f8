// Amounts, dates and the gateway's anchor extension (pure helpers; the portal uses them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ANCHOR_EXTENSION_URL, InputError, amountInput, anchorExtension, blockToDate, expiryDateToBlock,
  formatAmount, parseAmount, recordDigest, withoutAnchorExtension,
} from '../dist/index.js';

const HLTH = 10n ** 12n;
const refused = (f, re) => assert.throws(f, (e) => e instanceof InputError && re.test(e.message), re.source);

test('parseAmount: decimal text to the smallest unit; every refusal a sentence', () => {
  assert.equal(parseAmount('150.5', 12), 150_500_000_000_000n);
  assert.equal(parseAmount(' 1,000.25 ', 12), 1000n * HLTH + 250_000_000_000n);
  assert.equal(parseAmount('1 000', 12), 1000n * HLTH);
  assert.equal(parseAmount('.5', 12), HLTH / 2n);
  assert.equal(parseAmount('7.', 12), 7n * HLTH);
  assert.equal(parseAmount('0.000000000001', 12), 1n);
  assert.equal(parseAmount('123456789012345678901234567890', 0), 123456789012345678901234567890n, 'no float rounding');
  refused(() => parseAmount('12.0000000000001', 12), /^HLTH has 12 decimals: "12\.0000000000001" has 13 digits after the point\.$/);
  refused(() => parseAmount('', 12, 'UNIT'), /^Enter an amount in UNIT\.$/);
  refused(() => parseAmount('1,5', 12), /write decimals with a point \(e\.g\. 1\.5\)/);
  refused(() => parseAmount('1,50,000', 12), /is not an amount/);
  for (const junk of ['abc', '-1', '1e3', '1.2.3', '.', '0x10', '١٢']) refused(() => parseAmount(junk, 12), /is not an amount/);
  refused(() => parseAmount('0.000', 12), /more than zero/);
});

test('formatAmount and amountInput round-trip through parseAmount', () => {
  assert.equal(formatAmount(1_000_000n * HLTH, 12), '1,000,000 HLTH');
  assert.equal(formatAmount(2_146_000_000n, 12), '0.002146 HLTH');
  assert.equal(formatAmount(-3n * HLTH / 2n, 12, 'X'), '-1.5 X');
  assert.equal(formatAmount('0', 12), '0 HLTH');
  assert.equal(amountInput(600n * HLTH, 12), '600');
  assert.equal(amountInput(HLTH / 2n, 12), '0.5');
  for (const u of [1n, 999n, HLTH, 123_456_789_012_345_678n]) {
    assert.equal(parseAmount(amountInput(u, 12), 12), u);
    assert.equal(parseAmount(formatAmount(u, 12).replace(/ HLTH$/, ''), 12), u);
  }
});

test('expiryDateToBlock: access lasts through the chosen day; past or impossible days are refused', () => {
  const now = new Date(2030, 5, 15, 12, 0, 0).getTime(); // 15 June 2030, noon (local)
  // Through today: until the next midnight, 12 h = 14 400 blocks of 3 s.
  assert.equal(expiryDateToBlock('2030-06-15', 100, 3_000, now), 100 + 14_400);
  assert.equal(expiryDateToBlock('2030-06-16', 100, 3_000, now), 100 + 14_400 + 28_800);
  const end = expiryDateToBlock('2030-07-15', 100, 3_000, now);
  assert.equal(blockToDate(end, 100, 3_000, now).getTime(), new Date(2030, 6, 16).getTime(), 'blockToDate inverts it');
  refused(() => expiryDateToBlock('2030-06-14', 100, 3_000, now), /^The date 2030-06-14 is in the past: choose today or a later day\.$/);
  refused(() => expiryDateToBlock('2030-02-30', 100, 3_000, now), /not a day of the calendar/);
  refused(() => expiryDateToBlock('15/06/2030', 100, 3_000, now), /Choose a date/);
});

test('anchorExtension / withoutAnchorExtension: what the gateway serves vs what it anchored', () => {
  const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tools/digest/tests/fixtures/observation.json');
  const anchored = JSON.parse(readFileSync(fixture, 'utf8'));
  anchored.meta = { ...(anchored.meta ?? {}), versionId: '1' };
  const other = { url: 'https://example.org/other', valueString: 'kept' };
  const served = structuredClone(anchored);
  served.meta.extension = [other, { url: ANCHOR_EXTENSION_URL, extension: [
    { url: 'status', valueCode: 'finalized' }, { url: 'recordId', valueString: `0x${'ab'.repeat(32)}` },
    { url: 'blockNumber', valueInteger: 42 },
  ] }];
  assert.deepEqual(anchorExtension(served), { status: 'finalized', recordId: `0x${'ab'.repeat(32)}`, blockNumber: '42' });
  assert.equal(anchorExtension(anchored), null);
  assert.equal(anchorExtension(null), null);
  assert.equal(anchorExtension({ meta: { extension: 'not an array' } }), null);

  const stripped = withoutAnchorExtension(served);
  assert.deepEqual(stripped.meta.extension, [other], 'other extensions are kept');
  assert.equal(served.meta.extension.length, 2, 'the input is not changed');
  const onlyAnchor = structuredClone(served);
  onlyAnchor.meta.extension = onlyAnchor.meta.extension.slice(1);
  const salt = `0x${'07'.repeat(32)}`;
  assert.deepEqual(withoutAnchorExtension(onlyAnchor), anchored, 'an emptied meta.extension is removed');
  assert.equal(recordDigest(withoutAnchorExtension(onlyAnchor), salt), recordDigest(anchored, salt));
  assert.notEqual(recordDigest(onlyAnchor, salt), recordDigest(anchored, salt));
});
