//! What a process's processor runs with: the validated result of the configuration.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// How frames reach the other processors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP multicast to `mcastaddr:mcastport`.
    Udp,
    /// UDP unicast to every address of the member list.
    Udpu,
}

/// Encryption of frames; only used with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CryptoCipher {
    None,
    ChaCha20,
}

/// Authentication (HMAC) of frames; only used with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CryptoHash {
    None,
    Sha1,
    Sha256,
}

/// How much the library writes to stderr. Ordered, so `level >= LogLevel::Debug`
/// asks "is debug output on".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// The configuration of this process's processor, every value checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub transport: Transport,
    /// As configured: a local address, or the network address of a local interface.
    pub bindnetaddr: IpAddr,
    /// The local interface address actually used, resolved from `bindnetaddr`.
    /// (An IPv6 link-local address needs its interface's scope id to be bound;
    /// that is the socket layer's business.)
    pub bind_addr: IpAddr,
    /// The multicast group (udp); of `bindnetaddr`'s family.
    pub mcastaddr: IpAddr,
    /// The UDP port; multicast also uses the port after it, as corosync does.
    pub mcastport: u16,
    /// udpu: every processor's address, this one's included. Empty unless given.
    pub members: Vec<SocketAddr>,
    /// This processor's node id, when configured (1..=0x7fffffff); `None` lets the
    /// node derive one.
    pub nodeid: Option<u32>,
    /// Where the key was read from.
    pub keyfile: Option<PathBuf>,
    /// The key's bytes (128..=4096 of them).
    pub key: Option<Vec<u8>>,
    pub cipher: CryptoCipher,
    pub hash: CryptoHash,
    pub token_ms: u32,
    pub token_retransmits: u32,
    pub join_ms: u32,
    pub consensus_ms: u32,
    pub merge_ms: u32,
    pub window_size: u32,
    pub max_messages: u32,
    /// Of a visit's new frames, the most multicast after the token (the
    /// accelerated ring); 0: off. At most `max_messages`.
    pub accelerated_window: u32,
    /// Runs of equal frames go to the kernel as one segmented buffer.
    pub udp_segmentation: bool,
    pub netmtu: u32,
    /// The bound of each handle's queue of pending callbacks, in bytes: past
    /// it a handle that does not dispatch is overrun (`node/handles.rs`).
    pub handle_queue_bytes: usize,
    pub log: LogLevel,
    /// Things the configuration said that were not used (unknown keys and sections,
    /// values set twice...): to be shown to the user, never silently dropped.
    pub warnings: Vec<String>,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Udpu => "udpu",
        }
    }
}

impl CryptoCipher {
    pub fn as_str(self) -> &'static str {
        match self {
            CryptoCipher::None => "none",
            CryptoCipher::ChaCha20 => "chacha20",
        }
    }
}

impl CryptoHash {
    pub fn as_str(self) -> &'static str {
        match self {
            CryptoHash::None => "none",
            CryptoHash::Sha1 => "sha1",
            CryptoHash::Sha256 => "sha256",
        }
    }
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(Transport, CryptoCipher, CryptoHash, LogLevel);
