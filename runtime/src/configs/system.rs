//! frame-system, timestamp and utility.

use crate::weights::{block_weights::BlockExecutionWeight, extrinsic_weights::ExtrinsicBaseWeight};
use crate::{
	AccountId, Aura, Block, BlockNumber, Hash, Nonce, OriginCaller, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, RuntimeTask, MILLI_SECS_PER_BLOCK, SLOT_DURATION,
	SS58_PREFIX, VERSION,
};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstU32, ConstU64},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_MILLIS},
		Weight,
	},
};
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

/// The share of a block's weight and length that normal (user) extrinsics may use; the rest
/// is kept for operational extrinsics (e.g. council motions) and inherents.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// A third of the block time in compute (1 s per 3 s block): the author has two thirds
	/// of the slot to build, and the other validators must import it within the slot.
	/// The base costs of a block and of an extrinsic are this machine's, from
	/// `benchmark overhead` (runtime/src/weights/{block,extrinsic}_weights.rs).
	pub RuntimeBlockWeights: frame_system::limits::BlockWeights = {
		let max = Weight::from_parts(MILLI_SECS_PER_BLOCK * WEIGHT_REF_TIME_PER_MILLIS / 3, u64::MAX);
		let normal = NORMAL_DISPATCH_RATIO * max;
		frame_system::limits::BlockWeights::builder()
			.base_block(BlockExecutionWeight::get())
			.for_class(DispatchClass::all(), |w| w.base_extrinsic = ExtrinsicBaseWeight::get())
			.for_class(DispatchClass::Normal, |w| w.max_total = Some(normal))
			.for_class(DispatchClass::Operational, |w| {
				w.max_total = Some(max);
				w.reserved = Some(max.saturating_sub(normal));
			})
			.avg_block_initialization(Perbill::from_percent(10))
			// Valid by construction (checked by frame-system's integrity test in the runtime
			// tests): the normal class fits the block with room for initialization.
			.build_or_panic()
	};
	/// 5 MiB blocks.
	pub RuntimeBlockLength: frame_system::limits::BlockLength =
		frame_system::limits::BlockLength::builder()
			.max_length(5 * 1024 * 1024)
			.modify_max_length_for_class(DispatchClass::Normal, |max| {
				*max = NORMAL_DISPATCH_RATIO * *max
			})
			.build();
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

/// Defaults come from FRAME's solochain preset; everything chain-specific is set here.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDB, so storage weights use ParityDB's costs.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<crate::Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
	/// Everything but a council-membership change that would leave too small a council.
	type BaseCallFilter = super::governance::BaseFilter;
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeCall = RuntimeCall;
	type RuntimeTask = RuntimeTask;
	type PalletInfo = PalletInfo;
	type OnSetCode = ();
	/// Benchmarked on this machine (scripts/bench-weights).
	type SystemWeightInfo = crate::weights::frame_system::WeightInfo<Runtime>;
	/// The transaction extensions' weights, benchmarked on this machine: every extrinsic pays
	/// them, so they bound the chain's extrinsics per second as much as the calls do.
	type ExtensionsWeightInfo = crate::weights::frame_system_extensions::WeightInfo<Runtime>;
}

impl pallet_timestamp::Config for Runtime {
	/// A timestamp: milliseconds since the unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}
