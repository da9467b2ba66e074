//! The Totem single-ring ordering and membership protocol, sans-IO.
//!
//! A [`Processor`] does no I/O: no sockets, no clock, no threads, no global
//! randomness. Its driver tells it the time and feeds it packets
//! ([`Processor::handle_packet`]), timeouts ([`Processor::handle_timeout`]) and
//! application messages ([`Processor::submit`]); it polls it for packets to send
//! ([`Processor::poll_transmit`]), events for the application
//! ([`Processor::poll_event`]) and its next deadline ([`Processor::poll_timeout`]).

mod assembly;
mod buffer;
mod config;
mod counters;
mod crawl;
mod cut_links;
mod delivery;
mod event;
mod exclusion;
mod flow;
mod forward;
mod frame_loss;
#[doc(hidden)]
pub mod fuzzing;
mod hearing;
mod hold;
mod link_groups;
mod membership;
mod merge;
mod outbox;
pub mod packet;
mod packing;
mod past_rings;
mod processor;
mod recovery;
mod relay;
mod ring;
mod shared;
mod timers;
mod token;
mod types;
mod unreached;
pub mod wire;

pub use config::{Config, DEFAULT_ACCELERATED_WINDOW};
pub use counters::Counters;
pub use event::{ConfigChange, ConfigKind, Delivery, Destination, Event, SubmitError, Transmit};
pub use processor::{Processor, State};
pub use shared::SharedBytes;
pub use types::{Guarantee, NodeId, RingId, Time, MS};

#[cfg(test)]
mod fault_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod testnet;
#[cfg(test)]
mod tests;
