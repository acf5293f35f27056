//! `tablemap doctor`, `backup` and `restore`: looking after the database file.

use super::CliError;
use chrono::{DateTime, Utc};
use clap::Args;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use tablemap_core::api;
use tablemap_core::store::Store;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy (a new file; one already there is replaced only once the copy is whole).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A backup made by `tablemap backup` (or the window's Back up).
    file: PathBuf,
    /// Restore without asking (for scripts).
    #[arg(long)]
    yes: bool,
    /// The backup comes from another computer: read that computer's recovery code (24 words)
    /// from standard input to open it.
    #[arg(long)]
    recovery_code: bool,
}

/// Checks the file; exits non-zero, with every problem, when anything is wrong.
pub(super) fn doctor(store: &Store) -> Result<(), CliError> {
    let checked = api::maintenance::doctor(store)?;
    if checked.findings.is_empty() {
        println!(
            "all well: {} restaurants, {} visits, {} changes waiting to be sent; integrity, foreign keys, \
             statuses and the outbox check out",
            checked.restaurants, checked.visits, checked.outbox
        );
        return Ok(());
    }
    for f in &checked.findings {
        println!("{}: {}", f.check, f.detail);
    }
    Err(CliError::Unhealthy { count: checked.findings.len() })
}

pub(super) fn backup(store: &Store, args: BackupArgs) -> Result<(), CliError> {
    let bytes = api::maintenance::backup(store, &args.out)?;
    println!("backed up to {} ({} KiB)", args.out.display(), bytes.div_ceil(1024));
    Ok(())
}

pub(super) fn restore(
    store: &mut Store,
    db: &Path,
    args: RestoreArgs,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    if !args.yes {
        let question = format!(
            "Replace everything in {} with the backup {}? A copy of what is there now is kept beside it. [y/N] ",
            db.display(),
            args.file.display()
        );
        if !super::output::confirm(&question, "restore")? {
            return Ok(());
        }
    }
    let other_key = if args.recovery_code {
        if std::io::stdin().is_terminal() {
            eprintln!(
                "Type the 24 words of the other computer's recovery code, then press Enter and Ctrl-D:"
            );
        }
        let mut words = String::new();
        std::io::stdin().read_to_string(&mut words).ok();
        Some(
            tablemap_core::secrets::DatabaseKey::parse(&words)
                .ok_or(tablemap_core::secrets::KeyError::Unreadable)
                .map_err(tablemap_core::api::ApiError::from)?,
        )
    } else {
        None
    };
    let done = api::maintenance::restore(store, &args.file, other_key.as_ref(), now)?;
    println!(
        "restored {} restaurants and {} visits from {}; what was there before is kept in {}",
        done.restaurants,
        done.visits,
        args.file.display(),
        done.previous.display()
    );
    Ok(())
}
