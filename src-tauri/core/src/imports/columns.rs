//! Which column of a spreadsheet holds which field: guessed from the headers in the languages a
//! campaign's members write them in, then confirmed or changed by the person importing.
//! Columns about people's origins are never imported and are named as such in the preview.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Field {
    Name,
    Address,
    /// Town or city: appended to the address.
    Town,
    Postcode,
    Lat,
    Lon,
    Cuisines,
    Languages,
    OpeningHours,
    Phone,
    Website,
    /// The row's id in the members' spreadsheet or another system: matches re-imports.
    ExternalRef,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Name,
        Field::Address,
        Field::Town,
        Field::Postcode,
        Field::Lat,
        Field::Lon,
        Field::Cuisines,
        Field::Languages,
        Field::OpeningHours,
        Field::Phone,
        Field::Website,
        Field::ExternalRef,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Address => "address",
            Field::Town => "town",
            Field::Postcode => "postcode",
            Field::Lat => "lat",
            Field::Lon => "lon",
            Field::Cuisines => "cuisines",
            Field::Languages => "languages",
            Field::OpeningHours => "opening_hours",
            Field::Phone => "phone",
            Field::Website => "website",
            Field::ExternalRef => "external_ref",
        }
    }

    pub fn parse(key: &str) -> Option<Field> {
        let k = normal(key);
        Field::ALL.into_iter().find(|f| normal(f.key()) == k).or_else(|| guess(key))
    }
}

/// Lower-case letters and digits only: "Post Code", "post_code" and "POSTCODE" are one header.
fn normal(header: &str) -> String {
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The field a header names, if it is one Tablemap knows.
pub fn guess(header: &str) -> Option<Field> {
    const NAMES: &[(Field, &[&str])] = &[
        (
            Field::Name,
            &[
                "name",
                "restaurant",
                "restaurantname",
                "business",
                "businessname",
                "venue",
                "venuename",
                "shop",
                "shopname",
                "premises",
                "tradingname",
                "nom",
                "nombre",
                "nome",
                "الاسم",
                "اسم",
            ],
        ),
        (
            Field::Address,
            &[
                "address",
                "addr",
                "street",
                "streetaddress",
                "address1",
                "addressline1",
                "road",
                "adresse",
                "dirección",
                "direccion",
                "العنوان",
            ],
        ),
        (Field::Town, &["town", "city", "locality", "towncity", "ville", "ciudad", "المدينة"]),
        (
            Field::Postcode,
            &["postcode", "postalcode", "zip", "zipcode", "postcodezip", "codepostal", "plz", "الرمزالبريدي"],
        ),
        (Field::Lat, &["lat", "latitude", "y", "breitengrad"]),
        (Field::Lon, &["lon", "lng", "long", "longitude", "x", "längengrad"]),
        (
            Field::Cuisines,
            &[
                "cuisine",
                "cuisines",
                "food",
                "foodtype",
                "typeoffood",
                "cuisinetype",
                "typedecuisine",
                "cocina",
                "المطبخ",
            ],
        ),
        (
            Field::Languages,
            &[
                "language",
                "languages",
                "languagesspoken",
                "spokenlanguages",
                "langues",
                "languesparlées",
                "idiomas",
                "اللغات",
            ],
        ),
        (
            Field::OpeningHours,
            &[
                "openinghours",
                "hours",
                "opening",
                "openingtimes",
                "openinghoursosm",
                "horaires",
                "horairesdouverture",
                "horario",
            ],
        ),
        (
            Field::Phone,
            &[
                "phone",
                "telephone",
                "tel",
                "phonenumber",
                "businessphone",
                "téléphone",
                "teléfono",
                "telefono",
                "الهاتف",
            ],
        ),
        (
            Field::Website,
            &[
                "website",
                "web",
                "url",
                "site",
                "webaddress",
                "homepage",
                "siteweb",
                "siteinternet",
                "sitioweb",
            ],
        ),
        (
            Field::ExternalRef,
            &["id", "ref", "reference", "externalid", "externalref", "osmid", "memberref", "rowid"],
        ),
    ];
    let n = normal(header);
    NAMES.iter().find(|(_, names)| names.contains(&n.as_str())).map(|(f, _)| *f)
}

/// Headers whose content Tablemap refuses to keep, whatever the mapping says: the campaign
/// never records where owners come from or their immigration status.
pub fn refused(header: &str) -> bool {
    // In the languages the field guesses know too: "nationalit" is nationality, nationalité,
    // Nationalität.
    const WORDS: &[&str] = &[
        "nationalit",
        "nacionalidad",
        "paysdorigine",
        "paísdeorigen",
        "paisdeorigen",
        "citizenship",
        "countryoforigin",
        "origincountry",
        "ethnicorigin",
        "nationalorigin",
        "immigration",
        "visa",
        "asylum",
        "ethnicity",
        "religion",
        "passport",
        "birthplace",
        "placeofbirth",
        "residencestatus",
    ];
    let n = normal(header);
    WORDS.iter().any(|w| n.contains(w))
}

/// One field per column at most and one column per field: the first header that names a field
/// takes it. Refused columns are never mapped.
pub fn guess_all(headers: &[String]) -> Vec<Option<Field>> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            let f = if refused(h) { None } else { guess(h) }?;
            if taken.contains(&f) {
                return None;
            }
            taken.push(f);
            Some(f)
        })
        .collect()
}

/// Applies `field=Header` overrides (the CLI's `--map`): the header's column takes the field,
/// and no other column keeps it. `field=` (empty header) unmaps the field.
pub fn apply_overrides(
    headers: &[String],
    mapping: &mut [Option<Field>],
    overrides: &[String],
) -> Result<(), String> {
    for spec in overrides {
        let Some((field, header)) = spec.split_once('=') else {
            return Err(format!("--map {spec}: write it as field=Header, e.g. name=\"Business name\""));
        };
        let Some(field) = Field::ALL.into_iter().find(|f| f.key() == field.trim()) else {
            let known: Vec<_> = Field::ALL.iter().map(|f| f.key()).collect();
            return Err(format!(
                "--map {spec}: no field \u{201c}{field}\u{201d}; the fields are {}",
                known.join(", ")
            ));
        };
        for m in mapping.iter_mut() {
            if *m == Some(field) {
                *m = None;
            }
        }
        let header = header.trim();
        if header.is_empty() {
            continue;
        }
        let Some(col) = headers.iter().position(|h| h.eq_ignore_ascii_case(header)) else {
            return Err(format!(
                "--map {spec}: the file has no column \u{201c}{header}\u{201d}; its columns are {}",
                headers.join(", ")
            ));
        };
        if refused(&headers[col]) {
            return Err(format!(
                "--map {spec}: Tablemap never stores a column like \u{201c}{header}\u{201d}"
            ));
        }
        mapping[col] = Some(field);
    }
    Ok(())
}

/// A mapping is usable when it names the restaurant and can place it.
pub fn check(mapping: &[Option<Field>]) -> Result<(), String> {
    let has = |f| mapping.contains(&Some(f));
    for (i, f) in mapping.iter().enumerate() {
        if let Some(f) = f {
            if mapping[..i].contains(&Some(*f)) {
                return Err(format!("two columns are mapped to {}: choose one", f.key()));
            }
        }
    }
    if !has(Field::Name) {
        return Err("no column is mapped to the name: choose which column holds the restaurant's name".into());
    }
    if has(Field::Lat) != has(Field::Lon) {
        return Err(
            "map both latitude and longitude, or neither (then postcodes or addresses are looked up)".into(),
        );
    }
    if !has(Field::Lat) && !has(Field::Postcode) && !has(Field::Address) {
        return Err("no column gives a position: map latitude and longitude, a postcode or an address".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn guesses() {
        let cases: &[(&[&str], &[Option<Field>])] = &[
            (
                &["Name", "Post Code", "Latitude", "Lng"],
                &[Some(Field::Name), Some(Field::Postcode), Some(Field::Lat), Some(Field::Lon)],
            ),
            (
                &["Business name", "Street address", "City", "Cuisine"],
                &[Some(Field::Name), Some(Field::Address), Some(Field::Town), Some(Field::Cuisines)],
            ),
            (
                &["nom", "adresse", "code_postal"],
                &[Some(Field::Name), Some(Field::Address), Some(Field::Postcode)],
            ),
            (
                &["Téléphone", "Site web", "Horaires", "Langues"],
                &[
                    Some(Field::Phone),
                    Some(Field::Website),
                    Some(Field::OpeningHours),
                    Some(Field::Languages),
                ],
            ),
            (&["Name", "Owner nationality", "notes"], &[Some(Field::Name), None, None]),
            (&["nom", "Nationalité", "Pays d'origine"], &[Some(Field::Name), None, None]),
            (&["name", "Name"], &[Some(Field::Name), None]),
            (&["", "Website", "Tel"], &[None, Some(Field::Website), Some(Field::Phone)]),
        ];
        for (h, want) in cases {
            assert_eq!(guess_all(&headers(h)), want.to_vec(), "{h:?}");
        }
    }

    #[test]
    fn refused_headers() {
        let refused_ones = [
            "Nationality",
            "Owner's nationality",
            "Nationalité",
            "Nacionalidad",
            "Pays d'origine",
            "Country of origin",
        ];
        for h in refused_ones {
            assert!(refused(h), "{h}");
        }
        for h in ["Name", "International cuisine", "Cuisine", "Languages spoken"] {
            assert!(!refused(h), "{h}");
        }
    }

    #[test]
    fn overrides() {
        let h = headers(&["Venue", "Trading name", "PC", "Origin country"]);
        let mut m = guess_all(&h);
        assert_eq!(m, vec![Some(Field::Name), None, None, None]);
        apply_overrides(&h, &mut m, &["name=Trading name".into(), "postcode=pc".into()]).unwrap();
        assert_eq!(m, vec![None, Some(Field::Name), Some(Field::Postcode), None]);
        let errors = [
            ("name", "field=Header"),
            ("colour=Venue", "no field"),
            ("name=Nope", "no column"),
            ("cuisines=Origin country", "never stores"),
        ];
        for (spec, says) in errors {
            let e = apply_overrides(&h, &mut m.clone(), &[spec.into()]).unwrap_err();
            assert!(e.contains(says), "{spec}: {e}");
        }
    }

    #[test]
    fn checks() {
        use Field::*;
        let cases: &[(&[Option<Field>], Option<&str>)] = &[
            (&[Some(Name), Some(Lat), Some(Lon)], None),
            (&[Some(Name), Some(Postcode)], None),
            (&[Some(Name), Some(Address)], None),
            (&[Some(Postcode)], Some("name")),
            (&[Some(Name), Some(Lat)], Some("both")),
            (&[Some(Name), Some(Cuisines)], Some("position")),
            (&[Some(Name), Some(Name), Some(Postcode)], Some("two columns")),
        ];
        for (m, says) in cases {
            match (check(m), says) {
                (Ok(()), None) => {}
                (Err(e), Some(s)) => assert!(e.contains(s), "{m:?}: {e}"),
                (got, _) => panic!("{m:?}: {got:?}"),
            }
        }
    }
}
