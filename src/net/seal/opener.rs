//! Opening what we receive: tag first, then replay, then decryption.

use std::sync::{Arc, Mutex};

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::XChaCha20;

use super::echo::EchoCache;
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
    /// One of our own data frames, back from the network (`echo.rs`): not
    /// an error, and not worth opening.
    Echo,
}

/// An opened datagram.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened<'a> {
    pub sender: u32,
    pub payload: &'a [u8],
    /// For a datagram naming our own node id but another incarnation: an
    /// earlier run (`Less`: a replay of a run before ours, or a process with
    /// our id started before us) or a later one (`Greater`: one starting now
    /// with our id). Never given to the core, never in the replay window
    /// (two runs of one id would make it refuse each other's datagrams);
    /// the node layer uses them to detect an id collision. None otherwise.
    pub other_run: Option<std::cmp::Ordering>,
}

/// Opens datagrams sealed with our key, and remembers what it accepted.
pub struct Opener {
    keys: Arc<Keys>,
    replay: ReplayGuard,
    /// Our node id, incarnation and the data frames we multicast.
    own: Option<(u32, u64, Arc<Mutex<EchoCache>>)>,
}

impl Opener {
    pub(crate) fn new(keys: Arc<Keys>) -> Opener {
        Opener { keys, replay: ReplayGuard::default(), own: None }
    }

    pub(crate) fn knowing_own(mut self, node: u32, incarnation: u64, echoes: Arc<Mutex<EchoCache>>) -> Opener {
        self.own = Some((node, incarnation, echoes));
        self
    }

    /// An opener with the same keys and nothing remembered.
    pub(crate) fn fresh(&self) -> Opener {
        Opener { keys: Arc::clone(&self.keys), replay: ReplayGuard::default(), own: self.own.clone() }
    }

    /// The sender and the payload of a sealed datagram, decrypted in place.
    /// Nothing but the header's fixed bytes is read before the tag is checked.
    pub fn open<'a>(&mut self, datagram: &'a mut [u8]) -> Result<Opened<'a>, Reject> {
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
        let field = |at: usize| u64::from_be_bytes(body[at..at + 8].try_into().expect("8 bytes"));
        if let Some((me, my_incarnation, echoes)) = &self.own {
            if body[5..9] == me.to_be_bytes()
                && field(10) == *my_incarnation
                && echoes.lock().unwrap_or_else(|e| e.into_inner()).is_echo(field(18), tag)
            {
                return Err(Reject::Echo);
            }
        }
        if !self.keys.verify(body, tag) {
            return Err(Reject::Mac);
        }
        let node = u32::from_be_bytes(body[5..9].try_into().expect("4 bytes"));
        let incarnation = field(10);
        let counter = field(18);
        if node == 0 {
            // Only a key holder could have sent it; still never a valid id.
            return Err(Reject::NotSealed);
        }
        let other_run = match &self.own {
            Some((me, mine, _)) if node == *me && incarnation != *mine => Some(incarnation.cmp(mine)),
            _ => None,
        };
        if other_run.is_none() {
            self.replay.check(node, incarnation, counter).map_err(Reject::Replay)?;
        }
        let payload = &mut body[HEADER_LEN..];
        if suite.cipher == Cipher::ChaCha20 {
            let n = nonce(node, incarnation, counter);
            XChaCha20::new(&self.keys.cipher_key.into(), &n.into()).apply_keystream(payload);
        }
        Ok(Opened { sender: node, payload, other_run })
    }

    #[cfg(test)]
    pub(crate) fn senders(&self) -> usize {
        self.replay.senders()
    }
}
