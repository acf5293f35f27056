//! `tablemap-server`: reads its settings from flags or the environment and serves; a setting or
//! a database that stops it from starting is one line on standard error and exit status 2.

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let settings = tablemap_server::Settings::parse();
    match tablemap_server::run(settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tablemap-server: {e}");
            ExitCode::from(2)
        }
    }
}
