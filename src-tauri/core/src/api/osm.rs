//! Importing restaurants, cafes and takeaways from OpenStreetMap. Two steps, so no caller holds
//! the store while waiting for the network: [`fetch`] asks Overpass (async, no store), [`apply`]
//! writes what came back in one transaction.
//!
//! Imported venues are candidates: OpenStreetMap says nothing about who owns a business, and
//! Tablemap never guesses it, so a new venue starts as `not_contacted` like any other. A venue
//! imported again is matched by its `external_ref` (`osm:node/123`) and gets only its
//! OpenStreetMap fields refreshed; visits, consent, notes, languages and status are ours.

use super::{ApiError, Result};
use crate::api::access;
use crate::domain::permissions::Action;
use crate::domain::restaurant::ValidDraft;
use crate::domain::{Restaurant, RestaurantDraft, RestaurantId};
use crate::sources::overpass::{OsmArea, OsmFetch, OsmVenue, OverpassClient};
use crate::store::restaurants as table;
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What one import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct OsmImportSummary {
    /// New restaurants (source `osm`, status `not_contacted`).
    pub added: u32,
    /// Known restaurants whose OpenStreetMap fields changed.
    pub updated: u32,
    /// Known restaurants OpenStreetMap says nothing new about.
    pub unchanged: u32,
    /// Venues without a name: nothing a volunteer could look for.
    pub skipped_unnamed: u32,
    /// Venues whose name or position Tablemap cannot accept (a 300-character name).
    pub skipped_invalid: u32,
}

/// Asks Overpass for every restaurant, cafe and takeaway in `area`. Holds no store: call it
/// without the store's lock, then [`apply`] the answer.
pub async fn fetch(client: &OverpassClient, area: &OsmArea) -> Result<OsmFetch> {
    area.validate()?;
    Ok(client.fetch(area).await?)
}

/// Writes `venues` in one transaction: new ones are added, known ones (same `external_ref`)
/// refreshed. `progress(done, total)` is called every few hundred venues and at the end; when
/// it answers false the import stops and nothing is written (`ApiError::Cancelled`).
///
/// A field OpenStreetMap leaves out, or gives in a form Tablemap refuses (a website with
/// spaces), keeps the value we have: a phone number a volunteer typed is not wiped because
/// the map has none.
pub fn apply(
    store: &mut Store,
    venues: &[OsmVenue],
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<OsmImportSummary> {
    let total = venues.len();
    access::require(store.conn(), Action::EditRestaurants)?;
    store.write(|tx| {
        crate::store::restaurants::search_index::in_bulk(tx, |tx| {
            crate::store::restaurants::bulk_indexes::deferred(tx, venues.len(), |tx| {
                let mut summary = OsmImportSummary::default();
                let mut ids = ulid::Generator::new();
                let mut batch = table::Batch::new("osm", now);
                // References waiting in `batch`: an answer naming one element twice finds the first.
                let mut waiting = std::collections::HashSet::new();
                let sharing = crate::store::outbox::sharing(tx)?;
                let queued = |written: Vec<RestaurantId>| -> Result<()> {
                    for id in written.iter().filter(|_| sharing) {
                        crate::store::outbox::restaurant_inserted(tx, id, now)?;
                    }
                    Ok(())
                };
                for (i, venue) in venues.iter().enumerate() {
                    if i % 250 == 0 && !progress(i, total) {
                        return Err(ApiError::Cancelled);
                    }
                    if venue.name.is_none() {
                        summary.skipped_unnamed += 1;
                        continue;
                    }
                    if waiting.contains(venue.external_ref.as_str()) {
                        queued(batch.flush(tx)?)?;
                        waiting.clear();
                    }
                    let existing = table::find_by_external_ref(tx, &venue.external_ref)?;
                    let Some(valid) = draft(venue, existing.as_ref()) else {
                        summary.skipped_invalid += 1;
                        continue;
                    };
                    match existing {
                        None => {
                            let id = RestaurantId::generate_next(&mut ids, now);
                            let written = batch.push(tx, id, &valid, Some(&venue.external_ref))?;
                            if written.is_empty() {
                                waiting.insert(venue.external_ref.as_str());
                            } else {
                                waiting.clear();
                            }
                            queued(written)?;
                            summary.added += 1;
                        }
                        Some(r) if same(&r, &valid) => summary.unchanged += 1,
                        Some(r) => {
                            table::update(tx, &r.id, &valid, now)?;
                            crate::store::outbox::restaurant_updated(tx, &r, now)?;
                            summary.updated += 1;
                        }
                    }
                }
                queued(batch.flush(tx)?)?;
                if !progress(total, total) {
                    return Err(ApiError::Cancelled);
                }
                Ok(summary)
            })
        })
    })
}

/// The restaurant as OpenStreetMap describes it, over what we already have (`existing`), checked
/// by the same rules as a typed draft. A refused optional field falls back to what we had;
/// `None` when the name or position itself is refused.
fn draft(venue: &OsmVenue, existing: Option<&Restaurant>) -> Option<ValidDraft> {
    let keep = |ours: Option<&String>, theirs: &Option<String>| theirs.clone().or_else(|| ours.cloned());
    let mut d = RestaurantDraft {
        name: venue.name.clone().unwrap_or_default(),
        address: keep(existing.and_then(|r| r.address.as_ref()), &venue.address),
        postcode: keep(existing.and_then(|r| r.postcode.as_ref()), &venue.postcode),
        lat: venue.lat,
        lon: venue.lon,
        cuisines: match (&venue.cuisines[..], existing) {
            ([], Some(r)) => r.cuisines.clone(),
            (c, _) => c.to_vec(),
        },
        languages: existing.map(|r| r.languages.clone()).unwrap_or_default(),
        opening_hours: keep(existing.and_then(|r| r.opening_hours.as_ref()), &venue.opening_hours),
        phone: keep(existing.and_then(|r| r.phone.as_ref()), &venue.phone),
        website: keep(existing.and_then(|r| r.website.as_ref()), &venue.website),
    };
    // Each refused field is put back to ours (or emptied) once; seven fields, so this ends.
    for _ in 0..8 {
        let field = match d.clone().validate() {
            Ok(valid) => return Some(valid),
            Err(e) => e.field,
        };
        let ours = |f: fn(&Restaurant) -> &Option<String>| existing.and_then(|r| f(r).clone());
        match field {
            "address" if d.address != ours(|r| &r.address) => d.address = ours(|r| &r.address),
            "postcode" if d.postcode != ours(|r| &r.postcode) => d.postcode = ours(|r| &r.postcode),
            "opening_hours" if d.opening_hours != ours(|r| &r.opening_hours) => {
                d.opening_hours = ours(|r| &r.opening_hours)
            }
            "phone" if d.phone != ours(|r| &r.phone) => d.phone = ours(|r| &r.phone),
            "website" if d.website != ours(|r| &r.website) => d.website = ours(|r| &r.website),
            "cuisines" if Some(&d.cuisines) != existing.map(|r| &r.cuisines) => {
                d.cuisines = existing.map(|r| r.cuisines.clone()).unwrap_or_default()
            }
            // The name or the position, or ours was refused too (rules changed since).
            _ => return None,
        }
    }
    None
}

/// Whether writing `new` would change any OpenStreetMap field of `r`.
fn same(r: &Restaurant, new: &ValidDraft) -> bool {
    let d = &new.0;
    r.name == d.name
        && r.address == d.address
        && r.postcode == d.postcode
        && r.lat == d.lat
        && r.lon == d.lon
        && r.cuisines == d.cuisines
        && r.opening_hours == d.opening_hours
        && r.phone == d.phone
        && r.website == d.website
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venue(external_ref: &str, name: Option<&str>) -> OsmVenue {
        OsmVenue {
            external_ref: external_ref.into(),
            amenity: "restaurant".into(),
            name: name.map(str::to_string),
            lat: 51.5,
            lon: -0.05,
            address: Some("1 Mare Street".into()),
            postcode: Some("e8 1aa".into()),
            cuisines: vec!["turkish".into()],
            opening_hours: None,
            phone: None,
            website: None,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-06-01T12:00:00Z".parse().expect("ok")
    }

    #[test]
    fn refused_fields_fall_back() {
        let mut bad = venue("osm:node/1", Some("Mangal"));
        bad.website = Some("not a website".into());
        bad.phone = Some("1".repeat(41));
        bad.cuisines = vec!["x".repeat(41)];
        let ValidDraft(d) = draft(&bad, None).expect("kept");
        assert_eq!((d.website, d.phone, d.cuisines), (None, None, vec![]));
        assert_eq!(d.postcode.as_deref(), Some("E8 1AA"));

        let mut long = venue("osm:node/2", Some(&"n".repeat(201)));
        assert_eq!(draft(&long, None), None);
        long.name = Some("Fine".into());
        long.lat = 95.0;
        assert_eq!(draft(&long, None), None);
    }

    #[test]
    fn a_stopped_import_writes_nothing() {
        let mut store = Store::open_in_memory().expect("ok");
        let venues: Vec<OsmVenue> =
            (0..600).map(|i| venue(&format!("osm:node/{i}"), Some(&format!("Cafe {i}")))).collect();
        // Stop after the first progress report past zero (250 venues in).
        let err = apply(&mut store, &venues, now(), &mut |done, _| done == 0).expect_err("stopped");
        assert!(matches!(err, ApiError::Cancelled), "{err:?}");
        let count: i64 =
            store.conn().query_row("SELECT count(*) FROM restaurants", [], |r| r.get(0)).expect("ok");
        assert_eq!(count, 0, "one transaction: nothing kept");
    }

    #[test]
    fn an_answer_naming_one_element_twice_adds_it_once() {
        let mut store = Store::open_in_memory().expect("ok");
        let mut again = venue("osm:node/1", Some("Mangal 2"));
        again.phone = Some("020 7946 0000".into());
        let venues = vec![venue("osm:node/1", Some("Mangal")), venue("osm:node/9", Some("Zaza")), again];
        let s = apply(&mut store, &venues, now(), &mut |_, _| true).expect("ok");
        assert_eq!((s.added, s.updated), (2, 1));
        let names: Vec<String> = store
            .conn()
            .prepare("SELECT name FROM restaurants ORDER BY name")
            .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
            .expect("ok");
        assert_eq!(names, ["Mangal 2", "Zaza"]);
    }

    #[test]
    fn import_then_reimport() {
        let mut store = Store::open_in_memory().expect("ok");
        let venues = vec![
            venue("osm:node/1", Some("Mangal")),
            venue("osm:way/2", Some("Addis Café")),
            venue("osm:node/3", None),
        ];
        let mut calls = Vec::new();
        let s = apply(&mut store, &venues, now(), &mut |d, t| {
            calls.push((d, t));
            true
        })
        .expect("ok");
        assert_eq!(s, OsmImportSummary { added: 2, skipped_unnamed: 1, ..Default::default() });
        assert_eq!(calls, [(0, 3), (3, 3)]);

        let mut again = venues.clone();
        again[1].phone = Some("+44 20 7000 0000".into());
        again[0].address = None; // the map lost the address: ours stays
        let s = apply(&mut store, &again, now(), &mut |_, _| true).expect("ok");
        assert_eq!(
            s,
            OsmImportSummary { updated: 1, unchanged: 1, skipped_unnamed: 1, ..Default::default() }
        );
        let mangal = table::find_by_external_ref(store.conn(), "osm:node/1").expect("ok").expect("ok");
        assert_eq!(mangal.address.as_deref(), Some("1 Mare Street"));
        assert_eq!(mangal.source, "osm");
        assert_eq!(table::count(store.conn()).expect("ok"), 2);
    }
}
