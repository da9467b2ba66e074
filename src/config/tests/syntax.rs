//! Malformed files: an error with path:line, never a guess.

use super::*;

#[track_caller]
fn bad(text: &str, line: usize, parts: &[&str]) {
    let message = err(Some(text), &[]);
    let mut all = vec![format!("{PATH}:{line}: ")];
    all.extend(parts.iter().map(|p| p.to_string()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    says(&message, &all);
}

#[test]
fn a_line_that_is_no_item() {
    bad("totem {\n  token 1000\n}", 2, &["'token 1000'"]);
}

#[test]
fn a_closing_brace_too_many() {
    bad("totem {\n}\n}\n", 3, &["'}'"]);
}

#[test]
fn an_unclosed_section() {
    bad("totem {\n interface {\n  mcastport: 5405\n }\n", 4, &["'totem'", "line 1", "not closed"]);
}

#[test]
fn several_items_on_a_line() {
    bad("nodelist {\n node { ring0_addr: 10.0.0.1 }\n}", 2, &["one item per line"]);
}

#[test]
fn a_section_written_with_a_colon() {
    bad("totem: {\n}", 1, &["'totem: {'"]);
}

#[test]
fn bad_names() {
    bad("totem {\n to ken: 1\n}", 2, &["'to ken'"]);
    bad("totem.token: 1\n", 1, &["'totem.token'"]);
    bad(": 1\n", 1, &["missing"]);
    bad("{\n}", 1, &["missing"]);
}

#[test]
fn a_node_without_address() {
    bad("nodelist {\n node {\n  nodeid: 1\n }\n}", 2, &["ring0_addr"]);
}

#[test]
fn the_tree() {
    use crate::config::syntax::{parse, Entry, Item, Section};
    let items = parse("f", "a: 1\nb {\n c: x y {z}\n}\n").unwrap();
    assert_eq!(
        items,
        vec![
            Item::Entry(Entry { key: "a".into(), value: "1".into(), line: 1 }),
            Item::Section(Section {
                name: "b".into(),
                line: 2,
                items: vec![Item::Entry(Entry { key: "c".into(), value: "x y {z}".into(), line: 3 })],
            }),
        ]
    );
}
