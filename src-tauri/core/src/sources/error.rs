//! What can go wrong talking to Overpass, postcodes.io and Nominatim, in words a coordinator can
//! act on, and the one place that turns an HTTP exchange into those words.

use std::fmt;
use std::time::Duration;

/// The outside services Tablemap asks (the tile client has its own error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Overpass,
    Postcodes,
    Nominatim,
    Photon,
}

impl Service {
    /// What to try when the service is slow or overloaded.
    fn patience_hint(self) -> &'static str {
        match self {
            Service::Overpass => "try a smaller area, or again in a few minutes",
            Service::Postcodes | Service::Nominatim | Service::Photon => "try again in a few minutes",
        }
    }

    /// The setting that holds this service's address.
    fn setting(self) -> &'static str {
        match self {
            Service::Overpass => "the Overpass address (overpass_url)",
            Service::Postcodes => "the postcodes.io address (postcodes_url)",
            Service::Nominatim => "the Nominatim address (nominatim_url)",
            Service::Photon => "the Photon address (photon_url)",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::Overpass => "the OpenStreetMap server (Overpass API)",
            Service::Postcodes => "postcodes.io",
            Service::Nominatim => "Nominatim",
            Service::Photon => "Photon",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// We stopped waiting.
    #[error("{service} did not answer within {}; {}", seconds_text(*seconds), service.patience_hint())]
    Timeout { service: Service, seconds: u64 },
    /// The service answered, but says it stopped before finishing (Overpass's `remark`).
    #[error("{service} stopped before finishing: \"{remark}\"; nothing was imported; {}", service.patience_hint())]
    GaveUp { service: Service, remark: String },
    /// HTTP 429.
    #[error("{service} is busy and asks us to slow down (HTTP 429){}", retry_text(retry_after.as_deref()))]
    Busy { service: Service, retry_after: Option<String> },
    /// Any other answer than success.
    #[error("{}", http_text(*service, *status, detail))]
    Http { service: Service, status: u16, detail: String },
    /// The body is not JSON at all (an HTML error page, a proxy's login page, ...).
    #[error("{service} sent something that is not JSON (starting \"{start}\"; line {line}, column {column}); check {}", service.setting())]
    NotJson { service: Service, start: String, line: usize, column: usize },
    /// JSON, but broken or not in the shape the service documents.
    #[error("{service} sent malformed JSON at line {line}, column {column}: {reason}; try again, and if it keeps happening check {}", service.setting())]
    Malformed { service: Service, line: usize, column: usize, reason: String },
    /// No connection at all.
    #[error("cannot reach {service} at {url} ({reason}); check the internet connection and {}", service.setting())]
    Unreachable { service: Service, url: String, reason: String },
}

impl SourceError {
    pub fn service(&self) -> Service {
        match self {
            SourceError::Timeout { service, .. }
            | SourceError::GaveUp { service, .. }
            | SourceError::Busy { service, .. }
            | SourceError::Http { service, .. }
            | SourceError::NotJson { service, .. }
            | SourceError::Malformed { service, .. }
            | SourceError::Unreachable { service, .. } => *service,
        }
    }
}

fn seconds_text(n: u64) -> String {
    if n == 1 {
        "1 second".to_string()
    } else {
        format!("{n} seconds")
    }
}

fn retry_text(retry_after: Option<&str>) -> String {
    match retry_after.map(str::trim) {
        Some(s) if s.parse::<u64>().is_ok() => format!("; it says to wait {s} seconds before trying again"),
        Some(s) if !s.is_empty() => format!("; it says to wait until {s} before trying again"),
        _ => "; wait a minute before trying again".to_string(),
    }
}

fn http_text(service: Service, status: u16, detail: &str) -> String {
    let detail = if detail.is_empty() { String::new() } else { format!(" (\"{detail}\")") };
    match status {
        504 => format!(
            "{service} is overloaded or the request took too long (HTTP 504){detail}; {}",
            service.patience_hint()
        ),
        500..=599 => format!(
            "{service} has a problem on its side (HTTP {status}){detail}; {}",
            service.patience_hint()
        ),
        404 => format!("{service} answered \"not found\" (HTTP 404){detail}; check {}", service.setting()),
        _ => format!(
            "{service} refused the request (HTTP {status}){detail}; check {} and what was asked",
            service.setting()
        ),
    }
}

/// A service's address, with the HTTP client and the timeout every request to it uses.
pub struct Endpoint {
    pub client: reqwest::Client,
    /// Without a trailing slash.
    pub base_url: String,
    pub timeout: std::time::Duration,
}

impl Endpoint {
    pub fn new(base_url: &str, timeout: std::time::Duration) -> Self {
        Endpoint {
            client: http_client(),
            base_url: base_url.trim().trim_end_matches('/').to_string(),
            timeout,
        }
    }

    /// The address of `path` ("/search") on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// A client that names Tablemap in every request. The overall time limit is set per request.
pub(crate) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(super::USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

/// Sends `request` with a time limit and answers the body of a successful response; every
/// other outcome becomes a [`SourceError`].
pub(crate) async fn send(
    service: Service,
    url: &str,
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<Vec<u8>, SourceError> {
    let network = |e: reqwest::Error| {
        if e.is_timeout() {
            SourceError::Timeout { service, seconds: timeout.as_secs_f64().ceil() as u64 }
        } else {
            SourceError::Unreachable { service, url: url.to_string(), reason: innermost(&e) }
        }
    };
    let response = request.timeout(timeout).send().await.map_err(network)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.bytes().await.map_err(network)?;
    match status {
        200..=299 => Ok(Vec::from(body)),
        429 => Err(SourceError::Busy { service, retry_after }),
        _ => Err(SourceError::Http { service, status, detail: error_detail(&body) }),
    }
}

/// The cause at the bottom of an error chain ("Connection refused (os error 111)"), which says
/// more than reqwest's "error sending request for url".
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// What an error body says, briefly: `{"error": "..."}` (postcodes.io),
/// `{"error": {"message": "..."}}` (Nominatim), or the `Error:` lines of an HTML page (Overpass).
pub(crate) fn error_detail(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        let e = &v["error"];
        if let Some(s) = e.as_str().or_else(|| e["message"].as_str()) {
            return shorten(s);
        }
    }
    let plain = strip_tags(&text);
    let lines: Vec<&str> = plain.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let errors: Vec<&str> = lines.iter().copied().filter(|l| l.contains("Error")).collect();
    shorten(&if errors.is_empty() {
        lines.first().copied().unwrap_or_default().to_string()
    } else {
        errors.join(" ")
    })
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn shorten(s: &str) -> String {
    const MAX: usize = 200;
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= MAX {
        s
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

/// Turns a serde_json failure on `body` into [`SourceError::NotJson`] (it never was JSON) or
/// [`SourceError::Malformed`] (broken JSON, or not the documented shape).
pub(crate) fn json_error(service: Service, body: &[u8], e: &serde_json::Error) -> SourceError {
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace());
    let looks_like_json = first.is_none()
        || matches!(first, Some(b'{' | b'[' | b'"') | Some(b'0'..=b'9') | Some(b'-' | b't' | b'f' | b'n'));
    if !looks_like_json {
        let text = String::from_utf8_lossy(&body[..body.len().min(60)]);
        return SourceError::NotJson { service, start: shorten(&text), line: e.line(), column: e.column() };
    }
    // serde_json appends " at line L column C"; we say it our way.
    let reason = e.to_string();
    let reason = reason.split(" at line ").next().unwrap_or_default().to_string();
    SourceError::Malformed { service, line: e.line(), column: e.column(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_details() {
        let cases: &[(&str, &str)] = &[
            (r#"{"status":400,"error":"Invalid JSON submitted."}"#, "Invalid JSON submitted."),
            (r#"{"error":{"code":400,"message":"Parameter 'lat' missing."}}"#, "Parameter 'lat' missing."),
            (
                "<html><body><p>The data included in this document is from www.openstreetmap.org.</p>\n\
                 <p><strong style=\"color:#FF0000\">Error</strong>: line 2: parse error: ';' expected - ')' found. </p>\n</body></html>",
                "Error: line 2: parse error: ';' expected - ')' found.",
            ),
            ("Service Unavailable", "Service Unavailable"),
            ("", ""),
        ];
        for (body, want) in cases {
            assert_eq!(error_detail(body.as_bytes()), *want, "{body}");
        }
        assert_eq!(error_detail("x".repeat(500).as_bytes()).chars().count(), 201);
    }

    #[test]
    fn messages_say_what_to_do() {
        let cases: Vec<(SourceError, &[&str])> = vec![
            (
                SourceError::Busy { service: Service::Overpass, retry_after: Some("30".into()) },
                &["HTTP 429", "wait 30 seconds"],
            ),
            (
                SourceError::Busy { service: Service::Postcodes, retry_after: None },
                &["postcodes.io", "wait a minute"],
            ),
            (
                SourceError::Http { service: Service::Overpass, status: 504, detail: String::new() },
                &["overloaded", "smaller area"],
            ),
            (
                SourceError::Http { service: Service::Nominatim, status: 500, detail: "boom".into() },
                &["HTTP 500", "\"boom\"", "try again"],
            ),
            (
                SourceError::Http { service: Service::Postcodes, status: 400, detail: "Invalid JSON".into() },
                &["refused", "postcodes_url"],
            ),
            (
                SourceError::Timeout { service: Service::Overpass, seconds: 90 },
                &["90 seconds", "smaller area"],
            ),
            (
                SourceError::GaveUp {
                    service: Service::Overpass,
                    remark: "runtime error: Query timed out".into(),
                },
                &["stopped before finishing", "timed out", "nothing was imported"],
            ),
            (
                SourceError::Malformed {
                    service: Service::Overpass,
                    line: 3,
                    column: 7,
                    reason: "EOF".into(),
                },
                &["malformed JSON", "line 3, column 7"],
            ),
        ];
        for (e, words) in cases {
            let text = e.to_string();
            for w in words {
                assert!(text.contains(w), "{text:?} should contain {w:?}");
            }
        }
    }

    #[test]
    fn json_errors_are_told_apart() {
        let cases: &[(&str, &str)] = &[
            ("<html>Bad gateway</html>", "not JSON"),
            ("{\"elements\": [", "malformed JSON at line 1"),
            ("{\"elements\": 3}", "malformed JSON"),
            ("\n\n{\"elements\": [}", "line 3, column"),
        ];
        for (body, want) in cases {
            let e = serde_json::from_slice::<std::collections::HashMap<String, Vec<u8>>>(body.as_bytes())
                .expect_err("error");
            let text = json_error(Service::Overpass, body.as_bytes(), &e).to_string();
            assert!(text.contains(want), "{body:?}: {text}");
        }
    }
}
