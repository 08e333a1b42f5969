//! What the viewer's proxies ([`crate::watch`], [`crate::ads`]) share on the player's side: the
//! player's activity (which ends a session when it goes quiet), the loopback server that stops
//! then, the playlist and metadata passed through, and answers that are bytes or a problem.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    http::{header, HeaderValue, StatusCode},
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
