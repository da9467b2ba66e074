//! Binary encoding of every [`Packet`].
//!
//! Packets arrive from the network, so decoding treats its input as hostile:
//! it never panics, never allocates from a length it has not checked against
//! the bytes actually present, and accepts exactly one encoding per packet
//! (bools are 0 or 1, sets are strictly ascending, no trailing bytes). That
//! last property makes the format canonical: whenever `decode(b) == Ok(p)`,
//! `encode(&p) == b`, which the tests check by fuzzing.
//!
//! Encoding is total and never panics either. A packet that breaks a rule
//! (unsorted set, node id 0, list over its limit, nested recovered frame,
//! oversized packet) still encodes, but to bytes that every decoder rejects:
//! counts saturate rather than wrap, so an over-limit list can never be read
//! back as a shorter, valid one.
//!
//! # Layout
//!
//! All integers are big-endian and fixed width. Every packet starts with a
//! 4-byte header: the magic `b"EV"`, [`WIRE_VERSION`], and a packet type byte.
//!
//! | Packet      | type | fields after the header, in order |
//! |-------------|------|-----------------------------------|
//! | Token       | 1    | ring_id, token_seq u64, seq u64, aru u64, aru_id u32, rotation_min u64, stable u64, fcc u32, backlog u32, quiet u32, flags u8, to u32, tail u32, n u16, n × rtr u64 |
//! | Data        | 2    | frame |
//! | Join        | 3    | sender u32, ring_seq u64, number u32, n u16, n × proc u32, m u16, m × fail u32, k u16, k × (hearer u32, heard u32), u u16, u × (from u32, to u32), judging bool |
//! | Commit      | 4    | ring_id, hops u32, n u16, n × entry |
//! | MergeDetect | 5    | sender u32, ring_id, number u32, n u16, n × heard u32, m u16, m × member u32 |
//! | Leave       | 6    | sender u32, ring_id |
//! | HoldCancel  | 7    | sender u32, ring_id |
//! | Resent      | 8    | frame (a data frame sent again on request) |
//!
//! The shared pieces:
//!
//! | Piece   | fields, in order |
//! |---------|------------------|
//! | ring_id | rep u32, seq u64 (12 bytes) |
//! | frame   | ring_id, seq u64, sender u32, guarantee u8, frag u8, body tag u8, body |
//! | body    | tag 0 (App): len u32, len bytes; tag 1 (Recovered): a frame whose body tag must be 0 |
//! | entry   | node u32, filled bool, old_ring_id, old_aru u64, high_received u64, high_delivered u64, old_stable u64, received_flg bool (50 bytes) |
//!
//! Resulting sizes in bytes: Token 83 + 8 per rtr entry; Data
//! [`DATA_HEADER_LEN`] + payload, plus [`RECOVERED_OVERHEAD`] when the frame is
//! carried as Recovered; Join 29 + 4 per set entry + 8 per poor or unreached link; Commit 22 + 50 per member;
//! MergeDetect 28 + 4 per heard or member entry; Leave and HoldCancel 20.
//!
//! Validation on decode: node ids that name a processor (senders, set and
//! member entries) are never 0; Join sets, MergeDetect heard and member lists and Commit
//! members are strictly ascending by node id and hold at most [`MAX_MEMBERS`] entries; a join's
//! poor links, and its unreached links, are strictly ascending pairs of two different
//! processors, at most [`MAX_POOR_LINKS`] of each; the token's
//! rtr list holds at most [`MAX_RTR`]; the whole packet is at most
//! [`MAX_PACKET`] bytes; ring seqs (in ring ids and a join's `ring_seq`) are at
//! most [`MAX_RING_SEQ`]. `Token::aru_id` may be 0 (it means "nobody"), ring
//! ids are otherwise not checked (the default ring id is a legitimate "no ring yet"), the
//! token's `tail` is any u32 (a receiver only skips asking for that many seqs
//! below the token's `seq`, saturating, for one visit), and
//! token flags pass through untouched so a new flag bit needs no change here.

use std::fmt;

use super::packet::{
    CommitEntry, CommitToken, DataFrame, Frag, FrameBody, Join, MergeDetect, Packet, RingNotice, Token,
};
use super::shared::SharedBytes;
use super::types::{Guarantee, NodeId, RingId};

/// Bumped whenever the layout changes; peers with another version are not understood.
pub const WIRE_VERSION: u8 = 6;

/// The largest packet decode accepts: below the 65,507-byte UDP payload limit,
/// and a bound on the work and memory one packet can cost a receiver.
pub const MAX_PACKET: usize = 65_000;

/// The highest ring seq decode accepts, in a ring id or a join's `ring_seq`.
/// Ring seqs only grow (every processor adopts the highest it hears), so one
/// forged seq near `u64::MAX` would make the next ring's seq overflow, and
/// the stale value would spread to every processor for good. Legitimate seqs
/// start at 4 x the wall clock in microseconds (`Processor::new`: about 2^53
/// in 2026, 2^56 in the year 2540) and grow by at most 5 per reconfiguration,
/// so they never come near 2^62; and anything at or below it leaves 3 x 2^62
/// of room above for the `+ 1` and `+ 4` of forming rings, which no run can use up.
pub const MAX_RING_SEQ: u64 = 1 << 62;

/// Most entries a token's retransmission request list may carry.
pub const MAX_RTR: usize = 256;

/// Most entries of a Join set or of a commit token's member list.
/// A full commit token (1024 × 50 bytes of entries) still fits in [`MAX_PACKET`].
pub const MAX_MEMBERS: usize = 1024;

/// Most poor links a join may carry (`link_groups.rs`): every link of a
/// processor that hears nobody in a ring of 256. Unreached links too.
pub const MAX_POOR_LINKS: usize = 256;

/// Encoded size of a `Packet::Data` whose body is `App` with no payload bytes:
/// a Data packet with payload `p` takes `DATA_HEADER_LEN + p.len()` bytes.
pub const DATA_HEADER_LEN: usize = HEADER_LEN + FRAME_FIXED_LEN + APP_LEN_LEN;

/// Extra bytes a frame costs when carried as `FrameBody::Recovered` inside
/// another Data packet, compared with sending it as a Data packet on its own:
/// the carrying frame's fixed fields (its body is the inner frame, which has
/// no length prefix of its own, and the packet header is paid either way).
pub const RECOVERED_OVERHEAD: usize = FRAME_FIXED_LEN;

const MAGIC: [u8; 2] = *b"EV";
const HEADER_LEN: usize = 4;
const RING_ID_LEN: usize = 4 + 8;
/// ring_id, seq, sender, guarantee, frag, body tag.
const FRAME_FIXED_LEN: usize = RING_ID_LEN + 8 + 4 + 1 + 1 + 1;
const APP_LEN_LEN: usize = 4;
const COUNT_LEN: usize = 2;
/// A token's fields before its flags: ring_id, token_seq, seq, aru, aru_id,
/// rotation_min, stable, fcc, backlog, quiet.
const TOKEN_BEFORE_FLAGS: usize = RING_ID_LEN + 8 + 8 + 8 + 4 + 8 + 8 + 4 + 4 + 4;
/// Where a token's flags byte sits in its encoding (`set_token_flag`).
const TOKEN_FLAGS_AT: usize = HEADER_LEN + TOKEN_BEFORE_FLAGS;
/// Then flags, to, tail and the rtr count.
const TOKEN_FIXED_LEN: usize = TOKEN_BEFORE_FLAGS + 1 + 4 + 4 + COUNT_LEN;
const RTR_ENTRY_LEN: usize = 8;
const NODE_LEN: usize = 4;
const JOIN_FIXED_LEN: usize = 4 + 8 + 4 + COUNT_LEN + COUNT_LEN + COUNT_LEN + COUNT_LEN + 1;
const LINK_LEN: usize = 2 * NODE_LEN;
const COMMIT_FIXED_LEN: usize = RING_ID_LEN + 4 + COUNT_LEN;
const COMMIT_ENTRY_LEN: usize = 4 + 1 + RING_ID_LEN + 8 + 8 + 8 + 8 + 1;
const NOTICE_LEN: usize = 4 + RING_ID_LEN;

/// Packet type bytes. 0 is left unused so an all-zero buffer is never a packet.
mod ty {
    pub const TOKEN: u8 = 1;
    pub const DATA: u8 = 2;
    pub const JOIN: u8 = 3;
    pub const COMMIT: u8 = 4;
    pub const MERGE_DETECT: u8 = 5;
    pub const LEAVE: u8 = 6;
    pub const HOLD_CANCEL: u8 = 7;
    pub const RESENT: u8 = 8;
}

/// Frame body tags.
mod body {
    pub const APP: u8 = 0;
    pub const RECOVERED: u8 = 1;
}

/// Why a byte string is not a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The input ends before the packet does (or a length claims more bytes than remain).
    Truncated,
    /// The input does not start with `b"EV"`.
    BadMagic,
    /// The header names a wire version other than [`WIRE_VERSION`].
    BadVersion(u8),
    /// The header names no known packet type.
    BadType(u8),
    /// Bytes remain after a complete packet.
    TrailingBytes,
    /// A field holds a value the format forbids.
    Invalid(&'static str),
    /// The input is longer than [`MAX_PACKET`].
    TooLarge,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated => f.write_str("truncated packet"),
            WireError::BadMagic => f.write_str("bad magic (not a totem packet)"),
            WireError::BadVersion(v) => {
                write!(f, "unsupported wire version {v} (expected {WIRE_VERSION})")
            }
            WireError::BadType(t) => write!(f, "unknown packet type {t}"),
            WireError::TrailingBytes => f.write_str("trailing bytes after packet"),
            WireError::Invalid(what) => write!(f, "invalid packet: {what}"),
            WireError::TooLarge => write!(f, "packet longer than {MAX_PACKET} bytes"),
        }
    }
}

impl std::error::Error for WireError {}

/// Set `flag` in an encoded token's flags without decoding it again (a
/// resend changes only how it travels, `forward.rs`). Other packets are left
/// as they are; whether `bytes` was a token.
pub fn set_token_flag(bytes: &mut [u8], flag: u8) -> bool {
    let is_token =
        bytes.len() > TOKEN_FLAGS_AT && bytes[..2] == MAGIC && bytes[2] == WIRE_VERSION && bytes[3] == ty::TOKEN;
    if is_token {
        bytes[TOKEN_FLAGS_AT] |= flag;
    }
    is_token
}

// ---------------------------------------------------------------------------
// Sizes

/// Exact number of bytes [`encode`] produces for `packet`.
pub fn encoded_len(packet: &Packet) -> usize {
    HEADER_LEN
        + match packet {
            Packet::Token(t) => TOKEN_FIXED_LEN + RTR_ENTRY_LEN * t.rtr.len(),
            Packet::Data(frame) | Packet::Resent(frame) => frame_len(frame),
            Packet::Join(j) => {
                JOIN_FIXED_LEN
                    + NODE_LEN * (j.proc_set.len() + j.fail_set.len())
                    + LINK_LEN * (j.poor_links.len() + j.unreached.len())
            }
            Packet::Commit(c) => COMMIT_FIXED_LEN + COMMIT_ENTRY_LEN * c.members.len(),
            Packet::MergeDetect(m) => NOTICE_LEN + 4 + 2 * COUNT_LEN + NODE_LEN * (m.heard.len() + m.members.len()),
            Packet::Leave(_) | Packet::HoldCancel(_) => NOTICE_LEN,
        }
}

/// Exact encoded size of `Packet::Data(frame)`, without building the packet.
pub(crate) fn data_len(frame: &DataFrame) -> usize {
    HEADER_LEN + frame_len(frame)
}

fn frame_len(frame: &DataFrame) -> usize {
    FRAME_FIXED_LEN
        + match &frame.body {
            FrameBody::App(payload) => APP_LEN_LEN + payload.len(),
            FrameBody::Recovered(inner) => frame_len(inner),
        }
}

// ---------------------------------------------------------------------------
// Encoding

/// Encodes `packet` into a freshly allocated buffer of exactly the right size.
pub fn encode(packet: &Packet) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(packet));
    encode_into(packet, &mut out);
    out
}

/// Appends the encoding of `packet` to `out` (whose existing bytes are kept),
/// so a driver can reuse one send buffer.
pub fn encode_into(packet: &Packet, out: &mut Vec<u8>) {
    out.reserve(encoded_len(packet));
    let mut w = Writer(out);
    w.bytes(&MAGIC);
    w.u8(WIRE_VERSION);
    match packet {
        Packet::Token(t) => {
            w.u8(ty::TOKEN);
            w.token(t);
        }
        Packet::Data(frame) => {
            w.u8(ty::DATA);
            w.frame(frame);
        }
        Packet::Resent(frame) => {
            w.u8(ty::RESENT);
            w.frame(frame);
        }
        Packet::Join(j) => {
            w.u8(ty::JOIN);
            w.u32(j.sender);
            w.u64(j.ring_seq);
            w.u32(j.number);
            w.nodes(&j.proc_set);
            w.nodes(&j.fail_set);
            w.links(&j.poor_links);
            w.links(&j.unreached);
            w.bool(j.judging);
        }
        Packet::Commit(c) => {
            w.u8(ty::COMMIT);
            w.ring_id(c.ring_id);
            w.u32(c.hops);
            w.count(c.members.len());
            for m in &c.members {
                w.entry(m);
            }
        }
        Packet::MergeDetect(m) => {
            w.u8(ty::MERGE_DETECT);
            w.u32(m.sender);
            w.ring_id(m.ring_id);
            w.u32(m.number);
            w.nodes(&m.heard);
            w.nodes(&m.members);
        }
        Packet::Leave(n) => {
            w.u8(ty::LEAVE);
            w.notice(n);
        }
        Packet::HoldCancel(n) => {
            w.u8(ty::HOLD_CANCEL);
            w.notice(n);
        }
    }
}

/// Appends big-endian fields to a buffer.
struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }

    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    fn u16(&mut self, v: u16) {
        self.bytes(&v.to_be_bytes());
    }

    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_be_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_be_bytes());
    }

    fn bool(&mut self, v: bool) {
        self.u8(v as u8);
    }

    /// A list length. Saturates instead of wrapping: every limit is far below
    /// `u16::MAX`, so an over-long list encodes to a count decode rejects.
    fn count(&mut self, n: usize) {
        self.u16(u16::try_from(n).unwrap_or(u16::MAX));
    }

    fn ring_id(&mut self, r: RingId) {
        self.u32(r.rep);
        self.u64(r.seq);
    }

    fn nodes(&mut self, nodes: &[NodeId]) {
        self.count(nodes.len());
        for &n in nodes {
            self.u32(n);
        }
    }

    fn links(&mut self, links: &[(NodeId, NodeId)]) {
        self.count(links.len());
        for &(a, b) in links {
            self.u32(a);
            self.u32(b);
        }
    }

    fn token(&mut self, t: &Token) {
        self.ring_id(t.ring_id);
        self.u64(t.token_seq);
        self.u64(t.seq);
        self.u64(t.aru);
        self.u32(t.aru_id);
        self.u64(t.rotation_min);
        self.u64(t.stable);
        self.u32(t.fcc);
        self.u32(t.backlog);
        self.u32(t.quiet);
        self.u8(t.flags);
        self.u32(t.to);
        self.u32(t.tail);
        self.count(t.rtr.len());
        for &s in &t.rtr {
            self.u64(s);
        }
    }

    fn frame(&mut self, f: &DataFrame) {
        self.ring_id(f.ring_id);
        self.u64(f.seq);
        self.u32(f.sender);
        self.u8(f.guarantee as u8);
        self.u8(f.frag as u8);
        match &f.body {
            FrameBody::App(payload) => {
                self.u8(body::APP);
                // Saturating: such a payload makes the packet exceed MAX_PACKET anyway.
                self.u32(u32::try_from(payload.len()).unwrap_or(u32::MAX));
                self.bytes(payload);
            }
            FrameBody::Recovered(inner) => {
                self.u8(body::RECOVERED);
                self.frame(inner);
            }
        }
    }

    fn entry(&mut self, e: &CommitEntry) {
        self.u32(e.node);
        self.bool(e.filled);
        self.ring_id(e.old_ring_id);
        self.u64(e.old_aru);
        self.u64(e.high_received);
        self.u64(e.high_delivered);
        self.u64(e.old_stable);
        self.bool(e.received_flg);
    }

    fn notice(&mut self, n: &RingNotice) {
        self.u32(n.sender);
        self.ring_id(n.ring_id);
    }
}

// ---------------------------------------------------------------------------
// Decoding

/// The ring id and seq of a data frame (plain or resent), read from its header alone (None for
/// anything else): a processor drops a frame it already holds (its own
/// multicasts loop back to it, retransmissions repeat) before paying for
/// decoding it. Whether the rest is well formed is not checked: a frame
/// this names is dropped only if an identical one was decoded before.
pub fn peek_data(bytes: &[u8]) -> Option<(RingId, u64)> {
    let mut r = Reader { rest: bytes };
    if r.take::<2>().ok()? != MAGIC || r.u8().ok()? != WIRE_VERSION || !matches!(r.u8().ok()?, ty::DATA | ty::RESENT) {
        return None;
    }
    Some((r.ring_id().ok()?, r.u64().ok()?))
}

/// The wire version a packet of another libevs version names, read from
/// its header alone: `Some` when the magic is ours and the version is not
/// [`WIRE_VERSION`] (such a processor cannot share a ring with us, and the
/// node says so instead of dropping its packets unexplained), `None` for our
/// own version and for anything that is not a libevs packet at all.
pub fn foreign_version(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [m0, m1, version, ..] if [*m0, *m1] == MAGIC && *version != WIRE_VERSION => Some(*version),
        _ => None,
    }
}

/// Decodes one whole packet. `bytes` must hold exactly one packet: anything
/// shorter, longer, or breaking a rule of the format is an error.
pub fn decode(bytes: &[u8]) -> Result<Packet, WireError> {
    if bytes.len() > MAX_PACKET {
        return Err(WireError::TooLarge);
    }
    let mut r = Reader { rest: bytes };
    if r.take::<2>()? != MAGIC {
        return Err(WireError::BadMagic);
    }
    let version = r.u8()?;
    if version != WIRE_VERSION {
        return Err(WireError::BadVersion(version));
    }
    let packet = match r.u8()? {
        ty::TOKEN => Packet::Token(r.token()?),
        ty::DATA => Packet::Data(r.frame(true)?),
        ty::RESENT => Packet::Resent(r.frame(true)?),
        ty::JOIN => Packet::Join(Join {
            sender: r.node_id("join sender is node 0")?,
            ring_seq: r.ring_seq()?,
            number: r.u32()?,
            proc_set: r.node_set()?,
            fail_set: r.node_set()?,
            poor_links: r.links(&POOR_LINKS)?,
            unreached: r.links(&UNREACHED_LINKS)?,
            judging: r.bool()?,
        }),
        ty::COMMIT => Packet::Commit(r.commit()?),
        ty::MERGE_DETECT => Packet::MergeDetect(MergeDetect {
            sender: r.node_id("notice sender is node 0")?,
            ring_id: r.ring_id()?,
            number: r.u32()?,
            heard: r.node_set()?,
            members: r.node_set()?,
        }),
        ty::LEAVE => Packet::Leave(r.notice()?),
        ty::HOLD_CANCEL => Packet::HoldCancel(r.notice()?),
        other => return Err(WireError::BadType(other)),
    };
    if !r.rest.is_empty() {
        return Err(WireError::TrailingBytes);
    }
    Ok(packet)
}

/// What decode says of a bad list of a join's links, one set per kind.
struct LinkErrors {
    too_many: &'static str,
    node_0: &'static str,
    itself: &'static str,
    unordered: &'static str,
}

const POOR_LINKS: LinkErrors = LinkErrors {
    too_many: "poor links over MAX_POOR_LINKS",
    node_0: "poor link names node 0",
    itself: "poor link of a processor with itself",
    unordered: "poor links not strictly ascending",
};

const UNREACHED_LINKS: LinkErrors = LinkErrors {
    too_many: "unreached links over MAX_POOR_LINKS",
    node_0: "unreached link names node 0",
    itself: "unreached link of a processor with itself",
    unordered: "unreached links not strictly ascending",
};

/// Bounds-checked big-endian reads from the front of a byte slice.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if n > self.rest.len() {
            return Err(WireError::Truncated);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, WireError> {
        Ok(u16::from_be_bytes(self.take()?))
    }

    fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.take()?))
    }

    fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_be_bytes(self.take()?))
    }

    fn bool(&mut self) -> Result<bool, WireError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(WireError::Invalid("bool byte is neither 0 nor 1")),
        }
    }

    /// A node id that names a processor, so 0 is invalid.
    fn node_id(&mut self, zero: &'static str) -> Result<NodeId, WireError> {
        match self.u32()? {
            0 => Err(WireError::Invalid(zero)),
            id => Ok(id),
        }
    }

    fn ring_id(&mut self) -> Result<RingId, WireError> {
        Ok(RingId { rep: self.u32()?, seq: self.ring_seq()? })
    }

    /// A ring seq, at most [`MAX_RING_SEQ`].
    fn ring_seq(&mut self) -> Result<u64, WireError> {
        match self.u64()? {
            seq if seq > MAX_RING_SEQ => Err(WireError::Invalid("ring seq over MAX_RING_SEQ")),
            seq => Ok(seq),
        }
    }

    fn guarantee(&mut self) -> Result<Guarantee, WireError> {
        Guarantee::from_u8(self.u8()?).ok_or(WireError::Invalid("unknown guarantee"))
    }

    /// Reads a u16 list count and checks it both against the format's limit
    /// and against the bytes left, so the caller may allocate `count` entries:
    /// a count is never trusted beyond what the packet can actually hold.
    fn count(&mut self, max: usize, entry_len: usize, too_many: &'static str) -> Result<usize, WireError> {
        let n = usize::from(self.u16()?);
        if n > max {
            return Err(WireError::Invalid(too_many));
        }
        if n * entry_len > self.rest.len() {
            return Err(WireError::Truncated);
        }
        Ok(n)
    }

    fn token(&mut self) -> Result<Token, WireError> {
        let mut t = Token {
            ring_id: self.ring_id()?,
            token_seq: self.u64()?,
            seq: self.u64()?,
            aru: self.u64()?,
            aru_id: self.u32()?,
            rotation_min: self.u64()?,
            stable: self.u64()?,
            fcc: self.u32()?,
            backlog: self.u32()?,
            quiet: self.u32()?,
            flags: self.u8()?,
            to: self.u32()?,
            tail: self.u32()?,
            rtr: Vec::new(),
        };
        let n = self.count(MAX_RTR, RTR_ENTRY_LEN, "rtr list over MAX_RTR")?;
        t.rtr = Vec::with_capacity(n);
        for _ in 0..n {
            t.rtr.push(self.u64()?);
        }
        Ok(t)
    }

    /// A data frame; `outer` says whether its body may be `Recovered`
    /// (only one level of nesting is allowed, which also bounds recursion).
    fn frame(&mut self, outer: bool) -> Result<DataFrame, WireError> {
        let ring_id = self.ring_id()?;
        let seq = self.u64()?;
        let sender = self.node_id("frame sender is node 0")?;
        let guarantee = self.guarantee()?;
        let frag = Frag::from_u8(self.u8()?).ok_or(WireError::Invalid("unknown fragment marker"))?;
        let body = match self.u8()? {
            body::APP => {
                let len = self.u32()?;
                // `bytes` checks len against what remains before anything is copied.
                let len = usize::try_from(len).map_err(|_| WireError::Truncated)?;
                FrameBody::App(SharedBytes::from(self.bytes(len)?))
            }
            body::RECOVERED if outer => FrameBody::Recovered(Box::new(self.frame(false)?)),
            body::RECOVERED => return Err(WireError::Invalid("recovered frame inside a recovered frame")),
            _ => return Err(WireError::Invalid("unknown frame body tag")),
        };
        Ok(DataFrame { ring_id, seq, sender, guarantee, frag, body })
    }

    /// A strictly ascending set of non-zero node ids.
    fn node_set(&mut self) -> Result<Vec<NodeId>, WireError> {
        let n = self.count(MAX_MEMBERS, NODE_LEN, "node set over MAX_MEMBERS")?;
        let mut set = Vec::with_capacity(n);
        let mut prev: NodeId = 0;
        for _ in 0..n {
            let id = self.node_id("node set holds node 0")?;
            if id <= prev {
                return Err(WireError::Invalid("node set not strictly ascending"));
            }
            set.push(id);
            prev = id;
        }
        Ok(set)
    }

    /// A join's list of links of one kind, named in `errors`.
    fn links(&mut self, errors: &LinkErrors) -> Result<Vec<(NodeId, NodeId)>, WireError> {
        let n = self.count(MAX_POOR_LINKS, LINK_LEN, errors.too_many)?;
        let mut links = Vec::with_capacity(n);
        let mut prev = (0, 0);
        for _ in 0..n {
            let link = (self.node_id(errors.node_0)?, self.node_id(errors.node_0)?);
            if link.0 == link.1 {
                return Err(WireError::Invalid(errors.itself));
            }
            if link <= prev {
                return Err(WireError::Invalid(errors.unordered));
            }
            links.push(link);
            prev = link;
        }
        Ok(links)
    }

    fn commit(&mut self) -> Result<CommitToken, WireError> {
        let ring_id = self.ring_id()?;
        let hops = self.u32()?;
        let n = self.count(MAX_MEMBERS, COMMIT_ENTRY_LEN, "commit token over MAX_MEMBERS")?;
        let mut members = Vec::with_capacity(n);
        let mut prev: NodeId = 0;
        for _ in 0..n {
            let e = CommitEntry {
                node: self.node_id("commit member is node 0")?,
                filled: self.bool()?,
                old_ring_id: self.ring_id()?,
                old_aru: self.u64()?,
                high_received: self.u64()?,
                high_delivered: self.u64()?,
                old_stable: self.u64()?,
                received_flg: self.bool()?,
            };
            if e.node <= prev {
                return Err(WireError::Invalid("commit members not strictly ascending"));
            }
            prev = e.node;
            members.push(e);
        }
        Ok(CommitToken { ring_id, hops, members })
    }

    fn notice(&mut self) -> Result<RingNotice, WireError> {
        Ok(RingNotice { sender: self.node_id("notice sender is node 0")?, ring_id: self.ring_id()? })
    }
}

#[cfg(test)]
mod tests;
