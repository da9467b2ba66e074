//! The `sealed` fuzz target's logic (`fuzz/fuzz_targets/sealed.rs`), here so
//! that `tests/fuzz_corpus.rs` replays its corpus on stable. Not an API:
//! hidden from the docs.
//!
//! What it checks, in every suite: arbitrary bytes are never accepted by a
//! processor with a key; a genuine datagram altered anywhere (bits flipped,
//! cut short, extended) is refused, and the refusal leaves no state behind
//! (the genuine one is still accepted after it, once; its replay is not);
//! nothing panics.

use super::seal::{Cipher, CryptoConfig, Hash, Suite};
use super::Codec;

const SUITES: [Suite; 4] = [
    Suite { cipher: Cipher::ChaCha20, hash: Hash::Sha1 },
    Suite { cipher: Cipher::ChaCha20, hash: Hash::Sha256 },
    Suite { cipher: Cipher::None, hash: Hash::Sha1 },
    Suite { cipher: Cipher::None, hash: Hash::Sha256 },
];

pub fn sealed(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else { return };
    let cfg = CryptoConfig { key: (0..=127).collect(), suite: SUITES[choice as usize % SUITES.len()] };
    let never_a_frame = |_: &[u8]| false;

    // Arbitrary bytes, as they came.
    let mut receiver = Codec::sealed(2, &cfg, 7, never_a_frame);
    assert!(receiver.open(&mut rest.to_vec()).is_none(), "arbitrary bytes were accepted");

    // A genuine datagram of a payload taken from the input, then the input's
    // edits: (position, xor) pairs, and a length change from the choice byte.
    let (payload, edits) = rest.split_at(rest.len().min(64));
    let mut sender = Codec::sealed(1, &cfg, 5, never_a_frame);
    let mut genuine = Vec::new();
    sender.wrap(payload, &mut genuine);
    let mut altered = genuine.clone();
    for pair in edits.chunks_exact(2) {
        let at = pair[0] as usize % altered.len();
        altered[at] ^= pair[1];
    }
    match choice >> 6 {
        1 => altered.truncate(altered.len().saturating_sub(1 + (choice as usize & 0x3f))),
        2 => altered.extend(std::iter::repeat_n(choice, 1 + (choice as usize & 0x3f))),
        _ => {}
    }
    let mut receiver = Codec::sealed(2, &cfg, 7, never_a_frame);
    if altered != genuine {
        assert!(receiver.open(&mut altered).is_none(), "an altered datagram was accepted");
    }
    let opened = receiver.open(&mut genuine.clone()).map(|o| (o.sender, o.payload.to_vec()));
    assert_eq!(opened, Some((1, payload.to_vec())), "the genuine datagram was refused after the altered one");
    assert!(receiver.open(&mut genuine).is_none(), "a replay was accepted");
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_target_runs_on_a_few_inputs() {
        // The corpus replay (tests/fuzz_corpus.rs) covers it at large; these
        // reach each branch once: every suite, each length change, no edit.
        for choice in [0u8, 1, 2, 3, 0x41, 0x82, 0xC3] {
            for rest in [&b""[..], b"x", &[0x5a; 100][..]] {
                let mut input = vec![choice];
                input.extend_from_slice(rest);
                super::sealed(&input);
            }
        }
    }
}
