//! Rings we were on or began to form, most recent last: their late packets
//! are stale, not a foreign ring to merge with. Bounded: packets older than a
//! few rings do not arrive.

use std::collections::VecDeque;

use super::types::RingId;

const REMEMBERED: usize = 32;

#[derive(Default)]
pub(crate) struct PastRings {
    ids: VecDeque<RingId>,
}

impl PastRings {
    pub fn remember(&mut self, id: RingId) {
        if self.ids.contains(&id) {
            return;
        }
        if self.ids.len() >= REMEMBERED {
            self.ids.pop_front();
        }
        self.ids.push_back(id);
    }

    pub fn contains(&self, id: RingId) -> bool {
        self.ids.contains(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_latest_few() {
        let mut p = PastRings::default();
        for seq in 0..40 {
            p.remember(RingId { rep: 1, seq });
            p.remember(RingId { rep: 1, seq });
        }
        assert!(!p.contains(RingId { rep: 1, seq: 7 }));
        assert!(p.contains(RingId { rep: 1, seq: 8 }) && p.contains(RingId { rep: 1, seq: 39 }));
    }
}
