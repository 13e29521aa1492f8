// Governance live (zombienet js-script, run on alice): takes eve from nothing to validator.
//   1. eve registers as a provider organisation (deposit held);
//   2. a council motion (alice proposes, alice + bob vote, charlie closes) approves her;
//   3. eve's own node generates session keys with an ownership proof
//      (`author_rotateKeysWithOwner`) and eve registers them (`session.setKeys`);
//   4. a council motion admits her (`validatorSet.addValidator`);
//   5. she enters `session.validators` at a rotation and authors a block.
// Returns the number of the first block eve authored (> 0) or throws. Every wait is bounded.

const STEP_TIMEOUT_MS = 120_000;
const MAX_SESSIONS = 4; // eve must author within this many sessions of her admission

async function run(nodeName, networkInfo) {
  const { ApiPromise, WsProvider, Keyring, util } = zombie;
  await util.cryptoWaitReady();
  const connect = (uri) => ApiPromise.create({ provider: new WsProvider(uri), noInitWarn: true });
  const api = await connect(networkInfo.nodesByName[nodeName].wsUri);
  const eveNode = await connect(networkInfo.nodesByName.eve.wsUri);
  const keyring = new Keyring({ type: 'sr25519' });
  const [alice, bob, charlie, eve] = ['//Alice', '//Bob', '//Charlie', '//Eve']
    .map((u) => keyring.addFromUri(u));
  const log = (m) => console.log(`[governance] ${m}`);

  try {
    // 1. Apply.
    const now = (await api.rpc.chain.getHeader()).number.toNumber();
    const credential = util.blake2AsHex('eve credential (salted, off-chain licence)');
    await send(api, api.tx.providers.register(1 /* Hospital */, credential, now + 100_000), eve);
    log('eve registered: ' + (await api.query.providers.providers(eve.address)).unwrap().status.type);

    // 2. Approved by the council.
    await motion(api, api.tx.providers.approve(eve.address), alice, [alice, bob], charlie);
    const status = (await api.query.providers.providers(eve.address)).unwrap().status.type;
    if (status !== 'Active') throw new Error(`eve not active after approval: ${status}`);
    log('eve approved by council motion');

    // 3. Keys from eve's own node, with a proof that eve owns them.
    const owner = '0x' + Buffer.from(eve.addressRaw).toString('hex'); // SCALE of an AccountId32
    const generated = await eveNode._rpcCore.provider.send('author_rotateKeysWithOwner', [owner]);
    await send(api, api.tx.session.setKeys(generated.keys, generated.proof), eve);
    log('eve registered session keys');

    // 4. Admitted by the council.
    await motion(api, api.tx.validatorSet.addValidator(eve.address), alice, [alice, bob], charlie);
    const admittedAt = (await api.rpc.chain.getHeader()).number.toNumber();
    const sessionLength = (await api.query.validatorSet.sessionBlocks()).toNumber();
    log(`eve admitted at block ${admittedAt}; sessions of ${sessionLength} blocks`);

    // 5. In the active set, then authoring: a block whose Aura slot falls to eve's aura key
    // (the first 32 bytes of the keys her node generated).
    const eveAura = generated.keys.slice(0, 2 + 64);
    const deadline = admittedAt + MAX_SESSIONS * sessionLength;
    const authorAura = async (header) => {
      const pre = header.digest.logs.find((l) => l.isPreRuntime && l.asPreRuntime[0].toString() === 'aura');
      if (!pre) return null;
      const slot = api.createType('u64', pre.asPreRuntime[1]).toBigInt();
      const authorities = await (await api.at(header.parentHash)).query.aura.authorities();
      return authorities[Number(slot % BigInt(authorities.length))].toHex();
    };
    const authored = await new Promise((resolve, reject) => {
      let unsub = () => {};
      const timer = setTimeout(() => { unsub(); reject(new Error('timed out waiting for eve to author')); },
        (MAX_SESSIONS * sessionLength + 10) * 6_000 + STEP_TIMEOUT_MS);
      api.rpc.chain.subscribeNewHeads(async (header) => {
        const n = header.number.toNumber();
        try {
          if ((await authorAura(header)) === eveAura) { clearTimeout(timer); unsub(); resolve(n); }
          else if (n > deadline) {
            clearTimeout(timer); unsub();
            reject(new Error(`eve did not author by block ${deadline} (${MAX_SESSIONS} sessions)`));
          }
        } catch (e) { clearTimeout(timer); unsub(); reject(e); }
      }).then((u) => { unsub = u; }, reject);
    });
    const validators = await api.query.session.validators();
    log(`eve authored block ${authored}; session validators: ${validators.length}`);
    if (!validators.some((v) => v.eq(eve.publicKey))) throw new Error('eve not in session.validators');
    return authored;
  } finally {
    await eveNode.disconnect();
    await api.disconnect();
  }
}

// Sign, submit, wait for inclusion; throw on a dispatch error (decoded) or after a timeout.
function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout: ${tx.method.section}.${tx.method.method}`)),
      STEP_TIMEOUT_MS);
    tx.signAndSend(signer, { nonce: -1 }, ({ status, events, dispatchError }) => {
      if (!status.isInBlock) return;
      clearTimeout(timer);
      if (dispatchError) {
        const e = dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule) : null;
        reject(new Error(`${tx.method.section}.${tx.method.method} failed: ${e ? `${e.section}.${e.name}` : dispatchError.toString()}`));
      } else {
        resolve(events.map(({ event }) => event));
      }
    }).catch((e) => { clearTimeout(timer); reject(e); });
  });
}

// A council motion: propose (threshold 2), votes, close; throws unless the call executed Ok.
async function motion(api, call, proposer, ayes, closer) {
  const length = call.method.encodedLength;
  const proposed = await send(api, api.tx.council.propose(2, call, length), proposer);
  const ev = proposed.find((e) => e.section === 'council' && e.method === 'Proposed');
  if (!ev) throw new Error('no council.Proposed event');
  const [, index, hash] = ev.data;
  for (const m of ayes) await send(api, api.tx.council.vote(hash, index, true), m);
  const info = await api.call.transactionPaymentCallApi.queryCallInfo(call, length);
  const closed = await send(api, api.tx.council.close(hash, index, info.weight, length), closer);
  const exec = closed.find((e) => e.section === 'council' && e.method === 'Executed');
  if (!exec) throw new Error('motion not executed');
  const result = exec.data[1];
  if (result.isErr) {
    const err = result.asErr;
    const m = err.isModule ? api.registry.findMetaError(err.asModule) : null;
    throw new Error(`motion ${call.method.section}.${call.method.method} failed: ${m ? `${m.section}.${m.name}` : err.toString()}`);
  }
}

module.exports = { run };
