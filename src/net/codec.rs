//! What every datagram is wrapped in: the plain envelope, or a sealed one
//! when a key is configured (`seal/`). The node layer sends and receives
//! through a `Codec` only, so no path can forget the key.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::envelope;
use super::seal::{self, CryptoConfig, Keys, Opened, Opener, Reject, Sealer, Suite};
use super::transport::{Target, Transport};

/// How often rejected datagrams are reported (`EVS_LOG=warn`).
const REPORT_EVERY: Duration = Duration::from_secs(10);

pub struct Codec {
    mode: Mode,
    rejected: Rejected,
}

enum Mode {
    Plain { header: [u8; envelope::HEADER_LEN] },
    Sealed { sealer: Sealer, opener: Opener, scratch: Vec<Vec<u8>>, is_data_frame: fn(&[u8]) -> bool },
}

/// Datagrams refused since the start, by reason, and when they were last reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RejectCounts {
    /// Not ours (another program, or sent with no key / with a key we lack).
    pub foreign: u64,
    /// Another suite, a bad tag, or too short: another key, or forged.
    pub unauthentic: u64,
    /// Authentic but replayed.
    pub replayed: u64,
}

struct Rejected {
    counts: RejectCounts,
    reported: RejectCounts,
    last_report: Option<Instant>,
}

impl Codec {
    /// Plain envelopes for `node`: no key.
    pub fn plain(node: u32) -> Codec {
        Codec::with(Mode::Plain { header: envelope::header(node) })
    }

    /// Sealed datagrams for `node` with `cfg`'s key; `incarnation` must grow
    /// from one run of the process to the next (`incarnation_now`).
    /// `is_data_frame` tells the protocol's data frames, whose multicast
    /// echoes are dropped unopened (`seal/echo.rs`).
    pub fn sealed(node: u32, cfg: &CryptoConfig, incarnation: u64, is_data_frame: fn(&[u8]) -> bool) -> Codec {
        let sealer = Sealer::new(Arc::new(Keys::derive(cfg)), node, incarnation);
        let opener = sealer.opener();
        Codec::with(Mode::Sealed { sealer, opener, scratch: Vec::new(), is_data_frame })
    }

    fn with(mode: Mode) -> Codec {
        Codec {
            mode,
            rejected: Rejected { counts: Default::default(), reported: Default::default(), last_report: None },
        }
    }

    /// A codec for another thread's sends: the same identity and, sealed, the
    /// same counter (never the same nonce twice). It opens nothing useful.
    pub fn sender_clone(&self) -> Codec {
        match &self.mode {
            Mode::Plain { header } => Codec::with(Mode::Plain { header: *header }),
            Mode::Sealed { sealer, opener, is_data_frame, .. } => Codec::with(Mode::Sealed {
                sealer: sealer.clone(),
                opener: opener.fresh(),
                scratch: Vec::new(),
                is_data_frame: *is_data_frame,
            }),
        }
    }

    /// Whether datagrams are sealed (then a datagram's sender and run are
    /// authentic, and its source address means nothing).
    pub fn is_sealed(&self) -> bool {
        matches!(self.mode, Mode::Sealed { .. })
    }

    /// Bytes a datagram carries beyond its payload.
    pub fn overhead(suite: Option<Suite>) -> usize {
        suite.map_or(envelope::HEADER_LEN, seal::overhead)
    }

    /// Sends the batch (as `Transport::send_batch`), each payload wrapped.
    pub fn send_batch(&mut self, transport: &mut Transport, batch: &[(Target, &[u8])]) -> io::Result<()> {
        match &mut self.mode {
            Mode::Plain { header } => transport.send_batch(header, batch),
            Mode::Sealed { sealer, scratch, is_data_frame, .. } => {
                if scratch.len() < batch.len() {
                    scratch.resize_with(batch.len(), Vec::new);
                }
                for (buf, (target, payload)) in scratch.iter_mut().zip(batch) {
                    if *target == Target::All && is_data_frame(payload) {
                        sealer.seal_own_frame(payload, buf);
                    } else {
                        sealer.seal(payload, buf);
                    }
                }
                let sealed: Vec<(Target, &[u8])> =
                    batch.iter().zip(scratch.iter()).map(|((t, _), buf)| (*t, buf.as_slice())).collect();
                transport.send_batch(&[], &sealed)
            }
        }
    }

    /// One wrapped datagram of `payload` in `out` (replacing what it held).
    pub fn wrap(&mut self, payload: &[u8], out: &mut Vec<u8>) {
        match &self.mode {
            Mode::Plain { header } => {
                out.clear();
                out.extend_from_slice(header);
                out.extend_from_slice(payload);
            }
            Mode::Sealed { sealer, .. } => {
                sealer.seal(payload, out);
            }
        }
    }

    /// The sender and payload of a received datagram (decrypted in place),
    /// or None if it is refused; refusals are counted and reported now and then.
    pub fn open<'a>(&mut self, datagram: &'a mut [u8]) -> Option<Opened<'a>> {
        let result = match &mut self.mode {
            Mode::Plain { .. } => match envelope::unwrap(datagram) {
                Some((sender, payload)) => Ok(Opened { sender, payload, other_run: None, fresh: true }),
                None => Err(Reject::NotSealed),
            },
            Mode::Sealed { opener, .. } => opener.open(datagram),
        };
        match result {
            Ok(opened) => Some(opened),
            Err(Reject::Echo) => None,
            Err(reason) => {
                self.rejected.count(reason);
                None
            }
        }
    }

    pub fn rejected(&self) -> RejectCounts {
        self.rejected.counts
    }
}

impl Rejected {
    fn count(&mut self, reason: Reject) {
        match reason {
            Reject::NotSealed => self.counts.foreign += 1,
            Reject::Suite | Reject::Short | Reject::Mac => self.counts.unauthentic += 1,
            Reject::Replay(_) => self.counts.replayed += 1,
            Reject::Echo => return,
        }
        let now = Instant::now();
        if self.last_report.is_some_and(|at| now.duration_since(at) < REPORT_EVERY) {
            return;
        }
        let (c, r) = (self.counts, self.reported);
        crate::evs_log!(
            Warn,
            "rejected datagrams since the last report: {} not ours, {} unauthentic (another key or forged), {} replayed",
            c.foreign - r.foreign,
            c.unauthentic - r.unauthentic,
            c.replayed - r.replayed
        );
        self.reported = c;
        self.last_report = Some(now);
    }
}

/// An incarnation for a process starting now: its start time in microseconds,
/// so that a restart's is later (replays of the previous run are refused)
/// provided the clock does not step back across the restart.
pub fn incarnation_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_micros() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::seal::{Cipher, Hash};

    fn config(key_byte: u8) -> CryptoConfig {
        CryptoConfig { key: vec![key_byte; 128], suite: Suite { cipher: Cipher::ChaCha20, hash: Hash::Sha1 } }
    }

    #[test]
    fn refusals_are_counted_by_reason_and_echoes_are_not_refusals() {
        let frame = |b: &[u8]| b.first() == Some(&b'F');
        let mut me = Codec::sealed(1, &config(7), 10, frame);
        let mut peer = Codec::sealed(2, &config(7), 20, frame);
        let mut stranger = Codec::sealed(3, &config(8), 30, frame);
        let mut plain = Codec::plain(4);
        let mut d = Vec::new();

        peer.wrap(b"token", &mut d);
        assert_eq!(me.open(&mut d.clone()).map(|o| (o.sender, o.payload.to_vec())), Some((2, b"token".to_vec())));
        assert!(me.open(&mut d.clone()).is_none(), "a replay");
        stranger.wrap(b"token", &mut d);
        assert!(me.open(&mut d.clone()).is_none(), "another key");
        plain.wrap(b"token", &mut d);
        assert!(me.open(&mut d.clone()).is_none(), "no key");
        assert!(me.open(&mut b"not even an envelope".to_vec()).is_none());
        assert_eq!(me.rejected(), RejectCounts { foreign: 2, unauthentic: 1, replayed: 1 });

        // Our own data frame looping back is dropped, but it is no refusal.
        // (As `send_batch` seals a multicast data frame, without a socket.)
        let Mode::Sealed { sealer, .. } = &me.mode else { unreachable!("sealed") };
        let mut echo = Vec::new();
        sealer.seal_own_frame(b"F frame", &mut echo);
        assert!(me.open(&mut echo).is_none());
        assert_eq!(me.rejected(), RejectCounts { foreign: 2, unauthentic: 1, replayed: 1 });

        // Without a key, what is not a plain envelope is not ours.
        peer.wrap(b"sealed", &mut d);
        assert!(plain.open(&mut d).is_none());
        assert_eq!(plain.rejected(), RejectCounts { foreign: 1, unauthentic: 0, replayed: 0 });
    }
}
