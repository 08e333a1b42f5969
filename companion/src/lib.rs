//! # paratii-companion — the off-chain side of Paratii
//!
//! What a player, a producer's server or an advertiser's ad server embeds: keys kept the way
//! `cast wallet` keeps them ([`keys`]) and the payment-channel vouchers and close authorisations,
//! signed and verified exactly as the adjudicator checks them ([`voucher`]), a crash-safe channel
//! store ([`store`]) and the payer and payee over it ([`payee`]). The `paratii` CLI exposes keys
//! and vouchers.
//!
//! Every failure is a typed error that names what is wrong and carries no secret.

pub mod ads;
pub mod chain;
pub mod channel;
pub mod demo;
pub mod deploy;
mod fsutil;
pub mod keys;
pub mod media;
pub mod payee;
mod player;
pub mod serve;
pub mod store;
pub mod voucher;
pub mod watch;
