//! Fixed-size ABI calldata for the calls contracts make to their peers: a compile-time selector
//! and 32-byte words, with no ABI encoder linked into the WASM. The tests check every selector
//! and encoding the suite uses against alloy's `sol!` encoder.

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

/// The 4-byte selector of a function signature such as `"recordView(bytes32)"`, at compile time.
#[must_use]
pub const fn selector(signature: &str) -> [u8; 4] {
    let h = keccak_const::Keccak256::new()
        .update(signature.as_bytes())
        .finalize();
    [h[0], h[1], h[2], h[3]]
}

/// An ABI word: a left-padded address.
#[must_use]
pub fn address_word(address: Address) -> B256 {
    address.into_word()
}

/// An ABI word: a big-endian unsigned integer.
#[must_use]
pub fn uint_word(value: U256) -> B256 {
    B256::from(value.to_be_bytes::<32>())
}

/// Calldata for a function whose arguments are all static: `selector ‖ words`.
#[must_use]
pub fn calldata(selector: [u8; 4], words: &[B256]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + 32 * words.len());
    out.extend_from_slice(&selector);
    for word in words {
        out.extend_from_slice(word.as_slice());
    }
    out
}

/// The `index`-th 32-byte word of static return data, or `None` when it is too short.
#[must_use]
pub fn word(output: &[u8], index: usize) -> Option<B256> {
    output
        .get(index * 32..index * 32 + 32)
        .map(B256::from_slice)
}

/// The `index`-th return word as an address, or `None` when short or not a clean address.
#[must_use]
pub fn address_at(output: &[u8], index: usize) -> Option<Address> {
    let w = word(output, index)?;
    w[..12]
        .iter()
        .all(|b| *b == 0)
        .then(|| Address::from_slice(&w[12..]))
}

/// The `index`-th return word as an unsigned integer, or `None` when too short.
#[must_use]
pub fn uint_at(output: &[u8], index: usize) -> Option<U256> {
    word(output, index).map(|w| U256::from_be_bytes(w.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256};
    use alloy_sol_types::{sol, SolCall};

    sol! {
        function recordView(bytes32 videoId);
        function transferFrom(address from, address to, uint256 value) returns (bool);
    }

    #[test]
    fn selector_equals_alloy_selector() {
        assert_eq!(selector("recordView(bytes32)"), recordViewCall::SELECTOR);
        assert_eq!(
            selector("transferFrom(address,address,uint256)"),
            transferFromCall::SELECTOR
        );
    }

    #[test]
    fn calldata_equals_alloy_encoding() {
        let from = address!("0x00000000000000000000000000000000000000a1");
        let to = address!("0x00000000000000000000000000000000000000b2");
        let value = U256::from(31_415u64);
        assert_eq!(
            calldata(
                selector("transferFrom(address,address,uint256)"),
                &[address_word(from), address_word(to), uint_word(value)]
            ),
            transferFromCall { from, to, value }.abi_encode()
        );
        let id = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
        assert_eq!(
            calldata(selector("recordView(bytes32)"), &[id]),
            recordViewCall { videoId: id }.abi_encode()
        );
    }

    #[test]
    fn return_words_decode_or_refuse() {
        let a = address!("0x00000000000000000000000000000000000000a1");
        let mut out = address_word(a).to_vec();
        out.extend_from_slice(uint_word(U256::from(7)).as_slice());
        assert_eq!(address_at(&out, 0), Some(a));
        assert_eq!(uint_at(&out, 1), Some(U256::from(7)));
        assert_eq!(uint_at(&out, 2), None);
        // A dirty high byte is not an address.
        assert_eq!(address_at(&uint_word(U256::MAX).0, 0), None);
    }
}
