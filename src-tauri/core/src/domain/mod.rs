//! The campaign's vocabulary: restaurants, volunteers, visits, consent and the status that the
//! visits imply. Plain data and rules: no I/O, no clock (time is passed in), no Tauri.

pub mod area;
pub mod consent;
pub mod filter;
pub mod hlc;
pub mod ids;
pub mod merge;
pub mod permissions;
pub mod postcode;
pub mod restaurant;
pub mod status;
pub mod sticker;
pub mod sticker_code;
pub mod validation;
pub mod visit;
pub mod volunteer;

pub use consent::{ConsentAnswer, ConsentKind, ConsentRecord, Consents, NewConsent};
pub use filter::{Bbox, RestaurantFilter};
pub use ids::{AreaId, RestaurantId, VisitId, VolunteerId};
pub use restaurant::{Restaurant, RestaurantDraft, Standing};
pub use status::{Status, StatusSummary};
pub use sticker::StickerState;
pub use validation::{ValidationError, ValidationResult};
pub use visit::{NewVisit, Outcome, Visit};
pub use volunteer::{Volunteer, VolunteerDraft};
