//! Histories from the logs of real processes (`c-tests/evs_node.c` writes
//! them), so that the checker judges multi-process runs as it judges the
//! simulator's.
//!
//! One log per process, one record per line (times in microseconds):
//! `N nodeid`, `S t counter guarantee`, `D t sender counter guarantee`,
//! `C t T|R rep seq m:a,b l:.. j:..`, `E t running|left`; `#` lines are
//! comments. A log without an `E` line is a process that was killed.

use super::history::{Ending, ProcessHistory, Record};
use super::MsgId;
use crate::totem::{ConfigChange, ConfigKind, Guarantee, NodeId, RingId};

/// Parse one process's log. Errors name the line.
pub fn parse_log(name: &str, text: &str) -> Result<ProcessHistory, String> {
    let mut node: Option<NodeId> = None;
    let mut records = Vec::new();
    let mut ending = None;
    let mut last_at = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |what: &str| format!("{name}:{}: {what}: {line}", i + 1);
        let f: Vec<&str> = line.split_whitespace().collect();
        let num = |k: usize| -> Result<u64, String> {
            f.get(k).and_then(|s| s.parse::<u64>().ok()).ok_or_else(|| err("bad number"))
        };
        let guarantee = |k: usize| -> Result<Guarantee, String> {
            Guarantee::from_u8(num(k)? as u8).ok_or_else(|| err("bad guarantee"))
        };
        match f[0] {
            "N" => node = Some(num(1)? as NodeId),
            "S" | "D" | "C" | "E" if node.is_none() => return Err(err("record before the N line")),
            "S" => {
                let msg = MsgId { node: node.unwrap(), incarnation: 0, counter: num(2)? };
                last_at = num(1)?;
                records.push(Record::Submit { at: last_at, msg, guarantee: guarantee(3)? });
            }
            "D" => {
                let msg = MsgId { node: num(2)? as NodeId, incarnation: 0, counter: num(3)? };
                last_at = num(1)?;
                records.push(Record::Deliver { at: last_at, msg, guarantee: guarantee(4)? });
            }
            "C" => {
                let kind = match f.get(2) {
                    Some(&"T") => ConfigKind::Transitional,
                    Some(&"R") => ConfigKind::Regular,
                    _ => return Err(err("bad configuration kind")),
                };
                let list = |prefix: &str| -> Result<Vec<NodeId>, String> {
                    let field = f.iter().find(|s| s.starts_with(prefix)).ok_or_else(|| err("missing list"))?;
                    let body = &field[prefix.len()..];
                    if body.is_empty() {
                        return Ok(Vec::new());
                    }
                    body.split(',').map(|s| s.parse::<NodeId>().map_err(|_| err("bad node id"))).collect()
                };
                last_at = num(1)?;
                let change = ConfigChange {
                    kind,
                    ring_id: RingId { rep: num(3)? as NodeId, seq: num(4)? },
                    members: list("m:")?,
                    left: list("l:")?,
                    joined: list("j:")?,
                };
                records.push(Record::Config { at: last_at, change });
            }
            "E" => {
                let at = num(1)?;
                ending = Some(match f.get(2) {
                    Some(&"running") => Ending::Running,
                    Some(&"left") => Ending::Left { at },
                    _ => return Err(err("bad ending")),
                });
            }
            _ => return Err(err("unknown record")),
        }
    }
    let node = node.ok_or_else(|| format!("{name}: no N line"))?;
    Ok(ProcessHistory { node, incarnation: 0, records, ending: ending.unwrap_or(Ending::Crashed { at: last_at }) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_record_and_a_missing_end_is_a_crash() {
        let text = "N 7\nC 10 R 7 4 m:7,9 l: j:9\nS 11 0 2\nD 12 7 0 2\n# comment\nC 20 T 7 4 m:7 l:9 j:\n";
        let h = parse_log("a", text).unwrap();
        assert_eq!(h.node, 7);
        assert_eq!(h.records.len(), 4);
        assert_eq!(h.ending, Ending::Crashed { at: 20 });
        match &h.records[3] {
            Record::Config { change, .. } => {
                assert_eq!(change.kind, ConfigKind::Transitional);
                assert_eq!(change.left, vec![9]);
                assert!(change.joined.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let done = parse_log("b", "N 1\nE 5 left\n").unwrap();
        assert_eq!(done.ending, Ending::Left { at: 5 });
    }

    #[test]
    fn rejects_malformed_lines_with_their_place() {
        assert!(parse_log("x", "S 1 2 3\n").unwrap_err().contains("x:1"));
        assert!(parse_log("x", "N 1\nD 1 2 3 9\n").unwrap_err().contains("bad guarantee"));
        assert!(parse_log("x", "N 1\nC 1 Q 1 4 m:1 l: j:\n").is_err());
        assert!(parse_log("x", "N 1\nZ\n").is_err());
        assert!(parse_log("x", "").is_err());
    }
}
