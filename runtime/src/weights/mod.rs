//! Weights of the FRAME pallets on every transaction's path (frame-system and its transaction
//! extensions, balances, transaction-payment) and the block/extrinsic overhead, generated on this
//! machine by `scripts/bench-weights` (the command line and machine are in each file's header).
//! The Healthchain pallets keep theirs in `pallets/*/src/weights.rs`.

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system;
pub mod frame_system_extensions;
pub mod pallet_balances;
pub mod pallet_multisig;
pub mod pallet_proxy;
pub mod pallet_transaction_payment;
