//! From raw values (the file's, overridden by the environment's) to checked
//! [`Settings`]: defaults, ranges, and the checks that involve several keys.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::crypto;
use super::error::ConfigError;
use super::file::FileValues;
use super::interfaces::{self, Iface};
use super::keys::{self, Key, KEYS};
use super::members;
use super::settings::{LogLevel, Settings, Transport};
use super::source::{Origin, Raw};
use super::values::{self, Unit};

/// Frames one processor may originate per token visit, unless configured.
/// corosync's default is 17 (a third of its window of 50, for three busy
/// senders); ours lets a lone sender fill the window, while the window's
/// share by backlog (`totem/flow.rs`) still divides it among busy senders.
/// On the namespace LAN a lone sender's 1 KiB messages went from 29-35k to
/// 36-53k msgs/s, and three senders lost nothing (docs/BENCHMARKS.md).
pub const DEFAULT_MAX_MESSAGES: u32 = 50;

/// The default groups: fixed, so that zero-config processes find each other, and
/// organisation-local (239.192.0.0/14; ff15:: is site-local, transient) so that
/// they are not mistaken for a well-known group. Loopback keeps them on the machine.
pub const DEFAULT_MCASTADDR_V4: Ipv4Addr = Ipv4Addr::new(239, 192, 77, 4);
pub const DEFAULT_MCASTADDR_V6: Ipv6Addr = Ipv6Addr::new(0xff15, 0, 0, 0, 0, 0, 0xefc0, 0x4d04);
pub const DEFAULT_BINDNETADDR: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
pub const DEFAULT_MCASTPORT: u16 = 5405;
/// Room for a burst of large messages behind a dispatcher that is busy for a
/// moment, yet bounded well below what a process may be allowed.
pub const DEFAULT_HANDLE_QUEUE_BYTES: u32 = 64 << 20;

/// Every raw value, the environment's over the file's.
pub(crate) struct Inputs {
    values: BTreeMap<Key, Raw>,
    file: FileValues,
}

impl Inputs {
    pub(crate) fn new(file: Option<FileValues>, env: &dyn Fn(&str) -> Option<String>) -> Inputs {
        let mut file = file.unwrap_or_default();
        let mut values = std::mem::take(&mut file.values);
        for info in KEYS {
            let Some(name) = info.env else { continue };
            if let Some(value) = env(name) {
                values.insert(info.key, Raw { value: value.trim().to_string(), origin: Origin::Env(name) });
            }
        }
        Inputs { values, file }
    }

    fn get(&self, key: Key) -> Option<&Raw> {
        self.values.get(&key)
    }

    fn number(
        &self,
        key: Key,
        unit: Unit,
        range: std::ops::RangeInclusive<u32>,
        default: u32,
    ) -> Result<u32, ConfigError> {
        self.get(key).map_or(Ok(default), |raw| values::number(raw, unit, range))
    }
}

/// Build the settings; `ifaces` lists the local interfaces (injected for tests).
pub(crate) fn settings(
    inputs: Inputs,
    ifaces: &dyn Fn() -> Result<Vec<Iface>, String>,
) -> Result<Settings, ConfigError> {
    let mut warnings = inputs.file.warnings.clone();
    let transport = match inputs.get(Key::Transport) {
        Some(raw) => values::choice(raw, "a transport", &[("udp", Transport::Udp), ("udpu", Transport::Udpu)])?,
        None => Transport::Udp,
    };

    // Addresses.
    let bind_raw = inputs.get(Key::BindNetAddr);
    let bindnetaddr = bind_raw.map_or(Ok(DEFAULT_BINDNETADDR), values::ip)?;
    let bind_named = bind_raw.map_or_else(|| keys::both_names(Key::BindNetAddr), |raw| raw.origin.to_string());
    let local = ifaces().map_err(|e| ConfigError(format!("{bind_named}: cannot list the local interfaces: {e}")))?;
    let (bind_addr, warning) = interfaces::resolve(bindnetaddr, &local, &bind_named)?;
    warnings.extend(warning);
    let mcastport = inputs.number(Key::McastPort, Unit::Port, 1..=65534, u32::from(DEFAULT_MCASTPORT))? as u16;
    let mcastaddr = mcastaddr(&inputs, transport, bindnetaddr)?;

    // Members and node id.
    let (members, nodeid) = members_and_nodeid(&inputs, transport, bindnetaddr, bind_addr, mcastport, &mut warnings)?;

    // Crypto.
    let (keyfile, key) = match inputs.get(Key::Keyfile) {
        Some(raw) => {
            let (path, key) = crypto::read_key(raw)?;
            (Some(path), Some(key))
        }
        None => (None, None),
    };
    let (cipher, hash, warning) =
        crypto::choose(key.is_some(), inputs.get(Key::CryptoCipher), inputs.get(Key::CryptoHash))?;
    warnings.extend(warning);

    // Timing and flow control. Ranges keep the protocol's arithmetic sane and
    // catch a value typed in the wrong unit (seconds for milliseconds).
    let token_ms = inputs.number(Key::Token, Unit::Ms, 10..=600_000, 1000)?;
    let token_retransmits = inputs.number(Key::TokenRetransmits, Unit::Count, 1..=100, 4)?;
    let join_ms = inputs.number(Key::Join, Unit::Ms, 1..=60_000, 50)?;
    // corosync's default: long enough for a token loss to be noticed first.
    let consensus_ms = inputs.number(Key::Consensus, Unit::Ms, 1..=720_000, token_ms * 6 / 5)?;
    if consensus_ms <= join_ms {
        let consensus = inputs.get(Key::Consensus).map_or_else(
            || {
                let names = keys::both_names(Key::Consensus);
                format!("consensus (not set: 1.2 x token = {consensus_ms} ms; set {names})")
            },
            |raw| format!("{}: '{}'", raw.origin, raw.value),
        );
        return Err(ConfigError(format!("{consensus} must exceed join ({join_ms} ms)")));
    }
    let merge_ms = inputs.number(Key::Merge, Unit::Ms, 1..=600_000, 200)?;
    // Three visits' worth (corosync: 50): with three members sending, each
    // still fills a visit, and the cost of a rotation (a token, a wake-up per
    // member) is spread over three times the frames. Measured on the namespace
    // LAN (docs/BENCHMARKS.md): three senders of 64 KiB went from 0.7-0.8 to
    // 0.95 of one sender, of 1 KiB from 147k to 171k msgs/s.
    let window_size = inputs.number(Key::WindowSize, Unit::Count, 1..=10_000, 150)?;
    // An unset max_messages follows a small window down, as it cannot exceed it.
    let max_messages =
        inputs.number(Key::MaxMessages, Unit::Count, 1..=10_000, DEFAULT_MAX_MESSAGES.min(window_size))?;
    if max_messages > window_size {
        let raw = inputs.get(Key::MaxMessages).expect("the default never exceeds window_size");
        return Err(raw.error(format_args!("exceeds window_size ({window_size})")));
    }
    // 0 turns it off (the default, never above max_messages).
    let accelerated_window =
        inputs.number(Key::AcceleratedWindow, Unit::Count, 0..=10_000, crate::totem::DEFAULT_ACCELERATED_WINDOW)?;
    if accelerated_window > max_messages {
        let raw = inputs.get(Key::AcceleratedWindow).expect("the default never exceeds max_messages");
        return Err(raw.error(format_args!("exceeds max_messages ({max_messages})")));
    }
    let netmtu = inputs.number(Key::NetMtu, Unit::Bytes, 576..=65_000, 1500)?;
    let udp_segmentation = inputs
        .get(Key::UdpSegmentation)
        .map(|raw| values::choice(raw, "yes or no", &SWITCH))
        .transpose()?
        .unwrap_or(true);

    // At least twice the largest message, so that one always fits; at most 4 GiB - 1.
    let handle_queue_bytes: u32 =
        inputs.number(Key::HandleQueueBytes, Unit::Bytes, 2 << 20..=u32::MAX, DEFAULT_HANDLE_QUEUE_BYTES)?;

    let log = log_level(&inputs, &mut warnings)?;

    Ok(Settings {
        transport,
        bindnetaddr,
        bind_addr,
        mcastaddr,
        mcastport,
        members,
        nodeid,
        keyfile,
        key,
        cipher,
        hash,
        token_ms,
        token_retransmits,
        join_ms,
        consensus_ms,
        merge_ms,
        window_size,
        max_messages,
        accelerated_window,
        udp_segmentation,
        netmtu,
        handle_queue_bytes: handle_queue_bytes as usize,
        log,
        warnings,
    })
}

/// The multicast group: the default of bindnetaddr's family, or the one set,
/// which (for udp, where it is used) must be a group of that family.
fn mcastaddr(inputs: &Inputs, transport: Transport, bindnetaddr: IpAddr) -> Result<IpAddr, ConfigError> {
    let Some(raw) = inputs.get(Key::McastAddr) else {
        return Ok(match bindnetaddr {
            IpAddr::V4(_) => IpAddr::V4(DEFAULT_MCASTADDR_V4),
            IpAddr::V6(_) => IpAddr::V6(DEFAULT_MCASTADDR_V6),
        });
    };
    let addr = values::ip(raw)?;
    if transport == Transport::Udp {
        if !addr.is_multicast() {
            return Err(raw.error("is not a multicast address"));
        }
        if addr.is_ipv4() != bindnetaddr.is_ipv4() {
            return Err(raw.error(format_args!(
                "is {} but bindnetaddr {bindnetaddr} is {}",
                family(addr),
                family(bindnetaddr)
            )));
        }
    }
    Ok(addr)
}

fn family(addr: IpAddr) -> &'static str {
    if addr.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

/// The member list (`EVS_MEMBERS` replaces the file's nodelist as a whole) and
/// the node id (`EVS_NODEID` over `totem.nodeid` over the nodelist entry of this
/// processor's address).
fn members_and_nodeid(
    inputs: &Inputs,
    transport: Transport,
    bindnetaddr: IpAddr,
    bind_addr: IpAddr,
    port: u16,
    warnings: &mut Vec<String>,
) -> Result<(Vec<std::net::SocketAddr>, Option<u32>), ConfigError> {
    let nodes = &inputs.file.nodes;
    let env_members = inputs.get(Key::Members);
    let (members, from_nodelist) = match env_members {
        Some(raw) => {
            if !nodes.is_empty() {
                warnings.push(format!(
                    "{}: replaces the file's nodelist (its addresses and node ids are not used)",
                    raw.origin
                ));
            }
            (members::from_env(raw)?, None)
        }
        None => {
            let members = members::from_nodes(nodes, port)?;
            (members, members::nodeid_of(nodes, bind_addr)?)
        }
    };
    for (member, raw) in members.iter().zip(member_sources(inputs)) {
        if member.is_ipv4() != bindnetaddr.is_ipv4() {
            return Err(raw.error(format_args!(
                "{}{member} is {} but bindnetaddr {bindnetaddr} is {}",
                if env_members.is_some() { "lists " } else { "gives " },
                family(member.ip()),
                family(bindnetaddr)
            )));
        }
    }
    if transport == Transport::Udpu && members.is_empty() {
        let named = inputs.get(Key::Transport).map_or_else(|| "transport".to_string(), |raw| raw.origin.to_string());
        return Err(ConfigError(format!(
            "{named}: 'udpu' needs the member list: set EVS_MEMBERS or a nodelist {{ node {{ ring0_addr: ... }} }} section"
        )));
    }
    if transport == Transport::Udp {
        if let Some(raw) = env_members {
            warnings.push(format!("{}: the member list is only used by transport udpu; ignored with udp", raw.origin));
        }
    }
    let nodeid = match inputs.get(Key::NodeId) {
        Some(raw) => Some(values::nodeid(raw)?),
        None => from_nodelist,
    };
    Ok((members, nodeid))
}

/// Where each member came from, in the member list's order, for messages.
fn member_sources(inputs: &Inputs) -> Box<dyn Iterator<Item = &Raw> + '_> {
    match inputs.get(Key::Members) {
        Some(raw) => Box::new(std::iter::repeat(raw)),
        None => Box::new(inputs.file.nodes.iter().map(|n| &n.ring0_addr)),
    }
}

/// The words a yes-or-no setting takes.
const SWITCH: [(&str, bool); 6] =
    [("on", true), ("off", false), ("yes", true), ("no", false), ("true", true), ("false", false)];

/// `EVS_LOG` if set; else the file's `logging.debug` (on: debug, trace: trace)
/// and `logging.to_stderr` (yes: info). We only log to stderr, so `to_stderr: no`
/// means no log at all.
fn log_level(inputs: &Inputs, warnings: &mut Vec<String>) -> Result<LogLevel, ConfigError> {
    use LogLevel::*;
    if let Some(raw) = inputs.get(Key::Log) {
        let levels =
            [("off", Off), ("error", Error), ("warn", Warn), ("info", Info), ("debug", Debug), ("trace", Trace)];
        return values::choice(raw, "a log level", &levels);
    }
    let debug = match inputs.get(Key::LogDebug) {
        Some(raw) => values::choice(
            raw,
            "a debug setting",
            &[("on", Debug), ("off", Off), ("trace", Trace), ("yes", Debug), ("no", Off)],
        )?,
        None => Off,
    };
    let to_stderr = inputs.get(Key::LogToStderr).map(|raw| values::choice(raw, "yes or no", &SWITCH)).transpose()?;
    Ok(match to_stderr {
        Some(false) => {
            if debug > Off {
                let raw = inputs.get(Key::LogDebug).expect("debug was set");
                warnings
                    .push(format!("{}: no effect with logging.to_stderr off: libevs logs to stderr only", raw.origin));
            }
            Off
        }
        Some(true) => debug.max(Info),
        None => debug,
    })
}
