//! Two-step ownership.
//!
//! Invariants: `owner` is zero only after [`Ownable2Step::renounce_ownership`]; `pending_owner` is
//! zero unless a transfer is under way; only the pending owner can complete a transfer, so a typo
//! in the new owner's address can never lock the contract.

use alloy_primitives::Address;
use paratii_contracts::ownable::{
    OwnableInvalidOwner, OwnableUnauthorizedAccount, OwnershipTransferStarted, OwnershipTransferred,
};
use stylus_sdk::{prelude::*, storage::StorageAddress};

/// Why an ownership operation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnableError {
    /// The caller is not the owner (or, for `acceptOwnership`, not the pending owner).
    UnauthorizedAccount(OwnableUnauthorizedAccount),
    /// The zero address cannot become the owner.
    InvalidOwner(OwnableInvalidOwner),
}

/// Storage component: the owner and the owner-to-be. Embed it in a contract's storage.
#[storage]
pub struct Ownable2Step {
    owner: StorageAddress,
    pending_owner: StorageAddress,
}

impl Ownable2Step {
    /// Sets the first owner; call it once, from the contract's constructor.
    ///
    /// # Errors
    /// [`OwnableError::InvalidOwner`] when `owner` is zero.
    ///
    /// # Events
    /// [`OwnershipTransferred`] from the zero address.
    pub fn init(&mut self, owner: Address) -> Result<(), OwnableError> {
        if owner.is_zero() {
            return Err(OwnableError::InvalidOwner(OwnableInvalidOwner { owner }));
        }
        self.owner.set(owner);
        self.vm().log(OwnershipTransferred { previousOwner: Address::ZERO, newOwner: owner });
        Ok(())
    }

    /// The current owner (zero once renounced).
    #[must_use]
    pub fn owner(&self) -> Address {
        self.owner.get()
    }

    /// The address that may accept ownership (zero when no transfer is under way).
    #[must_use]
    pub fn pending_owner(&self) -> Address {
        self.pending_owner.get()
    }

    /// Guard: the caller is the owner.
    ///
    /// # Errors
    /// [`OwnableError::UnauthorizedAccount`] carrying the caller otherwise.
    pub fn only_owner(&self) -> Result<(), OwnableError> {
        let caller = self.vm().msg_sender();
        if caller != self.owner.get() {
            return Err(OwnableError::UnauthorizedAccount(OwnableUnauthorizedAccount {
                account: caller,
            }));
        }
        Ok(())
    }

    /// Starts a transfer to `new_owner`, replacing any pending one; zero cancels it.
    ///
    /// # Errors
    /// [`OwnableError::UnauthorizedAccount`] unless the caller is the owner.
    ///
    /// # Events
    /// [`OwnershipTransferStarted`].
    pub fn transfer_ownership(&mut self, new_owner: Address) -> Result<(), OwnableError> {
        self.only_owner()?;
        self.pending_owner.set(new_owner);
        let previous_owner = self.owner.get();
        self.vm()
            .log(OwnershipTransferStarted { previousOwner: previous_owner, newOwner: new_owner });
        Ok(())
    }

    /// Completes a transfer: the pending owner becomes the owner.
    ///
    /// # Errors
    /// [`OwnableError::UnauthorizedAccount`] unless the caller is the pending owner (which is
    /// never the zero address, so a cancelled transfer cannot be accepted).
    ///
    /// # Events
    /// [`OwnershipTransferred`].
    pub fn accept_ownership(&mut self) -> Result<(), OwnableError> {
        let caller = self.vm().msg_sender();
        if caller != self.pending_owner.get() || caller.is_zero() {
            return Err(OwnableError::UnauthorizedAccount(OwnableUnauthorizedAccount {
                account: caller,
            }));
        }
        let previous_owner = self.owner.get();
        self.owner.set(caller);
        self.pending_owner.set(Address::ZERO);
        self.vm().log(OwnershipTransferred { previousOwner: previous_owner, newOwner: caller });
        Ok(())
    }

    /// Gives up ownership for good: owner-only functions become uncallable.
    ///
    /// # Errors
    /// [`OwnableError::UnauthorizedAccount`] unless the caller is the owner.
    ///
    /// # Events
    /// [`OwnershipTransferred`] to the zero address.
    pub fn renounce_ownership(&mut self) -> Result<(), OwnableError> {
        self.only_owner()?;
        let previous_owner = self.owner.get();
        self.owner.set(Address::ZERO);
        self.pending_owner.set(Address::ZERO);
        self.vm()
            .log(OwnershipTransferred { previousOwner: previous_owner, newOwner: Address::ZERO });
        Ok(())
    }
}
