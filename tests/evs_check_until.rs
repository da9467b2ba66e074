//! evs-check --until T: only the records up to T, only the safety properties
//! (t-hostile.sh judges an unkeyed ring up to the phase that forges frames).

use std::path::PathBuf;
use std::process::Command;

const CHECK: &str = env!("CARGO_BIN_EXE_evs-check");

/// Two processes in ring 1:4. Process 1 delivers 2's message again at 2000
/// (a P1 violation after T = 1500); process 2 submits a message at 220 that
/// nobody delivers (a P3 self-delivery violation, liveness, judged only at the end).
fn logs() -> (PathBuf, Vec<PathBuf>) {
    let dir = std::env::temp_dir().join(format!("evs-check-until-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p1 = "N 1\nC 100 R 1 4 m:1,2 l: j:\nS 200 0 2\nD 300 1 0 2\nD 310 2 0 2\nD 2000 2 0 2\nE 3000 running\n";
    let p2 = "N 2\nC 100 R 1 4 m:1,2 l: j:\nS 210 0 2\nS 220 1 2\nD 300 1 0 2\nD 310 2 0 2\nE 3000 running\n";
    let paths = vec![dir.join("p1.log"), dir.join("p2.log")];
    std::fs::write(&paths[0], p1).unwrap();
    std::fs::write(&paths[1], p2).unwrap();
    (dir, paths)
}

fn check(args: &[&str], paths: &[PathBuf]) -> (i32, String) {
    let o = Command::new(CHECK).args(args).args(paths).output().expect("run evs-check");
    (o.status.code().unwrap(), String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn until_judges_the_prefix_and_only_safety() {
    let (dir, paths) = logs();
    let (code, out) = check(&[], &paths);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("delivered msg 2/0#0 twice"), "{out}");
    assert!(out.contains("self-delivery"), "{out}");

    // Before the repeat: clean, and the undelivered message is not held against it.
    let (code, out) = check(&["--until", "1500"], &paths);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("safety properties only"), "{out}");

    // A cut after the repeat still sees it, but not the liveness violation.
    let (code, out) = check(&["--until", "2500"], &paths);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("twice") && !out.contains("self-delivery"), "{out}");

    assert_eq!(check(&["--until", "soon"], &paths).0, 2);
    let _ = std::fs::remove_dir_all(dir);
}
