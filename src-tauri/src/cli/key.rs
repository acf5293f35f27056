//! `tablemap key`: the key that encrypts this person's Tablemap databases. Where it is kept,
//! its recovery code, and moving it to another computer (`export` there, `import` here).

use super::CliError;
use clap::Subcommand;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use tablemap_core::secrets::{self, DatabaseKey};
use tablemap_core::store::Store;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Where the key to your Tablemap databases is kept.
    Show,
    /// Print the recovery code: 24 words to write down and keep away from this computer. With
    /// them, `key import --recovery-code` opens your databases and backups on another one.
    RecoveryCode,
    /// Write the key to a new file (readable by you alone): to carry to another computer, or for
    /// runs that cannot reach the keyring (cron, SSH: run them with TABLEMAP_KEY_FILE=FILE).
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// Make another computer's key the key here: from a file `key export` wrote there, or with
    /// --recovery-code, its 24 words (typed, or on standard input). The database here is
    /// encrypted again with it, so it and the other computer's files all open.
    Import {
        file: Option<PathBuf>,
        #[arg(long, conflicts_with = "file")]
        recovery_code: bool,
    },
}

pub(super) fn run(db: &Path, command: KeyCommand) -> Result<(), CliError> {
    match command {
        KeyCommand::Import { file, recovery_code } => import(db, file.as_deref(), recovery_code),
        other => {
            // Opening the database finds the key (or makes it, for a new database).
            let store = Store::open(db)?;
            say_if_new();
            let key =
                store.key().cloned().ok_or_else(|| CliError::Usage("this database has no key".into()))?;
            let place = secrets::current().map(|r| r.place);
            match other {
                KeyCommand::Show => {
                    let place = place.map_or_else(|| "(unknown)".to_string(), |p| p.in_words());
                    println!("the key to your Tablemap databases is kept in {place}");
                }
                KeyCommand::RecoveryCode => println!("{}", key.recovery_code()),
                KeyCommand::Export { out } => {
                    secrets::export_key(&key, &out)?;
                    println!(
                        "the key is in {} (readable by you alone); keep it as safe as the data: with it, \
                         anyone can read your Tablemap databases and backups",
                        out.display()
                    );
                }
                KeyCommand::Import { .. } => unreachable!("handled above"),
            }
            Ok(())
        }
    }
}

fn import(db: &Path, file: Option<&Path>, recovery_code: bool) -> Result<(), CliError> {
    let text = match (file, recovery_code) {
        (Some(path), _) => std::fs::read_to_string(path)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?,
        (None, true) => {
            if std::io::stdin().is_terminal() {
                eprintln!("Type the 24 words of the recovery code, then press Enter and Ctrl-D:");
            }
            let mut words = String::new();
            std::io::stdin()
                .read_to_string(&mut words)
                .map_err(|e| CliError::Usage(format!("cannot read the recovery code: {e}")))?;
            words
        }
        (None, false) => {
            return Err(CliError::Usage(
                "give the key file `tablemap key export` wrote, or --recovery-code to type the 24 words"
                    .into(),
            ))
        }
    };
    let key = DatabaseKey::parse(&text).ok_or(secrets::KeyError::Unreadable)?;
    let outcome = tablemap_core::api::privacy::import_key(db, &key)?;
    println!("{outcome}");
    Ok(())
}

/// Said once, by the run that made the key: where it is kept, and the recovery code to write
/// down (on standard error, so scripts reading the output are not disturbed).
pub(super) fn say_if_new() {
    let Some(made) = secrets::current().filter(|r| r.announce()) else { return };
    if !secrets::take_announcement() {
        return;
    }
    let where_ = match &made.place {
        secrets::KeyPlace::ConfigFile(p) => {
            format!("No keyring answered here, so Tablemap keeps the key to your databases in the file {p} (readable by you alone).")
        }
        other => format!("Tablemap made the key to your databases and keeps it in {}.", other.in_words()),
    };
    eprintln!(
        "{where_}\nWrite down this recovery code and keep it away from this computer: with it, your \
         databases and backups open on another one (`tablemap key import --recovery-code`).\n\n    {}\n",
        made.key.recovery_code()
    );
}
