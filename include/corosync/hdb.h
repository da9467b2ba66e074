/*
 * <corosync/hdb.h>: the handle type of corosync's client libraries, as libevs
 * provides it (only the type: libevs needs nothing else from this header).
 *
 * Hand-written, not generated: it is one typedef, which the Rust side mirrors
 * as evs::capi::types::hdb_handle_t; cbindgen.toml keeps it out of evs.h, and
 * c-tests/abi_test.c checks it.
 */

#ifndef COROSYNC_HDB_H_DEFINED
#define COROSYNC_HDB_H_DEFINED

#include <stdint.h>

/** A handle; the callbacks of <corosync/evs.h> receive their evs_handle_t as one. */
typedef uint64_t hdb_handle_t;

#endif /* COROSYNC_HDB_H_DEFINED */
