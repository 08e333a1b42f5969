//! Fixed-size ABI calldata for the calls contracts make to their peers: a compile-time selector
//! and 32-byte words, with no ABI encoder linked into the WASM. The tests check every selector
//! and encoding the suite uses against alloy's `sol!` encoder.

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

/// The 4-byte selector of a function signature such as `"recordView(bytes32)"`, at compile time.
#[must_use]
pub const fn selector(signature: &str) -> [u8; 4] {
    let h = keccak_const::Keccak256::new().update(signature.as_bytes()).finalize();
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

/// Calldata for a function whose arguments are all dynamic arrays of 32-byte words
/// (`bytes32[]`, `uint256[]`, `address[]` as words): `selector ‖ heads ‖ tails`.
#[must_use]
pub fn calldata_word_arrays(selector: [u8; 4], arrays: &[&[B256]]) -> Vec<u8> {
    let words: usize = arrays.iter().map(|a| 1 + a.len()).sum();
    let mut out = Vec::with_capacity(4 + 32 * (arrays.len() + words));
    out.extend_from_slice(&selector);
    let mut offset = 32 * arrays.len();
    for array in arrays {
        out.extend_from_slice(uint_word(U256::from(offset)).as_slice());
        offset += 32 * (1 + array.len());
    }
    for array in arrays {
        out.extend_from_slice(uint_word(U256::from(array.len())).as_slice());
        for word in *array {
            out.extend_from_slice(word.as_slice());
        }
    }
    out
}

/// The `index`-th return value, a dynamic array of words, or `None` when the data is malformed.
#[must_use]
pub fn word_array_at(output: &[u8], index: usize) -> Option<Vec<B256>> {
    let offset = usize::try_from(uint_at(output, index)?).ok()?;
    if offset % 32 != 0 {
        return None;
    }
    let start = offset / 32;
    let len = usize::try_from(uint_at(output, start)?).ok()?;
    (0..len).map(|i| word(output, start + 1 + i)).collect()
}

/// The `index`-th 32-byte word of static return data, or `None` when it is too short.
#[must_use]
pub fn word(output: &[u8], index: usize) -> Option<B256> {
    output.get(index * 32..index * 32 + 32).map(B256::from_slice)
}

/// The `index`-th return word as an address, or `None` when short or not a clean address.
#[must_use]
pub fn address_at(output: &[u8], index: usize) -> Option<Address> {
    let w = word(output, index)?;
    w[..12].iter().all(|b| *b == 0).then(|| Address::from_slice(&w[12..]))
}

/// The `index`-th return word as an unsigned integer, or `None` when too short.
#[must_use]
pub fn uint_at(output: &[u8], index: usize) -> Option<U256> {
    word(output, index).map(|w| U256::from_be_bytes(w.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloy_primitives::{address, b256};
    use alloy_sol_types::{sol, SolCall};

    sol! {
        function recordView(bytes32 videoId);
        function transferFrom(address from, address to, uint256 value) returns (bool);
    }

    #[test]
    fn selector_equals_alloy_selector() {
        assert_eq!(selector("recordView(bytes32)"), recordViewCall::SELECTOR);
        assert_eq!(selector("transferFrom(address,address,uint256)"), transferFromCall::SELECTOR);
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

    sol! {
        function getByKeys(bytes32[] contractKeys, bytes32[] uintKeys)
            returns (address[] contracts, uint256[] uints);
    }

    #[test]
    fn word_array_calldata_equals_alloy_encoding() {
        let a = [B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3)];
        let b = [B256::repeat_byte(4)];
        let sel = selector("getByKeys(bytes32[],bytes32[])");
        assert_eq!(sel, getByKeysCall::SELECTOR);
        assert_eq!(
            calldata_word_arrays(sel, &[&a, &b]),
            getByKeysCall { contractKeys: a.to_vec(), uintKeys: b.to_vec() }.abi_encode()
        );
    }

    #[test]
    fn word_arrays_decode_alloy_return_data_or_refuse() {
        let contracts = vec![
            address!("0x00000000000000000000000000000000000000a1"),
            address!("0x00000000000000000000000000000000000000a2"),
        ];
        let uints = vec![U256::from(7)];
        let out = getByKeysCall::abi_encode_returns_tuple(&(contracts.clone(), uints.clone()));
        let first = word_array_at(&out, 0).unwrap();
        assert_eq!(first.iter().map(|w| Address::from_word(*w)).collect::<Vec<_>>(), contracts);
        assert_eq!(word_array_at(&out, 1).unwrap(), vec![uint_word(U256::from(7))]);
        // Truncated data, or an offset pointing past the end, is refused.
        assert_eq!(word_array_at(&out[..out.len() - 32], 1), None);
        assert_eq!(word_array_at(&uint_word(U256::from(4096)).0, 0), None);
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
