//! Gives the cdylib that cargo builds (target/<profile>/libevs.so) the SONAME of
//! corosync's libevs, libevs.so.4.
//!
//! The version script (libevs.versions: the API under the version node
//! COROSYNC_EVS_2.0, everything else local) is *not* applied here, on purpose.
//! rustc links every cdylib with its own anonymous version script listing the
//! exported symbols, and a second script cannot override it: rust-lld (the default
//! linker on x86_64 Linux since Rust 1.90) keeps rustc's anonymous version for every
//! symbol and only warns, and GNU ld rejects the combination outright ("anonymous
//! version tag cannot be combined with other version tags"). So the library that is
//! installed, build/lib/libevs.so.4.0.0, is linked by the Makefile (`make all`) from
//! the staticlib with `cc -shared -Wl,--version-script=libevs.versions`, and
//! c-tests/check-symbols.sh checks its exports.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");

    // -soname is an ELF linker option (GNU ld, gold, lld, mold).
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if matches!(target_os.as_str(), "macos" | "ios" | "windows") {
        return;
    }
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libevs.so.4");
}
