//! Team sync over TLS to a server whose certificate comes from the campaign's own certificate
//! authority (made here with rcgen), against a real PostgreSQL with `ssl = on`.

use crate::pg_server::{TestPostgres, ADMIN, ADMIN_PASSWORD};
use crate::support;
use tablemap_core::api;
use tablemap_core::store::Store;
use tablemap_core::sync::server::{self, NewPerson, Role};
use tablemap_core::sync::{admin_config, Tls, TlsMode};

/// A certificate authority, and a server certificate for `localhost` signed by it.
fn private_ca() -> (String, String, String) {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "Campaign test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let server_key = rcgen::KeyPair::generate().expect("server key");
    let server = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("server params");
    let server_cert = server.signed_by(&server_key, &ca_cert, &ca_key).expect("server certificate");
    (ca_cert.pem(), server_cert.pem(), server_key.serialize_pem())
}

#[test]
fn sync_over_tls_with_the_campaigns_own_certificate_authority() {
    let (ca_pem, cert, key) = private_ca();
    let pg = TestPostgres::start_tls(&cert, &key);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("campaign-ca.pem");
    std::fs::write(&ca_file, &ca_pem).unwrap();
    let url = format!("postgres://{ADMIN}:{ADMIN_PASSWORD}@localhost:{}/postgres?sslmode=require", pg.port);
    let (config, mode) = admin_config(&url).unwrap();
    assert_eq!(mode, TlsMode::Require, "sslmode=require asks for TLS even on this machine");

    // The public roots alone do not trust the campaign's authority: the error says what to do.
    let err = server::init(&config, &Tls::plain(mode)).unwrap_err().to_string();
    assert!(err.contains("not signed by an authority Tablemap knows") && err.contains("--ca-file"), "{err}");
    // A file that is not a certificate is refused before connecting.
    std::fs::write(dir.path().join("not.pem"), "hello").unwrap();
    let err = Tls::with_ca_file(&dir.path().join("not.pem")).unwrap_err().to_string();
    assert!(err.contains("holds no certificate"), "{err}");

    let tls = Tls::with_ca_file(&ca_file).unwrap();
    assert_eq!(server::init(&config, &tls).unwrap(), (1..=server::latest()).collect::<Vec<_>>());
    let invite = server::add_user(
        &config,
        &tls,
        NewPerson { name: "Amina", role: Role::Volunteer, public_host: None },
        support::now(),
    )
    .unwrap();
    assert_eq!(invite.tls, TlsMode::Require);
    assert_eq!(invite.ca_pem.as_deref(), Some(ca_pem.as_str()), "the join code carries the authority");

    // Amina's machine joins with the code alone and syncs over TLS.
    let mut store = Store::open(&dir.path().join("amina.sqlite")).unwrap();
    let team = api::sync::join(&mut store, &invite.join_code(), support::now()).unwrap();
    api::sync::sync(&mut store, support::now()).unwrap();
    let mut client = team.connect().unwrap();
    let encrypted: bool =
        client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0);
    assert!(encrypted);

    // The CLI takes the same file.
    let db = dir.path().join("admin.sqlite");
    let refused = support::tablemap(&db, &["server", "init", "--url", &url]);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("--ca-file"), "{}", refused.stderr);
    let out =
        support::tablemap(&db, &["server", "init", "--url", &url, "--ca-file", ca_file.to_str().unwrap()])
            .ok();
    assert!(out.contains("up to date"), "{out}");
}
