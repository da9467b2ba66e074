//! The library's configuration: what this process's processor runs with.
//!
//! A program written for corosync passes no settings to `evs_initialize`, so they
//! are read when the processor starts: from a file in corosync.conf's syntax named
//! by `EVS_CONFIG` (its `totem { }`, `nodelist { }` and `logging { }` keys that we
//! support), each key overridden by its environment variable (`EVS_TOKEN`...).
//! The table in the API contract lists them with their defaults. With nothing set,
//! processes on one machine find each other by multicast on the loopback interface.
//!
//! Every value is checked; a bad one is a [`ConfigError`] naming the variable or
//! file line and the value, never replaced by a default. Keys we do not read are
//! kept as [`Settings::warnings`].
//!
//! The pieces, one file each: `syntax` (the file's grammar), `file` (its keys),
//! `keys` (the table of names), `source` (where a value came from), `values`
//! (numbers, addresses, words), `interfaces` (bindnetaddr to a local address),
//! `members` (udpu list and node id), `crypto` (key, cipher, hash) and `assemble`
//! (defaults and checks across keys).

mod assemble;
mod bounded;
mod crypto;
mod error;
mod file;
mod interfaces;
mod keys;
mod members;
mod settings;
mod source;
mod syntax;
mod values;

#[cfg(test)]
mod tests;

pub use assemble::{
    DEFAULT_BINDNETADDR, DEFAULT_HANDLE_QUEUE_BYTES, DEFAULT_MCASTADDR_V4, DEFAULT_MCASTADDR_V6, DEFAULT_MCASTPORT,
};
pub use error::ConfigError;
pub use settings::{CryptoCipher, CryptoHash, LogLevel, Settings, Transport};

use interfaces::Iface;

impl Settings {
    /// The settings of this process: the file named by `EVS_CONFIG` (if set) and
    /// the `EVS_*` environment variables.
    pub fn from_env() -> Result<Settings, ConfigError> {
        // A variable that is not valid UTF-8 is read lossily, so that it fails
        // to parse with a message instead of being taken as unset.
        let env = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
        let file = match env(keys::CONFIG_ENV) {
            Some(path) => {
                let text = config_text(&path)?;
                Some((path, text))
            }
            None => None,
        };
        Settings::from_sources(file.as_ref().map(|(p, t)| (p.as_str(), t.as_str())), &env)
    }

    /// The testable core of [`Settings::from_env`]: `file_text` is the file's path
    /// (for messages, and to find a relative keyfile) and text; `env` looks up an
    /// environment variable. Local interfaces are the machine's.
    pub fn from_sources(
        file_text: Option<(&str, &str)>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        Settings::from_sources_with(file_text, env, &interfaces::local)
    }

    /// [`Settings::from_sources`] with the list of local interfaces given, so that
    /// tests can pretend to have any network.
    pub(crate) fn from_sources_with(
        file_text: Option<(&str, &str)>,
        env: &dyn Fn(&str) -> Option<String>,
        ifaces: &dyn Fn() -> Result<Vec<Iface>, String>,
    ) -> Result<Settings, ConfigError> {
        let file = file_text.map(|(path, text)| file::read(path, text)).transpose()?;
        assemble::settings(assemble::Inputs::new(file, env), ifaces)
    }
}

/// The text of the configuration file at `path`: a regular file of at most
/// [`file::MAX_BYTES`] bytes of UTF-8 (see `bounded` for why).
pub(crate) fn config_text(path: &str) -> Result<String, ConfigError> {
    let complain = |what: &dyn std::fmt::Display| ConfigError(format!("{}: '{path}' {what}", keys::CONFIG_ENV));
    let bytes = bounded::read_regular(path.as_ref(), file::MAX_BYTES).map_err(|e| complain(&e))?;
    String::from_utf8(bytes).map_err(|_| complain(&"is not UTF-8 text"))
}
