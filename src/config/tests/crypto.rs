//! The key file and the choice of cipher and hash.

use super::*;
use crate::config::{CryptoCipher, CryptoHash};

fn with_key(len: usize, more: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let key = temp_file(len);
    let mut env = vec![("EVS_KEYFILE", key.to_str().unwrap())];
    env.extend_from_slice(more);
    load(None, &env)
}

#[test]
fn a_key_turns_on_chacha20_and_sha1() {
    let s = with_key(128, &[]).unwrap();
    assert_eq!((s.cipher, s.hash), (CryptoCipher::ChaCha20, CryptoHash::Sha1));
    assert_eq!(s.key.unwrap().len(), 128);
    assert_eq!(with_key(4096, &[]).unwrap().key.unwrap().len(), 4096);
}

#[test]
fn key_sizes() {
    for len in [0, 127, 4097, 100_000] {
        let key = temp_file(len);
        let name = key.to_str().unwrap();
        says(&err(None, &[("EVS_KEYFILE", name)]), &["EVS_KEYFILE", name, "128 to 4096 bytes"]);
    }
    let key = temp_file(127);
    says(&err(None, &[("EVS_KEYFILE", key.to_str().unwrap())]), &["holds 127 bytes"]);
}

#[test]
fn an_unreadable_key() {
    let missing = "/nonexistent/evs/authkey";
    says(&err(None, &[("EVS_KEYFILE", missing)]), &["EVS_KEYFILE: '/nonexistent/evs/authkey' cannot be read"]);
    says(&err(None, &[("EVS_KEYFILE", "")]), &["EVS_KEYFILE: ''"]);
    let dir = std::env::temp_dir();
    says(&err(None, &[("EVS_KEYFILE", dir.to_str().unwrap())]), &["EVS_KEYFILE", "is a directory, not a regular file"]);
}

#[test]
fn a_key_others_may_read_or_write_is_refused() {
    let key = temp_file(128);
    let name = key.to_str().unwrap();
    for mode in [0o640, 0o604, 0o620, 0o602, 0o644, 0o666] {
        set_mode(&key, mode);
        says(
            &err(None, &[("EVS_KEYFILE", name)]),
            &["EVS_KEYFILE", name, &format!("(mode {mode:04o})"), "chmod 0400 or 0600"],
        );
    }
    for mode in [0o400, 0o600, 0o700] {
        set_mode(&key, mode);
        assert_eq!(load(None, &[("EVS_KEYFILE", name)]).unwrap().key.unwrap().len(), 128, "mode {mode:o}");
    }
}

#[test]
fn cipher_and_hash_choices() {
    let pick = |c: &str, h: &str| {
        with_key(128, &[("EVS_CRYPTO_CIPHER", c), ("EVS_CRYPTO_HASH", h)]).map(|s| (s.cipher, s.hash))
    };
    assert_eq!(pick("chacha20", "sha1").unwrap(), (CryptoCipher::ChaCha20, CryptoHash::Sha1));
    assert_eq!(pick("ChaCha20", "SHA256").unwrap(), (CryptoCipher::ChaCha20, CryptoHash::Sha256));
    assert_eq!(pick("none", "sha256").unwrap(), (CryptoCipher::None, CryptoHash::Sha256));
    says(&pick("chacha20", "none").unwrap_err().0, &["EVS_CRYPTO_HASH: 'none'", "authenticated"]);
    // Both none with a key: allowed, but the unused key is pointed out.
    let s = with_key(128, &[("EVS_CRYPTO_CIPHER", "none"), ("EVS_CRYPTO_HASH", "none")]).unwrap();
    assert_eq!((s.cipher, s.hash), (CryptoCipher::None, CryptoHash::None));
    assert!(s.warnings.iter().any(|w| w.contains("neither encrypted nor authenticated")), "{:?}", s.warnings);
}

#[test]
fn crypto_without_a_key() {
    says(
        &err(None, &[("EVS_CRYPTO_CIPHER", "chacha20")]),
        &["EVS_CRYPTO_CIPHER: 'chacha20' needs a key", "EVS_KEYFILE"],
    );
    says(&err(None, &[("EVS_CRYPTO_HASH", "sha1")]), &["EVS_CRYPTO_HASH: 'sha1' needs a key"]);
    says(
        &err(Some("totem {\n crypto_cipher: chacha20\n}"), &[]),
        &[&format!("{PATH}:2: totem.crypto_cipher: 'chacha20' needs a key")],
    );
    let s = ok(None, &[("EVS_CRYPTO_CIPHER", "none"), ("EVS_CRYPTO_HASH", "none")]);
    assert_eq!((s.cipher, s.hash), (CryptoCipher::None, CryptoHash::None));
}
