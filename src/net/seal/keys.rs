//! The suite (cipher and hash) and the keys derived from the key file.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

/// How the payload is hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cipher {
    /// Authenticated only: the payload travels in clear.
    None,
    /// XChaCha20 (ChaCha20 with a 192-bit nonce).
    ChaCha20,
}

/// How a datagram is authenticated: HMAC with this hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
}

/// A cipher and a hash: what every member of a ring must agree on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suite {
    pub cipher: Cipher,
    pub hash: Hash,
}

impl Suite {
    /// The suite's byte in the header: cipher in the high nibble, hash in the low.
    pub fn byte(self) -> u8 {
        let c = match self.cipher {
            Cipher::None => 0,
            Cipher::ChaCha20 => 1,
        };
        let h = match self.hash {
            Hash::Sha1 => 1,
            Hash::Sha256 => 2,
        };
        c << 4 | h
    }

    /// Bytes of the tag: the hash's whole output (not truncated).
    pub fn tag_len(self) -> usize {
        match self.hash {
            Hash::Sha1 => 20,
            Hash::Sha256 => 32,
        }
    }
}

/// What the node is configured with.
#[derive(Clone, PartialEq, Eq)]
pub struct CryptoConfig {
    /// The key file's bytes.
    pub key: Vec<u8>,
    pub suite: Suite,
}

impl std::fmt::Debug for CryptoConfig {
    // Never the key's bytes, even in a debug log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CryptoConfig").field("key_len", &self.key.len()).field("suite", &self.suite).finish()
    }
}

/// The keys in use: derived once, shared by the sealers and the opener.
pub(crate) struct Keys {
    pub suite: Suite,
    pub cipher_key: [u8; 32],
    /// HMAC keyed once; cloned per datagram (its inner and outer pads are
    /// already hashed, so a clone saves two compression rounds).
    mac: MacState,
}

#[derive(Clone)]
enum MacState {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
}

/// Labels of the two derived keys; the version lets a later format derive
/// unrelated keys from the same file.
const CIPHER_LABEL: &[u8] = b"libevs/1 cipher key";
const MAC_LABEL: &[u8] = b"libevs/1 mac key";

impl Keys {
    pub fn derive(cfg: &CryptoConfig) -> Keys {
        let suite = cfg.suite;
        let cipher_key = derive(&cfg.key, CIPHER_LABEL, suite);
        let mac_key = derive(&cfg.key, MAC_LABEL, suite);
        let mac = match suite.hash {
            Hash::Sha1 => MacState::Sha1(keyed(&mac_key)),
            Hash::Sha256 => MacState::Sha256(keyed(&mac_key)),
        };
        Keys { suite, cipher_key, mac }
    }

    /// Keys given directly, for known-answer tests of the primitives as wired.
    #[cfg(test)]
    pub fn raw(suite: Suite, cipher_key: [u8; 32], mac_key: &[u8]) -> Keys {
        let mac = match suite.hash {
            Hash::Sha1 => MacState::Sha1(keyed(mac_key)),
            Hash::Sha256 => MacState::Sha256(keyed(mac_key)),
        };
        Keys { suite, cipher_key, mac }
    }

    /// The tag of `bytes` (the first `suite.tag_len()` bytes of the result).
    pub fn tag(&self, bytes: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        match &self.mac {
            MacState::Sha1(m) => {
                let mut m = m.clone();
                m.update(bytes);
                out[..20].copy_from_slice(&m.finalize().into_bytes());
            }
            MacState::Sha256(m) => {
                let mut m = m.clone();
                m.update(bytes);
                out.copy_from_slice(&m.finalize().into_bytes());
            }
        }
        out
    }

    /// Whether `tag` is the tag of `bytes`, compared in constant time.
    pub fn verify(&self, bytes: &[u8], tag: &[u8]) -> bool {
        match &self.mac {
            MacState::Sha1(m) => {
                let mut m = m.clone();
                m.update(bytes);
                m.verify_slice(tag).is_ok()
            }
            MacState::Sha256(m) => {
                let mut m = m.clone();
                m.update(bytes);
                m.verify_slice(tag).is_ok()
            }
        }
    }
}

/// HMAC-SHA256(key file, label || suite): a 32-byte key for one purpose.
fn derive(master: &[u8], label: &[u8], suite: Suite) -> [u8; 32] {
    let mut m: Hmac<Sha256> = keyed(master);
    m.update(label);
    m.update(&[suite.byte()]);
    m.finalize().into_bytes().into()
}

fn keyed<M: Mac + hmac::digest::KeyInit>(key: &[u8]) -> M {
    <M as Mac>::new_from_slice(key).expect("HMAC takes a key of any length")
}
