//! Sticker codes: 7 characters of Crockford base32 drawn from the operating system's CSPRNG.
//! Never derived from a restaurant's name or id, so a code says nothing about where it went.
//! 32^7 ≈ 34 billion codes; the database's UNIQUE constraint catches the rare repeat.

pub use crate::domain::sticker_code::{ALPHABET, LENGTH};

#[derive(Debug, thiserror::Error)]
#[error("the system's random number source failed: {0}")]
pub struct RandomError(String);

/// `n` fresh random codes, distinct from each other.
pub fn generate(n: usize) -> Result<Vec<String>, RandomError> {
    let mut out = Vec::with_capacity(n);
    let mut seen = std::collections::HashSet::with_capacity(n);
    let mut bytes = vec![0u8; 5 * n.max(1)];
    while out.len() < n {
        getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
        for chunk in bytes.chunks_exact(5) {
            if out.len() == n {
                break;
            }
            let code = encode(chunk);
            if seen.insert(code.clone()) {
                out.push(code);
            }
        }
    }
    Ok(out)
}

/// The first 35 bits of `bytes` (at least 5) as 7 base32 characters.
fn encode(bytes: &[u8]) -> String {
    let bits = bytes.iter().take(5).fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    (0..LENGTH).map(|i| char::from(ALPHABET[((bits >> (35 - 5 * (i + 1) + 5)) & 31) as usize])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_seven_crockford_characters_and_distinct() {
        let codes = generate(5000).unwrap();
        assert_eq!(codes.len(), 5000);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), 5000);
        for c in &codes {
            assert_eq!(c.len(), LENGTH);
            assert!(c.bytes().all(|b| ALPHABET.contains(&b)), "{c}");
        }
        // Every character of the alphabet turns up in each position (they are not biased).
        for pos in 0..LENGTH {
            let used: std::collections::HashSet<u8> = codes.iter().map(|c| c.as_bytes()[pos]).collect();
            assert_eq!(used.len(), 32, "position {pos}");
        }
    }

    #[test]
    fn encoding_uses_the_first_35_bits() {
        assert_eq!(encode(&[0, 0, 0, 0, 0]), "0000000");
        assert_eq!(encode(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "ZZZZZZZ");
        assert_eq!(encode(&[0b0000_1000, 0, 0, 0, 0]), "1000000");
    }
}
