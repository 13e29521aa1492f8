// @healthchain/sdk: the TypeScript SDK of Healthchain.
//
//   import { connect, devAccounts, consent, explain } from '@healthchain/sdk';
//   const api = await connect('ws://127.0.0.1:9944');
//   const dev = devAccounts();
//   const r = await consent.grant(api, dev.dave, dev.bob.address, ['Clinical'], ['Treatment'], null, null,
//     { onStatus: (s) => console.log(s) });
//   if (!r.ok) console.log(explain(r.error));
//
// Importing the package augments @polkadot/api with the types generated from Healthchain's
// metadata (src/interfaces): api.tx.consent.grant(...), api.query.*, api.consts.*, api.events.*,
// api.errors.*, api.call.* and api.rpc.records/consent/claims are typed.

import './interfaces/index.js';

export * from './chain.js';
export * from './names.js';
export * from './errors.js';
export * from './tx.js';
export * from './signer.js';
export * from './pallets.js';
export * from './exchange.js';
export * from './services.js';
export * from './units.js';
export { rpcDefinitions } from './rpc-definitions.js';
export * from './digest.js';
export * from './merkle.js';
export { TimeoutError } from './util.js';
export type { Hex } from './util.js';
