//! The processor interface the cluster drives.
//!
//! The cluster is generic over it so that the harness can be tested with a toy
//! processor (in tests/sim_harness.rs) while the real one is being written; runs of
//! the families use `evs::totem::Processor`.

use evs::totem::{Config, Counters, Event, Guarantee, Processor, State, SubmitError, Time, Transmit};

pub trait Proto {
    fn start(config: Config, now: Time, seed: u64) -> Self;
    fn state(&self) -> State;
    fn handle_packet(&mut self, now: Time, bytes: &[u8]);
    fn handle_timeout(&mut self, now: Time);
    fn submit(&mut self, now: Time, guarantee: Guarantee, payload: Vec<u8>) -> Result<(), SubmitError>;
    fn leave(&mut self, now: Time);
    fn poll_transmit(&mut self) -> Option<Transmit>;
    fn poll_event(&mut self) -> Option<Event>;
    fn poll_timeout(&self) -> Option<Time>;
    /// What the processor has done (coverage); a toy may count nothing.
    fn counters(&self) -> Counters {
        Counters::default()
    }
}

impl Proto for Processor {
    fn start(config: Config, now: Time, seed: u64) -> Self {
        Processor::new(config, now, seed)
    }
    fn state(&self) -> State {
        Processor::state(self)
    }
    fn handle_packet(&mut self, now: Time, bytes: &[u8]) {
        Processor::handle_packet(self, now, bytes)
    }
    fn handle_timeout(&mut self, now: Time) {
        Processor::handle_timeout(self, now)
    }
    fn submit(&mut self, now: Time, guarantee: Guarantee, payload: Vec<u8>) -> Result<(), SubmitError> {
        Processor::submit(self, now, guarantee, payload)
    }
    fn leave(&mut self, now: Time) {
        Processor::leave(self, now)
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        Processor::poll_transmit(self)
    }
    fn poll_event(&mut self) -> Option<Event> {
        Processor::poll_event(self)
    }
    fn poll_timeout(&self) -> Option<Time> {
        Processor::poll_timeout(self)
    }
    fn counters(&self) -> Counters {
        Processor::counters(self).clone()
    }
}
