//! The viewer's proxy: a local HTTP server on loopback that any HLS player points at (ffmpeg,
//! ffplay, mpv, VLC, hls.js). It opens a channel to the producer for the video (the deposit
//! capped), answers every 402 by signing the next voucher and asking again, and hands the player
//! only segments whose bytes hash to the ids in the video's metadata.
//!
//! What a player never sees: a 402 (ffmpeg skips a 402 segment silently; hls.js gives up on any
//! 4xx). A segment that cannot be had is a 502 with an RFC 9457 problem. A segment whose bytes
//! are wrong is fetched once more (it is paid already, so the retry is free) and refused if it
//! is still wrong. Payment runs at most [`WatchConfig::ahead`] segments ahead of playback time,
//! so a client that drains the playlist at once (`ffmpeg -c copy`) is paced, not paid for far
//! ahead. When the player goes quiet the proxy asks the producer to close the channel for what
//! was paid, or requests a close on chain when the producer does not.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use alloy_primitives::{keccak256, Address, B256, U256};
use axum::{
    extract::{Path as UrlPath, State},
    http::{header, HeaderValue, StatusCode},
    response::Response,
    Router,
};

use crate::{
    chain::Suite,
    channel::{self, ChannelError, Funding, Params},
    keys::UnlockedKey,
    media::{self, Metadata},
    payee::{AcceptError, Payer},
    player,
    serve::protocol::{
        Challenge, ChannelParams, Credential, PaymentRequest, Problem, VoucherPayload,
    },
    store::ChannelStore,
};

/// How the proxy watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchConfig {
    /// The video's base URL on the producer's server (`http://host:port/videos/<id>/`).
    pub source: String,
    /// Where the player connects (loopback; port 0 picks one).
    pub listen: SocketAddr,
    /// The most segments the channel's deposit covers.
    pub max_segments: u64,
    /// How many segments may be paid ahead of playback time.
    pub ahead: u64,
    /// How long without a player request ends the session.
    pub idle_stop: Duration,
    /// Pay from this account through the avatar, the session's key being one of its spending
    /// keys (`openFor`; the key signs the vouchers); `None`: the key's own account pays.
    pub payer: Option<Address>,
    /// How long a segment request waits for an unreachable producer (one restarting) before
    /// the player gets a 502.
    pub patience: Duration,
    /// Web pages (`http://127.0.0.1:8000`) whose player (hls.js) may use the proxy; a request
    /// from any other page is refused with a 403, so no page can make it pay.
    pub allowed_origins: Vec<String>,
}

impl WatchConfig {
    /// `source` on `127.0.0.1:0`, a deposit of up to 1,000 segments, 3 ahead, 10 s idle.
    #[must_use]
    pub fn new(source: impl Into<String>) -> Self {
        let mut source = source.into();
        if !source.ends_with('/') {
            source.push('/');
        }
        Self {
            source,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_segments: 1_000,
            ahead: 3,
            idle_stop: Duration::from_secs(10),
            payer: None,
            patience: Duration::from_secs(30),
            allowed_origins: Vec::new(),
        }
    }
}

/// Why watching failed.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The producer could not be reached or answered something unusable.
    #[error("producer {url}: {why}")]
    Producer {
        /// What was asked.
        url: String,
        /// What went wrong.
        why: String,
    },
    /// The producer asks for payment on another chain, adjudicator or token than ours.
    #[error("the producer asks for {what} {got}, this chain has {expected}")]
    WrongChain {
        /// Which field.
        what: &'static str,
        /// What the producer asked.
        got: String,
        /// What we have.
        expected: String,
    },
    /// Opening or closing the channel failed.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// A voucher could not be signed or recorded.
    #[error(transparent)]
    Sign(#[from] AcceptError),
    /// The local listener could not be bound.
    #[error("cannot listen on {addr}: {error}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        error: std::io::Error,
    },
    /// A store task on the blocking pool did not finish (it panicked, or the runtime is
    /// shutting down).
    #[error("the store's task did not finish: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Where a watching session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Segments handed to the player (distinct).
    pub segments: u64,
    /// The highest voucher signed, in segments.
    pub paid_segments: u64,
    /// PTI wei those vouchers are worth.
    pub spent: U256,
}

struct Session {
    challenge: Challenge,
    /// Signatures by cumulative count.
    signed: HashMap<u64, [u8; 65]>,
    delivered: std::collections::BTreeSet<u64>,
}

/// A watching session: the channel and the proxy's state.
pub struct Watch<S> {
    config: WatchConfig,
    http: reqwest::Client,
    metadata: Metadata,
    /// Shared with the blocking pool, where each voucher is signed and written.
    payer: Arc<Payer<Arc<S>>>,
    key: Arc<UnlockedKey>,
    params: Params,
    /// The channel's id.
    pub id: B256,
    /// The payer's approval and the open, as mined; `None` when the session resumed a channel
    /// an earlier one opened.
    pub opened: Option<channel::Opened>,
    /// Segments already paid on the channel when this session started (0 for a new channel).
    pub resumed_at: u64,
    started: Instant,
    segment_millis: u64,
    session: Mutex<Session>,
    /// The player's requests (a paced one may wait for seconds).
    activity: Arc<player::Activity>,
    /// Serialises payment: vouchers are signed and sent in order.
    paying: tokio::sync::Mutex<()>,
}

impl<S: ChannelStore + 'static> Watch<S> {
    /// Reads the video's metadata from the producer, learns the price from its first 402, and
    /// opens a channel paid by `key` (deposit: the price × the smaller of the video's length and
    /// [`WatchConfig::max_segments`]) — or resumes one: a channel in `store` with the same payer,
    /// signer, producer, video and price, open on chain, with deposit left (a session that
    /// crashed or was stopped). Segments it paid for are fetched again without paying again.
    ///
    /// # Errors
    /// [`WatchError::Producer`], [`WatchError::WrongChain`], [`WatchError::Channel`].
    pub async fn open(
        config: WatchConfig,
        suite: &Suite<'_>,
        store: Arc<S>,
        key: Arc<UnlockedKey>,
    ) -> Result<Self, WatchError> {
        let http = reqwest::Client::new();
        let metadata_url = format!("{}{}", config.source, media::METADATA);
        let (status, _, body) = fetch(&http, &metadata_url, None).await?;
        let metadata: Metadata = (status == StatusCode::OK)
            .then(|| serde_json::from_slice(&body).ok())
            .flatten()
            .ok_or_else(|| WatchError::Producer {
                url: metadata_url.clone(),
                why: format!("{status}: not a package's metadata"),
            })?;
        let first = metadata.segments.first().ok_or_else(|| WatchError::Producer {
            url: metadata_url,
            why: "the video has no segments".into(),
        })?;
        let url = format!("{}{}", config.source, first.uri);
        let (status, headers, _) = fetch(&http, &url, None).await?;
        let challenge = headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|h| h.to_str().ok())
            .and_then(parse_challenge)
            .filter(|_| status == StatusCode::PAYMENT_REQUIRED)
            .ok_or_else(|| WatchError::Producer {
                url: url.clone(),
                why: format!("{status} without a Payment challenge"),
            })?;
        let request = challenge
            .payment_request()
            .map_err(|why| WatchError::Producer { url: url.clone(), why })?;
        check_request(&request, suite)?;
        let price: U256 = request.amount.parse().map_err(|_| WatchError::Producer {
            url,
            why: format!("price {:?}", request.amount),
        })?;
        let (payer, signer, funding) = match config.payer {
            Some(payer) => (payer, key.address(), Funding::SpendingKey(key.address())),
            None => (key.address(), Address::ZERO, Funding::Payer),
        };
        let params = Params {
            payer,
            payee: request.recipient,
            signer,
            videoId: request.method_details.video_id,
            pricePerSegment: price,
            salt: keccak256(format!("{}:{:?}", config.source, std::time::SystemTime::now())),
        };
        let segment_millis = metadata.segments.iter().map(|s| s.millis).max().unwrap_or(2_000);
        let (id, params, opened, best) =
            if let Some((stored, best)) = resumable(&store, suite, &params).await? {
                (stored.id, channel::params_of(&stored), None, best)
            } else {
                let covered = config.max_segments.min(metadata.segments.len() as u64);
                let deposit = price * U256::from(covered);
                let opened = channel::open(&*store, suite, &params, deposit, funding).await?;
                (opened.id, params, Some(opened), None)
            };
        let resumed_at = best.as_ref().map_or(0, |b| b.segments);
        // A resumed session's playback clock starts where the paid segments end.
        let started = Instant::now()
            .checked_sub(Duration::from_millis(resumed_at.saturating_mul(segment_millis)))
            .unwrap_or_else(Instant::now);
        let watch = Self {
            http,
            metadata,
            payer: Arc::new(Payer::new(store)),
            key,
            params,
            id,
            opened,
            resumed_at,
            started,
            segment_millis: segment_millis.max(1),
            session: Mutex::new(Session {
                challenge,
                signed: best
                    .iter()
                    .filter_map(|b| {
                        Some((b.segments, <[u8; 65]>::try_from(b.signature.as_slice()).ok()?))
                    })
                    .collect(),
                delivered: std::collections::BTreeSet::new(),
            }),
            paying: tokio::sync::Mutex::new(()),
            activity: Arc::new(player::Activity::new()),
            config,
        };
        if resumed_at > 0 {
            // The last voucher may have been recorded here and never reached the producer:
            // present it once with the segment it pays for, so the producer holds it.
            let last = usize::try_from(resumed_at - 1).unwrap_or(usize::MAX);
            if last < watch.metadata.segments.len() {
                watch.segment(last).await.map_err(|problem| WatchError::Producer {
                    url: watch.config.source.clone(),
                    why: problem.detail,
                })?;
            }
        }
        Ok(watch)
    }

    /// Binds the proxy; the player's URL is `http://<addr>/index.m3u8`.
    ///
    /// # Errors
    /// [`WatchError::Listen`].
    pub async fn bind(&self) -> Result<tokio::net::TcpListener, WatchError> {
        tokio::net::TcpListener::bind(self.config.listen)
            .await
            .map_err(|error| WatchError::Listen { addr: self.config.listen, error })
    }

    /// Serves the player on `listener` until it has been quiet for [`WatchConfig::idle_stop`]
    /// (or `stop` resolves), then closes the session ([`Watch::finish`]).
    ///
    /// # Errors
    /// [`WatchError`] from closing.
    pub async fn run(
        self: Arc<Self>,
        listener: tokio::net::TcpListener,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<Closed, WatchError> {
        let origins = player::Origins::new(&self.config.allowed_origins);
        let app = Router::new()
            .route("/{file}", axum::routing::get(proxy::<S>))
            .with_state(Arc::clone(&self))
            .layer(axum::middleware::from_fn_with_state(origins, player::guard));
        let activity = Arc::clone(&self.activity);
        player::serve_until_quiet(listener, app, activity, self.config.idle_stop, stop).await;
        self.finish().await
    }

    /// Where the session is.
    #[must_use]
    pub fn progress(&self) -> Progress {
        let session = self.lock();
        let paid = session.signed.keys().max().copied().unwrap_or(0);
        Progress {
            segments: session.delivered.len() as u64,
            paid_segments: paid,
            spent: self.params.pricePerSegment * U256::from(paid),
        }
    }

    /// Ends the session: asks the producer to close the channel for what was paid; when it will
    /// not, requests the close on chain (the payer withdraws the rest after the grace period).
    ///
    /// # Errors
    /// [`WatchError`] when neither worked.
    pub async fn finish(&self) -> Result<Closed, WatchError> {
        let paid = self.progress().paid_segments;
        let url = format!("{}close", self.config.source);
        if paid > 0 {
            let auth = self.credential(paid);
            let closed = self.http.post(&url).header(header::AUTHORIZATION, auth).send().await;
            if let Ok(response) = closed {
                let status = response.status();
                if status == StatusCode::OK {
                    let answer: serde_json::Value = response.json_value().await;
                    let transaction =
                        answer["transactionHash"].as_str().and_then(|t| t.parse().ok());
                    return Ok(Closed::ByProducer { segments: paid, transaction });
                }
                tracing::warn!(%status, "the producer did not close");
            }
        }
        Ok(Closed::Requested { segments: paid })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The smallest count signed in this session that pays for `needed` segments.
    fn paid_for(&self, needed: u64) -> Option<u64> {
        self.lock().signed.keys().filter(|&&c| c >= needed).min().copied()
    }

    fn credential(&self, segments: u64) -> String {
        let session = self.lock();
        let signature = session.signed.get(&segments).copied().unwrap_or([0; 65]);
        Credential {
            challenge: session.challenge.clone(),
            payload: VoucherPayload {
                channel: ChannelParams::from(&self.params),
                segments,
                signature: signature.to_vec().into(),
            },
        }
        .header()
    }

    /// Segment `index` for the player: paced, paid, fetched and checked.
    async fn segment(&self, index: usize) -> Result<Vec<u8>, Problem> {
        let needed = index as u64 + 1;
        let bad = |detail: String| Problem::new("bad-gateway", "Bad Gateway", 502, detail);
        if needed > self.config.max_segments {
            return Err(bad(format!(
                "segment {index} is beyond the {} segments this session pays for",
                self.config.max_segments
            )));
        }
        // Paid already (a retry, or a resumed session): the voucher covering it again.
        let count = if let Some(count) = self.paid_for(needed) {
            count
        } else {
            // Pace: pay at most `ahead` segments beyond what playback has reached.
            let allowed_at = self.started
                + Duration::from_millis(
                    needed.saturating_sub(self.config.ahead) * self.segment_millis,
                );
            tokio::time::sleep_until(allowed_at.into()).await;
            let _paying = self.paying.lock().await;
            if self.paid_for(needed).is_none() {
                // Signed and made durable on the blocking pool: the write waits for an fsync.
                let (payer, key, id) = (Arc::clone(&self.payer), Arc::clone(&self.key), self.id);
                let signature = tokio::task::spawn_blocking(move || payer.sign(id, needed, &key))
                    .await
                    .map_err(|e| bad(format!("signing the voucher: {e}")))?
                    .map_err(|e| bad(e.to_string()))?;
                self.lock().signed.insert(needed, signature);
            }
            self.paid_for(needed).unwrap_or(needed)
        };
        let want = self.metadata.segments[index].cid;
        let url = format!("{}{}", self.config.source, self.metadata.segments[index].uri);
        let mut last = String::new();
        let deadline = Instant::now() + self.config.patience;
        let mut answered = 0;
        while answered < 3 {
            let (status, headers, body) =
                match fetch(&self.http, &url, Some(self.credential(count))).await {
                    Ok(answer) => answer,
                    // The producer is unreachable (restarting?): wait for it, within patience.
                    Err(error) if Instant::now() < deadline => {
                        tracing::debug!(%error, "producer unreachable, asking again");
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        continue;
                    }
                    Err(error) => return Err(bad(error.to_string())),
                };
            answered += 1;
            match status {
                StatusCode::OK => match media::check(index, &body, want) {
                    Ok(()) => {
                        self.lock().delivered.insert(needed);
                        return Ok(body);
                    }
                    // Paid already: asking again costs nothing.
                    Err(error) => last = error.to_string(),
                },
                StatusCode::PAYMENT_REQUIRED => {
                    // A new challenge (the server restarted, or ours is stale): answer it.
                    let fresh = headers
                        .get(header::WWW_AUTHENTICATE)
                        .and_then(|h| h.to_str().ok())
                        .and_then(parse_challenge);
                    last = format!("402: {}", String::from_utf8_lossy(&body));
                    match fresh {
                        Some(challenge) => self.lock().challenge = challenge,
                        None => break,
                    }
                }
                StatusCode::SERVICE_UNAVAILABLE => {
                    last = format!("503: {}", String::from_utf8_lossy(&body));
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                other => {
                    last = format!("{other}: {}", String::from_utf8_lossy(&body));
                    break;
                }
            }
        }
        Err(bad(format!("segment {index}: {last}")))
    }
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The producer closed the channel on chain for `segments`.
    ByProducer {
        /// Segments paid.
        segments: u64,
        /// The producer's close transaction, as it answered.
        transaction: Option<B256>,
    },
    /// The producer did not close; the caller should request the close on chain.
    Requested {
        /// Segments paid.
        segments: u64,
    },
}

/// A channel in `store` that a new session for `wanted` (any salt) can go on with: ours as
/// payer, the same terms, not closing in the store nor on chain, with deposit for one more
/// segment; with its last voucher.
async fn resumable<S: ChannelStore + 'static>(
    store: &Arc<S>,
    suite: &Suite<'_>,
    wanted: &Params,
) -> Result<Option<(crate::store::StoredChannel, Option<crate::store::StoredVoucher>)>, WatchError>
{
    let domain = channel::domain(suite);
    let (reading, wanted) = (Arc::clone(store), wanted.clone());
    // The candidates and their last vouchers, read on the blocking pool.
    let candidates = tokio::task::spawn_blocking(move || {
        let matching = reading.channels()?.into_iter().filter(|c| {
            c.role == crate::store::Role::Payer
                && c.chain_id == domain.chain_id
                && c.adjudicator == domain.adjudicator
                && (c.payer, c.payee, c.signer, c.video_id)
                    == (wanted.payer, wanted.payee, wanted.signer, wanted.videoId)
                && c.price_per_segment == wanted.pricePerSegment
                && !c.finalized
                && c.close_requested_at.is_none()
        });
        matching
            .map(|c| reading.best_voucher(c.id).map(|best| (c, best)))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?
    .map_err(ChannelError::from)?;
    for (stored, best) in candidates {
        let paid = best.as_ref().map_or(0, |b| b.segments);
        let state = suite.channel_state(stored.id).await.map_err(ChannelError::from)?;
        let next = stored.price_per_segment.checked_mul(U256::from(paid + 1));
        if state.phase == channel::Phase::Open && next.is_some_and(|n| n <= state.deposit) {
            return Ok(Some((stored, best)));
        }
    }
    Ok(None)
}

fn check_request(request: &PaymentRequest, suite: &Suite<'_>) -> Result<(), WatchError> {
    let details = &request.method_details;
    let ours = (suite.chain().chain_id(), suite.contracts.payment_channels, suite.contracts.token);
    if details.chain_id != ours.0 {
        return Err(WatchError::WrongChain {
            what: "chain",
            got: details.chain_id.to_string(),
            expected: ours.0.to_string(),
        });
    }
    if details.escrow_contract != ours.1 {
        return Err(WatchError::WrongChain {
            what: "adjudicator",
            got: details.escrow_contract.to_string(),
            expected: ours.1.to_string(),
        });
    }
    if request.currency != ours.2 {
        return Err(WatchError::WrongChain {
            what: "token",
            got: request.currency.to_string(),
            expected: ours.2.to_string(),
        });
    }
    Ok(())
}

/// A response body as JSON (`null` when it is not).
trait JsonValue {
    async fn json_value(self) -> serde_json::Value;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> serde_json::Value {
        match self.bytes().await {
            Ok(body) => serde_json::from_slice(&body).unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        }
    }
}

/// Parses `Payment id="…", realm="…", method="…", intent="…", request="…"`.
#[must_use]
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let rest = header.strip_prefix("Payment ")?;
    let mut fields = HashMap::new();
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=')?;
        fields.insert(name, value.trim_matches('"').to_owned());
    }
    let mut take = |name: &str| fields.remove(name);
    Some(Challenge {
        id: take("id")?,
        realm: take("realm")?,
        method: take("method")?,
        intent: take("intent")?,
        request: take("request")?,
    })
}

async fn fetch(
    http: &reqwest::Client,
    url: &str,
    auth: Option<String>,
) -> Result<(StatusCode, reqwest::header::HeaderMap, Vec<u8>), WatchError> {
    let producer = |why: String| WatchError::Producer { url: url.to_owned(), why };
    let mut request = http.get(url).timeout(Duration::from_secs(30));
    if let Some(auth) = auth {
        request = request.header(header::AUTHORIZATION, auth);
    }
    let response = request.send().await.map_err(|e| producer(e.to_string()))?;
    let status =
        StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| producer(e.to_string()))?;
    Ok((status, headers, body.to_vec()))
}

async fn proxy<S: ChannelStore + 'static>(
    State(watch): State<Arc<Watch<S>>>,
    UrlPath(file): UrlPath<String>,
) -> Response {
    let _active = watch.activity.begin();
    let answer = if file == media::PLAYLIST || file == media::METADATA {
        player::pass_through(&watch.http, &watch.config.source, &file).await
    } else if let Some(index) = watch.metadata.segments.iter().position(|s| s.uri == file) {
        watch.segment(index).await.map(|body| (body, HeaderValue::from_static("video/mp2t")))
    } else {
        Err(Problem::new("not-found", "Not Found", 404, format!("no {file} in this video")))
    };
    player::respond(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_challenge_reads_the_header_the_server_writes() {
        let request = PaymentRequest {
            amount: "1".into(),
            unit_type: "segment".into(),
            suggested_deposit: "2".into(),
            currency: Address::ZERO,
            recipient: Address::ZERO,
            method_details: crate::serve::protocol::MethodDetails {
                chain_id: 1,
                escrow_contract: Address::ZERO,
                video_id: B256::ZERO,
                segment: 0,
                segments: 1,
            },
        };
        let challenge = Challenge::new(&[1; 32], "realm", &request);
        assert_eq!(parse_challenge(&challenge.header()), Some(challenge));
        assert_eq!(parse_challenge("Bearer x"), None);
        assert_eq!(parse_challenge("Payment id=\"a\""), None);
    }
}
