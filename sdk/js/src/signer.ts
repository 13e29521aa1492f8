// Who signs: a keyring pair, the polkadot-js browser extension, or a proxy (a delegate key
// acting for an organisation). `send` (tx.ts) takes any of them; `patient.sign` and
// `signRequestWithExtension` take the ones that can sign raw bytes.

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Signer } from '@polkadot/types/types';
import { SS58_PREFIX } from './chain.js';
import type { ProxyTypeName } from './names.js';

/** The signer of a browser extension (`injected.signer`): signs payloads and raw bytes. */
export type InjectedSigner = Signer;

/** An account of the browser extension, as `accounts.get()` lists it. */
export interface InjectedAccount {
  /** The account's address (the extension's own format; any SS58 prefix). */
  address: string;
  /** The name the user gave it. */
  name?: string;
  /** The key type (`sr25519`, `ed25519`, `ecdsa`, `ethereum`). */
  type?: string;
  /** The genesis hash the account is restricted to, if any. */
  genesisHash?: string | null;
}

/** What `window.injectedWeb3[name].enable(app)` resolves to (the parts used here). */
export interface InjectedExtension {
  /** The extension's accounts. */
  accounts: { get(anyType?: boolean): Promise<InjectedAccount[]> };
  /** The extension's signer. */
  signer: InjectedSigner;
  /** The extension's name, when it reports it. */
  name?: string;
  /** The extension's version, when it reports it. */
  version?: string;
}

/** An account of the browser extension, as a signer for `send` and raw signing. */
export interface ExtensionSigner {
  /** Discriminant. */
  readonly kind: 'extension';
  /** The account's address. */
  readonly address: string;
  /** The extension's signer (used for transactions). */
  readonly signer: InjectedSigner;
  /**
   * Sign raw bytes (`data` hex) with this account: the extension signs `<Bytes>data</Bytes>`.
   * What `patient.sign` and `signRequestWithExtension` call.
   */
  signRaw(payload: { address: string; data: string; type: 'bytes' }): Promise<{ signature: string }>;
}

/**
 * A delegate key acting for `real` through pallet-proxy: `send` wraps each call in
 * `proxy.proxy(real, proxyType, call)`, signed by `delegate`, and reports the inner call's
 * result (`ProxyExecuted`).
 */
export interface ProxySigner {
  /** Discriminant. */
  readonly kind: 'proxy';
  /** The key that signs (a pair or an extension account; not itself a proxy). */
  readonly delegate: KeyringPair | ExtensionSigner;
  /** The account the calls act for (the organisation). */
  readonly real: string;
  /** The proxy type to use, or null for any the delegate has. */
  readonly proxyType: ProxyTypeName | null;
  /** The real account's address (what the chain sees as the origin). */
  readonly address: string;
}

/** Anything `send` signs with. */
export type HcSigner = KeyringPair | ExtensionSigner | ProxySigner;

/** Whether `s` is a browser-extension signer. */
export function isExtensionSigner(s: unknown): s is ExtensionSigner {
  return typeof s === 'object' && s !== null && (s as ExtensionSigner).kind === 'extension';
}

/** Whether `s` is a proxy signer. */
export function isProxySigner(s: unknown): s is ProxySigner {
  return typeof s === 'object' && s !== null && (s as ProxySigner).kind === 'proxy';
}

/** Whether `s` is a keyring pair (it can sign bytes itself). */
export function isKeyringPair(s: unknown): s is KeyringPair {
  return typeof s === 'object' && s !== null && typeof (s as KeyringPair).sign === 'function'
    && typeof (s as KeyringPair).address === 'string';
}

/** The address of the account a signer acts as (for a proxy: the real account). */
export function signerAddress(s: HcSigner): string {
  return s.address;
}

/**
 * A signer for the extension account `address` (`injectedSigner` is `extension.signer` from
 * {@link enableExtension} or `@polkadot/extension-dapp`'s `web3FromAddress(address).signer`).
 */
export function extensionSigner(address: string, injectedSigner: InjectedSigner): ExtensionSigner {
  return {
    kind: 'extension',
    address,
    signer: injectedSigner,
    async signRaw(payload) {
      if (typeof injectedSigner.signRaw !== 'function') {
        throw new Error('the extension cannot sign raw bytes (signRaw)');
      }
      const { signature } = await injectedSigner.signRaw(payload);
      return { signature };
    },
  };
}

/** A proxy signer: `delegate` acts for `real` with `proxyType` (null: any type it holds). */
export function proxySigner(delegate: KeyringPair | ExtensionSigner, real: string, proxyType: ProxyTypeName | null = null): ProxySigner {
  if (isProxySigner(delegate)) throw new Error('a proxy signer cannot delegate to another proxy signer');
  return { kind: 'proxy', delegate, real, proxyType, address: real };
}

/** The shape of `window.injectedWeb3` the polkadot-js extension (and compatible wallets) install. */
interface InjectedWeb3 {
  [name: string]: { enable(origin: string): Promise<InjectedExtension>; version?: string } | undefined;
}

/**
 * Enable the polkadot-js browser extension (or a compatible wallet named `extensionName`) for
 * this page, named `appName` in its prompt: `{ accounts, signer, signers }`, where `signers`
 * are {@link ExtensionSigner}s of every account. No dependency on @polkadot/extension-dapp:
 * it reads `window.injectedWeb3` (waiting up to `waitMs` for the extension to inject itself).
 * Rejects with a sentence when no extension is installed or the user refuses.
 */
export async function enableExtension(appName: string, { extensionName = 'polkadot-js', waitMs = 1_000 } = {}): Promise<{
  accounts: InjectedAccount[]; signer: InjectedSigner; signers: ExtensionSigner[]; extension: InjectedExtension;
}> {
  const web3 = (): InjectedWeb3 | undefined => (globalThis as { injectedWeb3?: InjectedWeb3 }).injectedWeb3;
  const deadline = Date.now() + waitMs;
  while (!web3()?.[extensionName] && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const entry = web3()?.[extensionName];
  if (!entry) {
    throw new Error(`No browser extension "${extensionName}" is installed (window.injectedWeb3 has ${Object.keys(web3() ?? {}).join(', ') || 'none'}); install the polkadot{.js} extension and reload.`);
  }
  let extension: InjectedExtension;
  try {
    extension = await entry.enable(appName);
  } catch (e) {
    throw new Error(`The extension "${extensionName}" refused access: ${e instanceof Error ? e.message : String(e)}`);
  }
  const accounts = await extension.accounts.get();
  return {
    accounts,
    signer: extension.signer,
    signers: accounts.map((a) => extensionSigner(a.address, extension.signer)),
    extension,
  };
}

/** The well-known development accounts' names, in sp-keyring's order (`//Alice` ...). */
export const DEV_NAMES = [
  'alice', 'bob', 'charlie', 'dave', 'eve', 'ferdie',
  'aliceStash', 'bobStash', 'charlieStash', 'daveStash', 'eveStash', 'ferdieStash',
] as const;
/** A development account's name. */
export type DevName = typeof DEV_NAMES[number];

/** The URI of a development account: `alice` -> `//Alice`, `aliceStash` -> `//Alice//stash`. */
export function devUri(name: DevName): string {
  const base = name.replace(/Stash$/, '');
  const uri = `//${base.charAt(0).toUpperCase()}${base.slice(1)}`;
  return name.endsWith('Stash') ? `${uri}//stash` : uri;
}

/**
 * The 12 well-known development accounts (sr25519, SS58 prefix 7373) by name: `alice` ...
 * `ferdie` (`//Alice` ...) and `aliceStash` ... `ferdieStash` (`//Alice//stash` ...). The
 * `development` and `local_testnet` presets fund exactly these with 1,000,000 HLTH each
 * (runtime/src/genesis_config_presets.rs: `Sr25519Keyring::well_known()`, the first 12 of
 * sp-keyring). In those presets Alice, Bob and Charlie are the provider organisations and the
 * council; Alice is sudo on the dev chain.
 */
export function devAccounts(): Record<DevName, KeyringPair> {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_PREFIX });
  return Object.fromEntries(DEV_NAMES.map((n) => [n, keyring.addFromUri(devUri(n), { name: n })])) as Record<DevName, KeyringPair>;
}

/** A fresh sr25519 account from a seed phrase or URI (e.g. `//Org/1`), SS58 prefix 7373. */
export function account(uri: string): KeyringPair {
  return new Keyring({ type: 'sr25519', ss58Format: SS58_PREFIX }).addFromUri(uri);
}
