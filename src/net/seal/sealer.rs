//! Sealing what we send.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::XChaCha20;

use super::keys::{Cipher, Keys};
use super::{nonce, SEALED_VERSION};
use crate::net::envelope;

/// Seals datagrams for one processor. Clones share the counter, so the
/// protocol thread and an application thread sending directly never use the
/// same nonce.
#[derive(Clone)]
pub struct Sealer {
    keys: Arc<Keys>,
    node: u32,
    incarnation: u64,
    counter: Arc<AtomicU64>,
}

impl Sealer {
    pub(crate) fn new(keys: Arc<Keys>, node: u32, incarnation: u64) -> Sealer {
        Sealer { keys, node, incarnation, counter: Arc::new(AtomicU64::new(0)) }
    }

    /// Writes the sealed datagram of `payload` into `out`, replacing what it held.
    pub fn seal(&self, payload: &[u8], out: &mut Vec<u8>) {
        // Relaxed: only uniqueness matters, not order between threads (the
        // receivers' replay window accepts a little reordering).
        let counter = self.counter.fetch_add(1, Ordering::Relaxed);
        let suite = self.keys.suite;
        out.clear();
        out.reserve(super::overhead(suite) + payload.len());
        out.extend_from_slice(&envelope::MAGIC);
        out.push(SEALED_VERSION);
        out.extend_from_slice(&self.node.to_be_bytes());
        out.push(suite.byte());
        out.extend_from_slice(&self.incarnation.to_be_bytes());
        out.extend_from_slice(&counter.to_be_bytes());
        let start = out.len();
        out.extend_from_slice(payload);
        if suite.cipher == Cipher::ChaCha20 {
            let n = nonce(self.node, self.incarnation, counter);
            XChaCha20::new(&self.keys.cipher_key.into(), &n.into()).apply_keystream(&mut out[start..]);
        }
        let tag = self.keys.tag(out);
        out.extend_from_slice(&tag[..suite.tag_len()]);
    }
}
