//! The ABI of the two structs the adjudicator takes, `Channel` and `SettleItem` of
//! `contracts/sol/Channels.sol`, with hand-written alloy [`SolType`]s.
//!
//! Why by hand: the SDK's `#[derive(AbiType)]` on `sol!` structs makes alloy inline a full
//! field-by-field decoder and validator of the channel into every function that takes one
//! (~1 KiB brotli each, five functions): the contract did not fit the 24 KiB gate. Here the six
//! words are decoded and validated once, in [`Channel::from_words`] and [`Channel::is_clean`],
//! which every decoder calls. The encoding is the standard one (a static tuple of six words;
//! `SettleItem` a dynamic tuple); the tests check both directions against alloy's `sol!` types
//! and the function selectors against alloy's.

use alloc::vec::Vec;

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::{
    abi::token::{FixedSeqToken, PackedSeqToken, WordToken},
    private::SolTypeValue,
    SolType, Word,
};
use stylus_sdk::abi::{AbiType, ConstString};

/// A channel's parameters: `Channel` of `contracts/sol/Channels.sol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Channel {
    /// Escrows the deposit; the only account that tops up, requests a close and withdraws.
    pub payer: Address,
    /// Receives every payout.
    pub payee: Address,
    /// Signs the vouchers; zero: the payer.
    pub signer: Address,
    /// The video the segments belong to (any id; not checked against the `VideoRegistry`).
    pub video_id: B256,
    /// PTI wei per segment, 1 to 2⁹⁶ − 1.
    pub price_per_segment: U256,
    /// Tells apart channels whose other fields are equal.
    pub salt: B256,
}

impl Channel {
    /// The channel from its six ABI words (the address words' high bytes ignored: decoding
    /// refuses dirty ones before this runs, see [`Self::is_clean`]).
    #[inline(never)]
    #[must_use]
    pub fn from_words(words: &[WordToken; 6]) -> Self {
        Self {
            payer: Address::from_word(words[0].0),
            payee: Address::from_word(words[1].0),
            signer: Address::from_word(words[2].0),
            video_id: words[3].0,
            price_per_segment: U256::from_be_bytes(words[4].0 .0),
            salt: words[5].0,
        }
    }

    /// The six ABI words.
    #[must_use]
    pub fn to_words(&self) -> [WordToken; 6] {
        [
            WordToken(self.payer.into_word()),
            WordToken(self.payee.into_word()),
            WordToken(self.signer.into_word()),
            WordToken(self.video_id),
            WordToken(B256::from(self.price_per_segment.to_be_bytes::<32>())),
            WordToken(self.salt),
        ]
    }

    /// Whether the three address words have clean (zero) high bytes, as the ABI requires.
    #[inline(never)]
    #[must_use]
    pub fn is_clean(words: &[WordToken; 6]) -> bool {
        words[..3].iter().all(|w| w.0[..12].iter().all(|b| *b == 0))
    }

    /// The same channel as `paratii_contracts`' `sol!` type, for its hash functions.
    #[must_use]
    pub fn to_sol(&self) -> paratii_contracts::channels::Channel {
        paratii_contracts::channels::Channel {
            payer: self.payer,
            payee: self.payee,
            signer: self.signer,
            videoId: self.video_id,
            pricePerSegment: self.price_per_segment,
            salt: self.salt,
        }
    }
}

/// `keccak256` of `Channel`'s EIP-712 type string (the struct is not signed; alloy's trait asks
/// for its data word).
const CHANNEL_TYPE: &str = "Channel(address payer,address payee,address signer,bytes32 videoId,\
uint256 pricePerSegment,bytes32 salt)";

/// [`Channel`]'s Solidity type: a static tuple of six words.
#[derive(Debug, Clone, Copy)]
pub struct ChannelSol;

impl SolType for ChannelSol {
    type RustType = Channel;
    type Token<'a> = FixedSeqToken<WordToken, 6>;
    const SOL_NAME: &'static str = "Channel";
    const ENCODED_SIZE: Option<usize> = Some(6 * 32);
    const PACKED_ENCODED_SIZE: Option<usize> = Some(3 * 20 + 3 * 32);

    fn valid_token(token: &Self::Token<'_>) -> bool {
        Channel::is_clean(&token.0)
    }

    fn detokenize(token: Self::Token<'_>) -> Channel {
        Channel::from_words(&token.0)
    }
}

impl SolTypeValue<ChannelSol> for Channel {
    fn stv_to_tokens(&self) -> FixedSeqToken<WordToken, 6> {
        FixedSeqToken(self.to_words())
    }

    fn stv_abi_encode_packed_to(&self, out: &mut Vec<u8>) {
        for a in [self.payer, self.payee, self.signer] {
            out.extend_from_slice(a.as_slice());
        }
        out.extend_from_slice(self.video_id.as_slice());
        out.extend_from_slice(&self.price_per_segment.to_be_bytes::<32>());
        out.extend_from_slice(self.salt.as_slice());
    }

    fn stv_eip712_data_word(&self) -> Word {
        let mut buf = Vec::with_capacity(7 * 32);
        buf.extend_from_slice(keccak256(CHANNEL_TYPE).as_slice());
        for w in self.to_words() {
            buf.extend_from_slice(w.0.as_slice());
        }
        keccak256(buf)
    }
}

impl AbiType for Channel {
    type SolType = ChannelSol;
    const ABI: ConstString = ConstString::new("Channel");
    const SELECTOR_ABI: ConstString =
        ConstString::new("(address,address,address,bytes32,uint256,bytes32)");
    const EXPORT_ABI_ARG: ConstString = ConstString::new("Channel calldata");
    const EXPORT_ABI_RET: ConstString = ConstString::new("Channel memory");
}

#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::export::internal::InnerTypes for Channel {
    fn inner_types() -> Vec<stylus_sdk::abi::export::internal::InnerType> {
        alloc::vec![stylus_sdk::abi::export::internal::InnerType {
            name: "struct Channel {address payer;address payee;address signer;bytes32 videoId;\
                   uint256 pricePerSegment;bytes32 salt;}"
                .into(),
            id: core::any::TypeId::of::<Channel>(),
        }]
    }
}

/// One item of `settleBatch`: `SettleItem` of `contracts/sol/Channels.sol`, a voucher with its
/// signature as `(v, r, s)`, so an item is a static tuple of ten words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SettleItem {
    /// The channel.
    pub channel: Channel,
    /// The voucher's cumulative segment count.
    pub segments: u64,
    /// The signature's recovery byte: 27 or 28.
    pub v: u8,
    /// The signature's `r`.
    pub r: B256,
    /// The signature's `s` (low-s).
    pub s: B256,
}

impl SettleItem {
    #[inline(never)]
    fn from_words(words: &[WordToken; 10]) -> Self {
        let mut channel = [WordToken::default(); 6];
        channel.copy_from_slice(&words[..6]);
        let mut segments = [0u8; 8];
        segments.copy_from_slice(&words[6].0[24..]);
        Self {
            channel: Channel::from_words(&channel),
            segments: u64::from_be_bytes(segments),
            v: words[7].0[31],
            r: words[8].0,
            s: words[9].0,
        }
    }

    #[inline(never)]
    fn is_clean(words: &[WordToken; 10]) -> bool {
        let mut channel = [WordToken::default(); 6];
        channel.copy_from_slice(&words[..6]);
        Channel::is_clean(&channel)
            && words[6].0[..24].iter().all(|b| *b == 0)
            && words[7].0[..31].iter().all(|b| *b == 0)
    }
}

/// [`SettleItem`]'s Solidity type: a static tuple of ten words.
#[derive(Debug, Clone, Copy)]
pub struct SettleItemSol;

/// `SettleItem`'s EIP-712 type string, with the referenced `Channel`.
const SETTLE_ITEM_TYPE: &str = "SettleItem(Channel channel,uint64 segments,uint8 v,bytes32 r,\
bytes32 s)Channel(address payer,address payee,address signer,bytes32 videoId,uint256 \
pricePerSegment,bytes32 salt)";

impl SolType for SettleItemSol {
    type RustType = SettleItem;
    type Token<'a> = FixedSeqToken<WordToken, 10>;
    const SOL_NAME: &'static str = "SettleItem";
    const ENCODED_SIZE: Option<usize> = Some(10 * 32);
    const PACKED_ENCODED_SIZE: Option<usize> = Some(3 * 20 + 3 * 32 + 8 + 1 + 2 * 32);

    fn valid_token(token: &Self::Token<'_>) -> bool {
        SettleItem::is_clean(&token.0)
    }

    fn detokenize(token: Self::Token<'_>) -> SettleItem {
        SettleItem::from_words(&token.0)
    }
}

impl SolTypeValue<SettleItemSol> for SettleItem {
    fn stv_to_tokens(&self) -> FixedSeqToken<WordToken, 10> {
        let mut words = [WordToken::default(); 10];
        words[..6].copy_from_slice(&self.channel.to_words());
        words[6] = WordToken(B256::from(U256::from(self.segments).to_be_bytes::<32>()));
        words[7] = WordToken(B256::with_last_byte(self.v));
        words[8] = WordToken(self.r);
        words[9] = WordToken(self.s);
        FixedSeqToken(words)
    }

    fn stv_abi_encode_packed_to(&self, out: &mut Vec<u8>) {
        SolTypeValue::<ChannelSol>::stv_abi_encode_packed_to(&self.channel, out);
        out.extend_from_slice(&self.segments.to_be_bytes());
        out.push(self.v);
        out.extend_from_slice(self.r.as_slice());
        out.extend_from_slice(self.s.as_slice());
    }

    fn stv_eip712_data_word(&self) -> Word {
        let mut buf = Vec::with_capacity(6 * 32);
        buf.extend_from_slice(keccak256(SETTLE_ITEM_TYPE).as_slice());
        buf.extend_from_slice(
            SolTypeValue::<ChannelSol>::stv_eip712_data_word(&self.channel).as_slice(),
        );
        buf.extend_from_slice(&U256::from(self.segments).to_be_bytes::<32>());
        buf.extend_from_slice(B256::with_last_byte(self.v).as_slice());
        buf.extend_from_slice(self.r.as_slice());
        buf.extend_from_slice(self.s.as_slice());
        keccak256(buf)
    }
}

impl AbiType for SettleItem {
    type SolType = SettleItemSol;
    const ABI: ConstString = ConstString::new("SettleItem");
    const SELECTOR_ABI: ConstString = ConstString::new(
        "((address,address,address,bytes32,uint256,bytes32),uint64,uint8,bytes32,bytes32)",
    );
    const EXPORT_ABI_RET: ConstString = ConstString::new("SettleItem memory");
}

#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::export::internal::InnerTypes for SettleItem {
    fn inner_types() -> Vec<stylus_sdk::abi::export::internal::InnerType> {
        let mut out = <Channel as stylus_sdk::abi::export::internal::InnerTypes>::inner_types();
        out.push(stylus_sdk::abi::export::internal::InnerType {
            name:
                "struct SettleItem {Channel channel;uint64 segments;uint8 v;bytes32 r;bytes32 s;}"
                    .into(),
            id: core::any::TypeId::of::<SettleItem>(),
        });
        out
    }
}

/// A Solidity `bytes` argument (the signatures) as a plain vector: alloy's `Bytes` would pull the
/// `bytes` crate's shared-buffer machinery into the contract for nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ByteVec(pub Vec<u8>);

impl From<Vec<u8>> for ByteVec {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl core::ops::Deref for ByteVec {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// [`ByteVec`]'s Solidity type: `bytes`.
#[derive(Debug, Clone, Copy)]
pub struct ByteVecSol;

impl SolType for ByteVecSol {
    type RustType = ByteVec;
    type Token<'a> = PackedSeqToken<'a>;
    const SOL_NAME: &'static str = "bytes";
    const ENCODED_SIZE: Option<usize> = None;
    const PACKED_ENCODED_SIZE: Option<usize> = None;

    fn valid_token(_token: &Self::Token<'_>) -> bool {
        true
    }

    fn detokenize(token: Self::Token<'_>) -> ByteVec {
        ByteVec(token.0.to_vec())
    }
}

impl SolTypeValue<ByteVecSol> for ByteVec {
    fn stv_abi_encoded_size(&self) -> usize {
        64 + self.0.len().div_ceil(32) * 32
    }

    fn stv_to_tokens(&self) -> PackedSeqToken<'_> {
        PackedSeqToken(&self.0)
    }

    fn stv_abi_packed_encoded_size(&self) -> usize {
        self.0.len()
    }

    fn stv_abi_encode_packed_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }

    fn stv_eip712_data_word(&self) -> Word {
        keccak256(&self.0)
    }
}

impl AbiType for ByteVec {
    type SolType = ByteVecSol;
    const ABI: ConstString = ConstString::new("bytes");
    const EXPORT_ABI_ARG: ConstString = ConstString::new("bytes calldata");
    const EXPORT_ABI_RET: ConstString = ConstString::new("bytes memory");
}

#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::export::internal::InnerTypes for ByteVec {}

/// The return data of `eip712Domain()` (EIP-5267), ABI-encoded by hand: `(bytes1 fields, string
/// name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[]
/// extensions)`. alloy's generic encoder for that tuple costs ~1 KiB brotli; the tests decode
/// this encoding with alloy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eip712DomainReturn(pub Vec<u8>);

/// The encoding of a domain of `fields`, `name` and `version` (each at most 32 bytes), a zero
/// chain id and contract, a zero salt and no extensions: twelve words, built at compile time.
const fn domain_template(fields: u8, name: &str, version: &str) -> [u8; 12 * 32] {
    let mut out = [0u8; 12 * 32];
    out[0] = fields;
    // Offsets: name at word 7, version at word 9, extensions at word 11.
    out[63] = 7 * 32;
    out[94] = 1; // 9 * 32 = 0x120
    out[95] = 0x20;
    out[222] = 1; // 11 * 32 = 0x160
    out[223] = 0x60;
    let (name, version) = (name.as_bytes(), version.as_bytes());
    assert!(name.len() <= 32 && version.len() <= 32);
    #[allow(clippy::cast_possible_truncation)]
    {
        out[7 * 32 + 31] = name.len() as u8;
        out[9 * 32 + 31] = version.len() as u8;
    }
    let mut i = 0;
    while i < name.len() {
        out[8 * 32 + i] = name[i];
        i += 1;
    }
    let mut i = 0;
    while i < version.len() {
        out[10 * 32 + i] = version[i];
        i += 1;
    }
    out
}

/// `eip712Domain()`'s return data with the chain id and contract left zero.
const CHANNELS_DOMAIN: [u8; 12 * 32] = domain_template(
    paratii_contracts::eip712::DOMAIN_FIELDS,
    paratii_contracts::eip712::CHANNELS_NAME,
    paratii_contracts::eip712::TOKEN_VERSION,
);

impl Eip712DomainReturn {
    /// The adjudicator's domain (fields 0x0f, "Paratii Channels", "1") on `chain_id` at
    /// `verifying_contract`, with a zero salt and no extensions.
    #[must_use]
    pub fn channels(chain_id: u64, verifying_contract: Address) -> Self {
        let mut out = CHANNELS_DOMAIN.to_vec();
        out[3 * 32 + 24..4 * 32].copy_from_slice(&chain_id.to_be_bytes());
        out[4 * 32 + 12..5 * 32].copy_from_slice(verifying_contract.as_slice());
        Self(out)
    }
}

/// [`Eip712DomainReturn`]'s Solidity type (a return value only).
#[derive(Debug, Clone, Copy)]
pub struct Eip712DomainSol;

impl SolType for Eip712DomainSol {
    type RustType = Eip712DomainReturn;
    type Token<'a> = PackedSeqToken<'a>;
    const SOL_NAME: &'static str = "(bytes1,string,string,uint256,address,bytes32,uint256[])";
    const ENCODED_SIZE: Option<usize> = None;
    const PACKED_ENCODED_SIZE: Option<usize> = None;

    fn valid_token(_token: &Self::Token<'_>) -> bool {
        true
    }

    fn detokenize(token: Self::Token<'_>) -> Eip712DomainReturn {
        Eip712DomainReturn(token.0.to_vec())
    }
}

impl SolTypeValue<Eip712DomainSol> for Eip712DomainReturn {
    fn stv_abi_encoded_size(&self) -> usize {
        self.0.len()
    }

    fn stv_to_tokens(&self) -> PackedSeqToken<'_> {
        PackedSeqToken(&self.0)
    }

    fn stv_abi_packed_encoded_size(&self) -> usize {
        self.0.len()
    }

    fn stv_abi_encode_packed_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }

    fn stv_eip712_data_word(&self) -> Word {
        keccak256(&self.0)
    }
}

impl AbiType for Eip712DomainReturn {
    type SolType = Eip712DomainSol;
    const ABI: ConstString =
        ConstString::new("(bytes1,string,string,uint256,address,bytes32,uint256[])");
    const EXPORT_ABI_RET: ConstString = ConstString::new(
        "(bytes1, string memory, string memory, uint256, address, bytes32, uint256[] memory)",
    );

    fn abi_encode_return<R: ?Sized + SolTypeValue<Eip712DomainSol>>(rust: &R) -> Vec<u8> {
        rust.stv_to_tokens().0.to_vec()
    }
}

#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::export::internal::InnerTypes for Eip712DomainReturn {}
