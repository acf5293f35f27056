//! UK postcodes in their written form, so `e16ne`, `E16NE` and `E1 6NE` are one postcode when
//! matching duplicates and when asking postcodes.io.

/// A UK postcode in its written form: upper case, one space before the three-character inward
/// code (`e81aa` becomes `E8 1AA`). `None` for anything that cannot be a UK postcode (a French
/// or US code, half a postcode), so it is never sent.
pub fn normalise(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if !compact.is_ascii() || !(5..=7).contains(&compact.len()) {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let shape = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                'A'..='Z' => 'A',
                '0'..='9' => '9',
                _ => '?',
            })
            .collect()
    };
    let outward_ok = matches!(shape(outward).as_str(), "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A")
        || (outward == "GIR" && inward == "0AA");
    (outward_ok && shape(inward) == "9AA").then(|| format!("{outward} {inward}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn written_forms() {
        let cases = [
            ("e81aa", Some("E8 1AA")),
            ("E1 6NE", Some("E1 6NE")),
            (" sw1a  1aa ", Some("SW1A 1AA")),
            ("M14 5TQ", Some("M14 5TQ")),
            ("GIR0AA", Some("GIR 0AA")),
            ("75011", None),
            ("E8", None),
            ("ZZ99 9ZZZ", None),
        ];
        for (raw, want) in cases {
            assert_eq!(super::normalise(raw).as_deref(), want, "{raw}");
        }
    }
}
