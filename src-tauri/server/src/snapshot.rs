//! What the public side shows, worked out from the rows the web login may read, with core's own
//! rules: the standing "listed publicly" answer (`domain::consent`), the status replayed from
//! the visits (`domain::status`), the public map's rule (`exports::public_map::shows`), where a
//! code is up (`domain::sticker::placed_at`). A row a teammate's machine wrote wrong (a name the
//! window would refuse, a time that does not parse) leaves its restaurant or code out.

use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use tablemap_core::domain::consent::consent_replaces;
use tablemap_core::domain::merge::set_field;
use tablemap_core::domain::sticker::{placed_at, Event};
use tablemap_core::domain::{
    status, ConsentAnswer, ConsentKind, ConsentRecord, Outcome, RestaurantDraft, RestaurantId, StickerState,
    Visit, VisitId, VolunteerId,
};
use tablemap_core::exports::public_map;
use tablemap_core::stickers::campaign::Campaign;

/// The rows as read, each kind in one list.
#[derive(Debug, Default, Clone)]
pub struct Rows {
    /// The campaign setting's value, if any.
    pub campaign: Option<serde_json::Value>,
    /// (restaurant id, field, value)
    pub fields: Vec<(String, String, serde_json::Value)>,
    /// (restaurant id, answer, recorded at)
    pub listing: Vec<(String, String, String)>,
    /// (id, restaurant id, outcome, visited at, recorded at, corrects)
    pub visits: Vec<(String, String, String, String, String, Option<String>)>,
    pub codes: Vec<String>,
    /// (id, code, state, restaurant id, at)
    pub sticker_events: Vec<(String, String, String, Option<String>, String)>,
}

/// A restaurant on the public map, with its public fields only.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Venue {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub cuisines: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    pub sticker_placed: bool,
}

/// Everything a request needs, made whole from one read and swapped in at once.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub campaign: Option<Campaign>,
    /// The path of the campaign's sticker address, lower-cased, without a trailing slash
    /// (`/s` for `https://mc.org.uk/S`; empty for codes at the root).
    pub base_path: Option<String>,
    /// Every printed code (a scan of anything else is not one of ours).
    pub codes: HashSet<String>,
    /// Codes up at a restaurant on the public map, to its id.
    pub code_venue: HashMap<String, String>,
    /// The public map, by id.
    pub venues: BTreeMap<String, Venue>,
}

fn time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// The standing "listed publicly" answer of each restaurant.
fn listed(rows: &[(String, String, String)]) -> HashMap<&str, bool> {
    let mut standing: HashMap<&str, ConsentRecord> = HashMap::new();
    for (restaurant, answer, at) in rows {
        let (Ok(answer), Some(recorded_at)) = (answer.parse::<ConsentAnswer>(), time(at)) else { continue };
        let record = ConsentRecord {
            restaurant_id: RestaurantId(restaurant.clone()),
            kind: ConsentKind::ListedPublicly,
            answer,
            recorded_by: VolunteerId(String::new()),
            recorded_by_name: String::new(),
            recorded_at,
        };
        match standing.get(restaurant.as_str()) {
            Some(current) if !consent_replaces(current, &record) => {}
            _ => {
                standing.insert(restaurant, record);
            }
        }
    }
    standing.into_iter().map(|(id, r)| (id, r.answer == ConsentAnswer::Yes)).collect()
}

/// Each restaurant's status, replayed from its visits.
fn statuses(
    rows: &[(String, String, String, String, String, Option<String>)],
) -> HashMap<&str, status::Status> {
    let mut by_restaurant: HashMap<&str, Vec<Visit>> = HashMap::new();
    for (id, restaurant, outcome, visited, recorded, corrects) in rows {
        let (Ok(outcome), Some(visited_at), Some(recorded_at)) =
            (outcome.parse::<Outcome>(), time(visited), time(recorded))
        else {
            continue;
        };
        by_restaurant.entry(restaurant).or_default().push(Visit {
            id: VisitId(id.clone()),
            restaurant_id: RestaurantId(restaurant.clone()),
            volunteer_id: VolunteerId(String::new()),
            volunteer_name: String::new(),
            visited_at,
            recorded_at,
            outcome,
            stickers_left: 0,
            note: None,
            follow_up_on: None,
            corrects: corrects.clone().map(VisitId),
            corrected_by: None,
        });
    }
    by_restaurant.into_iter().map(|(id, visits)| (id, status::derive(&visits).status)).collect()
}

/// The public fields of each restaurant that has a valid set of them.
fn drafts(rows: &[(String, String, serde_json::Value)]) -> HashMap<&str, RestaurantDraft> {
    let mut drafts: HashMap<&str, (RestaurantDraft, bool)> = HashMap::new();
    for (restaurant, field, value) in rows {
        let entry = drafts.entry(restaurant).or_insert_with(|| (RestaurantDraft::default(), true));
        if set_field(&mut entry.0, field, value).is_err() {
            entry.1 = false;
        }
    }
    drafts
        .into_iter()
        .filter(|(_, (_, ok))| *ok)
        .filter_map(|(id, (draft, _))| draft.validate().ok().map(|v| (id, v.0)))
        .collect()
}

pub fn build(rows: &Rows) -> Snapshot {
    let campaign = rows
        .campaign
        .clone()
        .and_then(|v| serde_json::from_value::<Campaign>(v).ok())
        .and_then(|c| c.validate().ok());
    let base_path = campaign.as_ref().and_then(|c| {
        url::Url::parse(&c.base_url).ok().map(|u| u.path().trim_end_matches('/').to_ascii_lowercase())
    });
    let listed = listed(&rows.listing);
    let statuses = statuses(&rows.visits);
    let mut venues = BTreeMap::new();
    for (id, d) in drafts(&rows.fields) {
        let status = statuses.get(id).copied().unwrap_or(status::Status::NotContacted);
        if !public_map::shows(listed.get(id).copied(), status) {
            continue;
        }
        venues.insert(
            id.to_string(),
            Venue {
                id: id.to_string(),
                name: d.name,
                address: d.address,
                postcode: d.postcode,
                cuisines: d.cuisines,
                lat: d.lat,
                lon: d.lon,
                sticker_placed: status == status::Status::StickerPlaced,
            },
        );
    }
    let mut events: HashMap<&str, Vec<Event<'_>>> = HashMap::new();
    for (id, code, state, restaurant, at) in &rows.sticker_events {
        let (Ok(state), Some(at)) = (state.parse::<StickerState>(), time(at)) else { continue };
        events.entry(code).or_default().push(Event { id, at, state, restaurant_id: restaurant.as_deref() });
    }
    let code_venue = events
        .into_iter()
        .filter_map(|(code, events)| {
            let at = placed_at(&events)?;
            venues.contains_key(at).then(|| (code.to_string(), at.to_string()))
        })
        .collect();
    Snapshot { campaign, base_path, codes: rows.codes.iter().cloned().collect(), code_venue, venues }
}
