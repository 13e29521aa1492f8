//! Tests of the records pallet: every call's success and every error path, origins and roles,
//! verification and Merkle inclusion.

use crate::{mock::*, *};
use binary_merkle_tree::{merkle_proof, merkle_root};
use frame_support::{assert_noop, assert_ok, dispatch::DispatchResult};
use frame_system::RawOrigin;
use healthchain_primitives::{RecordRegistry, Role, Scope};
use sp_core::H256;
use sp_runtime::{traits::BlakeTwo256, DispatchError};

/// The author's own key for its record number `n`.
fn local(n: u8) -> H256 {
	H256::repeat_byte(n)
}

/// The on-chain id of `author`'s record number `n`.
fn rid(author: u64, n: u8) -> H256 {
	crate::record_id_of(&author, &local(n))
}

/// The on-chain id of the hospital's record number `n`.
fn id(n: u8) -> H256 {
	rid(HOSPITAL, n)
}

fn digest(n: u8) -> H256 {
	sp_io::hashing::blake2_256(&[b"salt".as_slice(), &[n]].concat()).into()
}

const KIND_OBSERVATION: RecordKind = RecordKind(2);

fn anchor_as(who: u64, record: u8, d: u8) -> DispatchResult {
	RecordsModule::anchor(
		RuntimeOrigin::signed(who),
		local(record),
		PATIENT,
		digest(d),
		KIND_OBSERVATION,
		Scope::Labs,
	)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn try_state() {
	RecordsModule::do_try_state().expect("invariants hold");
}

// ---- anchor ----

#[test]
fn anchor_stores_version_one_and_emits_event() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		let entry = crate::Records::<Test>::get(id(1)).expect("stored");
		assert_eq!(entry.subject, PATIENT);
		assert_eq!(entry.author, HOSPITAL);
		assert_eq!(entry.kind, KIND_OBSERVATION);
		assert_eq!(entry.versions, 1);
		assert_eq!(entry.created_at, 1);
		assert_eq!(entry.status, RecordStatus::Active);
		// Version 1 lives in the entry: anchoring writes one storage item.
		assert_eq!(entry.digest, digest(1));
		assert_eq!(entry.updated_at, 1);
		assert_eq!(RecordVersions::<Test>::iter_prefix(id(1)).count(), 0);
		assert_eq!(
			RecordsModule::history(id(1)),
			vec![RecordVersion { digest: digest(1), author: HOSPITAL, at: 1 }]
		);
		assert_eq!(
			last_event(),
			RuntimeEvent::RecordsModule(Event::RecordAnchored {
				record_id: id(1),
				subject: PATIENT,
				author: HOSPITAL,
				kind: KIND_OBSERVATION,
				scope: Scope::Labs,
				digest: digest(1),
			})
		);
		try_state();
	});
}

#[test]
fn lab_may_anchor() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(LAB, 1, 1));
	});
}

#[test]
fn anchor_by_unsigned_or_root_origin_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			RecordsModule::anchor(
				RawOrigin::None.into(),
				local(1),
				PATIENT,
				digest(1),
				KIND_OBSERVATION,
				Scope::Labs
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			RecordsModule::anchor(
				RawOrigin::Root.into(),
				local(1),
				PATIENT,
				digest(1),
				KIND_OBSERVATION,
				Scope::Labs
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn anchor_by_unknown_account_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(anchor_as(STRANGER, 1, 1), Error::<Test>::NotActiveProvider);
	});
}

#[test]
fn anchor_by_insurer_only_organisation_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(anchor_as(INSURER, 1, 1), Error::<Test>::NotActiveProvider);
	});
}

#[test]
fn anchor_by_deactivated_provider_fails() {
	new_test_ext().execute_with(|| {
		MockProviders::deactivate(HOSPITAL);
		assert_noop!(anchor_as(HOSPITAL, 1, 1), Error::<Test>::NotActiveProvider);
	});
}

#[test]
fn anchor_with_duplicate_record_id_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_noop!(anchor_as(HOSPITAL, 1, 2), Error::<Test>::RecordAlreadyExists);
	});
}

#[test]
fn an_anchor_cannot_be_front_run_onto_another_authors_id() {
	// Security finding 8: ids were caller-chosen, so a provider seeing the hospital's pending
	// anchor could take its id first (the hospital's anchor then failed). Ids are now bound to
	// their author: the lab using the same local id creates the lab's own record.
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(LAB, 1, 2));
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_ne!(rid(LAB, 1), rid(HOSPITAL, 1));
		assert_eq!(crate::Records::<Test>::get(rid(LAB, 1)).map(|e| e.author), Some(LAB));
		assert_eq!(crate::Records::<Test>::get(id(1)).map(|e| e.author), Some(HOSPITAL));
		assert_eq!(RecordsModule::verify(id(1), digest(1)), Verification::Valid { version: 1 });
		try_state();
	});
}

#[test]
fn record_id_is_blake2_of_domain_author_and_local_id() {
	// The rule clients compute ids with (docs/records.md).
	let author = 7u64;
	let mut bytes = b"healthchain/record".to_vec();
	bytes.extend_from_slice(&author.to_le_bytes());
	bytes.extend_from_slice(&[9u8; 32]);
	assert_eq!(
		crate::record_id_of(&author, &H256::repeat_byte(9)),
		H256(sp_io::hashing::blake2_256(&bytes))
	);
}

#[test]
fn the_scope_is_fixed_at_anchor_and_survives_amendments() {
	new_test_ext().execute_with(|| {
		assert_ok!(RecordsModule::anchor(
			RuntimeOrigin::signed(HOSPITAL),
			local(1),
			PATIENT,
			digest(1),
			KIND_OBSERVATION,
			Scope::MentalHealth
		));
		assert_ok!(RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(2)));
		let info = <RecordsModule as RecordRegistry<u64>>::record_info(&id(1)).expect("exists");
		assert_eq!(info.scope, Scope::MentalHealth);
		assert_eq!(RecordsModule::record(id(1)).map(|r| r.entry.scope), Some(Scope::MentalHealth));
		try_state();
	});
}

#[test]
fn anchor_with_an_invalid_scope_fails() {
	new_test_ext().execute_with(|| {
		// `Scope` is an enum: only its encodings decode. A call built from bytes with an
		// unknown scope index does not decode at all.
		use codec::Decode;
		let call = crate::Call::<Test>::anchor {
			local_id: local(1),
			subject: PATIENT,
			digest: digest(1),
			kind: KIND_OBSERVATION,
			scope: Scope::Labs,
		};
		let mut bytes = codec::Encode::encode(&call);
		if let Some(last) = bytes.last_mut() {
			*last = 42;
		}
		assert!(crate::Call::<Test>::decode(&mut &bytes[..]).is_err());
	});
}

#[test]
fn governance_can_retract_any_record_even_after_its_author_left() {
	// Security finding 8: only the author could retract, so a record about the wrong patient
	// stayed live once its author left the consortium.
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		MockProviders::deactivate(HOSPITAL);
		assert_noop!(
			RecordsModule::retract(RuntimeOrigin::signed(HOSPITAL), id(1), RetractReason::Other),
			Error::<Test>::NotActiveProvider
		);
		assert_noop!(
			RecordsModule::force_retract(
				RuntimeOrigin::signed(LAB),
				id(1),
				RetractReason::PatientRequest
			),
			DispatchError::BadOrigin
		);
		assert_ok!(RecordsModule::force_retract(
			RawOrigin::Root.into(),
			id(1),
			RetractReason::PatientRequest
		));
		assert_eq!(
			last_event(),
			RuntimeEvent::RecordsModule(Event::RecordForceRetracted {
				record_id: id(1),
				reason: RetractReason::PatientRequest,
			})
		);
		assert_eq!(RecordsModule::verify(id(1), digest(1)), Verification::Retracted);
		assert_noop!(
			RecordsModule::force_retract(RawOrigin::Root.into(), id(1), RetractReason::Other),
			Error::<Test>::RecordRetracted
		);
		assert_noop!(
			RecordsModule::force_retract(RawOrigin::Root.into(), id(2), RetractReason::Other),
			Error::<Test>::UnknownRecord
		);
		try_state();
	});
}

#[test]
fn an_inclusion_proof_longer_than_the_tree_is_refused() {
	// Security finding 10: `verify_inclusion` hashed whatever proof it was given.
	new_test_ext().execute_with(|| {
		let leaves: Vec<H256> = (0..4u8).map(digest).collect();
		let root = merkle_root::<BlakeTwo256, _>(leaves.iter());
		assert_ok!(RecordsModule::anchor_batch(RuntimeOrigin::signed(LAB), root, 4));
		let proof = merkle_proof::<BlakeTwo256, _, _>(leaves.iter(), 1).proof;
		assert_eq!(proof.len(), 2);
		assert!(RecordsModule::verify_inclusion(0, leaves[1], 1, proof.clone()));
		let mut long = proof;
		long.extend(core::iter::repeat_n(H256::zero(), 10_000));
		assert!(!RecordsModule::verify_inclusion(0, leaves[1], 1, long));
		assert_eq!(crate::merkle_depth(1), 0);
		assert_eq!(crate::merkle_depth(2), 1);
		assert_eq!(crate::merkle_depth(4), 2);
		assert_eq!(crate::merkle_depth(5), 3);
		assert_eq!(crate::merkle_depth(7), 3);
		assert_eq!(crate::merkle_depth(1 << 20), 20);
	});
}

#[test]
fn the_same_digest_may_anchor_two_records_each_verifying_on_its_own() {
	// Digest uniqueness is per record (see docs/records.md): a second record with the same
	// salted content is accepted, and each record verifies against its own id only.
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_ok!(anchor_as(HOSPITAL, 2, 1));
		assert_eq!(RecordsModule::verify(id(1), digest(1)), Verification::Valid { version: 1 });
		assert_eq!(RecordsModule::verify(id(2), digest(1)), Verification::Valid { version: 1 });
		assert_eq!(RecordsModule::verify(id(3), digest(1)), Verification::Unknown);
		try_state();
	});
}

#[test]
fn anchor_with_zero_digest_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			RecordsModule::anchor(
				RuntimeOrigin::signed(HOSPITAL),
				local(1),
				PATIENT,
				H256::zero(),
				KIND_OBSERVATION,
				Scope::Labs
			),
			Error::<Test>::InvalidDigest
		);
	});
}

// ---- amend ----

#[test]
fn amend_adds_a_version_and_keeps_history() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		System::set_block_number(5);
		assert_ok!(RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(2)));
		assert_eq!(crate::Records::<Test>::get(id(1)).map(|e| e.versions), Some(2));
		let history = RecordsModule::history(id(1));
		assert_eq!(
			history,
			vec![
				RecordVersion { digest: digest(1), author: HOSPITAL, at: 1 },
				RecordVersion { digest: digest(2), author: HOSPITAL, at: 5 },
			]
		);
		assert_eq!(
			last_event(),
			RuntimeEvent::RecordsModule(Event::RecordAmended {
				record_id: id(1),
				version: 2,
				digest: digest(2),
				author: HOSPITAL,
			})
		);
		try_state();
	});
}

#[test]
fn amend_by_other_provider_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_noop!(
			RecordsModule::amend(RuntimeOrigin::signed(LAB), id(1), digest(2)),
			Error::<Test>::NotRecordAuthor
		);
	});
}

#[test]
fn amend_by_author_after_deactivation_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		MockProviders::deactivate(HOSPITAL);
		assert_noop!(
			RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(2)),
			Error::<Test>::NotActiveProvider
		);
	});
}

#[test]
fn amend_unknown_record_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(9), digest(2)),
			Error::<Test>::UnknownRecord
		);
	});
}

#[test]
fn amend_with_the_current_digest_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_noop!(
			RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(1)),
			Error::<Test>::DigestUnchanged
		);
	});
}

#[test]
fn amend_back_to_an_earlier_digest_is_a_new_version() {
	// Content may return to an earlier state (same salt, same bytes): version 3 = version 1.
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_ok!(RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(2)));
		assert_ok!(RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(1)));
		assert_eq!(RecordsModule::verify(id(1), digest(1)), Verification::Valid { version: 3 });
		assert_eq!(
			RecordsModule::verify(id(1), digest(2)),
			Verification::Superseded { version: 2, latest: 3 }
		);
		let history: Vec<_> = RecordsModule::history(id(1)).iter().map(|v| v.digest).collect();
		assert_eq!(history, vec![digest(1), digest(2), digest(1)]);
		try_state();
	});
}

#[test]
fn amend_with_zero_digest_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_noop!(
			RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), H256::zero()),
			Error::<Test>::InvalidDigest
		);
	});
}

#[test]
fn amend_beyond_max_versions_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		for v in 2..=MAX_VERSIONS {
			assert_ok!(RecordsModule::amend(
				RuntimeOrigin::signed(HOSPITAL),
				id(1),
				digest(v as u8)
			));
		}
		assert_noop!(
			RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(100)),
			Error::<Test>::TooManyVersions
		);
		try_state();
	});
}

#[test]
fn amend_retracted_record_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_ok!(RecordsModule::retract(
			RuntimeOrigin::signed(HOSPITAL),
			id(1),
			RetractReason::EnteredInError
		));
		assert_noop!(
			RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(2)),
			Error::<Test>::RecordRetracted
		);
	});
}

// ---- retract ----

#[test]
fn retract_leaves_a_tombstone_and_emits_event() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		System::set_block_number(7);
		assert_ok!(RecordsModule::retract(
			RuntimeOrigin::signed(HOSPITAL),
			id(1),
			RetractReason::PatientRequest
		));
		let entry = crate::Records::<Test>::get(id(1)).expect("tombstone kept");
		assert_eq!(
			entry.status,
			RecordStatus::Retracted { reason: RetractReason::PatientRequest, at: 7 }
		);
		// History is kept.
		assert_eq!(RecordsModule::history(id(1)).len(), 1);
		assert_eq!(
			last_event(),
			RuntimeEvent::RecordsModule(Event::RecordRetracted {
				record_id: id(1),
				reason: RetractReason::PatientRequest,
				author: HOSPITAL,
			})
		);
		// The id stays taken.
		assert_noop!(anchor_as(HOSPITAL, 1, 3), Error::<Test>::RecordAlreadyExists);
		try_state();
	});
}

#[test]
fn retract_twice_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_ok!(RecordsModule::retract(
			RuntimeOrigin::signed(HOSPITAL),
			id(1),
			RetractReason::Other
		));
		assert_noop!(
			RecordsModule::retract(RuntimeOrigin::signed(HOSPITAL), id(1), RetractReason::Other),
			Error::<Test>::RecordRetracted
		);
	});
}

#[test]
fn retract_by_other_provider_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_noop!(
			RecordsModule::retract(RuntimeOrigin::signed(LAB), id(1), RetractReason::Other),
			Error::<Test>::NotRecordAuthor
		);
	});
}

#[test]
fn retract_unknown_record_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			RecordsModule::retract(RuntimeOrigin::signed(HOSPITAL), id(1), RetractReason::Other),
			Error::<Test>::UnknownRecord
		);
	});
}

#[test]
fn retract_by_stranger_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_noop!(
			RecordsModule::retract(RuntimeOrigin::signed(STRANGER), id(1), RetractReason::Other),
			Error::<Test>::NotActiveProvider
		);
	});
}

// ---- anchor_batch ----

#[test]
fn anchor_batch_stores_root_and_emits_event() {
	new_test_ext().execute_with(|| {
		let root = H256::repeat_byte(0xab);
		assert_ok!(RecordsModule::anchor_batch(RuntimeOrigin::signed(LAB), root, 500));
		assert_eq!(
			Batches::<Test>::get(0),
			Some(Batch { root, leaf_count: 500, author: LAB, at: 1 })
		);
		assert_eq!(BatchByRoot::<Test>::get(root), Some(0));
		assert_eq!(NextBatchId::<Test>::get(), 1);
		assert_eq!(
			last_event(),
			RuntimeEvent::RecordsModule(Event::BatchAnchored {
				batch_id: 0,
				root,
				leaf_count: 500,
				author: LAB,
			})
		);
		assert_ok!(RecordsModule::anchor_batch(
			RuntimeOrigin::signed(LAB),
			H256::repeat_byte(1),
			1
		));
		assert_eq!(NextBatchId::<Test>::get(), 2);
		try_state();
	});
}

#[test]
fn anchor_batch_errors() {
	new_test_ext().execute_with(|| {
		let root = H256::repeat_byte(0xab);
		assert_noop!(
			RecordsModule::anchor_batch(RuntimeOrigin::signed(LAB), root, 0),
			Error::<Test>::EmptyBatch
		);
		assert_noop!(
			RecordsModule::anchor_batch(RuntimeOrigin::signed(LAB), root, MAX_BATCH_LEAVES + 1),
			Error::<Test>::BatchTooLarge
		);
		assert_noop!(
			RecordsModule::anchor_batch(RuntimeOrigin::signed(LAB), H256::zero(), 1),
			Error::<Test>::InvalidDigest
		);
		assert_noop!(
			RecordsModule::anchor_batch(RuntimeOrigin::signed(INSURER), root, 1),
			Error::<Test>::NotActiveProvider
		);
		assert_noop!(
			RecordsModule::anchor_batch(RuntimeOrigin::signed(STRANGER), root, 1),
			Error::<Test>::NotActiveProvider
		);
		assert_ok!(RecordsModule::anchor_batch(RuntimeOrigin::signed(LAB), root, MAX_BATCH_LEAVES));
		assert_noop!(
			RecordsModule::anchor_batch(RuntimeOrigin::signed(HOSPITAL), root, 2),
			Error::<Test>::BatchAlreadyAnchored
		);
	});
}

#[test]
fn anchor_batch_fails_when_ids_are_exhausted() {
	new_test_ext().execute_with(|| {
		NextBatchId::<Test>::put(u64::MAX);
		assert_noop!(
			RecordsModule::anchor_batch(RuntimeOrigin::signed(LAB), H256::repeat_byte(3), 1),
			Error::<Test>::BatchIdOverflow
		);
	});
}

// ---- verification ----

#[test]
fn verify_reports_valid_superseded_retracted_and_unknown() {
	new_test_ext().execute_with(|| {
		assert_eq!(RecordsModule::verify(id(1), digest(1)), Verification::Unknown);
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_eq!(RecordsModule::verify(id(1), digest(1)), Verification::Valid { version: 1 });
		assert_ok!(RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(2)));
		assert_eq!(RecordsModule::verify(id(1), digest(2)), Verification::Valid { version: 2 });
		assert_eq!(
			RecordsModule::verify(id(1), digest(1)),
			Verification::Superseded { version: 1, latest: 2 }
		);
		// A digest of another record does not verify this one.
		assert_ok!(anchor_as(HOSPITAL, 2, 3));
		assert_eq!(RecordsModule::verify(id(1), digest(3)), Verification::Unknown);
		// A never-anchored digest.
		assert_eq!(RecordsModule::verify(id(1), digest(200)), Verification::Unknown);
		assert_ok!(RecordsModule::retract(
			RuntimeOrigin::signed(HOSPITAL),
			id(1),
			RetractReason::EnteredInError
		));
		assert_eq!(RecordsModule::verify(id(1), digest(2)), Verification::Retracted);
	});
}

#[test]
fn record_summary_has_latest_version() {
	new_test_ext().execute_with(|| {
		assert!(RecordsModule::record(id(1)).is_none());
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_ok!(RecordsModule::amend(RuntimeOrigin::signed(HOSPITAL), id(1), digest(2)));
		let summary = RecordsModule::record(id(1)).expect("exists");
		assert_eq!(summary.entry.versions, 2);
		assert_eq!(summary.latest.digest, digest(2));
	});
}

#[test]
fn record_registry_trait_reports_subject_author_and_status() {
	new_test_ext().execute_with(|| {
		assert_eq!(<RecordsModule as RecordRegistry<u64>>::record_info(&id(1)), None);
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		let info = <RecordsModule as RecordRegistry<u64>>::record_info(&id(1)).expect("exists");
		assert_eq!(
			(info.subject, info.author, info.scope, info.retracted),
			(PATIENT, HOSPITAL, Scope::Labs, false)
		);
		assert_ok!(RecordsModule::retract(
			RuntimeOrigin::signed(HOSPITAL),
			id(1),
			RetractReason::Other
		));
		assert!(<RecordsModule as RecordRegistry<u64>>::record_info(&id(1))
			.map(|i| i.retracted)
			.unwrap_or(false));
	});
}

#[test]
fn merkle_batch_round_trip_verifies_every_leaf_and_rejects_tampering() {
	new_test_ext().execute_with(|| {
		// 7 leaves: an odd count exercises the unbalanced edge of the tree.
		let leaves: Vec<H256> = (0..7u8).map(digest).collect();
		let root = merkle_root::<BlakeTwo256, _>(leaves.iter());
		assert_ok!(RecordsModule::anchor_batch(
			RuntimeOrigin::signed(LAB),
			root,
			leaves.len() as u32
		));
		for (i, leaf) in leaves.iter().enumerate() {
			let proof = merkle_proof::<BlakeTwo256, _, _>(leaves.iter(), i as u32);
			assert!(
				RecordsModule::verify_inclusion(0, *leaf, i as u32, proof.proof.clone()),
				"leaf {i}"
			);
			// Tampered leaf.
			assert!(!RecordsModule::verify_inclusion(
				0,
				digest(100),
				i as u32,
				proof.proof.clone()
			));
			// Wrong position.
			let wrong = (i as u32 + 1) % leaves.len() as u32;
			assert!(!RecordsModule::verify_inclusion(0, *leaf, wrong, proof.proof.clone()));
			// Tampered proof.
			let mut bad = proof.proof.clone();
			if let Some(first) = bad.first_mut() {
				first.0[0] ^= 1;
			}
			assert!(!RecordsModule::verify_inclusion(0, *leaf, i as u32, bad));
			// Unknown batch.
			assert!(!RecordsModule::verify_inclusion(1, *leaf, i as u32, proof.proof));
		}
		// Index beyond the leaf count.
		assert!(!RecordsModule::verify_inclusion(0, leaves[0], 7, vec![]));
	});
}

#[test]
fn care_roles_exclude_insurer() {
	let roles = Pallet::<Test>::care_roles();
	assert!(!roles.contains(Role::Insurer));
	for r in [Role::Hospital, Role::Clinic, Role::Lab, Role::Pharmacy, Role::Emergency] {
		assert!(roles.contains(r));
	}
}

#[test]
fn subject_is_whoever_the_provider_names() {
	new_test_ext().execute_with(|| {
		assert_ok!(RecordsModule::anchor(
			RuntimeOrigin::signed(HOSPITAL),
			local(1),
			OTHER_PATIENT,
			digest(1),
			KIND_OBSERVATION,
			Scope::Labs
		));
		assert_eq!(crate::Records::<Test>::get(id(1)).map(|e| e.subject), Some(OTHER_PATIENT));
	});
}

// ---- migration v1 -> v2 ----

#[test]
fn migration_v1_to_v2_gives_every_record_the_scope_of_its_kind() {
	use crate::migrations::{scope_of_kind, v1::RecordEntryV1, MigrateV1ToV2};
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		// Three records in the old layout (no scope), written at their real keys.
		let old = |kind: u16, status| RecordEntryV1::<u64, u64> {
			subject: PATIENT,
			author: HOSPITAL,
			kind: RecordKind(kind),
			versions: 1,
			created_at: 1,
			status,
			digest: digest(kind as u8),
			updated_at: 1,
		};
		let entries = [
			(id(1), old(2, RecordStatus::Active)),
			(id(2), old(13, RecordStatus::Active)),
			(id(3), old(3, RecordStatus::Retracted { reason: RetractReason::Other, at: 1 })),
		];
		for (rid, e) in &entries {
			frame_support::storage::unhashed::put_raw(
				&crate::Records::<Test>::hashed_key_for(rid),
				&e.encode(),
			);
		}
		StorageVersion::new(1).put::<RecordsModule>();

		MigrateV1ToV2::<Test>::on_runtime_upgrade();

		assert_eq!(RecordsModule::on_chain_storage_version(), StorageVersion::new(2));
		let get = |rid| crate::Records::<Test>::get(rid).expect("decodes in the new layout");
		assert_eq!(get(id(1)).scope, Scope::Labs);
		assert_eq!(get(id(2)).scope, Scope::Billing);
		assert_eq!(get(id(3)).scope, Scope::Clinical);
		assert!(matches!(get(id(3)).status, RecordStatus::Retracted { .. }));
		assert_eq!(get(id(1)).digest, digest(2));
		assert_eq!(scope_of_kind(RecordKind(0)), Scope::Clinical);
		try_state();

		// A second run does nothing (the version guard): a v2 entry would not decode as v1.
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(get(id(1)).scope, Scope::Labs);
		try_state();
	});
}

// ---- anchor_many ----

fn op_anchor(record: u8, d: u8) -> AnchorOp<u64> {
	AnchorOp::Anchor {
		local_id: local(record),
		subject: PATIENT,
		digest: digest(d),
		kind: KIND_OBSERVATION,
		scope: Scope::Labs,
	}
}

fn op_amend(record: u8, version: u32, d: u8) -> AnchorOp<u64> {
	AnchorOp::Amend { record_id: id(record), version, digest: digest(d) }
}

fn anchor_many_as(who: u64, ops: Vec<AnchorOp<u64>>) -> DispatchResult {
	RecordsModule::anchor_many(RuntimeOrigin::signed(who), ops.try_into().expect("within bound"))
}

fn records_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::RecordsModule(e) => Some(e),
			_ => None,
		})
		.collect()
}

#[test]
fn anchor_many_applies_each_operation_in_order_with_its_own_event() {
	new_test_ext().execute_with(|| {
		// Anchor two records, amend the first twice and retract the second, in one call.
		assert_ok!(anchor_many_as(
			HOSPITAL,
			vec![
				op_anchor(1, 1),
				op_anchor(2, 2),
				op_amend(1, 2, 3),
				op_amend(1, 3, 4),
				AnchorOp::Retract { record_id: id(2), reason: RetractReason::Duplicate },
			],
		));
		let events = records_events();
		assert_eq!(events.len(), 5);
		assert!(matches!(events[0], Event::RecordAnchored { record_id, .. } if record_id == id(1)));
		assert!(matches!(events[1], Event::RecordAnchored { record_id, .. } if record_id == id(2)));
		assert_eq!(
			events[2],
			Event::RecordAmended {
				record_id: id(1),
				version: 2,
				digest: digest(3),
				author: HOSPITAL
			}
		);
		assert_eq!(
			events[3],
			Event::RecordAmended {
				record_id: id(1),
				version: 3,
				digest: digest(4),
				author: HOSPITAL
			}
		);
		assert_eq!(
			events[4],
			Event::RecordRetracted {
				record_id: id(2),
				reason: RetractReason::Duplicate,
				author: HOSPITAL
			}
		);
		assert_eq!(RecordsModule::verify(id(1), digest(4)), Verification::Valid { version: 3 });
		assert_eq!(
			RecordsModule::verify(id(1), digest(1)),
			Verification::Superseded { version: 1, latest: 3 }
		);
		assert_eq!(RecordsModule::verify(id(2), digest(2)), Verification::Retracted);
		try_state();
	});
}

#[test]
fn anchor_many_failed_operation_writes_nothing_and_the_others_apply() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(LAB, 9, 9));
		assert_ok!(anchor_many_as(
			HOSPITAL,
			vec![
				op_anchor(1, 1),
				// Not the hospital's record.
				AnchorOp::Amend { record_id: rid(LAB, 9), version: 2, digest: digest(5) },
				// Unknown record.
				op_amend(7, 2, 5),
				// Zero digest.
				AnchorOp::Anchor {
					local_id: local(3),
					subject: PATIENT,
					digest: H256::zero(),
					kind: KIND_OBSERVATION,
					scope: Scope::Labs,
				},
				op_anchor(4, 4),
			],
		));
		let events = records_events();
		let failed: Vec<_> = events
			.iter()
			.filter_map(|e| match e {
				Event::AnchorOpFailed { index, error } => Some((*index, *error)),
				_ => None,
			})
			.collect();
		assert_eq!(
			failed,
			vec![
				(1, Error::<Test>::NotRecordAuthor.into()),
				(2, Error::<Test>::UnknownRecord.into()),
				(3, Error::<Test>::InvalidDigest.into()),
			]
		);
		assert!(crate::Records::<Test>::contains_key(id(1)));
		assert!(crate::Records::<Test>::contains_key(id(4)));
		assert!(!crate::Records::<Test>::contains_key(id(3)));
		assert_eq!(crate::Records::<Test>::get(rid(LAB, 9)).expect("lab record").versions, 1);
		try_state();
	});
}

#[test]
fn anchor_many_submitted_twice_never_adds_a_version_twice() {
	new_test_ext().execute_with(|| {
		let ops = vec![op_anchor(1, 1), op_amend(1, 2, 2), op_amend(1, 3, 3)];
		assert_ok!(anchor_many_as(HOSPITAL, ops.clone()));
		// Content returns to version 2's digest in a later, independent amend.
		assert_ok!(anchor_many_as(HOSPITAL, vec![op_amend(1, 4, 2)]));
		System::reset_events();
		// A gateway that crashed after submitting resubmits the same operations.
		assert_ok!(anchor_many_as(HOSPITAL, ops));
		let errors: Vec<_> = records_events()
			.into_iter()
			.map(|e| match e {
				Event::AnchorOpFailed { error, .. } => error,
				other => panic!("unexpected event {other:?}"),
			})
			.collect();
		assert_eq!(
			errors,
			vec![
				Error::<Test>::RecordAlreadyExists.into(),
				Error::<Test>::VersionMismatch.into(),
				Error::<Test>::VersionMismatch.into(),
			]
		);
		assert_eq!(crate::Records::<Test>::get(id(1)).expect("record").versions, 4);
		try_state();
	});
}

#[test]
fn anchor_many_amend_naming_a_later_version_waits_for_the_missing_one() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_as(HOSPITAL, 1, 1));
		assert_ok!(anchor_many_as(HOSPITAL, vec![op_amend(1, 3, 3)]));
		assert_eq!(
			last_event(),
			RuntimeEvent::RecordsModule(Event::AnchorOpFailed {
				index: 0,
				error: Error::<Test>::VersionMismatch.into()
			})
		);
		assert_eq!(crate::Records::<Test>::get(id(1)).expect("record").versions, 1);
	});
}

#[test]
fn anchor_many_keeps_the_single_calls_bounds() {
	new_test_ext().execute_with(|| {
		// MaxVersions (4) is reached inside one call: the fourth amend fails.
		assert_ok!(anchor_many_as(
			HOSPITAL,
			vec![
				op_anchor(1, 1),
				op_amend(1, 2, 2),
				op_amend(1, 3, 3),
				op_amend(1, 4, 4),
				op_amend(1, 5, 5),
				AnchorOp::Retract { record_id: id(1), reason: RetractReason::Other },
				op_amend(1, 5, 6),
			],
		));
		let failed: Vec<_> = records_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::AnchorOpFailed { index, error } => Some((index, error)),
				_ => None,
			})
			.collect();
		assert_eq!(
			failed,
			vec![
				(4, Error::<Test>::TooManyVersions.into()),
				(6, Error::<Test>::RecordRetracted.into())
			]
		);
		try_state();
	});
}

#[test]
fn anchor_many_origin_role_and_emptiness_are_checked_once_for_the_call() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			anchor_many_as(INSURER, vec![op_anchor(1, 1)]),
			Error::<Test>::NotActiveProvider
		);
		assert_noop!(
			anchor_many_as(STRANGER, vec![op_anchor(1, 1)]),
			Error::<Test>::NotActiveProvider
		);
		assert_noop!(
			RecordsModule::anchor_many(RawOrigin::None.into(), vec![op_anchor(1, 1)].try_into().expect("bound")),
			DispatchError::BadOrigin
		);
		assert_noop!(anchor_many_as(HOSPITAL, vec![]), Error::<Test>::NoOperations);
		// The bound is in the type: more than MaxAnchorsPerCall operations do not decode.
		let too_many: Vec<_> = (0..=MAX_ANCHORS_PER_CALL as u8).map(|n| op_anchor(n, n)).collect();
		assert!(frame_support::BoundedVec::<AnchorOp<u64>, <Test as Config>::MaxAnchorsPerCall>::try_from(too_many).is_err());
	});
}

#[test]
fn anchor_many_weight_counts_each_kind_of_operation() {
	use frame_support::weights::Weight;
	type W = <Test as Config>::WeightInfo;
	let w = RecordsModule::anchor_many_weight(&[
		op_anchor(1, 1),
		op_anchor(2, 2),
		op_amend(1, 2, 3),
		AnchorOp::Retract { record_id: id(2), reason: RetractReason::Other },
	]);
	// The fixed part (the provider check) is counted once; each operation adds its slope.
	let expected = W::anchor_many_anchors(2)
		.saturating_add(W::anchor_many_amends(1).saturating_sub(W::anchor_many_amends(0)))
		.saturating_add(W::anchor_many_retracts(1).saturating_sub(W::anchor_many_retracts(0)));
	assert_eq!(w, expected);
	let naive = W::anchor_many_anchors(2)
		.saturating_add(W::anchor_many_amends(1))
		.saturating_add(W::anchor_many_retracts(1));
	assert!(naive.any_gt(w), "the base is not counted three times");
	assert!(w.any_gt(Weight::zero()));
	// More operations weigh more.
	let three =
		RecordsModule::anchor_many_weight(&[op_anchor(1, 1), op_anchor(2, 2), op_anchor(3, 3)]);
	assert!(three.any_gt(RecordsModule::anchor_many_weight(&[op_anchor(1, 1)])));
}
