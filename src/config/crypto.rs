//! The shared key and the choice of cipher and hash. Crypto is all or nothing by
//! design: a cipher or hash without a key, or encryption without authentication,
//! is refused rather than run in a weaker way than asked.

use std::path::{Path, PathBuf};

use super::bounded::{self, ReadError};
use super::error::ConfigError;
use super::settings::{CryptoCipher, CryptoHash};
use super::source::{Origin, Raw};
use super::values;

/// corosync's key sizes: corosync-keygen writes 128 bytes by default, and keys
/// longer than 4096 bytes are refused.
pub(crate) const KEY_SIZES: std::ops::RangeInclusive<usize> = 128..=4096;

/// Read the key named by `raw`. A relative path in the file is taken relative to
/// the file's directory (the file and its key usually travel together); one in
/// the environment, relative to the current directory, as a shell user expects.
pub(crate) fn read_key(raw: &Raw) -> Result<(PathBuf, Vec<u8>), ConfigError> {
    if raw.value.is_empty() {
        return Err(raw.error("is not a file name"));
    }
    let mut path = PathBuf::from(&raw.value);
    if let Origin::File { path: file, .. } = &raw.origin {
        if path.is_relative() {
            path = Path::new(file).parent().unwrap_or(Path::new("")).join(path);
        }
    }
    // A regular file only (a FIFO would block for ever), read up to one byte
    // more than allowed: enough to tell "too big" without reading a huge file.
    let sizes = format!("a key has {} to {} bytes", KEY_SIZES.start(), KEY_SIZES.end());
    let key = bounded::read_private(&path, *KEY_SIZES.end()).map_err(|e| match e {
        ReadError::TooBig { limit } => raw.error(format_args!("holds more than {limit} bytes; {sizes}")),
        other => raw.error(other),
    })?;
    if key.len() < *KEY_SIZES.start() {
        return Err(raw.error(format_args!("holds {} bytes; {sizes}", key.len())));
    }
    Ok((path, key))
}

pub(crate) fn cipher(raw: &Raw) -> Result<CryptoCipher, ConfigError> {
    values::choice(raw, "a supported cipher", &[("chacha20", CryptoCipher::ChaCha20), ("none", CryptoCipher::None)])
}

pub(crate) fn hash(raw: &Raw) -> Result<CryptoHash, ConfigError> {
    values::choice(
        raw,
        "a supported hash",
        &[("sha1", CryptoHash::Sha1), ("sha256", CryptoHash::Sha256), ("none", CryptoHash::None)],
    )
}

/// The cipher and hash to run with, from what was set (if anything) and whether a
/// key is there; plus a warning when a key is given but left unused.
pub(crate) fn choose(
    have_key: bool,
    cipher_raw: Option<&Raw>,
    hash_raw: Option<&Raw>,
) -> Result<(CryptoCipher, CryptoHash, Option<String>), ConfigError> {
    let cipher_set = cipher_raw.map(cipher).transpose()?;
    let hash_set = hash_raw.map(hash).transpose()?;
    if !have_key {
        if let (Some(raw), Some(c)) = (cipher_raw, cipher_set) {
            if c != CryptoCipher::None {
                return Err(raw.error("needs a key: set EVS_KEYFILE or totem.keyfile"));
            }
        }
        if let (Some(raw), Some(h)) = (hash_raw, hash_set) {
            if h != CryptoHash::None {
                return Err(raw.error("needs a key: set EVS_KEYFILE or totem.keyfile"));
            }
        }
        return Ok((CryptoCipher::None, CryptoHash::None, None));
    }
    let c = cipher_set.unwrap_or(CryptoCipher::ChaCha20);
    let h = hash_set.unwrap_or(CryptoHash::Sha1);
    match (c, h) {
        // Unauthenticated ciphertext can be altered undetected; corosync refuses it too.
        (CryptoCipher::ChaCha20, CryptoHash::None) => {
            let raw = hash_raw.expect("hash none is only ever set explicitly");
            Err(raw.error("cannot go with a cipher: encrypted frames must be authenticated (use sha1 or sha256)"))
        }
        (CryptoCipher::None, CryptoHash::None) => Ok((
            c,
            h,
            Some("a key is set but crypto_cipher and crypto_hash are none: frames are neither encrypted nor authenticated".into()),
        )),
        _ => Ok((c, h, None)),
    }
}
