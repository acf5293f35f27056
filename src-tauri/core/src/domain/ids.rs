//! Globally unique text ids (ULIDs). Team sync will merge databases from many machines, so ids
//! are never sequence numbers; a ULID also sorts by creation time, which keeps indexes compact.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        #[ts(export)]
        pub struct $name(pub String);

        impl $name {
            /// A fresh id whose time part is `now`.
            pub fn generate(now: DateTime<Utc>) -> Self {
                Self(ulid::Ulid::from_datetime(now.into()).to_string())
            }

            /// A run of fresh ids for one batch (an import): each larger than the last, so a
            /// batch's rows go to the end of every index on ids rather than all over it.
            pub fn generate_next(run: &mut ulid::Generator, now: DateTime<Utc>) -> Self {
                match run.generate_from_datetime(now.into()) {
                    Ok(id) => Self(id.to_string()),
                    // 2^80 ids in one millisecond overflowed: start a fresh random run.
                    Err(_) => Self::generate(now),
                }
            }

            /// An id made from given parts, for deterministic data such as the demo set.
            pub fn from_parts(millis: u64, random: u128) -> Self {
                Self(ulid::Ulid::from_parts(millis, random).to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.trim().to_string())
            }
        }
    };
}

text_id!(
    /// Identifies a restaurant.
    RestaurantId
);
text_id!(
    /// Identifies a volunteer.
    VolunteerId
);
text_id!(
    /// Identifies one visit event.
    VisitId
);
text_id!(
    /// Identifies an area (a polygon volunteers claim).
    AreaId
);
