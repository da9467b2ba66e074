//! Fragmented messages put back together, per sender, in delivery order:
//! a message goes to the application with its last fragment, so its place in
//! the total order is its last fragment's.

use std::collections::BTreeMap;

use super::packet::Frag;
use super::shared::SharedBytes;
use super::types::NodeId;

#[derive(Default)]
pub(crate) struct Assembly {
    /// Per sender, the message whose fragments are being put together.
    partial: BTreeMap<NodeId, Vec<u8>>,
}

impl Assembly {
    /// Take one frame's payload in delivery order; the whole message when
    /// this frame completes one. `max`: the longest message accepted (a
    /// longer assembly is dropped).
    pub fn take(&mut self, sender: NodeId, frag: Frag, payload: &SharedBytes, max: usize) -> Option<SharedBytes> {
        match frag {
            // The frame's own bytes: no copy. Over `max` only if forged
            // (`submit` refuses such a message): nobody delivers it.
            Frag::Whole => (payload.len() <= max).then(|| payload.clone()),
            // Whole messages, unpacked by delivery; none of them is a fragment.
            Frag::Packed => None,
            Frag::First => {
                self.partial.insert(sender, payload.to_vec());
                None
            }
            Frag::Middle | Frag::Last => {
                // A fragment without its beginning (skipped after a gap, or
                // begun on an older ring) cannot make a message.
                let data = self.partial.get_mut(&sender)?;
                if data.len() + payload.len() > max {
                    self.partial.remove(&sender);
                    return None;
                }
                data.extend_from_slice(payload);
                if frag == Frag::Last {
                    self.partial.remove(&sender).map(SharedBytes::from_vec)
                } else {
                    None
                }
            }
        }
    }

    /// Senders with a message in assembly, and the bytes gathered so far.
    pub fn footprint(&self) -> (usize, usize) {
        (self.partial.len(), self.partial.values().map(Vec::len).sum())
    }

    /// A configuration ends: messages whose fragments did not all arrive are
    /// dropped, by every processor that moves together alike.
    pub fn clear(&mut self) {
        self.partial.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembles_per_sender_and_drops_orphans() {
        let mut a = Assembly::default();
        assert_eq!(a.take(1, Frag::Whole, &b"w"[..].into(), 100), Some(b"w".to_vec().into()));
        assert_eq!(a.take(1, Frag::First, &b"ab"[..].into(), 100), None);
        assert_eq!(a.take(2, Frag::First, &b"xy"[..].into(), 100), None);
        assert_eq!(a.take(1, Frag::Middle, &b"cd"[..].into(), 100), None);
        assert_eq!(a.take(2, Frag::Last, &b"z"[..].into(), 100), Some(b"xyz".to_vec().into()));
        assert_eq!(a.take(1, Frag::Last, &b"e"[..].into(), 100), Some(b"abcde".to_vec().into()));
        assert_eq!(a.take(3, Frag::Last, &b"orphan"[..].into(), 100), None);
        assert_eq!(a.take(4, Frag::First, &b"0123"[..].into(), 5), None);
        assert_eq!(a.take(4, Frag::Last, &b"45"[..].into(), 5), None, "over max: dropped");
        a.take(5, Frag::First, &b"a"[..].into(), 100);
        a.clear();
        assert_eq!(a.take(5, Frag::Last, &b"b"[..].into(), 100), None, "cleared with the configuration");
    }
}
