//! What stops the service from starting, each in one line that says what to do.

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("--{flag}: {reason}")]
    Setting { flag: &'static str, reason: String },
    #[error("cannot reach the database at {place}: {reason}")]
    Database { place: String, reason: String },
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: std::net::SocketAddr, reason: String },
    #[error("the service stopped: {0}")]
    Serve(String),
}
