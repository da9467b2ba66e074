//! An idle ring need not spin: its representative keeps the token a while
//! once two whole rotations went by with nothing sent and nothing lacking (two,
//! so that every member has also learnt the final stable point). A member that
//! gets a message meanwhile multicasts a `HoldCancel`.
//!
//! The cancel can overtake the token: a member that saw the ring idle submits
//! right after passing the token on, and its cancel reaches the representative
//! before the token does. The representative remembers a cancel heard while it
//! held nothing and does not hold the next token; without that, the message
//! waited the whole hold time (half the retransmit interval, 119 ms).

use super::packet::Token;

#[derive(Default)]
pub(crate) struct Hold {
    /// The token the representative holds back.
    held: Option<Token>,
    /// token_seq of a token already held once: never hold the same token twice.
    held_seq: Option<u64>,
    /// The last token we saw said the ring was idle (its holder may be holding it).
    ring_idle: bool,
    /// We multicast a cancel since our last visit.
    cancel_sent: bool,
    /// A cancel arrived since our last visit while we held nothing.
    cancel_heard: bool,
}

impl Hold {
    /// Whether the token may be held: the caller knows the ring is idle and we
    /// are its representative with nothing to do.
    pub fn may_hold(&self, token: &Token) -> bool {
        self.held_seq != Some(token.token_seq) && !self.cancel_heard
    }

    pub fn hold(&mut self, token: Token) {
        self.held_seq = Some(token.token_seq);
        self.held = Some(token);
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
        self.cancel_sent = false;
        self.cancel_heard = false;
    }

    /// Whether to multicast a cancel now (once per visit, only on an idle ring).
    pub fn should_send_cancel(&mut self) -> bool {
        if !self.ring_idle || self.cancel_sent {
            return false;
        }
        self.cancel_sent = true;
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
