//! Healthchain's own pallets: the provider registry and record anchors (consent and claims
//! join here as they land).

use crate::{Balance, Balances, Providers, Runtime, RuntimeEvent, RuntimeHoldReason, DAYS, UNIT};
use frame_support::{parameter_types, traits::ConstU32};

/// Who governs the registry: root or a 2/3 council motion.
pub use super::governance::GovernanceOrigin;

parameter_types! {
	/// What an organisation holds while registered: 100 HLTH.
	pub const ProviderDeposit: Balance = 100 * UNIT;
	/// A credential is valid for at most two years from registration or renewal.
	pub const MaxCredentialDuration: crate::BlockNumber = 2 * 365 * DAYS;
}

impl pallet_providers::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RegistrationDeposit = ProviderDeposit;
	type GovernanceOrigin = GovernanceOrigin;
	type MaxCredentialDuration = MaxCredentialDuration;
	/// At most 64 credentials lapse at one block: `on_initialize` reads one bucket of 64.
	type MaxExpiriesPerBlock = ConstU32<64>;
	/// An organisation lists at most 16 nodes (validators, RPC gateways, archive nodes).
	type MaxNodesPerProvider = ConstU32<16>;
	type WeightInfo = pallet_providers::weights::SubstrateWeight<Runtime>;
}

impl pallet_records::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Providers = Providers;
	/// A record keeps at most 256 versions (68 bytes each on chain).
	type MaxVersions = ConstU32<256>;
	/// One batch stands for at most 2^24 (16.7 million) record digests.
	type MaxBatchLeaves = ConstU32<{ 1 << 24 }>;
	type WeightInfo = pallet_records::weights::SubstrateWeight<Runtime>;
}
