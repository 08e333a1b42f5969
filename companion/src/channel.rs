//! Channels on chain and in the store together: opening (the channel is recorded before the
//! transaction is sent, so a crash leaves a channel the next reconcile completes, never an
//! escrow the store does not know), learning an incoming channel from the chain, reconciling the
//! store with the chain, settling and closing with the best voucher, the watchtower that answers
//! a close request before its grace period ends, and the batch settler.

use alloy_primitives::{Address, B256, U256};

use alloy_network::TransactionBuilder;
use alloy_provider::DynProvider;
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::SolEvent;

use crate::{
    chain::{bindings::IPaymentChannels, ChainError, Mined, Suite},
    store::{blocking, ChannelStore, PendingTx, Role, StoreError, StoredChannel},
    voucher::{Domain, VoucherError},
};

/// The channel's parameters as the adjudicator takes them.
pub type Params = IPaymentChannels::Channel;

/// A channel's phase on chain (`channelState`'s last field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Never opened.
    None,
    /// Open.
    Open,
    /// A close was requested; the grace period runs.
    Closing,
    /// The grace period is over; the payer may withdraw.
    Withdrawable,
    /// Closed.
    Finalized,
}

/// A channel's state on chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnChain {
    /// Escrowed over the channel's life, PTI wei.
    pub deposit: U256,
    /// Segments settled.
    pub settled: u64,
    /// When a close was requested (unix seconds), if it was.
    pub close_requested_at: Option<u64>,
    /// Whether it is closed.
    pub finalized: bool,
    /// Its phase now.
    pub phase: Phase,
}

/// Why a channel operation failed. The store is as it was unless the error says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// The chain refused or failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A voucher failed its checks.
    #[error(transparent)]
    Voucher(#[from] VoucherError),
    /// The channel is not open on chain (or its parameters are not the opened channel's).
    #[error("channel {0} is not open on chain")]
    NotOpen(B256),
    /// No voucher is recorded above what the chain settled.
    #[error("channel {channel}: no voucher above the {settled} segments settled")]
    NothingToSettle {
        /// The channel.
        channel: B256,
        /// Segments settled on chain.
        settled: u64,
    },
    /// A spending key opens from an account's PTI through the avatar, which the account must
    /// have approved for the deposit (the key cannot approve for it). Nothing was sent.
    #[error(
        "{owner} lets the avatar {spender} move {allowance} PTI wei, the deposit needs \
         {needed}: the account approves it first (paratii pti approve avatar AMOUNT)"
    )]
    AllowanceTooLow {
        /// The paying account.
        owner: Address,
        /// The avatar.
        spender: Address,
        /// What the account allows it.
        allowance: U256,
        /// The deposit.
        needed: U256,
    },
}

/// The id the adjudicator gives `params` on this chain.
#[must_use]
pub fn channel_id(chain_id: u64, adjudicator: Address, params: &Params) -> B256 {
    let params = paratii_contracts::channels::Channel {
        payer: params.payer,
        payee: params.payee,
        signer: params.signer,
        videoId: params.videoId,
        pricePerSegment: params.pricePerSegment,
        salt: params.salt,
    };
    paratii_contracts::eip712::channel_id(chain_id, adjudicator, &params)
}

/// The stored channel's parameters.
#[must_use]
pub fn params_of(stored: &StoredChannel) -> Params {
    Params {
        payer: stored.payer,
        payee: stored.payee,
        signer: stored.signer,
        videoId: stored.video_id,
        pricePerSegment: stored.price_per_segment,
        salt: stored.salt,
    }
}

/// The vouchers' domain on `suite`'s chain.
#[must_use]
pub fn domain(suite: &Suite<'_>) -> Domain {
    Domain { chain_id: suite.chain().chain_id(), adjudicator: suite.contracts.payment_channels }
}

impl Suite<'_> {
    /// `channelState(id)` at the confirmed block (the latest minus the confirmation depth).
    ///
    /// # Errors
    /// [`ChainError`].
    pub async fn channel_state(&self, id: B256) -> Result<OnChain, ChainError> {
        let block = self.chain().confirmed_block().await?;
        let state = self
            .chain()
            .view("channelState", self.channels().channelState(id).block(block))
            .await?;
        let phase = match state._4 {
            1 => Phase::Open,
            2 => Phase::Closing,
            3 => Phase::Withdrawable,
            4 => Phase::Finalized,
            _ => Phase::None,
        };
        Ok(OnChain {
            deposit: state._0,
            settled: state._1,
            close_requested_at: (state._2 != 0).then_some(state._2),
            finalized: state._3,
            phase,
        })
    }

    /// The adjudicator's grace period, seconds.
    ///
    /// # Errors
    /// [`ChainError`].
    pub async fn grace_period(&self) -> Result<u64, ChainError> {
        self.chain().view("gracePeriod", self.channels().gracePeriod()).await
    }
}

fn stored(suite: &Suite<'_>, role: Role, params: &Params, id: B256) -> StoredChannel {
    StoredChannel {
        id,
        role,
        chain_id: suite.chain().chain_id(),
        adjudicator: suite.contracts.payment_channels,
        payer: params.payer,
        payee: params.payee,
        signer: params.signer,
        video_id: params.videoId,
        price_per_segment: params.pricePerSegment,
        salt: params.salt,
        deposit: U256::ZERO,
        settled: 0,
        close_requested_at: None,
        finalized: false,
    }
}

/// How a payer's deposit reaches the adjudicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Funding {
    /// The payer sends `open`, the adjudicator pulls the deposit approved to it.
    Payer,
    /// One of the payer's spending keys sends `openFor`; the avatar pulls the deposit (approved to
    /// the avatar) and charges the key's cap.
    SpendingKey(Address),
}

/// A channel opened: its id, and the approval and the opening transactions.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The channel's id.
    pub id: B256,
    /// The payer's approval of the deposit to the adjudicator; `None` for a spending key, which
    /// uses the account's standing approval of the avatar.
    pub approve: Option<Mined>,
    /// `open` or `openFor`.
    pub open: Mined,
}

/// Opens a channel as its payer: approves the deposit, records the channel (deposit zero), opens
/// it, and records the deposit the chain escrowed.
///
/// # Errors
/// [`ChannelError`]; a failed open leaves the channel recorded with no deposit (the next
/// [`reconcile`] reads zero from the chain and the channel stays unusable).
pub async fn open<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    params: &Params,
    deposit: U256,
    funding: Funding,
) -> Result<Opened, ChannelError> {
    let id = channel_id(suite.chain().chain_id(), suite.contracts.payment_channels, params);
    let (spender, from) = match funding {
        Funding::Payer => (suite.contracts.payment_channels, params.payer),
        Funding::SpendingKey(key) => (suite.contracts.avatar, key),
    };
    let approve = match funding {
        Funding::Payer => Some(suite.approve(params.payer, spender, deposit).await?),
        Funding::SpendingKey(_) => {
            let allowance = suite.allowance(params.payer, spender).await?;
            if allowance < deposit {
                let (owner, needed) = (params.payer, deposit);
                return Err(ChannelError::AllowanceTooLow { owner, spender, allowance, needed });
            }
            None
        }
    };
    if blocking(|| store.channel(id))?.is_none() {
        blocking(|| store.put_channel(&stored(suite, Role::Payer, params, id)))?;
    }
    let channels = suite.channels();
    let request = match funding {
        Funding::Payer => channels.open(params.clone(), deposit).into_transaction_request(),
        Funding::SpendingKey(_) => {
            channels.openFor(params.clone(), deposit).into_transaction_request()
        }
    };
    let request = alloy_network::TransactionBuilder::with_from(request, from);
    let open = suite.chain().send_request("open channel", request).await?;
    reconcile_one(store, suite, id).await?;
    Ok(Opened { id, approve, open })
}

/// Records a channel someone opened to us (the payee), after checking on chain at the confirmed
/// block that these parameters are an open channel with a deposit.
///
/// # Errors
/// [`ChannelError::NotOpen`], [`ChannelError::Chain`], [`ChannelError::Store`].
pub async fn accept_incoming<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    params: &Params,
) -> Result<StoredChannel, ChannelError> {
    let id = channel_id(suite.chain().chain_id(), suite.contracts.payment_channels, params);
    let state = suite.channel_state(id).await?;
    if state.phase != Phase::Open {
        return Err(ChannelError::NotOpen(id));
    }
    let mut channel =
        blocking(|| store.channel(id))?.unwrap_or_else(|| stored(suite, Role::Payee, params, id));
    apply(&mut channel, &state);
    blocking(|| store.put_channel(&channel))?;
    Ok(channel)
}

fn apply(channel: &mut StoredChannel, state: &OnChain) {
    channel.deposit = state.deposit;
    channel.settled = state.settled;
    channel.close_requested_at = state.close_requested_at;
    channel.finalized = state.finalized;
}

/// Reads one channel's state from the chain into the store.
///
/// # Errors
/// [`ChannelError`]; an unknown channel is [`StoreError::UnknownChannel`].
pub async fn reconcile_one<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    id: B256,
) -> Result<(StoredChannel, OnChain), ChannelError> {
    let mut channel = blocking(|| store.channel(id))?.ok_or(StoreError::UnknownChannel(id))?;
    let state = suite.channel_state(id).await?;
    apply(&mut channel, &state);
    blocking(|| store.put_channel(&channel))?;
    Ok((channel, state))
}

/// Reconciles every channel of this chain's adjudicator that is not finalized in the store:
/// deposits, settled counts, close requests, finalization. What a restart runs first.
///
/// # Errors
/// The first [`ChannelError`]; channels before it are reconciled.
pub async fn reconcile<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
) -> Result<Vec<(StoredChannel, OnChain)>, ChannelError> {
    let mut out = Vec::new();
    for channel in blocking(|| store.channels())? {
        if channel.finalized
            || channel.chain_id != suite.chain().chain_id()
            || channel.adjudicator != suite.contracts.payment_channels
        {
            continue;
        }
        out.push(reconcile_one(store, suite, channel.id).await?);
    }
    Ok(out)
}

/// Sends a transaction so that a crash cannot lose it: signed, recorded as pending in the store,
/// then sent; resolved once mined (or failed on chain). A transaction still pending after a
/// crash is sent again by [`resume_pending`].
///
/// # Errors
/// [`ChannelError`]; after a transport error the transaction stays pending.
pub async fn send_durable<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    kind: &str,
    channel: Option<B256>,
    request: TransactionRequest,
) -> Result<Mined, ChannelError> {
    let (hash, raw) = suite.chain().prepare(kind, request).await?;
    blocking(|| {
        store.add_pending(&PendingTx { hash, channel, kind: kind.to_owned(), raw: raw.clone() })
    })?;
    let sent = suite.chain().send_raw(kind, &raw).await;
    if matches!(sent, Ok(_) | Err(ChainError::Failed { .. })) {
        blocking(|| store.resolve_pending(hash))?;
    }
    Ok(sent?)
}

/// What became of a transaction found pending at start.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resumed {
    /// The transaction.
    pub hash: B256,
    /// What it does.
    pub kind: String,
    /// `mined` (before the crash), `sent` (again, and mined now), `failed` (on chain), or
    /// `superseded` (its nonce was used by another transaction).
    pub outcome: &'static str,
}

/// Resolves every transaction the store holds as pending: one mined already is forgotten, one
/// the chain never saw is sent again (its signed bytes are in the store), one whose nonce was
/// used meanwhile is superseded. What a restart runs before anything else.
///
/// # Errors
/// The first [`ChannelError`] other than a refusal of a superseded transaction.
pub async fn resume_pending<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
) -> Result<Vec<Resumed>, ChannelError> {
    let mut out = Vec::new();
    for tx in blocking(|| store.pending())? {
        let outcome = if suite.chain().receipt(tx.hash).await?.is_some() {
            "mined"
        } else {
            match suite.chain().send_raw(&tx.kind, &tx.raw).await {
                Ok(_) => "sent",
                Err(ChainError::Failed { .. }) => "failed",
                Err(ChainError::Rpc { why, .. }) if why.contains("nonce too low") => "superseded",
                Err(e) => return Err(e.into()),
            }
        };
        blocking(|| store.resolve_pending(tx.hash))?;
        tracing::info!(tx = %tx.hash, kind = tx.kind, outcome, "pending transaction resolved");
        if let Some(channel) =
            tx.channel.filter(|c| blocking(|| store.channel(*c)).ok().flatten().is_some())
        {
            reconcile_one(store, suite, channel).await?;
        }
        out.push(Resumed { hash: tx.hash, kind: tx.kind, outcome });
    }
    Ok(out)
}

/// The best voucher recorded for `id` above what the chain settled, as `(segments, signature)`.
fn best_unsettled<S: ChannelStore>(
    store: &S,
    channel: &StoredChannel,
) -> Result<(u64, Vec<u8>), ChannelError> {
    match blocking(|| store.best_voucher(channel.id))? {
        Some(v) if v.segments > channel.settled => Ok((v.segments, v.signature)),
        _ => Err(ChannelError::NothingToSettle { channel: channel.id, settled: channel.settled }),
    }
}

/// Settles `id` with its best voucher (the payee keeps the channel open).
///
/// # Errors
/// [`ChannelError::NothingToSettle`], the adjudicator's typed errors, store failures.
pub async fn settle<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    id: B256,
) -> Result<Mined, ChannelError> {
    let (channel, _) = reconcile_one(store, suite, id).await?;
    let (segments, signature) = best_unsettled(store, &channel)?;
    let channels = suite.channels();
    let call = channels.settle(params_of(&channel), segments, signature.into());
    let request = call.into_transaction_request().with_from(channel.payee);
    let mined = send_durable(store, suite, "settle", Some(id), request).await?;
    reconcile_one(store, suite, id).await?;
    Ok(mined)
}

/// Closes `id` as its payee with the best voucher recorded (or at what was settled when there is
/// none above it): the payee is paid, the payer refunded the rest, the channel finalized.
///
/// # Errors
/// The adjudicator's typed errors, store failures.
pub async fn close<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    id: B256,
) -> Result<Mined, ChannelError> {
    let (channel, _) = reconcile_one(store, suite, id).await?;
    let (segments, signature) = match blocking(|| store.best_voucher(id))? {
        Some(v) if v.segments > channel.settled => (v.segments, v.signature),
        _ => (channel.settled, Vec::new()),
    };
    let channels = suite.channels();
    let call = channels.close(params_of(&channel), segments, signature.into());
    let request = call.into_transaction_request().with_from(channel.payee);
    let mined = send_durable(store, suite, "close", Some(id), request).await?;
    reconcile_one(store, suite, id).await?;
    Ok(mined)
}

/// Reconciles `id`, sends the payer's call `build` makes from the channel's parameters, and
/// reconciles again.
async fn as_payer<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    id: B256,
    what: &str,
    build: impl FnOnce(
        &IPaymentChannels::IPaymentChannelsInstance<DynProvider>,
        Params,
    ) -> TransactionRequest,
) -> Result<Mined, ChannelError> {
    let (channel, _) = reconcile_one(store, suite, id).await?;
    let request = build(&suite.channels(), params_of(&channel)).with_from(channel.payer);
    let mined = suite.chain().send_request(what, request).await?;
    reconcile_one(store, suite, id).await?;
    Ok(mined)
}

/// Adds `amount` to a channel's deposit as its payer (approving it first); cancels a pending
/// close request.
///
/// # Errors
/// The adjudicator's and the token's typed errors, store failures.
pub async fn top_up<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    id: B256,
    amount: U256,
) -> Result<Mined, ChannelError> {
    let payer = blocking(|| store.channel(id))?.ok_or(StoreError::UnknownChannel(id))?.payer;
    suite.approve(payer, suite.contracts.payment_channels, amount).await?;
    as_payer(store, suite, id, "topUp", |c, p| c.topUp(p, amount).into_transaction_request()).await
}

/// Asks to close a channel as its payer: the grace period starts, during which the payee may
/// still settle or close with its best voucher.
///
/// # Errors
/// The adjudicator's typed errors, store failures.
pub async fn request_close<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    id: B256,
) -> Result<Mined, ChannelError> {
    as_payer(store, suite, id, "requestClose", |c, p| c.requestClose(p).into_transaction_request())
        .await
}

/// Withdraws what is left of a channel as its payer once the grace period is over.
///
/// # Errors
/// The adjudicator's typed errors (`ChannelGracePeriodActive` before then), store failures.
pub async fn withdraw<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    id: B256,
) -> Result<Mined, ChannelError> {
    as_payer(store, suite, id, "withdraw", |c, p| c.withdraw(p).into_transaction_request()).await
}

/// What the watchtower did on one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchReport {
    /// The payee's open channels.
    pub watched: usize,
    /// `ChannelCloseRequested` events found in the logs since the previous pass.
    pub close_requests: usize,
    /// Channels closed with our best voucher because their payer asked to close.
    pub closed: Vec<B256>,
    /// Transactions found pending, and what became of them.
    pub resumed: Vec<Resumed>,
}

/// One full watchtower pass for a payee, as after a restart: resolves the transactions a crash
/// left pending ([`resume_pending`]), reconciles every channel it is paid on and closes, with the
/// best voucher, each one whose payer requested a close (before the grace period ends, and after
/// it until the payer withdraws). Idempotent.
///
/// # Errors
/// The first [`ChannelError`]; what was done before it stays done.
pub async fn watch<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
) -> Result<WatchReport, ChannelError> {
    Watchtower::new(store, *suite).pass().await
}

/// The payee's watchtower: the first pass scans every channel's state (a restart loses
/// nothing); each later pass asks `eth_getLogs` only for the `ChannelCloseRequested` events of
/// the payee's channels since the previous pass, and acts on those. Run passes more often than
/// the grace period.
pub struct Watchtower<'a, S> {
    store: S,
    suite: Suite<'a>,
    /// The first block the next pass reads logs from; `None` until a full pass has run.
    cursor: Option<u64>,
}

impl<'a, S: ChannelStore> Watchtower<'a, S> {
    /// A watchtower over `store` on `suite`'s chain; its first pass is a full scan.
    pub fn new(store: S, suite: Suite<'a>) -> Self {
        Self { store, suite, cursor: None }
    }

    /// One pass.
    ///
    /// # Errors
    /// The first [`ChannelError`]; what was done before it stays done, and the next pass
    /// starts again from the same block.
    pub async fn pass(&mut self) -> Result<WatchReport, ChannelError> {
        self.pass_with(|_| {}).await
    }

    /// One pass, calling `before_close` with each channel's id before closing it: a payee that
    /// is still taking vouchers stops taking them for that channel, so the close pays for
    /// everything it accepted.
    ///
    /// # Errors
    /// As [`Self::pass`].
    pub async fn pass_with(
        &mut self,
        before_close: impl Fn(B256),
    ) -> Result<WatchReport, ChannelError> {
        let (store, suite) = (&self.store, &self.suite);
        let mut report =
            WatchReport { resumed: resume_pending(store, suite).await?, ..WatchReport::default() };
        let head = suite.chain().block_number().await?;
        let mine: Vec<B256> = store
            .channels()?
            .into_iter()
            .filter(|c| {
                c.role == Role::Payee
                    && !c.finalized
                    && c.chain_id == suite.chain().chain_id()
                    && c.adjudicator == suite.contracts.payment_channels
            })
            .map(|c| c.id)
            .collect();
        report.watched = mine.len();
        let candidates = match self.cursor {
            None => mine,
            Some(from) if mine.is_empty() || from > head => Vec::new(),
            Some(from) => {
                let requested = suite.close_requests(&mine, from, head).await?;
                report.close_requests = requested.len();
                requested
            }
        };
        for id in candidates {
            let (_, state) = reconcile_one(store, suite, id).await?;
            if matches!(state.phase, Phase::Closing | Phase::Withdrawable) {
                tracing::info!(channel = %id, "close requested: closing with our best voucher");
                before_close(id);
                close(store, suite, id).await?;
                report.closed.push(id);
            }
        }
        self.cursor = Some(head + 1);
        Ok(report)
    }
}

impl Suite<'_> {
    /// The channels among `ids` whose payer requested a close in blocks `from..=to`
    /// (`ChannelCloseRequested` logs, by `eth_getLogs`).
    ///
    /// # Errors
    /// [`ChainError`].
    pub async fn close_requests(
        &self,
        ids: &[B256],
        from: u64,
        to: u64,
    ) -> Result<Vec<B256>, ChainError> {
        let filter = alloy_rpc_types_eth::Filter::new()
            .address(self.contracts.payment_channels)
            .event_signature(<IPaymentChannels::ChannelCloseRequested as SolEvent>::SIGNATURE_HASH)
            .topic1(ids.to_vec())
            .from_block(from)
            .to_block(to);
        let logs = self.chain().logs("eth_getLogs ChannelCloseRequested", &filter).await?;
        let mut requested: Vec<B256> =
            logs.iter().filter_map(|log| log.topics().get(1).copied()).collect();
        requested.dedup();
        Ok(requested)
    }
}

/// What a batch settle did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchReport {
    /// Items sent.
    pub items: usize,
    /// Channels settled.
    pub settled: Vec<B256>,
    /// Items the adjudicator skipped, with the error each would have reverted with.
    pub skipped: Vec<(B256, String)>,
    /// The transaction, when one was sent.
    pub tx: Option<B256>,
    /// Its gas.
    pub gas_used: u64,
}

/// Settles, in one `settleBatch` from the payee `payee`, every channel it is paid on whose
/// unsettled vouchers are worth at least `threshold` PTI wei (plus the `extra` items given).
///
/// # Errors
/// [`ChannelError`]; nothing is sent when no channel qualifies.
pub async fn settle_batch<S: ChannelStore>(
    store: &S,
    suite: &Suite<'_>,
    payee: Address,
    threshold: U256,
    extra: Vec<IPaymentChannels::SettleItem>,
) -> Result<BatchReport, ChannelError> {
    let mut items = Vec::new();
    for (channel, state) in reconcile(store, suite).await? {
        if channel.role != Role::Payee || channel.payee != payee || state.phase != Phase::Open {
            continue;
        }
        let Ok((segments, signature)) = best_unsettled(store, &channel) else { continue };
        let owed = channel.price_per_segment.saturating_mul(U256::from(segments - channel.settled));
        if owed < threshold {
            continue;
        }
        let sig = crate::voucher::checked_parts(&signature)?;
        items.push(IPaymentChannels::SettleItem {
            channel: params_of(&channel),
            segments,
            v: sig.v,
            r: sig.r,
            s: sig.s,
        });
    }
    items.extend(extra);
    let mut report = BatchReport { items: items.len(), ..BatchReport::default() };
    if items.is_empty() {
        return Ok(report);
    }
    let channels = suite.channels();
    let request = channels.settleBatch(items).into_transaction_request().with_from(payee);
    let mined = send_durable(store, suite, "settleBatch", None, request).await?;
    let adjudicator = suite.contracts.payment_channels;
    report.settled = mined
        .events::<IPaymentChannels::ChannelSettled>(adjudicator)
        .into_iter()
        .map(|e| e.channelId)
        .collect();
    report.skipped = mined
        .events::<IPaymentChannels::ChannelSettleSkipped>(adjudicator)
        .into_iter()
        .map(|e| (e.channelId, crate::chain::describe_revert(&e.reason)))
        .collect();
    report.tx = Some(mined.tx);
    report.gas_used = mined.gas_used;
    for id in &report.settled {
        if blocking(|| store.channel(*id))?.is_some() {
            reconcile_one(store, suite, *id).await?;
        }
    }
    Ok(report)
}
