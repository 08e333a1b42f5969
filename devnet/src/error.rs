//! Why the devnet refused a request ([`DevnetError`]) and why a typed call failed ([`CallError`]).

use super::{fmt, Address, Receipt, Violation};

/// Why the devnet refused a request (as opposed to a call that ran and failed: see [`Receipt`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevnetError {
    /// The module breaks a Stylus activation rule.
    Invalid(Violation),
    /// The module does not compile (after passing validation).
    Compile(String),
    /// The constructor did not succeed; the deployment left no trace.
    ConstructorFailed(Box<Receipt>),
    /// No program is deployed at the address called.
    NoCode(Address),
    /// Init code other than cargo-stylus's deployment prelude: only an EVM could run it.
    EvmInitCode,
    /// A guard from [`Devnet::world`](crate::Devnet::world) is still alive while the chain was asked to change: drop
    /// it first (the state cannot change under a reader).
    WorldBorrowed,
}

impl fmt::Display for DevnetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(v) => write!(f, "Stylus would not activate this module: {v}"),
            Self::Compile(e) => write!(f, "cannot compile the module: {e}"),
            Self::ConstructorFailed(r) => {
                write!(
                    f,
                    "constructor ended with {:?} ({} bytes of output)",
                    r.status,
                    r.output.len()
                )
            }
            Self::NoCode(a) => write!(f, "no program at {a}"),
            Self::EvmInitCode => f.write_str(
                "init code is not cargo-stylus's deployment prelude (7f <len> 80 60 2b 60 00 39 60 \
                 00 f3 00 <code>): this chain runs no EVM interpreter, so it creates only Stylus \
                 programs, deployed as cargo stylus deploy does",
            ),
            Self::WorldBorrowed => write!(
                f,
                "the chain's state is being read (a Devnet::world() guard is alive): drop it first"
            ),
        }
    }
}

impl std::error::Error for DevnetError {}

/// A typed call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The devnet refused the request.
    Devnet(DevnetError),
    /// The program reverted with this data (decode it with the contract's `sol!` errors).
    Reverted(Vec<u8>),
    /// The program failed (trap, limit, rule) for this reason.
    Failed(String),
    /// The return data does not decode as the call's return type.
    Decode(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Devnet(e) => write!(f, "{e}"),
            Self::Reverted(data) => {
                write!(f, "reverted with 0x{}", alloy_primitives::hex::encode(data))
            }
            Self::Failed(why) => write!(f, "failed: {why}"),
            Self::Decode(why) => write!(f, "undecodable return data: {why}"),
        }
    }
}

impl std::error::Error for CallError {}

impl CallError {
    /// The revert data decoded as one of the contract's `sol!` errors (`E` is the generated
    /// `…Errors` enum of an interface), if the call reverted with one.
    #[must_use]
    pub fn revert<E: alloy_sol_types::SolInterface>(&self) -> Option<E> {
        match self {
            Self::Reverted(data) => E::abi_decode(data).ok(),
            _ => None,
        }
    }
}
