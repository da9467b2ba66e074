//! An idle ring need not spin: one member keeps the token a while once two
//! whole rotations went by with nothing sent and nothing lacking (two, so that
//! every member has also learnt the final stable point). That member is the
//! ring's last sender (`Ring::idle_holder`), the likeliest to send next: its
//! next message goes out at once. A member that gets a message meanwhile
//! multicasts a `HoldCancel`.
//!
//! The cancel can overtake the token: a member that saw the ring idle submits
//! right after passing the token on, and its cancel reaches the holder
//! before the token does. The holder remembers a cancel heard while it
//! held nothing and does not hold the next token; without that, the message
//! waited the whole hold time (half the retransmit interval, 119 ms).
//!
//! The holder marks the token `HELD` and clears the mark when the token next
//! reaches it: every rotation a member times in between may contain the hold,
//! and a held rotation says nothing about the network.

use super::forward::MIN_RETRANSMIT;
use super::packet::{token_flags, Token};
use super::types::Time;

#[derive(Default)]
pub(crate) struct Hold {
    /// The token the representative holds back.
    held: Option<Token>,
    /// token_seq of a token already held once: never hold the same token twice.
    held_seq: Option<u64>,
    /// The last token we saw said the ring was idle (its holder may be holding it).
    ring_idle: bool,
    /// When we last multicast a cancel since our last visit.
    cancel_sent: Option<Time>,
    /// A cancel arrived since our last visit while we held nothing.
    cancel_heard: bool,
    /// We marked the token `HELD`: the mark is ours to clear when it is back.
    marked: bool,
}

impl Hold {
    /// Whether the token may be held: the caller knows the ring is idle and we
    /// are its representative with nothing to do.
    pub fn may_hold(&self, token: &Token) -> bool {
        self.held_seq != Some(token.token_seq) && !self.cancel_heard
    }

    pub fn hold(&mut self, mut token: Token) {
        token.flags |= token_flags::HELD;
        self.marked = true;
        self.held_seq = Some(token.token_seq);
        self.held = Some(token);
    }

    /// A token reached us: the `HELD` mark we set a rotation ago has done its work.
    pub fn clear_mark(&mut self, token: &mut Token) {
        if std::mem::take(&mut self.marked) {
            token.flags &= !token_flags::HELD;
        }
    }

    pub fn is_holding(&self) -> bool {
        self.held.is_some()
    }

    /// The held token, to be visited now.
    pub fn release(&mut self) -> Option<Token> {
        self.held.take()
    }

    /// Our visit is done: the token told whether the ring is idle.
    pub fn visited(&mut self, ring_idle: bool) {
        self.ring_idle = ring_idle;
        self.cancel_sent = None;
        self.cancel_heard = false;
    }

    /// Whether to multicast a cancel now: only on an idle ring, and again
    /// only after [`MIN_RETRANSMIT`] (a lost cancel must not leave a message
    /// waiting the whole hold).
    pub fn should_send_cancel(&mut self, now: Time) -> bool {
        if !self.ring_idle || self.cancel_sent.is_some_and(|at| now < at + MIN_RETRANSMIT) {
            return false;
        }
        self.cancel_sent = Some(now);
        true
    }

    /// A member asked us to let the token go; true if we hold it now.
    pub fn cancel(&mut self) -> bool {
        if self.held.is_some() {
            return true;
        }
        self.cancel_heard = true;
        false
    }

    /// The ring is gone or new: nothing held, nothing known.
    pub fn reset(&mut self) {
        *self = Hold::default();
    }
}
