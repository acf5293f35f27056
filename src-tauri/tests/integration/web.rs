//! The campaign's web service (`tablemap-server`) served in-process on loopback against the
//! throwaway PostgreSQL, spoken to over plain HTTP/1.1 as a proxy would.

use crate::pg_server::TestPostgres;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use tablemap_server::{app, database};

/// One request; answers the status code and the whole response.
fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: go.campaign.example\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let code = response.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (code, response)
}

/// A running service and what stops it.
struct Service {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), tablemap_server::ServerError>>>,
}

impl Service {
    fn start(database_url: &str) -> Service {
        let (pool, _) = database::pool(database_url, 4).expect("pool");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = app::State { pool, landing: "https://mc.example/".into() };
        let thread = std::thread::spawn(move || {
            runtime.block_on(tablemap_server::serve(listener, state, async {
                let _ = stopped.await;
            }))
        });
        Service { addr, stop: Some(stop), thread: Some(thread) }
    }

    /// Stops it as SIGTERM would; answers how `serve` ended.
    fn stop(mut self) -> Result<(), tablemap_server::ServerError> {
        let _ = self.stop.take().expect("running").send(());
        self.thread.take().expect("running").join().expect("the service's thread")
    }
}

#[test]
fn web_healthz_says_whether_the_database_answers_and_the_service_stops_cleanly() {
    let pg = TestPostgres::start();
    let service = Service::start(&pg.admin_url());
    let (code, response) = get(service.addr, "/healthz");
    assert_eq!(code, 200, "{response}");
    assert!(response.ends_with("ok\n"), "{response}");
    let lower = response.to_ascii_lowercase();
    for header in ["referrer-policy: no-referrer", "x-content-type-options: nosniff"] {
        assert!(lower.contains(header), "{header}: {response}");
    }
    // An address the service does not serve (yet) is a plain 404, not an error page.
    assert_eq!(get(service.addr, "/nothing-here").0, 404);

    // The database goes away: the health check says so, and the service itself keeps answering.
    drop(pg);
    let (code, response) = get(service.addr, "/healthz");
    assert_eq!(code, 503, "{response}");
    assert!(response.ends_with("the database is not reachable\n"), "{response}");
    assert!(service.stop().is_ok());
}
