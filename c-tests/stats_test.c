/*
 * The libevs extension evs_stats_get() (not in corosync): its declaration, the
 * layout of struct evs_stats, the size protocol, the error codes, and that the
 * counts move when a message goes round a (singleton) ring.
 *
 * Compiled as C99 and as C++11 with -Wall -Wextra -Wpedantic -Werror
 * (c-tests/run-abi.sh); run with a private EVS_MCASTPORT. Prints one line per
 * failed check and "N passed, N failed" last; exits non-zero on failure.
 */

#define _POSIX_C_SOURCE 200809L
#include <time.h>
#include <corosync/evs.h>
#include <corosync/corotypes.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ABI_CAT_(a, b) a##b
#define ABI_CAT(a, b) ABI_CAT_(a, b)
#define STATIC_ASSERT(cond) typedef char ABI_CAT(stats_static_assert_line_, __LINE__)[(cond) ? 1 : -1]

#ifndef LIBEVS_EXT_STATS
#error "evs.h does not define LIBEVS_EXT_STATS"
#endif
STATIC_ASSERT(LIBEVS_EXT_STATS == 1);

/* 24 counts of 8 bytes, the size first; fields are only ever appended. */
STATIC_ASSERT(sizeof(struct evs_stats) == 24 * 8);
STATIC_ASSERT(offsetof(struct evs_stats, size) == 0);
STATIC_ASSERT(offsetof(struct evs_stats, messages_sent) == 8);
STATIC_ASSERT(offsetof(struct evs_stats, bytes_sent) == 16);
STATIC_ASSERT(offsetof(struct evs_stats, messages_delivered) == 24);
STATIC_ASSERT(offsetof(struct evs_stats, bytes_delivered) == 32);
STATIC_ASSERT(offsetof(struct evs_stats, frames_sent) == 40);
STATIC_ASSERT(offsetof(struct evs_stats, frames_retransmitted) == 48);
STATIC_ASSERT(offsetof(struct evs_stats, recovery_frames_sent) == 56);
STATIC_ASSERT(offsetof(struct evs_stats, tokens_retransmitted) == 64);
STATIC_ASSERT(offsetof(struct evs_stats, token_visits) == 72);
STATIC_ASSERT(offsetof(struct evs_stats, regular_configurations) == 80);
STATIC_ASSERT(offsetof(struct evs_stats, transitional_configurations) == 88);
STATIC_ASSERT(offsetof(struct evs_stats, transitional_deliveries) == 96);
STATIC_ASSERT(offsetof(struct evs_stats, gathers) == 104);
STATIC_ASSERT(offsetof(struct evs_stats, consensus_timeouts) == 112);
STATIC_ASSERT(offsetof(struct evs_stats, receive_failures) == 120);
STATIC_ASSERT(offsetof(struct evs_stats, rejected_foreign) == 128);
STATIC_ASSERT(offsetof(struct evs_stats, rejected_unauthentic) == 136);
STATIC_ASSERT(offsetof(struct evs_stats, rejected_replayed) == 144);
STATIC_ASSERT(sizeof(((struct evs_stats *)0)->rejected_replayed) == 8);
STATIC_ASSERT(offsetof(struct evs_stats, exclusions) == 152);
STATIC_ASSERT(offsetof(struct evs_stats, poor_link_gathers) == 160);
STATIC_ASSERT(offsetof(struct evs_stats, newcomer_swaps) == 168);
STATIC_ASSERT(offsetof(struct evs_stats, lone_resumes) == 176);
STATIC_ASSERT(offsetof(struct evs_stats, rejected_other_version) == 184);

/* The exact type of the function: another type fails to compile. */
static cs_error_t (*const stats_get_type)(evs_handle_t, struct evs_stats *, size_t) = evs_stats_get;

static int passed, failed;

#define CHECK(cond, what)                                                        \
	do {                                                                     \
		if (cond) {                                                      \
			passed++;                                                \
		} else {                                                         \
			failed++;                                                \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, what);    \
		}                                                                \
	} while (0)
#define EXPECT(call, code) CHECK((call) == (code), #call " == " #code)

static void sleep_ms(long ms)
{
	struct timespec ts;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static unsigned delivered;

static void on_deliver(hdb_handle_t handle, unsigned int nodeid, const void *msg, size_t msg_len)
{
	(void)handle;
	(void)nodeid;
	(void)msg;
	if (msg_len == 5)
		delivered++;
}

/* A caller compiled against a newer header: a longer structure. */
struct newer_stats {
	struct evs_stats known;
	uint64_t later[3];
};

int main(void)
{
	struct evs_stats s, t;
	struct newer_stats newer;
	unsigned char bytes[64];
	evs_handle_t h = 0;
	evs_callbacks_t callbacks;
	struct evs_group group;
	struct iovec iov;
	unsigned i;

	memset(&s, 0xAA, sizeof(s));
	/* Refused before the handle is looked at, nothing written. */
	EXPECT(stats_get_type(12345, NULL, sizeof(s)), CS_ERR_INVALID_PARAM);
	EXPECT(evs_stats_get(12345, &s, 0), CS_ERR_INVALID_PARAM);
	EXPECT(evs_stats_get(12345, &s, 7), CS_ERR_INVALID_PARAM);
	EXPECT(evs_stats_get(12345, &s, sizeof(s)), CS_ERR_BAD_HANDLE);
	CHECK(s.size == 0xAAAAAAAAAAAAAAAAULL, "nothing written on an error");

	memset(&callbacks, 0, sizeof(callbacks));
	callbacks.evs_deliver_fn = on_deliver;
	EXPECT(evs_initialize(&h, &callbacks), CS_OK);

	EXPECT(evs_stats_get(h, &s, sizeof(s)), CS_OK);
	CHECK(s.size == sizeof(s), "size: the whole structure filled");
	CHECK(s.regular_configurations >= 1, "the first configuration is counted");
	CHECK(s.gathers >= 1, "the first gathering is counted");
	CHECK(s.messages_sent == 0 && s.messages_delivered == 0, "no message yet");

	/* One message round the ring moves the message counts by one. */
	memset(&group, 0, sizeof(group));
	memcpy(group.key, "stats", 5);
	EXPECT(evs_join(h, &group, 1), CS_OK);
	iov.iov_base = (void *)"hello";
	iov.iov_len = 5;
	EXPECT(evs_mcast_joined(h, EVS_TYPE_AGREED, &iov, 1), CS_OK);
	for (i = 0; i < 500 && delivered == 0; i++) {
		evs_dispatch(h, CS_DISPATCH_ALL);
		sleep_ms(10);
	}
	CHECK(delivered == 1, "the message was delivered");
	/* The processor counts a delivery just after the handles get it. */
	for (i = 0; i < 100; i++) {
		EXPECT(evs_stats_get(h, &t, sizeof(t)), CS_OK);
		if (t.messages_delivered == s.messages_delivered + 1)
			break;
		sleep_ms(10);
	}
	CHECK(t.messages_sent == s.messages_sent + 1, "messages_sent moved by one");
	CHECK(t.bytes_sent == s.bytes_sent + 5, "bytes_sent moved by five");
	CHECK(t.messages_delivered == s.messages_delivered + 1, "messages_delivered moved by one");
	CHECK(t.bytes_delivered == s.bytes_delivered + 5, "bytes_delivered moved by five");
	CHECK(t.frames_sent > s.frames_sent, "frames_sent moved");
	CHECK(t.token_visits >= s.token_visits, "token_visits never goes back");

	/* An older caller's shorter structure: only its bytes are written. */
	memset(bytes, 0xAA, sizeof(bytes));
	EXPECT(evs_stats_get(h, (struct evs_stats *)(void *)bytes, 16), CS_OK);
	memcpy(&s, bytes, 16);
	CHECK(s.size == 16, "size: the 16 bytes asked for");
	CHECK(s.messages_sent == t.messages_sent, "the field that fits is filled");
	for (i = 16; i < sizeof(bytes) && bytes[i] == 0xAA; i++)
		;
	CHECK(i == sizeof(bytes), "nothing written beyond the size passed");

	/* A newer caller's longer structure: what this library lacks reads 0. */
	memset(&newer, 0xAA, sizeof(newer));
	EXPECT(evs_stats_get(h, &newer.known, sizeof(newer)), CS_OK);
	CHECK(newer.known.size == sizeof(struct evs_stats), "size: the library's own structure");
	CHECK(newer.later[0] == 0 && newer.later[1] == 0 && newer.later[2] == 0, "the rest zeroed");
	CHECK(newer.known.messages_delivered == t.messages_delivered, "the known fields are filled");

	EXPECT(evs_finalize(h), CS_OK);
	EXPECT(evs_stats_get(h, &s, sizeof(s)), CS_ERR_BAD_HANDLE);

	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
