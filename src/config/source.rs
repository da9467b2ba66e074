//! A raw value and where it came from, so that every message can name the exact
//! variable or file line the user has to change.

use std::fmt;

use super::error::ConfigError;

/// Where a value was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// An environment variable, e.g. `EVS_TOKEN`.
    Env(&'static str),
    /// A file key: the file's path, the line and the full key (`totem.token`).
    File { path: String, line: usize, key: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Env(name) => f.write_str(name),
            Origin::File { path, line, key } => write!(f, "{path}:{line}: {key}"),
        }
    }
}

/// A value as written (trimmed), not yet interpreted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Raw {
    pub value: String,
    pub origin: Origin,
}

impl Raw {
    /// The standard complaint: `ORIGIN: 'VALUE' PROBLEM`.
    pub fn error(&self, problem: impl fmt::Display) -> ConfigError {
        ConfigError(format!("{}: '{}' {problem}", self.origin, self.value))
    }
}
