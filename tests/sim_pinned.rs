//! Dedicated scenarios for known liveness defects of the core, each built by hand
//! so that it keeps reproducing the same situation whatever the generators do.
//! They are expected to FAIL until the core is fixed: they are not ignored.
mod sim;

use evs::check::Record;
use evs::totem::{Config, NodeId, State, MS};

use sim::app::Workload;
use sim::network::{Cast, LinkParams};
use sim::scenario::SETTLE;
use sim::{run_scenario, Action, Family, Scenario};

fn base(family: Family, n: u32, faults_end: u64, rate: f64, schedule: Vec<(u64, Action)>) -> Scenario {
    let mut schedule = schedule;
    schedule.push((faults_end, Action::Clean));
    Scenario {
        family,
        seed: 0,
        starts: (1..=n).map(|id| (id as NodeId, 0)).collect(),
        clean_net: LinkParams::clean(),
        initial_net: LinkParams::clean(),
        workload: Workload {
            rate,
            burst: 1,
            mix: [1, 1, 1, 1],
            max_padding: 64,
            tiny: 0.0,
            stop: faults_end,
            retry_min: MS,
            retry_max: 5 * MS,
            max_owed: 2_000,
        },
        schedule,
        faults_end,
        end: faults_end + SETTLE,
        config: Config::new(1),
    }
}

fn assert_clean(s: &Scenario) {
    let out = run_scenario(s);
    assert!(
        out.violations.is_empty(),
        "{}: {} violations:\n  {}",
        s.summary(),
        out.violations.len(),
        out.violations.join("\n  ")
    );
}

/// Defect 1: ring {1,2,3}; when 2 enters Recovery, 3's multicasts stop reaching 2
/// while every unicast still works. Recovery must finish (without 2 or 3).
#[test]
fn defect1_multicast_loss_at_recovery() {
    let when = Action::When {
        node: 2,
        state: State::Recovery,
        then: Box::new(Action::CastLoss { from: 3, to: 2, cast: Cast::Multicast, loss: 1.0 }),
    };
    assert_clean(&base(Family::Trigger, 3, 15_000 * MS, 50.0, vec![(0, when)]));
}

/// Defect 2: a processor that sends but cannot receive must not make the others
/// reconfigure every merge timeout for as long as it lasts.
#[test]
fn defect2_deaf_processor() {
    let deaf = Action::Deaf { node: 4, on: true };
    assert_clean(&base(Family::Deaf, 4, 15_000 * MS, 300.0, vec![(1_000 * MS, deaf)]));
}

/// Defect 3: a graceful leaver's last multicast reaches nobody, and it leaves once
/// it delivered it itself. The others, on a clean network among themselves, must
/// deliver every message the leaver delivered of its own.
#[test]
fn defect3_leave_loses_last_messages() {
    let mut schedule = Vec::new();
    for to in [1, 2] {
        schedule.push((2_000 * MS, Action::CastLoss { from: 3, to, cast: Cast::Multicast, loss: 1.0 }));
    }
    schedule.push((2_000 * MS, Action::Leave(3)));
    let s = base(Family::Leave, 3, 2_030 * MS, 300.0, schedule);
    let out = run_scenario(&s);
    let delivered = |node: NodeId| -> Vec<_> {
        out.history
            .processes
            .iter()
            .filter(|p| p.node == node)
            .flat_map(|p| &p.records)
            .filter_map(|r| if let Record::Deliver { msg, .. } = r { Some(*msg) } else { None })
            .filter(|m| m.node == 3)
            .collect()
    };
    let leaver = delivered(3);
    for other in [1, 2] {
        let got = delivered(other);
        let lost: Vec<_> = leaver.iter().filter(|m| !got.contains(m)).collect();
        assert!(
            lost.is_empty(),
            "node {other} never delivered {} messages the leaver 3 delivered: {lost:?}",
            lost.len()
        );
    }
    assert!(out.violations.is_empty(), "{}", out.violations.join("\n  "));
}

/// A member that hears no other member's multicast (only unicast reaches it):
/// the commit token comes to it over unicast, and were it to accept, the ring
/// would fail it for not receiving, re-form with it, and stall every ~2 s for
/// as long as the fault lasts. The others must go on without it.
#[test]
fn member_hearing_no_multicast_is_left_out() {
    let mut schedule = Vec::new();
    for from in [1, 3] {
        schedule.push((500 * MS, Action::CastLoss { from, to: 2, cast: Cast::Multicast, loss: 1.0 }));
    }
    assert_clean(&base(Family::Asym, 3, 15_000 * MS, 80.0, schedule));
}

/// Deaf seed 5309, pinned: a processor deaf from its start re-forms alone about
/// every second, each time with a newer epoch; each of its joins reset the
/// others' fail set and consensus timer, and five of eight sat in Gather for
/// 18 s. Joins are now judged on the sets they leave (`membership.rs`).
#[test]
fn deaf_processor_epochs_do_not_keep_the_others_gathering() {
    assert_clean(&sim::generate(Family::Deaf, 5309));
}
