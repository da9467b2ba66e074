/*
 * Group limits (issue 10, item 6), one role per run; prints what it saw and
 * exits 0 if it saw what it expected, 1 if not.
 *
 * groups limits
 *     One handle joins groups 50 at a time until refused; the count must be
 *     MAX (1024, the documented limit), the refusal CS_ERR_TOO_MANY_GROUPS, and
 *     a refused call joins none of its groups. With MAX groups joined, a 1 MiB
 *     evs_mcast_joined is accepted and comes back whole; 1 MiB + 1 is
 *     CS_ERR_TOO_BIG; evs_mcast_groups with 50 groups and 1 MiB is accepted.
 * groups burst N
 *     Two handles join as many groups as they may, disjoint (up to 30,000 each:
 *     a library without a limit joins them all), wait for a second processor,
 *     then handle A multicasts N messages to its groups and one message to one
 *     of B's groups. Every delivery is matched against both handles' groups.
 *     Expects A's N messages back and B's one.
 * groups bystander N
 *     Joins A's last group, waits for the burst's N messages, and counts the
 *     configuration changes after the first one that has two members; expects
 *     none.
 */
#define _POSIX_C_SOURCE 200809L
#include <corosync/evs.h>

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX 1024
#define MIB (1024 * 1024)
#define WANT 30000

static size_t members;
static unsigned configs_after_pair;
static unsigned delivered[2];
static size_t last_len[2];
static evs_handle_t handles[2];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct evs_group group(char set, int i)
{
	struct evs_group g;
	memset(&g, 0, sizeof g);
	snprintf(g.key, sizeof g.key, "robust-%c-%06d", set, i);
	return g;
}

static int which(evs_handle_t h)
{
	return h == handles[1];
}

static void deliver(evs_handle_t h, unsigned int nodeid, const void *msg, size_t len)
{
	(void)nodeid; (void)msg;
	delivered[which(h)]++;
	last_len[which(h)] = len;
}

static void confchg(evs_handle_t h, const unsigned int *m, size_t mn, const unsigned int *l, size_t ln,
		    const unsigned int *j, size_t jn, const struct evs_ring_id *ring)
{
	(void)m; (void)l; (void)ln; (void)j; (void)jn; (void)ring;
	if (which(h) != 0)
		return;
	if (members >= 2)
		configs_after_pair++;
	else
		members = mn;
}

static void pump(int n, double secs)
{
	double end = now_s() + secs;
	do {
		struct pollfd p[2];
		for (int i = 0; i < n; i++) {
			evs_fd_get(handles[i], &p[i].fd);
			p[i].events = POLLIN;
		}
		poll(p, (nfds_t)n, 10);
		for (int i = 0; i < n; i++)
			evs_dispatch(handles[i], CS_DISPATCH_ALL);
	} while (now_s() < end);
}

/* Join set's groups 50 at a time, then one at a time once a batch is refused,
 * until refused or `want`; the count joined. */
static int join_many(evs_handle_t h, char set, int want, cs_error_t *refusal)
{
	struct evs_group batch[50];
	int joined = 0, size = 50;
	*refusal = CS_OK;
	while (joined < want) {
		int n = want - joined < size ? want - joined : size;
		for (int i = 0; i < n; i++)
			batch[i] = group(set, joined + i);
		cs_error_t e = evs_join(h, batch, (size_t)n);
		if (e != CS_OK && n > 1) {
			size = 1;
			continue;
		}
		if (e != CS_OK) {
			*refusal = e;
			break;
		}
		joined += n;
	}
	return joined;
}

/* Multicast, retrying while the send queue is full. */
static cs_error_t send_retry(evs_handle_t h, const struct evs_group *g, size_t ng, size_t len, int n)
{
	static char *buf;
	if (!buf)
		buf = calloc(1, MIB + 1);
	struct iovec iov = { buf, len };
	double end = now_s() + 10;
	for (;;) {
		cs_error_t e = g ? evs_mcast_groups(h, EVS_TYPE_AGREED, g, ng, &iov, 1)
				 : evs_mcast_joined(h, EVS_TYPE_AGREED, &iov, 1);
		if (e != CS_ERR_TRY_AGAIN || now_s() > end)
			return e;
		pump(n, 0.01);
	}
}

static int init(int n)
{
	evs_callbacks_t cb = { deliver, confchg };
	for (int i = 0; i < n; i++) {
		cs_error_t e = evs_initialize(&handles[i], &cb);
		if (e != CS_OK) {
			printf("evs_initialize: %d\n", (int)e);
			return 0;
		}
	}
	return 1;
}

#define EXPECT(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); bad = 1; } } while (0)

static int limits(void)
{
	int bad = 0;
	cs_error_t refusal, e;
	if (!init(1))
		return 1;
	int joined = join_many(handles[0], 'L', MAX + 50, &refusal);
	printf("joined %d, then %d\n", joined, (int)refusal);
	EXPECT(joined == MAX && refusal == CS_ERR_TOO_MANY_GROUPS, "joined %d groups, refusal %d", joined, (int)refusal);
	/* A refused call joins none of its groups: leaving the one new group of it fails. */
	struct evs_group two[2] = { group('L', 0), group('L', MAX + 7) };
	EXPECT(evs_join(handles[0], two, 2) == CS_ERR_TOO_MANY_GROUPS, "a join past the limit with one new group");
	EXPECT(evs_leave(handles[0], &two[1], 1) == CS_ERR_NOT_EXIST, "a refused join joined a group");
	EXPECT(evs_join(handles[0], two, 1) == CS_OK, "joining an already joined group at the limit");
	EXPECT(evs_leave(handles[0], two, 1) == CS_OK && evs_join(handles[0], &two[1], 1) == CS_OK,
	       "leave one, join another at the limit");
	e = send_retry(handles[0], NULL, 0, MIB, 1);
	printf("1 MiB with %d groups joined: %d\n", MAX, (int)e);
	EXPECT(e == CS_OK, "1 MiB to %d joined groups: %d", MAX, (int)e);
	e = send_retry(handles[0], NULL, 0, MIB + 1, 1);
	EXPECT(e == CS_ERR_TOO_BIG, "1 MiB + 1: %d", (int)e);
	struct evs_group fifty[50];
	for (int i = 0; i < 50; i++)
		fifty[i] = group('M', i);
	e = send_retry(handles[0], fifty, 50, MIB, 1);
	EXPECT(e == CS_OK, "1 MiB to 50 listed groups: %d", (int)e);
	for (double end = now_s() + 5; delivered[0] < 1 && now_s() < end;)
		pump(1, 0.05);
	EXPECT(delivered[0] == 1 && last_len[0] == MIB, "own 1 MiB message back: %u deliveries, last %zu bytes",
	       delivered[0], last_len[0]);
	evs_finalize(handles[0]);
	return bad;
}

static int burst(int n)
{
	int bad = 0;
	cs_error_t ra, rb;
	if (!init(2))
		return 1;
	double t0 = now_s();
	int ja = join_many(handles[0], 'A', WANT, &ra);
	int jb = join_many(handles[1], 'B', WANT, &rb);
	printf("joined %d and %d groups in %.2f s\n", ja, jb, now_s() - t0);
	for (double end = now_s() + 5; members < 2 && now_s() < end;)
		pump(2, 0.05);
	EXPECT(members >= 2, "no second processor");
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		cs_error_t e = send_retry(handles[0], NULL, 0, 100, 2);
		EXPECT(e == CS_OK, "message %d: %d", i, (int)e);
	}
	struct evs_group b = group('B', jb - 1);
	EXPECT(send_retry(handles[0], &b, 1, 100, 2) == CS_OK, "the message to B");
	for (double end = now_s() + 12; (delivered[0] < (unsigned)n || delivered[1] < 1) && now_s() < end;)
		pump(2, 0.05);
	printf("A got %u of %d, B got %u of 1, in %.2f s\n", delivered[0], n, delivered[1], now_s() - t0);
	EXPECT(delivered[0] == (unsigned)n && delivered[1] == 1, "deliveries");
	pump(2, 2.5); /* the bystander stops counting before we leave */
	evs_finalize(handles[1]);
	evs_finalize(handles[0]);
	return bad;
}

static int bystander(int n)
{
	int bad = 0;
	if (!init(1))
		return 1;
	struct evs_group a = group('A', MAX - 1);
	evs_join(handles[0], &a, 1);
	double end = now_s() + 18;
	while (delivered[0] < (unsigned)n && now_s() < end)
		pump(1, 0.05);
	pump(1, 1.0);
	printf("bystander: %u deliveries, %u configuration changes during the burst\n", delivered[0],
	       configs_after_pair);
	EXPECT(delivered[0] == (unsigned)n, "deliveries %u of %d", delivered[0], n);
	EXPECT(configs_after_pair == 0, "%u configuration changes", configs_after_pair);
	evs_finalize(handles[0]);
	return bad;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "limits") == 0)
		return limits();
	if (argc >= 3 && strcmp(argv[1], "burst") == 0)
		return burst(atoi(argv[2]));
	if (argc >= 3 && strcmp(argv[1], "bystander") == 0)
		return bystander(atoi(argv[2]));
	fprintf(stderr, "usage: groups limits | burst N | bystander N\n");
	return 2;
}
