//! What a corosync.conf-style file says, for the keys we read: the tree from
//! `syntax.rs` flattened to one raw value per setting, plus the nodelist.
//! Anything we do not read is warned about, never silently dropped or guessed at.

use std::collections::BTreeMap;

use super::error::ConfigError;
use super::keys::{self, Key};
use super::source::{Origin, Raw};
use super::syntax::{self, Entry, Item, Section};

/// The largest configuration file read, in bytes: corosync.conf files are a few
/// KiB, and a name given by mistake (a log, a device) must not be read whole.
pub(crate) const MAX_BYTES: usize = 1 << 20;

/// One `nodelist { node { ... } }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Node {
    pub line: usize,
    pub ring0_addr: Raw,
    pub nodeid: Option<Raw>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FileValues {
    pub values: BTreeMap<Key, Raw>,
    pub nodes: Vec<Node>,
    pub warnings: Vec<String>,
}

/// Read the file's text; `path` names it in messages.
pub(crate) fn read(path: &str, text: &str) -> Result<FileValues, ConfigError> {
    let items = syntax::parse(path, text)?;
    let mut reader = Reader { path, out: FileValues::default() };
    reader.items(&items, "")?;
    Ok(reader.out)
}

struct Reader<'a> {
    path: &'a str,
    out: FileValues,
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

impl Reader<'_> {
    fn raw(&self, entry: &Entry, full: String) -> Raw {
        Raw {
            value: entry.value.clone(),
            origin: Origin::File { path: self.path.to_string(), line: entry.line, key: full },
        }
    }

    fn warn(&mut self, line: usize, what: String) {
        self.out.warnings.push(format!("{}:{line}: {what}", self.path));
    }

    fn items(&mut self, items: &[Item], prefix: &str) -> Result<(), ConfigError> {
        for item in items {
            match item {
                Item::Entry(entry) => self.entry(entry, prefix),
                Item::Section(section) => self.section(section, prefix)?,
            }
        }
        Ok(())
    }

    fn entry(&mut self, entry: &Entry, prefix: &str) {
        let full = join(prefix, &entry.key);
        match keys::by_file_key(&full) {
            Some(key) => {
                let raw = self.raw(entry, full.clone());
                if let Some(Raw { origin: Origin::File { line: first, .. }, .. }) = self.out.values.insert(key, raw) {
                    self.warn(entry.line, format!("{full} is set again (first at line {first}); the last value, '{}', is used", entry.value));
                }
            }
            // Ring 0 is the only ring; `section` already skipped other rings' interfaces.
            None if full == "totem.interface.ringnumber" => {}
            // corosync's secauth turned crypto on with a default key file; quietly
            // running without crypto here would be a misreading worth spelling out.
            None if full == "totem.secauth" => self.warn(
                entry.line,
                "totem.secauth is not supported and does not enable crypto here; set totem.keyfile (and crypto_cipher, crypto_hash)".into(),
            ),
            None => self.warn(entry.line, format!("{full} is not used by libevs; ignored")),
        }
    }

    fn section(&mut self, section: &Section, prefix: &str) -> Result<(), ConfigError> {
        let full = join(prefix, &section.name);
        if full == "nodelist" {
            return self.nodelist(section);
        }
        if full == "totem.interface" {
            if let Some(ring) = ring_number(section) {
                if ring.value != "0" {
                    self.warn(
                        ring.line,
                        format!("interface of ringnumber '{}' ignored: libevs runs ring 0 only", ring.value),
                    );
                    return Ok(());
                }
            }
        }
        if keys::is_known_section(&full) {
            self.items(&section.items, &full)
        } else {
            self.warn(section.line, format!("section '{full}' is not used by libevs; ignored"));
            Ok(())
        }
    }

    fn nodelist(&mut self, nodelist: &Section) -> Result<(), ConfigError> {
        for item in &nodelist.items {
            match item {
                Item::Section(node) if node.name == "node" => self.node(node)?,
                Item::Section(other) => {
                    self.warn(other.line, format!("section 'nodelist.{}' is not used by libevs; ignored", other.name))
                }
                Item::Entry(entry) => {
                    self.warn(entry.line, format!("nodelist.{} is not used by libevs; ignored", entry.key))
                }
            }
        }
        Ok(())
    }

    fn node(&mut self, node: &Section) -> Result<(), ConfigError> {
        let mut ring0_addr: Option<Raw> = None;
        let mut nodeid: Option<Raw> = None;
        for item in &node.items {
            match item {
                Item::Entry(entry) if entry.key == "ring0_addr" || entry.key == "nodeid" => {
                    let full = format!("nodelist.node.{}", entry.key);
                    let raw = self.raw(entry, full.clone());
                    let slot = if entry.key == "ring0_addr" { &mut ring0_addr } else { &mut nodeid };
                    if let Some(Raw { origin: Origin::File { line: first, .. }, .. }) = slot.replace(raw) {
                        self.warn(entry.line, format!("{full} is set again in this node (first at line {first}); the last value, '{}', is used", entry.value));
                    }
                }
                Item::Entry(entry) => {
                    self.warn(entry.line, format!("nodelist.node.{} is not used by libevs; ignored", entry.key))
                }
                Item::Section(other) => self
                    .warn(other.line, format!("section 'nodelist.node.{}' is not used by libevs; ignored", other.name)),
            }
        }
        let Some(ring0_addr) = ring0_addr else {
            return Err(ConfigError(format!("{}:{}: nodelist node has no ring0_addr", self.path, node.line)));
        };
        self.out.nodes.push(Node { line: node.line, ring0_addr, nodeid });
        Ok(())
    }
}

/// The last `ringnumber` of an interface section, if any.
fn ring_number(section: &Section) -> Option<&Entry> {
    section.items.iter().rev().find_map(|item| match item {
        Item::Entry(entry) if entry.key == "ringnumber" => Some(entry),
        _ => None,
    })
}
