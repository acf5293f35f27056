//! A deterministic, realistic demo data set: restaurants along real London high streets, a crew
//! of volunteers, and a spread of visits and consents. The same seed gives the same names,
//! places and outcomes; visit times are relative to `now` so the set always looks current.

use crate::api::{ApiError, Refusal};
use crate::domain::restaurant::ValidDraft;
use crate::domain::{
    ConsentAnswer, ConsentKind, NewConsent, NewVisit, Outcome, RestaurantDraft, RestaurantId, VisitId,
    VolunteerDraft, VolunteerId,
};
use crate::store::demo_rows::{self, DemoRemoved};
use crate::store::{consents, restaurants, status, visits, volunteers, Store};
use chrono::{DateTime, Duration, Utc};

pub mod more_visits;

pub const DEFAULT_COUNT: u32 = 60;
/// The time every demo id carries (2026-01-01T00:00:00Z, plus a few minutes at most): how a
/// demo visit, consent or volunteer is told from one a person recorded.
const ID_BASE_MS: u64 = 1_767_225_600_000;
const ID_SPAN_MS: u64 = 10_000_000;
pub const DEFAULT_SEED: u64 = 2026;

/// SplitMix64: tiny, fast and stable across versions, which a library RNG does not promise.
/// (Also what the benchmarks use for their generated data.)
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// (borough, centre lat, centre lon, postcode district, high street)
const PLACES: &[(&str, f64, f64, &str, &str)] = &[
    ("Hackney", 51.5467, -0.0755, "E8", "Kingsland High Street"),
    ("Tower Hamlets", 51.5180, -0.0712, "E1", "Whitechapel Road"),
    ("Newham", 51.5371, 0.0341, "E7", "Green Street"),
    ("Southwark", 51.4700, -0.0690, "SE15", "Rye Lane"),
    ("Lambeth", 51.4613, -0.1145, "SW9", "Atlantic Road"),
    ("Haringey", 51.5878, -0.0730, "N15", "West Green Road"),
    ("Brent", 51.5533, -0.2920, "HA0", "Ealing Road"),
    ("Ealing", 51.5110, -0.3760, "UB1", "The Broadway"),
    ("Lewisham", 51.4570, -0.0135, "SE13", "Lewisham High Street"),
    ("Islington", 51.5530, -0.1130, "N7", "Holloway Road"),
    ("Waltham Forest", 51.5840, -0.0190, "E17", "Hoe Street"),
    ("Croydon", 51.3830, -0.1050, "CR0", "London Road"),
    ("Barking and Dagenham", 51.5390, 0.0810, "IG11", "East Street"),
    ("Westminster", 51.5180, -0.1700, "W2", "Edgware Road"),
    ("Enfield", 51.6460, -0.0600, "N18", "Fore Street"),
];

/// More high streets for large sets (`--restaurants 100000`): the country's cities, so the map
/// has crowds, gaps and outliers as a real campaign's does.
const CITIES: &[(&str, f64, f64, &str, &str)] = &[
    ("Manchester", 53.4530, -2.2250, "M14", "Wilmslow Road"),
    ("Birmingham", 52.4600, -1.8700, "B11", "Ladypool Road"),
    ("Leeds", 53.8110, -1.5330, "LS8", "Harehills Lane"),
    ("Bradford", 53.7930, -1.7700, "BD8", "Lumb Lane"),
    ("Leicester", 52.6450, -1.1220, "LE4", "Belgrave Road"),
    ("Glasgow", 55.8460, -4.2600, "G41", "Pollokshaws Road"),
    ("Bristol", 51.4640, -2.5820, "BS5", "Stapleton Road"),
    ("Liverpool", 53.3990, -2.9600, "L8", "Lodge Lane"),
    ("Cardiff", 51.4870, -3.1700, "CF24", "City Road"),
    ("Sheffield", 53.3870, -1.4840, "S4", "Spital Hill"),
    ("Newcastle", 54.9770, -1.6400, "NE4", "Westgate Road"),
    ("Nottingham", 52.9680, -1.1540, "NG7", "Alfreton Road"),
    ("Edinburgh", 55.9600, -3.1750, "EH6", "Leith Walk"),
    ("Belfast", 54.5850, -5.9400, "BT7", "Botanic Avenue"),
];

/// From this many restaurants on, the demo spreads over the country's cities as well.
const NATIONAL_FROM: u32 = 1_000;

/// (name word, cuisine, language spoken besides English)
const KITCHENS: &[(&str, &str, &str)] = &[
    ("Anatolia", "turkish", "Turkish"),
    ("Bosphorus", "turkish", "Turkish"),
    ("Lalibela", "ethiopian", "Amharic"),
    ("Asmara", "eritrean", "Tigrinya"),
    ("Lahore", "pakistani", "Urdu"),
    ("Dhaka", "bangladeshi", "Bengali"),
    ("Kerala", "indian", "Malayalam"),
    ("Saigon", "vietnamese", "Vietnamese"),
    ("Little Lagos", "nigerian", "Yoruba"),
    ("Accra", "ghanaian", "Twi"),
    ("Damascus", "syrian", "Arabic"),
    ("Aleppo", "syrian", "Arabic"),
    ("Beirut", "lebanese", "Arabic"),
    ("Kabul", "afghan", "Dari"),
    ("Tehran", "persian", "Persian"),
    ("Mogadishu", "somali", "Somali"),
    ("Havana", "cuban", "Spanish"),
    ("Bogotá", "colombian", "Spanish"),
    ("Lima", "peruvian", "Spanish"),
    ("Tbilisi", "georgian", "Georgian"),
    ("Sarajevo", "bosnian", "Bosnian"),
    ("Kraków", "polish", "Polish"),
    ("Kingston", "caribbean", "Jamaican Patois"),
    ("Sichuan", "chinese", "Mandarin"),
    ("Manila", "filipino", "Tagalog"),
    ("Kurdistan", "kurdish", "Kurdish"),
    ("Napoli", "pizza", "Italian"),
    ("Lisboa", "portuguese", "Portuguese"),
    ("Erbil", "kurdish", "Kurdish"),
    ("Sylhet", "bangladeshi", "Sylheti"),
];

const KINDS: &[&str] = &[
    "Kitchen",
    "Grill",
    "Café",
    "House",
    "Bakery",
    "Canteen",
    "Restaurant",
    "Express",
    "Table",
    "Corner",
    "Garden",
    "Ocakbaşı",
    "Eatery",
    "Food Bar",
];

const HOURS: &[&str] = &[
    "Mo-Su 12:00-23:00",
    "Tu-Su 11:00-22:00",
    "Mo-Sa 08:00-18:00",
    "Mo-Th 17:00-23:00; Fr-Su 12:00-24:00",
    "Mo-Fr 11:30-15:00,17:30-22:30; Sa,Su 12:00-22:30",
];

const VOLUNTEERS: &[&str] = &["Amina", "Tom", "Priya", "Kwame", "Sofia", "Yusuf", "Mei", "Daniel"];

const NOTES: &[&str] = &[
    "Owner busy at lunch; best after 3pm.",
    "Loved the idea, wants to tell the family first.",
    "Manager will ask the owner.",
    "Put the sticker on the door, left of the menu.",
    "Asked for a larger poster too.",
    "",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct DemoSummary {
    pub restaurants: u32,
    pub volunteers: u32,
    pub visits: u32,
}

/// Seeds `count` demo restaurants into an empty database, in one transaction. They are marked
/// `demo`: no export ever includes them, and [`remove`] takes them out again.
pub fn seed(store: &mut Store, count: u32, seed: u64, now: DateTime<Utc>) -> Result<DemoSummary, ApiError> {
    seed_as(store, count, seed, now, DEMO)
}

/// The source demo restaurants carry.
pub const DEMO: &str = "demo";
/// The source of generated restaurants meant to be exported (`tablemap demo --as-real`, for
/// benchmarks and tests of exports).
pub const GENERATED: &str = "generated";

/// Takes the demo set out of the database (restaurants the person visited are kept as theirs).
pub fn remove(store: &mut Store) -> Result<DemoRemoved, ApiError> {
    Ok(store.write(|tx| demo_rows::remove(tx, ID_BASE_MS, ID_SPAN_MS))?)
}

/// Opens (and on first use seeds) the demo database beside the campaign's database `real`
/// (`api::first_run::demo_path`).
pub fn open_beside(real: &std::path::Path, now: DateTime<Utc>) -> Result<Store, ApiError> {
    let mut demo = Store::open(&crate::api::first_run::demo_path(real))?;
    if restaurants::count(demo.conn())? == 0 {
        seed(&mut demo, DEFAULT_COUNT, DEFAULT_SEED, now)?;
    }
    Ok(demo)
}

/// The person's answer to the window's offer to take out an older version's demo set (asked
/// once).
pub fn answer_old_offer(
    store: &mut Store,
    remove: bool,
    now: DateTime<Utc>,
) -> Result<DemoRemoved, ApiError> {
    let removed = if remove { self::remove(store)? } else { DemoRemoved::default() };
    store.write(|tx| {
        crate::store::settings::set(tx, crate::api::first_run::OFFER_ANSWERED, &now.to_rfc3339())
    })?;
    Ok(removed)
}

/// [`seed`] with the restaurants' source: [`DEMO`] or [`GENERATED`].
pub fn seed_as(
    store: &mut Store,
    count: u32,
    seed: u64,
    now: DateTime<Utc>,
    source: &'static str,
) -> Result<DemoSummary, ApiError> {
    let existing = restaurants::count(store.conn())?;
    if existing > 0 {
        return Err(Refusal::DemoNeedsEmptyDatabase { restaurants: existing }.into());
    }
    let mut rng = Rng(seed);
    // Ids carry a fixed time so the same seed gives the same ids.
    let id_base_ms = ID_BASE_MS;
    store.write(|tx| {
        if source == DEMO {
            // Asked for now, so not the old version's first-run set the window offers to remove.
            crate::store::settings::set(tx, crate::api::first_run::OFFER_ANSWERED, &now.to_rfc3339())?;
        }
        let mut summary = DemoSummary::default();
        let mut crew = Vec::new();
        for (i, name) in VOLUNTEERS.iter().enumerate() {
            let id = VolunteerId::from_parts(id_base_ms + i as u64, u128::from(rng.next_u64()));
            let draft = VolunteerDraft { display_name: (*name).to_string(), contact: None };
            if volunteers::by_name(tx, name)?.is_none() {
                volunteers::insert(tx, &id, &draft, now - Duration::days(120))?;
                summary.volunteers += 1;
                crew.push(id);
            } else if let Some(v) = volunteers::by_name(tx, name)? {
                crew.push(v.id);
            }
        }
        let national = count >= NATIONAL_FROM;
        for i in 0..count {
            // Large sets: London holds a third, the cities the rest, each spread city-wide.
            let place = if national && rng.chance(0.67) { rng.pick(CITIES) } else { rng.pick(PLACES) };
            let spread = if national { 3.0 } else { 1.0 };
            let (word, cuisine, language) = *rng.pick(KITCHENS);
            let name = match rng.below(4) {
                0 => word.to_string(),
                _ => format!("{word} {}", rng.pick(KINDS)),
            };
            // Spread along a few hundred metres either side of the high street's centre.
            let lat = place.1 + (rng.unit() + rng.unit() - 1.0) * 0.012 * spread;
            let lon = place.2 + (rng.unit() + rng.unit() - 1.0) * 0.018 * spread;
            let draft = RestaurantDraft {
                name,
                address: Some(format!("{} {}, {}", 1 + rng.below(280), place.4, place.0)),
                postcode: Some(format!(
                    "{} {}{}{}",
                    place.3,
                    1 + rng.below(9),
                    letter(&mut rng),
                    letter(&mut rng)
                )),
                lat,
                lon,
                cuisines: vec![cuisine.to_string()],
                languages: vec![language.to_string(), "English".to_string()],
                opening_hours: Some(rng.pick(HOURS).to_string()),
                phone: rng
                    .chance(0.6)
                    .then(|| format!("020 {} {}", 7000 + rng.below(999), 1000 + rng.below(8999))),
                website: None,
            };
            let id = RestaurantId::from_parts(
                id_base_ms + u64::from(i),
                u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64()),
            );
            restaurants::insert(tx, &id, &ValidDraft(draft), source, None, now - Duration::days(100))?;
            summary.restaurants += 1;

            let story = story(&mut rng);
            if story.is_empty() {
                continue;
            }
            let volunteer = rng.pick(&crew).clone();
            let mut days_ago = 5 + rng.below(80) as i64;
            for (step, outcome) in story.iter().enumerate() {
                let at = now - Duration::days(days_ago) - Duration::minutes(rng.below(600) as i64);
                let visit = NewVisit {
                    restaurant_id: id.clone(),
                    volunteer_id: volunteer.clone(),
                    visited_at: Some(at),
                    outcome: *outcome,
                    stickers_left: u32::from(*outcome == Outcome::StickerPlaced),
                    note: Some(rng.pick(NOTES).to_string()).filter(|n| !n.is_empty()),
                    follow_up_on: (*outcome == Outcome::ComeBack)
                        .then(|| (now + Duration::days(rng.below(21) as i64 - 5)).date_naive()),
                    corrects: None,
                    sticker_codes: vec![],
                };
                let visit_id = VisitId::from_parts(
                    id_base_ms + u64::from(i) * 8 + step as u64,
                    u128::from(rng.next_u64()),
                );
                visits::insert(tx, &visit_id, &visit, at)?;
                summary.visits += 1;
                if *outcome == Outcome::Agreed || (*outcome == Outcome::StickerPlaced && step == 0) {
                    let record = |rng: &mut Rng, kind| {
                        let consent_id =
                            ulid::Ulid::from_parts(id_base_ms, u128::from(rng.next_u64())).to_string();
                        let c = NewConsent {
                            restaurant_id: id.clone(),
                            kind,
                            answer: ConsentAnswer::Yes,
                            recorded_by: volunteer.clone(),
                        };
                        consents::insert(tx, &consent_id, &c, at)
                    };
                    record(&mut rng, ConsentKind::DisplaySticker)?;
                    if rng.chance(0.7) {
                        record(&mut rng, ConsentKind::ListedPublicly)?;
                    }
                    if rng.chance(0.8) {
                        record(&mut rng, ConsentKind::SelfIdentifiesMigrantOwned)?;
                    }
                }
                days_ago -= 1 + rng.below(4) as i64;
                days_ago = days_ago.max(1);
            }
            status::refresh(tx, &id)?;
        }
        Ok(summary)
    })
}

fn letter(rng: &mut Rng) -> char {
    // Letters used in the last part of a UK postcode.
    let letters: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    char::from(letters[rng.below(letters.len())])
}

/// The outcomes of one restaurant's visits, drawn so the map shows every status.
fn story(rng: &mut Rng) -> Vec<Outcome> {
    use Outcome::*;
    let roll = rng.unit();
    let stories: &[(f64, &[Outcome])] = &[
        (0.42, &[]),
        (0.54, &[NoAnswer]),
        (0.63, &[NoAnswer, Spoke]),
        (0.72, &[Spoke, ComeBack]),
        (0.81, &[Spoke, Agreed]),
        (0.93, &[Agreed, StickerPlaced]),
        (0.97, &[Spoke, Declined]),
        (0.99, &[DoNotContact]),
        (1.01, &[ClosedPermanently]),
    ];
    stories.iter().find(|(p, _)| roll < *p).map(|(_, s)| s.to_vec()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RestaurantFilter;

    fn now() -> DateTime<Utc> {
        "2026-11-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn same_seed_same_data_and_every_status_appears() {
        let mut a = Store::open_in_memory().unwrap();
        let mut b = Store::open_in_memory().unwrap();
        let sa = seed(&mut a, 400, 7, now()).unwrap();
        seed(&mut b, 400, 7, now()).unwrap();
        assert_eq!(sa.restaurants, 400);
        let page =
            |s: &Store| crate::api::restaurants::list(s, &RestaurantFilter::default(), 500, 0).unwrap();
        assert_eq!(page(&a), page(&b));
        let counts = crate::api::restaurants::status_counts(&a, &RestaurantFilter::default()).unwrap();
        for c in &counts {
            assert!(c.count > 0, "no demo restaurant is {:?}", c.status);
        }
        assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), 400);
    }

    #[test]
    fn refuses_a_database_with_restaurants() {
        let mut s = Store::open_in_memory().unwrap();
        seed(&mut s, 3, 1, now()).unwrap();
        assert!(matches!(
            seed(&mut s, 3, 1, now()),
            Err(ApiError::Refused(Refusal::DemoNeedsEmptyDatabase { restaurants: 3 }))
        ));
    }
}

#[cfg(test)]
mod first_run_tests {
    //! The window's first run (`api::first_run`), here because it needs the demo set.
    use crate::api::first_run::*;
    use crate::store::{restaurants, Store};
    use chrono::Utc;

    #[test]
    fn the_choice_then_the_campaign_and_the_demo_apart() {
        let dir = tempfile::tempdir().expect("dir");
        let real_path = dir.path().join("tablemap.sqlite");
        let mut real = Store::open(&real_path).expect("store");
        let now = Utc::now();
        assert_eq!(
            status(&real, false).expect("status"),
            FirstRun { choose: true, demo: false, old_demo: 0 }
        );

        let demo = crate::demo::open_beside(&real_path, now).expect("demo");
        assert_eq!(restaurants::count(demo.conn()).expect("count"), 60);
        assert_eq!(restaurants::count(real.conn()).expect("count"), 0, "nothing fake in the real database");
        assert!(!status(&real, true).expect("status").choose, "no question while looking at the demo");
        drop(demo);
        // Opened again, the demo database is not seeded twice.
        assert_eq!(
            restaurants::count(crate::demo::open_beside(&real_path, now).expect("again").conn())
                .expect("count"),
            60
        );

        assert!(start(&mut real, "Migrants Contribute", "not a web address", now).is_err());
        start(&mut real, "Migrants Contribute", "https://migrantscontribute.example/s", now).expect("start");
        assert_eq!(
            status(&real, false).expect("status"),
            FirstRun { choose: false, demo: false, old_demo: 0 }
        );
        assert_eq!(crate::api::stickers::campaign(&real).expect("campaign").name, "Migrants Contribute");
    }

    #[test]
    fn an_old_demo_set_is_offered_for_removal_once() {
        let mut store = Store::open_in_memory().expect("store");
        let now = Utc::now();
        crate::demo::seed(&mut store, 10, 1, now).expect("demo");
        assert_eq!(status(&store, false).expect("status").old_demo, 0, "a demo set asked for is not offered");
        // As an older Tablemap left it: the same rows, without the mark.
        store.conn().execute("DELETE FROM settings WHERE key = ?1", [OFFER_ANSWERED]).expect("older");
        assert_eq!(status(&store, false).expect("status").old_demo, 10);
        let removed = crate::demo::answer_old_offer(&mut store, true, now).expect("remove");
        assert_eq!(removed.restaurants, 10);
        assert_eq!(status(&store, false).expect("status").old_demo, 0);
    }
}
