//! Types and small traits of the validator-set pallet.

use core::marker::PhantomData;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::One;

/// Whether an account has registered session keys (`session.setKeys`). The runtime answers it
/// from pallet-session's `NextKeys`; a validator without keys could not author or vote, so the
/// pallet admits only accounts whose keys are registered.
pub trait SessionKeysRegistered<AccountId> {
	/// Whether `who` has session keys registered.
	fn has_keys(who: &AccountId) -> bool;

	/// Register some session keys for `who`, for benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn set_keys_for_benchmarks(_who: &AccountId) {}
}

/// The session length stored in this pallet (set at genesis per chain, changed by governance),
/// as a `Get` for `pallet_session::PeriodicSessions`. Never zero.
pub struct SessionLength<T>(PhantomData<T>);

impl<T: crate::Config> Get<BlockNumberFor<T>> for SessionLength<T> {
	fn get() -> BlockNumberFor<T> {
		crate::SessionBlocks::<T>::get().max(One::one())
	}
}
