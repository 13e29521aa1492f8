//! The pallets whose benchmarks `healthchain-node benchmark pallet` runs (build the node with
//! `--features runtime-benchmarks`). Every Healthchain pallet is listed.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_utility, Utility]
	[pallet_proxy, Proxy]
	[pallet_multisig, Multisig]
	[pallet_providers, Providers]
	[pallet_records, Records]
	[pallet_consent, Consent]
	[pallet_claims, Claims]
	[pallet_validator_set, ValidatorSet]
	[pallet_council_root, CouncilRoot]
);
