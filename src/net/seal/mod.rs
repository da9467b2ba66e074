//! Sealed datagrams: encrypted and authenticated with the shared key.
//!
//! When a key is configured every datagram is sealed (`Sealer`) and every
//! received one opened (`Opener`) before anything else looks at it. Layout:
//!
//! | bytes        | field                                               |
//! |--------------|-----------------------------------------------------|
//! | 0..9         | the envelope (`net::envelope`), version [`SEALED_VERSION`] |
//! | 9            | the suite: cipher and hash ([`Suite::byte`])         |
//! | 10..18       | the sender's incarnation, u64 big-endian             |
//! | 18..26       | the sender's datagram counter, u64 big-endian        |
//! | 26..len-t    | the payload, encrypted (or plain with cipher `none`) |
//! | len-t..len   | the HMAC tag over everything before it (t = 20 or 32)|
//!
//! Why this construction (docs/SECURITY.md says more):
//! - Encrypt-then-MAC, the MAC over the header too: nothing is decrypted or
//!   parsed before the tag is checked (in constant time), and no field of the
//!   header can be changed or moved to another datagram.
//! - The nonce is the sender's node id, incarnation and counter (XChaCha20's
//!   192-bit nonce holds all three), so it never repeats under one key without
//!   any shared state: a restarted process has a later incarnation (its start
//!   time in microseconds), and its counter starts again under it.
//! - The same triple, authenticated, is what rejects replays (`replay.rs`).
//! - Separate cipher and MAC keys, each derived from the key file with the
//!   suite mixed in (`keys.rs`): a key for one purpose is never used for the
//!   other, and a peer configured with another suite fails the MAC.

mod echo;
mod keys;
mod opener;
mod replay;
mod sealer;

pub(crate) use keys::Keys;
pub use keys::{Cipher, CryptoConfig, Hash, Suite};
pub use opener::{Opened, Opener, Reject};
pub use sealer::Sealer;

use super::envelope;

/// The envelope version of a sealed datagram: a processor without a key drops
/// it as not ours, and one with a key drops every plain (version 1) datagram.
pub const SEALED_VERSION: u8 = 2;

/// Bytes of header before the (encrypted) payload.
pub const HEADER_LEN: usize = envelope::HEADER_LEN + 1 + 8 + 8;

/// Bytes a sealed datagram has beyond its payload with `suite`.
pub fn overhead(suite: Suite) -> usize {
    HEADER_LEN + suite.tag_len()
}

/// The XChaCha20 nonce of a datagram: unique per (node, incarnation, counter).
fn nonce(node: u32, incarnation: u64, counter: u64) -> [u8; 24] {
    let mut n = [0u8; 24];
    n[..4].copy_from_slice(&node.to_be_bytes());
    n[4..12].copy_from_slice(&incarnation.to_be_bytes());
    n[12..20].copy_from_slice(&counter.to_be_bytes());
    n
}

#[cfg(test)]
mod tests;
