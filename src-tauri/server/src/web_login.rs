//! `tablemap-server web-login`: the service's own login, made with the admin's connection by
//! the same core function as `tablemap server web-login` (for a server with no desktop).

use crate::error::ServerError;
use std::path::Path;
use tablemap_core::sync::{self, server};

/// Makes the login; answers the service's `--database-url`.
pub fn make(
    admin_url: &str,
    public_host: Option<&str>,
    ca_file: Option<&Path>,
) -> Result<String, ServerError> {
    let failed = |e: sync::SyncError| ServerError::Setting { flag: "url", reason: e.to_string() };
    let (config, tls) = sync::admin_connection(admin_url, ca_file).map_err(failed)?;
    server::web_login(&config, &tls, public_host).map_err(failed)
}
