// Amounts, dates and block numbers for people. Amounts are BigInts in the token's smallest unit.

// parseAmount, formatAmount, amountInput, blockToDate and expiryDateToBlock live in the SDK
// (@healthchain/sdk `units`, with its tests); re-exported here for the views.
export { amountInput, blockToDate, expiryDateToBlock, formatAmount, parseAmount } from './sdk';

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
