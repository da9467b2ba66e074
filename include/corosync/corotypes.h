/*
 * <corosync/corotypes.h>: the types, error codes and macros that corosync's
 * client libraries share, as libevs provides them.
 *
 * Hand-written, not generated: it holds macros and a static inline function,
 * which cbindgen cannot express. The enums are mirrored on the Rust side in
 * src/capi/types.rs (cs_error_t, cs_dispatch_flags_t); tests/headers_drift.rs
 * checks that the two agree, and c-tests/abi_test.c checks every value and
 * layout against the ABI.
 */

/*
 * Source compatibility with corosync's <corosync/corotypes.h> (see README.md in
 * this directory): the same include guard name, the same system headers pulled
 * in (a program may rely on them for errno, EAGAIN, struct timeval,
 * gettimeofday(), ...), and every public name with the same spelling and value.
 */
#ifndef COROTYPES_H_DEFINED
#define COROTYPES_H_DEFINED

#include <stdint.h>
#include <errno.h>
#include <time.h>
#include <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A time or a duration, in nanoseconds. */
typedef int64_t cs_time_t;

#define CS_FALSE 0
/*
 * Spelled as corosync spelled it (an int 1), so that a program's own identical
 * definition stays a benign redefinition. As with corosync's, `CS_TRUE == x`
 * draws -Wlogical-not-parentheses (-Wall); write `x == CS_TRUE` or `(CS_TRUE)`.
 */
#define CS_TRUE !CS_FALSE

/** The capacity of cs_name_t.value. */
#define CS_MAX_NAME_LENGTH 256

/** The end of time: the largest cs_time_t. */
#define CS_TIME_END ((cs_time_t)0x7FFFFFFFFFFFFFFFLL)

#define CS_MAX(x, y) (((x) > (y)) ? (x) : (y))

/** A counted name (not necessarily NUL-terminated). */
typedef struct {
	uint16_t length;
	uint8_t value[CS_MAX_NAME_LENGTH];
} cs_name_t;

/** A version: a release code letter and two numbers. */
typedef struct {
	char releaseCode;
	unsigned char majorVersion;
	unsigned char minorVersion;
} cs_version_t;

/** Track flags. */
#define CS_TRACK_CURRENT 0x01
#define CS_TRACK_CHANGES 0x02
#define CS_TRACK_CHANGES_ONLY 0x04

/** How evs_dispatch() runs callbacks. */
typedef enum {
	/** Block until one callback has run. */
	CS_DISPATCH_ONE = 1,
	/** Run every pending callback; never block. */
	CS_DISPATCH_ALL = 2,
	/** Run callbacks until the handle is finalized. */
	CS_DISPATCH_BLOCKING = 3,
	/** Run at most one pending callback; never block. */
	CS_DISPATCH_ONE_NONBLOCKING = 4
} cs_dispatch_flags_t;

/** Wait without a time limit (an IPC timeout in milliseconds). */
#define CS_IPC_TIMEOUT_MS -1

/** The result of every function; cs_strerror() describes it. */
typedef enum {
	CS_OK = 1,
	CS_ERR_LIBRARY = 2,
	CS_ERR_VERSION = 3,
	CS_ERR_INIT = 4,
	CS_ERR_TIMEOUT = 5,
	CS_ERR_TRY_AGAIN = 6,
	CS_ERR_INVALID_PARAM = 7,
	CS_ERR_NO_MEMORY = 8,
	CS_ERR_BAD_HANDLE = 9,
	CS_ERR_BUSY = 10,
	CS_ERR_ACCESS = 11,
	CS_ERR_NOT_EXIST = 12,
	CS_ERR_NAME_TOO_LONG = 13,
	CS_ERR_EXIST = 14,
	CS_ERR_NO_SPACE = 15,
	CS_ERR_INTERRUPT = 16,
	CS_ERR_NAME_NOT_FOUND = 17,
	CS_ERR_NO_RESOURCES = 18,
	CS_ERR_NOT_SUPPORTED = 19,
	CS_ERR_BAD_OPERATION = 20,
	CS_ERR_FAILED_OPERATION = 21,
	CS_ERR_MESSAGE_ERROR = 22,
	CS_ERR_QUEUE_FULL = 23,
	CS_ERR_QUEUE_NOT_AVAILABLE = 24,
	CS_ERR_BAD_FLAGS = 25,
	CS_ERR_TOO_BIG = 26,
	CS_ERR_NO_SECTIONS = 27,
	CS_ERR_CONTEXT_NOT_FOUND = 28,
	CS_ERR_TOO_MANY_GROUPS = 30,
	CS_ERR_SECURITY = 100
} cs_error_t;

/*
 * corosync 1.x had one more code, 31, which corosync 2 dropped and libevs never
 * returns (cs_strerror() calls it an unknown error). It exists here, outside the
 * enum, so that a program that names it still compiles.
 */
#define CS_ERR_IN_SHUTDOWN ((cs_error_t)31)

/*
 * The per-library aliases of corosync 1.x (EVS_OK, CPG_ERR_LIBRARY, ...): each
 * is the CS_ name it stands for.
 */
#define EVS_DISPATCH_ONE CS_DISPATCH_ONE
#define EVS_DISPATCH_ALL CS_DISPATCH_ALL
#define EVS_DISPATCH_BLOCKING CS_DISPATCH_BLOCKING
#define EVS_OK CS_OK
#define EVS_ERR_LIBRARY CS_ERR_LIBRARY
#define EVS_ERR_TIMEOUT CS_ERR_TIMEOUT
#define EVS_ERR_TRY_AGAIN CS_ERR_TRY_AGAIN
#define EVS_ERR_INVALID_PARAM CS_ERR_INVALID_PARAM
#define EVS_ERR_NO_MEMORY CS_ERR_NO_MEMORY
#define EVS_ERR_BAD_HANDLE CS_ERR_BAD_HANDLE
#define EVS_ERR_ACCESS CS_ERR_ACCESS
#define EVS_ERR_NOT_EXIST CS_ERR_NOT_EXIST
#define EVS_ERR_EXIST CS_ERR_EXIST
#define EVS_ERR_NOT_SUPPORTED CS_ERR_NOT_SUPPORTED
#define EVS_ERR_SECURITY CS_ERR_SECURITY
#define EVS_ERR_TOO_MANY_GROUPS CS_ERR_TOO_MANY_GROUPS
#define evs_error_t cs_error_t

#define CPG_DISPATCH_ONE CS_DISPATCH_ONE
#define CPG_DISPATCH_ALL CS_DISPATCH_ALL
#define CPG_DISPATCH_BLOCKING CS_DISPATCH_BLOCKING
#define CPG_OK CS_OK
#define CPG_ERR_LIBRARY CS_ERR_LIBRARY
#define CPG_ERR_TIMEOUT CS_ERR_TIMEOUT
#define CPG_ERR_TRY_AGAIN CS_ERR_TRY_AGAIN
#define CPG_ERR_INVALID_PARAM CS_ERR_INVALID_PARAM
#define CPG_ERR_NO_MEMORY CS_ERR_NO_MEMORY
#define CPG_ERR_BAD_HANDLE CS_ERR_BAD_HANDLE
#define CPG_ERR_ACCESS CS_ERR_ACCESS
#define CPG_ERR_BUSY CS_ERR_BUSY
#define CPG_ERR_NOT_EXIST CS_ERR_NOT_EXIST
#define CPG_ERR_EXIST CS_ERR_EXIST
#define CPG_ERR_NOT_SUPPORTED CS_ERR_NOT_SUPPORTED
#define CPG_ERR_SECURITY CS_ERR_SECURITY
#define CPG_ERR_TOO_MANY_GROUPS CS_ERR_TOO_MANY_GROUPS
#define cpg_error_t cs_error_t

#define CONFDB_DISPATCH_ONE CS_DISPATCH_ONE
#define CONFDB_DISPATCH_ALL CS_DISPATCH_ALL
#define CONFDB_DISPATCH_BLOCKING CS_DISPATCH_BLOCKING
#define CONFDB_OK CS_OK
#define CONFDB_ERR_LIBRARY CS_ERR_LIBRARY
#define CONFDB_ERR_TIMEOUT CS_ERR_TIMEOUT
#define CONFDB_ERR_TRY_AGAIN CS_ERR_TRY_AGAIN
#define CONFDB_ERR_INVALID_PARAM CS_ERR_INVALID_PARAM
#define CONFDB_ERR_NO_MEMORY CS_ERR_NO_MEMORY
#define CONFDB_ERR_BAD_HANDLE CS_ERR_BAD_HANDLE
#define CONFDB_ERR_ACCESS CS_ERR_ACCESS
#define CONFDB_ERR_NOT_EXIST CS_ERR_NOT_EXIST
#define CONFDB_ERR_EXIST CS_ERR_EXIST
#define CONFDB_ERR_NOT_SUPPORTED CS_ERR_NOT_SUPPORTED
#define CONFDB_ERR_SECURITY CS_ERR_SECURITY
#define confdb_error_t cs_error_t

#define QUORUM_DISPATCH_ONE CS_DISPATCH_ONE
#define QUORUM_DISPATCH_ALL CS_DISPATCH_ALL
#define QUORUM_DISPATCH_BLOCKING CS_DISPATCH_BLOCKING
#define QUORUM_OK CS_OK
#define QUORUM_ERR_LIBRARY CS_ERR_LIBRARY
#define QUORUM_ERR_TIMEOUT CS_ERR_TIMEOUT
#define QUORUM_ERR_TRY_AGAIN CS_ERR_TRY_AGAIN
#define QUORUM_ERR_INVALID_PARAM CS_ERR_INVALID_PARAM
#define QUORUM_ERR_NO_MEMORY CS_ERR_NO_MEMORY
#define QUORUM_ERR_BAD_HANDLE CS_ERR_BAD_HANDLE
#define QUORUM_ERR_ACCESS CS_ERR_ACCESS
#define QUORUM_ERR_NOT_EXIST CS_ERR_NOT_EXIST
#define QUORUM_ERR_EXIST CS_ERR_EXIST
#define QUORUM_ERR_NOT_SUPPORTED CS_ERR_NOT_SUPPORTED
#define QUORUM_ERR_SECURITY CS_ERR_SECURITY
#define quorum_error_t cs_error_t

/* Time units. */
#define CS_TIME_MS_IN_SEC 1000ULL
#define CS_TIME_US_IN_SEC 1000000ULL
#define CS_TIME_NS_IN_SEC 1000000000ULL
#define CS_TIME_US_IN_MSEC 1000ULL
#define CS_TIME_NS_IN_MSEC 1000000ULL
#define CS_TIME_NS_IN_USEC 1000ULL

/**
 * The time of a monotonic clock (CLOCK_MONOTONIC), in nanoseconds.
 *
 * In a strict ISO C mode (e.g. -std=c99 without _POSIX_C_SOURCE) <time.h>
 * declares neither clock_gettime() nor CLOCK_MONOTONIC. On LP64 Linux the call
 * is then made through a local declaration with the kernel ABI's layout
 * (struct timespec is two longs, CLOCK_MONOTONIC is 1); elsewhere in such a
 * mode it falls back to gettimeofday() (the wall clock, in microseconds).
 */
static inline uint64_t cs_timestamp_get(void)
{
#if defined(CLOCK_MONOTONIC)
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		return 0;
	}
	return (uint64_t)ts.tv_sec * CS_TIME_NS_IN_SEC + (uint64_t)ts.tv_nsec;
#elif defined(__linux__) && defined(__LP64__)
	struct cs_timestamp_timespec {
		long tv_sec;
		long tv_nsec;
	} ts;
	extern int clock_gettime(int clock_id, struct cs_timestamp_timespec *tp);

	if (clock_gettime(1, &ts) != 0) {
		return 0;
	}
	return (uint64_t)ts.tv_sec * CS_TIME_NS_IN_SEC + (uint64_t)ts.tv_nsec;
#else
	struct timeval tv;

	if (gettimeofday(&tv, NULL) != 0) {
		return 0;
	}
	return (uint64_t)tv.tv_sec * CS_TIME_NS_IN_SEC + (uint64_t)tv.tv_usec * CS_TIME_NS_IN_USEC;
#endif
}

/**
 * A static, human-readable description of err; "unknown error" for a value
 * that is not a cs_error_t code. Never NULL. Exported by libevs.
 */
const char *cs_strerror(cs_error_t err);

#ifdef __cplusplus
}
#endif

#endif /* COROTYPES_H_DEFINED */
