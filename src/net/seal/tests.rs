use std::sync::Arc;

use super::replay::{Stale, WINDOW};
use super::*;

const SHA1_CHACHA: Suite = Suite { cipher: Cipher::ChaCha20, hash: Hash::Sha1 };
const SHA256_CHACHA: Suite = Suite { cipher: Cipher::ChaCha20, hash: Hash::Sha256 };
const SHA1_CLEAR: Suite = Suite { cipher: Cipher::None, hash: Hash::Sha1 };

fn keys(key_byte: u8, suite: Suite) -> Arc<Keys> {
    Arc::new(Keys::derive(&CryptoConfig { key: vec![key_byte; 128], suite }))
}

fn pair(suite: Suite) -> (Sealer, Opener) {
    let k = keys(7, suite);
    (Sealer::new(Arc::clone(&k), 3, 1_000), Opener::new(k))
}

fn sealed(s: &Sealer, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    s.seal(payload, &mut out);
    out
}

#[test]
fn round_trip_in_every_suite() {
    for suite in [SHA1_CHACHA, SHA256_CHACHA, SHA1_CLEAR, Suite { cipher: Cipher::None, hash: Hash::Sha256 }] {
        let (s, mut o) = pair(suite);
        for payload in [&b""[..], b"x", &[0xA5; 1400][..]] {
            let mut d = sealed(&s, payload);
            assert_eq!(d.len(), payload.len() + overhead(suite), "{suite:?}");
            if payload.len() > 8 {
                let in_clear = d.windows(payload.len()).any(|w| w == payload);
                assert_eq!(in_clear, suite.cipher == Cipher::None, "{suite:?}");
            }
            assert_eq!(o.open(&mut d), Ok(Opened { sender: 3, payload, other_run: None }), "{suite:?}");
        }
    }
}

#[test]
fn a_flipped_bit_anywhere_is_rejected() {
    let (s, _) = pair(SHA1_CHACHA);
    let good = sealed(&s, b"a payload of some length");
    for i in 0..good.len() {
        for bit in 0..8 {
            let mut bad = good.clone();
            bad[i] ^= 1 << bit;
            let (_, mut o) = pair(SHA1_CHACHA);
            let r = o.open(&mut bad);
            assert!(r.is_err(), "byte {i} bit {bit} was accepted");
            if i >= 10 {
                assert_eq!(r, Err(Reject::Mac), "byte {i} bit {bit}");
            }
        }
    }
}

#[test]
fn truncated_and_extended_datagrams_are_rejected() {
    let (s, _) = pair(SHA256_CHACHA);
    let good = sealed(&s, b"payload");
    for len in 0..good.len() {
        let (_, mut o) = pair(SHA256_CHACHA);
        assert!(o.open(&mut good[..len].to_vec()).is_err(), "prefix of {len}");
    }
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(pair(SHA256_CHACHA).1.open(&mut longer), Err(Reject::Mac));
}

#[test]
fn another_key_or_suite_is_rejected() {
    let (s, _) = pair(SHA1_CHACHA);
    let d = sealed(&s, b"hello");
    let mut other_key = Opener::new(keys(8, SHA1_CHACHA));
    assert_eq!(other_key.open(&mut d.clone()), Err(Reject::Mac));
    let mut other_hash = Opener::new(keys(7, SHA256_CHACHA));
    assert_eq!(other_hash.open(&mut d.clone()), Err(Reject::Suite));
    let mut other_cipher = Opener::new(keys(7, SHA1_CLEAR));
    assert_eq!(other_cipher.open(&mut d.clone()), Err(Reject::Suite));
    // Rewriting the suite byte does not help: the keys derive from it and the MAC covers it.
    let mut forged = d.clone();
    forged[9] = SHA1_CLEAR.byte();
    assert_eq!(other_cipher.open(&mut forged), Err(Reject::Mac));
    // Plain datagrams are not ours when we have a key, and no authenticated state was touched.
    let mut plain = Vec::new();
    envelope::wrap(3, b"hello", &mut plain);
    assert_eq!(other_key.open(&mut plain), Err(Reject::NotSealed));
    assert_eq!(other_key.senders(), 0);
    // Nor is a sealed datagram a plain receiver's.
    assert_eq!(envelope::unwrap(&d), None);
}

#[test]
fn replays_are_rejected_and_reordering_is_not() {
    let (s, mut o) = pair(SHA1_CHACHA);
    let ds: Vec<Vec<u8>> = (0..10).map(|i| sealed(&s, &[i])).collect();
    // Out of order within the window: all accepted once.
    for i in [3, 0, 9, 1, 2, 8, 4, 5, 7, 6] {
        assert_eq!(o.open(&mut ds[i].clone()), Ok(Opened { sender: 3, payload: &[i as u8][..], other_run: None }));
    }
    for d in &ds {
        assert_eq!(o.open(&mut d.clone()), Err(Reject::Replay(Stale::Duplicate)));
    }
    // Far behind the highest: too old to tell, refused.
    for _ in 0..WINDOW {
        sealed(&s, b"");
    }
    let mut late = sealed(&s, b"late");
    let newest = sealed(&s, b"newest");
    assert!(o.open(&mut newest.clone()).is_ok());
    assert!(o.open(&mut late).is_ok(), "within the window");
    assert_eq!(o.open(&mut ds[0].clone()), Err(Reject::Replay(Stale::TooOld)));
}

#[test]
fn a_restart_is_accepted_and_its_previous_run_replayed_is_not() {
    let k = keys(7, SHA1_CHACHA);
    let first_run = Sealer::new(Arc::clone(&k), 3, 1_000);
    let second_run = Sealer::new(Arc::clone(&k), 3, 2_000);
    let mut o = Opener::new(k);
    let old = sealed(&first_run, b"old");
    assert!(o.open(&mut old.clone()).is_ok());
    // The new run's counter starts again at 0, below the old run's: still accepted.
    assert!(o.open(&mut sealed(&second_run, b"new")).is_ok());
    assert_eq!(o.open(&mut old.clone()), Err(Reject::Replay(Stale::OldIncarnation)));
    assert_eq!(o.open(&mut sealed(&first_run, b"still running?")), Err(Reject::Replay(Stale::OldIncarnation)));
}

#[test]
fn clones_share_the_counter() {
    let (s, mut o) = pair(SHA1_CHACHA);
    let c = s.clone();
    let a = sealed(&s, b"a");
    let b = sealed(&c, b"b");
    assert_ne!(a[18..26], b[18..26], "two threads must never reuse a nonce");
    assert!(o.open(&mut a.clone()).is_ok());
    assert!(o.open(&mut b.clone()).is_ok());
}

#[test]
fn the_sender_table_is_bounded() {
    let k = keys(7, SHA1_CHACHA);
    let mut o = Opener::new(Arc::clone(&k));
    for node in 1..=(super::replay::MAX_SENDERS as u32 + 50) {
        let mut d = sealed(&Sealer::new(Arc::clone(&k), node, 1), b"x");
        assert!(o.open(&mut d).is_ok());
    }
    assert_eq!(o.senders(), super::replay::MAX_SENDERS);
}

#[test]
fn node_zero_is_refused_even_when_authentic() {
    let k = keys(7, SHA1_CHACHA);
    let mut d = sealed(&Sealer::new(Arc::clone(&k), 0, 1), b"x");
    assert_eq!(Opener::new(k).open(&mut d), Err(Reject::NotSealed));
}

/// HMAC as wired (`Keys::tag`/`verify`), against RFC 2202 and RFC 4231, test case 2.
#[test]
fn known_answers_hmac() {
    let data = b"what do ya want for nothing?";
    let sha1 = Keys::raw(SHA1_CHACHA, [0; 32], b"Jefe");
    assert_eq!(hex(&sha1.tag(data)[..20]), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    let sha256 = Keys::raw(SHA256_CHACHA, [0; 32], b"Jefe");
    assert_eq!(hex(&sha256.tag(data)), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert!(sha1.verify(data, &sha1.tag(data)[..20]));
    assert!(!sha1.verify(data, &sha256.tag(data)[..20]));
}

/// XChaCha20 as the sealer calls it, against draft-arciszewski-xchacha-03
/// appendix A.3.2 (keystream from byte 64).
#[test]
fn known_answer_xchacha20() {
    use chacha20::cipher::{KeyIvInit, StreamCipher};
    let key: [u8; 32] = std::array::from_fn(|i| 0x80 + i as u8);
    let mut iv: [u8; 24] = std::array::from_fn(|i| 0x40 + i as u8);
    iv[23] = 0x58;
    let mut buf = [0u8; 80];
    chacha20::XChaCha20::new(&key.into(), &iv.into()).apply_keystream(&mut buf);
    assert_eq!(hex(&buf[64..]), "29624b4b1b140ace53740e405b216854");
}

/// The format, pinned: a change to the layout, the derivation or the nonce
/// breaks every mixed-version ring, so it must be deliberate.
#[test]
fn known_answer_sealed_datagram() {
    let k = Arc::new(Keys::derive(&CryptoConfig { key: (0..128).collect(), suite: SHA1_CHACHA }));
    let d = sealed(&Sealer::new(k, 0x0102_0304, 0x1122_3344_5566_7788), b"totem");
    assert_eq!(hex(&d[..26]), "4556536e02010203041111223344556677880000000000000000");
    assert_eq!(hex(&d[26..]), "065ec366ecd45743bd93311a76592597108eda59a537dc2b30");
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn our_own_data_frames_are_recognised_unopened_and_nothing_else_is() {
    let k = keys(7, SHA1_CHACHA);
    let me = Sealer::new(Arc::clone(&k), 3, 1_000);
    let mut o = me.opener();
    let mut frame = Vec::new();
    me.seal_own_frame(b"a data frame", &mut frame);
    assert_eq!(o.open(&mut frame.clone()), Err(Reject::Echo));
    // Anything else of ours is opened as usual (a token to ourselves in a ring of one).
    let token = sealed(&me, b"a token");
    assert_eq!(o.open(&mut token.clone()), Ok(Opened { sender: 3, payload: &b"a token"[..], other_run: None }));
    // An altered copy is dropped as well, unread (the MAC would refuse it).
    let mut altered = frame.clone();
    altered[30] ^= 1;
    assert!(o.open(&mut altered).is_err());
    // So is one whose tag differs: then it is opened, and fails the MAC.
    let mut retagged = frame.clone();
    *retagged.last_mut().unwrap() ^= 1;
    assert_eq!(o.open(&mut retagged), Err(Reject::Mac));
    // Another run's frame with the same counter is not an echo: it is opened
    // and marked as another run of our id (never for the core).
    let old_run = Sealer::new(Arc::clone(&k), 3, 999);
    let mut old = Vec::new();
    old_run.seal_own_frame(b"a data frame", &mut old);
    assert_eq!(o.open(&mut old).map(|x| x.other_run), Ok(Some(std::cmp::Ordering::Less)));
    // Another processor's opener opens the frame normally.
    assert_eq!(
        Opener::new(k).open(&mut frame),
        Ok(Opened { sender: 3, payload: &b"a data frame"[..], other_run: None })
    );
}

#[test]
fn another_run_of_our_id_never_disturbs_our_own_window() {
    let k = keys(7, SHA1_CHACHA);
    let me = Sealer::new(Arc::clone(&k), 3, 1_000);
    let mut o = me.opener();
    let mine = sealed(&me, b"to myself");
    assert!(o.open(&mut mine.clone()).is_ok());
    // A process starting later with our id (a collision the node layer reports),
    // and a replay of a run before ours: both shown as such, both repeatable.
    let later = Sealer::new(Arc::clone(&k), 3, 2_000);
    let earlier = Sealer::new(Arc::clone(&k), 3, 500);
    for _ in 0..2 {
        let mut d = sealed(&later, b"probe");
        assert_eq!(o.open(&mut d).map(|x| x.other_run), Ok(Some(std::cmp::Ordering::Greater)));
        let mut d = sealed(&earlier, b"old");
        assert_eq!(o.open(&mut d).map(|x| x.other_run), Ok(Some(std::cmp::Ordering::Less)));
    }
    // Our own datagrams are still accepted once, and replays of them refused.
    assert_eq!(o.open(&mut sealed(&me, b"next")).map(|x| x.other_run), Ok(None));
    assert_eq!(o.open(&mut mine.clone()), Err(Reject::Replay(Stale::Duplicate)));
}
