// No console window on Windows release builds; the CLI still prints when run from a terminal.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let started = Instant::now();
    let cli = match tablemap::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // Usage mistakes get one line; --help and --version print as usual.
        Err(e) if e.use_stderr() => {
            // Clap's first paragraph, on one line ("... not provided: --lon <LON>").
            let text = e.to_string();
            let first = text.split("\n\n").next().unwrap_or_default().trim_start_matches("error: ");
            eprintln!("tablemap: error: {}", first.split_whitespace().collect::<Vec<_>>().join(" "));
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    match cli.command {
        None => {
            let db = cli.db.unwrap_or_else(tablemap_core::paths::default_database);
            let cache = cli.tile_cache.unwrap_or_else(tablemap_core::paths::default_tile_cache);
            match tablemap::app::run(&db, &cache, started) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("tablemap: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(command) => {
            tablemap::cli::run(cli.db.unwrap_or_else(tablemap_core::paths::default_database), command)
        }
    }
}
