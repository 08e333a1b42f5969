//! What the viewer's proxies ([`crate::watch`], [`crate::ads`]) share on the player's side: the
//! player's activity (which ends a session when it goes quiet), the loopback server that stops
//! then, which web pages may use it, the playlist and metadata passed through, and answers that
//! are bytes or a problem.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Router,
};

use crate::{media, serve::protocol::Problem};

/// When the player last asked for something, and how many of its requests are being answered.
#[derive(Debug)]
pub(crate) struct Activity {
    state: Mutex<(Instant, usize)>,
}

/// A request being answered: counted until dropped.
pub(crate) struct Active<'a>(&'a Activity);

impl Activity {
    pub(crate) fn new() -> Self {
        Self { state: Mutex::new((Instant::now(), 0)) }
    }

    /// Counts a request until the guard drops.
    pub(crate) fn begin(&self) -> Active<'_> {
        let mut state = self.lock();
        *state = (Instant::now(), state.1 + 1);
        Active(self)
    }

    /// Whether no request is being answered and none came for `idle`.
    fn quiet_for(&self, idle: Duration) -> bool {
        let state = self.lock();
        state.1 == 0 && state.0.elapsed() >= idle
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Instant, usize)> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Active<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        *state = (Instant::now(), state.1.saturating_sub(1));
    }
}

/// The web pages (origins, `http://127.0.0.1:8000`) a proxy answers, besides players outside a
/// browser.
///
/// A browser names the page behind a request: in `Origin` (CORS requests, such as hls.js's), in
/// `Referer`, and in `Sec-Fetch-Site` (whether the page is this proxy's own origin). Players
/// outside a browser (ffmpeg, `GStreamer`, mpv, VLC) send none of them. Every segment the viewer's
/// proxy fetches is paid for, so a page the viewer happens to have open must not be able to make
/// it fetch (a `<video>` or `<img>` pointing at it would do): a request from another page's
/// origin is refused (403 `forbidden-origin`) unless that origin was allowed, and an allowed one
/// gets the CORS headers a player in that page needs to read the answers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins(Arc<Vec<String>>);

impl Origins {
    /// `origins`, each as `scheme://host[:port]` without a trailing slash.
    pub(crate) fn new(origins: &[String]) -> Self {
        Self(Arc::new(origins.iter().map(|o| o.trim_end_matches('/').to_owned()).collect()))
    }

    fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o == origin)
    }
}

/// The page origin a browser's request comes from: its `Origin`, else the origin of its
/// `Referer`, when `Sec-Fetch-Site` does not say it is the proxy's own page (or the viewer's
/// typing); `None` for a request from outside a browser or from the proxy's own origin.
fn page_origin(headers: &HeaderMap) -> Option<String> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = text("origin") {
        return Some(origin.to_owned());
    }
    let site = text("sec-fetch-site");
    if matches!(site, None | Some("same-origin" | "none")) {
        return None;
    }
    // Another page and no `Origin`: the referrer's origin, or an unnamed page.
    let referer = text("referer").unwrap_or("");
    let origin = referer
        .split_once("://")
        .map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or("")));
    Some(origin.unwrap_or_else(|| "an unnamed page".to_owned()))
}

/// The `Host` a request names when it is not this machine's loopback (`127.0.0.1`, `[::1]`,
/// `localhost`, any port); `None` for those, and when there is no `Host` (HTTP/1.0).
fn foreign_host(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?;
    let Ok(host) = host.to_str() else {
        return Some(String::from_utf8_lossy(host.as_bytes()).into());
    };
    let name = if host.starts_with('[') {
        host.split(']').next().map_or(host, |n| &n[1..])
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    (!loopback).then(|| host.to_owned())
}

/// The middleware that applies [`Origins`] (and refuses a `Host` other than loopback) to every
/// request of a proxy.
pub(crate) async fn guard(
    State(origins): State<Origins>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(host) = foreign_host(request.headers()) {
        // DNS rebinding: a page of another site whose name now points at this machine is, to
        // the browser, on its own origin; the name it asked for gives it away.
        let problem = Problem::new(
            "forbidden-host",
            "Forbidden",
            403,
            format!("this proxy answers only for this machine's loopback address, not {host}"),
        );
        return respond(Err(problem));
    }
    let Some(origin) = page_origin(request.headers()) else {
        return next.run(request).await;
    };
    if !origins.allows(&origin) {
        let problem = Problem::new(
            "forbidden-origin",
            "Forbidden",
            403,
            format!(
                "a web page at {origin} may not use this proxy, which pays for what it fetches \
                 (allow it with --allow-origin)"
            ),
        );
        return respond(Err(problem));
    }
    let Ok(value) = HeaderValue::from_str(&origin) else {
        return respond(Err(Problem::new("forbidden-origin", "Forbidden", 403, "bad origin")));
    };
    let mut response = if request.method() == Method::OPTIONS {
        let mut preflight = StatusCode::NO_CONTENT.into_response();
        let headers = preflight.headers_mut();
        headers.insert("access-control-allow-methods", HeaderValue::from_static("GET"));
        headers.insert("access-control-allow-headers", HeaderValue::from_static("range"));
        headers.insert("access-control-max-age", HeaderValue::from_static("600"));
        preflight
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", value);
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// Serves the player on `listener` until it has been quiet for `idle` or `stop` resolves.
pub(crate) async fn serve_until_quiet(
    listener: tokio::net::TcpListener,
    app: Router,
    activity: Arc<Activity>,
    idle: Duration,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let quiet = async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if activity.quiet_for(idle) {
                return;
            }
        }
    };
    let until = async move {
        tokio::select! {
            () = quiet => {},
            () = stop => {},
        }
    };
    if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(until).await {
        tracing::warn!(%error, "the proxy's listener failed");
    }
}

/// The playlist or the metadata from `source`, as it came.
pub(crate) async fn pass_through(
    http: &reqwest::Client,
    source: &str,
    file: &str,
) -> Result<(Vec<u8>, HeaderValue), Problem> {
    let url = format!("{source}{file}");
    let bad = |detail: String| Problem::new("bad-gateway", "Bad Gateway", 502, detail);
    let response = http
        .get(&url)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .map_err(|e| bad(format!("{url}: {e}")))?;
    let (status, kind) = (response.status(), response.headers().get(header::CONTENT_TYPE).cloned());
    let body = response.bytes().await.map_err(|e| bad(format!("{url}: {e}")))?;
    if status != reqwest::StatusCode::OK {
        return Err(bad(format!("{url}: {status}: {}", String::from_utf8_lossy(&body))));
    }
    let fallback = if file == media::PLAYLIST {
        "application/vnd.apple.mpegurl"
    } else {
        "application/octet-stream"
    };
    Ok((body.to_vec(), kind.unwrap_or(HeaderValue::from_static(fallback))))
}

/// The player's answer: the bytes with their type, or the problem with its status.
pub(crate) fn respond(answer: Result<(Vec<u8>, HeaderValue), Problem>) -> Response {
    match answer {
        Ok((body, kind)) => {
            let mut response = Response::new(Body::from(body));
            response.headers_mut().insert(header::CONTENT_TYPE, kind);
            response
        }
        Err(problem) => {
            let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let mut response =
                (status, serde_json::to_vec(&problem).unwrap_or_default()).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v)))
            .collect()
    }

    #[test]
    fn page_origin_is_none_for_players_outside_a_browser_and_the_proxys_own_page() {
        assert_eq!(page_origin(&headers(&[])), None);
        assert_eq!(page_origin(&headers(&[("sec-fetch-site", "same-origin")])), None);
        assert_eq!(page_origin(&headers(&[("sec-fetch-site", "none")])), None);
    }

    #[test]
    fn page_origin_names_the_page_from_origin_then_referer() {
        let fetch =
            headers(&[("origin", "http://127.0.0.1:8000"), ("sec-fetch-site", "same-site")]);
        assert_eq!(page_origin(&fetch).as_deref(), Some("http://127.0.0.1:8000"));
        let embed = headers(&[
            ("sec-fetch-site", "cross-site"),
            ("referer", "https://elsewhere.example/some/page?x=1"),
        ]);
        assert_eq!(page_origin(&embed).as_deref(), Some("https://elsewhere.example"));
        let anonymous = headers(&[("sec-fetch-site", "cross-site")]);
        assert_eq!(page_origin(&anonymous).as_deref(), Some("an unnamed page"));
    }

    #[test]
    fn foreign_host_is_none_only_for_loopback_names() {
        for host in ["127.0.0.1:8403", "localhost:8403", "LOCALHOST", "[::1]:8403", "127.0.0.2"] {
            assert_eq!(foreign_host(&headers(&[("host", host)])), None, "{host}");
        }
        assert_eq!(foreign_host(&headers(&[])), None);
        for host in ["evil.example:8403", "evil.example", "192.168.1.2:8403", "[2001:db8::1]:80"] {
            assert_eq!(foreign_host(&headers(&[("host", host)])).as_deref(), Some(host));
        }
    }

    #[test]
    fn origins_allow_only_what_was_given_without_a_trailing_slash() {
        let origins = Origins::new(&["http://127.0.0.1:8000/".to_owned()]);
        assert!(origins.allows("http://127.0.0.1:8000"));
        assert!(!origins.allows("http://127.0.0.1:8001"));
        assert!(!Origins::default().allows("http://127.0.0.1:8000"));
    }
}
