// Chain specs for multi-validator tests: the runtime's `local` preset with dave added as a
// fourth validator (validator set, provider registry, session keys).

import { execFileSync } from 'node:child_process';
import { Keyring } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { nodeBinary } from './node.js';

/** The plain `local` spec (JSON object) with alice, bob, charlie and dave as validators. */
export async function fourValidatorSpec(binary = nodeBinary()) {
  await cryptoWaitReady();
  const spec = JSON.parse(execFileSync(binary, ['build-spec', '--chain', 'local'],
    { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
  const patch = spec.genesis.runtimeGenesis.patch;
  const sr = new Keyring({ type: 'sr25519' }).addFromUri('//Dave');
  const ed = new Keyring({ type: 'ed25519' }).addFromUri('//Dave');
  patch.session.keys.push([sr.address, sr.address, { aura: sr.address, grandpa: ed.address }]);
  patch.validatorSet.initialValidators.push(sr.address);
  const expiry = patch.providers.providers[0][3];
  patch.providers.providers.push([sr.address, 2 /* Clinic */, `0x${'04'.repeat(32)}`, expiry]);
  spec.name = 'Healthchain Local Testnet (4 validators)';
  spec.id = 'healthchain_local4';
  return spec;
}
