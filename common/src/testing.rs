//! Native test support (feature `testing`): [`PrecompileHost`], a `TestVM` whose `ecrecover`
//! precompile (address `0x01`) really recovers signers (with Ethereum's rules, high-s included),
//! and re-exports of [`Signer`] and [`ecrecover`] from `paratii_contracts::signing`.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{Address, B256, U256};
use paratii_contracts::ecdsa::ECRECOVER;
pub use paratii_contracts::signing::{ecrecover, high_s_twin, Signer};
use stylus_sdk::{
    host::VM,
    stylus_core::host::{
        AccountAccess, BlockAccess, CalldataAccess, ChainAccess, CryptographyAccess, Host,
        MemoryAccess, MessageAccess, MeteringAccess, RawLogAccess, StorageAccess, UnsafeCallAccess,
        UnsafeDeploymentAccess,
    },
    testing::TestVM,
};

/// A [`TestVM`] whose static calls to `0x01` run a real `ecrecover`, and whose other calls are
/// answered from [`PrecompileHost::answer_static_call`] and [`PrecompileHost::answer_call`] (each
/// answer becomes the return data of its own call, unlike bare `TestVM` mocks, which share one
/// return buffer); mutating calls are recorded for [`PrecompileHost::calls`]; everything else is
/// the `TestVM`'s (set the sender, time and chain through [`PrecompileHost::vm`]).
#[derive(Clone, Default)]
pub struct PrecompileHost {
    /// The wrapped `TestVM`: storage, logs, sender, block values, mocks.
    pub vm: TestVM,
    answers: Answers,
    call_answers: Answers,
    calls: Rc<RefCell<Vec<MadeCall>>>,
}

/// Answers by (target, calldata): return data, or revert data; shared by the host's clones.
type Answers = Rc<RefCell<HashMap<(Address, Vec<u8>), Result<Vec<u8>, Vec<u8>>>>>;

/// A mutating call a contract made through [`PrecompileHost`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeCall {
    /// The callee.
    pub to: Address,
    /// The calldata.
    pub data: Vec<u8>,
    /// The ETH value sent.
    pub value: U256,
}

impl PrecompileHost {
    /// A host over a fresh `TestVM`.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers every static call to `to` with exactly `calldata` with `output`.
    pub fn answer_static_call(&self, to: Address, calldata: Vec<u8>, output: Vec<u8>) {
        self.answers.borrow_mut().insert((to, calldata), Ok(output));
    }

    /// Answers the `ParatiiRegistry` at `registry`: `key` is registered to `at` (what
    /// [`crate::lookup`] and [`crate::peer`] ask).
    pub fn answer_lookup(&self, registry: Address, key: B256, at: Address) {
        let mut calldata = paratii_contracts::names::GET_CONTRACT_BY_KEY_SELECTOR.to_vec();
        calldata.extend_from_slice(key.as_slice());
        self.answer_static_call(registry, calldata, at.into_word().to_vec());
    }

    /// The last event logged, decoded as `E`.
    ///
    /// # Panics
    /// When nothing was logged or the last log is not an `E`.
    #[must_use]
    pub fn last_log<E: alloy_sol_types::SolEvent>(&self) -> E {
        let (topics, data) = self.vm.get_emitted_logs().pop().expect("should have logged");
        E::decode_raw_log(topics, &data).expect("should be the expected event")
    }

    /// Makes every static call to `to` with exactly `calldata` revert with `revert_data`.
    pub fn revert_static_call(&self, to: Address, calldata: Vec<u8>, revert_data: Vec<u8>) {
        self.answers.borrow_mut().insert((to, calldata), Err(revert_data));
    }

    /// Answers every mutating call to `to` with exactly `calldata` (any value) with `result`:
    /// `Ok(return data)` or `Err(revert data)`. Unanswered mutating calls succeed with no data.
    pub fn answer_call(&self, to: Address, calldata: Vec<u8>, result: Result<Vec<u8>, Vec<u8>>) {
        self.call_answers.borrow_mut().insert((to, calldata), result);
    }

    /// The mutating calls made so far, in order (reverted ones included).
    #[must_use]
    pub fn calls(&self) -> Vec<MadeCall> {
        self.calls.borrow().clone()
    }

    /// The host as the SDK's `VM`, for `Contract::from(&host)`-style construction.
    #[must_use]
    pub fn as_vm(&self) -> VM {
        VM { host: alloc::boxed::Box::new(self.clone()) }
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
            self.vm.create1(code, code_len, endowment, contract, revert_data_len);
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
            self.vm.create2(code, code_len, endowment, salt, contract, revert_data_len);
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
        let target = Address::from_slice(unsafe { core::slice::from_raw_parts(to, 20) });
        let input = unsafe { core::slice::from_raw_parts(data, data_len) }.to_vec();
        let value = U256::from_be_slice(unsafe { core::slice::from_raw_parts(value, 32) });
        self.calls.borrow_mut().push(MadeCall { to: target, data: input.clone(), value });
        let answer = self
            .call_answers
            .borrow()
            .get(&(target, input.clone()))
            .cloned()
            .unwrap_or(Ok(Vec::new()));
        // Registering an answer also makes it the `TestVM`'s current return data.
        self.vm.mock_call(target, input, value, answer);
        let value_bytes = value.to_be_bytes::<32>();
        unsafe { self.vm.call_contract(to, data, data_len, value_bytes.as_ptr(), gas, outs_len) }
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
        let input = unsafe { core::slice::from_raw_parts(data, data_len) }.to_vec();
        // Registering an answer also makes it the `TestVM`'s current return data.
        if target == ECRECOVER {
            let output = ecrecover(&input);
            self.vm.mock_static_call(ECRECOVER, input, Ok(output));
        } else if let Some(answer) = self.answers.borrow().get(&(target, input.clone())).cloned() {
            self.vm.mock_static_call(target, input, answer);
        }
        unsafe { self.vm.static_call_contract(to, data, data_len, gas, outs_len) }
    }
    unsafe fn delegate_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        unsafe { self.vm.delegate_call_contract(to, data, data_len, gas, outs_len) }
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
