//! `make bench-serve`: the sticker link under load on loopback for 10 s (TABLEMAP_BENCH_SECONDS),
//! from a bounded Rust client (keep-alive connections, every request a new visitor by its
//! browser string and X-Forwarded-For, so every one should count), beside nginx answering
//! `return 302` on the same machine in the same run: requests/s, p50 and p99, the ratio, and the
//! count in PostgreSQL against the scans that should count. Ignored by `make test` (figures,
//! not a check of speed).

use crate::web::{scene, Scene, Service};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Connections kept open at once.
const CONNECTIONS: usize = 32;

struct Load {
    answered: u64,
    by_status: std::collections::BTreeMap<u16, u64>,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

/// Reads one response off `stream`: its status, with the body skipped by Content-Length.
async fn response(stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                .unwrap_or(0);
            let total = end + 4 + length;
            while buf.len() < total {
                let mut chunk = [0u8; 16384];
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.drain(..total);
            return Ok(status);
        }
        let mut chunk = [0u8; 16384];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// `CONNECTIONS` keep-alive clients sending `GET path` for `seconds`.
fn load(addr: std::net::SocketAddr, path: &str, seconds: u64) -> Load {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    let visitor = Arc::new(AtomicU32::new(1));
    let started = Instant::now();
    let stop = started + Duration::from_secs(seconds);
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..CONNECTIONS {
            let (path, visitor) = (path.to_string(), visitor.clone());
            tasks.push(tokio::spawn(async move {
                let connect = || async {
                    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
                    stream.set_nodelay(true).expect("nodelay");
                    stream
                };
                let mut stream = connect().await;
                let (mut latencies, mut statuses, mut buf) = (Vec::new(), Vec::new(), Vec::new());
                while Instant::now() < stop {
                    let n = visitor.fetch_add(1, Ordering::Relaxed);
                    let request = format!(
                        "GET {path} HTTP/1.1\r\nHost: go.campaign.example\r\nUser-Agent: Mozilla/5.0 (Mobile) bench/{n}\r\n\
                         X-Forwarded-For: 10.{}.{}.{}\r\n\r\n",
                        (n >> 16) & 255,
                        (n >> 8) & 255,
                        n & 255
                    );
                    let t = Instant::now();
                    let sent = stream.write_all(request.as_bytes()).await;
                    match sent.and(Ok(())) {
                        Ok(()) => match response(&mut stream, &mut buf).await {
                            Ok(status) => {
                                latencies.push(t.elapsed());
                                statuses.push(status);
                            }
                            // The server closed a kept-alive connection: open another.
                            Err(_) => {
                                buf.clear();
                                stream = connect().await;
                            }
                        },
                        Err(_) => {
                            buf.clear();
                            stream = connect().await;
                        }
                    }
                }
                (latencies, statuses)
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.push(t.await.expect("client"));
        }
        all
    });
    let elapsed = started.elapsed();
    let mut out = Load { answered: 0, by_status: Default::default(), latencies: Vec::new(), elapsed };
    for (latencies, statuses) in results {
        out.answered += statuses.len() as u64;
        for s in statuses {
            *out.by_status.entry(s).or_default() += 1;
        }
        out.latencies.extend(latencies);
    }
    out.latencies.sort();
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, l: &Load) -> f64 {
    let rate = l.answered as f64 / l.elapsed.as_secs_f64();
    println!(
        "serve: {name}: {rate:.0} requests/s over {:.1} s, {CONNECTIONS} connections; p50 {:.2} ms, p99 {:.2} ms; statuses {:?}",
        l.elapsed.as_secs_f64(),
        percentile(&l.latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&l.latencies, 0.99).as_secs_f64() * 1000.0,
        l.by_status
    );
    rate
}

/// nginx answering `return 302` on a free port, in a folder of its own; killed on drop.
struct Nginx {
    child: std::process::Child,
    addr: std::net::SocketAddr,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start() -> Option<Nginx> {
        let dir = tempfile::tempdir().expect("dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let conf = dir.path().join("nginx.conf");
        let d = dir.path().display();
        std::fs::write(
            &conf,
            format!(
                "worker_processes 2; daemon off; pid {d}/nginx.pid; error_log {d}/error.log;\n\
                 events {{ worker_connections 1024; }}\n\
                 http {{ access_log off; keepalive_requests 10000000; client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d};\n\
                 uwsgi_temp_path {d}; scgi_temp_path {d};\n\
                 server {{ listen 127.0.0.1:{port}; location / {{ return 302 https://mc.example/; }} }} }}\n"
            ),
        )
        .ok()?;
        let nginx = ["/usr/sbin/nginx", "nginx"]
            .into_iter()
            .find(|p| std::process::Command::new(p).arg("-v").output().is_ok())?;
        let child = std::process::Command::new(nginx)
            .args(["-e", &format!("{d}/error.log"), "-p", &d.to_string(), "-c"])
            .arg(&conf)
            .spawn()
            .ok()?;
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().ok()?;
        let started = Instant::now();
        while std::net::TcpStream::connect(addr).is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Nginx { child, addr, _dir: dir })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "a benchmark: make bench-serve"]
fn web_bench_serve() {
    let seconds: u64 =
        std::env::var("TABLEMAP_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let Scene { team, printed, url, .. } = scene();
    let service = Service::start_behind(&url, Some("127.0.0.1".parse().expect("ip")));
    let path = format!("/S/{}", printed[0]);
    crate::web::until(service.addr, &path, 200);
    let ours = load(service.addr, &path, seconds);
    assert!(service.stop().is_ok());
    let rate = report("tablemap-server, a sticker's page (each request a new visitor, counted)", &ours);
    let counted: i64 = team
        .admin()
        .query_one(
            "SELECT coalesce(sum(count), 0)::bigint FROM tablemap.scans WHERE code = $1",
            &[&printed[0]],
        )
        .expect("count")
        .get(0);
    let should = ours.by_status.get(&200).copied().unwrap_or(0);
    println!(
        "serve: scans counted in PostgreSQL: {counted}; that should count: {should} ({})",
        if counted as u64 == should { "equal" } else { "NOT EQUAL" }
    );
    match Nginx::start() {
        Some(nginx) => {
            let theirs = load(nginx.addr, "/S/CODE", seconds);
            let peer = report("nginx, return 302 (the peer)", &theirs);
            println!("serve: tablemap-server answers {:.2}x nginx's requests/s (goal: 0.5x or more, p99 under 5 ms)", rate / peer);
        }
        None => println!("serve: no peer figure (nginx is not installed: apt-get install nginx)"),
    }
}
