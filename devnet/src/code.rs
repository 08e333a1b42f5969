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
