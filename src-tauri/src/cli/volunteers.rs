//! `tablemap volunteers list`. Volunteers are added by the visits they log (`visits add`).

use super::{print_table, CliError, Format};
use clap::Subcommand;
use tablemap_core::api;
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum VolunteersCommand {
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

pub(super) fn run(store: &Store, command: VolunteersCommand) -> Result<(), CliError> {
    let VolunteersCommand::List { format } = command;
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
