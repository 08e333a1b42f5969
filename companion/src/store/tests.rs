//! The SQLite store: round trips, the monotonic refusal that leaves it intact, the exclusive lock,
//! a foreign file refused, and the payer and payee over it.

use alloy_primitives::{Address, B256, U256};

use super::*;
use crate::{
    keys::UnlockedKey,
    payee::{AcceptError, Payee, Payer},
    voucher::{Domain, Message, Voucher, VoucherError},
};

/// A fresh folder (removed when the test ends) and the database path in it.
fn temp(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new().prefix(&format!("paratii-store-{name}-")).tempdir().unwrap();
    let path = dir.path().join("channels.db");
    (dir, path)
}

fn signer() -> UnlockedKey {
    UnlockedKey::from_secret(&[9u8; 32]).unwrap()
}

fn channel(role: Role) -> StoredChannel {
    StoredChannel {
        id: B256::repeat_byte(0xc1),
        role,
        chain_id: 412_346,
        adjudicator: Address::repeat_byte(0xad),
        payer: Address::repeat_byte(0x01),
        payee: Address::repeat_byte(0x02),
        signer: signer().address(),
        video_id: B256::repeat_byte(0x77),
        price_per_segment: U256::from(10),
        deposit: U256::from(100),
        settled: 0,
        close_requested_at: None,
        finalized: false,
        salt: B256::repeat_byte(0x5a),
    }
}

fn voucher_signature(c: &StoredChannel, segments: u64) -> [u8; 65] {
    let domain = Domain { chain_id: c.chain_id, adjudicator: c.adjudicator };
    Message::Voucher(Voucher { channel_id: c.id, segments }).sign(&domain, &signer())
}

#[test]
fn channels_and_vouchers_survive_a_reopen() {
    let (_path_dir, path) = temp("reopen");
    let c = channel(Role::Payee);
    {
        let store = SqliteStore::open(&path).unwrap();
        store.put_channel(&c).unwrap();
        store.record_voucher(c.id, 3, &[1; 65]).unwrap();
        store.record_voucher(c.id, 5, &[2; 65]).unwrap();
        store
            .add_pending(&PendingTx {
                hash: B256::repeat_byte(5),
                channel: Some(c.id),
                kind: "settle".into(),
                raw: vec![1, 2],
            })
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.channel(c.id).unwrap(), Some(c.clone()));
    assert_eq!(store.channels().unwrap(), std::slice::from_ref(&c));
    let history: Vec<u64> = store.vouchers(c.id).unwrap().iter().map(|v| v.segments).collect();
    assert_eq!(history, [3, 5], "the history, not only the latest");
    assert_eq!(store.best_voucher(c.id).unwrap().unwrap().signature, vec![2; 65]);
    assert_eq!(store.pending().unwrap()[0].kind, "settle");
    store.resolve_pending(B256::repeat_byte(5)).unwrap();
    assert!(store.pending().unwrap().is_empty());
}

#[test]
fn record_voucher_refuses_a_count_not_above_and_an_unknown_channel_and_changes_nothing() {
    let (_dir, path) = temp("monotonic");
    let store = SqliteStore::open(&path).unwrap();
    let c = channel(Role::Payee);
    store.put_channel(&c).unwrap();
    store.record_voucher(c.id, 5, &[2; 65]).unwrap();
    for n in [5, 4] {
        assert!(matches!(
            store.record_voucher(c.id, n, &[3; 65]),
            Err(StoreError::NotAbove { segments, recorded: 5, .. }) if segments == n
        ));
    }
    assert!(matches!(
        store.record_voucher(B256::ZERO, 1, &[0; 65]),
        Err(StoreError::UnknownChannel(_))
    ));
    assert!(matches!(store.record_voucher(c.id, u64::MAX, &[0; 65]), Err(StoreError::TooLarge(_))));
    assert_eq!(store.vouchers(c.id).unwrap().len(), 1);
}

#[test]
fn a_second_process_cannot_open_the_store_while_it_is_held() {
    let (_path_dir, path) = temp("lock");
    let held = SqliteStore::open(&path).unwrap();
    assert!(matches!(SqliteStore::open(&path), Err(StoreError::Locked(_))));
    drop(held);
    SqliteStore::open(&path).unwrap();
}

#[test]
fn a_foreign_or_corrupt_file_is_refused_and_left_as_it_was() {
    let (_path_dir, path) = temp("foreign");
    fs::write(&path, b"not a database, just text that is long enough to be read as a header....")
        .unwrap();
    let before = fs::read(&path).unwrap();
    assert!(matches!(SqliteStore::open(&path), Err(StoreError::Corrupt { .. })));
    assert_eq!(fs::read(&path).unwrap(), before);

    let (_other_dir, other) = temp("other-db");
    let conn = Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE songs (title TEXT);").unwrap();
    drop(conn);
    assert!(matches!(SqliteStore::open(&other), Err(StoreError::Corrupt { .. })));
}

#[test]
fn payee_accepts_in_order_and_refuses_replays_forgeries_and_overdrafts() {
    let c = channel(Role::Payee);
    let (_dir, path) = temp("payee");
    let payee = Payee::new(SqliteStore::open(&path).unwrap());
    payee.store().put_channel(&c).unwrap();
    assert_eq!(payee.accept(c.id, 1, &voucher_signature(&c, 1)).unwrap(), 1);
    assert_eq!(payee.accept(c.id, 3, &voucher_signature(&c, 3)).unwrap(), 3);
    assert!(matches!(
        payee.accept(c.id, 2, &voucher_signature(&c, 2)),
        Err(AcceptError::Voucher(VoucherError::NotAbove { segments: 2, last: 3 }))
    ));
    let forged = voucher_signature(&c, 4);
    assert!(matches!(
        payee.accept(c.id, 5, &forged),
        Err(AcceptError::Voucher(VoucherError::WrongSigner { .. }))
    ));
    assert!(matches!(
        payee.accept(c.id, 11, &voucher_signature(&c, 11)),
        Err(AcceptError::Voucher(VoucherError::OverDeposit { .. }))
    ));
    let history: Vec<u64> =
        payee.store().vouchers(c.id).unwrap().iter().map(|v| v.segments).collect();
    assert_eq!(history, [1, 3], "refusals recorded nothing");
}

#[test]
fn payer_records_before_it_returns_a_signature_and_only_for_its_own_channels() {
    let c = channel(Role::Payer);
    let (_dir, path) = temp("payer");
    let payer = Payer::new(SqliteStore::open(&path).unwrap());
    payer.store().put_channel(&c).unwrap();
    let sig = payer.sign(c.id, 2, &signer()).unwrap();
    assert_eq!(payer.store().best_voucher(c.id).unwrap().unwrap().signature, sig.to_vec());
    assert!(matches!(
        payer.sign(c.id, 2, &signer()),
        Err(AcceptError::Voucher(VoucherError::NotAbove { .. }))
    ));
    let stranger = UnlockedKey::from_secret(&[8u8; 32]).unwrap();
    assert!(matches!(
        payer.sign(c.id, 3, &stranger),
        Err(AcceptError::Voucher(VoucherError::WrongSigner { .. }))
    ));
    let (_dir, path) = temp("payer-as-payee");
    let payee_side = Payee::new(SqliteStore::open(&path).unwrap());
    payee_side.store().put_channel(&c).unwrap();
    assert!(matches!(payee_side.accept(c.id, 1, &sig), Err(AcceptError::WrongRole(..))));
}

#[test]
fn close_authorization_signs_the_best_accepted_count_for_the_payee_only() {
    let (_path_dir, path) = temp("close-authorization");
    let payee_key = UnlockedKey::from_secret(&[7u8; 32]).unwrap();
    let mut c = channel(Role::Payee);
    c.payee = payee_key.address();
    let store = SqliteStore::open(&path).unwrap();
    store.put_channel(&c).unwrap();
    let payee = Payee::new(store);
    for n in 1..=3 {
        payee.accept(c.id, n, &voucher_signature(&c, n)).unwrap();
    }
    let (segments, signature) = payee.close_authorization(c.id, &payee_key, 1_000).unwrap();
    assert_eq!(segments, 3);
    let domain = Domain { chain_id: c.chain_id, adjudicator: c.adjudicator };
    let message = Message::Close(crate::voucher::CloseAuthorization {
        channel_id: c.id,
        segments: 3,
        deadline: 1_000,
    });
    let recovered = crate::voucher::recover(message.digest(&domain), &signature).unwrap();
    assert_eq!(recovered, payee_key.address());
    let refused = payee.close_authorization(c.id, &signer(), 1_000).unwrap_err();
    assert!(matches!(refused, AcceptError::Voucher(VoucherError::WrongSigner { .. })), "{refused}");
    let unknown = payee.close_authorization(B256::repeat_byte(0xee), &payee_key, 1_000);
    assert!(matches!(unknown, Err(AcceptError::Store(StoreError::UnknownChannel(_)))));
}

#[test]
fn record_vouchers_commits_a_batch_and_refuses_only_its_bad_items() {
    let (_path_dir, path) = temp("batch");
    let c = channel(Role::Payee);
    {
        let store = SqliteStore::open(&path).unwrap();
        store.put_channel(&c).unwrap();
        store.record_voucher(c.id, 2, &voucher_signature(&c, 2)).unwrap();
        let write = |channel, segments| VoucherWrite {
            channel,
            segments,
            signature: voucher_signature(&c, segments).to_vec(),
        };
        let outcomes = store
            .record_vouchers(&[
                write(c.id, 3),
                write(c.id, 3),
                write(B256::repeat_byte(0xee), 1),
                write(c.id, 1),
                write(c.id, 5),
            ])
            .unwrap();
        assert!(outcomes[0].is_ok());
        assert!(matches!(outcomes[1], Err(StoreError::NotAbove { segments: 3, recorded: 3, .. })));
        assert!(matches!(outcomes[2], Err(StoreError::UnknownChannel(_))));
        assert!(matches!(outcomes[3], Err(StoreError::NotAbove { segments: 1, recorded: 3, .. })));
        assert!(outcomes[4].is_ok());
    }
    let store = SqliteStore::open(&path).unwrap();
    let counts: Vec<u64> = store.vouchers(c.id).unwrap().iter().map(|v| v.segments).collect();
    assert_eq!(counts, [2, 3, 5]);
}
