//! Healthchain's own pallets: the provider registry, record anchors, the consent registry and
//! billing claims.

use crate::{
	Balance, Balances, Claims, Consent, Providers, Records, Runtime, RuntimeEvent,
	RuntimeHoldReason, DAYS, HOURS, UNIT,
};
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
	/// The validators whose nodes peer-level permissioning never cuts off.
	type SessionValidators = SessionValidatorAccounts;
	type MaxValidators = super::consensus::MaxAuthorities;
	/// An organisation with open or still disputable claims cannot deregister.
	type Obligations = Claims;
	type WeightInfo = pallet_providers::weights::SubstrateWeight<Runtime>;
}

/// The session's validators, current and queued for the next session (pallet-session's
/// `Validators` and `QueuedKeys`), deduplicated.
pub struct SessionValidatorAccounts;
impl pallet_providers::SessionValidators<crate::AccountId> for SessionValidatorAccounts {
	fn validators() -> alloc::vec::Vec<crate::AccountId> {
		let mut v = pallet_session::Validators::<Runtime>::get();
		v.extend(pallet_session::QueuedKeys::<Runtime>::get().into_iter().map(|(who, _)| who));
		v.sort();
		v.dedup();
		v
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_validators_for_benchmarks(validators: alloc::vec::Vec<crate::AccountId>) {
		pallet_session::Validators::<Runtime>::put(validators);
		pallet_session::QueuedKeys::<Runtime>::kill();
	}
}

impl pallet_records::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Providers = Providers;
	/// A record keeps at most 256 versions (68 bytes each on chain).
	type MaxVersions = ConstU32<256>;
	/// One batch stands for at most 2^24 (16.7 million) record digests.
	type MaxBatchLeaves = ConstU32<{ 1 << 24 }>;
	/// A gateway anchors up to 200 record versions per extrinsic (about 20 KB; ~30 ms of the
	/// block's 1.5 s normal-class budget at the benchmarked amend cost).
	type MaxAnchorsPerCall = ConstU32<200>;
	/// Root or a 2/3 council motion retracts any record (wrong patient, court order, erasure).
	type GovernanceOrigin = GovernanceOrigin;
	type WeightInfo = pallet_records::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// A grant lasts at most a year (HIPAA authorizations must carry an expiry); a grant made
	/// without an expiry lasts exactly that.
	pub const MaxGrantDuration: crate::BlockNumber = 365 * DAYS;
	/// A break-glass window stays open for 12 hours (a clinical shift).
	pub const BreakGlassDuration: crate::BlockNumber = 12 * HOURS;
	/// Break-glass use is counted per day.
	pub const BreakGlassPeriod: crate::BlockNumber = DAYS;
}

impl pallet_consent::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Providers = Providers;
	type Records = Records;
	type GovernanceOrigin = GovernanceOrigin;
	/// The third `Unjustified` break-glass verdict suspends the organisation.
	type Discipline = Providers;
	type BreakGlassPeriod = BreakGlassPeriod;
	/// An emergency department opens at most 200 windows a day (a busy ER sees ~300
	/// patients a day, most of them able to consent); more is a compromised key or abuse.
	type MaxBreakGlassPerPeriod = ConstU32<200>;
	type UnjustifiedLimit = ConstU32<3>;
	type MaxGrantDuration = MaxGrantDuration;
	type BreakGlassDuration = BreakGlassDuration;
	/// A patient may have 64 grants at once (`consent_grantsOf` returns at most these).
	type MaxGrantsPerPatient = ConstU32<64>;
	/// A patient may have 4 guardians.
	type MaxGuardians = ConstU32<4>;
	/// A gateway logs at most 512 accesses per extrinsic (~34 KB of call data).
	type MaxAccessBatch = ConstU32<512>;
	/// Patients sign their fee-less calls with their own account key.
	type Signature = crate::Signature;
	/// 10 fee-less grants, updates or guardian additions per patient per day (withdrawals
	/// are not counted): more than any patient needs, too few to be worth farming.
	type FeelessQuota = ConstU32<10>;
	type FeelessPeriod = FeelessPeriod;
	/// At most 100 fee-less operations and 100 fee-less withdrawals per block, 2.9 million of
	/// each a day (docs/fees.md: their share of a block and the flood measurement).
	type MaxFeelessPerBlock = ConstU32<100>;
	type MaxFeelessWithdrawalsPerBlock = ConstU32<100>;
	/// A signed payload is valid for at most an hour.
	type MaxPayloadLifetime = MaxPayloadLifetime;
	type WeightInfo = pallet_consent::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = PatientKeys;
}

parameter_types! {
	/// The fee-less quota is counted per day.
	pub const FeelessPeriod: crate::BlockNumber = DAYS;
	/// A signed patient payload expires at most an hour after it is checked.
	pub const MaxPayloadLifetime: crate::BlockNumber = HOURS;
}

/// sr25519 keys made in the benchmark's keystore, for the patient-call benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct PatientKeys;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_consent::BenchmarkHelper<crate::AccountId, crate::Signature> for PatientKeys {
	fn signer() -> crate::AccountId {
		use sp_runtime::{app_crypto::RuntimePublic, traits::IdentifyAccount};
		let public = sp_core::sr25519::Public::generate_pair(BENCH_KEY_TYPE, None);
		sp_runtime::MultiSigner::from(public).into_account()
	}

	fn sign(signer: &crate::AccountId, message: &[u8]) -> crate::Signature {
		use sp_runtime::app_crypto::RuntimePublic;
		let public = sp_core::sr25519::Public::from_raw(*signer.as_ref());
		public
			.sign(BENCH_KEY_TYPE, &message)
			.map(crate::Signature::Sr25519)
			.unwrap_or_else(|| crate::Signature::Sr25519(Default::default()))
	}
}

#[cfg(feature = "runtime-benchmarks")]
const BENCH_KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"hcbp");

parameter_types! {
	/// The largest claim: 10 million HLTH.
	pub const MaxClaimAmount: Balance = 10_000_000 * UNIT;
	/// An insurer has 30 days to adjudicate before the provider may escalate.
	pub const AdjudicationDeadline: crate::BlockNumber = 30 * DAYS;
	/// A provider may dispute a denial or partial payment for 30 days.
	pub const DisputeWindow: crate::BlockNumber = 30 * DAYS;
}

impl pallet_claims::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Settled in the native token; any `fungible` (e.g. a stablecoin through pallet-assets
	/// and `ItemOf`) fits.
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Providers = Providers;
	type Records = Records;
	type Consent = Consent;
	type GovernanceOrigin = GovernanceOrigin;
	/// A claim cites at most 32 records.
	type MaxRecordsPerClaim = ConstU32<32>;
	type MaxClaimAmount = MaxClaimAmount;
	type AdjudicationDeadline = AdjudicationDeadline;
	type DisputeWindow = DisputeWindow;
	type WeightInfo = pallet_claims::weights::SubstrateWeight<Runtime>;
}
