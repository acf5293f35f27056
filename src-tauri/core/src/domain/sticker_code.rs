//! What a sticker code is: seven characters of Crockford base32, read back however a person
//! types them. Making new ones (from the OS's random source) is `stickers::codes`' job.

/// Crockford's alphabet: no I, L, O or U, so codes survive being read aloud or typed.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const LENGTH: usize = 7;

/// Reads a code as a person types it: case-insensitive, O→0, I/L→1, hyphens and spaces ignored.
pub fn normalise(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes() {
        let cases = [
            ("7k3m9qz", Some("7K3M9QZ")),
            ("7K3-M9Q-Z", Some("7K3M9QZ")),
            ("O1IL234", Some("0111234")),
            ("7K3M9Q", None),
            ("7K3M9QU", None),
            ("7K3M9QZ1", None),
        ];
        for (typed, want) in cases {
            assert_eq!(normalise(typed).as_deref(), want, "{typed}");
        }
    }
}
