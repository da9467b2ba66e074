//! Flow control (TOTEM95 §5.3): how many new frames one token visit may originate.

/// What a visit knows when it decides how much to send.
pub(crate) struct FlowInput {
    pub window_size: u32,
    pub max_messages: u32,
    pub max_outstanding: u64,
    /// Frames waiting here.
    pub queued: usize,
    /// Frames the other members originated during the last rotation.
    pub others_fcc: u32,
    /// The other members' send queues, as the token last counted them.
    pub others_backlog: u32,
    /// The token's seq and aru: frames in flight that some member still lacks.
    pub token_seq: u64,
    pub token_aru: u64,
}

/// Frames this visit may originate.
pub(crate) fn allowed(f: &FlowInput) -> usize {
    if f.queued == 0 {
        return 0;
    }
    let queued = f.queued.min(u32::MAX as usize) as u32;
    // The ring as a whole sends at most window_size frames per rotation.
    let window_left = f.window_size.saturating_sub(f.others_fcc);
    let mut n = queued.min(f.max_messages).min(window_left);
    // When the ring has more waiting than a window, each member gets a share
    // proportional to its backlog.
    let total_backlog = f.others_backlog as u64 + queued as u64;
    if total_backlog > f.window_size as u64 {
        let share = (f.window_size as u64 * queued as u64 / total_backlog) as u32;
        n = n.min(share);
    }
    // And at least one frame a visit, even when the others filled the window:
    // otherwise the members early in ring order refill it every rotation and
    // those after them send nothing for as long as the early ones have a
    // backlog. A rotation may so carry up to one frame per member beyond the
    // window; the outstanding bound below still holds.
    n = n.max(1);
    // Never run further ahead of the slowest member than its buffers allow.
    let outstanding = f.token_seq.saturating_sub(f.token_aru);
    let room = f.max_outstanding.saturating_sub(outstanding);
    (n as u64).min(room) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FlowInput {
        FlowInput {
            window_size: 50,
            max_messages: 17,
            max_outstanding: 1000,
            queued: 100,
            others_fcc: 0,
            others_backlog: 0,
            token_seq: 0,
            token_aru: 0,
        }
    }

    #[test]
    fn per_visit_limit() {
        assert_eq!(allowed(&input()), 17);
        assert_eq!(allowed(&FlowInput { queued: 3, ..input() }), 3);
        assert_eq!(allowed(&FlowInput { queued: 0, ..input() }), 0);
    }

    #[test]
    fn window_shared_by_rotation() {
        assert_eq!(allowed(&FlowInput { others_fcc: 40, ..input() }), 10);
        // A full window still lets a member with a backlog send one.
        assert_eq!(allowed(&FlowInput { others_fcc: 60, ..input() }), 1);
    }

    #[test]
    fn fair_share_by_backlog() {
        // 100 here, 300 elsewhere: a quarter of the window.
        assert_eq!(allowed(&FlowInput { others_backlog: 300, ..input() }), 12);
        // A tiny backlog among huge ones still sends one.
        assert_eq!(allowed(&FlowInput { queued: 1, others_backlog: 100_000, ..input() }), 1);
    }

    #[test]
    fn outstanding_bound() {
        assert_eq!(allowed(&FlowInput { token_seq: 995, token_aru: 0, ..input() }), 5);
        assert_eq!(allowed(&FlowInput { token_seq: 2000, token_aru: 0, ..input() }), 0);
    }
}
