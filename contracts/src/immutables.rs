//! Deploy-time constants ("immutables") baked into a contract's WASM, as Solidity bakes its
//! `immutable`s into runtime code.
//!
//! A Stylus program has no immutables: whatever its constructor learns it must store, and every
//! later call pays a cold `SLOAD` (2,100 gas) to read it back. The adjudicator reads its token
//! or its grace period on every journey, and Solidity's reads of the same values cost 3 gas. So
//! the module carries a placeholder in its data segment — [`MARKER`] followed by
//! [`CHANNEL_LEN`] bytes of [`UNSET`] — that a deployer may overwrite with the values before
//! compressing and deploying the module ([`patch`]). The program reads the placeholder with a
//! volatile load (the compiler cannot fold it) and falls back to its storage while it is still
//! unset, so an unpatched module (what `cargo stylus deploy` deploys) behaves exactly like a
//! patched one, only at the storage read's price. The constructor of a patched module refuses
//! arguments that differ from its baked values.
//!
//! Patching changes the code, hence the code hash and the `CREATE2` address: each deployment
//! of a patched contract is its own program, activated once.

use alloy_primitives::Address;

/// The 16 bytes that open a module's placeholder: how a deployer finds it.
pub const MARKER: [u8; 16] = *b"paratii/immut/v1";

/// The byte an unset placeholder is filled with. Not zero: the build trims zero runs out of data
/// segments, which would leave nothing in the module to patch.
pub const UNSET: u8 = 0xff;

/// The adjudicator's baked values: the avatar (20 bytes), the token (20) and the grace period
/// (8, big-endian).
pub const CHANNEL_LEN: usize = 48;

/// The adjudicator's placeholder as compiled: [`MARKER`], then [`CHANNEL_LEN`] bytes of
/// [`UNSET`].
pub const CHANNEL_PLACEHOLDER: [u8; 16 + CHANNEL_LEN] = {
    let mut bytes = [UNSET; 16 + CHANNEL_LEN];
    let mut i = 0;
    while i < MARKER.len() {
        bytes[i] = MARKER[i];
        i += 1;
    }
    bytes
};

/// The adjudicator's deploy-time constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelImmutables {
    /// The avatar whose spending keys may open channels for their users.
    pub avatar: Address,
    /// The PTI token escrowed.
    pub token: Address,
    /// The grace period of a payer's close request, seconds.
    pub grace_period: u64,
}

impl ChannelImmutables {
    /// The values as they are baked after [`MARKER`].
    #[must_use]
    pub fn encode(&self) -> [u8; CHANNEL_LEN] {
        let mut bytes = [0u8; CHANNEL_LEN];
        bytes[..20].copy_from_slice(self.avatar.as_slice());
        bytes[20..40].copy_from_slice(self.token.as_slice());
        bytes[40..].copy_from_slice(&self.grace_period.to_be_bytes());
        bytes
    }

    /// Reads a placeholder (with its [`MARKER`]); `None` while it is unset. A grace period of
    /// `u64::MAX` (all [`UNSET`]) is never a valid one, so it tells the two apart.
    #[must_use]
    pub fn decode(placeholder: &[u8; 16 + CHANNEL_LEN]) -> Option<Self> {
        let values = &placeholder[16..];
        let mut grace = [0u8; 8];
        grace.copy_from_slice(&values[40..]);
        let grace_period = u64::from_be_bytes(grace);
        (grace_period != u64::MAX).then(|| Self {
            avatar: Address::from_slice(&values[..20]),
            token: Address::from_slice(&values[20..40]),
            grace_period,
        })
    }
}

/// Why a module could not be patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchError {
    /// The module holds no unset placeholder of this length (not built with one, or already
    /// patched).
    NotFound,
    /// The module holds the marker more than once, so which to patch is ambiguous.
    Ambiguous,
}

impl core::fmt::Display for PatchError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NotFound => "the module holds no unset deploy-time placeholder",
            Self::Ambiguous => "the module holds the deploy-time marker more than once",
        })
    }
}

/// Writes `values` into `module`'s unset placeholder ([`MARKER`] followed by `values.len()`
/// bytes of [`UNSET`]), in place; the module's length and layout are unchanged.
///
/// # Errors
/// [`PatchError::NotFound`] when no unset placeholder of that length is there;
/// [`PatchError::Ambiguous`] when the marker occurs more than once.
pub fn patch(module: &mut [u8], values: &[u8]) -> Result<(), PatchError> {
    let at = |i: usize, m: &[u8]| m.get(i..i + MARKER.len()) == Some(&MARKER[..]);
    let mut found = (0..module.len()).filter(|&i| at(i, module));
    let start = found.next().ok_or(PatchError::NotFound)?;
    if found.next().is_some() {
        return Err(PatchError::Ambiguous);
    }
    let slot = module
        .get_mut(start + MARKER.len()..start + MARKER.len() + values.len())
        .filter(|slot| slot.iter().all(|b| *b == UNSET))
        .ok_or(PatchError::NotFound)?;
    slot.copy_from_slice(values);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn values() -> ChannelImmutables {
        ChannelImmutables {
            avatar: Address::repeat_byte(0xa1),
            token: Address::repeat_byte(0x70),
            grace_period: 86_400,
        }
    }

    fn module() -> Vec<u8> {
        let mut module = b"\0asm header".to_vec();
        module.extend_from_slice(&CHANNEL_PLACEHOLDER);
        module.extend_from_slice(b"trailer");
        module
    }

    #[test]
    fn decode_returns_none_when_unset() {
        assert_eq!(ChannelImmutables::decode(&CHANNEL_PLACEHOLDER), None);
    }

    #[test]
    fn patch_writes_values_that_decode_back() {
        let mut module = module();
        let before = module.len();
        patch(&mut module, &values().encode()).unwrap();
        assert_eq!(module.len(), before);
        let start = 11;
        let placeholder: [u8; 64] = module[start..start + 64].try_into().unwrap();
        assert_eq!(ChannelImmutables::decode(&placeholder), Some(values()));
        assert_eq!(&module[start + 64..], b"trailer");
    }

    #[test]
    fn patch_fails_when_already_patched() {
        let mut module = module();
        patch(&mut module, &values().encode()).unwrap();
        assert_eq!(patch(&mut module, &values().encode()), Err(PatchError::NotFound));
    }

    #[test]
    fn patch_fails_when_marker_missing_or_repeated() {
        assert_eq!(patch(&mut b"no marker".to_vec(), &[1]), Err(PatchError::NotFound));
        let mut twice = module();
        twice.extend_from_slice(&CHANNEL_PLACEHOLDER);
        assert_eq!(patch(&mut twice, &values().encode()), Err(PatchError::Ambiguous));
    }
}
