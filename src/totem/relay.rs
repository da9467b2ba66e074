//! Tokens relayed for a member that cannot reach its successor.
//!
//! The token and the commit token travel by unicast from each member to the
//! next. When one such link fails one way (a firewall that drops unicast, a
//! one-way fault), every processor still hears every other's multicasts and
//! joins, so membership keeps re-forming the same ring, and the token dies at
//! the same hop each time. The forwarder therefore falls back to multicast
//! from its second resend (`forward.rs`), and a member that receives a token
//! meant for another (a token names its receiver; a commit token's receiver
//! follows from its hop count) passes it on to that member by unicast, once.
//! The receiver drops the extra copies as duplicates.

use super::types::RingId;

#[derive(Default)]
pub(crate) struct Relay {
    /// The newest ORF token relayed: (ring, token_seq).
    token: Option<(RingId, u64)>,
    /// The newest commit token relayed: (ring being formed, hops).
    commit: Option<(RingId, u32)>,
}

impl Relay {
    /// Whether to relay this ORF token: newer than any relayed on its ring.
    pub fn token_once(&mut self, ring: RingId, token_seq: u64) -> bool {
        Self::once(&mut self.token, ring, token_seq)
    }

    /// Whether to relay this commit token: further along than any relayed.
    pub fn commit_once(&mut self, ring: RingId, hops: u32) -> bool {
        Self::once(&mut self.commit, ring, hops)
    }

    fn once<T: PartialOrd + Copy>(last: &mut Option<(RingId, T)>, ring: RingId, n: T) -> bool {
        if last.is_some_and(|(r, m)| r == ring && n <= m) {
            return false;
        }
        *last = Some((ring, n));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_token_is_relayed_once() {
        let mut r = Relay::default();
        let a = RingId { rep: 1, seq: 4 };
        let b = RingId { rep: 1, seq: 8 };
        assert!(r.token_once(a, 5));
        assert!(!r.token_once(a, 5), "a copy of the same token");
        assert!(!r.token_once(a, 4), "an older one");
        assert!(r.token_once(a, 6));
        assert!(r.token_once(b, 1), "a new ring starts afresh");
        assert!(r.commit_once(b, 2));
        assert!(!r.commit_once(b, 2));
        assert!(r.commit_once(b, 3));
    }
}
