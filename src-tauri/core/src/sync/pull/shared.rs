//! The campaign's shared settings and the coordinators' review list, as pulled.

use crate::store::{outbox, retention, settings};
use crate::sync::Result;
use postgres::Row;
use rusqlite::{params, Connection};

/// The settings the team shares (`campaign_settings` keys).
pub const SHARED_SETTINGS: [&str; 2] = ["campaign", retention::TEAM_KEY];

/// Takes each shared setting newer than the one here, if it passes the settings form's checks
/// (else it is held with the reason). Rows are (key, value, hlc).
pub(super) fn apply_settings(db: &Connection, rows: &[Row]) -> Result<()> {
    for s in rows {
        let (Ok(key), Ok(value), Ok(hlc)) =
            (s.try_get::<_, String>(0), s.try_get::<_, String>(1), s.try_get::<_, String>(2))
        else {
            continue;
        };
        // Only the campaign's own words travel; this machine's settings (tile server, service
        // addresses, language) are nobody else's to change.
        if !SHARED_SETTINGS.contains(&key.as_str()) {
            continue;
        }
        let mark = format!("setting_hlc:{key}");
        if outbox::state(db, &mark)?.is_some_and(|mine| hlc <= mine) {
            continue;
        }
        // The campaign's words meet the checks the settings form applies (an https address for
        // the stickers, names within their limits); else they are kept aside.
        let checked =
            if key == retention::TEAM_KEY { team_notes_checked(&value) } else { campaign_checked(&value) };
        let value = match checked {
            Ok(v) => v,
            Err(reason) => {
                db.prepare_cached(
                    "INSERT OR REPLACE INTO sync_parked (kind, id, body, reason) VALUES ('setting', ?1, ?2, ?3)",
                )?
                .execute(params![key, value, reason])?;
                continue;
            }
        };
        db.prepare_cached("DELETE FROM sync_parked WHERE kind = 'setting' AND id = ?1")?.execute([&key])?;
        settings::set(db, &key, &value)?;
        outbox::set_state(db, &mark, &hlc)?;
    }
    Ok(())
}

/// Stores the pulled scan counts (the server's count for a code and day replaces this one);
/// answers how many. A row that is not a code, a day and a count is left out.
pub(super) fn apply_scans(db: &Connection, rows: &[Row]) -> Result<usize> {
    let mut stmt = db.prepare_cached(
        "INSERT INTO scans (code, day, count) VALUES (?1, ?2, ?3) \
         ON CONFLICT (code, day) DO UPDATE SET count = excluded.count WHERE count != excluded.count",
    )?;
    let mut n = 0;
    for r in rows {
        let (Ok(code), Ok(day), Ok(count)) =
            (r.try_get::<_, String>(0), r.try_get::<_, String>(1), r.try_get::<_, i64>(2))
        else {
            continue;
        };
        let code_ok = crate::domain::sticker_code::normalise(&code).is_some_and(|c| c == code);
        if !code_ok || day.parse::<chrono::NaiveDate>().is_err() || count < 0 {
            continue;
        }
        n += stmt.execute(params![code, day, count])?;
    }
    Ok(n)
}

/// Stores the pulled reviews; answers how many.
pub(super) fn apply_reviews(db: &Connection, rows: &[Row]) -> Result<usize> {
    let mut n = 0;
    for r in rows {
        let text = |i: usize| r.try_get::<_, String>(i).ok();
        let maybe = |i: usize| r.try_get::<_, Option<String>>(i).ok().flatten();
        let (Some(id), Some(restaurant), Some(field)) = (text(0), text(1), text(2)) else { continue };
        n += db
            .prepare_cached(
                "INSERT OR REPLACE INTO sync_reviews (id, restaurant_id, field, kept_value, kept_hlc, other_value, \
                 other_hlc, cleared_at, cleared_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![id, restaurant, field, text(3), text(4), text(5), text(6), maybe(7), maybe(8)])?;
    }
    Ok(n)
}

/// The pulled campaign setting as the settings form would save it, or why not.
/// How long the team keeps notes: months from 1 to 120, or none (the server checks the same).
fn team_notes_checked(value: &str) -> std::result::Result<String, String> {
    match retention::parse_team_notes(value) {
        Some(months) => Ok(retention::team_notes_value(months).to_string()),
        None => Err("how long the team keeps visit notes is not a number of months from 1 to 120".into()),
    }
}

fn campaign_checked(value: &str) -> std::result::Result<String, String> {
    let campaign: crate::stickers::campaign::Campaign =
        serde_json::from_str(value).map_err(|e| format!("the campaign's settings cannot be read ({e})"))?;
    let campaign = campaign.validate().map_err(|e| format!("the campaign's {}", e))?;
    serde_json::to_string(&campaign).map_err(|e| e.to_string())
}
