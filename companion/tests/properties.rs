//! Property tests of the payee over the SQLite store: whatever vouchers arrive (good, forged,
//! high-s, truncated; any order; with the process restarting between any two), the accepted ones
//! strictly increase and stay within the deposit, each answer is the one the rules give, and a
//! store reopened after any prefix holds exactly what was accepted before. 64 cases by default,
//! each up to 30 operations; `PROPTEST_CASES` overrides the count.

use alloy_primitives::{Address, B256, U256};
use paratii_companion::{
    keys::UnlockedKey,
    payee::Payee,
    store::{ChannelStore, Role, SqliteStore, StoredChannel},
    voucher::{Domain, Message, Voucher},
};
use paratii_contracts::{ecdsa::Signature, signing::high_s_twin};
use proptest::prelude::*;

/// Segments the deposit pays for (price 1, deposit 20).
const DEPOSIT_SEGMENTS: u64 = 20;

#[derive(Debug, Clone)]
enum Sig {
    Good,
    Forged,
    HighS,
    Truncated,
}

#[derive(Debug, Clone)]
enum Op {
    Offer { segments: u64, sig: Sig },
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    let sig = prop_oneof![
        6 => Just(Sig::Good),
        1 => Just(Sig::Forged),
        1 => Just(Sig::HighS),
        1 => Just(Sig::Truncated),
    ];
    prop_oneof![
        6 => (0..=DEPOSIT_SEGMENTS + 3, sig).prop_map(|(segments, sig)| Op::Offer { segments, sig }),
        1 => Just(Op::Restart),
    ]
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64)
}

fn channel(signer: Address) -> StoredChannel {
    StoredChannel {
        id: B256::repeat_byte(0xc4),
        role: Role::Payee,
        chain_id: 412_346,
        adjudicator: Address::repeat_byte(0xad),
        payer: Address::repeat_byte(1),
        payee: Address::repeat_byte(2),
        signer,
        video_id: B256::repeat_byte(3),
        price_per_segment: U256::from(1),
        deposit: U256::from(DEPOSIT_SEGMENTS),
        settled: 0,
        close_requested_at: None,
        finalized: false,
        salt: B256::repeat_byte(0x5a),
    }
}

/// A fresh folder for one case, removed when the case ends.
fn fresh_dir(case: u64) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("paratii-props-{case}-")).tempdir().unwrap()
}

fn history(payee: &Payee<SqliteStore>, channel: B256) -> Vec<u64> {
    payee.store().vouchers(channel).unwrap().iter().map(|v| v.segments).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn accepted_vouchers_increase_stay_within_the_deposit_and_survive_restarts(
        ops in proptest::collection::vec(op(), 1..30),
        case in any::<u64>(),
    ) {
        let key = UnlockedKey::from_secret(&[5u8; 32]).unwrap();
        let forger = UnlockedKey::from_secret(&[6u8; 32]).unwrap();
        let c = channel(key.address());
        let domain = Domain { chain_id: c.chain_id, adjudicator: c.adjudicator };
        let work = fresh_dir(case);
        let path = work.path().join("channels.db");
        let mut payee = Payee::new(SqliteStore::open(&path).unwrap());
        payee.store().put_channel(&c).unwrap();
        let mut accepted: Vec<u64> = Vec::new();
        for op in ops {
            match op {
                Op::Restart => {
                    drop(payee);
                    payee = Payee::new(SqliteStore::open(&path).unwrap());
                    prop_assert_eq!(history(&payee, c.id), accepted.clone(), "reopened");
                }
                Op::Offer { segments, sig } => {
                    let message = Message::Voucher(Voucher { channel_id: c.id, segments });
                    let good = message.sign(&domain, &key);
                    let signature: Vec<u8> = match sig {
                        Sig::Good => good.to_vec(),
                        Sig::Forged => message.sign(&domain, &forger).to_vec(),
                        Sig::HighS => {
                            high_s_twin(&Signature::from_packed(&good).unwrap()).to_packed().to_vec()
                        }
                        Sig::Truncated => good[..64].to_vec(),
                    };
                    let last = accepted.last().copied().unwrap_or(0);
                    let valid = matches!(sig, Sig::Good)
                        && segments > last
                        && segments <= DEPOSIT_SEGMENTS;
                    let answer = payee.accept(c.id, segments, &signature);
                    prop_assert_eq!(
                        answer.is_ok(), valid,
                        "{:?} for {} after {}: {:?}", sig, segments, last, answer
                    );
                    if valid {
                        accepted.push(segments);
                    }
                }
            }
        }
        let recorded = history(&payee, c.id);
        prop_assert!(recorded.windows(2).all(|w| w[0] < w[1]), "increasing: {:?}", recorded);
        prop_assert!(recorded.iter().all(|s| *s <= DEPOSIT_SEGMENTS));
        prop_assert_eq!(recorded, accepted);
        drop(payee);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
