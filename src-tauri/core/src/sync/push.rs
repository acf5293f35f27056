//! Pushing the outbox: oldest first, in batches, each batch one server transaction. Every write
//! is idempotent (events `ON CONFLICT DO NOTHING`, fields through `put_field`, settings only
//! when newer), so a batch the server committed but this machine never heard about is simply
//! pushed again. An entry the server refuses (a permission, a missing restaurant) is set aside
//! with the reason in plain words; the rest go on.

use super::Result;
use crate::store::erase;
use crate::store::outbox::{self, Entry};
use crate::store::Store;
use postgres::error::SqlState;
use postgres::{Client, Statement, Transaction};
use serde_json::Value;

pub const BATCH: usize = 2_000;

/// What a push did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pushed {
    pub sent: usize,
    /// Entries refused by the server now, each as a sentence.
    pub refused: Vec<String>,
}

/// Pushes up to `limit` entries (all when `None`).
pub fn push(store: &mut Store, client: &mut Client, limit: Option<usize>) -> Result<Pushed> {
    push_with(store, client, limit, &mut |_| {})
}

/// `push`, telling `progress` after each batch how many of the waiting changes have gone
/// (`Step::Sent`; refused ones count as gone).
pub fn push_with(
    store: &mut Store,
    client: &mut Client,
    limit: Option<usize>,
    progress: &mut dyn FnMut(super::Step),
) -> Result<Pushed> {
    let mut done = Pushed::default();
    // Erasures first: a coordinator's erasure goes before anything else this machine sends.
    done.refused.extend(push_erasures(store, client)?);
    let waiting = outbox::counts(store.conn())?.0 as usize;
    let total = limit.map_or(waiting, |l| l.min(waiting));
    loop {
        let room = limit.map_or(BATCH, |l| l.saturating_sub(done.sent + done.refused.len()).min(BATCH));
        if room == 0 {
            break;
        }
        let entries = outbox::pending(store.conn(), room)?;
        if entries.is_empty() {
            break;
        }
        let refused = push_batch(client, &entries)?;
        store.write(|tx| -> Result<()> {
            let ok: Vec<i64> =
                entries.iter().map(|e| e.seq).filter(|s| !refused.iter().any(|(r, _)| r == s)).collect();
            outbox::remove(tx, &ok)?;
            for (seq, reason) in &refused {
                outbox::refuse(tx, *seq, reason)?;
            }
            Ok(())
        })?;
        done.sent += entries.len() - refused.len();
        done.refused.extend(refused.into_iter().map(|(_, r)| r));
        progress(super::Step::Sent { done: done.sent + done.refused.len(), total });
    }
    Ok(done)
}

/// Has the server blank the notes older than the team's choice (a coordinator's), which every
/// sync does; answers how many it blanked. A server older than schema 11 has no such choice.
pub fn apply_note_retention(client: &mut Client, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
    let at = crate::store::codec_text_time(now);
    match client.query_one("SELECT tablemap.apply_note_retention($1)", &[&at]) {
        Ok(row) => Ok(row.try_get::<_, i64>(0)?.max(0) as u64),
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_FUNCTION) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Sends the erasures made here that the server has not had, each in its own transaction;
/// answers the refused ones as sentences (they stay here, marked, and are not sent again).
fn push_erasures(store: &mut Store, client: &mut Client) -> Result<Vec<String>> {
    let mut refused = Vec::new();
    for e in erase::unsent(store.conn())? {
        let mut tx = client.transaction()?;
        let sent = tx.execute("SELECT tablemap.erase($1, $2, $3)", &[&e.kind, &e.id, &e.erased_at]);
        let why = match sent {
            Ok(_) => {
                tx.commit()?;
                None
            }
            Err(err) => match refusal(&err) {
                Some(code) => {
                    let why = if code == SqlState::INSUFFICIENT_PRIVILEGE {
                        "only a coordinator may erase".to_string()
                    } else {
                        err.as_db_error().map_or_else(|| err.to_string(), |d| d.message().to_string())
                    };
                    Some(format!("The team server refused the erasure of {} {}: {why}.", e.kind, e.id))
                }
                None => return Err(err.into()),
            },
        };
        store.write(|db| erase::mark_sent(db, &e.id, why.as_deref()))?;
        refused.extend(why);
    }
    Ok(refused)
}

/// Sends one batch in one transaction; answers the refused entries (seq, sentence). A batch
/// goes as one statement per kind where it can (`send_bulk`); a batch with a refusal is sent
/// again entry by entry, each in a savepoint, to keep the rest.
fn push_batch(client: &mut Client, entries: &[Entry]) -> Result<Vec<(i64, String)>> {
    {
        let mut tx = client.transaction()?;
        match send_bulk(&mut tx, entries) {
            Ok(()) => {
                tx.commit()?;
                return Ok(Vec::new());
            }
            Err(err) if refusal(&err).is_some() => {}
            Err(err) => return Err(err.into()),
        }
        // Dropping `tx` rolls the batch back.
    }
    let mut tx = client.transaction()?;
    let statements = Statements::prepare(&mut tx)?;
    let mut refused = Vec::new();
    for e in entries {
        let mut sp = tx.transaction()?;
        match send(&mut sp, &statements, e) {
            Ok(()) => sp.commit()?,
            Err(err) => match refusal(&err) {
                Some(code) => {
                    drop(sp);
                    refused.push((e.seq, explain(e, code, &err)));
                }
                None => return Err(err.into()),
            },
        }
    }
    tx.commit()?;
    Ok(refused)
}

/// The kinds in the order a batch sends them: every row after the rows it refers to. Within a
/// kind, entries keep their order (a field edited twice in one batch).
const ORDER: [&str; 13] = [
    "volunteer",
    "restaurant",
    "field",
    "visit",
    "consent",
    "campaign_setting",
    "template",
    "print_batch",
    "sticker_event",
    "area",
    "area_claim",
    "area_note",
    "review_cleared",
];

/// One statement for all the entries of a kind, fed a JSON array of their payloads.
fn bulk_sql(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "restaurant" => {
            "INSERT INTO tablemap.restaurants (id, source, external_ref, created_at, proposed) \
             SELECT id, source, external_ref, created_at, coalesce(proposed, false) FROM jsonb_to_recordset($1::text::jsonb) \
             AS r(id text, source text, external_ref text, created_at text, proposed boolean) ON CONFLICT (id) DO NOTHING"
        }
        "field" => "SELECT tablemap.put_fields($1::text::jsonb)",
        "visit" => {
            "INSERT INTO tablemap.visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, \
             stickers_left, note, follow_up_on, corrects, hlc) \
             SELECT id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, coalesce(stickers_left, 0), \
             note, follow_up_on, corrects, hlc FROM jsonb_to_recordset($1::text::jsonb) AS v(id text, restaurant_id text, \
             volunteer_id text, visited_at text, recorded_at text, outcome text, stickers_left integer, note text, \
             follow_up_on text, corrects text, hlc text) ON CONFLICT (id) DO NOTHING"
        }
        "consent" => {
            "INSERT INTO tablemap.consent_records (id, restaurant_id, kind, answer, recorded_by, recorded_at, hlc) \
             SELECT id, restaurant_id, kind, answer, recorded_by, recorded_at, hlc FROM jsonb_to_recordset($1::text::jsonb) \
             AS c(id text, restaurant_id text, kind text, answer text, recorded_by text, recorded_at text, hlc text) \
             ON CONFLICT (id) DO NOTHING"
        }
        "sticker_event" => {
            "INSERT INTO tablemap.sticker_events (id, code, state, restaurant_id, volunteer_id, visit_id, at, hlc) \
             SELECT id, code, state, restaurant_id, volunteer_id, visit_id, at, hlc FROM jsonb_to_recordset($1::text::jsonb) \
             AS e(id text, code text, state text, restaurant_id text, volunteer_id text, visit_id text, at text, hlc text) \
             ON CONFLICT (id) DO NOTHING"
        }
        _ => return None,
    })
}

/// Sends a batch kind by kind: the common kinds as one statement each, the rare ones entry by
/// entry. Kinds this version does not know (written by a newer Tablemap) are left out.
fn send_bulk(tx: &mut Transaction<'_>, entries: &[Entry]) -> std::result::Result<(), postgres::Error> {
    let mut statements = None;
    for kind in ORDER {
        let group: Vec<&Entry> = entries.iter().filter(|e| e.kind == kind).collect();
        if group.is_empty() {
            continue;
        }
        if let Some(sql) = bulk_sql(kind) {
            let texts: Vec<&str> = group.iter().map(|e| e.text.as_str()).collect();
            tx.execute(sql, &[&format!("[{}]", texts.join(","))])?;
            continue;
        }
        if statements.is_none() {
            statements = Some(Statements::prepare(tx)?);
        }
        if let Some(s) = &statements {
            for e in group {
                send(tx, s, e)?;
            }
        }
    }
    Ok(())
}

struct Statements {
    volunteer: Statement,
    restaurant: Statement,
    field: Statement,
    visit: Statement,
    consent: Statement,
    setting: Statement,
    batch: Statement,
    sticker: Statement,
    document: Statement,
    claim: Statement,
    note: Statement,
    cleared: Statement,
}

impl Statements {
    fn prepare(tx: &mut Transaction<'_>) -> std::result::Result<Self, postgres::Error> {
        Ok(Statements {
            volunteer: tx.prepare(
                "INSERT INTO tablemap.volunteers (id, display_name, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO NOTHING",
            )?,
            restaurant: tx.prepare(
                "INSERT INTO tablemap.restaurants (id, source, external_ref, created_at, proposed) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            )?,
            field: tx.prepare("SELECT tablemap.put_field($1, $2, $3, $4, $5)")?,
            visit: tx.prepare(
                "INSERT INTO tablemap.visits (id, restaurant_id, volunteer_id, visited_at, recorded_at, outcome, \
                 stickers_left, note, follow_up_on, corrects, hlc) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
            )?,
            consent: tx.prepare(
                "INSERT INTO tablemap.consent_records (id, restaurant_id, kind, answer, recorded_by, recorded_at, hlc) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
            )?,
            setting: tx.prepare(
                "INSERT INTO tablemap.campaign_settings (key, value, hlc) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, \
                 txid = pg_current_xact_id() WHERE excluded.hlc > tablemap.campaign_settings.hlc",
            )?,
            batch: tx.prepare(
                "INSERT INTO tablemap.print_batches (id, body) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            )?,
            sticker: tx.prepare(
                "INSERT INTO tablemap.sticker_events (id, code, state, restaurant_id, volunteer_id, visit_id, at, hlc) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
            )?,
            document: tx.prepare("SELECT tablemap.put_document($1, $2, $3, $4)")?,
            claim: tx.prepare(
                "INSERT INTO tablemap.area_claims (id, area_id, volunteer_id, body, hlc) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (id) DO NOTHING",
            )?,
            note: tx.prepare(
                "INSERT INTO tablemap.area_notes (id, area_id, volunteer_id, body) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )?,
            cleared: tx.prepare(
                "UPDATE tablemap.reviews SET cleared_by = $2, cleared_at = $3 WHERE id = $1 AND cleared_at IS NULL",
            )?,
        })
    }
}

fn text(p: &Value, key: &str) -> Option<String> {
    p.get(key).and_then(Value::as_str).map(str::to_string)
}

fn send<C: postgres::GenericClient>(
    c: &mut C,
    s: &Statements,
    e: &Entry,
) -> std::result::Result<(), postgres::Error> {
    let payload = e.payload();
    let p = &payload;
    let t = |k: &str| text(p, k);
    match e.kind.as_str() {
        "volunteer" => c.execute(&s.volunteer, &[&t("id"), &t("display_name"), &t("created_at")]),
        "restaurant" => {
            let proposed = p.get("proposed").and_then(Value::as_bool).unwrap_or(false);
            c.execute(
                &s.restaurant,
                &[&t("id"), &t("source"), &t("external_ref"), &t("created_at"), &proposed],
            )
        }
        "field" => {
            let value = p.get("value").cloned().unwrap_or(Value::Null);
            c.execute(&s.field, &[&t("restaurant_id"), &t("field"), &value, &t("hlc"), &t("base_hlc")])
        }
        "visit" => {
            let stickers = p.get("stickers_left").and_then(Value::as_i64).unwrap_or(0) as i32;
            c.execute(
                &s.visit,
                &[
                    &t("id"),
                    &t("restaurant_id"),
                    &t("volunteer_id"),
                    &t("visited_at"),
                    &t("recorded_at"),
                    &t("outcome"),
                    &stickers,
                    &t("note"),
                    &t("follow_up_on"),
                    &t("corrects"),
                    &t("hlc"),
                ],
            )
        }
        "consent" => c.execute(
            &s.consent,
            &[
                &t("id"),
                &t("restaurant_id"),
                &t("kind"),
                &t("answer"),
                &t("recorded_by"),
                &t("recorded_at"),
                &t("hlc"),
            ],
        ),
        "campaign_setting" => {
            let value = p.get("value").cloned().unwrap_or(Value::Null);
            c.execute(&s.setting, &[&t("key"), &value, &t("hlc")])
        }
        "print_batch" => c.execute(&s.batch, &[&t("id"), p]),
        "sticker_event" => c.execute(
            &s.sticker,
            &[
                &t("id"),
                &t("code"),
                &t("state"),
                &t("restaurant_id"),
                &t("volunteer_id"),
                &t("visit_id"),
                &t("at"),
                &t("hlc"),
            ],
        ),
        "template" => c.execute(&s.document, &[&"templates", &t("id"), p, &t("hlc")]),
        "area" => c.execute(&s.document, &[&"areas", &t("id"), p, &t("hlc")]),
        "area_claim" => c.execute(&s.claim, &[&t("id"), &t("area_id"), &t("volunteer_id"), p, &t("hlc")]),
        "area_note" => c.execute(&s.note, &[&t("id"), &t("area_id"), &t("volunteer_id"), p]),
        "review_cleared" => c.execute(&s.cleared, &[&t("id"), &t("cleared_by"), &t("cleared_at")]),
        // Written by a newer Tablemap: leave it for that version.
        _ => Ok(0),
    }
    .map(|_| ())
}

/// The server said no to this entry (rather than the connection failing): the SQLSTATE.
fn refusal(e: &postgres::Error) -> Option<SqlState> {
    let code = e.as_db_error()?.code().clone();
    if super::schema_too_old(&code) {
        // Not this change's fault: the server lacks a table or function; the sync stops and
        // says to run `server init`, and the change is sent again afterwards.
        return None;
    }
    let class = code.code().get(..2).unwrap_or_default();
    // 42: no privilege or policy; 23: a constraint (a missing restaurant); 22: a bad value.
    matches!(class, "42" | "23" | "22").then_some(code)
}

/// The refusal in words a volunteer can act on.
fn explain(e: &Entry, code: SqlState, err: &postgres::Error) -> String {
    let what = match e.kind.as_str() {
        "visit" => format!("the visit {}", e.entity_id),
        "consent" => format!("the consent record {}", e.entity_id),
        "volunteer" => {
            format!("the new volunteer {}", text(&e.payload(), "display_name").unwrap_or_default())
        }
        "restaurant" | "field" => format!("the change to restaurant {}", e.entity_id),
        "campaign_setting" => "the change to the campaign settings".to_string(),
        "print_batch" => format!("the print batch {}", e.entity_id),
        "sticker_event" => format!("the sticker change {}", e.entity_id),
        "template" => format!("the label template {}", e.entity_id),
        "area" => format!("the area {}", text(&e.payload(), "name").unwrap_or_default()),
        "area_claim" => "the claim or release of an area".to_string(),
        "area_note" => "the note on an area".to_string(),
        "review_cleared" => "the clearing of a review".to_string(),
        other => format!("a change ({other})"),
    };
    let why = if code == SqlState::INSUFFICIENT_PRIVILEGE {
        match e.kind.as_str() {
            "visit" | "consent" => "you may record visits and consent only under your own name".to_string(),
            "volunteer" => "only a coordinator may add people to the team".to_string(),
            "restaurant" | "field" => {
                "only organisers and coordinators may add or edit restaurants (a volunteer \
                                        proposes them, and edits only their own proposal until it is decided)"
                    .to_string()
            }
            "campaign_setting" | "template" => {
                "only organisers and coordinators may change the campaign settings and templates".to_string()
            }
            "print_batch" => "only organisers and coordinators may print sticker batches".to_string(),
            "sticker_event" => {
                "you may record stickers only under your own name, and only organisers record printing"
                    .to_string()
            }
            "area" => "only coordinators may draw, change or delete areas".to_string(),
            "area_claim" => {
                "you may claim an area only for yourself, and release only an area you claimed".to_string()
            }
            "area_note" => "you may write notes only under your own name".to_string(),
            "review_cleared" => "only coordinators may clear reviews".to_string(),
            _ => "your role on the team does not allow it".to_string(),
        }
    } else if code == SqlState::FOREIGN_KEY_VIOLATION {
        "it refers to a restaurant or a person the team server does not have".to_string()
    } else {
        err.as_db_error().map_or_else(|| err.to_string(), |d| d.message().to_string())
    };
    format!("The team server refused {what}: {why}.")
}
