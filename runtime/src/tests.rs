//! Runtime-level tests: the genesis presets the node uses, the chain identity, and the
//! balances/fees configuration, all on the real `Runtime`.

use crate::{
	genesis_config_presets::{self, CONSORTIUM_TEMPLATE_PRESET, DEV_ENDOWMENT, FOUNDER_ENDOWMENT},
	AccountId, Balances, BuildStorage, Runtime, RuntimeGenesisConfig, RuntimeOrigin, System,
	EXISTENTIAL_DEPOSIT, SS58_PREFIX, UNIT, VERSION,
};
use frame_support::{assert_noop, assert_ok};
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Merge a JSON patch into a base document, as sc-chain-spec does with preset patches.
fn json_merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (k, v) in patch {
				json_merge(base.entry(k).or_insert(serde_json::Value::Null), v);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// Build the genesis storage of a preset exactly as a chain spec would.
fn preset_ext(id: &str) -> sp_io::TestExternalities {
	let patch_bytes = genesis_config_presets::get_preset(&PresetId::from(id))
		.unwrap_or_else(|| panic!("preset {id} exists"));
	let patch: serde_json::Value = serde_json::from_slice(&patch_bytes).expect("valid json");
	let mut full = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializable");
	json_merge(&mut full, patch);
	let config: RuntimeGenesisConfig =
		serde_json::from_value(full).expect("preset patch fits RuntimeGenesisConfig");
	let mut ext: sp_io::TestExternalities = config.build_storage().expect("genesis builds").into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}

fn aura_authorities() -> Vec<sp_consensus_aura::sr25519::AuthorityId> {
	pallet_aura::Authorities::<Runtime>::get().into_inner()
}

fn grandpa_authorities() -> Vec<sp_consensus_grandpa::AuthorityId> {
	pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().into_iter().map(|(id, _)| id).collect()
}

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

#[test]
fn runtime_lists_its_three_presets() {
	let names = genesis_config_presets::preset_names();
	assert_eq!(
		names,
		vec![
			PresetId::from(DEV_RUNTIME_PRESET),
			PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
			PresetId::from(CONSORTIUM_TEMPLATE_PRESET),
		]
	);
}

#[test]
fn unknown_preset_is_rejected() {
	assert!(genesis_config_presets::get_preset(&PresetId::from("mainnet")).is_none());
}

#[test]
fn development_preset_has_alice_as_sole_authority_and_sudo() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(aura_authorities(), vec![Sr25519Keyring::Alice.public().into()]);
		assert_eq!(grandpa_authorities(), vec![Ed25519Keyring::Alice.public().into()]);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(account(Sr25519Keyring::Alice)));
		for k in Sr25519Keyring::well_known() {
			assert_eq!(Balances::free_balance(k.to_account_id()), DEV_ENDOWMENT);
		}
	});
}

#[test]
fn local_testnet_preset_has_alice_bob_charlie_as_authorities() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let expected_aura: Vec<sp_consensus_aura::sr25519::AuthorityId> =
			[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.iter()
				.map(|k| k.public().into())
				.collect();
		let expected_grandpa: Vec<sp_consensus_grandpa::AuthorityId> =
			[Ed25519Keyring::Alice, Ed25519Keyring::Bob, Ed25519Keyring::Charlie]
				.iter()
				.map(|k| k.public().into())
				.collect();
		assert_eq!(aura_authorities(), expected_aura);
		assert_eq!(grandpa_authorities(), expected_grandpa);
		// The authorities come from the session pallet, which got them from the validator set.
		let expected: Vec<AccountId> =
			[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.iter()
				.map(|k| k.to_account_id())
				.collect();
		assert_eq!(crate::ValidatorSet::validators(), expected);
		assert_eq!(crate::Session::validators(), expected);
		assert_eq!(
			pallet_validator_set::SessionBlocks::<Runtime>::get(),
			genesis_config_presets::DEV_SESSION_LENGTH
		);
		// Sudo is keyed only in the development preset.
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
	});
}

#[test]
fn consortium_template_has_no_sudo_key_and_four_funded_founders() {
	preset_ext(CONSORTIUM_TEMPLATE_PRESET).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		assert_eq!(aura_authorities().len(), 4);
		assert_eq!(grandpa_authorities().len(), 4);
		for k in [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		] {
			assert_eq!(Balances::free_balance(k.to_account_id()), FOUNDER_ENDOWMENT);
		}
		// Nobody outside the founders holds funds, but for the treasury's existential deposit
		// (it receives the fees from the first block on).
		assert_eq!(Balances::free_balance(account(Sr25519Keyring::Eve)), 0);
		let treasury = crate::configs::monetary::TreasuryAccount::get();
		assert_eq!(Balances::free_balance(&treasury), EXISTENTIAL_DEPOSIT);
		assert_eq!(
			pallet_balances::TotalIssuance::<Runtime>::get(),
			4 * FOUNDER_ENDOWMENT + EXISTENTIAL_DEPOSIT
		);
	});
}

#[test]
fn chain_identity_is_healthchain() {
	assert_eq!(VERSION.spec_name, "healthchain");
	assert_eq!(<Runtime as frame_system::Config>::SS58Prefix::get(), SS58_PREFIX);
	assert_eq!(SS58_PREFIX, 7373);
}

#[test]
fn transfer_keep_alive_moves_funds_between_dev_accounts() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let bob = account(Sr25519Keyring::Bob);
		assert_ok!(Balances::transfer_keep_alive(
			RuntimeOrigin::signed(alice.clone()),
			bob.clone().into(),
			10 * UNIT
		));
		assert_eq!(Balances::free_balance(&alice), DEV_ENDOWMENT - 10 * UNIT);
		assert_eq!(Balances::free_balance(&bob), DEV_ENDOWMENT + 10 * UNIT);
	});
}

#[test]
fn transfer_below_existential_deposit_to_new_account_fails_with_below_minimum() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let fresh: AccountId = sp_core::crypto::AccountId32::new([7u8; 32]);
		assert_noop!(
			Balances::transfer_keep_alive(
				RuntimeOrigin::signed(alice),
				fresh.into(),
				EXISTENTIAL_DEPOSIT - 1
			),
			sp_runtime::TokenError::BelowMinimum
		);
	});
}

#[test]
fn fees_are_charged_by_weight_and_length() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		use frame_support::weights::Weight;
		let weight_fee = pallet_transaction_payment::Pallet::<Runtime>::weight_to_fee(
			Weight::from_parts(1_000_000_000, 0),
		);
		// 1 ms of reference compute costs 1/1000 HLTH.
		assert_eq!(weight_fee, UNIT / 1000);
		let length_fee = pallet_transaction_payment::Pallet::<Runtime>::length_to_fee(100);
		assert_eq!(length_fee, 100 * crate::configs::monetary::TransactionByteFee::get());
	});
}

// ---- Healthchain pallets on the real runtime ----

use crate::{Providers, Records};
use frame_support::traits::fungible::InspectHold;
use healthchain_primitives::{ProviderRegistry, Role};

/// `who` applies as a pharmacy (pending until governance approves).
fn register_pharmacy(who: &AccountId) {
	assert_ok!(Providers::register(
		RuntimeOrigin::signed(who.clone()),
		healthchain_primitives::Roles::from(Role::Pharmacy),
		sp_core::H256::repeat_byte(9),
		1_000
	));
}

#[test]
fn dev_preset_registers_alice_bob_charlie_as_organisations() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let bob = account(Sr25519Keyring::Bob);
		let charlie = account(Sr25519Keyring::Charlie);
		assert!(Providers::is_active(&alice, Role::Hospital));
		assert!(Providers::is_active(&alice, Role::Emergency));
		assert!(Providers::is_active(&bob, Role::Lab));
		assert!(Providers::is_active(&charlie, Role::Insurer));
		assert!(!Providers::is_active(&charlie, Role::Hospital));
		assert!(!Providers::is_active_any(&account(Sr25519Keyring::Dave)));
	});
}

#[test]
fn hospital_anchors_a_record_and_an_insurer_cannot() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let dave = account(Sr25519Keyring::Dave);
		let local = sp_core::H256::repeat_byte(1);
		let record = pallet_records::record_id_of(&alice, &local);
		let digest = sp_core::H256::repeat_byte(2);
		assert_ok!(Records::anchor(
			RuntimeOrigin::signed(alice),
			local,
			dave.clone(),
			digest,
			pallet_records::RecordKind(2),
			healthchain_primitives::Scope::Labs
		));
		assert_eq!(
			Records::verify(record, digest),
			pallet_records::Verification::Valid { version: 1 }
		);
		assert_noop!(
			Records::anchor(
				RuntimeOrigin::signed(account(Sr25519Keyring::Charlie)),
				sp_core::H256::repeat_byte(3),
				dave,
				sp_core::H256::repeat_byte(4),
				pallet_records::RecordKind(2),
				healthchain_primitives::Scope::Labs
			),
			pallet_records::Error::<Runtime>::NotActiveProvider
		);
	});
}

#[test]
fn organisation_registers_with_a_held_deposit_and_root_approves() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let dave = account(Sr25519Keyring::Dave);
		register_pharmacy(&dave);
		let reason: crate::RuntimeHoldReason = pallet_providers::HoldReason::ProviderDeposit.into();
		assert_eq!(
			Balances::balance_on_hold(&reason, &dave),
			crate::configs::healthchain::ProviderDeposit::get()
		);
		// A plain account cannot approve; root (sudo on dev chains) can.
		assert_noop!(
			Providers::approve(RuntimeOrigin::signed(account(Sr25519Keyring::Alice)), dave.clone()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Providers::approve(RuntimeOrigin::root(), dave.clone()));
		assert!(Providers::is_active(&dave, Role::Pharmacy));
	});
}

// ---- Council ----

use crate::{Council, CouncilMembership, RuntimeCall};
use frame_support::dispatch::GetDispatchInfo;
use sp_runtime::traits::{BlakeTwo256, Hash as _};

fn council_members() -> Vec<AccountId> {
	pallet_collective::Members::<Runtime, pallet_collective::Instance1>::get()
}

#[test]
fn presets_seat_the_council_through_membership() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let mut expected: Vec<AccountId> =
			[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.iter()
				.map(|k| k.to_account_id())
				.collect();
		expected.sort();
		assert_eq!(council_members(), expected);
		assert_eq!(CouncilMembership::members().into_inner(), expected);
	});
	preset_ext(CONSORTIUM_TEMPLATE_PRESET).execute_with(|| {
		assert_eq!(council_members().len(), 4);
	});
}

#[test]
fn council_motion_of_two_thirds_approves_a_provider() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let [alice, bob, charlie, dave] = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.map(|k| k.to_account_id());
		register_pharmacy(&dave);
		let call = RuntimeCall::Providers(pallet_providers::Call::approve { who: dave.clone() });
		let len = codec::Encode::encoded_size(&call) as u32;
		let hash = BlakeTwo256::hash_of(&call);
		let weight = call.get_dispatch_info().call_weight;

		// Propose, two ayes (the proposer votes too), then anyone closes: 2 of 3 = 2/3.
		assert_ok!(Council::propose(RuntimeOrigin::signed(alice.clone()), 2, Box::new(call), len));
		assert_ok!(Council::vote(RuntimeOrigin::signed(alice), hash, 0, true));
		assert_ok!(Council::vote(RuntimeOrigin::signed(bob), hash, 0, true));
		assert!(!Providers::is_active(&dave, Role::Pharmacy));
		assert_ok!(Council::close(RuntimeOrigin::signed(charlie), hash, 0, weight, len));
		assert!(Providers::is_active(&dave, Role::Pharmacy));
	});
}

#[test]
fn a_single_council_member_cannot_approve_and_outsiders_cannot_propose() {
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = account(Sr25519Keyring::Alice);
		let dave = account(Sr25519Keyring::Dave);
		register_pharmacy(&dave);
		let call = RuntimeCall::Providers(pallet_providers::Call::approve { who: dave.clone() });
		let len = codec::Encode::encoded_size(&call) as u32;
		// Threshold 1 executes at once with a 1-of-3 council origin: below 2/3, so BadOrigin.
		assert_ok!(Council::propose(RuntimeOrigin::signed(alice), 1, Box::new(call.clone()), len));
		assert!(!Providers::is_active(&dave, Role::Pharmacy));
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			crate::RuntimeEvent::Council(pallet_collective::Event::Executed { result: Err(_), .. })
		)));
		assert_noop!(
			Council::propose(RuntimeOrigin::signed(dave.clone()), 2, Box::new(call), len),
			pallet_collective::Error::<Runtime, pallet_collective::Instance1>::NotMember
		);
		// Only governance changes the council.
		assert_noop!(
			CouncilMembership::add_member(RuntimeOrigin::signed(dave.clone()), dave.clone().into()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(CouncilMembership::add_member(RuntimeOrigin::root(), dave.clone().into()));
		assert!(council_members().contains(&dave));
	});
}

// ---- Validators, sessions and root by council motion (local_testnet preset) ----

use crate::{CouncilRoot, Session, SessionKeys, ValidatorSet};
use frame_support::traits::Hooks;
use sp_core::proof_of_possession::ProofOfPossessionGenerator;

/// Run a 2/3 council motion on the local_testnet council: Alice proposes, Alice and Bob vote
/// aye, Charlie closes. Returns the motion's dispatch result.
fn council_motion(call: RuntimeCall) -> sp_runtime::DispatchResult {
	council_motion_by(call, &[Sr25519Keyring::Alice, Sr25519Keyring::Bob])
}

/// A council motion proposed by alice (threshold 2), voted aye by `ayes` and closed by
/// charlie; the result of its execution.
fn council_motion_by(call: RuntimeCall, ayes: &[Sr25519Keyring]) -> sp_runtime::DispatchResult {
	let [alice, charlie] =
		[Sr25519Keyring::Alice, Sr25519Keyring::Charlie].map(|k| k.to_account_id());
	let len = codec::Encode::encoded_size(&call) as u32;
	let hash = BlakeTwo256::hash_of(&call);
	let weight = call.get_dispatch_info().call_weight;
	let index = pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get();
	assert_ok!(Council::propose(RuntimeOrigin::signed(alice), 2, Box::new(call), len));
	for k in ayes {
		assert_ok!(Council::vote(RuntimeOrigin::signed(k.to_account_id()), hash, index, true));
	}
	assert_ok!(Council::close(RuntimeOrigin::signed(charlie), hash, index, weight, len));
	System::events()
		.iter()
		.rev()
		.find_map(|r| match &r.event {
			crate::RuntimeEvent::Council(pallet_collective::Event::Executed {
				proposal_hash,
				result,
			}) if *proposal_hash == hash => Some(*result),
			_ => None,
		})
		.expect("the motion executed")
}

/// Advance to block `n`, running the hooks that matter here (sessions, credential expiry).
fn run_to_block(n: crate::BlockNumber) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Session::on_initialize(next);
		Providers::on_initialize(next);
	}
}

/// Advance to the first block of the next session.
fn next_session() {
	let index = Session::current_index();
	let limit = System::block_number() + 10_000;
	while Session::current_index() == index {
		assert!(System::block_number() < limit, "no session rotation");
		run_to_block(System::block_number() + 1);
	}
}

/// `who` registers session keys (Aura sr25519, GRANDPA ed25519) with an ownership proof, as
/// `author_rotateKeysWithOwner` + `session.setKeys` do.
fn set_session_keys(sr: Sr25519Keyring, ed: Ed25519Keyring) -> SessionKeys {
	let who = sr.to_account_id();
	let keys = SessionKeys { aura: sr.public().into(), grandpa: ed.public().into() };
	let owner = codec::Encode::encode(&who);
	let proof = codec::Encode::encode(&(
		sr.pair().generate_proof_of_possession(&owner),
		ed.pair().generate_proof_of_possession(&owner),
	));
	assert_ok!(Session::set_keys(RuntimeOrigin::signed(who), keys.clone(), proof));
	keys
}

/// Dave becomes an approved pharmacy (by motion) with session keys.
fn dave_approved_with_keys() -> AccountId {
	let dave = account(Sr25519Keyring::Dave);
	register_pharmacy(&dave);
	assert_ok!(council_motion(RuntimeCall::Providers(pallet_providers::Call::approve {
		who: dave.clone()
	})));
	set_session_keys(Sr25519Keyring::Dave, Ed25519Keyring::Dave);
	dave
}

fn add_validator(who: &AccountId) -> RuntimeCall {
	RuntimeCall::ValidatorSet(pallet_validator_set::Call::add_validator { who: who.clone() })
}

fn remove_validator(who: &AccountId) -> RuntimeCall {
	RuntimeCall::ValidatorSet(pallet_validator_set::Call::remove_validator { who: who.clone() })
}

#[test]
fn council_motion_admits_a_provider_validator_that_validates_after_rotation() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let dave = dave_approved_with_keys();
		assert_ok!(council_motion(add_validator(&dave)));
		assert!(ValidatorSet::validators().contains(&dave));
		assert!(!Session::validators().contains(&dave));
		// Planned at the next rotation, active from the one after.
		next_session();
		assert!(!Session::validators().contains(&dave));
		next_session();
		assert!(Session::validators().contains(&dave));
		assert_eq!(Session::validators().len(), 4);
		let dave_aura: sp_consensus_aura::sr25519::AuthorityId =
			Sr25519Keyring::Dave.public().into();
		assert!(aura_authorities().contains(&dave_aura));
		ValidatorSet::do_try_state().expect("validator-set invariants");
	});
}

#[test]
fn a_lapsed_credential_drops_the_validator_at_the_next_session() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		// Dave's credential (register_pharmacy) is valid until block 1000.
		let dave = dave_approved_with_keys();
		assert_ok!(council_motion(add_validator(&dave)));
		next_session();
		next_session();
		assert!(Session::validators().contains(&dave));
		run_to_block(1_000);
		assert!(!Providers::is_active_any(&dave));
		// Dropping Dave would leave three active validators, below MinAuthorities (4, the
		// smallest set that survives a fault): the drop is deferred and announced.
		next_session();
		assert!(ValidatorSet::validators().contains(&dave));
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			crate::RuntimeEvent::ValidatorSet(pallet_validator_set::Event::DropDeferred {
				inactive: 1,
				..
			})
		)));
		// Dave renews his credential: nothing to drop, and he stays.
		assert_ok!(Providers::renew_credential(
			RuntimeOrigin::signed(dave.clone()),
			sp_core::H256::repeat_byte(9),
			5_000
		));
		next_session();
		next_session();
		assert!(Session::validators().contains(&dave));
		assert_eq!(Session::validators().len(), 4);
	});
}

#[test]
fn min_authorities_holds_under_council_motions() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let bob = account(Sr25519Keyring::Bob);
		// Three validators, MinAuthorities four: no removal, by motion or by root.
		assert_eq!(
			council_motion(remove_validator(&bob)),
			Err(pallet_validator_set::Error::<Runtime>::TooFewValidators.into())
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), bob.clone()),
			pallet_validator_set::Error::<Runtime>::TooFewValidators
		);
		// A fourth admitted: still none may go (three would remain).
		let dave = dave_approved_with_keys();
		assert_ok!(council_motion(add_validator(&dave)));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), bob.clone()),
			pallet_validator_set::Error::<Runtime>::TooFewValidators
		);
		next_session();
		next_session();
		assert_eq!(Session::validators().len(), 4);
	});
}

#[test]
fn validator_admission_needs_an_active_provider_with_keys() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let dave = account(Sr25519Keyring::Dave);
		assert_eq!(
			council_motion(add_validator(&dave)),
			Err(pallet_validator_set::Error::<Runtime>::NotActiveProvider.into())
		);
		register_pharmacy(&dave);
		assert_ok!(council_motion(RuntimeCall::Providers(pallet_providers::Call::approve {
			who: dave.clone()
		})));
		assert_eq!(
			council_motion(add_validator(&dave)),
			Err(pallet_validator_set::Error::<Runtime>::NoSessionKeys.into())
		);
		// Keys hold a deposit.
		set_session_keys(Sr25519Keyring::Dave, Ed25519Keyring::Dave);
		let reason: crate::RuntimeHoldReason = pallet_session::HoldReason::Keys.into();
		assert_eq!(
			Balances::balance_on_hold(&reason, &dave),
			crate::configs::consensus::sessions::SessionKeyDeposit::get()
		);
		assert_ok!(council_motion(add_validator(&dave)));
	});
}

#[test]
fn non_council_accounts_get_bad_origin() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let dave = dave_approved_with_keys();
		let eve = RuntimeOrigin::signed(account(Sr25519Keyring::Eve));
		let bad = sp_runtime::DispatchError::BadOrigin;
		assert_noop!(ValidatorSet::add_validator(eve.clone(), dave.clone()), bad);
		assert_noop!(
			ValidatorSet::remove_validator(eve.clone(), account(Sr25519Keyring::Alice)),
			bad
		);
		assert_noop!(ValidatorSet::set_session_length(eve.clone(), 20), bad);
		let remark = Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![] }));
		assert_noop!(CouncilRoot::dispatch_as_root(eve, remark.clone()), bad);
		// A council member alone is not the council either.
		assert_noop!(
			ValidatorSet::add_validator(
				RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
				dave
			),
			bad
		);
		assert_noop!(
			CouncilRoot::dispatch_as_root(
				RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
				remark
			),
			bad
		);
	});
}

#[test]
fn council_motion_sets_the_session_length() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let call = |blocks| {
			RuntimeCall::ValidatorSet(pallet_validator_set::Call::set_session_length { blocks })
		};
		assert_ok!(council_motion(call(crate::HOURS)));
		assert_eq!(pallet_validator_set::SessionBlocks::<Runtime>::get(), crate::HOURS);
		assert_eq!(
			council_motion(call(1)),
			Err(pallet_validator_set::Error::<Runtime>::SessionLengthOutOfRange.into())
		);
		// The next rotation is at the next multiple of one hour.
		run_to_block(crate::HOURS - 1);
		assert_eq!(Session::current_index(), 0);
		run_to_block(crate::HOURS);
		assert_eq!(Session::current_index(), 1);
	});
}

#[test]
fn council_motion_authorizes_a_runtime_upgrade_as_root() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let code_hash = sp_core::H256::repeat_byte(0xC0);
		let authorize = RuntimeCall::System(frame_system::Call::authorize_upgrade { code_hash });
		// Without the council, root-only calls stay out of reach (no sudo key here).
		assert_noop!(
			System::authorize_upgrade(
				RuntimeOrigin::signed(account(Sr25519Keyring::Alice)),
				code_hash
			),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(council_motion(RuntimeCall::CouncilRoot(
			pallet_council_root::Call::dispatch_as_root { call: Box::new(authorize) }
		)));
		assert!(System::events().iter().any(|r| r.event
			== crate::RuntimeEvent::CouncilRoot(pallet_council_root::Event::Dispatched {
				result: Ok(())
			})));
		assert!(System::events().iter().any(|r| r.event
			== crate::RuntimeEvent::System(frame_system::Event::UpgradeAuthorized {
				code_hash,
				check_version: true
			})));
	});
}

// ---- security review (issue 13): governance and money ----

#[test]
fn no_motion_can_hand_root_to_one_key_through_sudo() {
	// Finding 10: `councilRoot.dispatchAsRoot(sudo.setKey(x))` made x root for good on a chain
	// that has no sudo key.
	preset_ext(CONSORTIUM_TEMPLATE_PRESET).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
	});
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let eve = account(Sr25519Keyring::Eve);
		let set_key = RuntimeCall::Sudo(pallet_sudo::Call::set_key { new: eve.clone().into() });
		assert_eq!(
			council_motion(RuntimeCall::CouncilRoot(pallet_council_root::Call::dispatch_as_root {
				call: Box::new(set_key)
			})),
			Err(pallet_council_root::Error::<Runtime>::CallForbidden.into())
		);
		assert_ne!(pallet_sudo::Key::<Runtime>::get(), Some(eve));
	});
}

#[test]
fn the_council_cannot_be_shrunk_below_its_minimum_nor_given_a_prime() {
	// Finding 10: the council's membership could be emptied (governance left to no one), and
	// a prime's vote counted for every silent member.
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let charlie = account(Sr25519Keyring::Charlie);
		assert_eq!(council_members().len(), 3);
		let remove = RuntimeCall::CouncilMembership(pallet_membership::Call::remove_member {
			who: charlie.clone().into(),
		});
		assert_eq!(
			council_motion(remove.clone()),
			Err(frame_system::Error::<Runtime>::CallFiltered.into())
		);
		assert_eq!(
			council_motion(RuntimeCall::CouncilRoot(pallet_council_root::Call::dispatch_as_root {
				call: Box::new(remove)
			})),
			Err(pallet_council_root::Error::<Runtime>::CallForbidden.into())
		);
		assert_eq!(council_members().len(), 3);
		// With a fourth member, one may leave.
		let dave = account(Sr25519Keyring::Dave);
		assert_ok!(council_motion(RuntimeCall::CouncilMembership(
			pallet_membership::Call::add_member { who: dave.clone().into() }
		)));
		assert_eq!(council_members().len(), 4);
		// ... but not two at once in a root batch, where root bypasses the base filter.
		let removal = |k: Sr25519Keyring| {
			RuntimeCall::CouncilMembership(pallet_membership::Call::remove_member {
				who: account(k).into(),
			})
		};
		let two = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![removal(Sr25519Keyring::Bob), removal(Sr25519Keyring::Charlie)],
		});
		let three = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie];
		assert_eq!(
			council_motion_by(
				RuntimeCall::CouncilRoot(pallet_council_root::Call::dispatch_as_root {
					call: Box::new(two)
				}),
				&three
			),
			Err(pallet_council_root::Error::<Runtime>::CallForbidden.into())
		);
		assert_eq!(council_members().len(), 4);
		let one = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![removal(Sr25519Keyring::Charlie)],
		});
		assert_ok!(council_motion_by(
			RuntimeCall::CouncilRoot(pallet_council_root::Call::dispatch_as_root {
				call: Box::new(one)
			}),
			&three
		));
		assert_eq!(council_members().len(), 3);
		// Nor a reset to the minimum followed by a removal: judged together, in the worst order.
		assert_ok!(council_motion(RuntimeCall::CouncilMembership(
			pallet_membership::Call::add_member { who: account(Sr25519Keyring::Charlie).into() }
		)));
		assert_eq!(council_members().len(), 4);
		let reset_then_remove = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![
				RuntimeCall::CouncilMembership(pallet_membership::Call::reset_members {
					members: vec![
						account(Sr25519Keyring::Alice),
						account(Sr25519Keyring::Bob),
						account(Sr25519Keyring::Charlie),
					],
				}),
				removal(Sr25519Keyring::Charlie),
			],
		});
		assert_eq!(
			council_motion_by(
				RuntimeCall::CouncilRoot(pallet_council_root::Call::dispatch_as_root {
					call: Box::new(reset_then_remove)
				}),
				&three
			),
			Err(pallet_council_root::Error::<Runtime>::CallForbidden.into())
		);
		assert_eq!(council_members().len(), 4);
		let prime =
			RuntimeCall::CouncilMembership(pallet_membership::Call::set_prime { who: dave.into() });
		assert_eq!(council_motion(prime), Err(sp_runtime::DispatchError::BadOrigin));
	});
}

#[test]
fn fees_go_to_the_treasury_and_issuance_stays_constant() {
	// Finding 7: fees were burned and nothing issues HLTH, so a busy chain drained its supply.
	use frame_support::{dispatch::GetDispatchInfo, traits::fungible::Inspect};
	use sp_runtime::traits::Dispatchable;
	preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
		let treasury = crate::configs::monetary::TreasuryAccount::get();
		let issuance = Balances::total_issuance();
		let before = Balances::balance(&treasury);
		let alice = account(Sr25519Keyring::Alice);
		let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 32] });
		let info = call.get_dispatch_info();
		let fee = pallet_transaction_payment::Pallet::<Runtime>::compute_fee(100, &info, 0);
		assert!(fee > 0);
		// Charge and refund as the transaction extension does.
		// The runtime's own configured fee handler, charging and refunding as the transaction
		// extension does.
		type Charge = <Runtime as pallet_transaction_payment::Config>::OnChargeTransaction;
		let charged =
			<Charge as pallet_transaction_payment::OnChargeTransaction<Runtime>>::withdraw_fee(
				&alice, &call, &info, fee, 0,
			)
			.expect("alice can pay");
		call.clone().dispatch(RuntimeOrigin::signed(alice.clone())).expect("remark");
		<Charge as pallet_transaction_payment::OnChargeTransaction<Runtime>>::correct_and_deposit_fee(
			&alice,
			&info,
			&Default::default(),
			fee,
			0,
			charged,
		)
		.expect("deposit");
		assert_eq!(Balances::balance(&treasury), before + fee);
		assert_eq!(Balances::total_issuance(), issuance);
	});
}

#[test]
fn a_forbidden_call_nested_in_a_batch_is_refused_too() {
	// Review of the fix: root bypasses the call filter inside `utility`, so
	// `dispatchAsRoot(utility.batch([sudo.setKey(x)]))` must be caught as well.
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let eve = account(Sr25519Keyring::Eve);
		let set_key = RuntimeCall::Sudo(pallet_sudo::Call::set_key { new: eve.clone().into() });
		let nested = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![
				RuntimeCall::System(frame_system::Call::remark { remark: vec![] }),
				RuntimeCall::Utility(pallet_utility::Call::with_weight {
					call: Box::new(set_key),
					weight: frame_support::weights::Weight::zero(),
				}),
			],
		});
		assert_eq!(
			council_motion(RuntimeCall::CouncilRoot(pallet_council_root::Call::dispatch_as_root {
				call: Box::new(nested)
			})),
			Err(pallet_council_root::Error::<Runtime>::CallForbidden.into())
		);
		assert_ne!(pallet_sudo::Key::<Runtime>::get(), Some(eve.clone()));
		// A set of members with a prime is refused as well.
		let with_prime = RuntimeCall::Council(pallet_collective::Call::set_members {
			new_members: council_members(),
			prime: Some(eve),
			old_count: 3,
		});
		assert_eq!(
			council_motion(RuntimeCall::CouncilRoot(pallet_council_root::Call::dispatch_as_root {
				call: Box::new(with_prime)
			})),
			Err(pallet_council_root::Error::<Runtime>::CallForbidden.into())
		);
	});
}

// ---- GRANDPA equivocation reporting (issue 13, finding 5) ----

use crate::{Grandpa, Historical};
use sp_core::H256;

/// Advance one block at a time to `n`, also finalizing GRANDPA's scheduled authority changes
/// (so its set id follows the sessions, as on a node).
fn run_to_block_with_grandpa(n: crate::BlockNumber) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Session::on_initialize(next);
		Providers::on_initialize(next);
		Grandpa::on_finalize(next);
	}
}

/// `key` prevotes for blocks `targets` (two different ones: an equivocation) in one round of set
/// `set_id`: the proof of it.
fn prevote_equivocation(
	key: Ed25519Keyring,
	set_id: u64,
	round: u64,
	targets: (u8, u8),
) -> sp_consensus_grandpa::EquivocationProof<H256, crate::BlockNumber> {
	let vote = |target: u8| {
		let prevote = finality_grandpa::Prevote::new(H256::repeat_byte(target), 1);
		let payload = sp_consensus_grandpa::localized_payload(
			round,
			set_id,
			&finality_grandpa::Message::Prevote(prevote.clone()),
		);
		(prevote, sp_consensus_grandpa::AuthoritySignature::from(key.sign(&payload)))
	};
	sp_consensus_grandpa::EquivocationProof::new(
		set_id,
		sp_consensus_grandpa::Equivocation::Prevote(finality_grandpa::Equivocation {
			round_number: round,
			identity: key.public().into(),
			first: vote(targets.0),
			second: vote(targets.1),
		}),
	)
}

#[test]
fn a_grandpa_equivocation_is_reported_with_a_key_ownership_proof_and_takes_the_validator_out() {
	use frame_support::traits::KeyOwnerProofSystem;
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		// Five validators (alice, bob, charlie + dave, eve): one can go and four remain.
		let dave = dave_approved_with_keys();
		let eve = account(Sr25519Keyring::Eve);
		register_pharmacy(&eve);
		assert_ok!(council_motion(RuntimeCall::Providers(pallet_providers::Call::approve {
			who: eve.clone()
		})));
		set_session_keys(Sr25519Keyring::Eve, Ed25519Keyring::Eve);
		assert_ok!(council_motion(add_validator(&dave)));
		assert_ok!(council_motion(add_validator(&eve)));
		for _ in 0..3 {
			let index = Session::current_index();
			while Session::current_index() == index {
				run_to_block_with_grandpa(System::block_number() + 1);
			}
		}
		assert_eq!(Session::validators().len(), 5);
		let set_id = Grandpa::current_set_id();
		assert!(set_id > 0, "the authority set changed with the sessions");

		// The node's side: a key-ownership proof for alice's GRANDPA key in this session.
		let alice_key: sp_consensus_grandpa::AuthorityId = Ed25519Keyring::Alice.public().into();
		let key_owner_proof = Historical::prove((sp_consensus_grandpa::KEY_TYPE, alice_key))
			.expect("alice validates this session");
		let proof = prevote_equivocation(Ed25519Keyring::Alice, set_id, 3, (1, 2));

		// Two votes for the same block prove nothing.
		let same = prevote_equivocation(Ed25519Keyring::Alice, set_id, 3, (1, 1));
		assert_noop!(
			Grandpa::report_equivocation_unsigned(
				RuntimeOrigin::none(),
				Box::new(same),
				key_owner_proof.clone()
			),
			pallet_grandpa::Error::<Runtime>::InvalidEquivocationProof
		);
		// A proof of bob's key does not make alice's votes bob's.
		let bob_key: sp_consensus_grandpa::AuthorityId = Ed25519Keyring::Bob.public().into();
		let bob_proof = Historical::prove((sp_consensus_grandpa::KEY_TYPE, bob_key)).expect("bob");
		assert_noop!(
			Grandpa::report_equivocation_unsigned(
				RuntimeOrigin::none(),
				Box::new(proof.clone()),
				bob_proof
			),
			pallet_grandpa::Error::<Runtime>::InvalidKeyOwnershipProof
		);

		System::reset_events();
		assert_ok!(Grandpa::report_equivocation_unsigned(
			RuntimeOrigin::none(),
			Box::new(proof.clone()),
			key_owner_proof.clone()
		));
		let events: Vec<_> = System::events().into_iter().map(|r| r.event).collect();
		assert!(events.iter().any(|e| matches!(
			e,
			crate::RuntimeEvent::Offences(pallet_offences::Event::Offence { .. })
		)));
		let alice = account(Sr25519Keyring::Alice);
		assert!(events.contains(&crate::RuntimeEvent::ValidatorSet(
			pallet_validator_set::Event::OffenceReported {
				who: alice.clone(),
				session: Session::current_index(),
				removed: true,
			}
		)));
		assert!(!ValidatorSet::validators().contains(&alice));
		// The same offence is not reported twice.
		assert_noop!(
			Grandpa::report_equivocation_unsigned(
				RuntimeOrigin::none(),
				Box::new(proof),
				key_owner_proof
			),
			pallet_grandpa::Error::<Runtime>::DuplicateOffenceReport
		);
		// Alice stops validating at the session after next; four validators remain.
		for _ in 0..2 {
			let index = Session::current_index();
			while Session::current_index() == index {
				run_to_block_with_grandpa(System::block_number() + 1);
			}
		}
		assert!(!Session::validators().contains(&alice));
		assert_eq!(Session::validators().len(), 4);
		ValidatorSet::do_try_state().expect("validator-set invariants");
	});
}

#[test]
fn the_session_history_is_pruned_to_its_depth() {
	preset_ext(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let depth = crate::configs::consensus::sessions::HISTORY_DEPTH;
		for _ in 0..depth + 3 {
			let index = Session::current_index();
			while Session::current_index() == index {
				run_to_block(System::block_number() + 1);
			}
		}
		let now = Session::current_index();
		let (first, last) =
			pallet_session::historical::StoredRange::<Runtime>::get().expect("a range");
		assert!(last - first <= depth + 1, "kept {first}..{last} at session {now}");
		assert!(pallet_session::historical::HistoricalSessions::<Runtime>::get(first - 1).is_none());
		assert!(pallet_session::historical::HistoricalSessions::<Runtime>::get(now).is_some());
	});
}

// ---- fee-less patient calls and delegation (issue 14) ----

mod feeless_and_delegation {
	use super::*;
	use crate::{configs::delegation::ProxyType, Executive, RuntimeCall, UncheckedExtrinsic};
	use frame_support::traits::InstanceFilter;
	use healthchain_primitives::{Purpose, Purposes, Scope, Scopes};
	use pallet_consent::{PatientAction, PatientPayload};
	use sp_core::{sr25519, Pair};
	use sp_runtime::{
		generic::Era,
		transaction_validity::{InvalidTransaction, TransactionValidityError},
		MultiSignature,
	};

	fn patient_pair() -> sr25519::Pair {
		sr25519::Pair::from_string("//FeelessPatient", None).expect("valid uri")
	}

	/// The fee-less general transaction (no signer) of `action` signed by `pair` with `nonce`.
	fn feeless_xt(
		pair: &sr25519::Pair,
		nonce: u32,
		action: PatientAction<AccountId, crate::BlockNumber>,
	) -> UncheckedExtrinsic {
		let payload = PatientPayload {
			signer: AccountId::from(pair.public()),
			nonce,
			valid_until: System::block_number() + 10,
			action,
		};
		let message =
			pallet_consent::patient_payload_message(System::block_hash(0).as_ref(), &payload);
		let signature = MultiSignature::Sr25519(pair.sign(&message));
		let call = RuntimeCall::Consent(pallet_consent::Call::patient_call { payload, signature });
		UncheckedExtrinsic::new_transaction(call, crate::tx_extension(0, Era::Immortal))
	}

	#[test]
	fn a_patient_with_no_account_grants_through_the_executive_and_nobody_pays() {
		preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
			let pair = patient_pair();
			let patient = AccountId::from(pair.public());
			let alice = account(Sr25519Keyring::Alice);
			let treasury = crate::configs::monetary::TreasuryAccount::get();
			let (issuance, treasury_before) =
				(Balances::total_issuance(), Balances::free_balance(&treasury));
			assert_eq!(System::account(&patient).providers, 0);

			let grant = PatientAction::Grant {
				grantee: alice.clone(),
				scopes: Scopes::from(Scope::Clinical),
				purposes: Purposes::from(Purpose::Treatment),
				expires_at: None,
				consent_digest: None,
			};
			assert_eq!(Executive::apply_extrinsic(feeless_xt(&pair, 0, grant.clone())), Ok(Ok(())));
			assert!(pallet_consent::Pallet::<Runtime>::has_access(
				&patient,
				&alice,
				Scope::Clinical,
				Purpose::Treatment
			));
			assert_eq!(System::account(&patient).providers, 0, "no account was created");
			assert_eq!(Balances::total_issuance(), issuance);
			assert_eq!(Balances::free_balance(&treasury), treasury_before, "no fee was paid");

			// The same transaction again is a replay.
			assert_eq!(
				Executive::apply_extrinsic(feeless_xt(&pair, 0, grant)),
				Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
			);
			let revoke = PatientAction::Revoke { grantee: alice.clone() };
			assert_eq!(Executive::apply_extrinsic(feeless_xt(&pair, 1, revoke)), Ok(Ok(())));
			assert!(!pallet_consent::Pallet::<Runtime>::has_access(
				&patient,
				&alice,
				Scope::Clinical,
				Purpose::Treatment
			));
		});
	}

	#[test]
	fn a_general_transaction_nothing_authorizes_is_refused() {
		preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
			let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![1, 2, 3] });
			let xt =
				UncheckedExtrinsic::new_transaction(call, crate::tx_extension(0, Era::Immortal));
			assert_eq!(
				Executive::apply_extrinsic(xt),
				Err(TransactionValidityError::Invalid(InvalidTransaction::UnknownOrigin))
			);
			// Nor does a patient call signed by another key.
			let pair = patient_pair();
			let mut xt = feeless_xt(
				&pair,
				0,
				PatientAction::AddGuardian { guardian: account(Sr25519Keyring::Eve) },
			);
			if let RuntimeCall::Consent(pallet_consent::Call::patient_call { payload, .. }) =
				&mut xt.function
			{
				payload.signer = account(Sr25519Keyring::Ferdie);
			}
			assert_eq!(
				Executive::apply_extrinsic(xt),
				Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof))
			);
		});
	}

	fn anchor_call(local: u8) -> RuntimeCall {
		RuntimeCall::Records(pallet_records::Call::anchor {
			local_id: sp_core::H256::repeat_byte(local),
			subject: account(Sr25519Keyring::Dave),
			digest: sp_core::H256::repeat_byte(local.wrapping_add(1)),
			kind: pallet_records::RecordKind(2),
			scope: Scope::Labs,
		})
	}

	#[test]
	fn proxy_types_let_through_exactly_their_calls() {
		let log = RuntimeCall::Consent(pallet_consent::Call::log_access {
			patient: account(Sr25519Keyring::Dave),
			record_id: sp_core::H256::repeat_byte(1),
			purpose: Purpose::Treatment,
		});
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: account(Sr25519Keyring::Eve).into(),
			value: 1,
		});
		let vote = RuntimeCall::Council(pallet_collective::Call::vote {
			proposal: sp_core::H256::zero(),
			index: 0,
			approve: true,
		});
		assert!(ProxyType::Records.filter(&anchor_call(1)));
		assert!(!ProxyType::Records.filter(&log));
		assert!(!ProxyType::Records.filter(&transfer));
		assert!(ProxyType::AccessLog.filter(&log));
		let disclose = RuntimeCall::Consent(pallet_consent::Call::record_disclosures {
			entries: Default::default(),
		});
		assert!(ProxyType::AccessLog.filter(&disclose));
		assert!(!ProxyType::Records.filter(&disclose));
		assert!(!ProxyType::AccessLog.filter(&anchor_call(1)));
		assert!(ProxyType::Governance.filter(&vote));
		assert!(!ProxyType::Governance.filter(&transfer));
		assert!(!ProxyType::Claims.filter(&transfer));
		assert!(ProxyType::Any.filter(&transfer));
		assert!(ProxyType::Any.is_superset(&ProxyType::Records));
		assert!(!ProxyType::Records.is_superset(&ProxyType::Any));
		assert!(!ProxyType::Records.is_superset(&ProxyType::Claims));
	}

	#[test]
	fn a_records_proxy_anchors_as_its_hospital_and_nothing_else() {
		preset_ext(DEV_RUNTIME_PRESET).execute_with(|| {
			use frame_support::dispatch::GetDispatchInfo;
			let alice = account(Sr25519Keyring::Alice);
			let gateway = account(Sr25519Keyring::Ferdie);
			assert_ok!(crate::Proxy::add_proxy(
				RuntimeOrigin::signed(alice.clone()),
				gateway.clone().into(),
				ProxyType::Records,
				0
			));
			assert_ok!(crate::Proxy::proxy(
				RuntimeOrigin::signed(gateway.clone()),
				alice.clone().into(),
				None,
				Box::new(anchor_call(7))
			));
			let record = pallet_records::record_id_of(&alice, &sp_core::H256::repeat_byte(7));
			assert_eq!(
				Records::verify(record, sp_core::H256::repeat_byte(8)),
				pallet_records::Verification::Valid { version: 1 }
			);
			// Outside the type: filtered, nothing happens.
			let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: gateway.clone().into(),
				value: UNIT,
			});
			assert!(transfer.get_dispatch_info().call_weight.ref_time() > 0);
			let before = Balances::free_balance(&gateway);
			assert_ok!(crate::Proxy::proxy(
				RuntimeOrigin::signed(gateway.clone()),
				alice.into(),
				None,
				Box::new(transfer)
			));
			assert_eq!(
				System::events().last().map(|e| e.event.clone()),
				Some(crate::RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted {
					result: Err(frame_system::Error::<Runtime>::CallFiltered.into())
				}))
			);
			assert_eq!(Balances::free_balance(&gateway), before);
		});
	}
}
