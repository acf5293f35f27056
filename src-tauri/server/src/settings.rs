//! What the service is told at start, from flags or the environment (a systemd unit's
//! `Environment=` lines): where its database is, where it listens, where scans go when there is
//! nothing better to show.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "tablemap-server",
    version,
    about = "The campaign's web service: sticker links and the live public map",
    subcommand_negates_reqs = true,
    args_conflicts_with_subcommands = true
)]
pub struct Settings {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The PostgreSQL login made for the service (postgres://USER:PASSWORD@HOST/DB); TLS unless
    /// the host is this machine or the URL says sslmode=disable.
    #[arg(long, env = "TABLEMAP_DATABASE_URL", hide_env_values = true, required = true)]
    pub database_url: Option<String>,

    /// Where to listen for the campaign's HTTPS proxy (Caddy or nginx).
    #[arg(long, env = "TABLEMAP_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where a scan goes when there is nothing better to show (the campaign's site).
    #[arg(long, env = "TABLEMAP_LANDING", required = true)]
    pub landing: Option<String>,

    /// The proxy in front (its address as this service sees it): only its X-Forwarded-For is
    /// believed for who a visitor is; anyone else's is ignored.
    #[arg(long, env = "TABLEMAP_TRUSTED_PROXY")]
    pub trusted_proxy: Option<std::net::IpAddr>,

    /// Connections to PostgreSQL at most, for this instance.
    #[arg(long, env = "TABLEMAP_MAX_CONNECTIONS", default_value_t = 8)]
    pub max_connections: usize,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Make the service's own PostgreSQL login (read only what the public side needs, write
    /// only scan counts), for a server with no desktop: the same as `tablemap server
    /// web-login`. The last line printed is the --database-url to start the service with.
    WebLogin {
        /// The admin connection: postgres://ADMIN[:PASSWORD]@HOST[:PORT]/DB (PGPASSWORD works too).
        #[arg(long, env = "TABLEMAP_SERVER_URL")]
        url: String,
        /// The database's name as the service reaches it, if not the one in --url.
        #[arg(long)]
        public_host: Option<String>,
        /// The campaign's own certificate authority (PEM), when the database's certificate is
        /// not from a public one.
        #[arg(long, env = "TABLEMAP_CA_FILE")]
        ca_file: Option<std::path::PathBuf>,
    },
}
