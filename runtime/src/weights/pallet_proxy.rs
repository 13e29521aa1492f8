//! Replaced by `scripts/bench-weights pallet_proxy` (machine-specific weights).
pub type WeightInfo<T> = pallet_proxy::weights::SubstrateWeight<T>;
