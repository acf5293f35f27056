//! Sticker codes by the state they were in at the end of the period, per batch and in all: the
//! latest event of each code before the end is its state.

use super::super::Result;
use super::period::Bounds;
use super::{BatchStock, StickerCounts, Stickers};
use crate::store::codec::parse_time;
use rusqlite::Connection;

impl StickerCounts {
    fn add(&mut self, state: &str, n: u32) {
        match state {
            "printed" => self.printed += n,
            "with_volunteer" => self.with_volunteer += n,
            "placed" => self.placed += n,
            "missing" => self.missing += n,
            _ => self.replaced += n,
        }
    }

    fn plus(&mut self, o: &StickerCounts) {
        self.printed += o.printed;
        self.with_volunteer += o.with_volunteer;
        self.placed += o.placed;
        self.missing += o.missing;
        self.replaced += o.replaced;
    }
}

pub fn stickers(conn: &Connection, b: &Bounds) -> Result<Stickers> {
    let mut batches: Vec<BatchStock> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, created_at, template_name, count FROM print_batches WHERE created_at < ?1 ORDER BY created_at, id",
    )?;
    let mut rows = stmt.query([&b.end])?;
    while let Some(r) = rows.next()? {
        batches.push(BatchStock {
            id: r.get(0)?,
            printed_at: parse_time("print_batches.created_at", &r.get::<_, String>(1)?)?,
            template_name: r.get(2)?,
            stickers: r.get(3)?,
            counts: StickerCounts::default(),
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT c.batch_id, ( \
           SELECT e.state FROM sticker_events e WHERE e.code = c.code AND e.at < ?1 \
           ORDER BY e.at DESC, e.id DESC LIMIT 1) AS state, count(*) \
         FROM sticker_codes c GROUP BY c.batch_id, state",
    )?;
    let mut rows = stmt.query([&b.end])?;
    while let Some(r) = rows.next()? {
        let (batch, state): (String, Option<String>) = (r.get(0)?, r.get(1)?);
        if let (Some(found), Some(state)) = (batches.iter_mut().find(|x| x.id == batch), state) {
            found.counts.add(&state, r.get::<_, i64>(2)? as u32);
        }
    }
    let mut all = StickerCounts::default();
    for x in &batches {
        all.plus(&x.counts);
    }
    Ok(Stickers { all, batches })
}
