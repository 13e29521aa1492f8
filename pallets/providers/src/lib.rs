//! # Providers pallet
//!
//! The consortium's registry of provider organisations: hospitals, clinics, labs, pharmacies,
//! insurers and emergency services. An organisation registers itself with its roles and a
//! salted digest of its credential (licence, accreditation) with an expiry, placing a deposit
//! (a fungible hold). Governance (root or a council motion) approves or rejects it, and may
//! suspend, reinstate or revoke it. The organisation renews its credential before it lapses;
//! an expired credential makes it inactive at that block without anyone acting.
//!
//! Other pallets ask [`healthchain_primitives::ProviderRegistry`] (implemented by this pallet)
//! whether an account is an active organisation in a role.
//!
//! ## Lifecycle
//!
//! ```text
//! register ──▶ Pending ──approve──▶ Active ◀──reinstate── Suspended
//!                 │                   │  └──────suspend──────▲
//!               reject              revoke (also from Pending / Suspended)
//!                 ▼                   ▼
//!            (removed, deposit   Revoked   (terminal: the entry and its deposit stay)
//!             released)
//!
//! Pending / Active / Suspended ──deregister──▶ (removed, deposit released)
//!                               (only with no open obligations)
//! ```
//!
//! A pending, active or suspended organisation may `deregister`, which releases its deposit,
//! unless it still has open obligations (claims it filed as a provider or must settle as an
//! insurer, as [`Config::Obligations`] reports): it cannot walk away from them. Revocation is
//! terminal: a revoked organisation cannot deregister, renew its credential or list nodes; its
//! entry stays, so the account cannot register afresh, and its deposit stays held.
//!
//! Besides governance's `suspend`, other pallets may suspend an active organisation for cause
//! through [`healthchain_primitives::ProviderDiscipline`] (e.g. the consent pallet, after
//! repeated unjustified break-glass use); governance may reinstate it.
//!
//! Expiry is exact: [`Pallet::active_roles`] compares the credential's expiry with the current
//! block. In addition `on_initialize` emits `CredentialExpired` for the organisations whose
//! credential lapses at that block, reading one bounded bucket (`MaxExpiriesPerBlock`).
//!
//! ## Peer-level permissioning
//!
//! An organisation lists the libp2p peer ids of its nodes with [`Pallet::set_nodes`] (at most
//! `MaxNodesPerProvider`; a peer id belongs to one organisation), each with **proof that it
//! controls the node**: the node key's ed25519 signature of [`node_proof_message`] (a context
//! string, this chain's genesis hash and the organisation's account). When governance switches
//! the network to permissioned with [`Pallet::set_network_permissioned`], every node running
//! the offchain worker (validators by default; `--offchain-worker always` on the others) makes
//! the **allowed** nodes its only peers (`set_authorized_nodes`, i.e. reserved-only networking)
//! and re-reads the list every block, so a suspended, revoked or lapsed organisation's nodes
//! are disconnected within a block. Permissioning never cuts the consensus off:
//!
//! - the nodes of the session's validators (current and queued, [`Config::SessionValidators`])
//!   stay allowed whatever their organisation's status: a validator leaves through the
//!   validator set (governance or a lapsed credential at the next rotation), not through the
//!   network layer;
//! - switching it on fails with `ValidatorWithoutNode` unless every validator has a node
//!   listed, and a validator cannot empty its list while it is on;
//! - an empty allow-list is never applied (the previous list stays in force).
//!
//! Governance removes any organisation's nodes with [`Pallet::force_clear_nodes`]; a revoked
//! organisation loses its nodes. Switching permissioning off releases reserved-only mode. See
//! docs/governance.md and docs/security.md (finding 4).

//! ## Privacy
//!
//! Organisations are not patients: their accounts are public. Still, no names are stored;
//! the credential is a salted digest whose document the organisation shows off-chain.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{
		Digest, OpenObligations, ProviderDiscipline, ProviderRegistry, Roles,
	};
	use sp_core::OpaquePeerId;
	use sp_runtime::traits::{Saturating, Zero};

	/// The balance type of the deposit currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A registration as stored.
	pub type ProviderOf<T> = Provider<BalanceOf<T>, BlockNumberFor<T>>;

	/// The in-code storage version: 2 removed the empty `Expiries` buckets version 1 left
	/// behind (see [`crate::migrations`]).
	pub(crate) const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the providers pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency the registration deposit is held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The deposit an organisation places when it registers.
		#[pallet::constant]
		type RegistrationDeposit: Get<BalanceOf<Self>>;

		/// Who approves, rejects, suspends, reinstates and revokes organisations: root or a
		/// council motion.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The longest a credential may be valid from the block it is registered or renewed.
		#[pallet::constant]
		type MaxCredentialDuration: Get<BlockNumberFor<Self>>;

		/// The most credentials that may lapse at one block (bounds `on_initialize`).
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;

		/// The most nodes (peer ids) an organisation may list.
		#[pallet::constant]
		type MaxNodesPerProvider: Get<u32>;

		/// The accounts of the current session's validators and of those queued for the next
		/// session (in the runtime: pallet-session's `Validators` and `QueuedKeys`). Their
		/// nodes stay allowed peers whatever their organisation's status, so permissioning
		/// never cuts off a validator the consensus still counts on.
		type SessionValidators: SessionValidators<Self::AccountId>;

		/// The most validators [`Config::SessionValidators`] returns (bounds the checks of
		/// `set_network_permissioned`).
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// How many open obligations (open claims as a provider or an insurer) an
		/// organisation has: it cannot deregister while there are any. In the runtime, the
		/// claims pallet, which answers with one storage read.
		type Obligations: OpenObligations<Self::AccountId>;

		/// Weights of this pallet's calls, from benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The registration deposit of a provider organisation.
		#[codec(index = 0)]
		ProviderDeposit,
	}

	/// Registered organisations.
	#[pallet::storage]
	pub type Providers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ProviderOf<T>, OptionQuery>;

	/// The organisations whose credential lapses at a block. A bucket that becomes empty is
	/// removed, never stored empty.
	#[pallet::storage]
	pub type Expiries<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<T::AccountId, T::MaxExpiriesPerBlock>,
		ValueQuery,
	>;

	/// The peer ids of each organisation's nodes.
	#[pallet::storage]
	pub type Nodes<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<NodeId, T::MaxNodesPerProvider>,
		ValueQuery,
	>;

	/// Which organisation listed a peer id (a peer id belongs to one organisation).
	#[pallet::storage]
	pub type NodeOwner<T: Config> =
		StorageMap<_, Blake2_128Concat, NodeId, T::AccountId, OptionQuery>;

	/// Whether only active organisations' nodes may connect (enforced by the nodes' offchain
	/// workers).
	#[pallet::storage]
	pub type NetworkPermissioned<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// Events of the providers pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An organisation registered and awaits approval.
		Registered { who: T::AccountId, roles: Roles, credential_expires_at: BlockNumberFor<T> },
		/// Governance approved an organisation.
		Approved { who: T::AccountId },
		/// Governance rejected a pending organisation; its deposit was released.
		Rejected { who: T::AccountId },
		/// Governance suspended an organisation.
		Suspended { who: T::AccountId },
		/// Governance reinstated a suspended organisation.
		Reinstated { who: T::AccountId },
		/// Governance revoked an organisation.
		Revoked { who: T::AccountId },
		/// An organisation left the registry; its deposit was released.
		Deregistered { who: T::AccountId },
		/// An organisation renewed its credential.
		CredentialRenewed { who: T::AccountId, credential_expires_at: BlockNumberFor<T> },
		/// An organisation's credential lapsed: it is inactive until it renews.
		CredentialExpired { who: T::AccountId },
		/// An organisation replaced the list of its nodes' peer ids.
		NodesSet { who: T::AccountId, count: u32 },
		/// An organisation's nodes were removed by governance or because it was revoked.
		NodesCleared { who: T::AccountId },
		/// Governance switched peer-level permissioning on or off.
		NetworkPermissionSet { enabled: bool },
		/// Another pallet suspended an active organisation for cause (e.g. repeated
		/// unjustified break-glass use); governance may reinstate it.
		SuspendedForCause { who: T::AccountId },
	}

	/// Errors of the providers pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// This account is already registered.
		AlreadyRegistered,
		/// This account is not registered.
		NotRegistered,
		/// The role set is empty or has bits that are no role.
		InvalidRoles,
		/// The credential expiry is not after the current block.
		CredentialExpiryInPast,
		/// The credential expiry is further than `MaxCredentialDuration` from now.
		CredentialExpiryTooFar,
		/// Too many credentials already lapse at that block; pick another expiry block.
		TooManyExpiriesAtBlock,
		/// The account cannot pay the registration deposit.
		InsufficientDeposit,
		/// Only a pending organisation can be approved or rejected.
		NotPending,
		/// Only an active organisation can be suspended.
		NotActive,
		/// Only a suspended organisation can be reinstated.
		NotSuspended,
		/// The organisation is already revoked.
		AlreadyRevoked,
		/// A revoked organisation cannot renew its credential or list nodes.
		Revoked,
		/// A peer id is not an ed25519 libp2p peer id (the 38-byte identity multihash that
		/// Substrate nodes print as `12D3KooW...`).
		InvalidNodeId,
		/// A node's signature does not prove control of its peer id: it must be the node key's
		/// ed25519 signature of the node-ownership message for this chain and this account.
		InvalidNodeProof,
		/// A validator would have no node listed while the network is permissioned (or
		/// permissioning would start with one): its node would be cut off. List a node first;
		/// governance removes a validator from the set before clearing its nodes.
		ValidatorWithoutNode,
		/// The same peer id appears twice in the list.
		DuplicateNodeId,
		/// Another organisation already listed this peer id.
		NodeIdTaken,
		/// A revoked organisation cannot deregister: revocation is terminal, and its entry and
		/// deposit stay.
		RevokedCannotDeregister,
		/// The organisation still has open obligations (open claims as a provider or an
		/// insurer) and cannot deregister until they are settled.
		OpenObligations,
	}

	/// Organisations active from genesis (no deposit).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// `(account, roles, credential digest, credential expiry block)`.
		pub providers: Vec<(T::AccountId, Roles, Digest, BlockNumberFor<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (who, roles, digest, expires_at) in &self.providers {
				assert!(
					roles.is_valid() && !roles.is_empty(),
					"genesis provider with invalid roles"
				);
				assert!(!Providers::<T>::contains_key(who), "duplicate genesis provider");
				Providers::<T>::insert(
					who,
					Provider {
						roles: *roles,
						status: ProviderStatus::Active,
						credential_digest: *digest,
						credential_expires_at: *expires_at,
						deposit: Zero::zero(),
						registered_at: Zero::zero(),
					},
				);
				Expiries::<T>::try_mutate(expires_at, |v| v.try_push(who.clone()))
					.expect("genesis expiries fit MaxExpiriesPerBlock");
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let lapsing = Expiries::<T>::take(now);
			let n = lapsing.len() as u32;
			for who in lapsing {
				// Only organisations whose current credential lapses now (a renewal moved it).
				let lapses =
					Providers::<T>::get(&who).is_some_and(|p| p.credential_expires_at == now);
				if lapses {
					Self::deposit_event(Event::CredentialExpired { who });
				}
			}
			T::WeightInfo::on_initialize_expiries(n)
		}

		/// Peer-level permissioning: while the network is permissioned, allow only the nodes
		/// of active organisations as peers. Runs off-chain, on nodes with offchain workers.
		fn offchain_worker(_n: BlockNumberFor<T>) {
			Self::enforce_network_permissions();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register the caller as a provider organisation with `roles`, a salted digest of its
		/// credential and the block the credential expires at. Holds `RegistrationDeposit`.
		/// The organisation is `Pending` until governance approves it. Emits `Registered`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			roles: Roles,
			credential_digest: Digest,
			credential_expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			ensure!(roles.is_valid() && !roles.is_empty(), Error::<T>::InvalidRoles);
			Self::ensure_valid_expiry(credential_expires_at)?;
			ensure!(
				(Expiries::<T>::decode_len(credential_expires_at).unwrap_or(0) as u32)
					< T::MaxExpiriesPerBlock::get(),
				Error::<T>::TooManyExpiriesAtBlock
			);
			let deposit = T::RegistrationDeposit::get();
			T::Currency::hold(&HoldReason::ProviderDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientDeposit)?;

			Expiries::<T>::try_mutate(credential_expires_at, |v| v.try_push(who.clone()))
				.map_err(|_| Error::<T>::TooManyExpiriesAtBlock)?;
			Providers::<T>::insert(
				&who,
				Provider {
					roles,
					status: ProviderStatus::Pending,
					credential_digest,
					credential_expires_at,
					deposit,
					registered_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::Registered { who, roles, credential_expires_at });
			Ok(())
		}

		/// Approve a pending organisation (governance). Emits `Approved`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::approve())]
		pub fn approve(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::transition(
				&who,
				ProviderStatus::Pending,
				Error::<T>::NotPending,
				ProviderStatus::Active,
			)?;
			Self::deposit_event(Event::Approved { who });
			Ok(())
		}

		/// Reject a pending organisation (governance): it is removed and its deposit released.
		/// Emits `Rejected`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reject())]
		pub fn reject(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(provider.status == ProviderStatus::Pending, Error::<T>::NotPending);
			Self::remove(&who, &provider)?;
			Self::deposit_event(Event::Rejected { who });
			Ok(())
		}

		/// Suspend an active organisation (governance). Emits `Suspended`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::suspend())]
		pub fn suspend(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::transition(
				&who,
				ProviderStatus::Active,
				Error::<T>::NotActive,
				ProviderStatus::Suspended,
			)?;
			Self::deposit_event(Event::Suspended { who });
			Ok(())
		}

		/// Reinstate a suspended organisation (governance). Emits `Reinstated`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::reinstate())]
		pub fn reinstate(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::transition(
				&who,
				ProviderStatus::Suspended,
				Error::<T>::NotSuspended,
				ProviderStatus::Active,
			)?;
			Self::deposit_event(Event::Reinstated { who });
			Ok(())
		}

		/// Revoke an organisation for good (governance). Revocation is terminal: the entry
		/// stays as `Revoked` with its deposit held, and the organisation can neither
		/// deregister nor register again. Its nodes are removed (disconnected at once where
		/// the network is permissioned). Emits `Revoked`, then `NodesCleared` if it had
		/// nodes.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Providers::<T>::try_mutate(&who, |p| -> DispatchResult {
				let p = p.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(p.status != ProviderStatus::Revoked, Error::<T>::AlreadyRevoked);
				p.status = ProviderStatus::Revoked;
				Ok(())
			})?;
			Self::deposit_event(Event::Revoked { who: who.clone() });
			if Self::clear_nodes(&who) {
				Self::deposit_event(Event::NodesCleared { who });
			}
			Ok(())
		}

		/// Renew the caller's credential: a new digest and expiry. Not possible once revoked.
		/// Emits `CredentialRenewed`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::renew_credential())]
		pub fn renew_credential(
			origin: OriginFor<T>,
			credential_digest: Digest,
			credential_expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(provider.status != ProviderStatus::Revoked, Error::<T>::Revoked);
			Self::ensure_valid_expiry(credential_expires_at)?;
			let old = provider.credential_expires_at;
			if old != credential_expires_at {
				Expiries::<T>::try_mutate(credential_expires_at, |v| v.try_push(who.clone()))
					.map_err(|_| Error::<T>::TooManyExpiriesAtBlock)?;
				Self::remove_from_expiries(old, &who);
			}
			provider.credential_digest = credential_digest;
			provider.credential_expires_at = credential_expires_at;
			Providers::<T>::insert(&who, provider);
			Self::deposit_event(Event::CredentialRenewed { who, credential_expires_at });
			Ok(())
		}

		/// Leave the registry: the entry is removed and the deposit released. Not possible for
		/// a revoked organisation (revocation is terminal) nor while the organisation has open
		/// obligations (`Config::Obligations`). Emits `Deregistered`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::deregister())]
		pub fn deregister(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(
				provider.status != ProviderStatus::Revoked,
				Error::<T>::RevokedCannotDeregister
			);
			ensure!(T::Obligations::open_obligations(&who) == 0, Error::<T>::OpenObligations);
			Self::remove(&who, &provider)?;
			Self::deposit_event(Event::Deregistered { who });
			Ok(())
		}

		/// Replace the list of the caller's nodes. Each node comes with proof that the caller
		/// controls it: the node key's ed25519 signature of [`node_proof_message`] (this
		/// chain's genesis hash and the caller's account; `healthchain-node node-proof`
		/// prints it). Any registered, non-revoked organisation may list nodes; they are
		/// allowed peers while it is active (or while it is a session validator). An empty
		/// list removes them, except for a validator while the network is permissioned.
		/// Emits `NodesSet`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_nodes(T::MaxNodesPerProvider::get()))]
		pub fn set_nodes(
			origin: OriginFor<T>,
			nodes: BoundedVec<NodeProof, T::MaxNodesPerProvider>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(provider.status != ProviderStatus::Revoked, Error::<T>::Revoked);
			ensure!(
				!nodes.is_empty() || !NetworkPermissioned::<T>::get() || !Self::is_validator(&who),
				Error::<T>::ValidatorWithoutNode
			);
			let message = node_proof_message(Self::genesis_hash().as_ref(), &who);
			for (i, node) in nodes.iter().enumerate() {
				let key = ed25519_key_of(&node.peer_id).ok_or(Error::<T>::InvalidNodeId)?;
				ensure!(
					!nodes.iter().skip(i + 1).any(|n| n.peer_id == node.peer_id),
					Error::<T>::DuplicateNodeId
				);
				if let Some(owner) = NodeOwner::<T>::get(&node.peer_id) {
					ensure!(owner == who, Error::<T>::NodeIdTaken);
				}
				ensure!(
					sp_io::crypto::ed25519_verify(
						&node.signature,
						&message,
						&sp_core::ed25519::Public::from_raw(key)
					),
					Error::<T>::InvalidNodeProof
				);
			}
			Self::clear_nodes(&who);
			for node in nodes.iter() {
				NodeOwner::<T>::insert(&node.peer_id, &who);
			}
			let count = nodes.len() as u32;
			if !nodes.is_empty() {
				let ids: Vec<NodeId> = nodes.into_iter().map(|n| n.peer_id).collect();
				Nodes::<T>::insert(&who, BoundedVec::truncate_from(ids));
			}
			Self::deposit_event(Event::NodesSet { who, count });
			Ok(())
		}

		/// Switch peer-level permissioning on or off (governance). Switching it on needs a
		/// node listed for every session validator (`ValidatorWithoutNode` otherwise): a
		/// validator without one would be cut off. Emits `NetworkPermissionSet`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_network_permissioned(T::MaxValidators::get()))]
		pub fn set_network_permissioned(origin: OriginFor<T>, enabled: bool) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			if enabled {
				for v in T::SessionValidators::validators() {
					ensure!(Nodes::<T>::contains_key(&v), Error::<T>::ValidatorWithoutNode);
				}
			}
			NetworkPermissioned::<T>::put(enabled);
			Self::deposit_event(Event::NetworkPermissionSet { enabled });
			Ok(())
		}

		/// Remove an organisation's nodes (governance): a compromised or misused node is
		/// disconnected at once where the network is permissioned. Remove a validator from the
		/// validator set first: its own nodes stay allowed while it validates, and this call
		/// removes them regardless. Emits `NodesCleared`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::force_clear_nodes(T::MaxNodesPerProvider::get()))]
		pub fn force_clear_nodes(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(Providers::<T>::contains_key(&who), Error::<T>::NotRegistered);
			Self::clear_nodes(&who);
			Self::deposit_event(Event::NodesCleared { who });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The roles `who` may exercise at the current block.
		pub fn active_roles(who: &T::AccountId) -> Roles {
			let now = frame_system::Pallet::<T>::block_number();
			match Providers::<T>::get(who) {
				Some(p) if p.status == ProviderStatus::Active && now < p.credential_expires_at => {
					p.roles
				}
				_ => Roles::empty(),
			}
		}

		fn ensure_valid_expiry(expires_at: BlockNumberFor<T>) -> DispatchResult {
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(expires_at > now, Error::<T>::CredentialExpiryInPast);
			ensure!(
				expires_at <= now.saturating_add(T::MaxCredentialDuration::get()),
				Error::<T>::CredentialExpiryTooFar
			);
			Ok(())
		}

		fn transition(
			who: &T::AccountId,
			from: ProviderStatus,
			wrong_state: Error<T>,
			to: ProviderStatus,
		) -> DispatchResult {
			Providers::<T>::try_mutate(who, |p| -> DispatchResult {
				let p = p.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(p.status == from, wrong_state);
				p.status = to;
				Ok(())
			})
		}

		fn remove(who: &T::AccountId, provider: &ProviderOf<T>) -> DispatchResult {
			T::Currency::release(
				&HoldReason::ProviderDeposit.into(),
				who,
				provider.deposit,
				Precision::BestEffort,
			)?;
			Self::remove_from_expiries(provider.credential_expires_at, who);
			Self::clear_nodes(who);
			Providers::<T>::remove(who);
			Ok(())
		}

		/// Take `who` out of the expiry bucket of block `at`, removing the bucket if that
		/// empties it (a bucket is never stored empty).
		fn remove_from_expiries(at: BlockNumberFor<T>, who: &T::AccountId) {
			Expiries::<T>::mutate_exists(at, |bucket| {
				if let Some(v) = bucket {
					v.retain(|a| a != who);
					if v.is_empty() {
						*bucket = None;
					}
				}
			});
		}

		/// Remove `who`'s nodes; whether it had any.
		fn clear_nodes(who: &T::AccountId) -> bool {
			let nodes = Nodes::<T>::take(who);
			for node in nodes.iter() {
				NodeOwner::<T>::remove(node);
			}
			!nodes.is_empty()
		}

		/// Whether `who` validates in the current session or is queued for the next.
		fn is_validator(who: &T::AccountId) -> bool {
			T::SessionValidators::validators().contains(who)
		}

		/// The hash of this chain's genesis block (node-ownership proofs are bound to it).
		pub fn genesis_hash() -> T::Hash {
			frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
		}

		/// The peer ids allowed while the network is permissioned: the nodes of every active
		/// organisation and of every session validator (current or queued) whatever its
		/// organisation's status, each once (off-chain use: iterates the node lists).
		pub fn authorized_nodes() -> Vec<OpaquePeerId> {
			let validators = T::SessionValidators::validators();
			let mut allowed: Vec<OpaquePeerId> = Nodes::<T>::iter()
				.filter(|(who, _)| validators.contains(who) || !Self::active_roles(who).is_empty())
				.flat_map(|(_, nodes)| nodes.into_iter().map(|n| OpaquePeerId(n.into_inner())))
				.collect();
			allowed.sort();
			allowed.dedup();
			allowed
		}

		/// The offchain worker's step: while permissioned, make the allowed nodes
		/// ([`Self::authorized_nodes`]) this node's only peers; when switched off, leave
		/// reserved-only mode once. An empty list is never applied (it would isolate the
		/// node): the previous one stays in force and a warning is logged.
		pub fn enforce_network_permissions() {
			use sp_runtime::offchain::storage::StorageValueRef;
			let enforcing = StorageValueRef::persistent(b"healthchain/providers/enforcing");
			let was_enforcing = enforcing.get::<bool>().ok().flatten().unwrap_or(false);
			if NetworkPermissioned::<T>::get() {
				let allowed = Self::authorized_nodes();
				if allowed.is_empty() {
					log::warn!(
						target: "runtime::providers",
						"permissioned network with no allowed node: list left unchanged"
					);
					return;
				}
				sp_io::offchain::set_authorized_nodes(allowed, true);
				if !was_enforcing {
					log::info!(target: "runtime::providers", "peer-level permissioning on");
					enforcing.set(&true);
				}
			} else if was_enforcing {
				sp_io::offchain::set_authorized_nodes(Vec::new(), false);
				log::info!(target: "runtime::providers", "peer-level permissioning off");
				enforcing.set(&false);
			}
		}

		/// Invariants: every registered organisation has valid, non-empty roles and appears in
		/// the expiry bucket of its credential's expiry (unless that block has passed); every
		/// bucket entry is registered, and no bucket is stored empty.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let now = frame_system::Pallet::<T>::block_number();
			for (who, p) in Providers::<T>::iter() {
				ensure!(p.roles.is_valid() && !p.roles.is_empty(), "provider with invalid roles");
				if p.credential_expires_at > now {
					ensure!(
						Expiries::<T>::get(p.credential_expires_at).contains(&who),
						"provider missing from its expiry bucket"
					);
				}
			}
			for (who, nodes) in Nodes::<T>::iter() {
				ensure!(Providers::<T>::contains_key(&who), "nodes of an unknown account");
				for node in nodes {
					ensure!(
						NodeOwner::<T>::get(&node).as_ref() == Some(&who),
						"node without its owner entry"
					);
				}
			}
			for (node, who) in NodeOwner::<T>::iter() {
				ensure!(Nodes::<T>::get(&who).contains(&node), "owner entry without its node");
			}
			for (_, bucket) in Expiries::<T>::iter() {
				ensure!(!bucket.is_empty(), "empty expiry bucket stored");
				for who in bucket {
					ensure!(
						Providers::<T>::contains_key(&who),
						"expiry bucket holds unknown account"
					);
				}
			}
			Ok(())
		}
	}

	impl<T: Config> ProviderDiscipline<T::AccountId> for Pallet<T> {
		/// Suspend `who` for cause if its status is `Active` (even if its credential has
		/// lapsed, so renewing cannot escape the suspension) and emit `SuspendedForCause`;
		/// otherwise change nothing and emit nothing. Governance may `reinstate` it. Costs one
		/// read and, when it suspends, one write and an event: the caller accounts for them.
		fn suspend_for_cause(who: &T::AccountId) -> bool {
			let suspended = Self::transition(
				who,
				ProviderStatus::Active,
				Error::<T>::NotActive,
				ProviderStatus::Suspended,
			)
			.is_ok();
			if suspended {
				Self::deposit_event(Event::SuspendedForCause { who: who.clone() });
			}
			suspended
		}
	}

	impl<T: Config> ProviderRegistry<T::AccountId> for Pallet<T> {
		fn active_roles(who: &T::AccountId) -> Roles {
			Pallet::<T>::active_roles(who)
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn make_active_for_benchmarks(who: &T::AccountId, roles: Roles) {
			let now = frame_system::Pallet::<T>::block_number();
			let expires_at = now.saturating_add(T::MaxCredentialDuration::get());
			let _ = Expiries::<T>::try_mutate(expires_at, |v| v.try_push(who.clone()));
			Providers::<T>::insert(
				who,
				Provider {
					roles,
					status: ProviderStatus::Active,
					credential_digest: Default::default(),
					credential_expires_at: expires_at,
					deposit: Zero::zero(),
					registered_at: now,
				},
			);
		}
	}
}
