//! What a call returns: its [`Status`], its [`Receipt`] and the gas breakdown ([`GasReport`]).

use super::{Address, Log, INK_PRICE};

/// How a frame ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Returned 0 (or `exit_early(0)`): changes kept.
    Success,
    /// Returned 1 (or `exit_early(1)`): changes undone, output is the revert data.
    Revert,
    /// Trapped, hit a limit, or broke a rule (static write, depth, value it did not have):
    /// changes undone, no output.
    Failure,
}

/// The result of a call or deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// How the outermost frame ended.
    pub status: Status,
    /// Return data on success, revert data on revert, empty on failure.
    pub output: Vec<u8>,
    /// Why a failure failed (a trap message or the broken rule); empty otherwise.
    pub failure: String,
    /// Logs this transaction emitted (none unless it succeeded).
    pub logs: Vec<Log>,
    /// Lines the program printed through the debug `console` host module.
    pub console: Vec<String>,
    /// What the transaction cost.
    pub gas: GasReport,
}

/// What a transaction cost, in Nitro's units. `used` is L2 execution gas, refunds applied, with
/// neither the intrinsic gas nor an L1 data fee (`OpenZeppelin`'s Stylus benchmarks report
/// receipt gas − L1 gas − 21,000, which still includes calldata); add `intrinsic` for a
/// receipt-style total comparable with an Ethereum `gasUsed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GasReport {
    /// Execution gas after the refund.
    pub used: u64,
    /// The refund granted (EIP-3529 as Nitro caps it: at most a fifth of the gas used, intrinsic
    /// included, L1 gas excluded).
    pub refund: u64,
    /// 21,000 + calldata bytes (16 non-zero, 4 zero): not charged, reported for comparisons.
    pub intrinsic: u64,
    /// Program entries: memory model for each footprint, plus init costs.
    pub entry: u64,
    /// Ink of the instrumented code itself (opcode metering).
    pub compute_ink: u64,
    /// Host-I/O ink (host functions' base costs and byte copies).
    pub hostio_ink: u64,
    /// EVM gas: storage, logs, account access, call base costs, pages, precompiles.
    pub evm: u64,
}

impl GasReport {
    /// [`GasReport::compute_ink`] in gas, rounded up.
    #[must_use]
    pub fn compute_gas(&self) -> u64 {
        self.compute_ink.div_ceil(INK_PRICE)
    }

    /// [`GasReport::hostio_ink`] in gas, rounded up.
    #[must_use]
    pub fn hostio_gas(&self) -> u64 {
        self.hostio_ink.div_ceil(INK_PRICE)
    }

    /// Execution plus intrinsic gas.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.used + self.intrinsic
    }
}

impl Receipt {
    /// Whether the call succeeded.
    #[must_use]
    pub fn success(&self) -> bool {
        self.status == Status::Success
    }

    /// The logs `address` emitted that decode as the event `E`, in order.
    #[must_use]
    pub fn events<E: alloy_sol_types::SolEvent>(&self, address: Address) -> Vec<E> {
        self.logs
            .iter()
            .filter(|l| l.address == address)
            .filter_map(|l| {
                let log =
                    alloy_primitives::Log::new(l.address, l.topics.clone(), l.data.clone().into())?;
                E::decode_log(&log).ok().map(|d| d.data)
            })
            .collect()
    }
}
