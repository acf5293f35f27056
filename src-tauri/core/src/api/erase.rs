//! Erasing a restaurant or a volunteer (a person's right to erasure): `store::erase` does the
//! deleting; here, who may (unjoined, the person at this machine; on a team, a coordinator) and
//! whether the team must hear of it (it travels as a tombstone at the next sync).

use super::{access, Result};
use crate::domain::permissions::Action;
use crate::domain::RestaurantId;
use crate::store::erase::{self, Erased};
use crate::store::{outbox, Store};
use chrono::{DateTime, Utc};

/// Erases restaurant `id` and everything recorded about it.
pub fn restaurant(store: &mut Store, id: &RestaurantId, now: DateTime<Utc>) -> Result<Erased> {
    let me = access::me(store.conn())?;
    me.require(Action::Erase)?;
    let joined = outbox::state(store.conn(), "team")?.is_some();
    let by = me.volunteer_id.map(|v| v.0);
    Ok(store.write(|tx| erase::restaurant(tx, id, by.as_deref(), now, joined))?)
}

/// Erases the name and contact of the volunteer `id_or_name`; their visits stay, attributed to
/// the name answered ("Former volunteer 7F3K").
pub fn volunteer(store: &mut Store, id_or_name: &str, now: DateTime<Utc>) -> Result<String> {
    let me = access::me(store.conn())?;
    me.require(Action::Erase)?;
    let who = super::volunteers::find(store, id_or_name)?;
    let joined = outbox::state(store.conn(), "team")?.is_some();
    let by = me.volunteer_id.map(|v| v.0);
    Ok(store.write(|tx| erase::volunteer(tx, &who.id, by.as_deref(), now, joined))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;

    #[test]
    fn unjoined_the_person_erases_and_nothing_waits_for_a_team() {
        let mut store = Store::open_in_memory().expect("store");
        let now = Utc::now();
        let (r, _) = crate::api::fixtures::zaza_and_amina(&mut store, now);
        assert_eq!(restaurant(&mut store, &r, now).expect("erase"), Erased::default());
        assert!(matches!(restaurant(&mut store, &r, now), Err(ApiError::NotFound { .. })));
        let name = volunteer(&mut store, "amina", now).expect("erase");
        assert!(name.starts_with("Former volunteer "), "{name}");
        assert_eq!(erase::unsent(store.conn()).expect("read"), []);
    }
}
