//! Stylus code on chain and the addresses creations deploy at.

use super::{keccak256, Address, B256};

/// The prefix of a Stylus program's on-chain code (`0xEF 0xF0 0x00`), then a dictionary byte and
/// the brotli-compressed module.
pub const STYLUS_PREFIX: [u8; 3] = [0xEF, 0xF0, 0x00];

/// The WASM inside on-chain Stylus code (`0xEFF000`, dictionary 0, brotli), or raw WASM as is;
/// `None` for anything else, an unknown dictionary, or more than 128 KiB decompressed.
#[must_use]
pub fn wasm_from_code(code: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    if code.starts_with(b"\0asm") {
        return Some(code.to_vec());
    }
    let compressed = code.strip_prefix(&STYLUS_PREFIX)?.strip_prefix(&[0])?;
    let limit = paratii_build::validate::MAX_WASM_BYTES;
    let mut wasm = Vec::new();
    brotli::Decompressor::new(compressed, 4096)
        .take(limit as u64 + 1)
        .read_to_end(&mut wasm)
        .ok()?;
    (wasm.len() <= limit).then_some(wasm)
}

/// The CREATE address of `sender` at `nonce`: `keccak256(rlp([sender, nonce]))[12..]`.
///
/// # Panics
/// Never: the RLP lengths are bounded by construction.
#[must_use]
pub fn create_address(sender: Address, nonce: u64) -> Address {
    let mut nonce_rlp = Vec::with_capacity(9);
    match nonce {
        0 => nonce_rlp.push(0x80),
        1..=0x7f => nonce_rlp.push(u8::try_from(nonce).expect("should be below 0x80")),
        _ => {
            let bytes = nonce.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            nonce_rlp.push(0x80 + u8::try_from(8 - skip).expect("should be at most 8"));
            nonce_rlp.extend_from_slice(&bytes[skip..]);
        }
    }
    let mut rlp = Vec::with_capacity(32);
    rlp.push(0xc0 + u8::try_from(21 + nonce_rlp.len()).expect("should be short"));
    rlp.push(0x94);
    rlp.extend_from_slice(sender.as_slice());
    rlp.extend_from_slice(&nonce_rlp);
    Address::from_slice(&keccak256(rlp)[12..])
}

/// The CREATE2 address: `keccak256(0xff ‖ sender ‖ salt ‖ keccak256(code))[12..]`.
#[must_use]
pub fn create2_address(sender: Address, salt: B256, code_hash: B256) -> Address {
    let mut preimage = Vec::with_capacity(85);
    preimage.push(0xff);
    preimage.extend_from_slice(sender.as_slice());
    preimage.extend_from_slice(salt.as_slice());
    preimage.extend_from_slice(code_hash.as_slice());
    Address::from_slice(&keccak256(preimage)[12..])
}

/// The instructions cargo-stylus's deployment prelude runs after `PUSH32 len`: `DUP1 PUSH1 43
/// PUSH1 0 CODECOPY PUSH1 0 RETURN`, then its version byte 0.
const PRELUDE_TAIL: [u8; 10] = [0x80, 0x60, 0x2b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3, 0x00];
/// The prelude's length before the code.
const PRELUDE_LEN: usize = 43;

/// The init code cargo-stylus deploys `code` with (stylus-tools `core/deployment/prelude.rs`):
/// `7f <len as 32 bytes> 80 60 2b 60 00 39 60 00 f3 00 <code>`, EVM instructions that return
/// `code`.
#[must_use]
pub fn init_code_prelude(code: &[u8]) -> Vec<u8> {
    let mut init = Vec::with_capacity(PRELUDE_LEN + code.len());
    init.push(0x7f);
    init.extend_from_slice(&crate::U256::from(code.len()).to_be_bytes::<32>());
    init.extend_from_slice(&PRELUDE_TAIL);
    init.extend_from_slice(code);
    init
}

/// The code `init` returns when it is exactly cargo-stylus's prelude ([`init_code_prelude`])
/// around it, or `None` for any other init code (which only an EVM could run).
#[must_use]
pub fn code_from_init_prelude(init: &[u8]) -> Option<&[u8]> {
    let (head, code) = (init.get(..PRELUDE_LEN)?, &init[PRELUDE_LEN..]);
    let declared = crate::U256::from_be_slice(&head[1..33]);
    (head[0] == 0x7f && head[33..] == PRELUDE_TAIL && declared == crate::U256::from(code.len()))
        .then_some(code)
}

/// Why a creation placed no code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CreateFailure {
    /// Init code other than the prelude: it needs an EVM.
    NotPrelude,
    /// The address already holds code or a nonce (an EIP-684 collision).
    Collision(Address),
    /// The code is over EIP-170's limit.
    TooLarge(usize),
    /// The creator cannot pay the endowment.
    Endowment,
}

impl std::fmt::Display for CreateFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotPrelude => f.write_str(
                "init code is not cargo-stylus's deployment prelude: this chain runs no EVM \
                 interpreter, so it creates only Stylus programs deployed as cargo stylus deploys them",
            ),
            Self::Collision(a) => write!(f, "{a} already holds code or a nonce"),
            Self::TooLarge(n) => write!(
                f,
                "code of {n} bytes is over the {} bytes a contract may hold (EIP-170)",
                crate::pricing::MAX_CODE_SIZE
            ),
            Self::Endowment => f.write_str("the creator cannot pay the value it sends"),
        }
    }
}

/// A creation from `creator` with `init` (the prelude around the code) and `value`: the CREATE
/// address at the creator's nonce, or the CREATE2 address for `salt`. Bumps the creator's
/// nonce, places the code (not activated, as on Nitro), gives the new account nonce 1 and the
/// value. Returns the address and the gas of running the prelude and depositing the code
/// (without the 32,000 base or the init-code word costs, which the caller prices).
pub(crate) fn create_from_prelude(
    world: &mut crate::World,
    creator: Address,
    init: &[u8],
    salt: Option<B256>,
    value: crate::U256,
) -> Result<(Address, u64), CreateFailure> {
    let code = code_from_init_prelude(init).ok_or(CreateFailure::NotPrelude)?;
    if code.len() > crate::pricing::MAX_CODE_SIZE {
        return Err(CreateFailure::TooLarge(code.len()));
    }
    let address = match salt {
        None => create_address(creator, world.nonce(creator)),
        Some(salt) => create2_address(creator, salt, keccak256(init)),
    };
    world.bump_nonce(creator);
    if world.code_hash(address).is_some() || world.nonce(address) != 0 {
        return Err(CreateFailure::Collision(address));
    }
    if !world.transfer(creator, address, value) {
        return Err(CreateFailure::Endowment);
    }
    world.set_code(address, code);
    world.bump_nonce(address);
    Ok((address, crate::pricing::prelude_gas(code.len() as u64)))
}
