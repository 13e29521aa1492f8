//! Replaced by `scripts/bench-weights pallet_multisig` (machine-specific weights).
pub type WeightInfo<T> = pallet_multisig::weights::SubstrateWeight<T>;
