//! Who may do what on a team: one table of role x action. The API layer checks it before
//! anything is written or queued (so the window and the CLI refuse alike, in the same words),
//! the window shows only what the role allows, and an integration test runs every row against
//! the team server's grants and row-level security, so the two cannot drift.
//!
//! Unjoined, a single user is the coordinator of their own file.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A person's role on the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Volunteer,
    Organiser,
    Coordinator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Volunteer, Role::Organiser, Role::Coordinator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Organiser => "organiser",
            Role::Coordinator => "coordinator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// "a volunteer", "an organiser", "a coordinator".
    pub fn with_article(self) -> &'static str {
        match self {
            Role::Volunteer => "a volunteer",
            Role::Organiser => "an organiser",
            Role::Coordinator => "a coordinator",
        }
    }
}

/// Something a person does that the team must agree they may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Action {
    /// Log a visit, a consent answer or a sticker placed, as oneself (and correct one's own visit).
    LogOwnVisits,
    /// Log for someone else (typing in a paper sheet).
    LogForOthers,
    /// Lift a "do not contact" (a visit with the outcome `reopened`).
    Reopen,
    /// Correct a visit someone else logged.
    CorrectOthersVisits,
    /// Propose a restaurant one found, and edit one's own proposal until it is decided.
    ProposeRestaurants,
    /// Add, edit or import restaurants (by hand, CSV, OpenStreetMap, geocoding).
    EditRestaurants,
    /// Confirm or reject a volunteer's proposed restaurant.
    DecideProposals,
    /// Print sticker batches and hand stickers out.
    PrintStickers,
    /// Make, import or change label templates.
    ManageTemplates,
    /// Change the campaign's words, sticker address and logo.
    EditCampaign,
    /// Draw, import, rename or delete areas.
    DrawAreas,
    /// Claim an area for oneself, release one's own claim, write notes on areas.
    ClaimAreas,
    /// Assign an area to someone else, or take one over from its holder.
    AssignAreas,
    /// Add people to the local list of volunteers (on a team, people come from `server add-user`).
    AddVolunteers,
    /// Read and clear the review list of concurrent edits.
    Review,
    /// Erase a restaurant or a volunteer everywhere (a person's right to erasure).
    Erase,
    /// Choose how long the whole team keeps visit notes (on the server and every machine).
    SetTeamRetention,
}

impl Action {
    pub const ALL: [Action; 17] = [
        Action::LogOwnVisits,
        Action::LogForOthers,
        Action::Reopen,
        Action::CorrectOthersVisits,
        Action::ProposeRestaurants,
        Action::EditRestaurants,
        Action::DecideProposals,
        Action::PrintStickers,
        Action::ManageTemplates,
        Action::EditCampaign,
        Action::DrawAreas,
        Action::ClaimAreas,
        Action::AssignAreas,
        Action::AddVolunteers,
        Action::Review,
        Action::Erase,
        Action::SetTeamRetention,
    ];

    /// What it is, after "may not": "import or edit restaurants".
    pub fn in_words(self) -> &'static str {
        match self {
            Action::LogOwnVisits => "log visits",
            Action::LogForOthers => "log a visit or consent for someone else",
            Action::Reopen => "reopen a restaurant marked do not contact",
            Action::CorrectOthersVisits => "correct a visit someone else logged",
            Action::ProposeRestaurants => "propose restaurants",
            Action::EditRestaurants => "add, edit or import restaurants",
            Action::DecideProposals => "confirm or reject proposed restaurants",
            Action::PrintStickers => "print sticker batches or hand stickers out",
            Action::ManageTemplates => "change label templates",
            Action::EditCampaign => "change the campaign's words, sticker address or logo",
            Action::DrawAreas => "draw, import, rename or delete areas",
            Action::ClaimAreas => "claim areas",
            Action::AssignAreas => "assign an area to someone else, take it over or end their claim",
            Action::AddVolunteers => "add volunteers (on a team, whoever runs the server adds people)",
            Action::Review => "see or clear the review list",
            Action::Erase => "erase a restaurant or a volunteer",
            Action::SetTeamRetention => "choose how long the team keeps visit notes",
        }
    }
}

/// The table: for each action, whether a volunteer, an organiser, a coordinator may.
const TABLE: [(Action, [bool; 3]); 17] = [
    //                              volunteer organiser coordinator
    (Action::LogOwnVisits, [true, true, true]),
    (Action::LogForOthers, [false, false, true]),
    (Action::Reopen, [false, false, true]),
    (Action::CorrectOthersVisits, [false, false, true]),
    (Action::ProposeRestaurants, [true, true, true]),
    (Action::EditRestaurants, [false, true, true]),
    (Action::DecideProposals, [false, true, true]),
    (Action::PrintStickers, [false, true, true]),
    (Action::ManageTemplates, [false, true, true]),
    (Action::EditCampaign, [false, true, true]),
    (Action::DrawAreas, [false, false, true]),
    (Action::ClaimAreas, [true, true, true]),
    (Action::AssignAreas, [false, false, true]),
    (Action::AddVolunteers, [false, false, true]),
    (Action::Review, [false, false, true]),
    (Action::Erase, [false, false, true]),
    (Action::SetTeamRetention, [false, false, true]),
];

pub fn allows(role: Role, action: Action) -> bool {
    let column = match role {
        Role::Volunteer => 0,
        Role::Organiser => 1,
        Role::Coordinator => 2,
    };
    TABLE.iter().find(|(a, _)| *a == action).is_some_and(|(_, may)| may[column])
}

/// Everything `role` may do, in the table's order (the window shows only these).
pub fn allowed(role: Role) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| allows(role, *a)).collect()
}

/// The roles that may do `action`, in words: "an organiser or a coordinator".
pub fn who_may(action: Action) -> String {
    let roles: Vec<&str> =
        Role::ALL.into_iter().filter(|r| allows(*r, action)).map(Role::with_article).collect();
    roles.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_in_the_table_once_and_a_coordinator_may_do_everything() {
        for action in Action::ALL {
            assert_eq!(TABLE.iter().filter(|(a, _)| *a == action).count(), 1, "{action:?}");
            assert!(allows(Role::Coordinator, action), "{action:?}");
        }
        // An organiser may do all a volunteer may, a coordinator all an organiser may.
        for action in Action::ALL {
            assert!(!allows(Role::Volunteer, action) || allows(Role::Organiser, action), "{action:?}");
        }
    }

    #[test]
    fn roles_in_words() {
        let cases = [
            (Action::EditRestaurants, "an organiser or a coordinator"),
            (Action::Reopen, "a coordinator"),
            (Action::LogOwnVisits, "a volunteer or an organiser or a coordinator"),
        ];
        for (action, want) in cases {
            assert_eq!(who_may(action), want);
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(
            allowed(Role::Volunteer),
            [Action::LogOwnVisits, Action::ProposeRestaurants, Action::ClaimAreas]
        );
    }
}
