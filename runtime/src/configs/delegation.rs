//! Delegation: organisations act through keys they delegate (pallet-proxy) and may hold their
//! root key as a k-of-n of their officers (pallet-multisig).
//!
//! A hospital does not hand its organisation key to every system: it adds a **proxy** key per
//! system, limited to what that system does ([`ProxyType`]). A proxied call runs with the
//! organisation's own origin, so provider checks (`is_active`, roles) see the organisation,
//! and events name the organisation; the extrinsic's signer (the delegate key) and
//! `proxy.proxy(real, …)` name who acted for it, which the indexer records next to each event
//! (docs/fees.md, "Who acted for whom").

use crate::{
	Balance, Balances, BlakeTwo256, Runtime, RuntimeCall, RuntimeEvent, System, MILLI_UNIT,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{parameter_types, traits::InstanceFilter};
use scale_info::TypeInfo;

/// What a deposit costs: 100 mHLTH per storage item plus 1 mHLTH per byte. Deposits are held
/// (not spent) and returned when the item is removed.
pub const fn deposit(items: u32, bytes: u32) -> Balance {
	items as Balance * 100 * MILLI_UNIT + bytes as Balance * MILLI_UNIT
}

/// What a proxy key may do for the organisation that added it.
#[derive(
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub enum ProxyType {
	/// Everything the organisation may do (its officers' keys; the most permissive type).
	#[default]
	Any,
	/// A records gateway: anchor, amend, retract records and anchor Merkle batches
	/// (`records.*`).
	Records,
	/// A clinical system: log accesses (`consent.logAccess`, `consent.logAccessBatch`) and
	/// open break-glass windows (`consent.breakGlass`).
	AccessLog,
	/// A billing system: submit, withdraw, adjudicate, dispute and settle claims (`claims.*`).
	Claims,
	/// A council seat: propose, vote and close council motions (`council.*`).
	Governance,
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	fn filter(&self, call: &RuntimeCall) -> bool {
		// `utility` batches are allowed for every type: pallet-proxy filters each inner call
		// with the same type (the filter travels with the origin).
		let batch = matches!(call, RuntimeCall::Utility(..));
		match self {
			ProxyType::Any => true,
			ProxyType::Records => batch || matches!(call, RuntimeCall::Records(..)),
			ProxyType::AccessLog => {
				batch
					|| matches!(
						call,
						RuntimeCall::Consent(
							pallet_consent::Call::log_access { .. }
								| pallet_consent::Call::log_access_batch { .. }
								| pallet_consent::Call::record_disclosures { .. }
								| pallet_consent::Call::break_glass { .. }
						)
					)
			}
			ProxyType::Claims => batch || matches!(call, RuntimeCall::Claims(..)),
			ProxyType::Governance => batch || matches!(call, RuntimeCall::Council(..)),
		}
	}

	fn is_superset(&self, o: &Self) -> bool {
		self == o || *self == ProxyType::Any
	}
}

parameter_types! {
	/// Held while an account has proxies: one item (the list) of 8 bytes.
	pub const ProxyDepositBase: Balance = deposit(1, 8);
	/// Held per proxy: an account (32 bytes) and its type (1 byte).
	pub const ProxyDepositFactor: Balance = deposit(0, 33);
	/// Held while an announcement is pending: one item of 8 bytes.
	pub const AnnouncementDepositBase: Balance = deposit(1, 8);
	/// Held per announcement: an account, a call hash and a block number (68 bytes).
	pub const AnnouncementDepositFactor: Balance = deposit(0, 68);
	/// Held while a multisig operation is open: one item of 88 bytes.
	pub const MultisigDepositBase: Balance = deposit(1, 88);
	/// Held per approval threshold unit (an account in the approvals list).
	pub const MultisigDepositFactor: Balance = deposit(0, 32);
}

impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	type ProxyDepositBase = ProxyDepositBase;
	type ProxyDepositFactor = ProxyDepositFactor;
	/// An organisation delegates to at most 32 keys (gateways, departments, officers).
	type MaxProxies = frame_support::traits::ConstU32<32>;
	type WeightInfo = crate::weights::pallet_proxy::WeightInfo<Runtime>;
	type MaxPending = frame_support::traits::ConstU32<32>;
	type CallHasher = BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	type BlockNumberProvider = System;
}

impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = MultisigDepositBase;
	type DepositFactor = MultisigDepositFactor;
	/// A k-of-n of at most 20 officers.
	type MaxSignatories = frame_support::traits::ConstU32<20>;
	type WeightInfo = crate::weights::pallet_multisig::WeightInfo<Runtime>;
	type BlockNumberProvider = System;
}
