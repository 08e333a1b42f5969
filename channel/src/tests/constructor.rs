//! The constructor: what it stores and what it refuses.

use super::*;

#[test]
fn constructor_stores_avatar_token_and_grace_period() {
    let (_, contract) = deploy();
    assert_eq!(contract.avatar(), AVATAR);
    assert_eq!(contract.token(), TOKEN);
    assert_eq!(contract.grace_period(), GRACE);
}

/// A deployer's mistake the review's attack would need: an avatar that pulls another token
/// would report deposits in it as arrived here. Refused at construction.
#[test]
fn constructor_reverts_when_avatar_pulls_another_token() {
    let other = Address::repeat_byte(0x77);
    for (answer, seen) in [(Some(other), other), (None, Address::ZERO)] {
        let host = answer.map_or_else(PrecompileHost::new, host_with_avatar_of);
        let mut contract = PaymentChannels::from(&host);
        assert_eq!(
            contract.constructor(AVATAR, TOKEN, GRACE),
            Err(Error::AvatarTokenMismatch(ChannelAvatarTokenMismatch {
                avatar: AVATAR,
                avatarToken: seen,
                token: TOKEN,
            }))
        );
    }
}

#[test]
fn constructor_accepts_15_minutes_and_30_days() {
    for grace in [MIN_GRACE_PERIOD_SECS, MAX_GRACE_PERIOD_SECS] {
        let host = host_with_avatar_of(TOKEN);
        let mut contract = PaymentChannels::from(&host);
        assert_eq!(contract.constructor(AVATAR, TOKEN, grace), Ok(()));
        assert_eq!(contract.grace_period(), grace);
    }
}

#[test]
fn constructor_reverts_when_grace_period_out_of_range() {
    for grace in [0, MIN_GRACE_PERIOD_SECS - 1, MAX_GRACE_PERIOD_SECS + 1] {
        let host = PrecompileHost::new();
        let mut contract = PaymentChannels::from(&host);
        assert_eq!(
            contract.constructor(AVATAR, TOKEN, grace),
            Err(Error::InvalidGracePeriod(ChannelInvalidGracePeriod {
                gracePeriod: grace,
                min: 900,
                max: 2_592_000,
            }))
        );
    }
}
