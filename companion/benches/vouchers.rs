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

/// A payee accepting a stream of vouchers for one channel, each verified and durably written
/// (SQLite, WAL, `synchronous=FULL`) before the next; prints p50 and p99 of every accept timed.
fn durable_accept(c: &mut Criterion) {
    use paratii_companion::{
        payee::Payee,
        store::{ChannelStore, Role, SqliteStore, StoredChannel},
    };
    let key = UnlockedKey::from_secret(&[7u8; 32]).expect("a valid key");
    let work = tempfile::tempdir().expect("a temporary folder");
    let dir = work.path();
    let payee = Payee::new(SqliteStore::open(&dir.join("channels.db")).expect("a store"));
    let channel = StoredChannel {
        id: B256::repeat_byte(9),
        role: Role::Payee,
        chain_id: 412_346,
        adjudicator: alloy_primitives::Address::repeat_byte(1),
        payer: alloy_primitives::Address::repeat_byte(2),
        payee: alloy_primitives::Address::repeat_byte(3),
        signer: key.address(),
        video_id: B256::repeat_byte(4),
        price_per_segment: U256::from(1),
        deposit: U256::MAX,
        settled: 0,
        close_requested_at: None,
        finalized: false,
        salt: B256::repeat_byte(0x5a),
    };
    payee.store().put_channel(&channel).expect("the channel");
    let domain = Domain { chain_id: channel.chain_id, adjudicator: channel.adjudicator };
    let mut next = 0u64;
    let mut latencies = Vec::new();
    c.bench_function("payee accept (verify + durable SQLite write)", |b| {
        b.iter_custom(|iterations| {
            // Sign outside the clock: the payer does that, on another machine.
            let signed: Vec<(u64, [u8; 65])> = (0..iterations)
                .map(|_| {
                    next += 1;
                    let message =
                        Message::Voucher(Voucher { channel_id: channel.id, segments: next });
                    (next, message.sign(&domain, &key))
                })
                .collect();
            let mut total = std::time::Duration::ZERO;
            for (segments, signature) in signed {
                let started = std::time::Instant::now();
                payee.accept(channel.id, segments, &signature).expect("an accepted voucher");
                let took = started.elapsed();
                latencies.push(took);
                total += took;
            }
            total
        });
    });
    latencies.sort_unstable();
    let at = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    println!(
        "payee accept, {} vouchers: p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        at(50),
        at(99),
        latencies[latencies.len() - 1]
    );
}

criterion_group!(benches, vouchers, durable_accept);
criterion_main!(benches);
