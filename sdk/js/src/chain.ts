// Connecting to a Healthchain node, and the chain's address format.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { cryptoWaitReady, decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { rpcDefinitions } from './rpc-definitions.js';
import { TimeoutError, withTimeout } from './util.js';

/**
 * The SS58 prefix Healthchain addresses use (the runtime's `SS58Prefix`, also in the chain
 * spec's properties). A compiled default for offline use only: with a connection, read it
 * from the chain with {@link ss58Prefix}.
 */
export const SS58_PREFIX = 7373;

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** How long to wait for the node and its metadata, in milliseconds (default 60 000). */
  timeoutMs?: number;
  /**
   * Keep retrying (every second) until `timeoutMs` when the node does not answer (default
   * true, for scripts that start a node). `false` gives up at the first failed attempt: what a
   * UI wants, to show "The node at ... is not reachable" at once.
   */
  retry?: boolean;
}

/**
 * The node could not be reached (or did not answer within the bound). `explain(err)` is the
 * sentence "The node at ws://... is not reachable."
 */
export class ConnectionError extends Error {
  /** The node's URL. */
  readonly url: string;
  /** @param url the node's URL; @param detail what failed, for the message */
  constructor(url: string, detail: string) {
    super(`The node at ${url} is not reachable (${detail}).`);
    this.name = 'ConnectionError';
    this.url = url;
  }
}

/**
 * Connect to the node at `url` (ws:// or wss://) and wait until its metadata is loaded. The
 * node's `records_*`, `consent_*` and `claims_*` RPCs are registered (`api.rpc.records.get`,
 * ...). Rejects with a {@link ConnectionError} when the node cannot be reached within
 * `timeoutMs` (or at the first failure with `retry: false`); the provider is then
 * disconnected, so nothing keeps retrying in the background.
 */
export async function connect(url: string, { timeoutMs = 60_000, retry = true }: ConnectOptions = {}): Promise<ApiPromise> {
  await cryptoWaitReady();
  // Always auto-reconnect (every second) once connected; `retry: false` only gives up on the
  // first attempt, so a UI shows "not reachable" at once yet keeps a live connection afterwards.
  const provider = new WsProvider(url, 1_000, {}, timeoutMs);
  let connected = false;
  let lastError = 'no answer';
  let rejectFirst: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => { rejectFirst = reject; });
  failed.catch(() => undefined);
  const offConnected = provider.on('connected', () => { connected = true; });
  const offError = provider.on('error', (e: unknown) => {
    lastError = e instanceof Error && e.message ? e.message : 'the connection failed';
    if (!retry && !connected) rejectFirst(new ConnectionError(url, lastError));
  });
  try {
    const api = await withTimeout(Promise.race([
      ApiPromise.create({ provider, noInitWarn: true, rpc: rpcDefinitions }),
      failed,
    ]), timeoutMs, `connecting to ${url}`);
    return api;
  } catch (e) {
    await provider.disconnect().catch(() => undefined);
    if (e instanceof TimeoutError && !connected) {
      throw new ConnectionError(url, `no answer within ${timeoutMs} ms: ${lastError}`);
    }
    throw e;
  } finally {
    offConnected();
    offError();
  }
}

/** The chain's SS58 prefix, as the connected node reports it (else {@link SS58_PREFIX}). */
export function ss58Prefix(api: Pick<ApiPromise, 'registry'>): number {
  const p = api.registry.chainSS58;
  return typeof p === 'number' ? p : SS58_PREFIX;
}

/**
 * `address` (any SS58 prefix, or 0x + 64 hex digits, or 32 bytes) in the chain's format: with
 * the prefix of the connected node (`api`), or the given prefix number.
 */
export function formatAddress(apiOrPrefix: Pick<ApiPromise, 'registry'> | number, address: string | Uint8Array): string {
  const prefix = typeof apiOrPrefix === 'number' ? apiOrPrefix : ss58Prefix(apiOrPrefix);
  return encodeAddress(decodeAddress(address), prefix);
}

/**
 * Whether `address` is an account: an SS58 address (any prefix, valid checksum) or 0x + 64 hex
 * digits of a 32-byte account id.
 */
export function isValidAddress(address: unknown): boolean {
  if (typeof address !== 'string' || address.length === 0) return false;
  try {
    return decodeAddress(address).length === 32;
  } catch {
    return false;
  }
}
