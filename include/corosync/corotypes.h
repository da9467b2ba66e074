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

#ifndef COROSYNC_COROTYPES_H_DEFINED
#define COROSYNC_COROTYPES_H_DEFINED

#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A time or a duration, in nanoseconds. */
typedef int64_t cs_time_t;

#define CS_FALSE 0
#define CS_TRUE 1

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
 * mode the result falls back to time(), in whole seconds.
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
	return (uint64_t)time(NULL) * CS_TIME_NS_IN_SEC;
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

#endif /* COROSYNC_COROTYPES_H_DEFINED */
