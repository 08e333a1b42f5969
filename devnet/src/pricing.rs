//! Every price the devnet charges, in one table, pinned to one Nitro pricing: `ArbOS` 50 with
//! Stylus v2 parameters (ink price 10,000, free pages 2, page gas 1,000, `MinInitGas` 69,
//! `MinCachedInitGas` 11, init and cached scalars 50), the "charging fixes" of `ArbOS` 32 (storage
//! loads pay the EVM-API ink as gas, flushes pay their `SSTORE`s), geth's Cancun/Prague EVM costs
//! (EIP-2929 access lists, EIP-2200/3529 `SSTORE` and refunds, EIP-150 63/64).
//!
//! Sources (facts and figures; no code): Nitro `arbitrator/arbutil/src/pricing.rs`,
//! `wasm-libraries/user-host-trait/src/lib.rs` (host ink), `arbutil/src/evm/storage.rs` (cache
//! tiers), `arbos/programs/{api,memory,params}.go`, go-ethereum `operations_acl_arbitrum.go`;
//! summarised in `shared/reference/stylus-vm.md` §3.

/// The `ArbOS` version these prices belong to.
pub const ARBOS_VERSION: u64 = 50;

/// Ink per gas.
pub const INK_PRICE: u64 = 10_000;
/// Every host function's base ink.
pub const HOSTIO_INK: u64 = 8_400;
/// Ink per pointer argument a host function dereferences.
pub const PTR_INK: u64 = 5_040;
/// Ink of a request to the EVM side.
pub const EVM_API_INK: u64 = 59_673;
/// `math_div` / `math_mod` ink beyond the host call.
pub const DIV_INK: u64 = 20_000;
/// `math_add_mod` ink beyond the host call.
pub const ADD_MOD_INK: u64 = 21_000;
/// `math_mul_mod` ink beyond the host call.
pub const MUL_MOD_INK: u64 = 24_100;
/// `math_pow` ink: base, and per byte of the exponent.
pub const POW_BASE_INK: u64 = 3_000;
/// `math_pow` ink per significant byte of the exponent.
pub const POW_BYTE_INK: u64 = 17_500;

/// Ink to copy `bytes` into the program: 5,040 + 30 per byte past the first 32.
#[must_use]
pub fn write_ink(bytes: u64) -> u64 {
    5_040 + 30 * bytes.saturating_sub(32)
}

/// Ink to copy `bytes` out of the program: 16,381 + 55 per byte past the first 32.
#[must_use]
pub fn read_ink(bytes: u64) -> u64 {
    16_381 + 55 * bytes.saturating_sub(32)
}

/// Ink of `native_keccak256` over `bytes`: 121,800 + 21,000 per word past the first two.
#[must_use]
pub fn keccak_ink(bytes: u64) -> u64 {
    121_800 + 21_000 * bytes.div_ceil(32).saturating_sub(2)
}

/// Gas of a storage-cache read: free for the frame's first 32, then 2 up to 128, then 10.
#[must_use]
pub fn cache_read_gas(reads: u64) -> u64 {
    match reads {
        0..=32 => 0,
        33..=128 => 2,
        _ => 10,
    }
}

/// Gas of a storage-cache write: free for the frame's first 8, then 7 up to 64, then 10.
#[must_use]
pub fn cache_write_gas(writes: u64) -> u64 {
    match writes {
        0..=8 => 0,
        9..=64 => 7,
        _ => 10,
    }
}

/// Gas a cache access must have available (`StorageCache::REQUIRED_ACCESS_GAS`).
pub const REQUIRED_ACCESS_GAS: u64 = 10;
/// Gas of the EVM-API ink, as storage loads pay it: ⌊59,673 / 10,000⌋.
pub const EVM_API_GAS: u64 = EVM_API_INK / INK_PRICE;

/// EIP-2929: first access to a storage slot in a transaction.
pub const COLD_SLOAD_GAS: u64 = 2_100;
/// EIP-2929: later accesses (slots and accounts).
pub const WARM_ACCESS_GAS: u64 = 100;
/// EIP-2929: first access to an account in a transaction.
pub const COLD_ACCOUNT_GAS: u64 = 2_600;
/// EIP-2200: writing a non-zero value to a slot that was zero at the transaction's start.
pub const SSTORE_SET_GAS: u64 = 20_000;
/// EIP-2200/2929: changing a slot that was non-zero at the start (5,000 − 2,100).
pub const SSTORE_RESET_GAS: u64 = 2_900;
/// EIP-3529: refund for clearing a slot.
pub const SSTORE_CLEARS_REFUND: u64 = 4_800;
/// EIP-2200: gas a write must have left (`SstoreSentryGasEIP2200`).
pub const SSTORE_SENTRY_GAS: u64 = 2_300;
/// EIP-3529: refunds are capped at this fraction (1/5) of the gas used (Nitro: execution plus
/// intrinsic, less the L1 gas).
pub const MAX_REFUND_QUOTIENT: u64 = 5;
/// EIP-1153 transient load/store.
pub const TRANSIENT_GAS: u64 = 100;
/// A call moving value.
pub const CALL_VALUE_GAS: u64 = 9_000;
/// A call moving value to an account that does not exist yet.
pub const NEW_ACCOUNT_GAS: u64 = 25_000;
/// Gas added to the callee of a call moving value.
pub const CALL_STIPEND: u64 = 2_300;
/// Per log, and per topic.
pub const LOG_TOPIC_GAS: u64 = 375;
/// Per byte of log data.
pub const LOG_DATA_GAS: u64 = 8;
/// CREATE / CREATE2 base cost.
pub const CREATE_GAS: u64 = 32_000;
/// CREATE2's hashing of the code, per word.
pub const KECCAK_WORD_GAS: u64 = 6;
/// The `ecrecover` precompile.
pub const ECRECOVER_GAS: u64 = 3_000;

/// Pages every transaction gets free.
pub const FREE_PAGES: u16 = 2;
/// Gas per page beyond the free ones.
pub const PAGE_GAS: u64 = 1_000;
/// The memory model's exponential term, by the transaction's high-water page count
/// (`arbos/programs/memory.go`), as published.
#[allow(clippy::unreadable_literal)]
pub const MEMORY_EXPONENTS: [u64; 129] = [
    1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 11, 12, 14, 17, 19, 22, 25, 29, 33, 38,
    43, 50, 57, 65, 75, 85, 98, 112, 128, 147, 168, 193, 221, 253, 289, 331, 379, 434, 497, 569,
    651, 745, 853, 976, 1117, 1279, 1463, 1675, 1917, 2194, 2511, 2874, 3290, 3765, 4309, 4932,
    5645, 6461, 7395, 8464, 9687, 11087, 12689, 14523, 16621, 19024, 21773, 24919, 28521, 32642,
    37359, 42758, 48938, 56010, 64104, 73368, 83971, 96106, 109994, 125890, 144082, 164904, 188735,
    216010, 247226, 282953, 323844, 370643, 424206, 485509, 555672, 635973, 727880, 833067, 953456,
    1091243, 1248941, 1429429, 1636000, 1872423, 2143012, 2452704, 2807151, 3212820, 3677113,
    4208502, 4816684, 5512756, 6309419, 7221210, 8264766, 9459129, 10826093, 12390601, 14181199,
    16230562, 18576084, 21260563, 24332984, 27849408, 31873999,
];

fn memory_exp(pages: u16) -> u64 {
    MEMORY_EXPONENTS.get(usize::from(pages)).copied().unwrap_or(u64::MAX)
}

/// Gas of opening `new` pages when `open` are open and `ever` were ever open in the transaction.
#[must_use]
pub fn memory_gas(new: u16, open: u16, ever: u16) -> u64 {
    let new_open = open.saturating_add(new);
    let new_ever = ever.max(new_open);
    if new_ever <= FREE_PAGES {
        return 0;
    }
    let adding =
        new_open.saturating_sub(FREE_PAGES).saturating_sub(open.saturating_sub(FREE_PAGES));
    let linear = u64::from(adding).saturating_mul(PAGE_GAS);
    linear.saturating_add(memory_exp(new_ever).saturating_sub(memory_exp(ever)))
}

/// Gas a call passes on (EIP-150 and go-ethereum's `WasmCallCost`): all but one 64th of what
/// is left after the call's `base` cost, at most `requested`, plus the stipend with value.
#[must_use]
pub fn call_gas(gas_left: u64, base: u64, requested: u64, with_value: bool) -> u64 {
    let gas = (gas_left.saturating_sub(base) * 63 / 64).min(requested);
    if with_value {
        gas + CALL_STIPEND
    } else {
        gas
    }
}

/// `MinInitGas` × 128: the fixed part of an uncached program's entry.
pub const MIN_INIT_GAS: u64 = 69 * 128;
/// `MinCachedInitGas` × 32: the fixed part of every program's entry.
pub const MIN_CACHED_INIT_GAS: u64 = 11 * 32;

/// What a program's entry cost depends on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgramShape {
    /// Defined functions.
    pub funcs: u64,
    /// Σ (params + results) over the defined functions' types.
    pub type_len: u64,
    /// Module bytes.
    pub wasm_bytes: u64,
    /// Globals, counting the 3 Nitro's instrumentation adds.
    pub globals: u64,
    /// Bytes of the data-segment and element-segment entries (headers included).
    pub data_bytes: u64,
    /// Initial memory pages.
    pub footprint: u16,
}

impl ProgramShape {
    /// Activation's init-cost estimate: 8.252·funcs + 1.059·`type_len` + 0.1286·`wasm_bytes`.
    #[must_use]
    pub fn init_cost(&self) -> u64 {
        (82_520 * self.funcs + 10_590 * self.type_len + 1_286 * self.wasm_bytes) / 10_000
    }

    /// Activation's cached-init estimate: 0.1342·funcs + 0.00089·`type_len` + 0.00122·`wasm_bytes`
    /// + 1.628·globals + 0.75244·data + 5·footprint.
    #[must_use]
    pub fn cached_init_cost(&self) -> u64 {
        (13_420 * self.funcs
            + 89 * self.type_len
            + 122 * self.wasm_bytes
            + 162_800 * self.globals
            + 75_244 * self.data_bytes)
            / 100_000
            + 5 * u64::from(self.footprint)
    }

    /// Entry gas beyond the memory model: `352 + cached_init_cost`, plus `8,832 + init_cost` when
    /// the program is not cached.
    #[must_use]
    pub fn entry_gas(&self, cached: bool) -> u64 {
        let cached_gas = MIN_CACHED_INIT_GAS + self.cached_init_cost();
        if cached {
            cached_gas
        } else {
            cached_gas + MIN_INIT_GAS + self.init_cost()
        }
    }
}

/// EVM memory cost of `bytes`: 3 per word + words² / 512 (the floor on returned data).
#[must_use]
pub fn evm_memory_gas(bytes: u64) -> u64 {
    let words = bytes.div_ceil(32);
    3 * words + words * words / 512
}

/// Intrinsic gas of a transaction carrying `calldata` (21,000 + 16 per non-zero byte + 4 per zero
/// byte); reported beside execution gas, never charged to programs.
#[must_use]
pub fn intrinsic_gas(calldata: &[u8]) -> u64 {
    calldata.iter().fold(21_000, |gas, b| gas + if *b == 0 { 4 } else { 16 })
}

/// EIP-170: the most code a contract may hold.
pub const MAX_CODE_SIZE: usize = 24_576;
/// Per byte of code a creation deposits.
pub const CODE_DEPOSIT_GAS: u64 = 200;
/// EIP-3860: per word of init code.
pub const INIT_CODE_WORD_GAS: u64 = 2;

/// The gas of cargo-stylus's deployment prelude returning `len` bytes of code, deposit
/// included: `PUSH32`, `DUP1`, two `PUSH1` (3 each), `CODECOPY` (3, 3 per word and the memory
/// expansion), `PUSH1` (3), `RETURN` (0), then 200 per byte deposited.
#[must_use]
pub fn prelude_gas(len: u64) -> u64 {
    let words = len.div_ceil(32);
    6 * 3 + 3 * words + evm_memory_gas(len) + CODE_DEPOSIT_GAS * len
}
/// Per word copied in memory (`CALLDATACOPY`, `CODECOPY`).
pub const COPY_GAS_PER_WORD: u64 = 3;

/// A creation transaction's intrinsic gas: 53,000 (21,000 and `CREATE`'s 32,000), the calldata
/// bytes, and 2 per word of init code (EIP-3860).
#[must_use]
pub fn creation_intrinsic_gas(init: &[u8]) -> u64 {
    intrinsic_gas(init) + CREATE_GAS + INIT_CODE_WORD_GAS * (init.len() as u64).div_ceil(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_gas_is_free_within_two_pages_then_linear_plus_exponential() {
        assert_eq!(memory_gas(2, 0, 0), 0);
        // 3 pages: 1 page beyond the free ones (1,000) + exp[3] − exp[0] (0).
        assert_eq!(memory_gas(3, 0, 0), 1_000);
        // 10 pages: 8 × 1,000 + exp[10] (3) − exp[0] (1).
        assert_eq!(memory_gas(10, 0, 0), 8_002);
        // Growing from 3 open (ever 3) by 1: 1 × 1,000 + exp[4] − exp[3] = 0.
        assert_eq!(memory_gas(1, 3, 3), 1_000);
        // Reopening pages below the high-water mark pays only the linear part.
        assert_eq!(memory_gas(3, 0, 10), 1_000);
    }

    #[test]
    fn host_byte_costs_match_nitro_formulas() {
        assert_eq!((write_ink(32), write_ink(100)), (5_040, 5_040 + 30 * 68));
        assert_eq!((read_ink(0), read_ink(33)), (16_381, 16_436));
        assert_eq!((keccak_ink(64), keccak_ink(65)), (121_800, 142_800));
    }

    #[test]
    fn cache_tiers_step_at_32_128_and_8_64() {
        assert_eq!((cache_read_gas(32), cache_read_gas(33), cache_read_gas(129)), (0, 2, 10));
        assert_eq!((cache_write_gas(8), cache_write_gas(9), cache_write_gas(65)), (0, 7, 10));
    }

    #[test]
    fn intrinsic_gas_counts_zero_and_non_zero_bytes() {
        assert_eq!(intrinsic_gas(&[0, 1, 2]), 21_000 + 4 + 16 + 16);
    }

    #[test]
    fn evm_memory_gas_is_quadratic_in_words() {
        assert_eq!(evm_memory_gas(32), 3);
        assert_eq!(evm_memory_gas(32 * 1024), 3 * 1024 + 1024 * 1024 / 512);
    }
}
