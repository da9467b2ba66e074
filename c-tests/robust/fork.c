/*
 * fork() under load (issue 10, items 1-3).
 *
 * The parent runs a sender thread, a blocking dispatcher on a second handle,
 * and a poll-driven dispatcher on the first handle's descriptor, and forks
 * CHILDREN children while they are busy. Each child:
 *   - calls evs_dispatch, evs_fd_get, evs_membership_get, evs_mcast_joined and
 *     evs_finalize on the inherited handles: each must be CS_ERR_BAD_HANDLE
 *     (and must not hang on a lock a parent thread held at the fork, nor read
 *     the parent's descriptors);
 *   - starts a fresh handle: its node id differs from the parent's, and a
 *     message it multicasts comes back to it; then finalizes it. Most
 *     children use a ring of their own (their own EVS_MCASTPORT: the
 *     membership is the child alone); every tenth joins the parent's ring,
 *     as a new member (a shared node id would be refused as a collision).
 * A child that does not exit within CHILD_SECONDS is killed by its alarm and
 * counted as hung. Afterwards the parent must still deliver, through the
 * poll-driven descriptor, every message its sender had multicast.
 *
 * Usage: fork PORT (the parent's ring on PORT, child i on PORT+1+i or PORT).
 * Last line: "children: N ok, N hung, N failed; parent: ..."; exit 0 on success.
 */
#define _GNU_SOURCE
#include <corosync/corotypes.h>
#include <corosync/evs.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILDREN 50
#define CHILD_SECONDS 8
#define PARENT_DRAIN_MS 6000

static struct evs_group group = {"fork-test"};
static evs_handle_t h_poll, h_block;
static atomic_int stop_sending;
static atomic_long sent, delivered_poll;
static unsigned int parent_id;
static int parent_port;

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- the parent's callbacks ---- */

static void parent_deliver(evs_handle_t h, unsigned int nodeid, const void *msg, size_t len)
{
	(void)msg;
	(void)len;
	if (h == h_poll && nodeid == parent_id)
		atomic_fetch_add(&delivered_poll, 1);
}

static evs_callbacks_t parent_callbacks = {parent_deliver, NULL};

static void *sender(void *arg)
{
	(void)arg;
	char buf[64];
	while (!atomic_load(&stop_sending)) {
		int n = snprintf(buf, sizeof buf, "parent %ld", atomic_load(&sent));
		struct iovec iov = {buf, (size_t)n};
		cs_error_t rc = evs_mcast_joined(h_poll, EVS_TYPE_AGREED, &iov, 1);
		if (rc == CS_OK)
			atomic_fetch_add(&sent, 1);
		else if (rc == CS_ERR_TRY_AGAIN)
			sleep_ms(1);
		else {
			fprintf(stderr, "parent: evs_mcast_joined: %d\n", rc);
			exit(2);
		}
		if (atomic_load(&sent) % 64 == 0)
			sleep_ms(1); /* keep the ring busy, not flooded */
	}
	return NULL;
}

static void *blocking_dispatcher(void *arg)
{
	(void)arg;
	evs_dispatch(h_block, CS_DISPATCH_BLOCKING);
	return NULL;
}

static atomic_int stop_polling;

static void *poll_dispatcher(void *arg)
{
	(void)arg;
	int fd;
	if (evs_fd_get(h_poll, &fd) != CS_OK)
		exit(2);
	while (!atomic_load(&stop_polling)) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 100) > 0)
			evs_dispatch(h_poll, CS_DISPATCH_ALL);
	}
	return NULL;
}

/* ---- the child ---- */

static atomic_int child_got_own;
static unsigned int child_id;

static void child_deliver(evs_handle_t h, unsigned int nodeid, const void *msg, size_t len)
{
	(void)h;
	if (nodeid == child_id && len == 5 && memcmp(msg, "child", 5) == 0)
		atomic_store(&child_got_own, 1);
}

static evs_callbacks_t child_callbacks = {child_deliver, NULL};

/* Exit codes: 0 ok; 10+ an inherited call did not return CS_ERR_BAD_HANDLE;
 * 20+ the fresh handle misbehaved. Killed by SIGALRM: hung. */
static int child(int port)
{
	alarm(CHILD_SECONDS);
	unsigned int id = 0, members[64];
	size_t n = 64;
	char msg[] = "child";
	struct iovec iov = {msg, 5};
	int fd;

	/* The inherited handles: every call is CS_ERR_BAD_HANDLE. Each is made
	 * even after one failed, dispatch first: if it drained the shared
	 * descriptor, the parent's poll-driven thread would stall. */
	int first_bad = 0;
#define INHERITED(code, call)                                                    \
	do {                                                                         \
		if ((call) != CS_ERR_BAD_HANDLE && !first_bad)                          \
			first_bad = (code);                                                    \
	} while (0)
	INHERITED(10, evs_dispatch(h_poll, CS_DISPATCH_ALL));
	INHERITED(11, evs_dispatch(h_block, CS_DISPATCH_ONE_NONBLOCKING));
	INHERITED(12, evs_membership_get(h_poll, &id, members, &n));
	INHERITED(13, evs_mcast_joined(h_poll, EVS_TYPE_AGREED, &iov, 1));
	INHERITED(14, evs_fd_get(h_poll, &fd));
	INHERITED(15, evs_finalize(h_block));
	INHERITED(16, evs_finalize(h_poll));
	if (first_bad)
		return first_bad;

	/* A fresh processor of its own. */
	char p[16];
	snprintf(p, sizeof p, "%d", port);
	setenv("EVS_MCASTPORT", p, 1);
	evs_handle_t h;
	if (evs_initialize(&h, &child_callbacks) != CS_OK)
		return 20;
	n = 64;
	if (evs_membership_get(h, &child_id, members, &n) != CS_OK)
		return 21;
	if (child_id == parent_id || child_id == 0)
		return 22;
	int found = 0;
	for (size_t k = 0; k < n; k++)
		found |= members[k] == child_id;
	if (!found || (port != parent_port && n != 1))
		return 23;
	if (evs_join(h, &group, 1) != CS_OK)
		return 24;
	if (evs_mcast_joined(h, EVS_TYPE_AGREED, &iov, 1) != CS_OK)
		return 25;
	long deadline = now_ms() + (CHILD_SECONDS - 2) * 1000L;
	while (!atomic_load(&child_got_own)) {
		if (now_ms() > deadline)
			return 26;
		cs_error_t rc = evs_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING);
		if (rc == CS_ERR_TRY_AGAIN)
			sleep_ms(2);
		else if (rc != CS_OK)
			return 27;
	}
	if (evs_finalize(h) != CS_OK)
		return 28;
	if (evs_finalize(h) != CS_ERR_BAD_HANDLE)
		return 29;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fork PORT\n");
		return 2;
	}
	int port = atoi(argv[1]);
	parent_port = port;
	char p[16];
	snprintf(p, sizeof p, "%d", port);
	setenv("EVS_MCASTPORT", p, 1);

	if (evs_initialize(&h_poll, &parent_callbacks) != CS_OK || evs_initialize(&h_block, &parent_callbacks) != CS_OK) {
		fprintf(stderr, "parent: evs_initialize failed\n");
		return 2;
	}
	unsigned int members[8];
	size_t n = 8;
	if (evs_membership_get(h_poll, &parent_id, members, &n) != CS_OK)
		return 2;
	if (evs_join(h_poll, &group, 1) != CS_OK || evs_join(h_block, &group, 1) != CS_OK)
		return 2;

	pthread_t ts, tb, tp;
	pthread_create(&ts, NULL, sender, NULL);
	pthread_create(&tb, NULL, blocking_dispatcher, NULL);
	pthread_create(&tp, NULL, poll_dispatcher, NULL);
	sleep_ms(200);

	pid_t pids[CHILDREN];
	for (int i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(child(i % 10 == 9 ? port : port + 1 + i));
		if (pids[i] < 0) {
			perror("fork");
			return 2;
		}
		sleep_ms(15);
	}

	int ok = 0, hung = 0, bad = 0;
	int codes[64] = {0};
	for (int i = 0; i < CHILDREN; i++) {
		int status;
		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
			hung++;
		else {
			bad++;
			int c = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
			codes[c < 64 ? c : 0]++;
		}
	}
	printf("children: %d ok, %d hung, %d failed\n", ok, hung, bad);
	for (int c = 0; c < 64; c++)
		if (codes[c])
			printf("  %d children exited with code %d\n", codes[c], c);

	/* The parent is intact: every message it sent is delivered through the
	 * poll-driven descriptor. */
	atomic_store(&stop_sending, 1);
	pthread_join(ts, NULL);
	long want = atomic_load(&sent);
	long deadline = now_ms() + PARENT_DRAIN_MS;
	while (atomic_load(&delivered_poll) < want && now_ms() < deadline)
		sleep_ms(10);
	long got = atomic_load(&delivered_poll);
	printf("parent: sent %ld, delivered through the polled descriptor %ld\n", want, got);

	atomic_store(&stop_polling, 1);
	pthread_join(tp, NULL);
	int fin = evs_finalize(h_block) == CS_OK && evs_finalize(h_poll) == CS_OK;
	pthread_join(tb, NULL);
	int pass = ok == CHILDREN && got == want && want > 0 && fin;
	printf("%s\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
