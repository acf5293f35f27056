//! Reading the pull's window from the server: one REPEATABLE READ, read-only transaction, so
//! every kind is read from the same snapshot.

use crate::domain::merge::FieldVersion;
use crate::sync::Result;
use postgres::{Client, Row};

/// A restaurant field as the server has it.
pub(super) struct FieldRow {
    pub restaurant_id: String,
    pub field: String,
    pub version: FieldVersion,
}

/// Everything between the cursor and `high`, as the server gave it.
pub(super) struct Window {
    /// The new cursor: every transaction below it has finished.
    pub high: String,
    /// Everyone on the team (a short list): a row may name someone added before the cursor.
    pub people: Vec<Row>,
    /// (id, source, external_ref, created_at, proposed, created_by) of each restaurant the
    /// window touches.
    pub restaurants: Vec<Row>,
    pub fields: Vec<FieldRow>,
    /// Each kind of row with its rows as the local row's JSON text.
    pub rows: Vec<(&'static str, Vec<String>)>,
    /// (key, value, hlc)
    pub settings: Vec<Row>,
    /// The review list, for coordinators (empty for everyone else).
    pub reviews: Vec<Row>,
    /// (id, kind, erased_by, erased_at) of each erasure the team made in the window.
    pub erasures: Vec<Row>,
    /// (code, day, count) of the scan counts the web service changed in the window (none from a
    /// server older than schema 12).
    pub scans: Vec<Row>,
}

/// Each kind pulled as rows, with the query that reads its window as the local row's JSON.
const ROW_QUERIES: &[(&str, &str)] = &[
    ("visit", "SELECT (to_jsonb(t) - 'txid')::text FROM tablemap.visits t WHERE {window} ORDER BY id"),
    ("consent", "SELECT (to_jsonb(t) - 'txid')::text FROM tablemap.consent_records t WHERE {window} ORDER BY id"),
    (
        "print_batch",
        "SELECT (body || jsonb_build_object('id', id))::text FROM tablemap.print_batches t WHERE {window} ORDER BY id",
    ),
    (
        "sticker_event",
        "SELECT (to_jsonb(t) - 'txid' - 'recorded_by')::text FROM tablemap.sticker_events t WHERE {window} ORDER BY id",
    ),
    (
        "template",
        "SELECT (body || jsonb_build_object('id', id, 'hlc', hlc))::text FROM tablemap.templates t WHERE {window} ORDER BY id",
    ),
    (
        "area",
        "SELECT (body || jsonb_build_object('id', id, 'hlc', hlc))::text FROM tablemap.areas t WHERE {window} ORDER BY id",
    ),
    // The columns row-level security checked stand over whatever the body says.
    (
        "area_claim",
        "SELECT (body || jsonb_build_object('id', id, 'area_id', area_id, 'volunteer_id', volunteer_id))::text \
         FROM tablemap.area_claims t WHERE {window} ORDER BY id",
    ),
    (
        "area_note",
        "SELECT (body || jsonb_build_object('id', id, 'area_id', area_id, 'volunteer_id', volunteer_id))::text \
         FROM tablemap.area_notes t WHERE {window} ORDER BY id",
    ),
];

/// Reads everything from `cursor` up to the server's oldest running transaction.
pub(super) fn window(client: &mut Client, cursor: &str) -> Result<Window> {
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let high: String =
        tx.query_one("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", &[])?.try_get(0)?;
    // A server whose transaction ids are behind the cursor was restored from a backup or
    // rebuilt: everything is read again (applying is idempotent), or nothing would come until
    // its ids caught up.
    let from = if cursor.parse::<u64>().unwrap_or(0) > high.parse::<u64>().unwrap_or(u64::MAX) {
        "0".to_string()
    } else {
        cursor.to_string()
    };
    let window = "txid >= $1::text::xid8 AND txid < $2::text::xid8";
    let args: [&(dyn postgres::types::ToSql + Sync); 2] = [&from, &high];

    let people = tx.query("SELECT id, display_name FROM tablemap.volunteers", &[])?;
    // Every field of each restaurant the window touches, not only the fields it changed: a
    // restaurant whose fields were pushed in two batches arrives whole, and a visit's restaurant
    // is always complete here.
    let touched = format!(
        "WITH touched AS (SELECT restaurant_id AS id FROM tablemap.restaurant_fields WHERE {window} \
         UNION SELECT id FROM tablemap.restaurants WHERE {window} \
         UNION SELECT restaurant_id FROM tablemap.visits WHERE {window} \
         UNION SELECT restaurant_id FROM tablemap.consent_records WHERE {window})"
    );
    let restaurants = tx.query(
        &format!(
            "{touched} SELECT r.id, r.source, r.external_ref, r.created_at, r.proposed, r.created_by \
             FROM tablemap.restaurants r \
             JOIN touched USING (id)"
        ),
        &args,
    )?;
    let fields = tx.query(
        &format!(
            "{touched} SELECT f.restaurant_id, f.field, f.value::text, f.hlc, f.base_hlc \
             FROM tablemap.restaurant_fields f JOIN touched ON touched.id = f.restaurant_id"
        ),
        &args,
    )?;
    let mut rows: Vec<(&'static str, Vec<String>)> = Vec::new();
    for (kind, sql) in ROW_QUERIES {
        let found = tx.query(&sql.replace("{window}", window), &args)?;
        // A row the server cannot give as text (NULL) is skipped, never a panic.
        rows.push((kind, found.iter().filter_map(|r| r.try_get::<_, String>(0).ok()).collect()));
    }
    let settings = tx.query(
        &format!("SELECT key, value::text, hlc FROM tablemap.campaign_settings WHERE {window}"),
        &args,
    )?;
    let coordinator: bool = tx.query_one("SELECT tablemap.is_coordinator()", &[])?.try_get(0)?;
    let reviews = if coordinator {
        tx.query(
            &format!(
                "SELECT id, restaurant_id, field, kept_value::text, kept_hlc, other_value::text, other_hlc, cleared_at, \
                 cleared_by FROM tablemap.reviews WHERE {window}"
            ),
            &args,
        )?
    } else {
        Vec::new()
    };
    let erasures = tx.query(
        &format!("SELECT id, kind, erased_by, erased_at FROM tablemap.erasures WHERE {window} ORDER BY erased_at, id"),
        &args,
    )?;
    let counted: bool = tx.query_one("SELECT to_regclass('tablemap.scans') IS NOT NULL", &[])?.try_get(0)?;
    let scans = if counted {
        tx.query(&format!("SELECT code, day::text, count FROM tablemap.scans WHERE {window}"), &args)?
    } else {
        Vec::new()
    };
    tx.commit()?;

    let fields = fields
        .iter()
        .filter_map(|r| {
            let version = FieldVersion {
                value: r.try_get(2).ok()?,
                hlc: r.try_get::<_, String>(3).ok()?.parse().ok()?,
                base: r.try_get::<_, Option<String>>(4).ok()?.and_then(|b| b.parse().ok()),
            };
            Some(FieldRow { restaurant_id: r.try_get(0).ok()?, field: r.try_get(1).ok()?, version })
        })
        .collect();
    Ok(Window { high, people, restaurants, fields, rows, settings, reviews, erasures, scans })
}
