//! evs-keygen: write a new random key for libevs's frame protection.
//!
//! ```text
//! evs-keygen [-k FILE] [-s SIZE] [-f]
//! ```
//!
//! - `-k FILE`, `--key-file FILE`: where to write the key; default `evs_authkey` in
//!   the current directory (the library has no default key path: point
//!   `EVS_KEYFILE` or `totem.keyfile` at the file). corosync-keygen's default,
//!   /etc/corosync/authkey, would need root for a library its callers run as
//!   themselves.
//! - `-s SIZE`, `--size SIZE`: bytes of key, 128 to 4096 (what the library
//!   accepts); default 128, as corosync-keygen.
//! - `-f`, `--force`: replace an existing FILE. Without it an existing FILE is
//!   left exactly as it was and the exit status is 1.
//!
//! The key comes from getrandom(2), the kernel's CSPRNG (blocking only until it
//! is seeded at boot). It is written to a new temporary file in FILE's directory,
//! created with O_EXCL and mode 0400 (the library refuses keys that group or
//! others can read), synced, and then put in place in one step: rename(2) with
//! `--force`, link(2) without, since link fails on an existing name instead of
//! replacing it, so a key created by someone else meanwhile is never clobbered.
//! A crash leaves either no FILE, the old one, or the whole new one, never a
//! partial key.
//!
//! Exit status: 0 written, 1 an error (nothing replaced), 2 a usage error.

use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The key sizes the library accepts (src/config/crypto.rs KEY_SIZES).
const MIN_SIZE: usize = 128;
const MAX_SIZE: usize = 4096;
const DEFAULT_FILE: &str = "evs_authkey";

struct Args {
    file: PathBuf,
    size: usize,
    force: bool,
}

const USAGE: &str = concat!(
    "usage: evs-keygen [-k FILE] [-s SIZE] [-f]\n",
    "  -k, --key-file FILE  where to write the key (default ./evs_authkey)\n",
    "  -s, --size SIZE      key bytes, 128..4096 (default 128)\n",
    "  -f, --force          replace FILE if it exists\n",
    "  -h, --help           this text",
);

enum Parsed {
    Run(Args),
    Help,
}

fn parse(argv: Vec<OsString>) -> Result<Parsed, String> {
    let mut args = Args { file: PathBuf::from(DEFAULT_FILE), size: MIN_SIZE, force: false };
    let mut it = argv.into_iter();
    while let Some(a) = it.next() {
        let a = a.to_string_lossy().into_owned();
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "-k" | "--key-file" => {
                let v = value(&a)?;
                if v.is_empty() {
                    return Err(format!("{a}: an empty file name"));
                }
                args.file = PathBuf::from(v);
            }
            "-s" | "--size" => {
                let v = value(&a)?;
                let v = v.to_string_lossy();
                args.size = match v.parse::<usize>() {
                    Ok(n) if (MIN_SIZE..=MAX_SIZE).contains(&n) => n,
                    _ => return Err(format!("{a}: '{v}' is not a key size ({MIN_SIZE} to {MAX_SIZE} bytes)")),
                };
            }
            "-f" | "--force" => args.force = true,
            "-h" | "--help" => return Ok(Parsed::Help),
            _ => return Err(format!("unknown argument '{a}'")),
        }
    }
    Ok(Parsed::Run(args))
}

/// `len` bytes from getrandom(2), looping over short reads and EINTR.
fn random_bytes(len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        // SAFETY: the pointer and length name the unfilled tail of `buf`.
        let n = unsafe { libc::getrandom(buf[filled..].as_mut_ptr().cast(), len - filled, 0) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        filled += n as usize;
    }
    Ok(buf)
}

fn cstr(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL in the name"))
}

/// link(2): `to` must not exist; the kernel checks and creates in one step.
fn link(from: &Path, to: &Path) -> io::Result<()> {
    let (f, t) = (cstr(from)?, cstr(to)?);
    // SAFETY: two valid NUL-terminated paths.
    if unsafe { libc::link(f.as_ptr(), t.as_ptr()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// A new file beside `target`, named `.NAME.XXXXXXXX.tmp`, created with O_EXCL
/// (never an existing file or a symlink planted there) and mode 0400.
fn create_temp(dir: &Path, name: &OsStr) -> io::Result<(PathBuf, File)> {
    for _ in 0..16 {
        let tag: String = random_bytes(4)?.iter().map(|b| format!("{b:02x}")).collect();
        let mut tmp_name = OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{tag}.tmp"));
        let tmp = dir.join(tmp_name);
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o400).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "no free temporary name after 16 tries"))
}

/// Write the key to the temporary file and put it in place; the temporary file
/// is gone afterwards whatever happened.
fn write_key(a: &Args) -> Result<(), String> {
    let file = &a.file;
    let name = file.file_name().ok_or_else(|| format!("{}: not a file name", file.display()))?;
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let key = random_bytes(a.size).map_err(|e| format!("getrandom: {e}"))?;
    let (tmp, mut f) =
        create_temp(&dir, name).map_err(|e| format!("{}: cannot create a file there: {e}", dir.display()))?;
    let result = (|| {
        // The mode given to open is masked by the umask, which can only remove
        // bits; set it exactly, so a umask of 0 still gives 0400.
        f.set_permissions(std::fs::Permissions::from_mode(0o400))
            .map_err(|e| format!("{}: chmod: {e}", tmp.display()))?;
        f.write_all(&key).map_err(|e| format!("{}: write: {e}", tmp.display()))?;
        f.sync_all().map_err(|e| format!("{}: fsync: {e}", tmp.display()))?;
        drop(f);
        if a.force {
            std::fs::rename(&tmp, file).map_err(|e| format!("{}: cannot replace it: {e}", file.display()))
        } else {
            link(&tmp, file).map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    format!("{} exists; left as it is (use -f to replace it)", file.display())
                } else {
                    format!("{}: cannot create it: {e}", file.display())
                }
            })
        }
    })();
    // After a rename it is already gone; otherwise (link made, or any failure) remove it.
    let _ = std::fs::remove_file(&tmp);
    result?;
    // The new name is durable only once the directory is synced.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse(std::env::args_os().skip(1).collect()) {
        Ok(Parsed::Run(a)) => a,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(why) => {
            eprintln!("evs-keygen: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match write_key(&args) {
        Ok(()) => {
            println!("evs-keygen: wrote a {}-byte key to {} (mode 0400)", args.size, args.file.display());
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("evs-keygen: {why}");
            ExitCode::from(1)
        }
    }
}
