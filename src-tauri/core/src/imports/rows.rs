//! One CSV record to one restaurant draft, with every problem at its line and column. The draft
//! is validated by the same rules as a restaurant typed into the window.

use super::columns::Field;
use super::csv_text::Record;
use super::problem::Problem;
use crate::domain::restaurant::ValidDraft;
use crate::domain::RestaurantDraft;
use crate::exports::csv_file::restore;

/// Where a row's restaurant is on the map.
#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    Known {
        lat: f64,
        lon: f64,
    },
    /// No coordinates in the row: look these up (postcode first, then the address).
    Lookup {
        postcode: Option<String>,
        address: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub line: usize,
    /// Validated; its coordinates are 0,0 until a `Lookup` position is found.
    pub draft: ValidDraft,
    pub position: Position,
    pub external_ref: Option<String>,
}

impl Candidate {
    /// The draft with its position filled in, ready to store.
    pub fn located(&self, lat: f64, lon: f64) -> ValidDraft {
        ValidDraft(RestaurantDraft { lat, lon, ..self.draft.0.clone() })
    }
}

/// How to read one file's rows.
pub struct RowReader<'a> {
    pub headers: &'a [String],
    pub mapping: &'a [Option<Field>],
    /// `51,5` is a decimal comma (files delimited by `;` or tab from much of Europe).
    pub decimal_comma: bool,
}

impl RowReader<'_> {
    fn column(&self, field: Field) -> Option<usize> {
        self.mapping.iter().position(|m| *m == Some(field))
    }

    fn problem(&self, r: &Record, col: usize, message: impl Into<String>) -> Problem {
        let header = self.headers.get(col).filter(|h| !h.is_empty()).map(String::as_str);
        Problem::at_field(r.field_lines.get(col).copied().unwrap_or(r.line), col + 1, header, message)
    }

    pub fn read(&self, r: &Record) -> Result<Candidate, Vec<Problem>> {
        // Without the `'` a spreadsheet export puts before `-0.12` or `+44 20` (ours does): an
        // export edited in a spreadsheet comes back as it went out.
        let cell = |c: usize| restore(r.fields[c].trim());
        let value = |f: Field| -> Option<String> { self.column(f).map(cell).filter(|v| !v.is_empty()) };
        let mut problems = Vec::new();
        let mut coordinate = |f: Field, max: f64, what: &str| -> Option<f64> {
            let col = self.column(f)?;
            let raw = cell(col);
            if raw.is_empty() {
                return None;
            }
            let text = if self.decimal_comma { raw.replace(',', ".") } else { raw.clone() };
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v.abs() <= max => Some(v),
                Ok(v) => {
                    problems.push(self.problem(
                        r,
                        col,
                        format!(
                            "{what} {v} is outside -{max}\u{2026}{max}: is it in another column or swapped?"
                        ),
                    ));
                    None
                }
                Err(_) => {
                    problems.push(self.problem(
                        r,
                        col,
                        format!("\u{201c}{raw}\u{201d} is not a {what} in decimal degrees (like 51.5072)"),
                    ));
                    None
                }
            }
        };
        let lat = coordinate(Field::Lat, 90.0, "latitude");
        let lon = coordinate(Field::Lon, 180.0, "longitude");

        let address = match (value(Field::Address), value(Field::Town)) {
            (Some(a), Some(t)) if !a.to_lowercase().contains(&t.to_lowercase()) => Some(format!("{a}, {t}")),
            (Some(a), _) => Some(a),
            (None, t) => t,
        };
        let postcode = value(Field::Postcode);
        let position = match (lat, lon) {
            (Some(lat), Some(lon)) => Position::Known { lat, lon },
            _ if !problems.is_empty() => Position::Known { lat: 0.0, lon: 0.0 },
            (Some(_), None) | (None, Some(_)) => {
                let missing = if lat.is_some() { Field::Lon } else { Field::Lat };
                let col = self.column(missing).unwrap_or(0);
                problems.push(self.problem(
                    r,
                    col,
                    "one coordinate without the other: fill in both or neither",
                ));
                Position::Known { lat: 0.0, lon: 0.0 }
            }
            (None, None) if postcode.is_none() && address.is_none() => {
                let col = self.column(Field::Lat).or(self.column(Field::Postcode)).unwrap_or(0);
                problems.push(self.problem(
                    r,
                    col,
                    "no coordinates, postcode or address: Tablemap cannot place this restaurant",
                ));
                Position::Known { lat: 0.0, lon: 0.0 }
            }
            (None, None) => Position::Lookup { postcode: postcode.clone(), address: address.clone() },
        };
        let list = |f: Field| value(f).map(|v| vec![v]).unwrap_or_default();
        let (lat, lon) = match position {
            Position::Known { lat, lon } => (lat, lon),
            Position::Lookup { .. } => (0.0, 0.0),
        };
        let draft = RestaurantDraft {
            name: value(Field::Name).unwrap_or_default(),
            address,
            postcode,
            lat,
            lon,
            cuisines: list(Field::Cuisines),
            languages: list(Field::Languages),
            opening_hours: value(Field::OpeningHours),
            phone: value(Field::Phone),
            website: value(Field::Website),
        };
        let external_ref = value(Field::ExternalRef);
        if let Some(e) = &external_ref {
            if e.chars().count() > 200 {
                problems.push(self.problem(
                    r,
                    self.column(Field::ExternalRef).unwrap_or(0),
                    "a reference longer than 200 characters",
                ));
            }
        }
        match draft.validate() {
            Ok(draft) if problems.is_empty() => {
                // Look up what validation kept (trimmed, postcode in capitals).
                let position = match position {
                    Position::Lookup { .. } => Position::Lookup {
                        postcode: draft.0.postcode.clone(),
                        address: draft.0.address.clone(),
                    },
                    known => known,
                };
                Ok(Candidate { line: r.line, draft, position, external_ref })
            }
            Ok(_) => Err(problems),
            Err(e) => {
                let field = match e.field {
                    "name" => Field::Name,
                    "address" => self.column(Field::Address).map_or(Field::Town, |_| Field::Address),
                    "postcode" => Field::Postcode,
                    "cuisines" => Field::Cuisines,
                    "languages" => Field::Languages,
                    "opening_hours" => Field::OpeningHours,
                    "phone" => Field::Phone,
                    "website" => Field::Website,
                    _ => Field::Lat,
                };
                let col = self.column(field).unwrap_or(0);
                let what = if e.field == "name" && self.column(Field::Name).is_some() {
                    e.reason.replace("is required", "is empty: every restaurant needs a name")
                } else {
                    e.reason
                };
                problems.insert(0, self.problem(r, col, what));
                problems.sort_by_key(|p| (p.line, p.column));
                Err(problems)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::csv_text::parse;

    fn read(text: &str, decimal_comma: bool) -> Result<Candidate, Vec<Problem>> {
        let t = parse(text, if decimal_comma { b';' } else { b',' }).unwrap();
        let mapping = crate::imports::columns::guess_all(&t.headers);
        RowReader { headers: &t.headers, mapping: &mapping, decimal_comma }.read(&t.records[0])
    }

    #[test]
    fn accepted_rows() {
        let c =
            read("name,lat,lon,cuisine,website\n Mangal ,51.5,-0.07,turkish;grill,mangal.example\n", false)
                .unwrap();
        assert_eq!(c.draft.0.name, "Mangal");
        assert_eq!(c.position, Position::Known { lat: 51.5, lon: -0.07 });
        assert_eq!(c.draft.0.cuisines, vec!["turkish", "grill"]);

        let c = read("nom;lat;lon\nZahlé;51,5;-0,1\n", true).unwrap();
        assert_eq!(c.position, Position::Known { lat: 51.5, lon: -0.1 });

        // A row of Tablemap's own export: cells a spreadsheet could run are neutralised with `'`.
        let c = read("name,lat,lon,phone\n'@Home,51.5,'-0.12,'+44 20 7946 0000\n", false).unwrap();
        assert_eq!(c.draft.0.name, "@Home");
        assert_eq!(c.position, Position::Known { lat: 51.5, lon: -0.12 });
        assert_eq!(c.draft.0.phone.as_deref(), Some("+44 20 7946 0000"));

        let c = read("name,address,city,postcode\nAccra,12 High St,Leeds,ls1 4ap\n", false).unwrap();
        assert_eq!(c.draft.0.address.as_deref(), Some("12 High St, Leeds"));
        assert_eq!(c.draft.0.postcode.as_deref(), Some("LS1 4AP"));
        assert_eq!(
            c.position,
            Position::Lookup { postcode: Some("LS1 4AP".into()), address: Some("12 High St, Leeds".into()) }
        );
    }

    #[test]
    fn refused_rows() {
        // (csv, column of the first problem, words in its message)
        let cases: &[(&str, usize, &str)] = &[
            ("name,lat,lon\n,51.5,-0.1\n", 1, "needs a name"),
            ("name,lat,lon\nA,95,-0.1\n", 2, "outside"),
            ("name,lat,lon\nA,51.5,-200\n", 3, "outside"),
            ("name,lat,lon\nA,51°30'N,-0.1\n", 2, "decimal degrees"),
            ("name,lat,lon\nA,51.5,\n", 3, "both"),
            ("name,lat,lon\nA,NaN,-0.1\n", 2, "outside"),
            ("name,lat,lon,postcode\nA,,,\n", 2, "cannot place"),
            ("name,lat,lon,website\nA,51.5,-0.1,not a site\n", 4, "web address"),
        ];
        for (csv, col, says) in cases {
            let problems = read(csv, false).unwrap_err();
            assert_eq!(problems[0].column, *col, "{csv}: {problems:?}");
            assert_eq!(problems[0].line, 2);
            assert!(problems[0].message.contains(says), "{csv}: {}", problems[0]);
        }
    }
}
