//! Restaurants and people as pulled: each restaurant's fields merged one by one with what this
//! machine has, through the checks typed input meets.

use super::read::FieldRow;
use crate::domain::hlc::Hlc;
use crate::domain::merge::{self, FieldVersion, STANDING};
use crate::domain::restaurant::ValidDraft;
use crate::domain::{RestaurantDraft, RestaurantId, Standing, VolunteerDraft, VolunteerId};
use crate::store::{outbox, restaurants, volunteers};
use crate::sync::Result;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeMap;

/// A team member this machine has not seen; a name already used here gets a number.
pub(super) fn add_volunteer(
    db: &Connection,
    id: &VolunteerId,
    name: String,
    now: DateTime<Utc>,
) -> Result<()> {
    if volunteers::get(db, id).is_ok() {
        return Ok(());
    }
    let mut candidate = name.clone();
    let mut n = 2;
    while volunteers::by_name(db, &candidate)?.is_some() {
        candidate = format!("{name} ({n})");
        n += 1;
    }
    volunteers::insert(db, id, &VolunteerDraft { display_name: candidate, contact: None }, now)?;
    Ok(())
}

/// A restaurant row as pulled: where it came from, and who proposed it (a volunteer's proposal).
pub(super) struct Meta {
    pub source: String,
    pub external_ref: Option<String>,
    pub created_at: String,
    pub proposed_by: Option<String>,
}

/// Merges a restaurant's pulled fields field by field; adds the restaurant if it is new here.
/// Answers (added, fields taken).
pub(super) fn apply_fields(
    db: &Connection,
    id: &RestaurantId,
    fields: &[&FieldRow],
    meta: Option<&Meta>,
    now: DateTime<Utc>,
) -> Result<(bool, usize)> {
    let (decisions, fields): (Vec<&FieldRow>, Vec<&FieldRow>) =
        fields.iter().copied().partition(|f| f.field == STANDING);
    let (added, taken) = apply_draft_fields(db, id, &fields, meta, now)?;
    Ok((added, taken + apply_decisions(db, id, &decisions)?))
}

/// An organiser's decision on a proposal, merged by its stamp like any field. A value other
/// than "confirmed" or "rejected" is left out, as a refused field value is.
fn apply_decisions(db: &Connection, id: &RestaurantId, decisions: &[&FieldRow]) -> Result<usize> {
    let Ok(here) = restaurants::get(db, id) else { return Ok(0) };
    let mut taken = 0;
    let mut current = here.standing;
    for f in decisions {
        let value: Value = serde_json::from_str(&f.version.value).unwrap_or(Value::Null);
        let Some(decision) = value.as_str().and_then(Standing::parse).filter(|s| s.is_decision()) else {
            continue;
        };
        let mine = outbox::field_clock(db, id, STANDING)?.and_then(|(hlc, base)| {
            Some(FieldVersion {
                value: Value::from(current.as_str()).to_string(),
                hlc: hlc.parse::<Hlc>().ok()?,
                base: base.and_then(|b| b.parse().ok()),
            })
        });
        let incoming = FieldVersion { value: value.to_string(), ..f.version.clone() };
        if merge::field(mine.as_ref(), &incoming).take {
            restaurants::set_standing(db, id, decision)?;
            let base = f.version.base.as_ref().map(Hlc::to_string);
            outbox::set_field_clock(db, id, STANDING, &f.version.hlc.to_string(), base.as_deref())?;
            current = decision;
            taken += 1;
        }
    }
    Ok(taken)
}

fn apply_draft_fields(
    db: &Connection,
    id: &RestaurantId,
    fields: &[&FieldRow],
    meta: Option<&Meta>,
    now: DateTime<Utc>,
) -> Result<(bool, usize)> {
    let existing = restaurants::get(db, id).ok();
    let mut draft = existing.as_ref().map(merge::draft_of).unwrap_or_default();
    let current: BTreeMap<&str, Value> =
        merge::field_values(&draft).into_iter().collect::<BTreeMap<&str, Value>>();
    let mut taken = Vec::new();
    for f in fields {
        let mine = match (&existing, outbox::field_clock(db, id, &f.field)?) {
            (Some(_), Some((hlc, base))) => hlc.parse::<Hlc>().ok().map(|hlc| FieldVersion {
                value: current.get(f.field.as_str()).map(Value::to_string).unwrap_or_default(),
                hlc,
                base: base.and_then(|b| b.parse().ok()),
            }),
            _ => None,
        };
        // Compare values as the server stores them (jsonb text), not as typed.
        let incoming_value: Value = serde_json::from_str(&f.version.value).unwrap_or(Value::Null);
        let incoming = FieldVersion { value: incoming_value.to_string(), ..f.version.clone() };
        if merge::field(mine.as_ref(), &incoming).take
            && merge::set_field(&mut draft, &f.field, &incoming_value).is_ok()
        {
            taken.push(*f);
        }
    }
    if taken.is_empty() {
        return Ok((false, 0));
    }
    // What another machine sent must pass the same checks as what is typed here: a value that
    // does not is left out (the rest of the restaurant still merges).
    let before = existing.as_ref().map(merge::draft_of).unwrap_or_default();
    let Some(valid) = settle(draft, &before, &mut taken) else { return Ok((false, 0)) };
    let added = match existing {
        Some(_) => {
            restaurants::update(db, id, &valid, now)?;
            false
        }
        None => {
            // A new restaurant needs its name and position; they travel together with the row.
            let has = |name: &str| taken.iter().any(|f| f.field == name);
            let Some(Meta { source, external_ref, created_at, proposed_by }) = meta else {
                return Ok((false, 0));
            };
            if !has("name") || !has("position") {
                return Ok((false, 0));
            }
            // An OpenStreetMap id both machines imported stays with the first restaurant here.
            let reference = match external_ref {
                Some(r) if restaurants::find_by_external_ref(db, r)?.is_none() => Some(r.as_str()),
                _ => None,
            };
            let created = DateTime::parse_from_rfc3339(created_at).map_or(now, |t| t.with_timezone(&Utc));
            restaurants::insert(db, id, &valid, source, reference, created)?;
            if let Some(by) = proposed_by.as_deref().filter(|by| crate::sync::checks::strict_id(by)) {
                restaurants::set_proposed(db, id, &VolunteerId(by.to_string()))?;
            }
            true
        }
    };
    for f in &taken {
        let base = f.version.base.as_ref().map(Hlc::to_string);
        outbox::set_field_clock(db, id, &f.field, &f.version.hlc.to_string(), base.as_deref())?;
    }
    Ok((added, taken.len()))
}

/// Validates the merged draft, putting back (and no longer counting as taken) each pulled field
/// the checks refuse; `None` when the name or the position itself is refused.
fn settle(
    mut draft: RestaurantDraft,
    before: &RestaurantDraft,
    taken: &mut Vec<&FieldRow>,
) -> Option<ValidDraft> {
    loop {
        let refused = match draft.clone().validate() {
            Ok(valid) => return Some(valid),
            Err(e) => match e.field {
                "lat" | "lon" => "position",
                other => other,
            },
        };
        let at = taken.iter().position(|f| f.field == refused)?;
        if before.name.is_empty() && (refused == "name" || refused == "position") {
            return None;
        }
        let old = merge::field_values(before).into_iter().find(|(f, _)| *f == refused).map(|(_, v)| v)?;
        merge::set_field(&mut draft, refused, &old).ok()?;
        taken.remove(at);
    }
}
