//! The person's OS keyring through the `keyring` crate (version 4, its default stores: the
//! Secret Service over D-Bus on Linux, the Keychain on macOS, the Credential Manager on
//! Windows). Every entry is under the service "Tablemap".

const SERVICE: &str = "Tablemap";

/// What the keyring answered.
pub enum Answer {
    Found(String),
    /// The keyring answered and holds no such entry.
    Absent,
    /// No keyring could be reached (no D-Bus session, no Secret Service, locked and dismissed):
    /// the reason in the keyring's words.
    Unreachable(String),
}

fn entry(name: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, name).map_err(|e| e.to_string())
}

pub fn get(name: &str) -> Answer {
    let entry = match entry(name) {
        Ok(e) => e,
        Err(why) => return Answer::Unreachable(why),
    };
    match entry.get_password() {
        Ok(value) => Answer::Found(value),
        Err(keyring::Error::NoEntry) => Answer::Absent,
        Err(e) => Answer::Unreachable(e.to_string()),
    }
}

pub fn set(name: &str, value: &str) -> Result<(), String> {
    entry(name)?.set_password(value).map_err(|e| e.to_string())
}

/// Removes an entry; one that is not there is already removed.
pub fn delete(name: &str) -> Result<(), String> {
    match entry(name)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
