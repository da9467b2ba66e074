//! libevs: Extended Virtual Synchrony over the Totem single-ring protocol.
//!
//! The protocol core lives in [`totem`]: a sans-IO state machine that is told the
//! time, fed packets and application messages, and polled for packets to send,
//! deliveries, configuration changes and its next deadline.
//! [`check`] judges recorded histories against the EVS properties.

pub mod api;
pub mod capi;
pub mod check;
pub mod config;
pub mod net;
#[macro_use]
pub mod log;
mod node;
pub mod totem;
