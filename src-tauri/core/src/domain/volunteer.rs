//! Volunteers are known by a display name they choose. No accounts yet, and only an optional
//! contact (whatever the volunteer wants coordinators to use).

use super::ids::VolunteerId;
use super::validation::{optional_text, required_text, ValidationResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Volunteer {
    pub id: VolunteerId,
    pub display_name: String,
    pub contact: Option<String>,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VolunteerDraft {
    pub display_name: String,
    #[serde(default)]
    pub contact: Option<String>,
}

impl VolunteerDraft {
    pub fn validate(self) -> ValidationResult<VolunteerDraft> {
        Ok(VolunteerDraft {
            display_name: required_text("display_name", &self.display_name, 80)?,
            contact: optional_text("contact", self.contact, 120)?,
        })
    }
}
