/*
 * Conformance test of libevs against API.md's function table: every
 * function's success and error paths, both dispatch modes, fd polling,
 * several handles in one process, a blocking dispatch released by a
 * finalize from another thread, and a finalize inside a callback.
 *
 * Runs one processor (a singleton ring) on the loopback interface; the
 * runner sets EVS_MCASTPORT so parallel runs do not meet.
 * The last line of output is "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <time.h>
#include <corosync/evs.h>
#include <corosync/corotypes.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;

/* usleep is not POSIX.1-2008; nanosleep is. */
static void sleep_ms(long ms)
{
	struct timespec ts;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

#define CHECK(cond, what)                                                        \
	do {                                                                         \
		if (cond) {                                                              \
			passed++;                                                            \
		} else {                                                                 \
			failed++;                                                            \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what);      \
		}                                                                        \
	} while (0)

#define EXPECT(call, code) CHECK((call) == (code), #call " == " #code)

/* What the callbacks saw. */
static int confchg_count;
static unsigned int last_members[64];
static size_t last_member_count;
static struct evs_ring_id last_ring;
static int ring_was_null;
static int deliver_count;
static char last_msg[256];
static size_t last_len;
static unsigned int last_sender;

static void on_deliver(hdb_handle_t handle, unsigned int nodeid, const void *msg, size_t msg_len)
{
	(void)handle;
	deliver_count++;
	last_sender = nodeid;
	last_len = msg_len;
	memcpy(last_msg, msg, msg_len < sizeof last_msg ? msg_len : sizeof last_msg);
}

static void on_confchg(hdb_handle_t handle, const unsigned int *member_list, size_t member_list_entries,
		       const unsigned int *left_list, size_t left_list_entries, const unsigned int *joined_list,
		       size_t joined_list_entries, const struct evs_ring_id *ring_id)
{
	(void)handle;
	(void)left_list;
	(void)left_list_entries;
	(void)joined_list;
	(void)joined_list_entries;
	confchg_count++;
	last_member_count = member_list_entries < 64 ? member_list_entries : 64;
	memcpy(last_members, member_list, last_member_count * sizeof(unsigned int));
	if (ring_id == NULL)
		ring_was_null = 1;
	else
		last_ring = *ring_id;
}

static evs_callbacks_t callbacks = { on_deliver, on_confchg };

/* Writable buffers: iov_base is a plain void * (C++ refuses a string literal there). */
static char text_hello[] = "hello, ", text_world[] = "world", text_x[] = "x", text_to_b[] = "to-b";

static struct evs_group group_a = { "group-a" };
static struct evs_group group_b = { "group-b" };

/* Dispatch until `count` deliveries happened, or give up after ~5 s. */
static int wait_deliveries(evs_handle_t h, int count)
{
	int i;
	for (i = 0; i < 500 && deliver_count < count; i++) {
		struct pollfd p;
		int fd = -1;
		if (evs_fd_get(h, &fd) != CS_OK)
			return 0;
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 10) > 0)
			evs_dispatch(h, CS_DISPATCH_ALL);
	}
	return deliver_count >= count;
}

static void test_initialize_and_first_confchg(evs_handle_t *h)
{
	unsigned int local = 0, members[8];
	size_t entries = 8;

	EXPECT(evs_initialize(NULL, &callbacks), CS_ERR_INVALID_PARAM);
	EXPECT(evs_initialize(h, &callbacks), CS_OK);
	EXPECT(evs_dispatch(*h, CS_DISPATCH_ALL), CS_OK);
	CHECK(confchg_count == 1, "first callback is a configuration change");
	CHECK(!ring_was_null, "ring id passed");
	CHECK(last_member_count >= 1, "current configuration has members");

	EXPECT(evs_membership_get(*h, &local, members, &entries), CS_OK);
	CHECK(local != 0, "local node id is non-zero");
	CHECK(entries >= 1 && members[0] != 0, "membership lists members");
	CHECK(last_ring.nodeid == members[0], "ring id names the lowest member");
}

static void test_membership_errors(evs_handle_t h)
{
	unsigned int local, one;
	size_t entries = 0;
	EXPECT(evs_membership_get(h, &local, NULL, &entries), CS_ERR_NO_SPACE);
	CHECK(entries >= 1, "NO_SPACE reports the entries needed");
	entries = 1;
	EXPECT(evs_membership_get(h, &local, &one, &entries), CS_OK);
	entries = 1;
	EXPECT(evs_membership_get(h, &local, NULL, &entries), CS_ERR_INVALID_PARAM);
	EXPECT(evs_membership_get(h, NULL, &one, &entries), CS_ERR_INVALID_PARAM);
	EXPECT(evs_membership_get(h, &local, &one, NULL), CS_ERR_INVALID_PARAM);
	EXPECT(evs_membership_get(0xdeadbeefULL, &local, &one, &entries), CS_ERR_BAD_HANDLE);
}

static void test_context(evs_handle_t h)
{
	void *ctx = (void *)1;
	int x;
	EXPECT(evs_context_get(h, &ctx), CS_OK);
	CHECK(ctx == NULL, "context starts NULL");
	EXPECT(evs_context_set(h, &x), CS_OK);
	EXPECT(evs_context_get(h, &ctx), CS_OK);
	CHECK(ctx == &x, "context round trip");
	EXPECT(evs_context_get(h, NULL), CS_ERR_INVALID_PARAM);
	EXPECT(evs_context_get(0xdeadbeefULL, &ctx), CS_ERR_BAD_HANDLE);
	EXPECT(evs_context_set(0xdeadbeefULL, &x), CS_ERR_BAD_HANDLE);
}

static void test_join_leave(evs_handle_t h)
{
	struct evs_group many[51];
	int i;
	memset(many, 0, sizeof many);
	for (i = 0; i < 51; i++)
		many[i].key[0] = (char)(i + 1);
	EXPECT(evs_join(h, NULL, 1), CS_ERR_INVALID_PARAM);
	EXPECT(evs_join(h, &group_a, 0), CS_ERR_INVALID_PARAM);
	EXPECT(evs_join(h, many, 51), CS_ERR_TOO_MANY_GROUPS);
	EXPECT(evs_join(h, many, 50), CS_OK);
	EXPECT(evs_leave(h, many, 50), CS_OK);
	EXPECT(evs_leave(h, many, 1), CS_ERR_NOT_EXIST); /* already left */
	EXPECT(evs_join(h, &group_a, 1), CS_OK);
	EXPECT(evs_join(h, &group_a, 1), CS_OK); /* joining twice is a no-op */
	EXPECT(evs_leave(h, &group_b, 1), CS_ERR_NOT_EXIST);
	EXPECT(evs_leave(h, NULL, 1), CS_ERR_INVALID_PARAM);
	EXPECT(evs_leave(h, &group_a, 0), CS_ERR_INVALID_PARAM);
	EXPECT(evs_join(0xdeadbeefULL, &group_a, 1), CS_ERR_BAD_HANDLE);
	EXPECT(evs_leave(0xdeadbeefULL, &group_a, 1), CS_ERR_BAD_HANDLE);
}

static void test_mcast(evs_handle_t h)
{
	struct iovec iov[2];
	static char big[1048577];
	struct iovec big_iov;
	int want;
	unsigned int local = 0, members[8];
	size_t entries = 8;

	evs_membership_get(h, &local, members, &entries);
	iov[0].iov_base = text_hello;
	iov[0].iov_len = 7;
	iov[1].iov_base = text_world;
	iov[1].iov_len = 5;

	want = deliver_count + 1;
	EXPECT(evs_mcast_joined(h, EVS_TYPE_AGREED, iov, 2), CS_OK);
	CHECK(wait_deliveries(h, want), "agreed message delivered");
	CHECK(last_len == 12 && memcmp(last_msg, "hello, world", 12) == 0, "iovec concatenated");
	CHECK(last_sender == local, "sender is this node");

	want = deliver_count + 4;
	EXPECT(evs_mcast_joined(h, EVS_TYPE_SAFE, iov, 1), CS_OK);
	EXPECT(evs_mcast_joined(h, EVS_TYPE_FIFO, iov, 1), CS_OK);
	EXPECT(evs_mcast_joined(h, EVS_TYPE_UNORDERED, iov, 1), CS_OK);
	EXPECT(evs_mcast_joined(h, EVS_TYPE_AGREED, NULL, 0), CS_OK); /* zero length is valid */
	CHECK(wait_deliveries(h, want), "safe, fifo, unordered and empty messages delivered");
	CHECK(last_len == 0 || last_len == 7, "last message has its length");

	want = deliver_count + 1;
	EXPECT(evs_mcast_groups(h, EVS_TYPE_AGREED, &group_a, 1, iov, 2), CS_OK);
	CHECK(wait_deliveries(h, want), "message to a joined group delivered");
	want = deliver_count;
	EXPECT(evs_mcast_groups(h, EVS_TYPE_AGREED, &group_b, 1, iov, 2), CS_OK);
	sleep_ms(200);
	evs_dispatch(h, CS_DISPATCH_ALL);
	CHECK(deliver_count == want, "message to a group not joined is not delivered");

	EXPECT(evs_mcast_joined(h, (evs_guarantee_t)4, iov, 1), CS_ERR_INVALID_PARAM);
	EXPECT(evs_mcast_joined(h, (evs_guarantee_t)-1, iov, 1), CS_ERR_INVALID_PARAM);
	EXPECT(evs_mcast_joined(h, EVS_TYPE_AGREED, NULL, 1), CS_ERR_INVALID_PARAM);
	big_iov.iov_base = big;
	big_iov.iov_len = sizeof big;
	EXPECT(evs_mcast_joined(h, EVS_TYPE_AGREED, &big_iov, 1), CS_ERR_TOO_BIG);
	EXPECT(evs_mcast_groups(h, EVS_TYPE_AGREED, &group_a, 0, iov, 1), CS_ERR_INVALID_PARAM);
	EXPECT(evs_mcast_groups(h, EVS_TYPE_AGREED, NULL, 1, iov, 1), CS_ERR_INVALID_PARAM);
	{
		struct evs_group many[51];
		memset(many, 0, sizeof many);
		EXPECT(evs_mcast_groups(h, EVS_TYPE_AGREED, many, 51, iov, 1), CS_ERR_TOO_MANY_GROUPS);
	}
	EXPECT(evs_mcast_joined(0xdeadbeefULL, EVS_TYPE_AGREED, iov, 1), CS_ERR_BAD_HANDLE);

	/* The largest message travels whole. */
	big_iov.iov_len = 1048576;
	big[0] = 'B';
	big[1048575] = 'E';
	want = deliver_count + 1;
	EXPECT(evs_mcast_joined(h, EVS_TYPE_AGREED, &big_iov, 1), CS_OK);
	CHECK(wait_deliveries(h, want), "1 MiB message delivered");
	CHECK(last_len == 1048576 && last_msg[0] == 'B', "1 MiB message whole");
}

static void test_dispatch_modes(evs_handle_t h)
{
	struct iovec iov;
	int fd = -1;
	struct pollfd p;

	EXPECT(evs_dispatch(h, (cs_dispatch_flags_t)0), CS_ERR_INVALID_PARAM);
	EXPECT(evs_dispatch(h, (cs_dispatch_flags_t)5), CS_ERR_INVALID_PARAM);
	EXPECT(evs_dispatch(0xdeadbeefULL, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	EXPECT(evs_fd_get(h, NULL), CS_ERR_INVALID_PARAM);
	EXPECT(evs_fd_get(0xdeadbeefULL, &fd), CS_ERR_BAD_HANDLE);

	evs_dispatch(h, CS_DISPATCH_ALL);
	EXPECT(evs_fd_get(h, &fd), CS_OK);
	p.fd = fd;
	p.events = POLLIN;
	p.revents = 0;
	CHECK(poll(&p, 1, 0) == 0, "fd not readable with nothing pending");
	EXPECT(evs_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_ERR_TRY_AGAIN);

	iov.iov_base = text_x;
	iov.iov_len = 1;
	EXPECT(evs_mcast_joined(h, EVS_TYPE_AGREED, &iov, 1), CS_OK);
	EXPECT(evs_mcast_joined(h, EVS_TYPE_AGREED, &iov, 1), CS_OK);
	p.revents = 0;
	CHECK(poll(&p, 1, 5000) == 1, "fd readable once a callback is pending");
	{
		int before = deliver_count;
		EXPECT(evs_dispatch(h, CS_DISPATCH_ONE), CS_OK);
		CHECK(deliver_count == before + 1, "DISPATCH_ONE runs one callback");
		sleep_ms(100);
		p.revents = 0;
		CHECK(poll(&p, 1, 1000) == 1, "fd still readable with one more pending");
		EXPECT(evs_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_OK);
		CHECK(deliver_count == before + 2, "DISPATCH_ONE_NONBLOCKING runs one");
		p.revents = 0;
		CHECK(poll(&p, 1, 0) == 0, "fd not readable once drained");
	}
}

static void test_two_handles(evs_handle_t h)
{
	evs_handle_t h2;
	struct iovec iov;
	int before;
	EXPECT(evs_initialize(&h2, &callbacks), CS_OK);
	CHECK(h2 != h, "distinct handles");
	EXPECT(evs_join(h2, &group_b, 1), CS_OK);
	evs_dispatch(h2, CS_DISPATCH_ALL);
	before = deliver_count;
	iov.iov_base = text_to_b;
	iov.iov_len = 4;
	/* Sent from handle 1 to group b: only handle 2 (same processor) gets it. */
	EXPECT(evs_mcast_groups(h, EVS_TYPE_AGREED, &group_b, 1, &iov, 1), CS_OK);
	CHECK(wait_deliveries(h2, before + 1), "handle 2 gets the message of handle 1");
	sleep_ms(100);
	evs_dispatch(h, CS_DISPATCH_ALL);
	CHECK(deliver_count == before + 1, "handle 1 did not join group b");
	EXPECT(evs_finalize(h2), CS_OK);
	EXPECT(evs_finalize(h2), CS_ERR_BAD_HANDLE);
}

static void *finalize_later(void *arg)
{
	sleep_ms(200);
	evs_finalize(*(evs_handle_t *)arg);
	return NULL;
}

static void test_blocking_released_by_finalize(void)
{
	evs_handle_t h3;
	pthread_t t;
	EXPECT(evs_initialize(&h3, NULL), CS_OK); /* NULL callbacks allowed */
	pthread_create(&t, NULL, finalize_later, &h3);
	EXPECT(evs_dispatch(h3, CS_DISPATCH_BLOCKING), CS_OK);
	pthread_join(t, NULL);
	EXPECT(evs_dispatch(h3, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
}

static evs_handle_t self_finalizing;
static int finalize_in_callback_result = -1;
static void finalize_in_confchg(hdb_handle_t handle, const unsigned int *m, size_t me, const unsigned int *l,
				size_t le, const unsigned int *j, size_t je, const struct evs_ring_id *r)
{
	(void)m; (void)me; (void)l; (void)le; (void)j; (void)je; (void)r;
	finalize_in_callback_result = evs_finalize(handle);
}

static void test_finalize_inside_callback(void)
{
	evs_callbacks_t cb = { NULL, finalize_in_confchg };
	EXPECT(evs_initialize(&self_finalizing, &cb), CS_OK);
	EXPECT(evs_dispatch(self_finalizing, CS_DISPATCH_BLOCKING), CS_OK);
	CHECK(finalize_in_callback_result == CS_OK, "finalize inside the callback succeeded");
	EXPECT(evs_finalize(self_finalizing), CS_ERR_BAD_HANDLE);
}

int main(void)
{
	evs_handle_t h = 0;
	test_initialize_and_first_confchg(&h);
	test_membership_errors(h);
	test_context(h);
	test_join_leave(h);
	test_mcast(h);
	test_dispatch_modes(h);
	test_two_handles(h);
	test_blocking_released_by_finalize();
	test_finalize_inside_callback();
	EXPECT(evs_finalize(h), CS_OK);
	EXPECT(evs_finalize(h), CS_ERR_BAD_HANDLE);
	CHECK(cs_strerror(CS_OK) != NULL, "cs_strerror");
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
