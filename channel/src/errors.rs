//! The adjudicator's typed errors and their revert data, encoded by hand.

use crate::checks::u64_word;
use alloc::vec::Vec;
use alloy_sol_types::SolError;
use paratii_common::impl_from_signature_error;
use paratii_contracts::channels::{
    ChannelAlreadyExists, ChannelAvatarTokenMismatch, ChannelCloseAlreadyRequested,
    ChannelCloseAuthorizationExpired, ChannelCloseNotRequested, ChannelDepositTooLarge,
    ChannelDepositTooSmall, ChannelFinalized, ChannelGracePeriodActive, ChannelImmutablesMismatch,
    ChannelInvalidCloseAuthorization, ChannelInvalidGracePeriod, ChannelInvalidPayee,
    ChannelInvalidPayer, ChannelInvalidPrice, ChannelInvalidSigner, ChannelNotFound,
    ChannelNotPayee, ChannelNotPayer, ChannelStaleVoucher, ChannelVoucherExceedsDeposit,
    ChannelZeroTopUp,
};
use paratii_contracts::signature::{
    ECDSAInvalidSignature, ECDSAInvalidSignatureLength, ECDSAInvalidSignatureS,
    ECDSAInvalidSignatureV,
};
use paratii_contracts::words::{address_word, calldata, uint_word};

/// Every way a `PaymentChannels` check can fail; each variant is the Solidity error it reverts
/// with. Failures of PTI and the avatar revert with their own error data, unchanged.
///
/// The revert data is encoded by hand (`selector ‖ words`: every field is a static type) rather
/// than by the SDK's `SolidityError` derive, which costs ~2 KiB brotli for 24 variants; the
/// tests check every variant against alloy's encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The constructor's grace period is out of range.
    InvalidGracePeriod(ChannelInvalidGracePeriod),
    /// The caller is not the channel's payer.
    NotPayer(ChannelNotPayer),
    /// The caller is not the channel's payee.
    NotPayee(ChannelNotPayee),
    /// The payer is the zero address.
    InvalidPayer(ChannelInvalidPayer),
    /// The payee is the zero address or the payer.
    InvalidPayee(ChannelInvalidPayee),
    /// The price per segment is zero or above 2⁹⁶ − 1.
    InvalidPrice(ChannelInvalidPrice),
    /// The channel id was used already.
    AlreadyExists(ChannelAlreadyExists),
    /// No channel has this id (or these parameters).
    NotFound(ChannelNotFound),
    /// The channel is finalized.
    Finalized(ChannelFinalized),
    /// The deposit is below one segment's price.
    DepositTooSmall(ChannelDepositTooSmall),
    /// The deposit would exceed 2⁹⁶ − 1.
    DepositTooLarge(ChannelDepositTooLarge),
    /// A top-up of nothing.
    ZeroTopUp(ChannelZeroTopUp),
    /// The voucher was not signed by the channel's signer.
    InvalidSigner(ChannelInvalidSigner),
    /// The close authorization was not signed by the payee.
    InvalidCloseAuthorization(ChannelInvalidCloseAuthorization),
    /// The close authorization's deadline has passed.
    CloseAuthorizationExpired(ChannelCloseAuthorizationExpired),
    /// The constructor's avatar pulls another token than the constructor's PTI.
    AvatarTokenMismatch(ChannelAvatarTokenMismatch),
    /// The constructor's arguments differ from the values baked into the module.
    ImmutablesMismatch(ChannelImmutablesMismatch),
    /// The voucher does not raise the settled count.
    StaleVoucher(ChannelStaleVoucher),
    /// The voucher is worth more than the deposit.
    VoucherExceedsDeposit(ChannelVoucherExceedsDeposit),
    /// A close is pending already.
    CloseAlreadyRequested(ChannelCloseAlreadyRequested),
    /// No close was requested.
    CloseNotRequested(ChannelCloseNotRequested),
    /// The grace period has not ended.
    GracePeriodActive(ChannelGracePeriodActive),
    /// The signature recovers no address.
    InvalidSignature(ECDSAInvalidSignature),
    /// The signature is not 65 bytes.
    InvalidSignatureLength(ECDSAInvalidSignatureLength),
    /// The signature is malleable (high-s).
    InvalidSignatureS(ECDSAInvalidSignatureS),
    /// The signature's `v` is not 27 or 28.
    InvalidSignatureV(ECDSAInvalidSignatureV),
}

impl_from_signature_error!(Error);

impl From<Error> for Vec<u8> {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidGracePeriod(e) => calldata(
                ChannelInvalidGracePeriod::SELECTOR,
                &[u64_word(e.gracePeriod), u64_word(e.min), u64_word(e.max)],
            ),
            Error::NotPayer(e) => {
                calldata(ChannelNotPayer::SELECTOR, &[e.channelId, address_word(e.caller)])
            }
            Error::NotPayee(e) => {
                calldata(ChannelNotPayee::SELECTOR, &[e.channelId, address_word(e.caller)])
            }
            Error::InvalidPayer(e) => {
                calldata(ChannelInvalidPayer::SELECTOR, &[address_word(e.payer)])
            }
            Error::InvalidPayee(e) => calldata(
                ChannelInvalidPayee::SELECTOR,
                &[address_word(e.payer), address_word(e.payee)],
            ),
            Error::InvalidPrice(e) => calldata(
                ChannelInvalidPrice::SELECTOR,
                &[uint_word(e.pricePerSegment), uint_word(e.max)],
            ),
            Error::AlreadyExists(e) => calldata(ChannelAlreadyExists::SELECTOR, &[e.channelId]),
            Error::NotFound(e) => calldata(ChannelNotFound::SELECTOR, &[e.channelId]),
            Error::Finalized(e) => calldata(ChannelFinalized::SELECTOR, &[e.channelId]),
            Error::DepositTooSmall(e) => calldata(
                ChannelDepositTooSmall::SELECTOR,
                &[uint_word(e.deposit), uint_word(e.minimum)],
            ),
            Error::DepositTooLarge(e) => calldata(
                ChannelDepositTooLarge::SELECTOR,
                &[uint_word(e.deposit), uint_word(e.max)],
            ),
            Error::ZeroTopUp(e) => calldata(ChannelZeroTopUp::SELECTOR, &[e.channelId]),
            Error::InvalidSigner(e) => calldata(
                ChannelInvalidSigner::SELECTOR,
                &[e.channelId, address_word(e.signer), address_word(e.expected)],
            ),
            Error::InvalidCloseAuthorization(e) => calldata(
                ChannelInvalidCloseAuthorization::SELECTOR,
                &[e.channelId, address_word(e.signer), address_word(e.payee)],
            ),
            Error::CloseAuthorizationExpired(e) => calldata(
                ChannelCloseAuthorizationExpired::SELECTOR,
                &[e.channelId, u64_word(e.deadline), u64_word(e.now)],
            ),
            Error::AvatarTokenMismatch(e) => calldata(
                ChannelAvatarTokenMismatch::SELECTOR,
                &[address_word(e.avatar), address_word(e.avatarToken), address_word(e.token)],
            ),
            Error::ImmutablesMismatch(e) => calldata(
                ChannelImmutablesMismatch::SELECTOR,
                &[address_word(e.avatar), address_word(e.token), u64_word(e.gracePeriod)],
            ),
            Error::StaleVoucher(e) => calldata(
                ChannelStaleVoucher::SELECTOR,
                &[e.channelId, u64_word(e.segments), u64_word(e.settled)],
            ),
            Error::VoucherExceedsDeposit(e) => calldata(
                ChannelVoucherExceedsDeposit::SELECTOR,
                &[e.channelId, u64_word(e.segments), uint_word(e.amount), uint_word(e.deposit)],
            ),
            Error::CloseAlreadyRequested(e) => {
                calldata(ChannelCloseAlreadyRequested::SELECTOR, &[e.channelId, u64_word(e.until)])
            }
            Error::CloseNotRequested(e) => {
                calldata(ChannelCloseNotRequested::SELECTOR, &[e.channelId])
            }
            Error::GracePeriodActive(e) => calldata(
                ChannelGracePeriodActive::SELECTOR,
                &[e.channelId, u64_word(e.until), u64_word(e.now)],
            ),
            Error::InvalidSignature(_) => calldata(ECDSAInvalidSignature::SELECTOR, &[]),
            Error::InvalidSignatureLength(e) => {
                calldata(ECDSAInvalidSignatureLength::SELECTOR, &[uint_word(e.length)])
            }
            Error::InvalidSignatureS(e) => calldata(ECDSAInvalidSignatureS::SELECTOR, &[e.s]),
            Error::InvalidSignatureV(e) => {
                calldata(ECDSAInvalidSignatureV::SELECTOR, &[u64_word(u64::from(e.v))])
            }
        }
    }
}

// The errors are declared in `contracts/sol/Channels.sol`, `Peers.sol` and `Ecdsa.sol`, which
// the build tool adds to the generated interface.
#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::export::internal::InnerTypes for Error {}
