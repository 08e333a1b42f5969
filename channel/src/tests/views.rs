//! The views: `channelState` and its phases, the stored word, the EIP-712 digests and domain.

use super::*;

#[test]
fn channel_state_reports_each_phase() {
    let (host, mut contract) = deploy();
    let id = id_of(&channel());
    assert_eq!(contract.channel_state(id), (U256::ZERO, 0, 0, false, PHASE_NONE));
    open(&host, &mut contract, &channel(), DEPOSIT);
    assert_eq!(contract.channel_state(id).4, PHASE_OPEN);
    contract.request_close(channel()).unwrap();
    assert_eq!(contract.channel_state(id).4, PHASE_CLOSING);
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(contract.channel_state(id).4, PHASE_WITHDRAWABLE);
    contract.withdraw(channel()).unwrap();
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

#[test]
fn channel_state_word_round_trips_at_extremes() {
    for state in [
        ChannelState::default(),
        ChannelState {
            deposit: (1 << 96) - 1,
            settled: u64::MAX,
            close_requested_at: u64::MAX,
            finalized: true,
        },
        ChannelState { deposit: 1, settled: 0, close_requested_at: 0, finalized: true },
        ChannelState { deposit: 1 << 95, settled: 7, close_requested_at: NOW, finalized: false },
    ] {
        assert_eq!(ChannelState::from_word(state.to_word()), state);
    }
    // The layout: deposit in the low 96 bits, finalized at bit 127, settled above, then time.
    let word =
        ChannelState { deposit: 5, settled: 6, close_requested_at: 7, finalized: true }.to_word();
    assert_eq!(
        U256::from_be_bytes(word.0),
        U256::from(5) | (U256::from(1) << 127) | (U256::from(6) << 128) | (U256::from(7) << 192)
    );
}

#[test]
fn phase_never_ends_grace_when_request_time_plus_grace_overflows() {
    let state =
        ChannelState { deposit: 1, close_requested_at: u64::MAX - 1, ..ChannelState::default() };
    assert_eq!(state.closes_at(GRACE), u64::MAX);
    assert_eq!(state.phase(), Phase::CloseRequested);
    let now = u64::MAX - 1;
    assert_eq!(state.phase().code(now >= state.closes_at(GRACE)), PHASE_CLOSING);
}

/// The guards and the view share one derivation: each stored word maps to one [`Phase`], and
/// only a requested close depends on the clock (in the view, through `closes_at`).
#[test]
fn phase_follows_the_word_and_only_a_requested_close_reads_the_clock() {
    let open = ChannelState { deposit: 1, ..ChannelState::default() };
    let requested = ChannelState { close_requested_at: NOW, ..open };
    let finalized = ChannelState { finalized: true, ..requested };
    assert_eq!(ChannelState::default().phase(), Phase::None);
    assert_eq!(open.phase(), Phase::Open);
    assert_eq!(requested.phase(), Phase::CloseRequested);
    assert_eq!(finalized.phase(), Phase::Finalized);
    for grace_over in [false, true] {
        assert_eq!(Phase::None.code(grace_over), PHASE_NONE);
        assert_eq!(Phase::Open.code(grace_over), PHASE_OPEN);
        assert_eq!(Phase::Finalized.code(grace_over), PHASE_FINALIZED);
    }
    let code_at = |now: u64| requested.phase().code(now >= requested.closes_at(GRACE));
    assert_eq!(code_at(NOW + GRACE - 1), PHASE_CLOSING);
    assert_eq!(code_at(NOW + GRACE), PHASE_WITHDRAWABLE);
}

#[test]
fn voucher_digest_equals_alloy_eip712_signing_hash() {
    let (_, contract) = deploy();
    let id = id_of(&channel());
    for segments in [0, 1, 1_000_000, u64::MAX] {
        let v = Voucher { channelId: id, segments };
        assert_eq!(
            contract.voucher_digest(id, segments),
            v.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR))
        );
    }
}

#[test]
fn close_authorization_digest_under_contract_domain_equals_alloy_eip712_signing_hash() {
    let (_, contract) = deploy();
    let a = CloseAuthorization {
        channelId: B256::repeat_byte(9),
        segments: 77,
        deadline: AUTH_DEADLINE,
    };
    assert_eq!(
        eip712::typed_data_digest(
            contract.domain_separator(),
            eip712::close_authorization_struct_hash(a.channelId, a.segments, a.deadline)
        ),
        a.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR))
    );
    assert_eq!(contract.domain_separator(), domain_on(CHAIN_ID, ADJUDICATOR).separator());
}

#[test]
fn eip712_domain_decodes_as_eip5267_tuple() {
    type Domain = (
        alloy_sol_types::sol_data::FixedBytes<1>,
        alloy_sol_types::sol_data::String,
        alloy_sol_types::sol_data::String,
        alloy_sol_types::sol_data::Uint<256>,
        alloy_sol_types::sol_data::Address,
        alloy_sol_types::sol_data::FixedBytes<32>,
        alloy_sol_types::sol_data::Array<alloy_sol_types::sol_data::Uint<256>>,
    );
    let (_, contract) = deploy();
    let encoded = <Eip712DomainReturn as stylus_sdk::abi::AbiType>::abi_encode_return(
        &contract.eip712_domain(),
    );
    let expected = (
        alloy_primitives::FixedBytes([0x0f]),
        String::from("Paratii Channels"),
        String::from("1"),
        U256::from(CHAIN_ID),
        ADJUDICATOR,
        B256::ZERO,
        Vec::<U256>::new(),
    );
    assert_eq!(encoded, Domain::abi_encode_params(&expected));
    assert_eq!(Domain::abi_decode_params_validate(&encoded).unwrap(), expected);
}
