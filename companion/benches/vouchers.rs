//! Voucher throughput on one core: signing (k256, as the payer does per segment), verifying
//! (libsecp256k1 recovery, as the payee does per segment; k256 beside it for comparison), and a
//! payee's whole acceptance check. `cargo bench -p paratii-companion`.

use alloy_primitives::{B256, U256};
use criterion::{criterion_group, criterion_main, Criterion};
use paratii_companion::{
    keys::UnlockedKey,
    voucher::{accept, recover, recover_k256, Channel, Domain, Message, Voucher},
};

fn vouchers(c: &mut Criterion) {
    let key = UnlockedKey::from_secret(&[7u8; 32]).expect("a valid key");
    let domain =
        Domain { chain_id: 412_346, adjudicator: alloy_primitives::Address::repeat_byte(1) };
    let channel = Channel {
        id: B256::repeat_byte(9),
        signer: key.address(),
        price_per_segment: U256::from(10),
        deposit: U256::from(1_000_000),
    };
    let voucher = Voucher { channel_id: channel.id, segments: 1_000 };
    let message = Message::Voucher(voucher);
    let signature = message.sign(&domain, &key);
    let digest = message.digest(&domain);
    let mut segments = 0u64;
    c.bench_function("voucher sign (digest + k256)", |b| {
        b.iter(|| {
            segments += 1;
            Message::Voucher(Voucher { channel_id: channel.id, segments }).sign(&domain, &key)
        });
    });
    c.bench_function("voucher verify (libsecp256k1 recovery)", |b| {
        b.iter(|| recover(digest, &signature));
    });
    c.bench_function("voucher verify (k256 recovery, for comparison)", |b| {
        b.iter(|| recover_k256(digest, &signature));
    });
    c.bench_function("voucher accept (all checks, digest + recovery)", |b| {
        b.iter(|| accept(&domain, &channel, 999, &voucher, &signature));
    });
}

criterion_group!(benches, vouchers);
criterion_main!(benches);
