//! The label sheets behind `stickers templates`, `stickers add-template` and
//! `stickers import-glabels`: listing them, and turning lengths typed in mm into a template.

use crate::cli::{print_table, CliError, Format};
use chrono::{DateTime, Utc};
use clap::Args;
use std::path::PathBuf;
use tablemap_core::api::{self, ApiError, FileAction};
use tablemap_core::domain::ValidationError;
use tablemap_core::stickers::{mm, to_mm, LabelShape, Layout, PageSize, Template};
use tablemap_core::store::Store;

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// A short id, e.g. "myshop-40".
    #[arg(long)]
    id: String,
    #[arg(long)]
    name: String,
    /// A4, US-Letter, or WIDTHxHEIGHT in mm (e.g. 210x297).
    #[arg(long, default_value = "A4")]
    page: String,
    /// Label WIDTHxHEIGHT in mm, or a single diameter with --round.
    #[arg(long)]
    label: String,
    #[arg(long)]
    round: bool,
    #[arg(long, default_value_t = 0.0)]
    corner_radius: f64,
    /// COLUMNSxROWS, e.g. 3x7.
    #[arg(long)]
    grid: String,
    #[arg(long)]
    left: f64,
    #[arg(long)]
    top: f64,
    #[arg(long)]
    h_pitch: f64,
    #[arg(long)]
    v_pitch: f64,
}

pub(super) fn list(store: &Store, format: Format) -> Result<(), CliError> {
    let all = api::stickers::templates(store)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&all)?),
        Format::Table => {
            let rows: Vec<[String; 5]> = all
                .iter()
                .map(|t| {
                    let size = if t.shape.is_round() {
                        format!("{:.1} mm round", to_mm(t.shape.width()))
                    } else {
                        format!("{:.1} × {:.1} mm", to_mm(t.shape.width()), to_mm(t.shape.height()))
                    };
                    [t.id.clone(), t.name.clone(), t.page.name.clone(), t.count().to_string(), size]
                })
                .collect();
            print_table(&["ID", "NAME", "PAGE", "COUNT", "LABEL"], &rows);
        }
    }
    Ok(())
}

/// `stickers add-template`: saves the sheet these lengths describe and prints its id.
pub(super) fn add(store: &mut Store, args: TemplateArgs, now: DateTime<Utc>) -> Result<(), CliError> {
    let saved = api::stickers::save_template(store, args.template()?, "custom", now)?;
    println!("{}", saved.id);
    Ok(())
}

impl TemplateArgs {
    /// The custom template these lengths describe (its id prefixed with "custom-").
    fn template(self) -> Result<Template, CliError> {
        let page = page_size(&self.page)?;
        let shape = if self.round {
            let d: f64 = self.label.trim().parse().map_err(|_| {
                ApiError::Invalid(ValidationError {
                    field: "label",
                    reason: format!("'{}' should be a diameter in mm", self.label),
                })
            })?;
            LabelShape::Round { diameter: mm(d) }
        } else {
            let (w, h) = pair("label", &self.label)?;
            LabelShape::Rectangle { width: mm(w), height: mm(h), corner_radius: mm(self.corner_radius) }
        };
        let (columns, rows) = pair("grid", &self.grid)?;
        Ok(Template {
            id: format!("custom-{}", self.id.trim().to_lowercase()),
            name: self.name,
            description: "custom".into(),
            page,
            shape,
            layouts: vec![Layout {
                columns: columns as u32,
                rows: rows as u32,
                left: mm(self.left),
                top: mm(self.top),
                h_pitch: mm(self.h_pitch),
                v_pitch: mm(self.v_pitch),
            }],
        })
    }
}

fn page_size(page: &str) -> Result<PageSize, CliError> {
    Ok(match page {
        "A4" | "a4" => PageSize::a4(),
        "US-Letter" | "Letter" | "letter" => PageSize::letter(),
        other => {
            let (w, h) = pair("page", other)?;
            PageSize { name: "custom".into(), width: mm(w), height: mm(h) }
        }
    })
}

/// "63.5x38.1" (or with "X" or "×") as two numbers.
fn pair(field: &'static str, text: &str) -> Result<(f64, f64), CliError> {
    let bad = || {
        ApiError::Invalid(ValidationError { field, reason: format!("'{text}' should look like 63.5x38.1") })
    };
    let (a, b) = text.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    Ok((a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?))
}

pub(super) fn import_glabels(
    store: &mut Store,
    files: &[PathBuf],
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    let mut texts = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| ApiError::file(FileAction::Read, f, e))?;
        texts.push((f.display().to_string(), text));
    }
    let report = api::stickers::import_glabels(store, &texts, now)?;
    for (name, why) in &report.skipped {
        eprintln!("skipped {name}: {why}");
    }
    println!("imported {} templates, skipped {}", report.imported, report.skipped.len());
    Ok(())
}
