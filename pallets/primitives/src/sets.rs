//! Small bit sets with SCALE encodings of fixed size, so they fit bounded storage
//! (`MaxEncodedLen`) and read naturally in polkadot-js as a number.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

macro_rules! bitset {
	(
		$(#[$set_meta:meta])* $set:ident,
		$(#[$item_meta:meta])* $item:ident : $repr:ty {
			$( $(#[$variant_meta:meta])* $variant:ident = $bit:expr ),+ $(,)?
		}
	) => {
		$(#[$item_meta])*
		#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode,
			DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
		#[derive(serde::Serialize, serde::Deserialize)]
		pub enum $item {
			$( $(#[$variant_meta])* $variant ),+
		}

		impl $item {
			/// Every member, in bit order.
			pub const ALL: &'static [$item] = &[$($item::$variant),+];

			/// The bit this member occupies in a set.
			pub const fn bit(self) -> $repr {
				match self { $($item::$variant => 1 << $bit),+ }
			}
		}

		$(#[$set_meta])*
		#[derive(Clone, Copy, PartialEq, Eq, Default, Debug, Encode, Decode,
			DecodeWithMemTracking, MaxEncodedLen, TypeInfo)]
		#[derive(serde::Serialize, serde::Deserialize)]
		pub struct $set(pub $repr);

		impl $set {
			/// The set of every defined member.
			pub const fn all() -> Self {
				Self(0 $(| (1 << $bit))+)
			}

			/// The empty set.
			pub const fn empty() -> Self {
				Self(0)
			}

			/// A set from a list of members.
			pub fn from_items(items: &[$item]) -> Self {
				Self(items.iter().fold(0, |acc, i| acc | i.bit()))
			}

			/// Whether `item` is in the set.
			pub const fn contains(self, item: $item) -> bool {
				self.0 & item.bit() != 0
			}

			/// Whether every member of `other` is in this set.
			pub const fn contains_all(self, other: Self) -> bool {
				self.0 & other.0 == other.0
			}

			/// Whether the set is empty.
			pub const fn is_empty(self) -> bool {
				self.0 == 0
			}

			/// Whether the set only uses defined bits (reject unknown bits from clients).
			pub const fn is_valid(self) -> bool {
				self.0 & !Self::all().0 == 0
			}

			/// This set with `item` added.
			pub const fn with(self, item: $item) -> Self {
				Self(self.0 | item.bit())
			}
		}

		impl From<$item> for $set {
			fn from(item: $item) -> Self {
				Self(item.bit())
			}
		}
	};
}

bitset!(
	/// The roles an organisation holds, as a bit set (`Hospital` = bit 0 ... `Emergency` = bit 5).
	Roles,
	/// A role a provider organisation can hold in the consortium.
	Role: u16 {
		/// Acute care provider.
		Hospital = 0,
		/// Ambulatory care provider.
		Clinic = 1,
		/// Laboratory.
		Lab = 2,
		/// Pharmacy.
		Pharmacy = 3,
		/// Payer: adjudicates and settles claims.
		Insurer = 4,
		/// May open a break-glass window on a patient's records.
		Emergency = 5,
	}
);

bitset!(
	/// The categories of data a consent covers, as a bit set.
	Scopes,
	/// A category of health data a consent can cover.
	Scope: u16 {
		/// Clinical notes, encounters, conditions.
		Clinical = 0,
		/// Laboratory results.
		Labs = 1,
		/// Imaging studies and reports.
		Imaging = 2,
		/// Prescriptions and dispensing.
		Medications = 3,
		/// Mental-health records (specially protected).
		MentalHealth = 4,
		/// Genomic data (specially protected).
		Genomics = 5,
		/// Billing and claims data.
		Billing = 6,
	}
);

bitset!(
	/// The HIPAA purposes of use a consent covers, as a bit set.
	Purposes,
	/// A purpose of use, following HIPAA's treatment/payment/operations plus research.
	Purpose: u8 {
		/// Treatment of the patient.
		Treatment = 0,
		/// Payment for care (claims).
		Payment = 1,
		/// Health-care operations.
		Operations = 2,
		/// Research.
		Research = 3,
	}
);

#[cfg(test)]
mod tests {
	use super::*;
	use codec::{Decode, Encode, MaxEncodedLen};

	#[test]
	fn sets_hold_members_and_reject_unknown_bits() {
		let r = Roles::from_items(&[Role::Hospital, Role::Emergency]);
		assert!(r.contains(Role::Hospital));
		assert!(r.contains(Role::Emergency));
		assert!(!r.contains(Role::Insurer));
		assert!(r.is_valid());
		assert!(!Roles(1 << 9).is_valid());
		assert!(Roles::all().contains_all(r));
		assert!(!r.contains_all(Roles::all()));
		assert!(Roles::empty().is_empty());
		assert_eq!(Roles::empty().with(Role::Lab), Roles::from(Role::Lab));
	}

	#[test]
	fn all_covers_every_member() {
		for s in Scope::ALL {
			assert!(Scopes::all().contains(*s));
		}
		for p in Purpose::ALL {
			assert!(Purposes::all().contains(*p));
		}
		assert_eq!(Scopes::all().0, 0b111_1111);
		assert_eq!(Purposes::all().0, 0b1111);
	}

	#[test]
	fn encodings_are_fixed_size() {
		assert_eq!(Roles::max_encoded_len(), 2);
		assert_eq!(Purposes::max_encoded_len(), 1);
		let s = Scopes::from_items(&[Scope::Labs, Scope::Billing]);
		assert_eq!(s.encode().len(), 2);
		assert_eq!(Scopes::decode(&mut &s.encode()[..]).ok(), Some(s));
	}
}
