//! What the person at this machine may do (`domain::permissions`): their role on the team as
//! the server said at the last sync, or, unjoined, coordinator of their own file. Every API
//! function that writes what a team shares asks here first, so the window and the command line
//! refuse the same things in the same words, before anything is written or queued.

use super::{Refusal, Result};
use crate::domain::permissions::{self, Action, Role};
use crate::domain::{NewConsent, NewVisit, Outcome, Restaurant, Standing, VolunteerId};
use crate::store::{outbox, visits};
use crate::sync::TeamConnection;
use rusqlite::Connection;

/// Who is at this machine: their role, and their volunteer id on the team (None unjoined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Me {
    pub role: Role,
    pub volunteer_id: Option<VolunteerId>,
}

pub fn me(conn: &Connection) -> Result<Me> {
    let Some(json) = outbox::state(conn, "team")? else {
        return Ok(Me { role: Role::Coordinator, volunteer_id: None });
    };
    let team: TeamConnection = serde_json::from_str(&json)
        .map_err(|_| crate::store::StoreError::Corrupt { what: "sync_state.team", value: "team".into() })?;
    // A role this version does not know allows the least.
    let role = Role::parse(&team.role).unwrap_or(Role::Volunteer);
    Ok(Me { role, volunteer_id: Some(VolunteerId(team.volunteer_id)) })
}

/// Refuses `action` unless the role allows it.
pub fn require(conn: &Connection, action: Action) -> Result<()> {
    let role = me(conn)?.role;
    if permissions::allows(role, action) {
        Ok(())
    } else {
        Err(Refusal::NotForRole { role, action }.into())
    }
}

impl Me {
    /// Whether `id` is this person: their team id, or the local name they used before joining.
    pub fn is(&self, conn: &Connection, id: &VolunteerId) -> Result<bool> {
        let Some(mine) = &self.volunteer_id else { return Ok(true) };
        if mine == id {
            return Ok(true);
        }
        Ok(outbox::state(conn, &format!("alias:{}", id.as_str()))?.as_deref() == Some(mine.as_str()))
    }

    pub fn may(&self, action: Action) -> bool {
        permissions::allows(self.role, action)
    }

    pub fn require(&self, action: Action) -> Result<()> {
        if permissions::allows(self.role, action) {
            Ok(())
        } else {
            Err(Refusal::NotForRole { role: self.role, action }.into())
        }
    }
}

/// A visit: as oneself unless allowed for others; `reopened` and corrections of someone else's
/// visit as the table says.
pub fn visit(conn: &Connection, visit: &NewVisit) -> Result<()> {
    let me = me(conn)?;
    me.require(Action::LogOwnVisits)?;
    if !me.is(conn, &visit.volunteer_id)? {
        me.require(Action::LogForOthers)?;
    }
    if visit.outcome == Outcome::Reopened {
        me.require(Action::Reopen)?;
    }
    if let Some(corrected) = &visit.corrects {
        if !me.is(conn, &visits::author(conn, corrected)?)? {
            me.require(Action::CorrectOthersVisits)?;
        }
    }
    Ok(())
}

/// A consent answer: recorded as oneself unless allowed for others.
pub fn consent(conn: &Connection, consent: &NewConsent) -> Result<()> {
    let me = me(conn)?;
    me.require(Action::LogOwnVisits)?;
    if !me.is(conn, &consent.recorded_by)? {
        me.require(Action::LogForOthers)?;
    }
    Ok(())
}

/// Something done for `volunteer` (an area claimed, a note, a sticker marked): for oneself, or
/// `for_others` when for someone else.
pub fn for_volunteer(
    conn: &Connection,
    volunteer: &VolunteerId,
    own: Action,
    for_others: Action,
) -> Result<()> {
    let me = me(conn)?;
    me.require(own)?;
    if !me.is(conn, volunteer)? {
        me.require(for_others)?;
    }
    Ok(())
}

/// A restaurant added here: `None` when the person may add restaurants, or the proposer's id
/// when what they add is a proposal for an organiser to decide.
pub fn add_restaurant(conn: &Connection) -> Result<Option<VolunteerId>> {
    let me = me(conn)?;
    if me.may(Action::EditRestaurants) {
        return Ok(None);
    }
    me.require(Action::ProposeRestaurants)?;
    // Unjoined, a person is coordinator of their own file: a proposer is always on a team.
    me.volunteer_id
        .map(Some)
        .ok_or_else(|| Refusal::NotForRole { role: me.role, action: Action::EditRestaurants }.into())
}

/// Editing `restaurant`: for those who may edit restaurants, or the proposer of an undecided
/// proposal.
pub fn edit_restaurant(conn: &Connection, restaurant: &Restaurant) -> Result<()> {
    let me = me(conn)?;
    if me.may(Action::EditRestaurants) {
        return Ok(());
    }
    let own_open = restaurant.standing == Standing::Proposed
        && match &restaurant.proposed_by {
            Some(by) => me.is(conn, by)?,
            None => false,
        };
    if own_open {
        me.require(Action::ProposeRestaurants)
    } else {
        me.require(Action::EditRestaurants)
    }
}
