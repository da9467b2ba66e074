//! The token we passed on: kept until the ring shows that the successor has
//! it, and sent again when it does not show in time.
//!
//! How long to wait before resending adapts to the ring. On a LAN a rotation
//! takes about 100 us, while the configured retransmit interval (token
//! timeout / (retransmits + 0.2), 238 ms at the defaults) is sized for loss
//! *detection*: waiting that long for every lost token makes a ring with 5%
//! loss deliver in hundreds of milliseconds. So, as TCP does for its
//! retransmission timeout, we measure the rotation (from our forward to the
//! next token's arrival) and resend after a smoothed rotation plus four times
//! its deviation, never sooner than [`MIN_RETRANSMIT`] and never later than
//! the configured interval; each resend of the same token doubles the wait.
//! A resend that was not needed costs one packet: the successor drops a token
//! whose `token_seq` it has already seen.

use super::event::{Destination, Transmit};
use super::packet::token_flags;
use super::types::{NodeId, Time, MS};
use super::wire;

/// The shortest wait before a resend: above a busy LAN's rotation and the
/// millisecond granularity of the node's poll.
pub(crate) const MIN_RETRANSMIT: Time = 2 * MS;

/// A token we forwarded, kept for retransmission until the ring shows it moved on.
struct Pending {
    bytes: Vec<u8>,
    to: NodeId,
    /// The token's `seq` when forwarded: a frame above it proves progress.
    seq: u64,
    /// The wait before the next resend.
    wait: Time,
    /// Forwarded unmeasured (to an idle ring's representative, or a commit
    /// token): `resend_now` may send it again before its timer.
    unmeasured: bool,
    /// When it was last sent.
    sent_at: Time,
    /// Resends so far: from the second on, by multicast (`relay.rs`).
    resends: u32,
    /// The first copy went by multicast (`Forwarder::first_destination`).
    by_multicast: bool,
    /// From which resend on copies go by multicast.
    multicast_from: u32,
}

impl Pending {
    /// Where the next resend goes: the successor, then everyone, since our
    /// unicast to it may be what fails. A token resent by multicast says so,
    /// for its receiver to judge our unicast by (`unreached.rs`).
    fn transmit(&mut self, now: Time) -> Transmit {
        self.resends += 1;
        self.sent_at = now;
        let dest = if self.resends >= self.multicast_from { Destination::All } else { Destination::Node(self.to) };
        if self.resends == self.multicast_from && !self.by_multicast {
            wire::set_token_flag(&mut self.bytes, token_flags::RESENT_BY_MULTICAST);
        }
        Transmit { dest, bytes: self.bytes.clone() }
    }
}

/// Forwards sent straight by multicast to a successor that only the fallback
/// reached, before unicast is tried again (the fault may have ended).
const FALLBACK_FORWARDS: u32 = 64;

/// Fallbacks in a row, with no unicast arriving between them, that show our
/// unicast to a successor failing (`Forwarder::unicast_fails_to`).
const FAILING_STRIKES: u32 = 2;

/// A successor our unicast did not reach lately.
struct Fallback {
    to: NodeId,
    /// How many more forwards go to it by multicast.
    left: u32,
    /// Tokens that only a multicast copy got there since a unicast last
    /// arrived. A commit token's counts too, though its only unicast copy
    /// is its first: with a dead unicast, the ring it forms then shows the
    /// failure on its first token that needs the fallback, not 64
    /// forwards later (on an idle ring that was 8 s in the test of asym
    /// seed 8's shape, `a_ring_kept_by_the_relay_gives_way_to_a_clean_newcomer`).
    strikes: u32,
}

#[derive(Default)]
pub(crate) struct Forwarder {
    pending: Option<Pending>,
    fallback: Option<Fallback>,
    /// `first_destination` chose multicast for the forward about to be made.
    next_by_multicast: bool,
    /// When we forwarded a token whose return will measure a rotation.
    rotation_start: Option<Time>,
    /// Smoothed rotation and its mean deviation, once measured.
    srtt: Option<Time>,
    rttvar: Time,
}

impl Forwarder {
    /// We pass a token on. `measure`: its return times a rotation (false when
    /// someone may hold it on purpose: an idle ring, a commit token).
    /// `ceiling`: the configured retransmit interval. Returns when to resend.
    pub fn forward(&mut self, now: Time, bytes: Vec<u8>, to: NodeId, seq: u64, measure: bool, ceiling: Time) -> Time {
        let wait = if measure { self.adaptive_wait(ceiling) } else { ceiling };
        self.rotation_start = measure.then_some(now);
        let by_multicast = std::mem::take(&mut self.next_by_multicast);
        self.pending = Some(Pending {
            bytes,
            to,
            seq,
            wait,
            unmeasured: !measure,
            sent_at: now,
            resends: 0,
            by_multicast,
            multicast_from: 2,
        });
        now + wait
    }

    /// The pending token is a commit token: its first resend goes by
    /// multicast already. Its resends wait the full interval (nothing
    /// measures a formation), and it goes round twice within the token
    /// timeout: with a unicast resend before the fallback, two dead unicasts
    /// on its path took longer than that, and a pair whose unicasts are
    /// dead both ways, clean by multicast, never formed (asym seed 241:
    /// {2,3} failed every few seconds, and 3 counted a configuration each time).
    pub fn commit_token(&mut self) {
        if let Some(p) = self.pending.as_mut() {
            p.multicast_from = 1;
        }
    }

    fn adaptive_wait(&self, ceiling: Time) -> Time {
        match self.srtt {
            Some(srtt) => (srtt + 4 * self.rttvar).clamp(MIN_RETRANSMIT, ceiling.max(MIN_RETRANSMIT)),
            None => ceiling,
        }
    }

    /// How to send the first copy of a token to `to`: by multicast while our
    /// unicast to it is known not to arrive (`relay.rs`), else by unicast.
    pub fn first_destination(&mut self, to: NodeId) -> Destination {
        let dest = match &mut self.fallback {
            Some(f) if f.to == to && f.left > 0 => {
                f.left -= 1;
                Destination::All
            }
            _ => Destination::Node(to),
        };
        self.next_by_multicast = dest == Destination::All;
        dest
    }

    /// Whether our unicast to `node` fails: twice in a row a token needed
    /// the multicast fallback to reach it, and none made it by unicast
    /// since (the membership prefers a clean newcomer to such a member:
    /// `Processor::on_merge_detect`). Once is not enough: on a LAN that
    /// loses a fifth of its frames, or delays some past the resend timer,
    /// a token needs it every few dozen forwards, and on an idle ring the
    /// fallback's forwards last seconds: after the loss ended, such a
    /// guess swapped two members in and out of a ring (loss seed 101).
    pub fn unicast_fails_to(&self, node: NodeId) -> bool {
        self.fallback.as_ref().is_some_and(|f| f.to == node && f.strikes >= FAILING_STRIKES)
    }

    /// Whether forwards to `node` go by multicast since a token needed it.
    fn falls_back_to(&self, node: NodeId) -> bool {
        self.fallback.as_ref().is_some_and(|f| f.to == node)
    }

    /// The pending token made it: if only the multicast fallback got it
    /// there (a commit token too: the ring it forms starts with the
    /// fallback, or its first tokens took the unicast resend first and
    /// recovery timed out, again and again, asym seed 5274), the next
    /// forwards to that successor start with it; if our
    /// unicast did, the link works again. A token sent by multicast from the
    /// start says nothing of our unicast, however many resends it took: in a
    /// ring slow to show progress such resends renewed the fallback for
    /// ever, unicast was never tried again, and its receiver never judged it
    /// (asym seed 7040, `unreached.rs`).
    fn delivered(&mut self) {
        if let Some(p) = self.pending.take() {
            if p.resends >= p.multicast_from && !p.by_multicast {
                let before = self.fallback.as_ref().filter(|f| f.to == p.to).map_or(0, |f| f.strikes);
                let strikes = before + 1;
                self.fallback = Some(Fallback { to: p.to, left: FALLBACK_FORWARDS, strikes });
            } else if !p.by_multicast && self.falls_back_to(p.to) {
                self.fallback = None;
            }
        }
    }

    /// A new token reached us: the one we forwarded went round. `timed`:
    /// nobody held it on the way (see `token_flags::HELD`).
    pub fn token_arrived(&mut self, now: Time, timed: bool) {
        self.delivered();
        if let Some(start) = self.rotation_start.take() {
            if timed {
                self.observe(now.saturating_sub(start));
            }
        }
    }

    /// Resend now a token forwarded unmeasured that is still pending, at
    /// most once per [`MIN_RETRANSMIT`]: an idle ring wakes up, and the token
    /// may have been lost on its way to the representative that would hold it
    /// (its full-interval wait would stall the new message: at 5% loss, one
    /// message in a hundred waited 200-240 ms when this was allowed once).
    pub fn resend_now(&mut self, now: Time) -> Option<Transmit> {
        let p = self.pending.as_mut()?;
        if !p.unmeasured || now < p.sent_at + MIN_RETRANSMIT {
            return None;
        }
        Some(p.transmit(now))
    }

    /// RFC 6298's estimator, in integers.
    fn observe(&mut self, sample: Time) {
        match self.srtt {
            None => {
                self.srtt = Some(sample);
                self.rttvar = sample / 2;
            }
            Some(srtt) => {
                self.rttvar = (3 * self.rttvar + srtt.abs_diff(sample)) / 4;
                self.srtt = Some((7 * srtt + sample) / 8);
            }
        }
    }

    /// A frame with this seq arrived: above the forwarded token's seq, it
    /// proves the successor has the token. True when that ends the wait.
    pub fn progress(&mut self, seq: u64) -> bool {
        if self.pending.as_ref().is_some_and(|p| seq > p.seq) {
            self.delivered();
            return true;
        }
        false
    }

    /// The resend due now, and when to resend again if it is still missing.
    pub fn resend(&mut self, now: Time, ceiling: Time) -> Option<(Transmit, Time)> {
        let p = self.pending.as_mut()?;
        // A resend means the rotation we are timing was disturbed.
        self.rotation_start = None;
        let transmit = p.transmit(now);
        p.wait = (p.wait * 2).min(ceiling.max(p.wait));
        Some((transmit, now + p.wait))
    }

    /// Forget the pending token (the ring is gone, or we left).
    pub fn clear(&mut self) {
        self.pending = None;
        self.rotation_start = None;
    }

    /// Forget what was measured too: a new ring may have other members.
    pub fn reset(&mut self) {
        *self = Forwarder::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CEILING: Time = 238 * MS;

    #[test]
    fn unmeasured_ring_waits_the_configured_interval() {
        let mut f = Forwarder::default();
        assert_eq!(f.forward(0, vec![1], 2, 0, true, CEILING), CEILING);
    }

    #[test]
    fn measured_rotations_shorten_the_wait_to_the_floor() {
        let mut f = Forwarder::default();
        let mut now = 0;
        for _ in 0..20 {
            f.forward(now, vec![1], 2, 0, true, CEILING);
            now += 300; // a 300 us rotation
            f.token_arrived(now, true);
        }
        assert_eq!(f.forward(now, vec![1], 2, 0, true, CEILING), now + MIN_RETRANSMIT);
        // A slow ring waits longer than its rotation, and never past the ceiling.
        for _ in 0..50 {
            f.forward(now, vec![1], 2, 0, true, CEILING);
            now += 50 * MS;
            f.token_arrived(now, true);
        }
        let wait = f.forward(now, vec![1], 2, 0, true, CEILING) - now;
        assert!(wait > 50 * MS && wait <= CEILING, "wait {wait}");
    }

    #[test]
    fn resends_double_up_to_the_ceiling_and_stop_on_progress() {
        let mut f = Forwarder { srtt: Some(100), ..Forwarder::default() };
        let at = f.forward(0, vec![7], 3, 10, true, CEILING);
        assert_eq!(at, MIN_RETRANSMIT);
        let (t, next) = f.resend(at, CEILING).unwrap();
        assert_eq!(t.dest, Destination::Node(3));
        assert_eq!(t.bytes, vec![7]);
        assert_eq!(next, at + 2 * MIN_RETRANSMIT);
        let (t, next) = f.resend(next, CEILING).unwrap();
        assert_eq!(t.dest, Destination::All, "the second resend goes to everyone, to be relayed");
        let mut now = next;
        for _ in 0..20 {
            now = f.resend(now, CEILING).unwrap().1;
        }
        assert_eq!(f.resend(now, CEILING).unwrap().1, now + CEILING);
        assert!(!f.progress(10), "a frame at the token's seq proves nothing");
        assert!(f.progress(11));
        assert!(f.resend(now, CEILING).is_none());
    }

    #[test]
    fn a_commit_tokens_first_resend_goes_to_everyone() {
        let mut f = Forwarder::default();
        let at = f.forward(0, vec![7], 3, u64::MAX, false, CEILING);
        f.commit_token();
        let (t, next) = f.resend(at, CEILING).unwrap();
        assert_eq!(t.dest, Destination::All);
        assert_eq!(next, at + CEILING, "at the full interval, unmeasured");
        f.token_arrived(next, false);
        assert_eq!(f.first_destination(3), Destination::All, "the ring formed starts with the fallback");
    }

    /// A token to `to` that only the multicast resend got there.
    fn needs_the_fallback(f: &mut Forwarder, now: Time, to: NodeId) {
        f.forward(now, vec![1], to, 10, true, CEILING);
        f.resend(now + 1, CEILING);
        f.resend(now + 2, CEILING);
        f.token_arrived(now + 3, true);
    }

    #[test]
    fn a_successor_only_the_fallback_reaches_gets_multicast_for_a_while() {
        let mut f = Forwarder::default();
        assert_eq!(f.first_destination(3), Destination::Node(3));
        needs_the_fallback(&mut f, 0, 3);
        for _ in 0..FALLBACK_FORWARDS {
            assert_eq!(f.first_destination(3), Destination::All);
        }
        assert!(!f.unicast_fails_to(3), "once may be loss or delay");
        assert_eq!(f.first_destination(3), Destination::Node(3), "then unicast is tried again");
        needs_the_fallback(&mut f, 4, 3);
        assert!(f.unicast_fails_to(3) && !f.unicast_fails_to(4), "twice in a row: it fails");
        for _ in 0..FALLBACK_FORWARDS {
            assert_eq!(f.first_destination(3), Destination::All);
        }
        assert_eq!(f.first_destination(3), Destination::Node(3));
        f.forward(8, vec![1], 3, 10, true, CEILING);
        f.token_arrived(9, true);
        assert!(!f.unicast_fails_to(3), "and when it arrives the link works again");
        needs_the_fallback(&mut f, 10, 3);
        assert!(!f.unicast_fails_to(3), "the count starts over");
        assert_eq!(f.first_destination(4), Destination::Node(4));
        // A token that made it by unicast changes nothing.
        f.forward(10, vec![1], 5, 10, true, CEILING);
        f.resend(11, CEILING);
        assert!(f.progress(11));
        assert_eq!(f.first_destination(5), Destination::Node(5));
    }

    #[test]
    fn resends_of_a_token_sent_by_multicast_do_not_renew_the_fallback() {
        let mut f = Forwarder::default();
        f.forward(0, vec![1], 3, 10, true, CEILING);
        f.resend(1, CEILING);
        f.resend(2, CEILING);
        f.token_arrived(3, true);
        let mut now = 10;
        for _ in 0..FALLBACK_FORWARDS {
            assert_eq!(f.first_destination(3), Destination::All);
            // A slow ring: each of these needs two resends.
            f.forward(now, vec![1], 3, 10, true, CEILING);
            f.resend(now + 1, CEILING);
            f.resend(now + 2, CEILING);
            f.token_arrived(now + 3, true);
            now += 10;
        }
        assert_eq!(f.first_destination(3), Destination::Node(3), "unicast is tried again all the same");
    }

    #[test]
    fn idle_or_commit_forwards_are_not_measured() {
        let mut f = Forwarder::default();
        f.forward(0, vec![1], 2, 0, false, CEILING);
        f.token_arrived(100 * MS, true);
        assert_eq!(f.srtt, None);
        f.forward(0, vec![1], 2, 0, true, CEILING);
        f.token_arrived(100 * MS, false);
        assert_eq!(f.srtt, None, "a held token's rotation is not a sample");
        assert_eq!(f.resend_now(10 * MS), None, "nothing pending");
        f.forward(0, vec![8], 2, 0, true, CEILING);
        assert_eq!(f.resend_now(10 * MS), None, "a measured forward waits its timer");
        f.forward(0, vec![9], 2, 0, false, CEILING);
        assert_eq!(f.resend_now(MIN_RETRANSMIT - 1), None, "not sooner than the floor");
        assert_eq!(f.resend_now(MIN_RETRANSMIT).map(|t| t.bytes), Some(vec![9]));
        assert_eq!(f.resend_now(MIN_RETRANSMIT + 1), None, "paced");
        assert!(f.resend_now(2 * MIN_RETRANSMIT).is_some(), "again after the floor");
    }
}
