//! The processor's deadlines. Each is a plain optional instant; the driver
//! asks for the earliest and calls back once it has passed.

use super::types::Time;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// No token (or commit token) for the token timeout: the ring is lost.
    TokenLoss,
    /// Resend the token (or commit token) we forwarded; the successor did not show.
    TokenRetransmit,
    /// An idle ring's representative passes the token it held.
    TokenHold,
    /// Gathering: resend our join message.
    Join,
    /// Gathering: consensus did not come in time.
    Consensus,
    /// Stop waiting for our own messages before a graceful leave.
    Leave,
}

const KINDS: [TimerKind; 6] = [
    TimerKind::TokenLoss,
    TimerKind::TokenRetransmit,
    TimerKind::TokenHold,
    TimerKind::Join,
    TimerKind::Consensus,
    TimerKind::Leave,
];

#[derive(Default)]
pub(crate) struct Timers {
    at: [Option<Time>; 6],
}

impl Timers {
    pub fn set(&mut self, kind: TimerKind, at: Time) {
        self.at[kind as usize] = Some(at);
    }

    pub fn cancel(&mut self, kind: TimerKind) {
        self.at[kind as usize] = None;
    }

    pub fn clear(&mut self) {
        self.at = [None; 6];
    }

    pub fn earliest(&self) -> Option<Time> {
        self.at.iter().flatten().copied().min()
    }

    /// Take the first timer that is due at `now`, clearing it.
    pub fn take_due(&mut self, now: Time) -> Option<TimerKind> {
        for kind in KINDS {
            if let Some(at) = self.at[kind as usize] {
                if at <= now {
                    self.at[kind as usize] = None;
                    return Some(kind);
                }
            }
        }
        None
    }
}
