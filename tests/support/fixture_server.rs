//! A small HTTP/1.1 server on 127.0.0.1 for tests: it stands in for services we cannot reach
//! (tile servers, Overpass, Nominatim and postcodes.io), answering from fixtures in
//! their exact formats. The production client is the same; only its base URL points here.
//! Shared by the Rust integration tests and the end-to-end tests (included with `#[path]`).

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path without the query string: `/search`.
    pub path: String,
    /// The raw query string after `?` (empty when there is none): `q=1+Mare+St&format=jsonv2`.
    pub query: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// The body as sent (`Content-Length` bytes).
    pub body: Vec<u8>,
    /// When the request had been read in full (to measure the spacing between requests).
    pub received_at: Instant,
}

impl Request {
    /// A query-string parameter, decoded (`+` and `%XX`).
    pub fn query_param(&self, name: &str) -> Option<String> {
        form_value(&self.query, name)
    }

    /// A field of an `application/x-www-form-urlencoded` body, decoded.
    pub fn form_param(&self, name: &str) -> Option<String> {
        form_value(&String::from_utf8_lossy(&self.body), name)
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The first `name=value` pair of a URL-encoded string, decoded.
fn form_value(encoded: &str, name: &str) -> Option<String> {
    encoded.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (url_decode(k) == name).then(|| url_decode(v))
    })
}

fn url_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (to test time-outs).
    pub delay: Duration,
}

impl Response {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response { status, headers: Vec::new(), body: body.into(), delay: Duration::ZERO }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync + 'static;

pub struct FixtureServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FixtureServer {
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (log, flag) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (handler, log) = (handler.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        FixtureServer { addr, requests, stop, thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (path, query) = (path.to_string(), query.to_string());
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let mut body = Vec::new();
    if let Some(len) = headers.get("content-length").and_then(|l| l.parse::<usize>().ok()) {
        body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            body.clear();
        }
    }
    let request = Request { method, path, query, headers, body, received_at: Instant::now() };
    if let Ok(mut l) = log.lock() {
        l.push(request.clone());
    }
    let response = handler(&request);
    std::thread::sleep(response.delay);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response.status));
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", response.body.len()));
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&response.body);
    let _ = out.flush();
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// A tile server that answers every `/{z}/{x}/{y}.png` with the fixture tile and the headers
/// tile.openstreetmap.org sends (see tests/fixtures/tiles/README.md).
pub fn tile_server(tile_png: Vec<u8>) -> FixtureServer {
    FixtureServer::start(move |req| {
        let parts: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
        if parts.len() == 3 && parts[2].ends_with(".png") {
            if req.headers.get("if-none-match").map(String::as_str) == Some("\"fixture-tile-1\"") {
                return Response::new(304, Vec::new()).header("Cache-Control", "max-age=86400");
            }
            Response::new(200, tile_png.clone())
                .header("Content-Type", "image/png")
                .header(
                    "Cache-Control",
                    "max-age=86400, stale-while-revalidate=604800, stale-if-error=604800",
                )
                .header("ETag", "\"fixture-tile-1\"")
                .header("Access-Control-Allow-Origin", "*")
        } else {
            Response::new(404, "Not Found").header("Content-Type", "text/plain")
        }
    })
}
