//! The hand-written ABI pieces (argument codecs, revert data, event words) against alloy.

use super::*;

sol! {
    interface IPaymentChannels {
        struct Channel {
            address payer;
            address payee;
            address signer;
            bytes32 videoId;
            uint256 pricePerSegment;
            bytes32 salt;
        }
        struct SettleItem {
            Channel channel;
            uint64 segments;
            uint8 v;
            bytes32 r;
            bytes32 s;
        }
        function open(Channel channel, uint256 deposit) external returns (bytes32);
        function openWithPermit(Channel channel, uint256 deposit, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external returns (bytes32);
        function openFor(Channel channel, uint256 deposit) external returns (bytes32);
        function topUp(Channel channel, uint256 amount) external;
        function settle(Channel channel, uint64 segments, bytes voucherSignature) external;
        function settleBatch(SettleItem[] items) external returns (uint256);
        function close(Channel channel, uint64 segments, bytes voucherSignature) external;
        function closeWithAuthorization(Channel channel, uint64 segments, bytes voucherSignature, bytes closeAuthorization) external;
        function requestClose(Channel channel) external;
        function withdraw(Channel channel) external;
        function channelId(Channel channel) external view returns (bytes32);
    }
}

fn sol_channel(c: &Channel) -> IPaymentChannels::Channel {
    IPaymentChannels::Channel {
        payer: c.payer,
        payee: c.payee,
        signer: c.signer,
        videoId: c.video_id,
        pricePerSegment: c.price_per_segment,
        salt: c.salt,
    }
}

#[test]
fn sdk_selectors_equal_alloy_selectors_of_the_struct_signatures() {
    use stylus_sdk::function_selector;
    use IPaymentChannels as I;
    let pairs: [([u8; 4], [u8; 4]); 11] = [
        (function_selector!("open", Channel, U256), I::openCall::SELECTOR),
        (
            function_selector!("openWithPermit", Channel, U256, U256, u8, B256, B256),
            I::openWithPermitCall::SELECTOR,
        ),
        (function_selector!("openFor", Channel, U256), I::openForCall::SELECTOR),
        (function_selector!("topUp", Channel, U256), I::topUpCall::SELECTOR),
        (function_selector!("settle", Channel, u64, ByteVec), I::settleCall::SELECTOR),
        (function_selector!("settleBatch", Vec<SettleItem>), I::settleBatchCall::SELECTOR),
        (function_selector!("close", Channel, u64, ByteVec), I::closeCall::SELECTOR),
        (
            function_selector!("closeWithAuthorization", Channel, u64, ByteVec, ByteVec),
            I::closeWithAuthorizationCall::SELECTOR,
        ),
        (function_selector!("requestClose", Channel), I::requestCloseCall::SELECTOR),
        (function_selector!("withdraw", Channel), I::withdrawCall::SELECTOR),
        (function_selector!("channelId", Channel), I::channelIdCall::SELECTOR),
    ];
    for (sdk, alloy) in pairs {
        assert_eq!(sdk, alloy);
    }
}

#[test]
fn eip712_data_words_equal_alloy_struct_hashes() {
    use alloy_sol_types::SolValue as _;
    let it = item(&channel(), &session(), 12);
    let sol = IPaymentChannels::SettleItem {
        channel: sol_channel(&it.channel),
        segments: it.segments,
        v: it.v,
        r: it.r,
        s: it.s,
    };
    assert_eq!(ChannelSol::eip712_data_word(&it.channel), sol.channel.eip712_data_word());
    assert_eq!(SettleItemSol::eip712_data_word(&it), sol.eip712_data_word());
}

#[test]
fn channel_abi_equals_sol_channel_both_ways() {
    let c = Channel { signer: Address::ZERO, price_per_segment: MAX_AMOUNT, ..channel() };
    let sol = sol_channel(&c);
    let encoded = sol.abi_encode();
    assert_eq!(ChannelSol::abi_encode(&c), encoded);
    assert_eq!(ChannelSol::abi_decode_validate(&encoded).unwrap(), c);
    // The contracts crate's `Channel` (Channels.sol) is the same type.
    assert_eq!(c.to_sol().abi_encode(), encoded);
    assert_eq!(paratii_contracts::channels::Channel::SOL_NAME, ChannelSol::SOL_NAME);
}

#[test]
fn channel_decode_refuses_dirty_address_words() {
    let mut encoded = sol_channel(&channel()).abi_encode();
    encoded[32] = 1; // the payee word's highest byte
    assert!(ChannelSol::abi_decode_validate(&encoded).is_err());
}

#[test]
fn settle_item_abi_equals_sol_settle_item_both_ways() {
    let it = item(&channel(), &session(), 12);
    let sol = IPaymentChannels::SettleItem {
        channel: sol_channel(&it.channel),
        segments: it.segments,
        v: it.v,
        r: it.r,
        s: it.s,
    };
    let encoded = vec![sol.clone(), sol].abi_encode();
    let ours = vec![it, it];
    assert_eq!(<alloy_sol_types::sol_data::Array<SettleItemSol>>::abi_encode(&ours), encoded);
    assert_eq!(
        <alloy_sol_types::sol_data::Array<SettleItemSol>>::abi_decode_validate(&encoded).unwrap(),
        ours
    );
    let mut dirty = encoded.clone();
    dirty[64 + 7 * 32] = 1; // the first item's `v` word, high byte
    assert!(<alloy_sol_types::sol_data::Array<SettleItemSol>>::abi_decode_validate(&dirty).is_err());
}

#[test]
fn byte_vec_abi_equals_alloy_bytes() {
    let sig = voucher(3);
    let encoded = alloy_primitives::Bytes::from(sig.0.clone()).abi_encode();
    assert_eq!(ByteVecSol::abi_encode(&sig), encoded);
    assert_eq!(ByteVecSol::abi_decode(&encoded).unwrap(), sig);
}

#[test]
// One table row per variant.
#[allow(clippy::too_many_lines)]
fn error_encoding_equals_alloy_for_every_variant() {
    let id = B256::repeat_byte(7);
    let (a, b) = (payer().address(), payee().address());
    let x = U256::from(123_456_789u64);
    let cases: Vec<(Error, Vec<u8>)> = vec![
        (
            Error::InvalidGracePeriod(ChannelInvalidGracePeriod { gracePeriod: 5, min: 6, max: 7 }),
            ChannelInvalidGracePeriod { gracePeriod: 5, min: 6, max: 7 }.abi_encode(),
        ),
        (
            Error::NotPayer(ChannelNotPayer { channelId: id, caller: a }),
            ChannelNotPayer { channelId: id, caller: a }.abi_encode(),
        ),
        (
            Error::NotPayee(ChannelNotPayee { channelId: id, caller: a }),
            ChannelNotPayee { channelId: id, caller: a }.abi_encode(),
        ),
        (
            Error::InvalidPayer(ChannelInvalidPayer { payer: a }),
            ChannelInvalidPayer { payer: a }.abi_encode(),
        ),
        (
            Error::InvalidPayee(ChannelInvalidPayee { payer: a, payee: b }),
            ChannelInvalidPayee { payer: a, payee: b }.abi_encode(),
        ),
        (
            Error::InvalidPrice(ChannelInvalidPrice { pricePerSegment: x, max: U256::MAX }),
            ChannelInvalidPrice { pricePerSegment: x, max: U256::MAX }.abi_encode(),
        ),
        (
            Error::AlreadyExists(ChannelAlreadyExists { channelId: id }),
            ChannelAlreadyExists { channelId: id }.abi_encode(),
        ),
        (not_found(id), ChannelNotFound { channelId: id }.abi_encode()),
        (finalized(id), ChannelFinalized { channelId: id }.abi_encode()),
        (
            Error::DepositTooSmall(ChannelDepositTooSmall { deposit: x, minimum: U256::MAX }),
            ChannelDepositTooSmall { deposit: x, minimum: U256::MAX }.abi_encode(),
        ),
        (
            Error::DepositTooLarge(ChannelDepositTooLarge { deposit: U256::MAX, max: x }),
            ChannelDepositTooLarge { deposit: U256::MAX, max: x }.abi_encode(),
        ),
        (
            Error::ZeroTopUp(ChannelZeroTopUp { channelId: id }),
            ChannelZeroTopUp { channelId: id }.abi_encode(),
        ),
        (
            Error::InvalidSigner(ChannelInvalidSigner { channelId: id, signer: a, expected: b }),
            ChannelInvalidSigner { channelId: id, signer: a, expected: b }.abi_encode(),
        ),
        (
            Error::InvalidCloseAuthorization(ChannelInvalidCloseAuthorization {
                channelId: id,
                signer: a,
                payee: b,
            }),
            ChannelInvalidCloseAuthorization { channelId: id, signer: a, payee: b }.abi_encode(),
        ),
        (
            Error::CloseAuthorizationExpired(ChannelCloseAuthorizationExpired {
                channelId: id,
                deadline: 7,
                now: u64::MAX,
            }),
            ChannelCloseAuthorizationExpired { channelId: id, deadline: 7, now: u64::MAX }
                .abi_encode(),
        ),
        (
            Error::AvatarTokenMismatch(ChannelAvatarTokenMismatch {
                avatar: a,
                avatarToken: b,
                token: a,
            }),
            ChannelAvatarTokenMismatch { avatar: a, avatarToken: b, token: a }.abi_encode(),
        ),
        (
            Error::ImmutablesMismatch(ChannelImmutablesMismatch {
                avatar: a,
                token: b,
                gracePeriod: u64::MAX,
            }),
            ChannelImmutablesMismatch { avatar: a, token: b, gracePeriod: u64::MAX }.abi_encode(),
        ),
        (
            stale(id, u64::MAX, 3),
            ChannelStaleVoucher { channelId: id, segments: u64::MAX, settled: 3 }.abi_encode(),
        ),
        (
            Error::VoucherExceedsDeposit(ChannelVoucherExceedsDeposit {
                channelId: id,
                segments: 9,
                amount: U256::MAX,
                deposit: x,
            }),
            ChannelVoucherExceedsDeposit {
                channelId: id,
                segments: 9,
                amount: U256::MAX,
                deposit: x,
            }
            .abi_encode(),
        ),
        (
            Error::CloseAlreadyRequested(ChannelCloseAlreadyRequested {
                channelId: id,
                until: u64::MAX,
            }),
            ChannelCloseAlreadyRequested { channelId: id, until: u64::MAX }.abi_encode(),
        ),
        (
            Error::CloseNotRequested(ChannelCloseNotRequested { channelId: id }),
            ChannelCloseNotRequested { channelId: id }.abi_encode(),
        ),
        (
            Error::GracePeriodActive(ChannelGracePeriodActive { channelId: id, until: 8, now: 7 }),
            ChannelGracePeriodActive { channelId: id, until: 8, now: 7 }.abi_encode(),
        ),
        (Error::InvalidSignature(ECDSAInvalidSignature {}), ECDSAInvalidSignature {}.abi_encode()),
        (
            Error::InvalidSignatureLength(ECDSAInvalidSignatureLength { length: x }),
            ECDSAInvalidSignatureLength { length: x }.abi_encode(),
        ),
        (
            Error::InvalidSignatureS(ECDSAInvalidSignatureS { s: id }),
            ECDSAInvalidSignatureS { s: id }.abi_encode(),
        ),
        (
            Error::InvalidSignatureV(ECDSAInvalidSignatureV { v: 255 }),
            ECDSAInvalidSignatureV { v: 255 }.abi_encode(),
        ),
    ];
    // Exhaustive, no wildcard: a new variant stops this from compiling until it has a number
    // here and a case above.
    let variant = |e: &Error| match e {
        Error::InvalidGracePeriod(_) => 0,
        Error::NotPayer(_) => 1,
        Error::NotPayee(_) => 2,
        Error::InvalidPayer(_) => 3,
        Error::InvalidPayee(_) => 4,
        Error::InvalidPrice(_) => 5,
        Error::AlreadyExists(_) => 6,
        Error::NotFound(_) => 7,
        Error::Finalized(_) => 8,
        Error::DepositTooSmall(_) => 9,
        Error::DepositTooLarge(_) => 10,
        Error::ZeroTopUp(_) => 11,
        Error::InvalidSigner(_) => 12,
        Error::InvalidCloseAuthorization(_) => 13,
        Error::CloseAuthorizationExpired(_) => 14,
        Error::AvatarTokenMismatch(_) => 15,
        Error::ImmutablesMismatch(_) => 16,
        Error::StaleVoucher(_) => 17,
        Error::VoucherExceedsDeposit(_) => 18,
        Error::CloseAlreadyRequested(_) => 19,
        Error::CloseNotRequested(_) => 20,
        Error::GracePeriodActive(_) => 21,
        Error::InvalidSignature(_) => 22,
        Error::InvalidSignatureLength(_) => 23,
        Error::InvalidSignatureS(_) => 24,
        Error::InvalidSignatureV(_) => 25,
    };
    let covered: Vec<usize> = cases.iter().map(|(e, _)| variant(e)).collect();
    assert_eq!(covered, (0..26).collect::<Vec<_>>(), "every variant, once, in order");
    for (error, alloy) in cases {
        assert_eq!(Vec::from(error.clone()), alloy, "{error:?}");
    }
}
