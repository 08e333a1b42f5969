//! The commands that talk to the chain: `deploy`, `channel …`, `video …`, `keys authorize`,
//! `watchtower`.

use std::{
    io::{BufRead, Write},
    time::Duration,
};

use alloy_primitives::{hex, keccak256, Address, B256, U256};
use clap::Subcommand;
use paratii_companion::{
    chain::Suite,
    channel::{self, Funding, Params},
    deploy::{self, DeployConfig},
    payee::{Payee, Payer},
    store::{ChannelStore, Role},
};
use serde_json::{json, Value};

use crate::context::{ChainArgs, Context};

#[derive(Subcommand)]
pub(crate) enum Channels {
    /// Opens a channel as its payer (you), or for the payer with a spending key (--for).
    Open {
        /// Who is paid.
        #[arg(long)]
        payee: Address,
        /// The video (a registered id, or any 32 bytes the two sides agree on).
        #[arg(long)]
        video: B256,
        /// PTI wei per segment.
        #[arg(long)]
        price: U256,
        /// PTI wei escrowed.
        #[arg(long)]
        deposit: U256,
        /// Who signs the vouchers (default: the payer).
        #[arg(long)]
        signer: Option<Address>,
        /// Tells apart channels with equal other parameters (default: random).
        #[arg(long)]
        salt: Option<B256>,
        /// Open for this payer with your spending key (through the avatar).
        #[arg(long = "for")]
        for_user: Option<Address>,
    },
    /// Records a channel someone opened to you, after checking it on chain.
    Incoming {
        /// Who pays.
        #[arg(long)]
        payer: Address,
        /// Who signs the vouchers (default: the payer).
        #[arg(long)]
        signer: Option<Address>,
        /// The video.
        #[arg(long)]
        video: B256,
        /// PTI wei per segment.
        #[arg(long)]
        price: U256,
        /// The channel's salt.
        #[arg(long)]
        salt: B256,
    },
    /// Adds to a channel's deposit (payer).
    TopUp {
        /// The channel.
        id: B256,
        /// PTI wei to add.
        #[arg(long)]
        amount: U256,
    },
    /// The store's channels, reconciled with the chain (one, or all).
    Status {
        /// One channel.
        id: Option<B256>,
    },
    /// Signs the vouchers up to SEGMENTS (payer): each is recorded before it is printed, one per
    /// line, `<segments> <signature>`.
    Sign {
        /// The channel.
        id: B256,
        /// The running total to sign up to.
        segments: u64,
    },
    /// Accepts vouchers (payee): `<channel> <segments> <signature>` per line on standard input,
    /// answering `accepted <segments>` once each is on disk, or `refused <why>`.
    Accept,
    /// Settles a channel with its best voucher (payee).
    Settle {
        /// The channel.
        id: B256,
    },
    /// Settles, in one transaction, every channel whose unsettled vouchers are worth at least
    /// --threshold (payee).
    SettleAll {
        /// PTI wei.
        #[arg(long, default_value_t = U256::ZERO)]
        threshold: U256,
    },
    /// Closes a channel with its best voucher (payee).
    Close {
        /// The channel.
        id: B256,
    },
    /// Asks to close a channel (payer); the payee may close with its best voucher during the
    /// grace period.
    RequestClose {
        /// The channel.
        id: B256,
    },
    /// Takes back what is left once the grace period is over (payer).
    Withdraw {
        /// The channel.
        id: B256,
    },
}

#[derive(Subcommand)]
pub(crate) enum Videos {
    /// Cuts a video file into HLS segments with ffmpeg (each named by its IPFS id, `CIDv1` raw
    /// sha2-256), writes `index.m3u8`, the segments and `metadata.json` to --out, and with
    /// --price registers the video on chain with the digests of the source, the playlist and the
    /// metadata.
    Package {
        /// The video file.
        file: std::path::PathBuf,
        /// Where the package goes (default: the file's name without extension, beside it).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Target segment duration, seconds.
        #[arg(long, default_value_t = 2)]
        segment_seconds: u32,
        /// Register the video at this price (PTI wei per purchase).
        #[arg(long)]
        price: Option<U256>,
        /// The registration's salt (default: the metadata's IPFS id).
        #[arg(long, requires = "price")]
        salt: Option<String>,
    },
    /// Registers a video you own.
    Register {
        /// Tells your videos apart; the id is keccak256(abi.encode(owner, keccak256(SALT))).
        #[arg(long)]
        salt: String,
        /// PTI wei.
        #[arg(long)]
        price: U256,
        /// The original's IPFS digest (sha2-256).
        #[arg(long)]
        original: B256,
        /// The transcoded version's digest (default: none yet).
        #[arg(long, default_value_t = B256::ZERO)]
        transcoded: B256,
        /// The metadata's digest.
        #[arg(long, default_value_t = B256::ZERO)]
        metadata: B256,
    },
    /// Buys a video at its price (approving the avatar for it first).
    Buy {
        /// The video.
        id: B256,
    },
    /// Likes (or with --dislike, dislikes) a video.
    Like {
        /// The video.
        id: B256,
        /// Dislike instead.
        #[arg(long)]
        dislike: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum Pti {
    /// PTI and ether balances of an account (default: you).
    Balance {
        /// The account.
        account: Option<Address>,
    },
    /// Sends PTI wei.
    Transfer {
        /// The recipient.
        to: Address,
        /// PTI wei.
        amount: U256,
    },
    /// Lets SPENDER move up to AMOUNT PTI wei of yours (replacing any earlier allowance): the
    /// suite's `avatar` before a spending key opens channels for you (`watch --payer`), its
    /// `channels` adjudicator, or any address.
    Approve {
        /// `avatar`, `channels`, or an address.
        spender: String,
        /// PTI wei.
        amount: U256,
    },
}

/// `paratii pti …`.
pub(crate) fn pti(args: ChainArgs, command: Pti) -> Result<Value, String> {
    with_chain(args, move |c| {
        Box::pin(async move {
            let suite = c.chain.suite(c.contracts()?);
            match command {
                Pti::Balance { account } => {
                    let account = match account {
                        Some(a) => a,
                        None => c.me()?,
                    };
                    Ok(json!({
                        "account": account,
                        "pti": suite.pti_balance(account).await.map_err(e)?.to_string(),
                        "eth": c.chain.eth_balance(account).await.map_err(e)?.to_string(),
                    }))
                }
                Pti::Transfer { to, amount } => {
                    Ok(tx(&suite.transfer(c.me()?, to, amount).await.map_err(e)?))
                }
                Pti::Approve { spender, amount } => {
                    let spender = match spender.as_str() {
                        "avatar" => suite.contracts.avatar,
                        "channels" => suite.contracts.payment_channels,
                        other => other.parse().map_err(|error| {
                            format!(
                                "spender {other:?}: not avatar, channels or an address: {error}"
                            )
                        })?,
                    };
                    let mined = suite.approve(c.me()?, spender, amount).await.map_err(e)?;
                    Ok(
                        json!({ "spender": spender, "amount": amount.to_string(), "approve": tx(&mined) }),
                    )
                }
            }
        })
    })
}

#[derive(Subcommand)]
pub(crate) enum Authorize {
    /// Lets KEY spend up to --cap PTI wei of yours through the avatar until it expires.
    Spending {
        /// The key's address.
        key: Address,
        /// PTI wei.
        #[arg(long)]
        cap: U256,
        /// Seconds from now.
        #[arg(long, default_value_t = 86_400)]
        expires_in: u64,
    },
    /// Lets KEY vote for you until it expires.
    Posting {
        /// The key's address.
        key: Address,
        /// Seconds from now.
        #[arg(long, default_value_t = 86_400)]
        expires_in: u64,
        /// Authorise for this user with your spending key.
        #[arg(long = "for")]
        for_user: Option<Address>,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// Runs `f` with a connected context, and stops the in-process chain (saving it) after.
pub(crate) fn with_chain<F>(args: ChainArgs, f: F) -> Result<Value, String>
where
    F: for<'a> FnOnce(
        &'a Context,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Value, String>> + 'a>,
    >,
{
    runtime()?.block_on(async move {
        let context = args.connect().await?;
        let answer = f(&context).await;
        context.finish()?;
        answer
    })
}

fn tx(mined: &paratii_companion::chain::Mined) -> Value {
    json!({ "transactionHash": mined.tx, "gasUsed": mined.gas_used, "block": mined.block })
}

fn e(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// `paratii deploy`.
pub(crate) fn deploy(
    args: ChainArgs,
    owner: Option<Address>,
    holder: Option<Address>,
) -> Result<Value, String> {
    with_chain(args, move |c| {
        Box::pin(async move {
            let me = c.me()?;
            let config = DeployConfig::new(owner.unwrap_or(me), holder.unwrap_or(me));
            let bar = indicatif::ProgressBar::new(19);
            let (record, steps) = deploy::deploy_suite(&c.chain, me, &config, |step| {
                bar.set_message(step.to_owned());
                bar.inc(1);
            })
            .await
            .map_err(e)?;
            bar.finish_and_clear();
            let path = c.record_path();
            record.save(&path).map_err(e)?;
            Ok(
                json!({ "record": path, "contracts": record.contracts().map_err(e)?, "steps": steps }),
            )
        })
    })
}

fn status_json(c: &paratii_companion::store::StoredChannel, best: Option<u64>) -> Value {
    json!({
        "id": c.id,
        "role": if c.role == Role::Payer { "payer" } else { "payee" },
        "payer": c.payer, "payee": c.payee, "signer": c.voucher_signer(), "video": c.video_id,
        "pricePerSegment": c.price_per_segment.to_string(), "deposit": c.deposit.to_string(),
        "settled": c.settled, "bestVoucher": best, "closeRequestedAt": c.close_requested_at,
        "finalized": c.finalized,
    })
}

/// `paratii channel …`.
pub(crate) fn channel(args: ChainArgs, command: Channels) -> Result<Value, String> {
    if let Channels::Accept = command {
        return accept(&args);
    }
    with_chain(args, move |c| Box::pin(channel_on(c, command)))
}

async fn channel_on(c: &Context, command: Channels) -> Result<Value, String> {
    let store = c.store()?;
    if let Channels::Sign { id, segments } = command {
        // The channel's domain and terms are in the store: no deployment record needed.
        return sign(c, &store, id, segments);
    }
    let suite = c.chain.suite(c.contracts()?);
    match command {
        Channels::Open { payee, video, price, deposit, signer, salt, for_user } => {
            let me = c.me()?;
            let (payer, funding) = match for_user {
                Some(user) => (user, Funding::SpendingKey(me)),
                None => (me, Funding::Payer),
            };
            let params = Params {
                payer,
                payee,
                signer: signer.unwrap_or_default(),
                videoId: video,
                pricePerSegment: price,
                salt: salt.unwrap_or_else(|| B256::from(rand::random::<[u8; 32]>())),
            };
            if funding != Funding::Payer && params.signer.is_zero() {
                return Err(
                    "with --for, pass --signer (the key that will sign the vouchers)".into()
                );
            }
            let opened =
                channel::open(&store, &suite, &params, deposit, funding).await.map_err(e)?;
            Ok(json!({ "id": opened.id, "salt": params.salt, "open": tx(&opened.open) }))
        }
        Channels::Incoming { payer, signer, video, price, salt } => {
            let params = Params {
                payer,
                payee: c.me()?,
                signer: signer.unwrap_or_default(),
                videoId: video,
                pricePerSegment: price,
                salt,
            };
            let stored = channel::accept_incoming(&store, &suite, &params).await.map_err(e)?;
            Ok(status_json(&stored, None))
        }
        Channels::TopUp { id, amount } => {
            Ok(tx(&channel::top_up(&store, &suite, id, amount).await.map_err(e)?))
        }
        Channels::Status { id } => {
            let reconciled = match id {
                Some(id) => vec![channel::reconcile_one(&store, &suite, id).await.map_err(e)?],
                None => channel::reconcile(&store, &suite).await.map_err(e)?,
            };
            let mut out = Vec::new();
            for (stored, _) in reconciled {
                let best = store.best_voucher(stored.id).map_err(e)?.map(|v| v.segments);
                out.push(status_json(&stored, best));
            }
            Ok(json!({ "channels": out }))
        }
        Channels::Settle { id } => Ok(tx(&channel::settle(&store, &suite, id).await.map_err(e)?)),
        Channels::SettleAll { threshold } => {
            let report = channel::settle_batch(&store, &suite, c.me()?, threshold, Vec::new())
                .await
                .map_err(e)?;
            Ok(serde_json::to_value(report).map_err(e)?)
        }
        Channels::Close { id } => Ok(tx(&channel::close(&store, &suite, id).await.map_err(e)?)),
        Channels::RequestClose { id } => {
            Ok(tx(&channel::request_close(&store, &suite, id).await.map_err(e)?))
        }
        Channels::Withdraw { id } => {
            Ok(tx(&channel::withdraw(&store, &suite, id).await.map_err(e)?))
        }
        Channels::Accept | Channels::Sign { .. } => Err("handled above".into()),
    }
}

/// Signs from the best recorded voucher + 1 up to `through`, each recorded before it is printed.
fn sign(
    c: &Context,
    store: &paratii_companion::store::SqliteStore,
    id: B256,
    through: u64,
) -> Result<Value, String> {
    let key = c.key.as_ref().ok_or("sign needs --keystore (the channel's signer)")?;
    let from = store.best_voucher(id).map_err(e)?.map_or(0, |v| v.segments);
    let payer = Payer::new(store);
    let mut last = None;
    let mut out = std::io::stdout().lock();
    for n in from + 1..=through {
        let signature = payer.sign(id, n, key).map_err(e)?;
        writeln!(out, "{n} {}", hex::encode_prefixed(signature))
            .and_then(|()| out.flush())
            .map_err(|error| format!("voucher {n} is recorded but could not be sent: {error}"))?;
        last = Some(n);
    }
    Ok(json!({ "channel": id, "signedThrough": last.unwrap_or(from) }))
}

/// `paratii channel accept`: the payee's voucher intake, off chain (the channel's terms are in
/// the store). Each answer is printed only once the voucher is durable.
fn accept(args: &ChainArgs) -> Result<Value, String> {
    let store = args.open_store_offline()?;
    let payee = Payee::new(store);
    let (mut accepted, mut refused) = (0u64, 0u64);
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(e)?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        let parsed = match fields.as_slice() {
            [channel, segments, signature] => channel
                .parse::<B256>()
                .ok()
                .zip(segments.parse::<u64>().ok())
                .zip(hex::decode(signature).ok()),
            _ => None,
        };
        let answer = match parsed {
            None => "refused malformed line: want <channel> <segments> <signature>".to_owned(),
            Some(((channel, segments), signature)) => {
                match payee.accept(channel, segments, &signature) {
                    Ok(n) => {
                        accepted += 1;
                        format!("accepted {n}")
                    }
                    Err(error) => {
                        refused += 1;
                        format!("refused {error}")
                    }
                }
            }
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{answer}").and_then(|()| out.flush()).map_err(e)?;
    }
    Ok(json!({ "accepted": accepted, "refused": refused }))
}

/// `paratii video …`.
pub(crate) fn video(args: ChainArgs, command: Videos) -> Result<Value, String> {
    if let Videos::Package { file, out, segment_seconds, price: None, .. } = &command {
        let package = package(file, out.as_deref(), *segment_seconds)?;
        return Ok(package_json(&package));
    }
    with_chain(args, move |c| Box::pin(video_on(c, command)))
}

fn package(
    file: &std::path::Path,
    out: Option<&std::path::Path>,
    segment_seconds: u32,
) -> Result<paratii_companion::media::Package, String> {
    let out = out.map_or_else(|| file.with_extension(""), std::path::Path::to_path_buf);
    if out == file {
        return Err(format!(
            "{}: give --out (the package cannot replace its source)",
            file.display()
        ));
    }
    let packager = paratii_companion::media::Packager { segment_seconds, ..Default::default() };
    packager.package(file, &out).map_err(e)
}

fn package_json(package: &paratii_companion::media::Package) -> Value {
    let (original, transcoded, metadata) = package.digests();
    json!({
        "dir": package.dir,
        "segments": package.metadata.segments.len(),
        "millis": package.metadata.segments.iter().map(|s| s.millis).sum::<u64>(),
        "metadataCid": package.metadata_cid.to_string(),
        "original": original,
        "transcoded": transcoded,
        "metadata": metadata,
    })
}

async fn video_on(c: &Context, command: Videos) -> Result<Value, String> {
    let suite = c.chain.suite(c.contracts()?);
    let me = c.me()?;
    match command {
        Videos::Package { file, out, segment_seconds, price, salt } => {
            let price = price.unwrap_or_default();
            let package = tokio::task::spawn_blocking(move || {
                package(&file, out.as_deref(), segment_seconds)
            })
            .await
            .map_err(e)??;
            let salt =
                keccak256(salt.unwrap_or_else(|| package.metadata_cid.to_string()).as_bytes());
            let (original, transcoded, metadata) = package.digests();
            let videos = suite.videos();
            let call = videos.registerVideo(salt, me, price, original, transcoded, metadata);
            let mined = c.chain.send("registerVideo", me, call).await.map_err(e)?;
            let mut out = package_json(&package);
            out["id"] = json!(paratii_contracts::video_id(me, salt));
            out["register"] = tx(&mined);
            Ok(out)
        }
        Videos::Register { salt, price, original, transcoded, metadata } => {
            let salt = keccak256(salt.as_bytes());
            let videos = suite.videos();
            let call = videos.registerVideo(salt, me, price, original, transcoded, metadata);
            let mined = c.chain.send("registerVideo", me, call).await.map_err(e)?;
            Ok(json!({ "id": paratii_contracts::video_id(me, salt), "register": tx(&mined) }))
        }
        Videos::Buy { id } => {
            let terms = c.chain.view("saleTerms", suite.videos().saleTerms(id)).await.map_err(e)?;
            let price = terms._1;
            suite.approve(me, suite.contracts.avatar, price).await.map_err(e)?;
            let store = suite.store();
            let mined = c
                .chain
                .send("buyVideo", me, store.buyVideo(id, B256::ZERO, price))
                .await
                .map_err(e)?;
            Ok(json!({ "price": price.to_string(), "buy": tx(&mined) }))
        }
        Videos::Like { id, dislike } => {
            let users = suite.users();
            let mined =
                c.chain.send("likeVideo", me, users.likeVideo(id, !dislike)).await.map_err(e)?;
            Ok(json!({ "liked": !dislike, "vote": tx(&mined) }))
        }
    }
}

/// `paratii keys authorize …`.
pub(crate) fn authorize(args: ChainArgs, command: Authorize) -> Result<Value, String> {
    with_chain(args, move |c| {
        Box::pin(async move {
            let suite: Suite<'_> = c.chain.suite(c.contracts()?);
            let me = c.me()?;
            let now = c.chain.now().await.map_err(e)?;
            match command {
                Authorize::Spending { key, cap, expires_in } => {
                    let avatar = suite.avatar();
                    let call = avatar.authorizeSpendingKey(key, cap, now + expires_in);
                    let mined = c.chain.send("authorizeSpendingKey", me, call).await.map_err(e)?;
                    Ok(
                        json!({ "spendingKey": key, "cap": cap.to_string(), "expiry": now + expires_in, "authorize": tx(&mined) }),
                    )
                }
                Authorize::Posting { key, expires_in, for_user } => {
                    let users = suite.users();
                    let call =
                        users.authorizePostingKey(for_user.unwrap_or(me), key, now + expires_in);
                    let mined = c.chain.send("authorizePostingKey", me, call).await.map_err(e)?;
                    Ok(
                        json!({ "postingKey": key, "expiry": now + expires_in, "authorize": tx(&mined) }),
                    )
                }
            }
        })
    })
}

/// `paratii watchtower`: reconciles and answers close requests every --interval, settling
/// above --settle-threshold; Ctrl-C or SIGTERM stops it between passes.
pub(crate) fn watchtower(
    args: ChainArgs,
    interval: u64,
    threshold: Option<U256>,
    once: bool,
) -> Result<Value, String> {
    with_chain(args, move |c| {
        Box::pin(async move {
            let suite = c.chain.suite(c.contracts()?);
            let store = c.store()?;
            let me = c.me()?;
            let mut terminate =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .map_err(e)?;
            let mut passes = 0u64;
            let mut closed = Vec::new();
            let mut tower = channel::Watchtower::new(&store, suite);
            loop {
                let report = tower.pass().await.map_err(e)?;
                closed.extend(report.closed.iter().copied());
                if let Some(threshold) = threshold {
                    let batch = channel::settle_batch(&store, &suite, me, threshold, Vec::new())
                        .await
                        .map_err(e)?;
                    if !batch.settled.is_empty() {
                        tracing::info!(
                            settled = batch.settled.len(),
                            gas = batch.gas_used,
                            "batch settled"
                        );
                    }
                }
                passes += 1;
                tracing::info!(watched = report.watched, closed = report.closed.len(), "pass");
                if once {
                    break;
                }
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(interval)) => {}
                    _ = tokio::signal::ctrl_c() => break,
                    _ = terminate.recv() => break,
                }
            }
            Ok(json!({ "passes": passes, "closed": closed }))
        })
    })
}
