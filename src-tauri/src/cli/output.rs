//! What every noun's output shares: the `--format` choice, the plain-text table, and asking
//! before something that cannot be undone.

use super::CliError;
use clap::ValueEnum;
use std::io::{BufRead, IsTerminal, Write};

#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// Prints `rows` under `headers`, each column as wide as its widest cell, two spaces apart.
pub(super) fn print_table<const N: usize>(headers: &[&str; N], rows: &[[String; N]]) {
    let mut widths = headers.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Asks `question` ("... [y/N] ") on the terminal; true for yes. Without a terminal (a script)
/// it refuses and says to add `--yes`: nothing irreversible happens unasked.
pub(super) fn confirm(question: &str, verb: &str) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!("{question}\nadd --yes to {verb} without being asked")));
    }
    print!("{question}");
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(true)
    } else {
        println!("nothing was changed");
        Ok(false)
    }
}
