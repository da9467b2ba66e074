//! corosync.conf's syntax, read into a tree; what the keys mean is `file.rs`'s job.
//!
//! The format is line based, as corosync's own: every line is blank, a comment,
//! `name {`, `}` or `key: value` (the value runs to the end of the line). Anything
//! else is an error with path:line, rather than a guess, so that a mistyped line
//! is never read as something else.

use super::error::ConfigError;

/// `key: value` on line `line` (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// `name { ... }` opened on line `line`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Section {
    pub name: String,
    pub line: usize,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    Entry(Entry),
    Section(Section),
}

/// How deep sections may nest. corosync.conf nests two levels (`totem {
/// interface { } }`, `nodelist { node { } }`); the bound keeps a malformed or
/// hostile file from building a tree whose recursive walk or drop would
/// overflow the stack of the thread calling `evs_initialize`.
pub(crate) const MAX_DEPTH: usize = 32;

/// Parse a whole file; `path` is only used in messages.
pub(crate) fn parse(path: &str, text: &str) -> Result<Vec<Item>, ConfigError> {
    let error = |line: usize, what: String| ConfigError(format!("{path}:{line}: {what}"));
    // The innermost open section is last; the file itself is the unnamed root.
    let mut open = vec![Section { name: String::new(), line: 0, items: Vec::new() }];
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = if index == 0 { raw.trim_start_matches('\u{feff}') } else { raw };
        let content = strip_comment(raw).trim();
        if content.is_empty() {
            continue;
        }
        if content == "}" {
            if open.len() == 1 {
                return Err(error(line, "'}' closes no open section".into()));
            }
            let done = open.pop().expect("checked above");
            open.last_mut().expect("root stays").items.push(Item::Section(done));
            continue;
        }
        // Whichever of ':' and '{' comes first decides what the line is, so a value
        // may hold braces and a section name may not hold a colon.
        match content.find([':', '{']) {
            Some(at) if content.as_bytes()[at] == b'{' => {
                let name = content[..at].trim();
                if !content[at + 1..].trim().is_empty() {
                    return Err(error(line, format!("'{content}': put one item per line, nothing after '{{'")));
                }
                check_name(name).map_err(|what| error(line, what))?;
                // `open` holds the root too: its length is the new section's depth.
                if open.len() > MAX_DEPTH {
                    return Err(error(line, format!("section '{name}' nests deeper than {MAX_DEPTH} levels")));
                }
                open.push(Section { name: name.to_string(), line, items: Vec::new() });
            }
            Some(at) => {
                let key = content[..at].trim();
                let value = content[at + 1..].trim();
                check_name(key).map_err(|what| error(line, what))?;
                if value == "{" {
                    return Err(error(line, format!("'{content}': a section is written '{key} {{', without ':'")));
                }
                let entry = Entry { key: key.to_string(), value: value.to_string(), line };
                open.last_mut().expect("root stays").items.push(Item::Entry(entry));
            }
            None => {
                return Err(error(line, format!("'{content}' is not 'key: value', 'name {{' or '}}'")));
            }
        }
    }
    if open.len() > 1 {
        let unclosed = open.last().expect("checked");
        let last = text.lines().count();
        return Err(error(last, format!("section '{}' opened at line {} is not closed", unclosed.name, unclosed.line)));
    }
    Ok(open.pop().expect("root").items)
}

/// Drop a comment: a line whose first non-blank character is `#`, or the rest of a
/// line from a `#` that follows a blank (so `key: value  # why` works, while a `#`
/// inside a value such as `a#b` is kept).
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            return &line[..i];
        }
    }
    line
}

/// Names are corosync's: letters, digits, `_` and `-`. A dot would make a key look
/// like a path of sections, which it is not.
fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else if name.is_empty() {
        Err("a key or section name is missing".into())
    } else {
        Err(format!("'{name}' is not a key or section name (letters, digits, '_' and '-')"))
    }
}
