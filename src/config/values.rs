//! Reading one raw value as a number, an address or one of a few words, with a
//! message naming the source and the value when it is none of those.

use std::net::IpAddr;
use std::ops::RangeInclusive;

use super::error::ConfigError;
use super::source::Raw;

/// What a number counts, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    Ms,
    Count,
    Bytes,
    Port,
    NodeId,
}

impl Unit {
    fn noun(self) -> &'static str {
        match self {
            Unit::Ms => "a number of milliseconds",
            Unit::Count => "a number",
            Unit::Bytes => "a number of bytes",
            Unit::Port => "a port number",
            Unit::NodeId => "a node id",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Unit::Ms => " ms",
            Unit::Bytes => " bytes",
            _ => "",
        }
    }
}

/// A decimal number in `range`. Only digits: `+5`, `1e3` or `0x10` are refused
/// rather than read in some way the user may not have meant.
pub(crate) fn number(raw: &Raw, unit: Unit, range: RangeInclusive<u32>) -> Result<u32, ConfigError> {
    let v = raw.value.as_str();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(raw.error(format_args!("is not {}", unit.noun())));
    }
    // Too many digits for u64 is simply out of range.
    let n = v.parse::<u64>().unwrap_or(u64::MAX);
    if n < u64::from(*range.start()) || n > u64::from(*range.end()) {
        return Err(raw.error(format_args!("is out of range ({} to {}{})", range.start(), range.end(), unit.suffix())));
    }
    Ok(n as u32)
}

/// Node ids are non-zero and fit in 31 bits, as corosync's.
pub(crate) const NODEID_RANGE: RangeInclusive<u32> = 1..=0x7fff_ffff;

pub(crate) fn nodeid(raw: &Raw) -> Result<u32, ConfigError> {
    number(raw, Unit::NodeId, NODEID_RANGE)
}

/// A literal IPv4 or IPv6 address (no host names: resolving them would make the
/// configuration depend on DNS at start-up).
pub(crate) fn ip(raw: &Raw) -> Result<IpAddr, ConfigError> {
    raw.value.parse::<IpAddr>().map_err(|_| raw.error("is not an IP address"))
}

/// One of a few words, case-insensitively; `what` names the kind of thing for the
/// message, e.g. "a transport" gives "'tcp' is not a transport (udp, udpu)".
pub(crate) fn choice<T: Copy>(raw: &Raw, what: &str, options: &[(&str, T)]) -> Result<T, ConfigError> {
    let found = options.iter().find(|(word, _)| word.eq_ignore_ascii_case(&raw.value));
    found.map(|&(_, t)| t).ok_or_else(|| {
        let words: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
        raw.error(format_args!("is not {what} ({})", words.join(", ")))
    })
}
