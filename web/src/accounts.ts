// Accounts the portal can sign with: the polkadot-js browser extension's, and in development mode
// the well-known dev accounts (//Alice ...) and accounts derived from a URI (//Patient/1).
import { Store } from './store';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { account as uriAccount, devAccounts, enableExtension, extensionSigner, SS58_PREFIX } from './sdk';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ExtensionSigner } from './sdk';

/** What the portal signs with: a key in the page (dev mode) or an extension account (no proxies). */
export type PortalSigner = KeyringPair | ExtensionSigner;

export interface PortalAccount {
  address: string;
  name: string;
  source: 'dev' | 'uri' | 'extension';
  signer: PortalSigner;
}

export interface AccountsState {
  list: PortalAccount[];
  selected?: string;
  extension: 'absent' | 'available' | 'enabling' | 'enabled' | 'failed';
  extensionError?: string;
}

export const accounts = new Store<AccountsState>({ list: [], extension: 'absent' });

const SELECTED_KEY = 'healthchain-portal-account';
const URIS_KEY = 'healthchain-portal-uris';

/** What the dev accounts are on the dev chain (docs: README, governance.md). */
export const DEV_ROLES: Record<string, string> = {
  Alice: 'hospital + emergency provider, sudo, council',
  Bob: 'clinic + lab provider, council',
  Charlie: 'insurer, council',
  Dave: 'funded account',
  Eve: 'funded account',
  Ferdie: 'funded account',
};

/** Names of well-known accounts by address (dev accounts, extension and URI accounts). */
const directory = new Map<string, string>();

function title(n: string): string { return n[0].toUpperCase() + n.slice(1); }

/** Dev accounts as PortalAccounts (always computed, so their names are known). */
function devList(): PortalAccount[] {
  const dev = devAccounts();
  return Object.entries(dev).map(([n, pair]) => ({ address: pair.address, name: title(n), source: 'dev' as const, signer: pair }));
}

export function initAccounts(dev: boolean): void {
  const devs = devList();
  for (const a of devs) directory.set(a.address, a.name);
  const list: PortalAccount[] = [];
  if (dev) {
    list.push(...devs);
    for (const uri of savedUris()) {
      try { list.push(uriEntry(uri)); } catch { /* skip a bad saved URI */ }
    }
  }
  const ext = accounts.get().list.filter((a) => a.source === 'extension');
  list.push(...ext);
  const saved = localStorage.getItem(SELECTED_KEY) ?? undefined;
  const selected = list.find((a) => a.address === accounts.get().selected)?.address
    ?? list.find((a) => a.address === saved)?.address ?? list[0]?.address;
  const w = window as any;
  const extension = accounts.get().extension === 'absent' && w.injectedWeb3 && Object.keys(w.injectedWeb3).length
    ? 'available' : accounts.get().extension;
  accounts.set({ ...accounts.get(), list, selected, extension });
}

function savedUris(): string[] {
  try { return JSON.parse(localStorage.getItem(URIS_KEY) ?? '[]'); } catch { return []; }
}

function uriEntry(uri: string): PortalAccount {
  const pair = uriAccount(uri);
  const a: PortalAccount = { address: pair.address, name: uri, source: 'uri', signer: pair };
  directory.set(a.address, uri);
  return a;
}

/** Add an account derived from a secret URI (dev mode). Returns an error sentence or null. */
export function addUriAccount(uri: string): string | null {
  const u = uri.trim();
  if (!u) return 'Enter a URI such as //Patient/1.';
  let a: PortalAccount;
  try { a = uriEntry(u); } catch (e) { return `"${u}" is not a valid secret URI: ${(e as Error).message}`; }
  const s = accounts.get();
  if (!s.list.some((x) => x.address === a.address)) {
    const uris = [...new Set([...savedUris(), u])];
    localStorage.setItem(URIS_KEY, JSON.stringify(uris));
    accounts.set({ ...s, list: [...s.list, a] });
  }
  selectAccount(a.address);
  return null;
}

export function selectAccount(address: string): void {
  localStorage.setItem(SELECTED_KEY, address);
  accounts.update((s) => ({ ...s, selected: address }));
}

export async function connectExtension(): Promise<void> {
  accounts.update((s) => ({ ...s, extension: 'enabling', extensionError: undefined }));
  try {
    const { accounts: found, signer } = await enableExtension('Healthchain portal');
    const ext: PortalAccount[] = found.map((x) => {
      directory.set(x.address, x.name ?? 'Extension account');
      return { address: x.address, name: x.name ?? 'Extension account', source: 'extension' as const,
        signer: extensionSigner(x.address, signer) };
    });
    accounts.update((s) => {
      const list = [...s.list.filter((a) => a.source !== 'extension'), ...ext];
      return { ...s, list, extension: 'enabled', selected: s.selected ?? ext[0]?.address };
    });
    if (!found.length) {
      accounts.update((s) => ({ ...s, extensionError: 'The extension shares no account with this site: add or allow one in the extension.' }));
    }
  } catch (e) {
    accounts.update((s) => ({ ...s, extension: 'failed', extensionError: (e as Error).message }));
  }
}

export function selectedAccount(): PortalAccount | undefined {
  const s = accounts.get();
  return s.list.find((a) => a.address === s.selected);
}

/** "Alice" for a known account, else the shortened address. */
export function nameOf(address: string | undefined | null): string {
  if (!address) return 'nobody';
  const n = directory.get(address) ?? directory.get(canonical(address));
  return n ?? `${address.slice(0, 6)}…${address.slice(-6)}`;
}

export function knownName(address: string): string | undefined {
  return directory.get(address) ?? directory.get(canonical(address));
}

/** Known accounts for address pickers: [address, name]. */
export function directoryEntries(): Array<[string, string]> {
  return [...directory.entries()];
}

/** The address in the chain's SS58 form (any prefix or 0x hex in), or the input unchanged. */
export function canonical(address: string): string {
  try { return encodeAddress(decodeAddress(address.trim()), SS58_PREFIX); } catch { return address; }
}
