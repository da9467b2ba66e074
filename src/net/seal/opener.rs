//! Opening what we receive: tag first, then replay, then decryption.

use std::sync::Arc;

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::XChaCha20;

use super::keys::{Cipher, Keys};
use super::replay::{ReplayGuard, Stale};
use super::{nonce, HEADER_LEN, SEALED_VERSION};
use crate::net::envelope;

/// Why a datagram was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reject {
    /// Not a sealed datagram of ours: another program's, or sent without a key.
    NotSealed,
    /// Sealed with another cipher or hash than ours.
    Suite,
    /// Too short to hold a header and a tag.
    Short,
    /// The tag does not match: another key, or altered on the way.
    Mac,
    /// Authentic, but sent before (`replay.rs`).
    Replay(Stale),
}

/// Opens datagrams sealed with our key, and remembers what it accepted.
pub struct Opener {
    keys: Arc<Keys>,
    replay: ReplayGuard,
}

impl Opener {
    pub(crate) fn new(keys: Arc<Keys>) -> Opener {
        Opener { keys, replay: ReplayGuard::default() }
    }

    /// An opener with the same keys and nothing remembered.
    pub(crate) fn fresh(&self) -> Opener {
        Opener::new(Arc::clone(&self.keys))
    }

    /// The sender and the payload of a sealed datagram, decrypted in place.
    /// Nothing but the header's fixed bytes is read before the tag is checked.
    pub fn open<'a>(&mut self, datagram: &'a mut [u8]) -> Result<(u32, &'a [u8]), Reject> {
        let suite = self.keys.suite;
        let tag_len = suite.tag_len();
        if datagram.len() < envelope::HEADER_LEN || datagram[..4] != envelope::MAGIC || datagram[4] != SEALED_VERSION {
            return Err(Reject::NotSealed);
        }
        match datagram.get(envelope::HEADER_LEN) {
            None => return Err(Reject::Short),
            Some(&b) if b != suite.byte() => return Err(Reject::Suite),
            Some(_) => {}
        }
        if datagram.len() < HEADER_LEN + tag_len {
            return Err(Reject::Short);
        }
        let (body, tag) = datagram.split_at_mut(datagram.len() - tag_len);
        if !self.keys.verify(body, tag) {
            return Err(Reject::Mac);
        }
        let field = |at: usize| u64::from_be_bytes(body[at..at + 8].try_into().expect("8 bytes"));
        let node = u32::from_be_bytes(body[5..9].try_into().expect("4 bytes"));
        let incarnation = field(10);
        let counter = field(18);
        if node == 0 {
            // Only a key holder could have sent it; still never a valid id.
            return Err(Reject::NotSealed);
        }
        self.replay.check(node, incarnation, counter).map_err(Reject::Replay)?;
        let payload = &mut body[HEADER_LEN..];
        if suite.cipher == Cipher::ChaCha20 {
            let n = nonce(node, incarnation, counter);
            XChaCha20::new(&self.keys.cipher_key.into(), &n.into()).apply_keystream(payload);
        }
        Ok((node, payload))
    }

    #[cfg(test)]
    pub(crate) fn senders(&self) -> usize {
        self.replay.senders()
    }
}
