//! The one error of configuration: a line that tells the user what to fix.

use std::fmt;

/// Why the configuration cannot be used: one line naming the key or environment
/// variable and the offending value, e.g.
/// `EVS_TOKEN: 'abc' is not a number of milliseconds`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl From<String> for ConfigError {
    fn from(message: String) -> ConfigError {
        ConfigError(message)
    }
}
