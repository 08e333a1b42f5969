//! The gas report as data: every journey declared once ([`journeys`]) with its Solidity anchor,
//! the Solidity baselines read from `test/gas-baselines.json` ([`Baselines`], the file `.ci/run`
//! checks against a fresh anvil measurement), the targets ([`TARGETS`]) judged on the measured
//! journeys, and [`Meter`], which runs a journey twice (every program entry uncached, then
//! cached) and leaves no trace. The `gas-report` binary drives the journeys; this module holds
//! everything it reports.

use std::collections::BTreeMap;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use paratii_devnet::{Devnet, GasReport, Status};

/// One measured journey: a call a user makes, named as the report prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Journey {
    /// Stable id (`<contract>.<journey>`), for JSON consumers and comparisons.
    pub id: &'static str,
    /// The contract column.
    pub contract: &'static str,
    /// The journey column.
    pub name: &'static str,
    /// The baselines (keys of `test/gas-baselines.json`) whose sum is this journey's Solidity
    /// equivalent; empty when there is none.
    pub anchor: &'static [&'static str],
}

const fn journey(id: &'static str, contract: &'static str, name: &'static str) -> Journey {
    Journey { id, contract, name, anchor: &[] }
}

const fn anchored(
    id: &'static str,
    contract: &'static str,
    name: &'static str,
    anchor: &'static [&'static str],
) -> Journey {
    Journey { id, contract, name, anchor }
}

/// The original (2017) purchase: a new buyer's `approve`, then `buyVideo`.
const ORIGINAL_PURCHASE: &[&str] = &["original.approve", "original.buy-video"];

/// Every journey of the report, in report order.
pub mod journeys {
    use super::{anchored, journey, Journey, ORIGINAL_PURCHASE};

    /// PTI `transfer` to an account that held none.
    pub const TRANSFER_NEW_HOLDER: Journey = anchored(
        "token.transfer-new-holder",
        "token",
        "transfer (new holder)",
        &["oz-erc20.transfer-new-holder"],
    );
    /// PTI `transfer` to a holder.
    pub const TRANSFER_EXISTING_HOLDER: Journey =
        journey("token.transfer-existing-holder", "token", "transfer (existing holder)");
    /// A first `approve`.
    pub const APPROVE_FIRST: Journey =
        anchored("token.approve-first", "token", "approve (first)", &["oz-erc20.approve-first"]);
    /// `transferFrom` within an allowance.
    pub const TRANSFER_FROM: Journey =
        anchored("token.transfer-from", "token", "transferFrom", &["oz-erc20.transfer-from"]);
    /// An EIP-2612 `permit`, submitted by the spender.
    pub const PERMIT: Journey = journey("token.permit", "token", "permit (relayed)");
    /// `balanceOf`, as a transaction.
    pub const BALANCE_OF: Journey = journey("token.balance-of", "token", "balanceOf");
    /// A first `registerAddress` of a name.
    pub const REGISTER_ADDRESS: Journey =
        journey("registry.register-address", "registry", "registerAddress");
    /// `getContractByKey`.
    pub const GET_CONTRACT_BY_KEY: Journey =
        journey("registry.get-contract-by-key", "registry", "getContractByKey");
    /// `getContract` (by name).
    pub const GET_CONTRACT: Journey = journey("registry.get-contract", "registry", "getContract");
    /// `registerString`.
    pub const REGISTER_STRING: Journey =
        journey("registry.register-string", "registry", "registerString");
    /// `unregisterAddress`, scheduled behind the change delay.
    pub const UNREGISTER_ADDRESS: Journey =
        journey("registry.unregister-address", "registry", "unregisterAddress (scheduled)");
    /// Re-pointing a registered name, scheduled behind the change delay.
    pub const REPOINT_ADDRESS: Journey =
        journey("registry.repoint-address", "registry", "registerAddress (re-point, scheduled)");
    /// Applying a due address change.
    pub const APPLY_ADDRESS_CHANGE: Journey = journey(
        "registry.apply-address-change",
        "registry",
        "applyAddressChange (after the delay)",
    );
    /// `SendEther.transfer` of 1 ETH with a note.
    pub const SEND_ETHER: Journey =
        journey("send-ether.transfer", "sendEther", "transfer 1 ETH with a note");
    /// `registerVideo`.
    pub const REGISTER_VIDEO: Journey = journey("videos.register-video", "videos", "registerVideo");
    /// `recordView` by the store (a registry lookup).
    pub const RECORD_VIEW: Journey =
        journey("videos.record-view", "videos", "recordView (store, lookup)");
    /// `saleTerms`, as a transaction.
    pub const SALE_TERMS: Journey = journey("videos.sale-terms", "videos", "saleTerms");
    /// A new buyer approves the avatar.
    pub const APPROVE_AVATAR: Journey = anchored(
        "token.approve-avatar",
        "token",
        "approve avatar (new buyer)",
        &["original.approve"],
    );
    /// `buyVideo` by a buyer who approved the avatar.
    pub const BUY_VIDEO: Journey =
        anchored("store.buy-video", "store", "buyVideo (approved)", &["original.buy-video"]);
    /// `buyVideoWithPermit`: a first purchase in one transaction.
    pub const BUY_VIDEO_WITH_PERMIT: Journey = anchored(
        "store.buy-video-with-permit",
        "store",
        "buyVideoWithPermit (1 tx)",
        ORIGINAL_PURCHASE,
    );
    /// `authorizeSpendingKey`.
    pub const AUTHORIZE_SPENDING_KEY: Journey =
        journey("avatar.authorize-spending-key", "avatar", "authorizeSpendingKey");
    /// `buyVideoFor` by a spending key.
    pub const BUY_VIDEO_FOR: Journey =
        journey("store.buy-video-for", "store", "buyVideoFor (spending key)");
    /// `registerUser`.
    pub const REGISTER_USER: Journey = journey("users.register-user", "users", "registerUser");
    /// A first `likeVideo`.
    pub const LIKE_VIDEO: Journey = journey("users.like-video", "users", "likeVideo (first vote)");
    /// `authorizePostingKey`.
    pub const AUTHORIZE_POSTING_KEY: Journey =
        journey("users.authorize-posting-key", "users", "authorizePostingKey");
    /// `likeVideoBySig`, relayed.
    pub const LIKE_VIDEO_BY_SIG: Journey =
        journey("users.like-video-by-sig", "users", "likeVideoBySig (relayed)");
    /// The pool's `disburse` to one recipient.
    pub const DISBURSE: Journey = journey("avatar.disburse", "avatar", "disburse (1 payout)");
    /// The adjudicator's first `open` (its PTI balance starts from zero).
    pub const OPEN_FIRST: Journey =
        journey("channels.open-first", "channels", "open (adjudicator's first escrow)");
    /// `openWithPermit`: a first channel in one transaction.
    pub const OPEN_WITH_PERMIT: Journey =
        journey("channels.open-with-permit", "channels", "openWithPermit (1 tx)");
    /// `openFor` by a spending key through the avatar.
    pub const OPEN_FOR: Journey =
        journey("channels.open-for", "channels", "openFor (spending key)");
    /// The usual `open`: the adjudicator already holds escrow.
    pub const OPEN: Journey = journey("channels.open", "channels", "open (approved)");
    /// `topUp`.
    pub const TOP_UP: Journey = journey("channels.top-up", "channels", "topUp");
    /// `settle` of a 10-segment voucher by a relayer.
    pub const SETTLE_10: Journey =
        journey("channels.settle-10", "channels", "settle 10 segments (relayed)");
    /// `settle` of a 10⁶-segment voucher by a relayer.
    pub const SETTLE_1M: Journey =
        journey("channels.settle-1m", "channels", "settle 10^6 segments (relayed)");
    /// `close` by the payee with its last voucher.
    pub const CLOSE: Journey = journey("channels.close", "channels", "close (payee, 137 segments)");
    /// `closeWithAuthorization` by a relayer (the ad case: a payee without ETH).
    pub const CLOSE_WITH_AUTHORIZATION: Journey = journey(
        "channels.close-with-authorization",
        "channels",
        "closeWithAuthorization (relayed, 137 segments)",
    );
    /// `requestClose`.
    pub const REQUEST_CLOSE: Journey =
        journey("channels.request-close", "channels", "requestClose");
    /// `withdraw` after the grace period.
    pub const WITHDRAW: Journey =
        journey("channels.withdraw", "channels", "withdraw (after grace)");
    /// `settleBatch` of one channel.
    pub const SETTLE_BATCH_1: Journey =
        journey("channels.settle-batch-1", "channels", "settleBatch 1 channel");
    /// `settleBatch` of eleven channels to one payee.
    pub const SETTLE_BATCH_11: Journey =
        journey("channels.settle-batch-11", "channels", "settleBatch 11 channels");
}

/// A target the report judges (totals include intrinsic gas).
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A one-transaction journey costs less than half the sum of the baselines (the
    /// transactions it replaces), uncached and cached.
    BelowHalfOf(Journey, &'static [&'static str]),
    /// The journey's total is at most `limit`, judged uncached and cached.
    AtMost(Journey, u64),
    /// Each channel beyond the first in `many` (which settles `extra` more than `one`) costs at
    /// most `limit`.
    PerExtra {
        /// What the line is about.
        label: &'static str,
        /// The journey with one item.
        one: Journey,
        /// The journey with `extra` more.
        many: Journey,
        /// How many more items `many` has.
        extra: u64,
        /// The most each extra item may cost.
        limit: u64,
    },
    /// The two journeys cost the same execution gas.
    SameExecution {
        /// What the line is about.
        label: &'static str,
        /// One journey.
        a: Journey,
        /// The other.
        b: Journey,
    },
}

/// The targets the issues set, in report order.
pub const TARGETS: &[Target] = &[
    Target::BelowHalfOf(journeys::BUY_VIDEO_WITH_PERMIT, ORIGINAL_PURCHASE),
    Target::BelowHalfOf(journeys::BUY_VIDEO, ORIGINAL_PURCHASE),
    Target::AtMost(journeys::OPEN, 75_000),
    Target::AtMost(journeys::SETTLE_10, 55_000),
    Target::AtMost(journeys::CLOSE, 60_000),
    Target::PerExtra {
        label: "settleBatch, each extra channel to one payee",
        one: journeys::SETTLE_BATCH_1,
        many: journeys::SETTLE_BATCH_11,
        extra: 10,
        limit: 10_000,
    },
    Target::SameExecution {
        label: "settle 10 vs 10^6 segments",
        a: journeys::SETTLE_10,
        b: journeys::SETTLE_1M,
    },
];

/// The Solidity baselines of `test/gas-baselines.json`: gas by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baselines(BTreeMap<String, u64>);

impl Baselines {
    /// The committed `test/gas-baselines.json`.
    ///
    /// # Errors
    /// A message naming what is malformed.
    pub fn committed() -> Result<Self, String> {
        Self::parse(include_str!("../gas-baselines.json"))
    }

    /// Parses a baselines file: `{"baselines": {"<key>": {"gas": <u64>, "source": "…"}, …}}`.
    ///
    /// # Errors
    /// A message naming what is malformed.
    pub fn parse(json: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("gas baselines: {e}"))?;
        let entries =
            value["baselines"].as_object().ok_or("gas baselines: no \"baselines\" object")?;
        entries
            .iter()
            .map(|(key, entry)| {
                entry["gas"]
                    .as_u64()
                    .map(|gas| (key.clone(), gas))
                    .ok_or_else(|| format!("gas baselines: {key} has no \"gas\" number"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// The gas of baseline `key`.
    ///
    /// # Errors
    /// A message naming the missing key.
    pub fn get(&self, key: &str) -> Result<u64, String> {
        self.0.get(key).copied().ok_or_else(|| format!("gas baselines: no {key}"))
    }

    /// `journey`'s Solidity equivalent: the sum of its anchor's baselines, `None` without one.
    ///
    /// # Errors
    /// A message naming a missing key.
    pub fn anchor(&self, journey: Journey) -> Result<Option<u64>, String> {
        if journey.anchor.is_empty() {
            return Ok(None);
        }
        journey.anchor.iter().map(|key| self.get(key)).sum::<Result<u64, String>>().map(Some)
    }
}

/// A journey's gas: every program entry priced uncached, then cached.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// Which journey.
    pub journey: Journey,
    /// Every entry uncached.
    pub uncached: GasReport,
    /// Every entry cached (`CacheManager`).
    pub cached: GasReport,
}

/// Measures journeys and keeps them in order.
#[derive(Debug, Default)]
pub struct Meter {
    programs: Vec<Address>,
    measured: Vec<Measured>,
}

impl Meter {
    /// A meter that prices only the called program's entry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// From now on prices the entries of `programs` (a whole suite), not only the called one's;
    /// an empty slice goes back to the called program alone.
    pub fn price_entries_of(&mut self, programs: &[Address]) {
        self.programs = programs.to_vec();
    }

    /// Measures `call` from `from` to `to` in `net`'s current state as `journey`, leaving no
    /// trace.
    ///
    /// # Errors
    /// The call failed or did not succeed.
    pub fn call<C: SolCall>(
        &mut self,
        net: &Devnet,
        journey: Journey,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<(), String> {
        self.raw(net, journey, from, to, &call.abi_encode(), U256::ZERO)
    }

    /// [`Meter::call`] with raw calldata and a value.
    ///
    /// # Errors
    /// The call failed or did not succeed.
    pub fn raw(
        &mut self,
        net: &Devnet,
        journey: Journey,
        from: Address,
        to: Address,
        calldata: &[u8],
        value: U256,
    ) -> Result<(), String> {
        let programs = if self.programs.is_empty() { vec![to] } else { self.programs.clone() };
        let mut reports = [GasReport::default(); 2];
        for (report, cached) in reports.iter_mut().zip([false, true]) {
            let snapshot = net.snapshot();
            let set_cached =
                |on| programs.iter().try_for_each(|program| net.set_cached(*program, on));
            set_cached(cached).map_err(|e| e.to_string())?;
            let receipt = net.call(from, to, calldata, value).map_err(|e| e.to_string())?;
            net.revert_to(&snapshot).map_err(|e| e.to_string())?;
            set_cached(false).map_err(|e| e.to_string())?;
            if receipt.status != Status::Success {
                return Err(format!(
                    "{}: journey failed: {:?} {} 0x{}",
                    journey.id,
                    receipt.status,
                    receipt.failure,
                    alloy_primitives::hex::encode(&receipt.output)
                ));
            }
            *report = receipt.gas;
        }
        self.measured.push(Measured { journey, uncached: reports[0], cached: reports[1] });
        Ok(())
    }

    /// The journeys measured, in order.
    #[must_use]
    pub fn finish(self) -> Vec<Measured> {
        self.measured
    }
}

/// The report as a table, the note on what the columns mean, and one line per target.
///
/// # Errors
/// A baseline a journey or target names is missing.
pub fn text_report(measured: &[Measured], baselines: &Baselines) -> Result<String, String> {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<9} {:<34} {:>10} {:>10} {:>10} {:>10} {:>8}   uncached breakdown (entry/compute/hostio/evm/refund)",
        "contract", "journey", "exec", "exec", "total", "total", "Solidity"
    );
    let _ = writeln!(
        out,
        "{:<9} {:<34} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "", "", "uncached", "cached", "uncached", "cached", "(solc)"
    );
    for m in measured {
        let u = &m.uncached;
        let anchor = baselines.anchor(m.journey)?;
        let _ = writeln!(
            out,
            "{:<9} {:<34} {:>10} {:>10} {:>10} {:>10} {:>8}   {}/{}/{}/{}/{}",
            m.journey.contract,
            m.journey.name,
            u.used,
            m.cached.used,
            u.total(),
            m.cached.total(),
            anchor.map_or_else(|| "-".to_owned(), |a| a.to_string()),
            u.entry,
            u.compute_gas(),
            u.hostio_gas(),
            u.evm,
            u.refund
        );
    }
    let _ = writeln!(
        out,
        "\nexec = L2 execution gas after refunds; total = exec + intrinsic (21,000 + calldata). \
         Prices: Nitro ArbOS {} (paratii_devnet::pricing).",
        paratii_devnet::pricing::ARBOS_VERSION
    );
    for target in TARGETS {
        let _ = writeln!(out, "{}", judge(target, measured, baselines)?);
    }
    Ok(out)
}

/// The report as JSON: one object per journey.
///
/// # Errors
/// A baseline a journey names is missing.
pub fn json_report(
    measured: &[Measured],
    baselines: &Baselines,
) -> Result<serde_json::Value, String> {
    let gas = |g: &GasReport| {
        serde_json::json!({
            "execution": g.used, "total": g.total(), "intrinsic": g.intrinsic,
            "refund": g.refund, "entry": g.entry, "compute_gas": g.compute_gas(),
            "hostio_gas": g.hostio_gas(), "evm": g.evm,
        })
    };
    measured
        .iter()
        .map(|m| {
            Ok(serde_json::json!({
                "id": m.journey.id, "contract": m.journey.contract, "journey": m.journey.name,
                "uncached": gas(&m.uncached), "cached": gas(&m.cached),
                "solidity_total": baselines.anchor(m.journey)?,
            }))
        })
        .collect::<Result<Vec<_>, String>>()
        .map(serde_json::Value::Array)
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "missed"
    }
}

/// One target's line: the figures and whether each is met.
fn judge(target: &Target, measured: &[Measured], baselines: &Baselines) -> Result<String, String> {
    let find = |j: Journey| measured.iter().find(|m| m.journey == j);
    Ok(match *target {
        Target::BelowHalfOf(j, replaced) => {
            let parts =
                replaced.iter().map(|key| baselines.get(key)).collect::<Result<Vec<_>, _>>()?;
            let whole: u64 = parts.iter().sum();
            match find(j) {
                Some(m) => {
                    let (u, c) = (m.uncached.total(), m.cached.total());
                    format!(
                        "{}: {u} uncached, {c} cached (total) vs the original's approve + \
                         buyVideo {} = {whole}; target < half ({}): {}.",
                        j.name,
                        parts.iter().map(u64::to_string).collect::<Vec<_>>().join(" + "),
                        whole / 2,
                        verdict(u.max(c) * 2 < whole)
                    )
                }
                None => format!(
                    "{} {}: journey missing; target < half ({}).",
                    j.contract,
                    j.name,
                    whole / 2
                ),
            }
        }
        Target::AtMost(j, limit) => match find(j) {
            Some(m) => {
                let (u, c) = (m.uncached.total(), m.cached.total());
                format!(
                    "{} {}: {u} uncached ({}), {c} cached ({}); target <= {limit}.",
                    j.contract,
                    j.name,
                    verdict(u <= limit),
                    verdict(c <= limit)
                )
            }
            None => format!("{} {}: journey missing; target <= {limit}.", j.contract, j.name),
        },
        Target::PerExtra { label, one, many, extra, limit } => match (find(one), find(many)) {
            (Some(one), Some(many)) => {
                let each =
                    |a: &GasReport, b: &GasReport| b.total().saturating_sub(a.total()) / extra;
                let (u, c) = (each(&one.uncached, &many.uncached), each(&one.cached, &many.cached));
                format!(
                    "{} {label}: {u} uncached ({}), {c} cached ({}); target <= {limit}.",
                    one.journey.contract,
                    verdict(u <= limit),
                    verdict(c <= limit)
                )
            }
            _ => format!("{} {label}: journeys missing; target <= {limit}.", one.contract),
        },
        Target::SameExecution { label, a, b } => match (find(a), find(b)) {
            (Some(a), Some(b)) => format!(
                "{} {label}: execution {} vs {} gas; target the same: {}.",
                a.journey.contract,
                a.cached.used,
                b.cached.used,
                verdict(a.cached.used == b.cached.used && a.uncached.used == b.uncached.used)
            ),
            _ => format!("{} {label}: journeys missing.", a.contract),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_baselines_cover_every_anchor_and_target() {
        let baselines = Baselines::committed().unwrap();
        for target in TARGETS {
            let Target::BelowHalfOf(j, replaced) = *target else {
                continue;
            };
            for key in replaced {
                assert!(baselines.get(key).is_ok(), "{}: {key}", j.id);
            }
        }
        assert_eq!(
            baselines.anchor(journeys::BUY_VIDEO_WITH_PERMIT).unwrap(),
            Some(
                baselines.get("original.approve").unwrap()
                    + baselines.get("original.buy-video").unwrap()
            )
        );
        assert_eq!(baselines.anchor(journeys::OPEN).unwrap(), None);
    }

    #[test]
    fn parse_refuses_an_entry_without_gas() {
        let err = Baselines::parse(r#"{"baselines": {"x": {"source": "y"}}}"#).unwrap_err();
        assert!(err.contains("x has no \"gas\""), "{err}");
    }
}
