//! Native test support (feature `testing`): [`PrecompileHost`], a `TestVM` whose `ecrecover`
//! precompile (address `0x01`) really recovers signers, and [`Signer`], which signs digests the
//! way wallets do (RFC 6979, low-s, `v` = 27 or 28).
//!
//! The precompile follows Ethereum's rules, not the suite's: it accepts high-s signatures (it
//! recovers the same signer as the low-s twin), so a test proving that a contract refuses high-s
//! signatures fails if the contract forgets the check.

use alloy_primitives::{keccak256, Address, B256, U256};
use k256::ecdsa::{RecoveryId, Signature as K256Signature, SigningKey, VerifyingKey};
use paratii_contracts::ecdsa::{Signature, ECRECOVER};
use stylus_sdk::{
    host::VM,
    stylus_core::host::{
        AccountAccess, BlockAccess, CalldataAccess, ChainAccess, CryptographyAccess, Host,
        MemoryAccess, MessageAccess, MeteringAccess, RawLogAccess, StorageAccess, UnsafeCallAccess,
        UnsafeDeploymentAccess,
    },
    testing::TestVM,
};

/// A [`TestVM`] whose static calls to `0x01` run a real `ecrecover`; everything else is the
/// `TestVM`'s (set the sender, time and chain through [`PrecompileHost::vm`]).
#[derive(Clone, Default)]
pub struct PrecompileHost {
    /// The wrapped `TestVM`: storage, logs, sender, block values, mocks.
    pub vm: TestVM,
}

impl PrecompileHost {
    /// A host over a fresh `TestVM`.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The host as the SDK's `VM`, for `Contract::from(&host)`-style construction.
    #[must_use]
    pub fn as_vm(&self) -> VM {
        VM {
            host: alloc::boxed::Box::new(self.clone()),
        }
    }
}

/// Ethereum's `ecrecover` on a 128-byte input (shorter input is zero-padded): the left-padded
/// signer, or empty output when recovery fails.
///
/// # Panics
/// Never: the 32-byte slices it converts are cut from a 128-byte buffer.
#[must_use]
pub fn ecrecover(input: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 128];
    let n = input.len().min(128);
    buf[..n].copy_from_slice(&input[..n]);
    let v = U256::from_be_slice(&buf[32..64]);
    if v != U256::from(27) && v != U256::from(28) {
        return Vec::new();
    }
    let Ok(sig) = K256Signature::from_scalars(
        <[u8; 32]>::try_from(&buf[64..96]).expect("should be 32 bytes"),
        <[u8; 32]>::try_from(&buf[96..128]).expect("should be 32 bytes"),
    ) else {
        return Vec::new();
    };
    let mut odd = buf[63] == 28;
    // The precompile accepts high-s; k256 does not: recover through the low-s twin, whose
    // R has the opposite y parity.
    let sig = match sig.normalize_s() {
        Some(low) => {
            odd = !odd;
            low
        }
        None => sig,
    };
    let Some(recid) = RecoveryId::from_byte(u8::from(odd)) else {
        return Vec::new();
    };
    match VerifyingKey::recover_from_prehash(&buf[..32], &sig, recid) {
        Ok(key) => address_of(&key).into_word().to_vec(),
        Err(_) => Vec::new(),
    }
}

fn address_of(key: &VerifyingKey) -> Address {
    let point = key.to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

/// A private key that signs 32-byte digests.
#[derive(Clone)]
pub struct Signer(SigningKey);

impl Signer {
    /// The signer of a 32-byte private key.
    ///
    /// # Panics
    /// If the key is zero or not below the curve order (a test-data mistake).
    #[must_use]
    pub fn from_bytes(key: B256) -> Self {
        Self(SigningKey::from_bytes(&key.0.into()).expect("should be a valid secp256k1 key"))
    }

    /// A deterministic signer for test actor number `seed` (never zero).
    #[must_use]
    pub fn from_seed(seed: u64) -> Self {
        Self::from_bytes(keccak256(seed.to_be_bytes()))
    }

    /// The signer's Ethereum address.
    #[must_use]
    pub fn address(&self) -> Address {
        address_of(self.0.verifying_key())
    }

    /// Signs `digest` as wallets do: low-s, `v` = 27 or 28.
    ///
    /// # Panics
    /// Never for a valid key (RFC 6979 signing cannot fail on a 32-byte digest).
    #[must_use]
    pub fn sign(&self, digest: B256) -> Signature {
        let (sig, recid) = self
            .0
            .sign_prehash_recoverable(digest.as_slice())
            .expect("should sign a digest");
        let (r, s) = sig.split_bytes();
        Signature {
            v: 27 + recid.to_byte(),
            r: B256::from_slice(&r),
            s: B256::from_slice(&s),
        }
    }
}

/// The malleable twin of a signature: `s' = n - s` and the other `v`. It recovers the same signer
/// through the raw precompile; the suite must refuse it.
#[must_use]
pub fn high_s_twin(sig: &Signature) -> Signature {
    let n = alloy_primitives::uint!(
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256
    );
    let s = n - U256::from_be_bytes(sig.s.0);
    Signature {
        v: if sig.v == 27 { 28 } else { 27 },
        r: sig.r,
        s: B256::from(s.to_be_bytes()),
    }
}

impl Host for PrecompileHost {}

impl CryptographyAccess for PrecompileHost {
    fn native_keccak256(&self, input: &[u8]) -> B256 {
        self.vm.native_keccak256(input)
    }
}

impl CalldataAccess for PrecompileHost {
    fn read_args(&self, len: usize) -> Vec<u8> {
        self.vm.read_args(len)
    }
    fn read_return_data(&self, offset: usize, size: Option<usize>) -> Vec<u8> {
        self.vm.read_return_data(offset, size)
    }
    fn return_data_size(&self) -> usize {
        self.vm.return_data_size()
    }
    fn write_result(&self, data: &[u8]) {
        self.vm.write_result(data);
    }
}

unsafe impl UnsafeDeploymentAccess for PrecompileHost {
    unsafe fn create1(
        &self,
        code: *const u8,
        code_len: usize,
        endowment: *const u8,
        contract: *mut u8,
        revert_data_len: *mut usize,
    ) {
        unsafe {
            self.vm
                .create1(code, code_len, endowment, contract, revert_data_len);
        }
    }
    unsafe fn create2(
        &self,
        code: *const u8,
        code_len: usize,
        endowment: *const u8,
        salt: *const u8,
        contract: *mut u8,
        revert_data_len: *mut usize,
    ) {
        unsafe {
            self.vm
                .create2(code, code_len, endowment, salt, contract, revert_data_len);
        }
    }
}

impl StorageAccess for PrecompileHost {
    fn storage_load_bytes32(&self, key: U256) -> B256 {
        self.vm.storage_load_bytes32(key)
    }
    unsafe fn storage_cache_bytes32(&self, key: U256, value: B256) {
        unsafe { self.vm.storage_cache_bytes32(key, value) }
    }
    fn flush_cache(&self, clear: bool) {
        self.vm.flush_cache(clear);
    }
}

unsafe impl UnsafeCallAccess for PrecompileHost {
    unsafe fn call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        value: *const u8,
        gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        unsafe {
            self.vm
                .call_contract(to, data, data_len, value, gas, outs_len)
        }
    }
    unsafe fn static_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        let target = Address::from_slice(unsafe { core::slice::from_raw_parts(to, 20) });
        if target == ECRECOVER {
            let input = unsafe { core::slice::from_raw_parts(data, data_len) }.to_vec();
            // Registering the answer also makes it the `TestVM`'s current return data.
            let output = ecrecover(&input);
            self.vm.mock_static_call(ECRECOVER, input, Ok(output));
        }
        unsafe {
            self.vm
                .static_call_contract(to, data, data_len, gas, outs_len)
        }
    }
    unsafe fn delegate_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        unsafe {
            self.vm
                .delegate_call_contract(to, data, data_len, gas, outs_len)
        }
    }
}

impl BlockAccess for PrecompileHost {
    fn block_basefee(&self) -> U256 {
        self.vm.block_basefee()
    }
    fn block_coinbase(&self) -> Address {
        self.vm.block_coinbase()
    }
    fn block_number(&self) -> u64 {
        self.vm.block_number()
    }
    fn block_timestamp(&self) -> u64 {
        self.vm.block_timestamp()
    }
    fn block_gas_limit(&self) -> u64 {
        self.vm.block_gas_limit()
    }
}

impl ChainAccess for PrecompileHost {
    fn chain_id(&self) -> u64 {
        self.vm.chain_id()
    }
}

impl AccountAccess for PrecompileHost {
    fn balance(&self, account: Address) -> U256 {
        self.vm.balance(account)
    }
    fn contract_address(&self) -> Address {
        self.vm.contract_address()
    }
    fn code(&self, account: Address) -> Vec<u8> {
        self.vm.code(account)
    }
    fn code_size(&self, account: Address) -> usize {
        self.vm.code_size(account)
    }
    fn code_hash(&self, account: Address) -> B256 {
        self.vm.code_hash(account)
    }
}

impl MemoryAccess for PrecompileHost {
    fn pay_for_memory_grow(&self, pages: u16) {
        self.vm.pay_for_memory_grow(pages);
    }
}

impl MessageAccess for PrecompileHost {
    fn msg_sender(&self) -> Address {
        self.vm.msg_sender()
    }
    fn msg_reentrant(&self) -> bool {
        self.vm.msg_reentrant()
    }
    fn msg_value(&self) -> U256 {
        self.vm.msg_value()
    }
    fn tx_origin(&self) -> Address {
        self.vm.tx_origin()
    }
}

impl MeteringAccess for PrecompileHost {
    fn evm_gas_left(&self) -> u64 {
        self.vm.evm_gas_left()
    }
    fn evm_ink_left(&self) -> u64 {
        self.vm.evm_ink_left()
    }
    fn tx_gas_price(&self) -> U256 {
        self.vm.tx_gas_price()
    }
    fn tx_ink_price(&self) -> u32 {
        self.vm.tx_ink_price()
    }
}

impl RawLogAccess for PrecompileHost {
    fn emit_log(&self, input: &[u8], num_topics: usize) {
        self.vm.emit_log(input, num_topics);
    }
    fn raw_log(&self, topics: &[B256], data: &[u8]) -> Result<(), &'static str> {
        self.vm.raw_log(topics, data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256, hex};

    /// anvil's dev key #0 and the voucher digest of foundry-offline.md §5, signed by `cast`.
    const KEY: B256 = b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    const DIGEST: B256 =
        b256!("0x5503df122f7c7594af4b8112390723bc2800c74577c2e7b6480f9e413c21277f");
    const CAST_SIG: [u8; 65] = hex!("e37e97e9d9a7fba8bdba76fbdef5df143cfcca2e80a6c29a63389c7cb02046946397b7bd29cfc9f6eff1bdb6f3dfc0d4989933a5263f1afacbdbceae467104fa1c");
    const ADDRESS: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    #[test]
    fn signer_reproduces_cast_signature() {
        let signer = Signer::from_bytes(KEY);
        assert_eq!(signer.address(), ADDRESS);
        let sig = signer.sign(DIGEST);
        let mut packed = [0u8; 65];
        packed[..32].copy_from_slice(sig.r.as_slice());
        packed[32..64].copy_from_slice(sig.s.as_slice());
        packed[64] = sig.v;
        assert_eq!(packed, CAST_SIG);
    }

    #[test]
    fn ecrecover_recovers_cast_signer() {
        let sig = Signature::from_packed(&CAST_SIG).unwrap();
        assert_eq!(
            ecrecover(&sig.ecrecover_input(DIGEST)),
            ADDRESS.into_word().to_vec()
        );
    }

    #[test]
    fn ecrecover_recovers_same_signer_when_s_is_high() {
        let sig = Signature::from_packed(&CAST_SIG).unwrap();
        let twin = high_s_twin(&sig);
        assert_ne!(twin.s, sig.s);
        assert_eq!(
            ecrecover(&twin.ecrecover_input(DIGEST)),
            ADDRESS.into_word().to_vec()
        );
    }

    #[test]
    fn ecrecover_returns_empty_when_v_or_r_is_invalid() {
        let sig = Signature::from_packed(&CAST_SIG).unwrap();
        let mut bad_v = sig.ecrecover_input(DIGEST);
        bad_v[63] = 29;
        assert!(ecrecover(&bad_v).is_empty());
        let mut zero_r = sig.ecrecover_input(DIGEST);
        zero_r[64..96].fill(0);
        assert!(ecrecover(&zero_r).is_empty());
    }

    #[test]
    fn ecrecover_recovers_other_address_when_digest_differs() {
        let sig = Signature::from_packed(&CAST_SIG).unwrap();
        let out = ecrecover(&sig.ecrecover_input(B256::repeat_byte(7)));
        assert_eq!(out.len(), 32);
        assert_ne!(out, ADDRESS.into_word().to_vec());
    }
}
