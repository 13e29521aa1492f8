//! Governance. For now: sudo, keyed only in the development preset (the consortium preset has
//! no sudo key, so root is reachable only through governance once the council lands).

use crate::{Runtime, RuntimeCall, RuntimeEvent};

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}
