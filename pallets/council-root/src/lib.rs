//! # Council-root pallet
//!
//! Root without a sudo key. The consortium chain has no sudo key outside development, yet some
//! calls are root-only by design: `system.authorizeUpgrade` / `system.setCode` (runtime
//! upgrades), `balances.forceSetBalance`, `session` maintenance. [`Pallet::dispatch_as_root`]
//! lets the origin configured as `RootOrigin` — in the runtime, a 2/3 council motion —
//! dispatch such a call with the root origin.
//!
//! A council that can upgrade the runtime can already do anything root can, so this grants the
//! council nothing beyond the upgrade power the design gives it; it only makes it usable in one
//! motion — with two exceptions the runtime names in `Forbidden`: no motion may install a
//! sudo key (`sudo.setKey` would hand root to one account for good) or shrink the council below
//! its minimum. Every dispatch emits [`Event::Dispatched`] with the call's result, so the chain
//! records what the council did as root and whether it worked.
//!
//! ## Runtime upgrade by motion
//!
//! ```text
//! council.propose(threshold, councilRoot.dispatchAsRoot(system.authorizeUpgrade(codeHash)))
//! → members vote → council.close → anyone: system.applyAuthorizedUpgrade(code)
//! ```
//!
//! Authorizing the hash (32 bytes) rather than proposing `setCode(code)` keeps the 1+ MB wasm out
//! of the council's proposal storage; the code itself arrives once, in the applying extrinsic.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::boxed::Box;
	use frame_support::{
		dispatch::{GetDispatchInfo, PostDispatchInfo},
		pallet_prelude::*,
		traits::{Contains, UnfilteredDispatchable},
	};
	use frame_system::{pallet_prelude::*, RawOrigin};
	use sp_runtime::traits::Dispatchable;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Configuration of the council-root pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The overarching call type.
		type RuntimeCall: Parameter
			+ UnfilteredDispatchable<RuntimeOrigin = Self::RuntimeOrigin>
			+ Dispatchable<RuntimeOrigin = Self::RuntimeOrigin, PostInfo = PostDispatchInfo>
			+ GetDispatchInfo;

		/// Who may dispatch as root: a 2/3 council motion.
		type RootOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Calls a motion may never dispatch as root (in the runtime: every `sudo` call, so one
		/// motion cannot hand root to a single key with `sudo.setKey`, and membership changes
		/// that would leave the council too small to be a council).
		type Forbidden: Contains<<Self as Config>::RuntimeCall>;

		/// Weights of this pallet's calls, from benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Events of the council-root pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A call was dispatched as root; `result` is its outcome.
		Dispatched { result: DispatchResult },
	}

	/// Errors of the council-root pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// This call may not be dispatched as root by a motion (see `Forbidden`).
		CallForbidden,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Dispatch `call` with the root origin. The call's own failure does not fail this
		/// dispatch (the motion was decided): it is reported in [`Event::Dispatched`].
		///
		/// Origin: `RootOrigin` (a 2/3 council motion).
		#[pallet::call_index(0)]
		#[pallet::weight({
			let info = call.get_dispatch_info();
			(T::WeightInfo::dispatch_as_root().saturating_add(info.call_weight), info.class)
		})]
		pub fn dispatch_as_root(
			origin: OriginFor<T>,
			call: Box<<T as Config>::RuntimeCall>,
		) -> DispatchResultWithPostInfo {
			T::RootOrigin::ensure_origin(origin)?;
			ensure!(!T::Forbidden::contains(&call), Error::<T>::CallForbidden);
			let info = call.get_dispatch_info();
			let res = call.dispatch_bypass_filter(RawOrigin::Root.into());
			let actual = res
				.map(|post| post.actual_weight)
				.unwrap_or_else(|e| e.post_info.actual_weight)
				.unwrap_or(info.call_weight);
			Self::deposit_event(Event::Dispatched { result: res.map(|_| ()).map_err(|e| e.error) });
			Ok(Some(T::WeightInfo::dispatch_as_root().saturating_add(actual)).into())
		}
	}
}
