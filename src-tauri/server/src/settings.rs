//! What the service is told at start, from flags or the environment (a systemd unit's
//! `Environment=` lines): where its database is, where it listens, where scans go when there is
//! nothing better to show.

use clap::Parser;
use std::net::SocketAddr;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "tablemap-server",
    version,
    about = "The campaign's web service: sticker links and the live public map"
)]
pub struct Settings {
    /// The PostgreSQL login made for the service (postgres://USER:PASSWORD@HOST/DB); TLS unless
    /// the host is this machine or the URL says sslmode=disable.
    #[arg(long, env = "TABLEMAP_DATABASE_URL", hide_env_values = true)]
    pub database_url: String,

    /// Where to listen for the campaign's HTTPS proxy (Caddy or nginx).
    #[arg(long, env = "TABLEMAP_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where a scan goes when there is nothing better to show (the campaign's site).
    #[arg(long, env = "TABLEMAP_LANDING")]
    pub landing: String,

    /// Connections to PostgreSQL at most, for this instance.
    #[arg(long, env = "TABLEMAP_MAX_CONNECTIONS", default_value_t = 8)]
    pub max_connections: usize,
}
