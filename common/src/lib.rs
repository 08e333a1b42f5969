//! # paratii-common — on-chain building blocks shared by the Paratii contracts
//!
//! - [`Ownable2Step`]: two-step ownership as a storage component (owner proposes, the new owner
//!   accepts; renouncing is explicit), with the suite's typed errors and events.
//! - [`recover`]: EIP-712 signature recovery through the `ecrecover` precompile, enforcing the
//!   suite's signature rules ([`paratii_contracts::ecdsa`]) before the call.
//! - `testing` (feature `testing`, dev-dependencies only): a `TestVM` wrapper whose `ecrecover`
//!   precompile is real, and a signer, so native tests verify real signatures.
//!
//! Contracts embed these and keep their own `#[public]` surface thin: each public function is a
//! one-line forward, so the ABI of every contract stays explicit in its own crate.

extern crate alloc;

mod ownable;
#[cfg(feature = "testing")]
pub mod testing;

pub use ownable::{Ownable2Step, OwnableError};

use alloc::{string::String, vec::Vec};

use alloy_primitives::{Address, FixedBytes, B256, U256};
use alloy_sol_types::SolError;
use paratii_contracts::{
    ecdsa::{recovered_address, Signature, SignatureError, ECRECOVER},
    immutables::RegistryImmutableMismatch,
    peers::{PeerCallReturnedFalse, PeerNotRegistered},
    signature::ECDSAInvalidSignature,
};
use stylus_sdk::{
    call::{call, static_call},
    prelude::*,
    stylus_core::calls::{errors::Error as CallError, MutatingCallContext},
};

/// Recovers the signer of `digest` through the `ecrecover` precompile.
///
/// The signature's form (`v`, low-s, length) is checked when the [`Signature`] is built; this
/// call adds the recovery itself.
///
/// # Errors
/// [`SignatureError::Invalid`] when the precompile fails or recovers the zero address.
pub fn recover<H: Host + ?Sized>(
    host: &H,
    digest: B256,
    signature: &Signature,
) -> Result<Address, SignatureError> {
    let output = static_call(host, Call::new(), ECRECOVER, &signature.ecrecover_input(digest))
        .map_err(|_| SignatureError::Invalid(ECDSAInvalidSignature {}))?;
    recovered_address(&output)
}

/// The contract registered under `key` in the `ParatiiRegistry` at `registry`, looked up at call
/// time with a static call; `None` when nothing is registered or the registry does not answer.
pub fn lookup<H: Host + ?Sized>(host: &H, registry: Address, key: B256) -> Option<Address> {
    let mut calldata = [0u8; 36];
    calldata[..4].copy_from_slice(&paratii_contracts::names::GET_CONTRACT_BY_KEY_SELECTOR);
    calldata[4..].copy_from_slice(key.as_slice());
    let output = static_call(host, Call::new(), registry, &calldata).ok()?;
    if output.len() != 32 || output[..12].iter().any(|b| *b != 0) {
        return None;
    }
    let found = Address::from_slice(&output[12..]);
    (!found.is_zero()).then_some(found)
}

/// What EIP-5267's `eip712Domain()` returns: fields bitmap, name, version, chain id, verifying
/// contract, salt, extensions.
pub type Eip712Domain = (FixedBytes<1>, String, String, U256, Address, B256, Vec<U256>);

/// EIP-5267 `eip712Domain()` for the calling contract's domain of `name` and `version` on this
/// chain (no salt, no extensions).
pub fn eip712_domain<H: Host + ?Sized>(host: &H, name: &str, version: &str) -> Eip712Domain {
    (
        FixedBytes([paratii_contracts::eip712::DOMAIN_FIELDS]),
        name.into(),
        version.into(),
        U256::from(host.chain_id()),
        host.contract_address(),
        B256::ZERO,
        Vec::new(),
    )
}

/// The EIP-712 domain separator of the calling contract's domain (`name_hash`, `version_hash`,
/// this chain, this contract).
pub fn domain_separator<H: Host + ?Sized>(host: &H, name_hash: B256, version_hash: B256) -> B256 {
    paratii_contracts::eip712::domain_separator(
        name_hash,
        version_hash,
        host.chain_id(),
        host.contract_address(),
    )
}

/// [`lookup`], or `PeerNotRegistered(key)` when nothing is registered under `key`.
///
/// # Errors
/// [`PeerNotRegistered(key)`](PeerNotRegistered).
pub fn peer<H: Host + ?Sized>(
    host: &H,
    registry: Address,
    key: B256,
) -> Result<Address, PeerNotRegistered> {
    lookup(host, registry, key).ok_or(PeerNotRegistered { key })
}

/// The revert data of a failed call, to revert with unchanged (what Solidity does by default),
/// so a buyer sees the token's `ERC20InsufficientAllowance` rather than a wrapper.
#[must_use]
pub fn revert_data(error: CallError) -> Vec<u8> {
    match error {
        CallError::Revert(data) => data,
        CallError::AbiDecodingFailed(_) => Vec::new(),
    }
}

/// Calls `to` with `calldata` (no value) and requires a successful call that returns nothing or
/// the ABI word `true`: how the suite calls token-moving functions (`transfer`, `transferFrom`),
/// defending against tokens that return `false` instead of reverting.
///
/// # Errors
/// The callee's revert data, unchanged; [`PeerCallReturnedFalse(to)`](PeerCallReturnedFalse)
/// (encoded) when it returned anything but nothing or `true`.
pub fn call_returning_true<H: Host + ?Sized>(
    host: &H,
    context: impl MutatingCallContext,
    to: Address,
    calldata: &[u8],
) -> Result<(), Vec<u8>> {
    let output = call(host, context, to, calldata).map_err(revert_data)?;
    let is_true = output.len() == 32 && output[..31].iter().all(|b| *b == 0) && output[31] == 1;
    if output.is_empty() || is_true {
        return Ok(());
    }
    Err(PeerCallReturnedFalse { target: to }.abi_encode())
}

/// Implements `From<SignatureError>` for a contract's error enum whose variants are named
/// `InvalidSignature`, `InvalidSignatureLength`, `InvalidSignatureS` and `InvalidSignatureV`.
#[macro_export]
macro_rules! impl_from_signature_error {
    ($error:ty) => {
        impl From<$crate::__private::SignatureError> for $error {
            fn from(e: $crate::__private::SignatureError) -> Self {
                use $crate::__private::SignatureError as S;
                match e {
                    S::Invalid(e) => Self::InvalidSignature(e),
                    S::Length(e) => Self::InvalidSignatureLength(e),
                    S::S(e) => Self::InvalidSignatureS(e),
                    S::V(e) => Self::InvalidSignatureV(e),
                }
            }
        }
    };
}

/// Implements `From<OwnableError>` for a contract's error enum whose variants are named
/// `UnauthorizedAccount` and `InvalidOwner`.
#[macro_export]
macro_rules! impl_from_ownable_error {
    ($error:ty) => {
        impl From<$crate::OwnableError> for $error {
            fn from(e: $crate::OwnableError) -> Self {
                match e {
                    $crate::OwnableError::UnauthorizedAccount(e) => Self::UnauthorizedAccount(e),
                    $crate::OwnableError::InvalidOwner(e) => Self::InvalidOwner(e),
                }
            }
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use paratii_contracts::ecdsa::SignatureError;
}

/// Declares the contract's deploy-time placeholder ([`paratii_contracts::immutables`]) and a
/// `pub(crate) fn baked() -> Option<$values>` reading it: the values a deployer baked into the
/// module, or `None` for a module deployed as built (which reads them from storage).
///
/// The placeholder is a `#[used]` static read through a volatile load of a pointer to it, so the
/// compiler can neither fold its compiled (unset) contents nor drop it.
#[macro_export]
macro_rules! deploy_time_constants {
    ($placeholder:path => $values:ty) => {
        /// The placeholder a deployer overwrites with this contract's values.
        #[used]
        static IMMUTABLES: [u8; $placeholder.len()] = $placeholder;

        /// Where [`IMMUTABLES`] is, read with a volatile load so the compiler cannot see
        /// through it.
        static PLACEHOLDER: &[u8; $placeholder.len()] = &IMMUTABLES;

        /// The values baked into this module; `None` when it was deployed as built.
        #[inline(never)]
        pub(crate) fn baked() -> Option<$values> {
            // SAFETY: `PLACEHOLDER` is a valid, aligned, initialised static that nothing writes.
            let placeholder = unsafe { core::ptr::read_volatile(&raw const PLACEHOLDER) };
            <$values>::decode(placeholder)
        }
    };
}

/// The constructor's check of a baked registry ([`deploy_time_constants!`]): `Ok` when nothing
/// is baked or the baked registry is `registry`.
///
/// # Errors
/// [`RegistryImmutableMismatch`] carrying both when they differ.
pub fn check_baked_registry(
    baked: Option<paratii_contracts::immutables::RegistryImmutables>,
    registry: Address,
) -> Result<(), RegistryImmutableMismatch> {
    match baked {
        Some(b) if b.registry != registry => {
            Err(RegistryImmutableMismatch { baked: b.registry, registry })
        }
        _ => Ok(()),
    }
}
