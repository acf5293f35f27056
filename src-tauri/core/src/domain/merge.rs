//! How changes from several machines merge, as pure rules (the server's `put_field` function in
//! `server-migrations/` applies the same field rule; a test keeps the two in step).
//!
//! - Events (visits, consent records, sticker events, print batches) are never merged: they
//!   union, keyed by their ULID.
//! - A restaurant's single-valued fields merge one by one: the later stamp wins (node id breaks
//!   ties, inside [`Hlc`]'s order).
//! - Two edits of the same field made from the same earlier value, with different results, are
//!   a conflict: the later still wins, and the pair goes on the review list.
//! - A withdrawn consent (`no`) wins over anything older, and over a `yes` recorded at the same
//!   moment; `do_not_contact` is final in the status table (`domain::status`) until reopened.

use super::hlc::Hlc;
use super::restaurant::{Restaurant, RestaurantDraft};

/// One field's value (JSON text) with the stamp of the edit that set it and the stamp of the
/// value that edit replaced (`None` when it was the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldVersion {
    pub value: String,
    pub hlc: Hlc,
    pub base: Option<Hlc>,
}

/// What to do with an incoming field version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldMerge {
    /// The incoming version replaces the current one.
    pub take: bool,
    /// The two were concurrent edits of the same earlier value: a coordinator should look.
    pub review: bool,
}

pub fn field(current: Option<&FieldVersion>, incoming: &FieldVersion) -> FieldMerge {
    let Some(current) = current else {
        return FieldMerge { take: true, review: false };
    };
    if current.hlc == incoming.hlc {
        // The same edit again (a push or pull repeated): nothing to do.
        return FieldMerge { take: false, review: false };
    }
    let concurrent = current.base == incoming.base && current.value != incoming.value;
    FieldMerge { take: incoming.hlc > current.hlc, review: concurrent }
}

/// A restaurant's fields that merge one by one, by their names in the sync tables. The position
/// is one field: a latitude from one edit and a longitude from another would be a place nobody
/// chose.
pub const FIELDS: [&str; 9] =
    ["name", "address", "postcode", "position", "cuisines", "languages", "opening_hours", "phone", "website"];

/// An organiser's decision on a proposed restaurant ("confirmed" or "rejected"): stamped and
/// merged like the fields above, but not something a restaurant form edits.
pub const STANDING: &str = "standing";

/// Each field of a restaurant as JSON, in [`FIELDS`] order.
pub fn field_values(d: &RestaurantDraft) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    vec![
        ("name", json!(d.name)),
        ("address", json!(d.address)),
        ("postcode", json!(d.postcode)),
        ("position", json!([d.lat, d.lon])),
        ("cuisines", json!(d.cuisines)),
        ("languages", json!(d.languages)),
        ("opening_hours", json!(d.opening_hours)),
        ("phone", json!(d.phone)),
        ("website", json!(d.website)),
    ]
}

/// Sets one field from its JSON; an unknown field or a value of the wrong shape is refused.
pub fn set_field(d: &mut RestaurantDraft, field: &str, value: &serde_json::Value) -> Result<(), String> {
    use serde_json::from_value;
    let bad = |e: serde_json::Error| format!("{field}: {e}");
    let v = value.clone();
    match field {
        "name" => d.name = from_value(v).map_err(bad)?,
        "address" => d.address = from_value(v).map_err(bad)?,
        "postcode" => d.postcode = from_value(v).map_err(bad)?,
        "position" => (d.lat, d.lon) = from_value(v).map_err(bad)?,
        "cuisines" => d.cuisines = from_value(v).map_err(bad)?,
        "languages" => d.languages = from_value(v).map_err(bad)?,
        "opening_hours" => d.opening_hours = from_value(v).map_err(bad)?,
        "phone" => d.phone = from_value(v).map_err(bad)?,
        "website" => d.website = from_value(v).map_err(bad)?,
        other => return Err(format!("unknown restaurant field '{other}'")),
    }
    Ok(())
}

/// The editable part of a restaurant.
pub fn draft_of(r: &Restaurant) -> RestaurantDraft {
    RestaurantDraft {
        name: r.name.clone(),
        address: r.address.clone(),
        postcode: r.postcode.clone(),
        lat: r.lat,
        lon: r.lon,
        cuisines: r.cuisines.clone(),
        languages: r.languages.clone(),
        opening_hours: r.opening_hours.clone(),
        phone: r.phone.clone(),
        website: r.website.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(millis: u64, node: &str) -> Hlc {
        Hlc { millis, counter: 0, node: node.into() }
    }

    fn v(value: &str, millis: u64, node: &str, base: Option<u64>) -> FieldVersion {
        FieldVersion { value: value.into(), hlc: stamp(millis, node), base: base.map(|b| stamp(b, "z")) }
    }

    #[test]
    fn field_cases() {
        // (current, incoming, take, review)
        let cases = [
            (None, v("\"A\"", 5, "a", None), true, false),
            // A later edit made after seeing the current value: taken, no review.
            (Some(v("\"A\"", 5, "a", Some(1))), v("\"B\"", 9, "b", Some(5)), true, false),
            // An older edit arriving late, made from an even older value: dropped quietly.
            (Some(v("\"B\"", 9, "b", Some(5))), v("\"A\"", 5, "a", Some(1)), false, false),
            // The same edit twice: nothing.
            (Some(v("\"A\"", 5, "a", Some(1))), v("\"A\"", 5, "a", Some(1)), false, false),
            // Concurrent edits of the same value: the later wins and both go on the review list,
            // whichever arrives first.
            (Some(v("\"A\"", 5, "a", Some(1))), v("\"B\"", 9, "b", Some(1)), true, true),
            (Some(v("\"B\"", 9, "b", Some(1))), v("\"A\"", 5, "a", Some(1)), false, true),
            // Same time, same value base: the node id decides.
            (Some(v("\"A\"", 5, "a", Some(1))), v("\"B\"", 5, "b", Some(1)), true, true),
            (Some(v("\"B\"", 5, "b", Some(1))), v("\"A\"", 5, "a", Some(1)), false, true),
            // Concurrent but the same result: no conflict worth a look.
            (Some(v("\"A\"", 5, "a", Some(1))), v("\"A\"", 9, "b", Some(1)), true, false),
            // Both first values (two people added the field from nothing).
            (Some(v("1", 5, "a", None)), v("2", 9, "b", None), true, true),
        ];
        for (i, (current, incoming, take, review)) in cases.into_iter().enumerate() {
            let got = field(current.as_ref(), &incoming);
            assert_eq!(got, FieldMerge { take, review }, "case {i}");
        }
    }

    #[test]
    fn fields_converge_whatever_the_order() {
        let edits = [v("\"A\"", 5, "a", Some(1)), v("\"B\"", 9, "b", Some(1)), v("\"C\"", 7, "c", Some(5))];
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        for order in orders {
            let mut current: Option<FieldVersion> = None;
            for i in order {
                if field(current.as_ref(), &edits[i]).take {
                    current = Some(edits[i].clone());
                }
            }
            assert_eq!(current.map(|c| c.value), Some("\"B\"".to_string()), "order {order:?}");
        }
    }

    #[test]
    fn every_field_round_trips() {
        let d = RestaurantDraft {
            name: "Café Zaza".into(),
            address: Some("1 High St".into()),
            postcode: None,
            lat: 51.5,
            lon: -0.07,
            cuisines: vec!["turkish".into(), "kebab".into()],
            languages: vec![],
            opening_hours: Some("Mo-Su 10:00-22:00".into()),
            phone: None,
            website: Some("zaza.example".into()),
        };
        let mut back = RestaurantDraft::default();
        let values = field_values(&d);
        assert_eq!(values.iter().map(|(f, _)| *f).collect::<Vec<_>>(), FIELDS);
        for (f, v) in &values {
            set_field(&mut back, f, v).unwrap();
        }
        assert_eq!(back, d);
        assert!(set_field(&mut back, "nationality", &serde_json::json!("x")).is_err());
        assert!(set_field(&mut back, "position", &serde_json::json!("x")).is_err());
    }
}
