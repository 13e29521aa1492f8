import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiPromise } from '@polkadot/api';
import { accounts, nameOf, type PortalAccount } from './accounts';
import { chain, type ChainInfo } from './chain';
import { label, providers as providersApi, roleNames, type ProviderInfo } from './sdk';
import { Store, useStore } from './store';
import { canonical } from './accounts';

export function useChain() { return useStore(chain); }

export function useAccount(): PortalAccount | undefined {
  const s = useStore(accounts);
  return s.list.find((a) => a.address === s.selected);
}

/** Load data with `fn` whenever `deps` change (and on `reload()`); keeps the last data while reloading. */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): { data?: T; error?: string; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  const gen = useRef(0);
  useEffect(() => {
    const g = ++gen.current;
    setState((s) => ({ ...s, loading: true }));
    Promise.resolve().then(fn).then((data) => { if (g === gen.current) setState({ data, loading: false }); },
      (e) => { if (g === gen.current) setState((s) => ({ data: s.data, error: (e as Error)?.message ?? String(e), loading: false })); });
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...state, reload };
}

/** The provider registry (all organisations), refreshed on demand. */
export const registry = new Store<ProviderInfo[]>([]);

export async function refreshRegistry(api: ApiPromise): Promise<void> {
  try { registry.set(await providersApi.list(api)); } catch { /* keep the last */ }
}

export function useRegistry(): ProviderInfo[] { return useStore(registry); }

export function providerOf(address: string): ProviderInfo | undefined {
  const c = canonical(address);
  return registry.get().find((p) => canonical(p.account) === c);
}

/** "Alice (Hospital, Emergency care)" for a provider; the account's name otherwise. */
export function who(address: string | null | undefined): string {
  if (!address) return 'nobody';
  const p = providerOf(address);
  const n = nameOf(canonical(address));
  if (!p) return n;
  return `${n} (${p.roles.map((r) => label('role', r)).join(', ')}${p.status !== 'Active' ? `; ${label('providerStatus', p.status).toLowerCase()}` : ''})`;
}

export { roleNames };
export type { ChainInfo };
