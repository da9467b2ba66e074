//! The EVS checker: judges recorded histories against the properties of
//! PROTOCOL.md (being written).

mod history;

pub use history::{Ending, History, MsgId, ProcessHistory, Record};
