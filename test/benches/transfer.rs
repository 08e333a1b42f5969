//! A PTI transfer end to end on the devnet: calldata in, the real WASM instantiated and metered,
//! storage, log and receipt out. Target: ≤ 1 ms on a 2-core machine.
//! `cargo bench -p paratii-test` (the build script builds `target/wasm/token.wasm`).

use std::hint::black_box;

use alloy_primitives::{Address, U256};
use criterion::{criterion_group, criterion_main, Criterion};
use paratii_devnet::Devnet;

fn transfer(c: &mut Criterion) {
    let wasm = paratii_test::wasm("token").unwrap_or_else(|e| panic!("{e}"));
    let holder = Address::repeat_byte(0xa1);
    let mut net = Devnet::new();
    let mut args = vec![0u8; 12];
    args.extend_from_slice(holder.as_slice());
    let token = net.deploy(holder, &wasm, Some(&args)).expect("token should deploy");
    // transfer(address,uint256): to a fixed recipient, 1 wei each time.
    let mut calldata = vec![0xa9, 0x05, 0x9c, 0xbb];
    calldata.extend_from_slice(&[0u8; 12]);
    calldata.extend_from_slice(Address::repeat_byte(0xb0).as_slice());
    calldata.extend_from_slice(&U256::from(1).to_be_bytes::<32>());
    c.bench_function("token transfer end to end", |b| {
        b.iter(|| {
            let receipt = net.call(holder, token, black_box(&calldata), U256::ZERO).unwrap();
            assert!(receipt.success());
            black_box(receipt.gas.used)
        });
    });
}

criterion_group!(benches, transfer);
criterion_main!(benches);
