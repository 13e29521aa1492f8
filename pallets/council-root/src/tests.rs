//! Unit tests: the root origin reaches root-only calls; anyone else is refused; the inner
//! call's failure is reported, not hidden.

use crate::{mock::*, Event};
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
use sp_runtime::{DispatchError, DispatchError::BadOrigin};

fn set_storage_call(key: &[u8], value: &[u8]) -> Box<RuntimeCall> {
	Box::new(RuntimeCall::System(frame_system::Call::set_storage {
		items: vec![(key.to_vec(), value.to_vec())],
	}))
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

#[test]
fn council_dispatches_a_root_only_call() {
	new_test_ext().execute_with(|| {
		// `system.setStorage` is root-only.
		assert_noop!(
			System::set_storage(
				RuntimeOrigin::signed(COUNCIL),
				vec![(b"k".to_vec(), b"v".to_vec())]
			),
			BadOrigin
		);
		assert_ok!(CouncilRoot::dispatch_as_root(
			RuntimeOrigin::signed(COUNCIL),
			set_storage_call(b"k", b"v")
		));
		assert_eq!(sp_io::storage::get(b"k").map(|v| v.to_vec()), Some(b"v".to_vec()));
		assert_eq!(last_event(), Event::Dispatched { result: Ok(()) }.into());
	});
}

#[test]
fn others_cannot_dispatch_as_root() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			CouncilRoot::dispatch_as_root(
				RuntimeOrigin::signed(OTHER),
				set_storage_call(b"k", b"v")
			),
			BadOrigin
		);
		assert_noop!(
			CouncilRoot::dispatch_as_root(RuntimeOrigin::none(), set_storage_call(b"k", b"v")),
			BadOrigin
		);
		assert_eq!(sp_io::storage::get(b"k"), None);
	});
}

#[test]
fn a_failing_inner_call_is_reported_in_the_event() {
	new_test_ext().execute_with(|| {
		// `remark_with_event` needs a signed origin: as root it fails with BadOrigin.
		let call = Box::new(RuntimeCall::System(frame_system::Call::remark_with_event {
			remark: b"x".to_vec(),
		}));
		assert_ok!(CouncilRoot::dispatch_as_root(RuntimeOrigin::signed(COUNCIL), call));
		assert_eq!(
			last_event(),
			Event::Dispatched { result: Err(DispatchError::BadOrigin) }.into()
		);
	});
}

#[test]
fn weight_covers_the_inner_call() {
	new_test_ext().execute_with(|| {
		let inner = set_storage_call(b"k", b"v");
		let inner_weight = inner.get_dispatch_info().call_weight;
		let outer = RuntimeCall::CouncilRoot(crate::Call::dispatch_as_root { call: inner });
		let outer_weight = outer.get_dispatch_info().call_weight;
		assert!(outer_weight.all_gte(inner_weight));
		assert!(outer_weight.ref_time() > inner_weight.ref_time());
	});
}

#[test]
fn a_forbidden_call_is_refused_before_dispatch() {
	// Security finding 10: a motion could dispatch `sudo.setKey` as root and hand root to one
	// key. The runtime forbids it; here the test's forbidden call stands for it.
	new_test_ext().execute_with(|| {
		sp_io::storage::set(b"k", b"v");
		let call = Box::new(RuntimeCall::System(frame_system::Call::kill_storage {
			keys: vec![b"k".to_vec()],
		}));
		assert_noop!(
			CouncilRoot::dispatch_as_root(RuntimeOrigin::signed(COUNCIL), call),
			crate::Error::<Test>::CallForbidden
		);
	});
}
