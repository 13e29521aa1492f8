// Amounts and dates for people: token amounts as decimal text <-> the chain's smallest unit, and
// calendar days <-> block numbers (estimated from the block time). Browser-safe, no dependency.
// Every refusal is an `InputError` whose message is a sentence a UI can show as it is.

/** Input a person typed that cannot be used; `message` is a sentence for them. */
export class InputError extends Error {
  /** @param message the sentence to show */
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Parse a decimal amount typed by a person (`"12.5"`, `"1,000.25"`, `"1 000"`) into the token's
 * smallest unit (`decimals` digits after the point: Healthchain's HLTH has 12, the chain's
 * `tokenDecimals`). Throws an {@link InputError} with a sentence for an empty text, junk, a
 * comma that is not a thousands separator (`"1,5"`: use a point), more digits after the point
 * than the token has (nothing is rounded), or zero.
 */
export function parseAmount(text: string, decimals: number, symbol = 'HLTH'): bigint {
  const t = text.trim().replace(/[_\s]/g, '');
  if (t === '') throw new InputError(`Enter an amount in ${symbol}.`);
  const m = /^(\d*|\d{1,3}(?:,\d{3})+)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
    if (/^\d+,\d+$/.test(t)) {
      throw new InputError(`"${text}" is not an amount: write decimals with a point (e.g. ${t.replace(',', '.')}); commas only separate thousands.`);
    }
    throw new InputError(`"${text}" is not an amount: use digits and at most one decimal point, e.g. 12.5.`);
  }
  const whole = (m[1] ?? '').replace(/,/g, '');
  const frac = m[2] ?? '';
  if (frac.length > decimals) {
    throw new InputError(`${symbol} has ${decimals} decimals: "${text}" has ${frac.length} digits after the point.`);
  }
  const units = BigInt(whole || '0') * 10n ** BigInt(decimals) + BigInt((frac || '0').padEnd(decimals, '0'));
  if (units === 0n) throw new InputError('The amount must be more than zero.');
  return units;
}

/** An amount of the smallest unit for people: `"1,000,000 HLTH"`, `"0.002146 HLTH"`, `"-1.5 HLTH"`. */
export function formatAmount(units: bigint | string | number, decimals: number, symbol = 'HLTH'): string {
  const v = BigInt(units);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const base = 10n ** BigInt(decimals);
  const whole = (a / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (a % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''} ${symbol}`;
}

/** An amount of the smallest unit as plain decimal text for an input (`"600"`, `"0.5"`); {@link parseAmount} reads it back. */
export function amountInput(units: bigint | string | number, decimals: number): string {
  const v = BigInt(units);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const base = 10n ** BigInt(decimals);
  const frac = (a % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / base}${frac ? `.${frac}` : ''}`;
}

/**
 * The estimated time of block `target`, given block `current` seen at `now` (ms since the
 * epoch, default the clock) and `blockMs` per block (the chain's slot duration,
 * `api.call.auraApi.slotDuration()`; 3 s on Healthchain).
 */
export function blockToDate(target: number, current: number, blockMs: number, now = Date.now()): Date {
  return new Date(now + (target - current) * blockMs);
}

/**
 * The first block without access for an expiry day `"YYYY-MM-DD"` (access lasts through that
 * day, local time): the block estimated at the start of the next day, from block `current` at
 * `now` and `blockMs` per block. Throws an {@link InputError} with a sentence for text that is
 * not a calendar day, or a day before today.
 */
export function expiryDateToBlock(date: string, current: number, blockMs: number, now = Date.now()): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new InputError('Choose a date (year-month-day).');
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const chosenDay = new Date(y, mo, d);
  if (chosenDay.getFullYear() !== y || chosenDay.getMonth() !== mo || chosenDay.getDate() !== d) {
    throw new InputError(`${date} is not a day of the calendar.`);
  }
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  if (chosenDay.getTime() < today.getTime()) {
    throw new InputError(`The date ${date} is in the past: choose today or a later day.`);
  }
  const end = new Date(y, mo, d + 1, 0, 0, 0, 0).getTime();
  return current + Math.max(1, Math.ceil((end - now) / blockMs));
}
