//! Whether the ring is failing its applications: how long the frames we hold
//! wait to be delivered, and how long our own messages wait for the token.
//!
//! A ring over a link that loses most of a member's frames never fails by
//! itself: retransmissions fill the gaps and the token goes round. Often
//! they do it with little delay, and the ring should stay (asym seed 0:
//! 88% of 4's frames to 1 lost for 20 s, every message delivered in time).
//! Sometimes the ring crawls: delivery waits seconds on the retransmissions
//! (asym seed 244: 83% of 1's multicast to 2 lost, safe messages delivered
//! 5 s late everywhere), or flow control starves the senders. Only then is
//! the poor link worth a reconfiguration (`delivery.rs`).

use super::types::Time;

/// The frame seq we held when delivery last fell behind, and since when.
#[derive(Default)]
pub(crate) struct Crawl {
    behind: Option<(u64, Time)>,
}

impl Crawl {
    /// We now hold frames up to `high` and delivered up to `delivered`.
    pub fn observe(&mut self, now: Time, delivered: u64, high: u64) {
        match self.behind {
            Some((target, _)) if delivered < target => {}
            _ if delivered < high => self.behind = Some((high, now)),
            _ => self.behind = None,
        }
    }

    /// A new ring: its seqs start again.
    pub fn reset(&mut self) {
        self.behind = None;
    }

    /// Whether a frame we hold has waited longer than `limit` for delivery,
    /// or the oldest of our messages (submitted at `oldest_queued`) for the token.
    pub fn crawling(&self, now: Time, limit: Time, oldest_queued: Option<Time>) -> bool {
        let late = |since: Time| now >= since.saturating_add(limit);
        self.behind.is_some_and(|(_, since)| late(since)) || oldest_queued.is_some_and(late)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_behind_for_longer_than_the_limit_is_crawling() {
        let mut c = Crawl::default();
        c.observe(0, 5, 10);
        assert!(!c.crawling(99, 100, None));
        c.observe(50, 8, 12);
        assert!(c.crawling(100, 100, None), "still short of 10, what we held at 0");
        c.observe(100, 10, 12);
        assert!(!c.crawling(150, 100, None), "10 reached: the clock starts again for 12");
        assert!(c.crawling(200, 100, None));
        c.observe(200, 12, 12);
        assert!(!c.crawling(1000, 100, None), "caught up");
        c.observe(1000, 12, 13);
        c.reset();
        assert!(!c.crawling(5000, 100, None));
    }

    #[test]
    fn a_message_waiting_for_the_token_too_long_is_crawling() {
        let c = Crawl::default();
        assert!(!c.crawling(150, 100, Some(60)));
        assert!(c.crawling(160, 100, Some(60)));
    }
}
