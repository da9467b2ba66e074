//! The settings we read, each with its corosync.conf key and its environment
//! variable, in one table so the file, the environment and the messages agree.

/// One setting as the user writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    Transport,
    BindNetAddr,
    McastAddr,
    McastPort,
    Members,
    NodeId,
    Keyfile,
    CryptoCipher,
    CryptoHash,
    Token,
    TokenRetransmits,
    Join,
    Consensus,
    Merge,
    WindowSize,
    MaxMessages,
    AcceleratedWindow,
    UdpSegmentation,
    NetMtu,
    HandleQueueBytes,
    Log,
    LogDebug,
    LogToStderr,
}

/// Where a key may be set. `file: None` for what only the environment sets with a
/// single value (the member list comes from the `nodelist` section instead);
/// `env: None` for the file's logging switches, which `EVS_LOG` replaces as a pair.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyInfo {
    pub key: Key,
    pub file: Option<&'static str>,
    pub env: Option<&'static str>,
}

const fn both(key: Key, file: &'static str, env: &'static str) -> KeyInfo {
    KeyInfo { key, file: Some(file), env: Some(env) }
}

pub(crate) const KEYS: &[KeyInfo] = &[
    both(Key::Transport, "totem.transport", "EVS_TRANSPORT"),
    both(Key::BindNetAddr, "totem.interface.bindnetaddr", "EVS_BINDNETADDR"),
    both(Key::McastAddr, "totem.interface.mcastaddr", "EVS_MCASTADDR"),
    both(Key::McastPort, "totem.interface.mcastport", "EVS_MCASTPORT"),
    KeyInfo { key: Key::Members, file: None, env: Some("EVS_MEMBERS") },
    both(Key::NodeId, "totem.nodeid", "EVS_NODEID"),
    both(Key::Keyfile, "totem.keyfile", "EVS_KEYFILE"),
    both(Key::CryptoCipher, "totem.crypto_cipher", "EVS_CRYPTO_CIPHER"),
    both(Key::CryptoHash, "totem.crypto_hash", "EVS_CRYPTO_HASH"),
    both(Key::Token, "totem.token", "EVS_TOKEN"),
    both(Key::TokenRetransmits, "totem.token_retransmits_before_loss_const", "EVS_TOKEN_RETRANSMITS"),
    both(Key::Join, "totem.join", "EVS_JOIN"),
    both(Key::Consensus, "totem.consensus", "EVS_CONSENSUS"),
    both(Key::Merge, "totem.merge", "EVS_MERGE"),
    both(Key::WindowSize, "totem.window_size", "EVS_WINDOW_SIZE"),
    both(Key::MaxMessages, "totem.max_messages", "EVS_MAX_MESSAGES"),
    // Not a corosync setting (Spread's accelerated ring), but a totem tunable like its neighbours.
    both(Key::AcceleratedWindow, "totem.accelerated_window", "EVS_ACCELERATED_WINDOW"),
    both(Key::NetMtu, "totem.netmtu", "EVS_NETMTU"),
    // Not a corosync setting: whether runs of equal frames go to the kernel as
    // one buffer it cuts up (UDP segmentation offload, `net/batch.rs`).
    both(Key::UdpSegmentation, "totem.udp_segmentation", "EVS_UDP_SEGMENTATION"),
    // Not a corosync setting (its daemon bounded each client's IPC buffer), so environment only.
    KeyInfo { key: Key::HandleQueueBytes, file: None, env: Some("EVS_HANDLE_QUEUE_BYTES") },
    KeyInfo { key: Key::Log, file: None, env: Some("EVS_LOG") },
    KeyInfo { key: Key::LogDebug, file: Some("logging.debug"), env: None },
    KeyInfo { key: Key::LogToStderr, file: Some("logging.to_stderr"), env: None },
];

/// The environment variable naming the configuration file.
pub(crate) const CONFIG_ENV: &str = "EVS_CONFIG";

pub(crate) fn info(key: Key) -> &'static KeyInfo {
    KEYS.iter().find(|k| k.key == key).expect("every key is in the table")
}

/// The setting a file key (`totem.token`) stands for.
pub(crate) fn by_file_key(path: &str) -> Option<Key> {
    KEYS.iter().find(|k| k.file == Some(path)).map(|k| k.key)
}

/// Is `path` (`totem`, `totem.interface`) a section holding keys we read?
pub(crate) fn is_known_section(path: &str) -> bool {
    KEYS.iter()
        .filter_map(|k| k.file)
        .any(|f| f.len() > path.len() && f.starts_with(path) && f.as_bytes()[path.len()] == b'.')
}

/// How a setting is named in a message where no single source names it, e.g. a
/// default: "token", "EVS_TOKEN or totem.token".
pub(crate) fn both_names(key: Key) -> String {
    let info = info(key);
    match (info.env, info.file) {
        (Some(env), Some(file)) => format!("{env} or {file}"),
        (Some(one), None) | (None, Some(one)) => one.to_string(),
        (None, None) => unreachable!("every key can be set somewhere"),
    }
}
