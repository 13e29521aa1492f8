// Amounts, dates and block numbers for people. Amounts are BigInts in the token's smallest unit.

/** Parse a decimal amount ("12.5") into the smallest unit; throws an Error with a sentence. */
export function parseAmount(text: string, decimals: number, symbol: string): bigint {
  const t = text.trim().replace(/[_\s]/g, '').replace(/,/g, '');
  if (t === '') throw new Error(`Enter an amount in ${symbol}.`);
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
    throw new Error(`"${text}" is not an amount: use digits and at most one decimal point, e.g. 12.5.`);
  }
  const frac = m[2] ?? '';
  if (frac.length > decimals) {
    throw new Error(`${symbol} has ${decimals} decimals: "${text}" has ${frac.length} digits after the point.`);
  }
  const units = BigInt(m[1] || '0') * 10n ** BigInt(decimals) + BigInt((frac || '0').padEnd(decimals, '0'));
  if (units === 0n) throw new Error('The amount must be more than zero.');
  return units;
}

/** Format an amount of the smallest unit: "1,000,000 HLTH", "0.002146 HLTH". */
export function formatAmount(units: bigint | string | number, decimals: number, symbol: string): string {
  const v = BigInt(units);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const base = 10n ** BigInt(decimals);
  const whole = (a / base).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (a % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''} ${symbol}`;
}

/** The amount as a plain decimal string for an input ("600", "0.5"). */
export function amountInput(units: bigint | string, decimals: number): string {
  const v = BigInt(units);
  const base = 10n ** BigInt(decimals);
  const frac = (v % base).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${v / base}${frac ? `.${frac}` : ''}`;
}

/** The estimated time of block `target` given the current block, its time and the block time. */
export function blockToDate(target: number, current: number, blockMs: number, now = Date.now()): Date {
  return new Date(now + (target - current) * blockMs);
}

/**
 * The first block without access for an expiry date "YYYY-MM-DD" (access lasts through that day,
 * local time): the block at the start of the next day, estimated from the current block.
 * Throws an Error with a sentence for a date that is not in the future.
 */
export function expiryDateToBlock(date: string, current: number, blockMs: number, now = Date.now()): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error('Choose a date (year-month-day).');
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1, 0, 0, 0, 0).getTime();
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  const chosen = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
  if (chosen < today.getTime()) throw new Error(`The date ${date} is in the past: choose today or a later day.`);
  return current + Math.max(1, Math.ceil((end - now) / blockMs));
}

export function formatDate(d: Date): string {
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

export function formatDateTime(d: Date): string {
  return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "Clinical, Labs and Imaging" */
export function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function shortHex(h: string, n = 6): string {
  return h.length > 2 * n + 3 ? `${h.slice(0, n + 2)}…${h.slice(-n)}` : h;
}

export function shortAddress(a: string): string {
  return a.length > 16 ? `${a.slice(0, 6)}…${a.slice(-6)}` : a;
}

export function num(n: number | bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Today as "YYYY-MM-DD" (local), plus `days`. */
export function isoDay(days = 0, now = Date.now()): string {
  const d = new Date(now + days * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
