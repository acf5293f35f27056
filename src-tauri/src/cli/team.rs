//! `server init`, `server add-user`, `join` and `sync`: team sync from the command line.

use super::CliError;
use chrono::Utc;
use clap::{Args, Subcommand};
use tablemap_core::api::{self, ApiError};
use tablemap_core::store::Store;
use tablemap_core::sync::server::{self, NewPerson, Role};
use tablemap_core::sync::Tls;

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Create (or bring up to date) the team's tables, roles and row-level security on a
    /// PostgreSQL 15+ database. Safe to run again.
    Init {
        /// The admin connection: postgres://ADMIN[:PASSWORD]@HOST[:PORT]/DB (TLS is used unless
        /// the host is this machine or the URL says sslmode=disable). PGPASSWORD works too.
        #[arg(long, env = "TABLEMAP_SERVER_URL")]
        url: String,
        /// The campaign's own certificate authority (PEM), when the server's certificate is
        /// not from a public one. Turns TLS on.
        #[arg(long, env = "TABLEMAP_CA_FILE")]
        ca_file: Option<std::path::PathBuf>,
    },
    /// Give a person their own login. The last line printed is their join code: hand it to them
    /// privately (it carries their password).
    AddUser {
        name: String,
        #[arg(long, value_parser = ["volunteer", "organiser", "coordinator"])]
        role: String,
        #[arg(long, env = "TABLEMAP_SERVER_URL")]
        url: String,
        /// The server's name as people's machines reach it, if not the one in --url.
        #[arg(long)]
        public_host: Option<String>,
        /// The campaign's own certificate authority (PEM): used for this connection and put in
        /// the join code, so the person's machine trusts the server's certificate too.
        #[arg(long, env = "TABLEMAP_CA_FILE")]
        ca_file: Option<std::path::PathBuf>,
    },
    /// A login for the campaign's web service (tablemap-server), which may read only what the
    /// public side needs and write only scan counts. The last line printed is its
    /// --database-url: keep it as the service's secret.
    WebLogin {
        /// The server's name as the web service reaches it, if not the one in --url.
        #[arg(long)]
        public_host: Option<String>,
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Everyone who has had a login: name, login, role, when the server last saw them sync.
    Users {
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Take a person off the team: their login stops working at once (open connections are
    /// ended); what they recorded stays, under their name.
    RemoveUser {
        /// Their name, or their login when two people share a name.
        who: String,
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Give a person another role; it counts from their next sync.
    SetRole {
        who: String,
        #[arg(long, value_parser = ["volunteer", "organiser", "coordinator"])]
        role: String,
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// A new password and join code for a person (a lost laptop, a code seen by someone else):
    /// the old code stops working at once.
    Rotate {
        who: String,
        #[arg(long)]
        public_host: Option<String>,
        #[command(flatten)]
        admin: AdminArgs,
    },
}

/// The admin connection, as for `server init`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    #[arg(long, env = "TABLEMAP_SERVER_URL")]
    url: String,
    #[arg(long, env = "TABLEMAP_CA_FILE")]
    ca_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Sync once and exit (otherwise: sync, then again every --every seconds until stopped).
    #[arg(long)]
    once: bool,
    #[arg(long, default_value_t = 60)]
    every: u64,
    /// Only show the sync status (waiting changes, last sync, last error); sends nothing.
    #[arg(long)]
    status: bool,
    /// Only list the review list (concurrent edits of one field; coordinators); sends nothing.
    #[arg(long)]
    reviews: bool,
    /// Clear the review with this id (coordinators); the server hears of it at the next sync.
    #[arg(long, value_name = "ID")]
    clear_review: Option<String>,
    /// Send the changes the server refused again (after a role was changed on the server).
    #[arg(long, conflicts_with = "drop_refused")]
    retry_refused: bool,
    /// Drop the changes the server refused: undo them here, then sync so this machine shows
    /// what the team has.
    #[arg(long)]
    drop_refused: bool,
}

fn admin(url: &str, ca_file: Option<&std::path::Path>) -> Result<(postgres::Config, Tls), CliError> {
    Ok(tablemap_core::sync::admin_connection(url, ca_file).map_err(ApiError::from)?)
}

pub fn server(command: ServerCommand) -> Result<(), CliError> {
    match command {
        ServerCommand::Init { url, ca_file } => {
            let (config, tls) = admin(&url, ca_file.as_deref())?;
            let applied = server::init(&config, &tls).map_err(ApiError::from)?;
            if applied.is_empty() {
                println!("the team schema is up to date (version {})", server::latest());
            } else {
                println!("applied team schema versions {applied:?}");
            }
        }
        ServerCommand::AddUser { name, role, url, public_host, ca_file } => {
            let (config, tls) = admin(&url, ca_file.as_deref())?;
            let role = Role::parse(&role).unwrap_or(Role::Volunteer);
            let person = NewPerson { name: &name, role, public_host: public_host.as_deref() };
            let team = server::add_user(&config, &tls, person, Utc::now()).map_err(ApiError::from)?;
            println!("added {} ({}) as login '{}'", team.name, team.role, team.user);
            hand_over(&team);
        }
        ServerCommand::WebLogin { public_host, admin: a } => {
            let (config, tls) = admin(&a.url, a.ca_file.as_deref())?;
            let url = server::web_login(&config, &tls, public_host.as_deref()).map_err(ApiError::from)?;
            println!("made a login for the web service; start tablemap-server with --database-url set to:");
            println!("{url}");
        }
        ServerCommand::Users { admin: a } => {
            let (config, tls) = admin(&a.url, a.ca_file.as_deref())?;
            let people = server::users(&config, &tls).map_err(ApiError::from)?;
            let rows: Vec<[String; 5]> = people
                .into_iter()
                .map(|p| {
                    let seen = p.last_sync.unwrap_or_else(|| "never".into());
                    let state = p.removed.map_or("on the team".to_string(), |at| format!("removed {at}"));
                    [p.name, p.login, p.role, seen, state]
                })
                .collect();
            super::output::print_table(&["NAME", "LOGIN", "ROLE", "LAST SYNC", "STATE"], &rows);
        }
        ServerCommand::RemoveUser { who, admin: a } => {
            let (config, tls) = admin(&a.url, a.ca_file.as_deref())?;
            let p = server::remove_user(&config, &tls, &who).map_err(ApiError::from)?;
            println!("removed {} ({}); what they recorded stays, under their name", p.name, p.login);
        }
        ServerCommand::SetRole { who, role, admin: a } => {
            let (config, tls) = admin(&a.url, a.ca_file.as_deref())?;
            let role = Role::parse(&role).unwrap_or(Role::Volunteer);
            let p = server::set_role(&config, &tls, &who, role).map_err(ApiError::from)?;
            println!("{} ({}) is now {}; it counts from their next sync", p.name, p.login, p.role);
        }
        ServerCommand::Rotate { who, public_host, admin: a } => {
            let (config, tls) = admin(&a.url, a.ca_file.as_deref())?;
            let team = server::rotate(&config, &tls, &who, public_host.as_deref()).map_err(ApiError::from)?;
            println!("{} ({}) has a new password; their old join code no longer works", team.name, team.user);
            hand_over(&team);
        }
    }
    Ok(())
}

fn hand_over(team: &tablemap_core::sync::TeamConnection) {
    println!("give them this join code privately (it carries their password); they run `tablemap join` and paste it");
    println!("{}", team.join_code());
}

/// Joins with `code`, or the code read from standard input (so it is in neither `ps` nor the
/// shell's history).
pub fn join(store: &mut Store, code: Option<&str>) -> Result<(), CliError> {
    let typed;
    let code = match code {
        Some(c) => c,
        None => {
            use std::io::{BufRead, IsTerminal};
            if std::io::stdin().is_terminal() {
                eprintln!("paste the join code and press Enter:");
            }
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| CliError::Usage(format!("cannot read the join code: {e}")))?;
            typed = line.trim().to_string();
            if typed.is_empty() {
                return Err(CliError::Usage(
                    "no join code was given: paste the last line `server add-user` printed".into(),
                ));
            }
            &typed
        }
    };
    let team = api::sync::join(store, code, Utc::now())?;
    println!(
        "joined the team at {}:{}/{} as {} ({}); nothing is sent until you run `tablemap sync`",
        team.host, team.port, team.dbname, team.name, team.role
    );
    Ok(())
}

pub fn leave(store: &mut Store) -> Result<(), CliError> {
    let dropped = api::sync::leave(store)?;
    println!("left the team; {dropped} changes that had not been sent stay only here");
    Ok(())
}

pub fn sync(store: &mut Store, args: SyncArgs) -> Result<(), CliError> {
    if args.status {
        println!("{}", serde_json::to_string_pretty(&api::sync::status(store)?)?);
        return Ok(());
    }
    if args.retry_refused {
        let n = api::sync::retry_refused(store)?;
        println!("{n} refused changes will be sent again");
        if n == 0 {
            return Ok(());
        }
    }
    if args.drop_refused {
        let n = api::sync::drop_refused(store)?;
        println!("{n} refused changes dropped; syncing to take the team's version");
        if n == 0 {
            return Ok(());
        }
    }
    if let Some(id) = &args.clear_review {
        api::sync::clear_review(store, id, Utc::now())?;
        println!("cleared review {id}; the team server hears of it at the next sync");
        return Ok(());
    }
    if args.reviews {
        for r in api::sync::reviews(store)? {
            let state = match (&r.cleared_at, &r.cleared_by) {
                (Some(at), by) => format!("cleared {at} by {}", by.as_deref().unwrap_or("?")),
                (None, _) => "open".to_string(),
            };
            println!(
                "{}\t{}\t{}: kept \"{}\" ({}) over \"{}\" ({})\t{state}",
                r.id, r.restaurant_name, r.field, r.kept, r.kept_at, r.other, r.other_at
            );
        }
        return Ok(());
    }
    loop {
        let report = api::sync::sync(store, Utc::now());
        match &report {
            Ok(r) => {
                println!(
                    "pushed {} changes; pulled {} restaurants, {} field changes, {} visits, {} consent records, \
                     {} stickers/areas/templates, {} reviews, {} erasures",
                    r.pushed,
                    r.pulled_restaurants,
                    r.pulled_fields,
                    r.pulled_visits,
                    r.pulled_consents,
                    r.pulled_campaign,
                    r.pulled_reviews,
                    r.pulled_erasures
                );
                for refusal in &r.refused {
                    eprintln!("{refusal}");
                }
            }
            Err(e) if !args.once => eprintln!("tablemap: sync failed, trying again in {}s: {e}", args.every),
            Err(_) => {}
        }
        if args.once {
            let r = report?;
            if !r.refused.is_empty() {
                return Err(CliError::ChangesRefused { count: r.refused.len() });
            }
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_secs(args.every.max(5)));
    }
}
