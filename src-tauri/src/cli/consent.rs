//! `tablemap consent`: record an owner's own answer (to display a sticker, to be listed publicly,
//! whether they describe the business as migrant-owned), and show the answers that stand.

use super::{print_table, CliError, Format};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use tablemap_core::api;
use tablemap_core::domain::{ConsentAnswer, ConsentKind, ConsentRecord, NewConsent, RestaurantId};
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Record what the owner said, in their own words: never a guess. Joined to a team, it is
    /// recorded as you unless you are a coordinator typing it in for someone: leave out --volunteer.
    Record {
        #[arg(long)]
        restaurant: String,
        /// display_sticker, listed_publicly or self_identifies_migrant_owned.
        #[arg(long, value_parser = parse_kind)]
        kind: ConsentKind,
        /// yes, no or unknown (a withdrawn answer is a new "no").
        #[arg(long, value_parser = parse_answer)]
        answer: ConsentAnswer,
        /// Who asked (a name or id); on a team, yourself when left out.
        #[arg(long)]
        volunteer: Option<String>,
    },
    /// The answers that stand for one restaurant: each kind's latest, who recorded it and when.
    Show {
        id: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

fn parse_kind(s: &str) -> Result<ConsentKind, String> {
    s.parse()
}

fn parse_answer(s: &str) -> Result<ConsentAnswer, String> {
    s.parse()
}

pub(super) fn run(store: &mut Store, command: ConsentCommand, now: DateTime<Utc>) -> Result<(), CliError> {
    match command {
        ConsentCommand::Record { restaurant, kind, answer, volunteer } => {
            let recorded_by = match volunteer {
                Some(who) => api::volunteers::find(store, &who)?.id,
                None => api::access::me(store.conn())?.volunteer_id.ok_or_else(|| {
                    CliError::Usage("--volunteer NAME is needed: who asked the owner?".into())
                })?,
            };
            let consent = NewConsent {
                restaurant_id: RestaurantId::from(restaurant.as_str()),
                kind,
                answer,
                recorded_by,
            };
            let d = api::visits::record_consent(store, consent, now)?;
            println!("{}: {} = {}", d.restaurant.name, kind.as_str(), answer.as_str());
            Ok(())
        }
        ConsentCommand::Show { id, format } => {
            let d = api::restaurants::detail(store, &RestaurantId::from(id.as_str()))?;
            let c = &d.consents;
            let standing: Vec<(ConsentKind, Option<&ConsentRecord>)> = vec![
                (ConsentKind::DisplaySticker, c.display_sticker.as_ref()),
                (ConsentKind::ListedPublicly, c.listed_publicly.as_ref()),
                (ConsentKind::SelfIdentifiesMigrantOwned, c.self_identifies_migrant_owned.as_ref()),
            ];
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(c)?),
                Format::Table => {
                    let rows: Vec<[String; 4]> = standing
                        .iter()
                        .map(|(kind, r)| match r {
                            Some(r) => [
                                kind.as_str().to_string(),
                                r.answer.as_str().to_string(),
                                r.recorded_by_name.clone(),
                                r.recorded_at.format("%Y-%m-%d %H:%M").to_string(),
                            ],
                            None => [kind.as_str().to_string(), "not asked".into(), "-".into(), "-".into()],
                        })
                        .collect();
                    print_table(&["KIND", "ANSWER", "RECORDED BY", "WHEN"], &rows);
                }
            }
            Ok(())
        }
    }
}
