//! Simulation family `asym`: see `fault_families::asym` in tests/sim/fault_families.rs for
//! what a scenario does. EVS_SIM_SEEDS / EVS_SIM_SEED_BASE choose the seeds,
//! EVS_SIM_TRACE=1 traces a replay.
//!
//! Judged like every family, on 100 seeds in `make check`. Of the 900 seeds
//! the rules below were tuned on (300 from each of 0, 1000 and 2000,
//! `EVS_SIM_SEED_BASE=<base> EVS_SIM_SEEDS=300 cargo test --release --test
//! sim_asym`) none fails the progress property, nor any of 1500 seeds they
//! had not been tuned on (300 from each of 3000 to 7000); of 1800 seeds no
//! session had looked at before 2026-12-03 (g) (300 from each of 8000 to
//! 13000) 2 fail (8113, 8290; of the first 1200, 9 failed on the core that
//! session began with), and 1 of the 2000 `make soak` runs (from 100000;
//! 101761).
//! docs/RELIABILITY.md names them, and says how any change of traffic moves
//! the tangles below from seed to seed.
//! One-way loss on the token's path is bridged by the token relay
//! (`src/totem/relay.rs`; a third of the seeds failed before it); a member that
//! hears no other member's multicast refuses the commit token (`membership.rs`;
//! seeds 64 and 82); the exclusion cap is in B; a member whose aru stays behind
//! for a token timeout (and a few visits) gives up on the ring (`token.rs`,
//! `check_receive_failure`; seed 75 kept a ring in which 3 heard 1 only through
//! 2's retransmissions, and took 2.4 s of visits to notice it had lost them); a
//! ring gathers for another ring's merge-detect only if it names all of its
//! members and it heard every member of the other ring, and any member answers
//! a detect (`processor.rs`, `on_merge_detect`; seed 35: 1, which heard 2 at
//! 40% and never 3, re-formed {2,3} each time its exclusion ran out; seed 31:
//! 1 gathered, alone, each time 2 named it, though it never heard 3); a
//! gatherer takes a commit token only if it heard the join of the
//! representative that made it (`membership.rs`; seed 2233: 1, whose
//! multicasts reached nobody, led every formation on sets carried over from the
//! old ring and stalled each recovery for 21 s). A ring kept over a link only
//! the relay crosses gives way to a newcomer whose detects keep naming us
//! (`processor.rs`, `newcomer_proved`; seed 8: {2,3} over 3's lost unicast to
//! 2 kept 1 alone, where {1,3} is clean), and a gatherer does not adopt the
//! verdicts of a processor its unicast no longer reaches (`membership.rs`,
//! `process_join`). Membership weighs link quality (docs/ARCHITECTURE.md,
//! "Link quality"): numbered joins and detects show whom a processor hears
//! poorly, joins carry the poor links, and the ring formed is cut along them
//! (seed 1092: 1 missed most of 2's and 3's multicast, and {1,2,3} re-formed
//! five times in 15 s); a ring does not gather for a detect whose sender it
//! hears poorly (seed 1093: {1,2} and {3} gathered together every few
//! seconds); and a member that misses most of another's frames leaves a ring
//! that crawls (seed 1143: {1,2,3} delivered seconds late for 18 s). A
//! sender whose frames all come resent while the others' do not is heard
//! poorly (seed 1110), and so is one silent for a whole gathering, until
//! heard again (seed 2127). A unicast that fails one way, which numbered
//! multicasts cannot see, is judged by its receiver on the first copy of each
//! token (`unreached.rs`) and breaks the cut's ties (seeds 1220 and 1298 kept
//! {2,3} over 3's dead unicast to 2 while {1,3} was clean). A lost commit
//! token fails only the member it stopped at, and a gatherer refuses a
//! processor's verdicts only on that processor's measure of our unicast
//! (`membership.rs`; seed 4180: 3, failed with 2 by 1 when 2 refused 1's
//! token, formed {2,3} over a lossy unicast and left 1 alone). A link the
//! rings were cut along stands until its hearer hears well (`cut_links.rs`;
//! seeds 3223 and 7047 re-formed the same rings each time the cut's
//! exclusions ran out).
//! A commit token's first resend goes by multicast, and the ring it forms
//! starts with the fallback (`forward.rs`; seed 241: {2,3}, clean by
//! multicast, unicasts dead both ways, failed to form every few seconds, and
//! 3 counted a configuration each time). A member that gives up on a ring
//! none of whose frames reached it names every member silent (`hearing.rs`,
//! `ring_fell_silent`; seed 4011), and a processor alone that gathers and
//! hears no one goes on with its ring (`recovery.rs`, `resume_alone`; seed
//! 13206), and a gatherer the cut leaves alone waits while another is still
//! judging a link (`others_still_judging`; seeds 8074 and 10090). What
//! remains: a clean pair split by a cut made before the fault that should
//! decide it was measured (8113, 101761: the processor that hears no one lost
//! the token, which a crash looks the same as), and a clean ring formed just
//! past B (8290).
mod sim;

use sim::{generate, run_family, run_scenario, Family};

/// Seeds whose progress failure was fixed by a rule of the core (named in
/// the header), judged on everything, the progress property included. The
/// tangles move with any change of traffic, so a failure here may also be a
/// seed that a change moved back into one: replay it before blaming the rule.
/// - 8: a ring kept by the relay gives way to a clean newcomer;
/// - 244: a gatherer does not adopt the verdicts of a processor its unicast
///   no longer reaches (3 adopted 1's against 2 first and formed {1,3} over a
///   70% lossy link, where {2,3} is clean);
/// - 1092: the ring is cut along poor links (1 missed most of 2's and 3's
///   multicast and {1,2,3} re-formed five times in 15 s);
/// - 1093: a ring does not gather for a detect whose sender it hears poorly
///   (once {1,2} and {3} were apart, their detects sent them gathering
///   together every few seconds);
/// - 1143: a member that misses most of another's frames leaves a ring that
///   crawls ({1,2,3} delivered seconds late for 18 s over 81% and 69% losses);
/// - 1110: a member all of whose frames from one sender come resent, while
///   the others' reach it, hears that sender poorly (`frame_loss.rs`; 1's
///   multicast never reached 2, and 2 waited 3.7 s in a gathering with 1);
/// - 2127: a processor silent for a whole gathering is a poor link until
///   heard again (`hearing.rs`, `fell_silent`; 2 waited out a consensus
///   timeout for 1, whose packets never reached it, in gathering after
///   gathering; 12 of its own messages waited past the bound D = 5.25 s);
/// - 1220 and 1298: of two processors a poor link parts, the one a dead
///   unicast would keep inside the ring leaves (`unreached.rs`; 3's unicast
///   to 2 was dead and {2,3} was kept over the fallback while {1,3} was clean);
/// - 4180: a lost commit token fails only the member it stopped at (1 failed
///   3 with 2, and {2,3} formed over a lossy unicast while {1,3} was clean);
/// - 3223 and 7047: a link the rings were cut along stands until its hearer
///   hears well (`cut_links.rs`; in 3223 1 heard 2 well and gathered for each
///   of 2's detects, and {1,3} re-formed around 2 every 2-4 s, one
///   configuration more than the property allows; 7047 fails with the rule
///   switched off, 3223 passes then too, since the commit token's change);
/// - 6093: 3, alone, gathered for the detects of 1, which it hears at 88%
///   loss (runs of more than 8 misses count as outages, so the link looks
///   half lost), and re-formed alone; it passes since the cut links and the
///   commit token's changes, which one of them does it is not traced;
/// - 1220 also needs the newcomer swap across a standing cut link: {2,3} was
///   cut before 3's unicast to 2 was known dead;
/// - 241 and 6135: a commit token's first resend goes by multicast (`forward.rs`;
///   in 241 {2,3}, whose unicasts are dead both ways, failed to form every
///   few seconds, and 3 counted a configuration each time);
/// - 5274: a commit token the multicast resend delivered starts the fallback
///   for the ring it forms ({2,3}'s recovery timed out on a dead unicast, 9.5 s
///   without a configuration); since the session of 2026-12-03 (g) it also
///   needs the hearer's detects to name a cut link's other end only once it
///   hears it well (`Hearing::hears_well`), and so do 7140 and 7220;
/// - 1165 and 7220: the hearer of a cut link merges across it only once it
///   hears well, a margin past "not poor" (in 1165 1 heard 2 at 45% loss,
///   merged each time the link looked a little better, and the gathering
///   cut the rings apart again: 1 installed 5 configurations where 4 are
///   allowed);
/// - 8083, 8267 and 11141: a hearer with a poor link names its lossy links
///   poor too (`membership.rs`, `note_own_links`; the cut took out the other
///   end of its poor link and split a clean pair, one of which it kept);
/// - 9182, 10170 and 11222: the hearer of a link its ring was cut along
///   leaves the ring once it misses many of a member's frames (`delivery.rs`,
///   `hearing_fails_across_a_cut`; in 9182 1 hears nothing of 3 and 2 at 38%
///   loss, {1,2} formed before that loss was measured, and 3 stayed alone
///   for 14 s while {2,3} is clean);
/// - 12283: a link we hear lossily is named poor when its other end is at an
///   end of a poor link (`note_own_links`; 2 heard 3 poorly, 1 heard 2 at 35%
///   loss, the tie-break took 3 out, and 3 was alone 2.5 s while {1,3} is
///   clean);
/// - 4011: a member that gives up on a ring none of whose frames reached it
///   while it waited names every member silent (`hearing.rs`,
///   `ring_fell_silent`; 1 heard nothing of 2's or 3's multicast, its joins
///   named only (1,3), the tie-break took 3 out, and 3 formed a ring alone
///   87 ms into the gathering, 3.6 s before {2,3}, clean, formed);
/// - 13206: a processor alone that gathers and hears no one's join goes on
///   with its ring (`recovery.rs`, `resume_alone`; 2, alone and hearing 1 at
///   86% loss, gathered for each of 1's detects that got through and
///   installed five rings of itself in 5 s);
/// - 8074 and 10090: a gatherer the cut leaves alone waits, early in the
///   gathering, while a fellow gatherer says it is still judging a link
///   (`membership.rs`, `others_still_judging`; in 8074 2 was judging its 70%
///   lossy link from 3, the cut on (2,1) alone took 1 out, and three-way
///   gatherings cut 1, 2 and 3 out alone three times in 4 s while {1,3} is
///   clean; in 10090, where no pair is clean, 2 installed 5 rings of itself
///   where 4 are allowed).
#[test]
fn asym_seeds_fixed_by_design() {
    for seed in [
        8, 241, 244, 1092, 1093, 1110, 1143, 1165, 1220, 1298, 2127, 3223, 4011, 4180, 5274, 6093, 6135, 7047, 7140,
        7220, 8074, 8083, 8267, 9182, 10090, 10170, 11141, 11222, 12283, 13206,
    ] {
        let s = generate(Family::Asym, seed);
        let out = run_scenario(&s);
        assert!(out.violations.is_empty(), "seed {seed}: {}", out.violations.join("; "));
    }
}

// Two tests share the seeds so that both cores work.
#[test]
fn asym_part_1() {
    run_family(Family::Asym, 0, 2);
}

#[test]
fn asym_part_2() {
    run_family(Family::Asym, 1, 2);
}
