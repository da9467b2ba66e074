//! How reports name processors, messages and rings, so every detail reads alike.

use std::fmt;

use super::history::MsgId;
use crate::totem::{NodeId, RingId};

/// A processor incarnation: "node 3/1" is node 3 after its first restart.
#[derive(Clone, Copy)]
pub(super) struct Proc(pub NodeId, pub u32);

impl fmt::Display for Proc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node {}/{}", self.0, self.1)
    }
}

/// A message: "msg 3/1#17" is the 18th message node 3's incarnation 1 submitted.
#[derive(Clone, Copy)]
pub(super) struct Msg(pub MsgId);

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "msg {}/{}#{}", self.0.node, self.0.incarnation, self.0.counter)
    }
}

/// A ring id as representative:seq.
#[derive(Clone, Copy)]
pub(super) struct Ring(pub RingId);

impl fmt::Display for Ring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0.rep, self.0.seq)
    }
}

/// A list, cut after a few items so one line stays one line.
pub(super) fn list<T: fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    const SHOWN: usize = 8;
    let mut out = String::from("[");
    let mut n = 0;
    for item in items {
        if n < SHOWN {
            if n > 0 {
                out.push_str(", ");
            }
            out.push_str(&item.to_string());
        }
        n += 1;
    }
    if n > SHOWN {
        out.push_str(&format!(", ... ({} in all)", n));
    }
    out.push(']');
    out
}
