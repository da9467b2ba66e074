//! Which handles joined which groups: per handle its joined set, and per group
//! the handles that joined it, so that routing a delivery costs a hash lookup
//! per group the message names, whatever the handles have joined.
//!
//! Both maps change only in `join`, `leave` and `forget`, called by API threads
//! under the registry lock; the protocol thread reads them (`receivers`) under
//! the same lock when it routes a delivery. A handle joins at most
//! [`MAX_JOINED_GROUPS`]: the joined set travels in every `evs_mcast_joined`,
//! so the limit also bounds a message's header (`message::overhead`).
//!
//! Before this, each handle kept a list and each delivery compared every group
//! of the message with every group of every handle: with 30,000 groups on each
//! of two handles a delivery held the protocol thread 1.5 s, past the token
//! timeout, and every message reconfigured the ring.

use std::collections::{HashMap, HashSet};

use super::message;
use crate::api::{Error, Group, MAX_JOINED_GROUPS};
use crate::totem::SharedBytes;

#[derive(Default)]
pub(crate) struct Subscriptions {
    /// handle -> the groups it joined.
    joined: HashMap<u64, HashSet<Group>>,
    /// group -> the handles that joined it (each once).
    members: HashMap<Group, Vec<u64>>,
}

impl Subscriptions {
    /// Join `groups` (already joined ones are a no-op). All or nothing: if the
    /// new ones would take the handle past `MAX_JOINED_GROUPS`, none is joined
    /// and the answer is `TooManyGroups`.
    pub fn join(&mut self, handle: u64, groups: &[Group]) -> Result<(), Error> {
        let set = self.joined.entry(handle).or_default();
        let fresh: HashSet<Group> = groups.iter().filter(|g| !set.contains(g)).copied().collect();
        if set.len() + fresh.len() > MAX_JOINED_GROUPS {
            return Err(Error::TooManyGroups);
        }
        for g in fresh {
            set.insert(g);
            self.members.entry(g).or_default().push(handle);
        }
        Ok(())
    }

    /// Leave `groups` in order; stops at the first one not joined and names it
    /// (the ones before it are left).
    pub fn leave(&mut self, handle: u64, groups: &[Group]) -> Result<(), Group> {
        for g in groups {
            let joined = self.joined.get_mut(&handle).is_some_and(|set| set.remove(g));
            if !joined {
                return Err(*g);
            }
            self.unlink(*g, handle);
        }
        Ok(())
    }

    /// The groups `handle` has joined (in no particular order).
    #[cfg(test)]
    pub fn joined(&self, handle: u64) -> Vec<Group> {
        self.joined.get(&handle).map(|set| set.iter().copied().collect()).unwrap_or_default()
    }

    /// A message from `handle` to the groups it has joined (`message::encode`).
    pub fn encode_joined(&self, handle: u64, parts: &[&[u8]]) -> SharedBytes {
        match self.joined.get(&handle) {
            Some(set) => message::encode(set.iter(), parts),
            None => message::encode([].iter(), parts),
        }
    }

    /// Drop a finalized handle's groups.
    pub fn forget(&mut self, handle: u64) {
        for g in self.joined.remove(&handle).unwrap_or_default() {
            self.unlink(g, handle);
        }
    }

    /// The handles that joined at least one of `groups`, ascending, each once.
    /// Costs a lookup per group plus the matches found.
    #[cfg(test)]
    pub fn receivers(&self, groups: &[Group]) -> Vec<u64> {
        let mut out = Vec::new();
        self.receivers_into(groups.iter().copied(), &mut out);
        out
    }

    /// As `receivers`, into `out` (cleared first): the protocol thread reuses
    /// one vector for every delivery.
    pub fn receivers_into(&self, groups: impl Iterator<Item = Group>, out: &mut Vec<u64>) {
        out.clear();
        for g in groups {
            if let Some(handles) = self.members.get(&g) {
                out.extend_from_slice(handles);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    fn unlink(&mut self, g: Group, handle: u64) {
        if let Some(handles) = self.members.get_mut(&g) {
            handles.retain(|&h| h != handle);
            if handles.is_empty() {
                self.members.remove(&g);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(i: usize) -> Group {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&(i as u64).to_be_bytes());
        Group(key)
    }

    #[test]
    fn join_leave_and_receivers() {
        let mut s = Subscriptions::default();
        s.join(1, &[g(1), g(2), g(1)]).unwrap();
        s.join(2, &[g(2), g(3)]).unwrap();
        assert_eq!(s.receivers(&[g(2)]), vec![1, 2]);
        assert_eq!(s.receivers(&[g(3), g(1), g(2)]), vec![1, 2], "each handle once");
        assert_eq!(s.receivers(&[g(9)]), Vec::<u64>::new());
        assert_eq!(s.leave(1, &[g(2), g(7), g(1)]), Err(g(7)), "stops at the first not joined");
        assert_eq!(s.receivers(&[g(2)]), vec![2], "the ones before it are left");
        assert_eq!(s.receivers(&[g(1)]), vec![1], "the ones after it are kept");
        s.forget(2);
        assert!(s.receivers(&[g(2), g(3)]).is_empty());
        assert!(s.members.keys().all(|k| *k == g(1)), "no empty group left behind");
    }

    #[test]
    fn the_limit_is_all_or_nothing() {
        let mut s = Subscriptions::default();
        let all: Vec<Group> = (0..MAX_JOINED_GROUPS).map(g).collect();
        for chunk in all.chunks(50) {
            s.join(7, chunk).unwrap();
        }
        assert_eq!(s.join(7, &[g(0), g(MAX_JOINED_GROUPS)]), Err(Error::TooManyGroups));
        assert!(s.receivers(&[g(MAX_JOINED_GROUPS)]).is_empty(), "a refused join joins nothing");
        s.join(7, &[g(0), g(5)]).unwrap();
        s.leave(7, &[g(0)]).unwrap();
        s.join(7, &[g(MAX_JOINED_GROUPS)]).unwrap();
        assert_eq!(s.joined(7).len(), MAX_JOINED_GROUPS);
    }

    #[test]
    fn matching_is_cheap_with_the_most_groups_joined() {
        // Two handles with disjoint full sets; a message naming all of one's
        // groups. The old nested scan took ~1 ms here; this takes microseconds.
        let mut s = Subscriptions::default();
        let a: Vec<Group> = (0..MAX_JOINED_GROUPS).map(g).collect();
        let b: Vec<Group> = (MAX_JOINED_GROUPS..2 * MAX_JOINED_GROUPS).map(g).collect();
        for chunk in a.chunks(50) {
            s.join(1, chunk).unwrap();
        }
        for chunk in b.chunks(50) {
            s.join(2, chunk).unwrap();
        }
        let start = std::time::Instant::now();
        for _ in 0..100 {
            assert_eq!(s.receivers(&a), vec![1]);
        }
        assert!(start.elapsed() < std::time::Duration::from_millis(100), "{:?}", start.elapsed());
    }
}
