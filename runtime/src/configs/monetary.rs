//! Balances (HLTH, 12 decimals, with fungible holds for deposits and escrow) and fees.

use crate::{
	AccountId, Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
	System, EXISTENTIAL_DEPOSIT, MICRO_UNIT,
};
use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU8, VariantCountOf},
	weights::{ConstantMultiplier, IdentityFee},
	PalletId,
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_runtime::traits::AccountIdConversion;
use sp_runtime::traits::One;

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = crate::weights::pallet_balances::WeightInfo<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees do not float with congestion: consortium members budget a fixed cost per action.
	pub FeeMultiplier: Multiplier = Multiplier::one();
	/// Fee per byte of extrinsic: 0.01 milli-HLTH. Together with the weight fee this makes a
	/// block full of spam cost its sender real funds.
	pub const TransactionByteFee: Balance = 10 * MICRO_UNIT;
	/// The consortium treasury's id: its account has no key, so only root (a council motion
	/// through `councilRoot`) can move its funds (`balances.forceTransfer`).
	pub const TreasuryPalletId: PalletId = PalletId(*b"hc/trsry");
	/// The account every transaction fee and tip goes to (docs/fees.md: the supply policy).
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees and tips are not burned: they go to the consortium treasury, so a busy chain does
	/// not drain its own fee currency (total issuance is constant; see docs/fees.md).
	type OnChargeTransaction = FungibleAdapter<Balances, ResolveTo<TreasuryAccount, Balances>>;
	/// Operational extrinsics (e.g. council business) pay 5x for their priority.
	type OperationalFeeMultiplier = ConstU8<5>;
	/// One planck per unit of ref-time weight (1 HLTH buys 1 s of reference compute).
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = crate::weights::pallet_transaction_payment::WeightInfo<Runtime>;
}

/// Fees go to the treasury account, which the payment benchmark needs no setup for (a fee
/// below the existential deposit into a missing account is dropped, never an error).
#[cfg(feature = "runtime-benchmarks")]
impl pallet_transaction_payment::BenchmarkConfig for Runtime {}
