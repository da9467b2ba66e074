//! The protocol state machine (stub; being written).

use super::config::Config;
use super::event::{Event, SubmitError, Transmit};
use super::types::{Guarantee, NodeId, RingId, Time};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Gather,
    Commit,
    Recovery,
    Operational,
    Left,
}

pub struct Processor {
    _config: Config,
}

impl Processor {
    /// A processor that starts gathering at `now`. `seed` drives any randomness.
    pub fn new(config: Config, now: Time, seed: u64) -> Processor {
        let _ = (now, seed);
        Processor { _config: config }
    }
    pub fn node_id(&self) -> NodeId { todo!() }
    pub fn state(&self) -> State { todo!() }
    /// The current ring id and its members (sorted).
    pub fn ring(&self) -> (RingId, &[NodeId]) { todo!() }
    pub fn handle_packet(&mut self, now: Time, bytes: &[u8]) { let _ = (now, bytes); todo!() }
    pub fn handle_timeout(&mut self, now: Time) { let _ = now; todo!() }
    pub fn submit(&mut self, now: Time, guarantee: Guarantee, payload: Vec<u8>) -> Result<(), SubmitError> { let _ = (now, guarantee, payload); todo!() }
    /// Leave the ring gracefully; `Event::Left` follows.
    pub fn leave(&mut self, now: Time) { let _ = now; todo!() }
    pub fn poll_transmit(&mut self) -> Option<Transmit> { todo!() }
    pub fn poll_event(&mut self) -> Option<Event> { todo!() }
    pub fn poll_timeout(&self) -> Option<Time> { todo!() }
    /// Messages waiting in the send queue.
    pub fn queue_len(&self) -> usize { todo!() }
}
