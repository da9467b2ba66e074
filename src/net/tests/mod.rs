//! Transports over loopback only: 127.0.0.1, ::1, and multicast pinned to lo.

mod errors;
mod ipv6;
mod segmented;
mod support;
mod udp;
mod udpu;
