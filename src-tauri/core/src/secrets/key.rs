//! The database key: 256 random bits, given to SQLCipher raw (`PRAGMA key = "x'…'"`, no
//! passphrase derivation on every connection), written as 64 hex digits in a key file and as
//! 24 words (BIP-39's English list, with its checksum) in a recovery code a person writes down.

use std::fmt;

/// A database key. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey([u8; 32]);

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}

impl DatabaseKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> std::io::Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(DatabaseKey(bytes))
    }

    /// The 64 hex digits a key file holds.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads a key file's text: 64 hex digits, surrounding white space allowed.
    pub fn from_hex(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(DatabaseKey(bytes))
    }

    /// The key as SQLCipher's raw-key literal, for `PRAGMA key`.
    pub fn pragma_value(&self) -> String {
        format!("x'{}'", self.to_hex())
    }

    /// The recovery code: 24 words.
    pub fn recovery_code(&self) -> String {
        bip39::Mnemonic::from_entropy(&self.0).map(|m| m.to_string()).unwrap_or_default()
    }

    /// Reads a recovery code: its 24 words in order, in any case, separated by any white space.
    /// A mistyped word or two swapped ones fail the checksum.
    pub fn from_recovery_code(text: &str) -> Option<Self> {
        let words = text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ");
        let mnemonic = bip39::Mnemonic::parse_normalized(&words).ok()?;
        let bytes: [u8; 32] = mnemonic.to_entropy().try_into().ok()?;
        Some(DatabaseKey(bytes))
    }

    /// Reads either form: a key file's hex or a recovery code's words.
    pub fn parse(text: &str) -> Option<Self> {
        Self::from_hex(text).or_else(|| Self::from_recovery_code(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_from_each_form_and_refuses_a_mistake() {
        let key = DatabaseKey::generate().unwrap();
        assert_ne!(key, DatabaseKey::generate().unwrap());
        let words = key.recovery_code();
        assert_eq!(words.split(' ').count(), 24);
        let shouted = words.to_uppercase().replace(' ', "\n  ");
        let mut swapped: Vec<&str> = words.split(' ').collect();
        swapped.swap(0, 1);
        let mut typo: Vec<String> = words.split(' ').map(str::to_string).collect();
        typo[5] = if typo[5] == "abandon" { "ability".into() } else { "abandon".into() };
        let cases: Vec<(&str, String, bool)> = vec![
            ("hex", key.to_hex(), true),
            ("hex with a newline", format!("{}\n", key.to_hex()), true),
            ("words", words.clone(), true),
            ("words shouted over several lines", shouted, true),
            ("hex cut short", key.to_hex()[..62].to_string(), false),
            ("two words swapped", swapped.join(" "), false),
            ("a word mistyped", typo.join(" "), false),
            ("23 words", words.split(' ').skip(1).collect::<Vec<_>>().join(" "), false),
            ("not hex", "g".repeat(64), false),
        ];
        for (what, text, ok) in cases {
            let read = DatabaseKey::parse(&text);
            assert_eq!(read.is_some(), ok, "{what}");
            if ok {
                assert_eq!(read.as_ref(), Some(&key), "{what}");
            }
        }
        assert_eq!(format!("{key:?}"), "DatabaseKey(…)");
        assert_eq!(key.pragma_value().len(), 67);
    }
}
