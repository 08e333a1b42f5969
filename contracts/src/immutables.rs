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

alloy_sol_types::sol!(
    #![sol(all_derives)]
    "sol/Immutables.sol"
);

/// The 16 bytes that open a module's placeholder: how a deployer finds it. A length byte follows
/// (the number of value bytes), then the values.
pub const MARKER: [u8; 16] = *b"paratii/immut/v1";

/// The byte an unset placeholder is filled with. Not zero: the build trims zero runs out of data
/// segments, which would leave nothing in the module to patch.
pub const UNSET: u8 = 0xff;

/// A placeholder as compiled, `M` bytes in all: [`MARKER`], one byte giving the number of value
/// bytes (`M − 17`), then that many bytes of [`UNSET`].
///
/// # Panics
/// At compile time (it is evaluated in constants) unless 17 ≤ `M` ≤ 272.
#[must_use]
pub const fn placeholder<const M: usize>() -> [u8; M] {
    assert!(M > MARKER.len() && M - MARKER.len() - 1 <= u8::MAX as usize);
    let mut bytes = [UNSET; M];
    let mut i = 0;
    while i < MARKER.len() {
        bytes[i] = MARKER[i];
        i += 1;
    }
    #[allow(clippy::cast_possible_truncation)] // At most 255, asserted above.
    {
        bytes[MARKER.len()] = (M - MARKER.len() - 1) as u8;
    }
    bytes
}

/// The value bytes of a placeholder (after the marker and the length byte).
#[must_use]
pub fn values_of(placeholder: &[u8]) -> &[u8] {
    placeholder.get(MARKER.len() + 1..).unwrap_or_default()
}

/// `bytes` as an address, `None` when all [`UNSET`] (no contract is at `0xff…ff`).
fn address_or_unset(bytes: &[u8]) -> Option<Address> {
    (!bytes.iter().all(|b| *b == UNSET)).then(|| Address::from_slice(bytes))
}

/// The adjudicator's baked values: the avatar (20 bytes), the token (20) and the grace period
/// (8, big-endian).
pub const CHANNEL_LEN: usize = 48;

/// The adjudicator's placeholder as compiled.
pub const CHANNEL_PLACEHOLDER: [u8; 17 + CHANNEL_LEN] = placeholder();

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
    /// The values as they are baked after [`MARKER`] and the length byte.
    #[must_use]
    pub fn encode(&self) -> [u8; CHANNEL_LEN] {
        let mut bytes = [0u8; CHANNEL_LEN];
        bytes[..20].copy_from_slice(self.avatar.as_slice());
        bytes[20..40].copy_from_slice(self.token.as_slice());
        bytes[40..].copy_from_slice(&self.grace_period.to_be_bytes());
        bytes
    }

    /// Reads a placeholder; `None` while it is unset. A grace period of `u64::MAX` (all
    /// [`UNSET`]) is never a valid one, so it tells the two apart.
    #[must_use]
    pub fn decode(placeholder: &[u8; 17 + CHANNEL_LEN]) -> Option<Self> {
        let values = values_of(placeholder);
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

/// The baked values of the contracts whose one constant is the `ParatiiRegistry` they look their
/// peers up in (the video store, the video registry, the user registry): its address, 20 bytes.
pub const REGISTRY_LEN: usize = 20;

/// The placeholder of a contract whose constant is its registry, as compiled.
pub const REGISTRY_PLACEHOLDER: [u8; 17 + REGISTRY_LEN] = placeholder();

/// The deploy-time constant of the video store, the video registry and the user registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryImmutables {
    /// The `ParatiiRegistry` the contract looks its peers up in.
    pub registry: Address,
}

impl RegistryImmutables {
    /// The value as baked after [`MARKER`] and the length byte.
    #[must_use]
    pub fn encode(&self) -> [u8; REGISTRY_LEN] {
        self.registry.into_array()
    }

    /// Reads a placeholder; `None` while it is unset (all [`UNSET`]).
    #[must_use]
    pub fn decode(placeholder: &[u8; 17 + REGISTRY_LEN]) -> Option<Self> {
        address_or_unset(values_of(placeholder)).map(|registry| Self { registry })
    }
}

/// The avatar's baked values: the token (20 bytes) and the whitelist delay (8, big-endian).
pub const AVATAR_LEN: usize = 28;

/// The avatar's placeholder as compiled.
pub const AVATAR_PLACEHOLDER: [u8; 17 + AVATAR_LEN] = placeholder();

/// The avatar's deploy-time constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvatarImmutables {
    /// The PTI token the avatar moves.
    pub token: Address,
    /// How long a whitelisting waits before it takes effect, seconds.
    pub whitelist_delay: u64,
}

impl AvatarImmutables {
    /// The values as baked after [`MARKER`] and the length byte.
    #[must_use]
    pub fn encode(&self) -> [u8; AVATAR_LEN] {
        let mut bytes = [0u8; AVATAR_LEN];
        bytes[..20].copy_from_slice(self.token.as_slice());
        bytes[20..].copy_from_slice(&self.whitelist_delay.to_be_bytes());
        bytes
    }

    /// Reads a placeholder; `None` while it is unset (the token all [`UNSET`]).
    #[must_use]
    pub fn decode(placeholder: &[u8; 17 + AVATAR_LEN]) -> Option<Self> {
        let values = values_of(placeholder);
        let mut delay = [0u8; 8];
        delay.copy_from_slice(&values[20..]);
        address_or_unset(&values[..20])
            .map(|token| Self { token, whitelist_delay: u64::from_be_bytes(delay) })
    }
}

/// Why a module could not be patched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchError {
    /// The module holds no unset placeholder (not built with one, or already patched).
    NotFound,
    /// The module holds the marker more than once, so which to patch is ambiguous.
    Ambiguous,
    /// The module's placeholder holds `expected` value bytes, not the `given` ones: the values
    /// are another contract's.
    WrongLength {
        /// The placeholder's value bytes.
        expected: usize,
        /// The values given.
        given: usize,
    },
}

impl core::fmt::Display for PatchError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotFound => f.write_str("the module holds no unset deploy-time placeholder"),
            Self::Ambiguous => {
                f.write_str("the module holds the deploy-time marker more than once")
            }
            Self::WrongLength { expected, given } => write!(
                f,
                "the module's placeholder holds {expected} bytes of values, not {given}: \
                 these are another contract's values"
            ),
        }
    }
}

/// Writes `values` into `module`'s unset placeholder ([`MARKER`], a length byte equal to
/// `values.len()`, then that many bytes of [`UNSET`]), in place; the module's length and layout
/// are unchanged.
///
/// # Errors
/// [`PatchError::NotFound`] when no unset placeholder is there; [`PatchError::Ambiguous`] when
/// the marker occurs more than once; [`PatchError::WrongLength`] when the placeholder is for
/// values of another length.
pub fn patch(module: &mut [u8], values: &[u8]) -> Result<(), PatchError> {
    let at = |i: usize, m: &[u8]| m.get(i..i + MARKER.len()) == Some(&MARKER[..]);
    let mut found = (0..module.len()).filter(|&i| at(i, module));
    let start = found.next().ok_or(PatchError::NotFound)?;
    if found.next().is_some() {
        return Err(PatchError::Ambiguous);
    }
    let expected = usize::from(*module.get(start + MARKER.len()).ok_or(PatchError::NotFound)?);
    if expected != values.len() {
        return Err(PatchError::WrongLength { expected, given: values.len() });
    }
    let from = start + MARKER.len() + 1;
    let slot = module
        .get_mut(from..from + values.len())
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
        let placeholder: [u8; 65] = module[start..start + 65].try_into().unwrap();
        assert_eq!(ChannelImmutables::decode(&placeholder), Some(values()));
        assert_eq!(&module[start + 65..], b"trailer");
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

    #[test]
    fn patch_fails_with_wrong_length_when_values_are_another_contracts() {
        let mut module = module();
        let registry = RegistryImmutables { registry: Address::repeat_byte(7) }.encode();
        assert_eq!(
            patch(&mut module, &registry),
            Err(PatchError::WrongLength { expected: CHANNEL_LEN, given: REGISTRY_LEN })
        );
        assert!(module.windows(CHANNEL_PLACEHOLDER.len()).any(|w| w == CHANNEL_PLACEHOLDER));
    }

    #[test]
    fn registry_and_avatar_values_decode_back_after_patch() {
        let registry = RegistryImmutables { registry: Address::repeat_byte(0x5e) };
        let mut placeholder = REGISTRY_PLACEHOLDER;
        assert_eq!(RegistryImmutables::decode(&placeholder), None);
        patch(&mut placeholder, &registry.encode()).unwrap();
        assert_eq!(RegistryImmutables::decode(&placeholder), Some(registry));

        let avatar = AvatarImmutables { token: Address::repeat_byte(0x70), whitelist_delay: 3_600 };
        let mut placeholder = AVATAR_PLACEHOLDER;
        assert_eq!(AvatarImmutables::decode(&placeholder), None);
        patch(&mut placeholder, &avatar.encode()).unwrap();
        assert_eq!(AvatarImmutables::decode(&placeholder), Some(avatar));
    }

    #[test]
    fn placeholder_carries_its_value_length() {
        assert_eq!(CHANNEL_PLACEHOLDER[16], 48);
        assert_eq!(REGISTRY_PLACEHOLDER[16], 20);
        assert_eq!(AVATAR_PLACEHOLDER[16], 28);
        assert!(values_of(&AVATAR_PLACEHOLDER).iter().all(|b| *b == UNSET));
    }
}
