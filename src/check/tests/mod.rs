//! Hand-made histories: a correct reference, and for each property histories
//! that break it.

mod builder;
mod reference;

mod atomicity;
mod causal;
mod configs;
mod liveness;
mod once;
mod order;
mod perf;
mod progress;
mod report;
mod safe;
