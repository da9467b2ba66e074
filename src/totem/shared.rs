//! Bytes shared without copying: a frame's payload, the messages packed in
//! it, the fragments cut from one message, and each handle's copy of a
//! delivery are views of one buffer.
//!
//! A frame stays in the ring's buffer until every member holds it, and its
//! messages go to the application meanwhile; a message goes to every handle
//! that joined its groups. Each of those was a copy of the bytes (and an
//! allocation); now each is a reference count and a range.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// An immutable view `start..end` of a shared buffer. The buffer and its
/// reference counts are one allocation (`Arc<[u8]>`).
#[derive(Clone)]
pub struct SharedBytes {
    buf: Arc<[u8]>,
    start: usize,
    end: usize,
}

impl SharedBytes {
    /// A new buffer of `len` bytes written by `fill` (which gets it zeroed):
    /// one allocation, no copy, for bytes assembled in place.
    pub fn build(len: usize, fill: impl FnOnce(&mut [u8])) -> SharedBytes {
        // SAFETY: zeroed bytes are valid u8s.
        let mut buf = unsafe { Arc::<[u8]>::new_zeroed_slice(len).assume_init() };
        fill(Arc::get_mut(&mut buf).expect("a fresh Arc has no other owner"));
        SharedBytes { buf, start: 0, end: len }
    }

    /// The bytes of `bytes`, copied into a shared buffer (one allocation).
    pub fn from_vec(bytes: Vec<u8>) -> SharedBytes {
        SharedBytes::from(&bytes[..])
    }

    /// A view of `range` of this view (relative to it), sharing the buffer.
    /// Panics if the range is out of bounds, as slicing does.
    pub fn slice(&self, range: Range<usize>) -> SharedBytes {
        assert!(range.start <= range.end && range.end <= self.len(), "slice {range:?} of {} bytes", self.len());
        SharedBytes { buf: Arc::clone(&self.buf), start: self.start + range.start, end: self.start + range.end }
    }

    /// The view of `sub`, a slice borrowed from this view (as a parser
    /// returns): shares the buffer. Panics if `sub` is not inside it.
    pub fn slice_ref(&self, sub: &[u8]) -> SharedBytes {
        let base = self.as_ptr() as usize;
        let at = (sub.as_ptr() as usize).checked_sub(base).expect("a slice of this view");
        self.slice(at..at + sub.len())
    }

    /// Bytes the shared buffer holds: what keeping this view keeps alive.
    pub fn retained(&self) -> usize {
        self.buf.len()
    }

    /// This view, or a copy of it when it is a small part of its buffer: a
    /// queue that may keep it for long must not keep a large frame alive for
    /// a small message (its bound counts the message's bytes).
    pub fn compact(self) -> SharedBytes {
        if 2 * self.len() >= self.retained() {
            self
        } else {
            SharedBytes::from_vec(self.to_vec())
        }
    }
}

impl Deref for SharedBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }
}

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Default for SharedBytes {
    fn default() -> SharedBytes {
        SharedBytes::from(&[][..])
    }
}

impl From<Vec<u8>> for SharedBytes {
    fn from(bytes: Vec<u8>) -> SharedBytes {
        SharedBytes::from_vec(bytes)
    }
}

impl From<&[u8]> for SharedBytes {
    fn from(bytes: &[u8]) -> SharedBytes {
        SharedBytes { buf: Arc::from(bytes), start: 0, end: bytes.len() }
    }
}

impl fmt::Debug for SharedBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

// Equality is of the bytes, whatever buffers they sit in.
impl PartialEq for SharedBytes {
    fn eq(&self, other: &SharedBytes) -> bool {
        **self == **other
    }
}
impl Eq for SharedBytes {}

impl PartialEq<[u8]> for SharedBytes {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}
impl PartialEq<&[u8]> for SharedBytes {
    fn eq(&self, other: &&[u8]) -> bool {
        **self == **other
    }
}
impl PartialEq<Vec<u8>> for SharedBytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        **self == other[..]
    }
}
impl<const N: usize> PartialEq<[u8; N]> for SharedBytes {
    fn eq(&self, other: &[u8; N]) -> bool {
        **self == other[..]
    }
}
impl<const N: usize> PartialEq<&[u8; N]> for SharedBytes {
    fn eq(&self, other: &&[u8; N]) -> bool {
        **self == other[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_share_one_buffer() {
        let whole = SharedBytes::from_vec(b"hello, world".to_vec());
        let world = whole.slice(7..12);
        assert_eq!(world, b"world");
        assert_eq!(world.slice(1..3), b"or");
        assert_eq!(world.retained(), 12);
        assert_eq!(whole.slice_ref(&whole[0..5]), b"hello");
        assert_eq!(world.as_ptr(), whole[7..].as_ptr(), "no copy");
        assert_eq!(SharedBytes::from_vec(b"abc".to_vec()), SharedBytes::from_vec(b"zabc".to_vec()).slice(1..4));
    }

    #[test]
    fn compact_copies_only_a_small_part() {
        let whole = SharedBytes::from_vec(vec![7u8; 100]);
        let big = whole.slice(0..60).compact();
        assert_eq!(big.retained(), 100, "most of the buffer: kept");
        let small = whole.slice(10..20).compact();
        assert_eq!((small.len(), small.retained()), (10, 10), "a small part: copied out");
    }

    #[test]
    fn build_writes_in_place() {
        let b = SharedBytes::build(5, |buf| buf.copy_from_slice(b"hello"));
        assert_eq!(b, b"hello");
        assert_eq!(b.retained(), 5);
        assert_eq!(SharedBytes::build(0, |buf| assert!(buf.is_empty())), b"");
        assert_eq!(b.slice(1..3).to_vec(), b"el".to_vec());
    }

    #[test]
    #[should_panic]
    fn out_of_bounds_panics() {
        let _ = SharedBytes::from_vec(vec![1, 2]).slice(1..3);
    }
}
