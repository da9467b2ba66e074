//! Sealing what we send.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::XChaCha20;

use super::echo::EchoCache;
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
    /// Shared with our opener (`echo.rs`).
    echoes: Arc<Mutex<EchoCache>>,
}

impl Sealer {
    pub(crate) fn new(keys: Arc<Keys>, node: u32, incarnation: u64) -> Sealer {
        let echoes = Arc::new(Mutex::new(EchoCache::new()));
        Sealer { keys, node, incarnation, counter: Arc::new(AtomicU64::new(0)), echoes }
    }

    /// An opener that knows this sealer's identity and echoes.
    pub(crate) fn opener(&self) -> super::Opener {
        super::Opener::new(Arc::clone(&self.keys)).knowing_own(self.node, self.incarnation, Arc::clone(&self.echoes))
    }

    /// As `seal`, for a data frame multicast to every member, ourselves
    /// included: its echo is recognised and dropped unopened (`echo.rs`).
    pub fn seal_own_frame(&self, payload: &[u8], out: &mut Vec<u8>) {
        let counter = self.seal(payload, out);
        let tag = &out[out.len() - self.keys.suite.tag_len()..];
        self.echoes.lock().unwrap_or_else(|e| e.into_inner()).remember(counter, tag);
    }

    /// Writes the sealed datagram of `payload` into `out`, replacing what it
    /// held; its counter.
    pub fn seal(&self, payload: &[u8], out: &mut Vec<u8>) -> u64 {
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
        counter
    }
}
