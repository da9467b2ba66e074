//! The replay trace: `EVS_SIM_TRACE=1` prints faults, processor state changes,
//! configuration changes and incarnation starts and ends; `EVS_SIM_TRACE=2` adds
//! every packet, submit and delivery. Meant for one seed at a time.

use evs::totem::Time;

pub fn level_from_env() -> u8 {
    std::env::var("EVS_SIM_TRACE").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

/// Virtual time as seconds with microsecond digits: "12.000345s".
pub fn fmt_time(t: Time) -> String {
    format!("{}.{:06}s", t / 1_000_000, t % 1_000_000)
}

/// A one-line summary of a packet's membership content (data and tokens are
/// summarised by their ring and seq only).
pub fn describe(bytes: &[u8]) -> String {
    use evs::totem::packet::Packet;
    match evs::totem::wire::decode(bytes) {
        Ok(Packet::Join(j)) => {
            format!(
                "JOIN from {} seq {} number {} proc {:?} fail {:?} poor {:?} unreached {:?}{}",
                j.sender,
                j.ring_seq,
                j.number,
                j.proc_set,
                j.fail_set,
                j.poor_links,
                j.unreached,
                if j.judging { " judging" } else { "" }
            )
        }
        Ok(Packet::Commit(c)) => format!(
            "COMMIT {}:{} hops {} members {:?}",
            c.ring_id.rep,
            c.ring_id.seq,
            c.hops,
            c.members.iter().map(|e| e.node).collect::<Vec<_>>()
        ),
        Ok(Packet::Token(t)) => format!(
            "TOKEN {}:{} tseq {} seq {} aru {} quiet {}",
            t.ring_id.rep, t.ring_id.seq, t.token_seq, t.seq, t.aru, t.quiet
        ),
        Ok(Packet::Data(d)) => format!("DATA {}:{} seq {} from {}", d.ring_id.rep, d.ring_id.seq, d.seq, d.sender),
        Ok(Packet::Resent(d)) => format!("RESENT {}:{} seq {} from {}", d.ring_id.rep, d.ring_id.seq, d.seq, d.sender),
        Ok(Packet::MergeDetect(n)) => format!("MERGE-DETECT {}:{} from {}", n.ring_id.rep, n.ring_id.seq, n.sender),
        Ok(Packet::Leave(n)) => format!("LEAVE {}:{} from {}", n.ring_id.rep, n.ring_id.seq, n.sender),
        Ok(Packet::HoldCancel(n)) => format!("HOLD-CANCEL from {}", n.sender),
        Err(e) => format!("undecodable: {e}"),
    }
}
