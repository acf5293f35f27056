//! A restaurant as the campaign knows it. Deliberately nothing about its owners: no nationality,
//! no immigration status, no guess about who runs it. What owners tell us goes into consent.

use super::ids::{RestaurantId, VolunteerId};
use super::validation::{invalid, optional_text, required_text, tag_list, ValidationResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Restaurant {
    pub id: RestaurantId,
    pub name: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub cuisines: Vec<String>,
    pub languages: Vec<String>,
    /// OpenStreetMap `opening_hours` syntax, kept as written.
    pub opening_hours: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    /// Where the record came from: `manual`, `demo`, `csv`, `osm`.
    pub source: String,
    /// The record's id in its source, e.g. `osm:node/123`.
    pub external_ref: Option<String>,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
    /// Proposed by a volunteer and not decided yet, confirmed, or rejected by an organiser.
    pub standing: Standing,
    /// The volunteer who proposed it (only for a volunteer's proposal).
    pub proposed_by: Option<VolunteerId>,
}

/// Whether the campaign counts a restaurant as real. A volunteer's find is `Proposed` until an
/// organiser decides; a `Rejected` one leaves the map but keeps its visits. Only `Confirmed`
/// restaurants reach an export or the public map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Standing {
    Proposed,
    Confirmed,
    Rejected,
}

impl Standing {
    pub const ALL: [Standing; 3] = [Standing::Proposed, Standing::Confirmed, Standing::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Proposed => "proposed",
            Standing::Confirmed => "confirmed",
            Standing::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The standing a decision gives: only `Confirmed` or `Rejected` decide a proposal.
    pub fn is_decision(self) -> bool {
        self != Standing::Proposed
    }
}

impl std::str::FromStr for Standing {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Standing::parse(s).ok_or_else(|| format!("unknown standing '{s}'"))
    }
}

/// What a person types to add or edit a restaurant. Validated into [`ValidDraft`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RestaurantDraft {
    pub name: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub cuisines: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub opening_hours: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
}

/// A draft whose every field passed validation: trimmed, in range, lists split.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDraft(pub RestaurantDraft);

impl RestaurantDraft {
    pub fn validate(self) -> ValidationResult<ValidDraft> {
        let name = required_text("name", &self.name, 200)?;
        check_coordinates(self.lat, self.lon)?;
        // UK postcodes in their written form (`e16ne` is `E1 6NE`); others in capitals as typed.
        let postcode = optional_text("postcode", self.postcode, 16)?
            .map(|p| super::postcode::normalise(&p).unwrap_or_else(|| p.to_uppercase()));
        let website = optional_text("website", self.website, 300)?;
        if let Some(w) = &website {
            if w.contains(char::is_whitespace) || !w.contains('.') {
                return invalid("website", "does not look like a web address (example.org)");
            }
        }
        Ok(ValidDraft(RestaurantDraft {
            name,
            address: optional_text("address", self.address, 300)?,
            postcode,
            lat: self.lat,
            lon: self.lon,
            cuisines: tag_list("cuisines", &self.cuisines, 40)?,
            languages: tag_list("languages", &self.languages, 40)?,
            opening_hours: optional_text("opening_hours", self.opening_hours, 255)?,
            phone: optional_text("phone", self.phone, 40)?,
            website,
        }))
    }
}

/// Latitude in [-90, 90], longitude in [-180, 180], both finite.
pub fn check_coordinates(lat: f64, lon: f64) -> ValidationResult<()> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return invalid("lat", "must be a latitude between -90 and 90");
    }
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return invalid("lon", "must be a longitude between -180 and 180");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str, lat: f64, lon: f64) -> RestaurantDraft {
        RestaurantDraft { name: name.into(), lat, lon, ..Default::default() }
    }

    #[test]
    fn validation_cases() {
        // (name, lat, lon, expected failing field)
        let cases: &[(&str, f64, f64, Option<&str>)] = &[
            ("Mangal", 51.5, -0.1, None),
            ("", 51.5, -0.1, Some("name")),
            ("   ", 51.5, -0.1, Some("name")),
            ("Mangal", 90.0, 180.0, None),
            ("Mangal", -90.0, -180.0, None),
            ("Mangal", 90.0001, 0.0, Some("lat")),
            ("Mangal", f64::NAN, 0.0, Some("lat")),
            ("Mangal", 0.0, -180.5, Some("lon")),
            ("Mangal", 0.0, f64::INFINITY, Some("lon")),
        ];
        for (name, lat, lon, field) in cases {
            let got = draft(name, *lat, *lon).validate().err().map(|e| e.field);
            assert_eq!(got, *field, "{name:?} {lat} {lon}");
        }
    }

    #[test]
    fn validation_normalises() {
        let mut d = draft("  Café Addis ", 51.5, -0.1);
        d.postcode = Some(" e8 1aa ".into());
        d.cuisines = vec!["ethiopian;coffee_shop".into()];
        d.phone = Some("   ".into());
        let ValidDraft(v) = d.validate().unwrap();
        assert_eq!(v.name, "Café Addis");
        assert_eq!(v.postcode.as_deref(), Some("E8 1AA"));
        assert_eq!(v.cuisines, vec!["ethiopian", "coffee_shop"]);
        assert_eq!(v.phone, None);
    }
}
