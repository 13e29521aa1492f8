// The connection to the node, the chain's properties (token decimals and symbol, SS58 prefix,
// block time) and the live best and finalized block numbers.
import type { ApiPromise } from '@polkadot/api';
import { Store } from './store';
import { connect, ss58Prefix } from './sdk';

export interface ChainInfo {
  decimals: number;
  symbol: string;
  ss58: number;
  genesisHash: string;
  /** Milliseconds per block (the chain's slot duration; 3 s on Healthchain). */
  blockMs: number;
  name: string;
  specVersion: number;
}

export interface ChainState {
  status: 'idle' | 'connecting' | 'connected' | 'down';
  url: string;
  api?: ApiPromise;
  info?: ChainInfo;
  /** A sentence when the node cannot be reached or the connection was lost. */
  error?: string;
  best?: number;
  finalized?: number;
  /** Local time at which `best` was seen (for block -> date estimates). */
  bestAt?: number;
}

export const chain = new Store<ChainState>({ status: 'idle', url: '' });

let generation = 0;
let cleanup: (() => void) | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
const RETRY_MS = 5_000;

function scheduleRetry(gen: number, url: string): void {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = setTimeout(() => { if (gen === generation) connectTo(url); }, RETRY_MS);
}

/** Connect to `url` (replacing any previous connection). Never throws: see `chain.get().error`. */
export async function connectTo(url: string, timeoutMs = 8_000): Promise<void> {
  const gen = ++generation;
  if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
  cleanup?.();
  cleanup = null;
  const old = chain.get().api;
  if (old) old.disconnect().catch(() => {});
  chain.set({ status: 'connecting', url });
  let api: ApiPromise;
  try {
    api = await connect(url, { timeoutMs, retry: false });
  } catch (e) {
    if (gen !== generation) return;
    chain.set({ status: 'down', url, error: downMessage(url, e) });
    scheduleRetry(gen, url);
    return;
  }
  if (gen !== generation) { api.disconnect().catch(() => {}); return; }
  try {
    const info = await readInfo(api);
    const unsubs: Array<() => void> = [];
    const u1 = await api.rpc.chain.subscribeNewHeads((h) => {
      if (gen === generation) chain.update((s) => ({ ...s, best: h.number.toNumber(), bestAt: Date.now() }));
    });
    const u2 = await api.rpc.chain.subscribeFinalizedHeads((h) => {
      if (gen === generation) chain.update((s) => ({ ...s, finalized: h.number.toNumber() }));
    });
    unsubs.push(u1, u2);
    const onDown = () => {
      if (gen === generation) {
        chain.update((s) => ({ ...s, status: 'down',
          error: `Lost the connection to the node at ${url}. Nothing can be sent until it is back; retrying every ${RETRY_MS / 1000} s.` }));
        scheduleRetry(gen, url);
      }
    };
    const onUp = () => {
      if (gen === generation) chain.update((s) => ({ ...s, status: 'connected', error: undefined }));
    };
    api.on('disconnected', onDown);
    api.on('connected', onUp);
    cleanup = () => { unsubs.forEach((u) => u()); api.off('disconnected', onDown); api.off('connected', onUp); };
    chain.set({ status: 'connected', url, api, info });
  } catch (e) {
    if (gen !== generation) return;
    api.disconnect().catch(() => {});
    chain.set({ status: 'down', url, error: `Connected to ${url}, but could not read the chain: ${(e as Error).message}` });
  }
}

function downMessage(url: string, e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  return `Cannot reach the node at ${url}: ${m.replace(/^The node at \S+ is not reachable \(?/, '').replace(/\)?\.?$/, '') || 'no answer'}. Is it running (scripts/run-dev starts one)? Nothing can be sent until it answers; retrying every ${RETRY_MS / 1000} s.`;
}

async function readInfo(api: ApiPromise): Promise<ChainInfo> {
  const decimals = api.registry.chainDecimals[0] ?? 12;
  const symbol = api.registry.chainTokens[0] ?? 'HLTH';
  let blockMs = 3_000;
  try {
    const n = (await api.call.auraApi.slotDuration()).toNumber();
    if (n > 0) blockMs = n;
  } catch {
    blockMs = api.consts.timestamp.minimumPeriod.toNumber() * 2 || blockMs;
  }
  const header = await api.rpc.chain.getHeader();
  chain.update((s) => ({ ...s, best: header.number.toNumber(), bestAt: Date.now() }));
  return {
    decimals,
    symbol,
    ss58: ss58Prefix(api),
    genesisHash: api.genesisHash.toHex(),
    blockMs,
    name: (await api.rpc.system.chain()).toString(),
    specVersion: api.runtimeVersion.specVersion.toNumber(),
  };
}

/** The connected API, or throws the sentence the UI shows when the node is down. */
export function requireApi(): { api: ApiPromise; info: ChainInfo; best: number } {
  const s = chain.get();
  if (s.status !== 'connected' || !s.api || !s.info) {
    throw new Error(s.error ?? `Not connected to the node${s.url ? ` at ${s.url}` : ''}: nothing was sent.`);
  }
  return { api: s.api, info: s.info, best: s.best ?? 0 };
}
