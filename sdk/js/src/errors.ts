// Errors: a dispatch error decoded with the metadata (pallet, variant, doc text), refusals
// before inclusion (the transaction pool's and the fee-less path's), and `explain`, which turns
// any of them into a sentence for people (the portal shows these).

import type { ApiPromise } from '@polkadot/api';
import type { DispatchError } from '@polkadot/types/interfaces';
import type { SpRuntimeDispatchError } from '@polkadot/types/lookup';
import { ConnectionError } from './chain.js';
import { TimeoutError } from './util.js';

/** A decoded error: pallet (`section`), variant (`name`), its doc text, and `section.name: docs`. */
export interface DecodedError {
  /** The pallet (`consent`), `system` for a dispatch error that is not a module error, `pool` or `feeless` for refusals before inclusion. */
  section: string;
  /** The variant (`ConsentMissing`), or the kind of a non-module error (`BadOrigin`, `Token.FundsUnavailable`). */
  name: string;
  /** The error's documentation from the metadata (may be empty). */
  docs: string;
  /** `section.name: docs` (or the name alone). */
  message: string;
}

/** Where an error was raised: in the block (dispatch), by the pool, by the fee-less path, ... */
export type ErrorKind = 'dispatch' | 'pool' | 'feeless';

/**
 * An error with a chain name: thrown for refusals before inclusion (the transaction pool's,
 * e.g. `Payment` for "Inability to pay some fees", and the fee-less path's, e.g.
 * `FeelessQuotaExhausted`), and available to wrap a dispatch error. `name` is the error's name
 * (so `assert.rejects(p, { name: 'PayloadNonceUsed' })` works); `explain(err)` gives a sentence.
 */
export class HealthchainError extends Error implements DecodedError {
  /** The pallet, or `pool` / `feeless` / `system`. */
  readonly section: string;
  /** The error's documentation (may be empty). */
  readonly docs: string;
  /** Where it was raised. */
  readonly kind: ErrorKind;
  /** The text the node answered, for refusals (the RPC error's message and data). */
  readonly detail: string;
  /** @param e the decoded error; @param kind where it was raised; @param detail the node's text */
  constructor(e: DecodedError, kind: ErrorKind = 'dispatch', detail = '') {
    super(e.message);
    this.name = e.name;
    this.section = e.section;
    this.docs = e.docs;
    this.kind = kind;
    this.detail = detail;
  }
}

/**
 * Decode a `DispatchError` into `{ section, name, docs, message }`. Module errors get their
 * pallet and variant names and doc text from the metadata; other errors (BadOrigin, Token,
 * Arithmetic, ...) their kind (`Token.FundsUnavailable`).
 */
export function decodeError(api: Pick<ApiPromise, 'registry'>, dispatchError: DispatchError | SpRuntimeDispatchError): DecodedError {
  if (dispatchError.isModule) {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    const docs = meta.docs.join(' ').trim();
    return {
      section: meta.section, name: meta.name, docs,
      message: `${meta.section}.${meta.name}${docs ? `: ${docs}` : ''}`,
    };
  }
  const kind = dispatchError.type;
  const inner = (dispatchError as unknown as Record<string, unknown>)[`as${kind}`] as { type?: unknown } | undefined;
  const name = inner && typeof inner.type === 'string' ? `${kind}.${inner.type}` : kind;
  return { section: 'system', name, docs: '', message: name };
}

/** Sentences of the dispatch errors that are not module errors (they have no docs). */
const SYSTEM_SENTENCES: Record<string, string> = {
  BadOrigin: 'The signer is not allowed to make this call (wrong origin): it needs another account, or a council motion.',
  CannotLookup: 'An account in the call could not be looked up.',
  Other: 'The call failed.',
  ConsumerRemaining: 'The account cannot be removed while other state depends on it.',
  NoProviders: 'The account does not exist (it holds no funds).',
  TooManyConsumers: 'The account has too many dependants to take another.',
  Exhausted: 'The chain ran out of resources to execute the call.',
  Corruption: 'The chain found its state inconsistent.',
  Unavailable: 'A resource the call needs is unavailable right now; try again later.',
  RootNotAllowed: 'Root may not make this call.',
  'Token.FundsUnavailable': 'The account does not have enough free funds.',
  'Token.OnlyProvider': 'The account would be removed, but it is needed.',
  'Token.BelowMinimum': 'The amount is below the minimum balance an account must keep (the existential deposit).',
  'Token.CannotCreate': 'The account cannot be created.',
  'Token.UnknownAsset': 'The asset is unknown.',
  'Token.Frozen': 'The funds are frozen.',
  'Token.Unsupported': 'The operation is not supported for this asset.',
  'Token.CannotCreateHold': 'The account has too many holds to take another.',
  'Token.NotExpendable': 'The transfer would remove an account that must be kept.',
  'Token.Blocked': 'The account is blocked.',
  'Arithmetic.Underflow': 'An amount would fall below zero.',
  'Arithmetic.Overflow': 'An amount would overflow.',
  'Arithmetic.DivisionByZero': 'A division by zero.',
  'Transactional.LimitReached': 'Too many nested transactional layers.',
  'Transactional.NoLayer': 'No transactional layer was open.',
  CallFiltered: 'This call is not allowed for this signer (for a proxy: outside its proxy type).',
};

/** Sentences of the pool's refusals (`section: 'pool'`). */
const POOL_SENTENCES: Record<string, string> = {
  Payment: 'The account cannot pay the transaction fee: its free balance is too low. (A patient can use the fee-less path instead.)',
  BadProof: "The transaction's signature is not valid for this chain (a wrong key, or signed for another chain or runtime version).",
  Stale: "The transaction's nonce was already used: it was already included, or it is a replay.",
  Future: "The transaction's nonce is ahead of the account's: an earlier transaction is missing.",
  AncientBirthBlock: "The transaction's validity period has expired; sign it again.",
  ExhaustsResources: 'The block has no room for this transaction; try again in a moment.',
  Call: 'The chain does not accept this call in a transaction.',
  BadSigner: "The signer's address is not valid.",
  BadMandatory: 'A mandatory transaction failed.',
  MandatoryValidation: 'A mandatory transaction cannot be submitted.',
  TemporarilyBanned: 'The node refuses this transaction for now (it was recently rejected); wait a minute before retrying.',
  AlreadyImported: 'This transaction is already waiting in the node.',
  TooLowPriority: 'Another transaction with the same nonce is already waiting.',
  ImmediatelyDropped: "The node's transaction pool is full; try again later.",
  Invalid: 'The node refused the transaction as invalid.',
  Dropped: 'The node dropped the transaction.',
  Usurped: 'Another transaction with the same nonce replaced this one.',
  Refused: 'The node refused the transaction.',
};

/** Sentences of the fee-less path's refusals (`section: 'feeless'`, pallet-consent). */
const FEELESS_SENTENCES: Record<string, string> = {
  FeelessQuotaExhausted: 'This account has used all of its fee-less transactions for the current period. Withdrawals (revoking a grant, removing a guardian, closing a break-glass window) still go through; anything else must wait for the next period, or be relayed by an account that pays the fee.',
  PayloadExpired: 'The signed request expired before it reached the chain; sign it again.',
  PayloadLifetimeTooLong: 'The signed request is valid for longer than the chain allows; sign it again with a shorter validity.',
  NothingToWithdraw: 'There is nothing to withdraw: no such grant, guardian or open break-glass window.',
  PayloadNonceUsed: 'This signed request was already used (a replay), or another one with the same nonce went first; sign it again.',
  PayloadNonceTooHigh: 'An earlier signed request of this account has not reached the chain yet; wait for it, then sign again.',
  BadPayloadSignature: "The signature on the request does not match the signer's key.",
  BlockFull: 'The block has no room for more fee-less transactions; try again in a moment.',
  FeelessRefused: 'The chain refused the fee-less transaction.',
};

/** The pool's refusal texts (substrate's `InvalidTransaction` / pool errors) -> names. */
const POOL_PATTERNS: [RegExp, string][] = [
  [/Inability to pay some fees/i, 'Payment'],
  [/bad signature|BadProof/i, 'BadProof'],
  [/Transaction is outdated|Stale/i, 'Stale'],
  [/will be valid in the future|Future/i, 'Future'],
  [/ancient birth block/i, 'AncientBirthBlock'],
  [/exhaust the block limits|ExhaustsResources/i, 'ExhaustsResources'],
  [/call is not expected|Transaction call is not expected/i, 'Call'],
  [/Invalid signing address|BadSigner/i, 'BadSigner'],
  [/temporarily banned|\b1012\b/i, 'TemporarilyBanned'],
  [/already imported|\b1013\b/i, 'AlreadyImported'],
  [/Priority is too low|\b1014\b/i, 'TooLowPriority'],
  [/Immediately Dropped|\b1016\b/i, 'ImmediatelyDropped'],
];

/** The text of an RPC error: its message and data. */
function errorText(e: unknown): string {
  if (e instanceof Error) {
    const data = (e as Error & { data?: unknown }).data;
    return `${e.message}${data !== undefined && data !== null ? ` ${String(data)}` : ''}`.trim();
  }
  return String(e);
}

/**
 * The named {@link HealthchainError} for a transaction the pool refused (`author_submit*`'s
 * error, or a status `Invalid` / `Dropped` / `Usurped`). The message keeps the node's text.
 */
export function poolRefusal(e: unknown): HealthchainError {
  if (e instanceof HealthchainError) return e;
  const text = errorText(e);
  const hit = POOL_PATTERNS.find(([re]) => re.test(text));
  const name = hit ? hit[1] : (/^transaction (Invalid|Dropped|Usurped)/.exec(text)?.[1] ?? 'Refused');
  return new HealthchainError({ section: 'pool', name, docs: POOL_SENTENCES[name] ?? '', message: `${name}: ${text}` }, 'pool', text);
}

/**
 * The named {@link HealthchainError} for a fee-less transaction the chain refused before
 * inclusion: `Custom error: N` is looked up in `consent.FeelessRefusals` (the pallet's names
 * for its codes, e.g. `FeelessQuotaExhausted`), the pool's own refusals are named as the
 * fee-less path means them (a stale nonce is `PayloadNonceUsed`, ...).
 */
export function feelessRefusal(api: ApiPromise, e: unknown): HealthchainError {
  const text = errorText(e);
  const custom = /Custom error: (\d+)/.exec(text);
  let name: string | null = null;
  if (custom) {
    const code = Number(custom[1]);
    const names = feelessRefusalNames(api);
    name = names.get(code) ?? `Custom${code}`;
  } else if (/outdated|Stale/i.test(text)) name = 'PayloadNonceUsed';
  else if (/bad signature|BadProof/i.test(text)) name = 'BadPayloadSignature';
  else if (/exhaust the block limits/i.test(text)) name = 'BlockFull';
  else if (/in the future/i.test(text)) name = 'PayloadNonceTooHigh';
  const n = name ?? 'FeelessRefused';
  return new HealthchainError({
    section: 'feeless', name: n, docs: FEELESS_SENTENCES[n] ?? '',
    message: name ? `${name}: ${text}` : text,
  }, 'feeless', text);
}

/** `consent.FeelessRefusals`: the fee-less refusal codes and their names, from the metadata. */
export function feelessRefusalNames(api: ApiPromise): Map<number, string> {
  const out = new Map<number, string>();
  for (const [code, name] of api.consts.consent.feelessRefusals) {
    out.set(code.toNumber(), new TextDecoder().decode(name.toU8a(true)));
  }
  return out;
}

/** Make `docs` one or more clean sentences: no Markdown links or backticks, a final period. */
function sentence(text: string): string {
  let s = text.replace(/\[`?([^\]`]+)`?\]/g, '$1').replace(/`/g, '').replace(/\s+/g, ' ').trim();
  if (!s) return s;
  s = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** `ConsentMissing` -> `Consent missing`. */
function words(name: string): string {
  const w = name.replace(/\./g, ': ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** Whether `e` looks like a {@link DecodedError}. */
function isDecoded(e: unknown): e is DecodedError {
  return typeof e === 'object' && e !== null
    && typeof (e as DecodedError).name === 'string' && typeof (e as DecodedError).section === 'string';
}

/**
 * A sentence for people about `err`: a decoded dispatch error (its documentation from the
 * metadata: "No live grant covers the access."), a refusal before inclusion ("The account
 * cannot pay the transaction fee: ..."; "This account has used all of its fee-less
 * transactions ..."), a connection failure ("The node at ws://... is not reachable."), a
 * timeout, or any other error (its message). Never throws.
 */
export function explain(err: unknown): string {
  try {
    if (err instanceof ConnectionError) return `The node at ${err.url} is not reachable.`;
    if (err instanceof TimeoutError) {
      return `No answer within ${Math.round(err.ms / 1000)} s (${err.what}); the node may be overloaded or unreachable.`;
    }
    if (isDecoded(err)) {
      if (err.section === 'pool' && POOL_SENTENCES[err.name]) return POOL_SENTENCES[err.name] as string;
      if (err.section === 'feeless' && FEELESS_SENTENCES[err.name]) return FEELESS_SENTENCES[err.name] as string;
      if (err.docs && err.section !== 'pool' && err.section !== 'feeless') return sentence(err.docs);
      const tail = err.name.includes('.') ? err.name : err.name.split('.').pop() ?? err.name;
      if (SYSTEM_SENTENCES[tail]) return SYSTEM_SENTENCES[tail] as string;
      if (err.docs) return sentence(err.docs);
      return `${words(err.name)}${err.section && err.section !== 'system' ? ` (${err.section}.${err.name})` : ''}.`;
    }
    if (err instanceof Error) {
      const text = errorText(err);
      if (/^\d{4}:|Invalid Transaction|Inability to pay/i.test(text)) return explain(poolRefusal(err));
      if (/WebSocket|ECONNREFUSED|disconnected/i.test(text)) return `The node is not reachable (${err.message}).`;
      return sentence(err.message);
    }
    if (typeof err === 'string') return sentence(err);
    return 'Something went wrong.';
  } catch {
    return 'Something went wrong.';
  }
}
