// Sending transactions and reading results: `send` (sign, submit, wait, decode the outcome,
// report progress), `findEvent`, `waitFor`, `rpc`, `balance`.

import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ProviderInterface } from '@polkadot/rpc-provider/types';
import type { Event } from '@polkadot/types/interfaces';
import type { Codec, IEvent, IEventLike, ISubmittableResult } from '@polkadot/types/types';
import { type DecodedError, decodeError, HealthchainError, poolRefusal } from './errors.js';
import { type ExtensionSigner, type HcSigner, isExtensionSigner, isProxySigner } from './signer.js';
import { camel, withTimeout } from './util.js';

/** A transaction's progress, for UIs: signing (a wallet may prompt), in the pool, in a block, final. */
export type TxStatus = 'signing' | 'submitted' | 'inBlock' | 'finalized';

/** Options of {@link send} (and of every helper that sends). */
export interface SendOptions {
  /** Wait until the block is finalized (default: until it is in a block). */
  finalized?: boolean;
  /** Bound on the whole wait, signing included, in milliseconds (default 120 000). */
  timeoutMs?: number;
  /**
   * Called as the transaction progresses: `'signing'` before the signer is asked,
   * `'submitted'` once the node accepted it into its pool, `'inBlock'` (with the block hash),
   * and `'finalized'` (only when waiting for finality).
   */
  onStatus?: (status: TxStatus, detail: { blockHash?: string }) => void;
  /**
   * Sign again and resubmit, once, when a runtime upgrade made the signature stale (every
   * signature covers the runtime's `spec_version`: a transaction signed for the old runtime
   * and still in the pool when the upgrade block is imported is dropped as invalid, one signed
   * by a client that has not seen the upgrade yet is refused). Default `true`. The call is
   * decoded again with the new runtime's metadata; when it no longer decodes to the same
   * call (the upgrade changed it), the refusal is reported instead. The copy carries the
   * original's nonce, so the call runs at most once. A refusal of this kind is reported ~3 s
   * later than before (the time to tell whether the runtime changed).
   */
  resubmitOnUpgrade?: boolean;
}

/** The outcome of an included transaction. */
export interface SendResult {
  /** Whether the call succeeded (for a proxy signer or `proxy.send`: the inner call). */
  ok: boolean;
  /** The decoded error when it failed (the fee was still paid; state changes reverted). */
  error: DecodedError | null;
  /** The events of this extrinsic. */
  events: Event[];
  /** The hash of the block it is in. */
  blockHash: string;
  /** That block's number. */
  blockNumber: number;
  /** The extrinsic's index in the block, when known. */
  extrinsicIndex?: number;
  /** Set when it was signed again after a runtime upgrade (see `resubmitOnUpgrade`). */
  resubmittedAfterUpgrade?: { fromSpecVersion: number; toSpecVersion: number };
}

/**
 * Sign `tx` with `signer`, submit it, wait until it is in a block (or finalized with
 * `{ finalized: true }`), and return `{ ok, error, events, blockHash, blockNumber }`. `error`
 * is the decoded dispatch error when the extrinsic failed (it is still in the block: the fee
 * was paid, the nonce advanced, its state changes were reverted). A refusal before inclusion
 * (no funds for the fee, a bad signature, an invalid transaction) rejects with a named
 * `HealthchainError` (section `pool`, e.g. name `Payment`, the node's text in the message).
 *
 * `signer` is a keyring pair, an extension signer, or a proxy signer (the call is wrapped in
 * `proxy.proxy(real, type, call)` and `ok`/`error` are the inner call's, from `ProxyExecuted`).
 */
export async function send(
  api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: HcSigner, opts: SendOptions = {},
): Promise<SendResult> {
  if (isProxySigner(signer)) {
    const wrapped = api.tx.proxy.proxy(signer.real, signer.proxyType, tx);
    const r = await send(api, wrapped, signer.delegate, opts);
    return proxyOutcome(api, r);
  }
  const signedFor = api.runtimeVersion.specVersion.toNumber();
  try {
    return await sendOnce(api, tx, signer, opts);
  } catch (e) {
    if (opts.resubmitOnUpgrade === false || !(e instanceof HealthchainError) || e.section !== 'pool'
      || !STALE_AFTER_UPGRADE.has(e.name)) throw e;
    const now = await runtimeAfterUpgrade(api, signedFor).catch(() => null);
    if (now === null) throw e;
    // The same call under the new runtime's metadata: refuse rather than sign another call.
    let again: SubmittableExtrinsic<'promise'>;
    try {
      again = api.tx(api.createType('Call', tx.method.toU8a()));
    } catch {
      throw e;
    }
    if (again.method.section !== tx.method.section || again.method.method !== tx.method.method
      || again.method.toHex() !== tx.method.toHex()) throw e;
    // The original's nonce: should the original have been included after all (a fork
    // switch), the copy is refused as stale instead of running twice.
    const nonce = tx.nonce.toNumber();
    const r = await sendOnce(api, again, signer, { ...opts, resubmitOnUpgrade: false }, nonce);
    return { ...r, resubmittedAfterUpgrade: { fromSpecVersion: signedFor, toSpecVersion: now } };
  }
}

/** Pool refusals a runtime upgrade causes: the signature (over `spec_version`) went stale. */
const STALE_AFTER_UPGRADE = new Set(['BadProof', 'Invalid', 'Dropped']);

/**
 * The node's spec version when it differs from `signedFor` (a runtime upgrade happened), once
 * `api` has loaded the new runtime's metadata (polkadot-js does so on its own, shortly after
 * the upgrade block); `null` when the runtime did not change.
 */
async function runtimeAfterUpgrade(api: ApiPromise, signedFor: number): Promise<number | null> {
  // At the latest block by hash (a call without one may answer from the client's cache), for
  // up to one slot: the pool drops stale transactions as it imports the upgrade's block.
  let onChain = signedFor;
  for (const deadline = Date.now() + 3_000; onChain === signedFor && Date.now() < deadline;) {
    const best = await api.rpc.chain.getBlockHash();
    onChain = (await api.rpc.state.getRuntimeVersion(best)).specVersion.toNumber();
    if (onChain === signedFor) await new Promise((r) => setTimeout(r, 500));
  }
  if (onChain === signedFor) return null;
  await waitFor('the client to load the upgraded runtime',
    () => api.runtimeVersion.specVersion.toNumber() === onChain, 30_000, 200);
  return onChain;
}

async function sendOnce(
  api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: HcSigner, opts: SendOptions,
  nonce = -1,
): Promise<SendResult> {
  const { finalized = false, timeoutMs = 120_000, onStatus } = opts;
  const status = (s: TxStatus, blockHash?: string): void => {
    try { onStatus?.(s, blockHash ? { blockHash } : {}); } catch { /* a UI callback must not break the send */ }
  };
  return withTimeout(new Promise<SendResult>((resolve, reject) => {
    let unsub: () => void = () => {};
    let submitted = false;
    let settled = false;
    const callback = (result: ISubmittableResult): void => {
      if (settled) return;
      const { status: st, events, dispatchError } = result;
      if (!submitted && (st.isReady || st.isFuture || st.isBroadcast || st.isInBlock)) {
        submitted = true;
        status('submitted');
      }
      if (result.isError) {
        settled = true;
        unsub();
        reject(poolRefusal(new Error(`transaction ${st.type}`)));
        return;
      }
      if (st.isInBlock) status('inBlock', st.asInBlock.toHex());
      if (st.isFinalized) status('finalized', st.asFinalized.toHex());
      const done = finalized ? st.isFinalized : (st.isInBlock || st.isFinalized);
      if (!done) return;
      settled = true;
      unsub();
      const blockHash = st.isFinalized ? st.asFinalized : st.asInBlock;
      const error = dispatchError ? decodeError(api, dispatchError) : null;
      api.rpc.chain.getHeader(blockHash).then((h) => resolve({
        ok: !error,
        error,
        events: events.map(({ event }) => event),
        blockHash: blockHash.toHex(),
        blockNumber: h.number.toNumber(),
        ...(result.txIndex !== undefined ? { extrinsicIndex: result.txIndex } : {}),
      }), reject);
    };
    status('signing');
    const sent = isExtensionSigner(signer)
      ? tx.signAndSend(signer.address, { signer: signer.signer, nonce }, callback)
      : tx.signAndSend(signer as KeyringPair, { nonce }, callback);
    sent.then((u) => {
      unsub = u;
      if (settled) u();
    }, (e: unknown) => { settled = true; reject(poolRefusal(e)); });
  }), timeoutMs, `extrinsic ${tx.method.section}.${tx.method.method}`);
}

/** `result` of a `proxy.proxy` transaction, with `ok`/`error` of the inner call (`ProxyExecuted`). */
export function proxyOutcome(api: ApiPromise, r: SendResult): SendResult {
  if (!r.ok) return r;
  const exec = r.events.find((e) => api.events.proxy.ProxyExecuted.is(e));
  if (!exec || !api.events.proxy.ProxyExecuted.is(exec)) return r;
  const result = exec.data.result;
  const inner = result.isErr ? decodeError(api, result.asErr) : null;
  return { ...r, ok: !inner, error: inner };
}

/**
 * Poll `fn` every `intervalMs` until it returns a truthy value (returned), or throw after
 * `timeoutMs` naming `what`.
 */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs: number, intervalMs = 500): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** An event's fields by their lowerCamel names (`{ recordId, author, ... }`). */
export type EventFields = Record<string, Codec>;

/**
 * The first event `section.method` in `result.events`, as `{ name: value }` data (field names
 * in lowerCamel), or null. For a typed answer use {@link eventOf}.
 */
export function findEvent<T extends EventFields = EventFields>(result: { events: Event[] }, section: string, method: string): T | null {
  const e = result.events.find((ev) => ev.section === section && ev.method === method);
  if (!e) return null;
  const names = e.meta.fields.map((f) => f.name.unwrapOr(null)?.toString());
  return Object.fromEntries(e.data.map((v, i) => [camel(names[i] ?? String(i)), v])) as T;
}

/**
 * The first event in `result.events` that `kind` matches (an augmented event such as
 * `api.events.consent.ConsentGranted`), typed: `eventOf(r, api.events.consent.ConsentGranted)?.data.grantee`.
 */
export function eventOf<T extends Codec[], N>(
  result: { events: Event[] }, kind: { is(e: IEventLike): e is IEvent<T, N> },
): IEvent<T, N> | null {
  for (const e of result.events) if (kind.is(e)) return e;
  return null;
}

/** The node's JSON-RPC provider (for methods answered as plain JSON). */
export function providerOf(api: ApiPromise): ProviderInterface {
  return (api as unknown as { _rpcCore: { provider: ProviderInterface } })._rpcCore.provider;
}

/**
 * Call a JSON-RPC method by name (`records_verify`, `consent_hasAccess`, ...) and answer its
 * JSON result as is (no decoding). The typed wrappers (`records.verify`, ...) use this.
 */
export function rpc<T = unknown>(api: ApiPromise, method: string, params: unknown[] = []): Promise<T> {
  return providerOf(api).send<T>(method, params);
}

/** Free and reserved balance of `address` (at block `at`, default the best block) as bigints. */
export async function balance(api: ApiPromise, address: string, at?: string): Promise<{ free: bigint; reserved: bigint }> {
  const q = at ? await api.at(at) : api;
  const { data } = await q.query.system.account(address);
  return { free: data.free.toBigInt(), reserved: data.reserved.toBigInt() };
}

/** The signer a raw-signing helper can use: a keyring pair or an extension account. */
export type RawSigner = KeyringPair | ExtensionSigner | { address: string; signRaw: ExtensionSigner['signRaw'] };
