// Returns how many validators the session pallet has (zombienet js-script).
async function run(nodeName, networkInfo) {
  const { wsUri, userDefinedTypes } = networkInfo.nodesByName[nodeName];
  const api = await zombie.connect(wsUri, userDefinedTypes);
  const validators = await api.query.session.validators();
  await api.disconnect();
  return validators.length;
}

module.exports = { run };
