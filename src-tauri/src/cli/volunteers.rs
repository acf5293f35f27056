//! `tablemap volunteers list|erase`. Volunteers are added by the visits they log (`visits add`).

use super::{print_table, CliError, Format};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use tablemap_core::api;
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum VolunteersCommand {
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Erase a volunteer's name and contact (their visits stay, under "Former volunteer ...");
    /// on a team, on everyone's computer at their next sync (coordinators). Asks first.
    Erase {
        /// Their name or id.
        who: String,
        /// Erase without asking (for scripts).
        #[arg(long)]
        yes: bool,
    },
}

pub(super) fn run(store: &mut Store, command: VolunteersCommand, now: DateTime<Utc>) -> Result<(), CliError> {
    let format = match command {
        VolunteersCommand::List { format } => format,
        VolunteersCommand::Erase { who, yes } => {
            let v = api::volunteers::find(store, &who)?;
            let question = format!(
                "Erase {}'s name and contact? Their visits stay, under a former volunteer's name. \
                 This cannot be undone. [y/N] ",
                v.display_name
            );
            if !yes && !super::output::confirm(&question, "erase")? {
                return Ok(());
            }
            let name = api::erase::volunteer(store, v.id.as_str(), now)?;
            println!("erased {}'s name and contact; their visits now show \"{name}\"", v.display_name);
            return Ok(());
        }
    };
    let all = api::volunteers::list(store)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&all)?),
        Format::Table => {
            let rows: Vec<[String; 2]> =
                all.iter().map(|v| [v.id.to_string(), v.display_name.clone()]).collect();
            print_table(&["ID", "NAME"], &rows);
        }
    }
    Ok(())
}
