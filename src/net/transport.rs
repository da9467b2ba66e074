//! The transport the protocol thread drives: send to all, send to one, poll, read.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

use socket2::{SockAddr, Socket};

use super::batch::Segmentation;
use super::config::{invalid, TransportConfig, TransportKind};
use super::recv_batch::RecvBatch;
use super::socket::{recv_one, Received};
use super::{batch, udp, udpu};

/// Sockets of one processor. Non-blocking throughout: the owner polls `fds()` for
/// POLLIN and drains `recv` until it returns `Ok(None)`.
#[derive(Debug)]
pub struct Transport {
    /// Sends every datagram, so its source address is our identity; receives unicast.
    sender: Socket,
    local: SocketAddr,
    /// Udp only: receives the group's multicasts.
    group_receiver: Option<Socket>,
    fanout: Fanout,
    /// Which socket `recv` reads first; rotated so a busy one cannot starve the other.
    next_socket: usize,
    truncated: u64,
    /// Runs of equal datagrams go as one segmented buffer (`batch.rs`).
    segmentation: Segmentation,
}

/// Where one datagram of a batch goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Every processor, ourselves included (as `send_all`).
    All,
    /// One processor's unicast address (as `send_to`).
    To(SocketAddr),
}

#[derive(Debug)]
enum Fanout {
    Group(SockAddr),
    /// Every member, ourselves last.
    Members(Vec<SockAddr>),
}

impl Transport {
    pub fn open(cfg: &TransportConfig) -> io::Result<Transport> {
        let (sender, local, group_receiver, fanout) = match cfg.kind {
            TransportKind::Udp => {
                let o = udp::open(cfg)?;
                (o.sender, o.local, Some(o.receiver), Fanout::Group(o.group.into()))
            }
            TransportKind::Udpu => {
                let o = udpu::open(cfg)?;
                let targets = o.targets.into_iter().map(SockAddr::from).collect();
                (o.socket, o.local, None, Fanout::Members(targets))
            }
        };
        let segmentation = if cfg.segmentation { Segmentation::On } else { Segmentation::Off };
        Ok(Transport { sender, local, group_receiver, fanout, next_socket: 0, truncated: 0, segmentation })
    }

    /// A second transport that sends from the same socket (a duplicated
    /// descriptor: same address, same identity) and receives nothing, for
    /// another thread to send on.
    pub fn sender_clone(&self) -> io::Result<Transport> {
        let fanout = match &self.fanout {
            Fanout::Group(g) => Fanout::Group(g.clone()),
            Fanout::Members(m) => Fanout::Members(m.clone()),
        };
        Ok(Transport {
            sender: self.sender.try_clone()?,
            local: self.local,
            group_receiver: None,
            fanout,
            next_socket: 0,
            truncated: 0,
            segmentation: self.segmentation,
        })
    }

    /// Whether runs of equal datagrams still go as one segmented buffer
    /// (the kernel has not refused one).
    pub fn segments(&self) -> bool {
        self.segmentation == Segmentation::On
    }

    /// Our unicast address: where the others reach us, and what our datagrams carry as
    /// their source.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The descriptors to poll for POLLIN.
    pub fn fds(&self) -> Vec<RawFd> {
        self.sockets().map(|s| s.as_raw_fd()).collect()
    }

    /// Sends `datagram` to every processor, ourselves included (Udp: one multicast
    /// that loops back; Udpu: one unicast per member). With several members, one
    /// failure does not stop the others; the first error is returned after all were
    /// tried. `WouldBlock` means the kernel buffer is full: the datagram is lost, as on
    /// a busy network, and the protocol retransmits.
    pub fn send_all(&mut self, datagram: &[u8]) -> io::Result<()> {
        match &self.fanout {
            Fanout::Group(group) => send(&self.sender, group, datagram),
            Fanout::Members(targets) => {
                let mut first_err = None;
                for to in targets {
                    if let Err(e) = send(&self.sender, to, datagram) {
                        first_err.get_or_insert(e);
                    }
                }
                first_err.map_or(Ok(()), Err)
            }
        }
    }

    /// Sends a burst of datagrams, in order, with as few system calls as
    /// possible (`batch.rs`); each as `send_all` or `send_to` would, `prefix`
    /// (the envelope) in front of each. A datagram
    /// that cannot go is skipped (lost, as on a busy network); the first error
    /// is returned after all were tried.
    pub fn send_batch(&mut self, prefix: &[u8], batch: &[(Target, &[u8])]) -> io::Result<()> {
        let mut first_err = None;
        let mut addrs: Vec<SockAddr> = Vec::new();
        let mut items: Vec<(usize, &[u8])> = Vec::with_capacity(batch.len());
        let mut i = 0;
        while i < batch.len() {
            let (target, datagram) = batch[i];
            i += 1;
            match target {
                Target::All => match &self.fanout {
                    Fanout::Group(group) => {
                        addrs.push(group.clone());
                        items.push((addrs.len() - 1, datagram));
                    }
                    Fanout::Members(targets) => {
                        // A run of datagrams for everyone goes member by
                        // member, so that each member's share can be one
                        // segmented buffer; each member still gets them in order.
                        let run_end =
                            batch[i..].iter().position(|(t, _)| *t != Target::All).map_or(batch.len(), |n| i + n);
                        for to in targets {
                            addrs.push(to.clone());
                            let at = addrs.len() - 1;
                            items.extend(batch[i - 1..run_end].iter().map(|&(_, d)| (at, d)));
                        }
                        i = run_end;
                    }
                },
                Target::To(to) if to.is_ipv4() != self.local.is_ipv4() => {
                    first_err.get_or_insert(invalid(format!("cannot send to {to} from {}", self.local)));
                }
                Target::To(to) => {
                    addrs.push(to.into());
                    items.push((addrs.len() - 1, datagram));
                }
            }
        }
        let items: Vec<(&SockAddr, &[u8])> = items.iter().map(|&(i, d)| (&addrs[i], d)).collect();
        let sent = batch::send_many(&self.sender, prefix, &items, &mut self.segmentation);
        match (first_err, sent) {
            (Some(e), _) | (None, Err(e)) => Err(e),
            (None, Ok(())) => Ok(()),
        }
    }

    /// Sends `datagram` to one processor's unicast address.
    pub fn send_to(&mut self, to: SocketAddr, datagram: &[u8]) -> io::Result<()> {
        if to.is_ipv4() != self.local.is_ipv4() {
            return Err(invalid(format!("cannot send to {to} from {}", self.local)));
        }
        send(&self.sender, &to.into(), datagram)
    }

    /// Reads one pending datagram from whichever socket has one: its length in `buf`
    /// and its source address. `Ok(None)` when nothing is pending anywhere. Datagrams
    /// longer than `buf` are dropped (counted in `truncated_count`).
    pub fn recv(&mut self, buf: &mut [u8]) -> io::Result<Option<(usize, SocketAddr)>> {
        let count = self.sockets().count();
        for i in 0..count {
            let which = (self.next_socket + i) % count;
            // Field by field, so `self.truncated` stays assignable below.
            let socket = match (which, &self.group_receiver) {
                (1, Some(group)) => group,
                _ => &self.sender,
            };
            loop {
                match recv_one(socket, buf)? {
                    Received::Datagram(n, from) => {
                        self.next_socket = (which + 1) % count;
                        return Ok(Some((n, from)));
                    }
                    Received::Truncated => self.truncated += 1,
                    Received::Empty => break,
                }
            }
        }
        Ok(None)
    }

    /// Fill `batch` (cleared first) with what the sockets have pending, with
    /// a `recvmmsg` per socket (`recv_batch.rs`); whether a socket may still
    /// hold more (the batch is full). The group socket is read
    /// first, so that a token read in the same batch finds the frames that
    /// were multicast before it, but it may take at most three quarters of the
    /// slots: the token comes by unicast and must not wait behind a flood.
    pub fn recv_batch(&mut self, batch: &mut RecvBatch) -> io::Result<bool> {
        batch.clear();
        if let Some(group) = &self.group_receiver {
            batch.fill_from(group, (batch.room() * 3 / 4).max(1))?;
        }
        batch.fill_from(&self.sender, batch.room())?;
        if let Some(group) = &self.group_receiver {
            batch.fill_from(group, batch.room())?; // what the unicast socket left
        }
        // Not full: every socket's last call found fewer than it was offered.
        Ok(batch.room() == 0)
    }

    /// Datagrams dropped so far because they did not fit the `recv` buffer.
    pub fn truncated_count(&self) -> u64 {
        self.truncated
    }

    fn sockets(&self) -> impl Iterator<Item = &Socket> {
        std::iter::once(&self.sender).chain(self.group_receiver.as_ref())
    }
}

/// One sendto(2), retried on EINTR; a short write cannot happen for UDP.
fn send(s: &Socket, to: &SockAddr, datagram: &[u8]) -> io::Result<()> {
    loop {
        match s.send_to(datagram, to) {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}
