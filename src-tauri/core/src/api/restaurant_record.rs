//! Everything Tablemap holds about one restaurant (GDPR arts. 15 and 20: the owner's right to
//! see it and to take it away): as JSON, for another program, and as one page an owner can be
//! handed (`exports::owner_page`). Both are written atomically and readable by this user alone.

use super::{ApiError, FileAction, Result};
use crate::atomic_file::AtomicFile;
use crate::domain::{ConsentRecord, Restaurant, RestaurantId, StatusSummary, Visit};
use crate::exports::owner_page::{self, OwnerPage, OwnerPageError};
use crate::store::{consents, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

/// One sticker event at this restaurant.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StickerHistory {
    pub code: String,
    pub state: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub volunteer_name: Option<String>,
}

/// Everything about one restaurant, as `restaurants export` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RestaurantRecord {
    #[ts(type = "string")]
    pub exported_at: DateTime<Utc>,
    pub campaign: String,
    pub restaurant: Restaurant,
    pub status: StatusSummary,
    /// Every visit, oldest first, corrections included.
    pub visits: Vec<Visit>,
    /// Every consent answer ever recorded, oldest first, with who recorded it and when.
    pub consents: Vec<ConsentRecord>,
    /// Printed sticker codes pre-assigned to it.
    pub codes_assigned: Vec<String>,
    pub stickers: Vec<StickerHistory>,
    /// The stickers up there now, with how often the campaign's web service counted them
    /// scanned (counts per sticker, never who scanned).
    pub stickers_up: Vec<crate::store::stickers::StickerUp>,
    /// The areas it lies in.
    pub areas: Vec<String>,
}

pub fn record(store: &Store, id: &RestaurantId, now: DateTime<Utc>) -> Result<RestaurantRecord> {
    let d = super::restaurants::detail(store, id)?;
    let conn = store.conn();
    let mut visits = d.visits;
    visits.sort_by(|a, b| (a.visited_at, &a.id.0).cmp(&(b.visited_at, &b.id.0)));
    let codes_assigned = conn
        .prepare("SELECT code FROM sticker_codes WHERE restaurant_id = ?1 ORDER BY code")
        .and_then(|mut q| {
            q.query_map([id.as_str()], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()
        })
        .map_err(crate::store::StoreError::from)?;
    let stickers = conn
        .prepare(
            "SELECT e.code, e.state, e.at, v.display_name FROM sticker_events e \
             LEFT JOIN volunteers v ON v.id = e.volunteer_id \
             WHERE e.restaurant_id = ?1 OR e.visit_id IN (SELECT id FROM visits WHERE restaurant_id = ?1) \
             ORDER BY e.at, e.id",
        )
        .and_then(|mut q| {
            q.query_map([id.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<(String, String, String, Option<String>)>>>()
        })
        .map_err(crate::store::StoreError::from)?
        .into_iter()
        .filter_map(|(code, state, at, volunteer_name)| {
            let at = DateTime::parse_from_rfc3339(&at).ok()?.with_timezone(&Utc);
            Some(StickerHistory { code, state, at, volunteer_name })
        })
        .collect();
    let index = super::areas::polygons(store)?;
    let mut areas: Vec<String> = index
        .into_iter()
        .filter(|a| a.area.contains(d.restaurant.lat, d.restaurant.lon))
        .map(|a| a.name)
        .collect();
    areas.sort();
    Ok(RestaurantRecord {
        exported_at: now,
        campaign: super::stickers::campaign(store)?.name,
        status: d.summary,
        visits,
        consents: consents::history(conn, id)?,
        codes_assigned,
        stickers,
        stickers_up: d.stickers_up,
        areas,
        restaurant: d.restaurant,
    })
}

/// Writes the record as JSON to `out` (0600); answers the record.
pub fn export_json(
    store: &Store,
    id: &RestaurantId,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<RestaurantRecord> {
    let r = record(store, id, now)?;
    let json = serde_json::to_vec_pretty(&r)
        .map_err(|e| ApiError::Encode { what: "the restaurant's record", reason: e.to_string() })?;
    crate::atomic_file::write_private(out, &json).map_err(|e| ApiError::file(FileAction::Write, out, e))?;
    Ok(r)
}

/// Writes the one page for the owner to `out` (0600).
pub fn export_pdf(
    store: &Store,
    id: &RestaurantId,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<RestaurantRecord> {
    let r = record(store, id, now)?;
    let contact = super::walk::campaign_site(store).unwrap_or_else(|_| "the campaign".to_string());
    let page = owner_page_of(&r, contact);
    let mut file = AtomicFile::create_private(out).map_err(|e| ApiError::file(FileAction::Create, out, e))?;
    let writer = super::take_writer(&mut file, out)?;
    let writer = owner_page::write_page(writer, &page).map_err(|e| match e {
        OwnerPageError::Io(e) => ApiError::file(FileAction::Write, out, e),
        OwnerPageError::Font(_) => {
            ApiError::Inconsistent { what: "the fonts Tablemap carries could not be read" }
        }
    })?;
    file.commit_with(writer).map_err(|e| ApiError::file(FileAction::Write, out, e))?;
    Ok(r)
}

/// Where the window's export of one restaurant went.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecordFiles {
    pub json: String,
    pub pdf: String,
}

/// Writes both files into `folder` (made 0700 if missing), named after the restaurant and the
/// day; an earlier export of the same day is replaced whole.
pub fn export_to_folder(
    store: &Store,
    id: &RestaurantId,
    folder: &Path,
    now: DateTime<Utc>,
) -> Result<RecordFiles> {
    crate::paths::create_private_dir_all(folder)
        .map_err(|e| ApiError::file(FileAction::Create, folder, e))?;
    let name = super::restaurants::detail(store, id)?.restaurant.name;
    let stem = format!("{} record {}", file_stem(&name), now.format("%Y-%m-%d"));
    let (json, pdf) = (folder.join(format!("{stem}.json")), folder.join(format!("{stem}.pdf")));
    export_json(store, id, &json, now)?;
    export_pdf(store, id, &pdf, now)?;
    Ok(RecordFiles { json: json.display().to_string(), pdf: pdf.display().to_string() })
}

/// A restaurant's name as a file name: letters and digits of any script kept, anything else
/// (slashes, dots, quotes) a space, at most 60 characters.
pub fn file_stem(name: &str) -> String {
    let kept: String = name.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    let words: Vec<&str> = kept.split_whitespace().collect();
    let stem: String = words.join(" ").chars().take(60).collect();
    if stem.trim().is_empty() {
        "restaurant".to_string()
    } else {
        stem.trim().to_string()
    }
}

/// The record in the page's words, newest entries first.
pub fn owner_page_of(r: &RestaurantRecord, contact: String) -> OwnerPage {
    let day = |t: &DateTime<Utc>| t.format("%-d %B %Y").to_string();
    let x = &r.restaurant;
    let mut facts: Vec<(String, String)> = Vec::new();
    let mut fact = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            facts.push((label.to_string(), v));
        }
    };
    fact("Name", Some(x.name.clone()));
    fact("Address", x.address.clone());
    fact("Postcode", x.postcode.clone());
    fact("Position", Some(format!("{:.5}, {:.5}", x.lat, x.lon)));
    fact("Cuisines", Some(x.cuisines.join(", ")));
    fact("Languages", Some(x.languages.join(", ")));
    fact("Opening hours", x.opening_hours.clone());
    fact("Phone", x.phone.clone());
    fact("Website", x.website.clone());
    fact("Where it came from", Some(x.source.clone()));
    fact("Status", Some(r.status.status.as_str().replace('_', " ")));
    fact("Areas", Some(r.areas.join(", ")));
    fact("First recorded", Some(day(&x.created_at)));
    let visits = r
        .visits
        .iter()
        .rev()
        .map(|v| {
            let mut line = format!(
                "{} · {} · {}",
                day(&v.visited_at),
                v.outcome.as_str().replace('_', " "),
                v.volunteer_name
            );
            if let Some(note) = &v.note {
                line.push_str(&format!(" · \u{201c}{note}\u{201d}"));
            }
            line
        })
        .collect();
    let consents = r
        .consents
        .iter()
        .rev()
        .map(|c| {
            format!(
                "{}: {} (recorded by {}, {})",
                c.kind.as_str().replace('_', " "),
                c.answer.as_str(),
                c.recorded_by_name,
                day(&c.recorded_at)
            )
        })
        .collect();
    let mut stickers: Vec<String> = r
        .stickers
        .iter()
        .rev()
        .map(|s| format!("{} · {} · {}", day(&s.at), s.code, s.state.replace('_', " ")))
        .collect();
    stickers.extend(r.codes_assigned.iter().map(|c| format!("code {c} printed for this restaurant")));
    OwnerPage {
        restaurant: x.name.clone(),
        campaign: r.campaign.clone(),
        date: day(&r.exported_at),
        facts,
        sections: vec![
            ("Visits".to_string(), visits),
            ("Consent answers".to_string(), consents),
            ("Stickers".to_string(), stickers),
        ],
        contact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NewVisit, Outcome, RestaurantDraft, VolunteerDraft};

    #[test]
    fn file_stems() {
        let cases = [
            ("Café Zahlé", "Café Zahlé"),
            ("../../etc/passwd", "etc passwd"),
            ("مطعم الشام", "مطعم الشام"),
            ("???", "restaurant"),
        ];
        for (name, want) in cases {
            assert_eq!(file_stem(name), want, "{name}");
        }
    }

    #[test]
    fn the_record_holds_everything_and_the_files_are_private() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = Store::open(&dir.path().join("t.sqlite")).expect("store");
        let now = Utc::now();
        let draft =
            RestaurantDraft { name: "Café Zahlé".into(), lat: 51.5, lon: -0.07, ..Default::default() };
        let r = super::super::restaurants::add(&mut store, draft, now).expect("add").restaurant.id;
        let amina = super::super::volunteers::add(
            &mut store,
            VolunteerDraft { display_name: "Amina".into(), contact: None },
            now,
        )
        .expect("volunteer");
        let visit = NewVisit {
            restaurant_id: r.clone(),
            volunteer_id: amina.id.clone(),
            visited_at: Some(now),
            outcome: Outcome::Agreed,
            stickers_left: 0,
            note: Some("Owner: call after 3".into()),
            follow_up_on: None,
            corrects: None,
            sticker_codes: vec![],
        };
        super::super::visits::record(&mut store, visit, now).expect("visit");
        let files = export_to_folder(&store, &r, &dir.path().join("out"), now).expect("export");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&files.json).expect("json")).expect("parse");
        assert_eq!(json["restaurant"]["name"], "Café Zahlé");
        assert_eq!(json["visits"][0]["note"], "Owner: call after 3");
        assert_eq!(json["visits"][0]["volunteer_name"], "Amina");
        assert_eq!(json["status"]["status"], "agreed");
        let pdf = std::fs::read(&files.pdf).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        #[cfg(unix)]
        for f in [&files.json, &files.pdf] {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(f).expect("meta").permissions().mode() & 0o777, 0o600, "{f}");
        }
    }
}
