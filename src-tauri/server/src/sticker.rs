//! Sticker links: `GET <base path>/<CODE>`. A code up at a restaurant on the public map shows a
//! small page in the visitor's language ("You found #MigrantsContribute at Zaza Kitchen"), with
//! links to the venue on the map and to the campaign; anything else (no code, an unknown, blank,
//! missing or unlisted one, any other path) is a 303 to the landing address, never an error page.

use crate::app::State;
use crate::html::{escape, isolated, sentence, CONTENT_SECURITY_POLICY};
use crate::snapshot::{Snapshot, Venue};
use axum::extract;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tablemap_core::domain::sticker_code;
use tablemap_core::i18n;
use tablemap_core::stickers::campaign::Campaign;

/// The code a path names, if it sits under the campaign's sticker address (scheme and host are
/// upper-cased on stickers, and a person may type the path in any case: compared lower-cased;
/// codes read as a person types them).
pub fn code_in(path: &str, base_path: &str) -> Option<String> {
    let path = path.trim_end_matches('/');
    let (prefix, last) = path.rsplit_once('/')?;
    (prefix.to_ascii_lowercase() == base_path).then(|| sticker_code::normalise(last)).flatten()
}

/// The venue a path's code is up at, with the campaign's words.
pub fn venue_for<'a>(snapshot: &'a Snapshot, path: &str) -> Option<(&'a Venue, &'a Campaign)> {
    let code = code_in(path, snapshot.base_path.as_deref()?)?;
    let venue = snapshot.venues.get(snapshot.code_venue.get(&code)?)?;
    Some((venue, snapshot.campaign.as_ref()?))
}

/// The visitor's address: the connection's, or the one the trusted proxy says it served.
fn visitor(
    peer: std::net::SocketAddr,
    trusted: Option<std::net::IpAddr>,
    headers: &HeaderMap,
) -> std::net::IpAddr {
    if Some(peer.ip()) != trusted {
        return peer.ip();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .next_back()
        .unwrap_or(peer.ip())
}

pub async fn link(
    extract::State(state): extract::State<State>,
    extract::ConnectInfo(peer): extract::ConnectInfo<std::net::SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let snapshot = crate::refresh::current(&state.snapshot);
    let printed = snapshot
        .base_path
        .as_deref()
        .and_then(|base| code_in(uri.path(), base))
        .filter(|code| snapshot.codes.contains(code));
    if let Some(code) = printed {
        let browser = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let address = visitor(peer, state.trusted_proxy, &headers);
        state.counter.scan(&state.pool, &code, address, browser, chrono::Utc::now()).await;
    }
    let Some((venue, campaign)) = venue_for(&snapshot, uri.path()) else {
        return to_landing(&state.landing);
    };
    let language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or("en", i18n::from_accept_language);
    let body = page(venue, campaign, &state.landing, language);
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

fn to_landing(landing: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(landing) {
        h.insert(header::LOCATION, location);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The page: the campaign's headline, "You found … at …", the venue's address and cuisines, and
/// two links. Every text that came from a person is escaped.
pub fn page(venue: &Venue, campaign: &Campaign, landing: &str, language: &str) -> String {
    let t = |key: &str, args: &[(&str, &str)]| sentence(&i18n::text(language, key), args);
    let found = t("web.found", &[("headline", &campaign.headline), ("name", &venue.name)]);
    let address: Vec<&str> =
        [venue.address.as_deref(), venue.postcode.as_deref()].into_iter().flatten().collect();
    let second =
        campaign.second_line.as_deref().map(|s| format!("<p>{}</p>", isolated(s))).unwrap_or_default();
    let address = if address.is_empty() {
        String::new()
    } else {
        format!("<p class=\"address\">{}</p>", isolated(&address.join(", ")))
    };
    let cuisines = if venue.cuisines.is_empty() {
        String::new()
    } else {
        format!("<p class=\"cuisines\">{}</p>", isolated(&venue.cuisines.join(", ")))
    };
    let dir = if i18n::right_to_left(language) { "rtl" } else { "ltr" };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<title>{title}</title>\n\
         <link rel=\"stylesheet\" href=\"/assets/sticker.css\">\n</head>\n<body>\n<main>\n\
         <p class=\"headline\">{headline}</p>\n<h1>{found}</h1>\n{second}\n{address}\n{cuisines}\n\
         <nav class=\"links\">\n<a class=\"primary\" href=\"/map#{id}\">{on_map}</a>\n\
         <a href=\"{landing}\">{more}</a>\n</nav>\n</main>\n</body>\n</html>\n",
        lang = escape(language),
        title = escape(&crate::html::fill(
            &i18n::text(language, "web.found"),
            &[("headline", &campaign.headline), ("name", &venue.name)]
        )),
        headline = isolated(&campaign.headline),
        id = escape(&venue.id),
        on_map = t("web.onMap", &[("name", &venue.name)]),
        landing = escape(landing),
        more = t("web.more", &[("campaign", &campaign.name)]),
    )
}

/// The page's stylesheet (assets/web/sticker.css), cached for a day.
pub async fn stylesheet() -> Response {
    let mut response = include_str!("../../../assets/web/sticker.css").into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_from_paths_under_the_sticker_address() {
        let cases = [
            ("/s/7K3M9QZ", "/s", Some("7K3M9QZ")),
            ("/S/7k3m9qz", "/s", Some("7K3M9QZ")),
            ("/S/7K3-M9Q-Z/", "/s", Some("7K3M9QZ")),
            ("/7K3M9QZ", "", Some("7K3M9QZ")),
            ("/other/7K3M9QZ", "/s", None),
            ("/s/7K3M9QU", "/s", None),
            ("/s/", "/s", None),
            ("/", "", None),
            ("/s/x/7K3M9QZ", "/s", None),
        ];
        for (path, base, want) in cases {
            assert_eq!(code_in(path, base).as_deref(), want, "{path} under {base:?}");
        }
    }

    #[test]
    fn the_page_is_in_the_visitors_language_and_escapes_what_people_typed() {
        let venue = Venue {
            id: "01J".into(),
            name: "<script>alert(1)</script> Kitchen".into(),
            address: Some("1 High St".into()),
            postcode: Some("E8 1AA".into()),
            cuisines: vec!["ethiopian".into()],
            lat: 51.5,
            lon: -0.07,
            sticker_placed: true,
        };
        let campaign = Campaign::default();
        let en = page(&venue, &campaign, "https://mc.example/", "en");
        assert!(
            en.contains("You found #MigrantsContribute at &lt;script&gt;alert(1)&lt;/script&gt; Kitchen"),
            "{en}"
        );
        assert!(!en.contains("<script>"), "{en}");
        assert!(en.contains("href=\"/map#01J\"") && en.contains("dir=\"ltr\""), "{en}");
        let ar = page(&venue, &campaign, "https://mc.example/", "ar");
        assert!(ar.contains("dir=\"rtl\"") && ar.contains("lang=\"ar\"") && ar.contains("وجدت"), "{ar}");
    }
}
