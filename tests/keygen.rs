//! evs-keygen, run as a program in temporary directories: the key's mode and
//! size, the refusal to overwrite (the old key left intact), --force, fresh
//! randomness, usage errors, and no temporary file left behind.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const KEYGEN: &str = env!("CARGO_BIN_EXE_evs-keygen");

/// An empty directory of its own for each test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("evs-keygen-test-{}-{tag}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(KEYGEN).args(args).current_dir(dir).output().expect("run evs-keygen")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited, not killed")
}

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

/// The directory holds exactly these names: no temporary file was left.
fn only(dir: &Path, names: &[&str]) {
    let mut found: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    found.sort();
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(found, want, "files in {}", dir.display());
}

#[test]
fn default_key_is_128_bytes_mode_0400_in_the_current_directory() {
    let d = TempDir::new("default");
    let o = run(&d.0, &[]);
    assert_eq!(code(&o), 0, "{o:?}");
    let key = d.0.join("evs_authkey");
    assert_eq!(fs::read(&key).unwrap().len(), 128);
    assert_eq!(mode(&key), 0o400);
    only(&d.0, &["evs_authkey"]);
}

#[test]
fn size_option_and_the_accepted_range() {
    let d = TempDir::new("size");
    for (size, name) in [("128", "a"), ("200", "b"), ("4096", "c")] {
        let o = run(&d.0, &["-k", name, "-s", size]);
        assert_eq!(code(&o), 0, "-s {size}: {o:?}");
        assert_eq!(fs::read(d.0.join(name)).unwrap().len().to_string(), size);
        assert_eq!(mode(&d.0.join(name)), 0o400);
    }
    // Long options too, and a path with a directory part.
    fs::create_dir(d.0.join("sub")).unwrap();
    let o = run(&d.0, &["--key-file", "sub/k", "--size", "300"]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert_eq!(fs::read(d.0.join("sub/k")).unwrap().len(), 300);
    only(&d.0.join("sub"), &["k"]);
}

#[test]
fn bad_sizes_and_arguments_are_usage_errors_that_write_nothing() {
    let d = TempDir::new("usage");
    for args in [
        &["-s", "127"][..],
        &["-s", "4097"],
        &["-s", "0"],
        &["-s", "-128"],
        &["-s", "lots"],
        &["-s", ""],
        &["-s"],
        &["-k"],
        &["-k", ""],
        &["-x"],
        &["extra"],
    ] {
        let o = run(&d.0, args);
        assert_eq!(code(&o), 2, "{args:?}: {o:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("usage: evs-keygen"), "{args:?}: {o:?}");
    }
    only(&d.0, &[]);
    let o = run(&d.0, &["-h"]);
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).contains("usage: evs-keygen"));
    only(&d.0, &[]);
}

#[test]
fn an_existing_key_is_kept_unless_forced() {
    let d = TempDir::new("force");
    let key = d.0.join("k");
    assert_eq!(code(&run(&d.0, &["-k", "k"])), 0);
    let old = fs::read(&key).unwrap();

    // Without -f: exit 1, a message naming the way out, the old key untouched.
    let o = run(&d.0, &["-k", "k", "-s", "256"]);
    assert_eq!(code(&o), 1, "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("exists") && err.contains("-f"), "{err}");
    assert_eq!(fs::read(&key).unwrap(), old);
    assert_eq!(mode(&key), 0o400);
    only(&d.0, &["k"]);

    // With -f: a new key of the new size, still 0400.
    let o = run(&d.0, &["-k", "k", "-s", "256", "-f"]);
    assert_eq!(code(&o), 0, "{o:?}");
    let new = fs::read(&key).unwrap();
    assert_eq!(new.len(), 256);
    assert_ne!(&new[..128], &old[..]);
    assert_eq!(mode(&key), 0o400);
    only(&d.0, &["k"]);

    // --force replaces a key made writable meanwhile, and resets the mode.
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(code(&run(&d.0, &["-k", "k", "--force"])), 0);
    assert_eq!(mode(&key), 0o400);
    assert_eq!(fs::read(&key).unwrap().len(), 128);
}

#[test]
fn a_symlink_in_the_way_is_not_followed() {
    // A dangling link could point anywhere (another user's file, /etc/...):
    // without -f it counts as an existing name and nothing is written through it.
    let d = TempDir::new("symlink");
    symlink(d.0.join("elsewhere"), d.0.join("k")).unwrap();
    let o = run(&d.0, &["-k", "k"]);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(!d.0.join("elsewhere").exists());
    only(&d.0, &["k"]);
    // -f replaces the link itself by the key.
    assert_eq!(code(&run(&d.0, &["-k", "k", "-f"])), 0);
    assert!(fs::symlink_metadata(d.0.join("k")).unwrap().file_type().is_file());
    assert!(!d.0.join("elsewhere").exists());
}

#[test]
fn two_keys_differ() {
    let d = TempDir::new("random");
    assert_eq!(code(&run(&d.0, &["-k", "one"])), 0);
    assert_eq!(code(&run(&d.0, &["-k", "two"])), 0);
    let (a, b) = (fs::read(d.0.join("one")).unwrap(), fs::read(d.0.join("two")).unwrap());
    assert_ne!(a, b);
    // Not a constant fill either: 128 random bytes repeat a value rarely more than a few times.
    let max_count = (0..=255u8).map(|v| a.iter().filter(|&&x| x == v).count()).max().unwrap();
    assert!(max_count < 10, "byte repeated {max_count} times in {a:?}");
}

#[test]
fn an_unwritable_place_is_an_error_not_a_usage_error() {
    let d = TempDir::new("nodir");
    let o = run(&d.0, &["-k", "missing/k"]);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing"), "{o:?}");
    only(&d.0, &[]);
}
