/*
 * A participant for the multi-process tests: joins one group, multicasts a
 * mix of unordered, fifo, agreed and safe messages (some large enough to be
 * fragmented), and logs every callback with a wall-clock timestamp so that
 * `evs-check` can judge the EVS properties across the processes' logs.
 *
 * Usage: evs_node -l LOG -e END_US [-q QUIET_US] [-L LEAVE_US] [-r RATE] [-w MEMBERS]
 *   -e  absolute time (CLOCK_REALTIME, microseconds) to log the end and finalize
 *   -q  stop sending at this time (default: 1 s before END); then wait for
 *       our own messages to come back
 *   -L  finalize early at this time (a graceful leave), logging the end first
 *   -r  messages per second (default 200)
 *   -w  wait until this many processors have announced that they joined the
 *       group before sending (a message delivered before a handle joins its
 *       group is, rightly, not delivered to that handle)
 *
 * Log lines (times in microseconds):
 *   N nodeid
 *   S t counter guarantee                  (a multicast accepted)
 *   D t sender counter guarantee           (a delivery)
 *   C t T|R rep seq m:a,b,.. l:.. j:..     (a configuration change)
 *   E t running|left
 */
#define _POSIX_C_SOURCE 200809L
#include <corosync/evs.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static FILE *logf;
static unsigned int me;
static struct evs_ring_id regular_ring;
static int have_regular;
static uint64_t own_sent, own_delivered;
static int bad;
static unsigned int ready[64];
static size_t ready_count;

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void on_deliver(hdb_handle_t h, unsigned int nodeid, const void *msg, size_t len)
{
	const unsigned char *p = msg;
	uint64_t counter;
	(void)h;
	if (len == 8 && memcmp(p, "EVSR", 4) == 0) {
		size_t i;
		for (i = 0; i < ready_count; i++)
			if (ready[i] == get_u32(p + 4))
				return;
		if (ready_count < 64)
			ready[ready_count++] = get_u32(p + 4);
		return;
	}
	if (len < 13 || memcmp(p, "EVSM", 4) != 0 || get_u32(p + 4) != nodeid) {
		fprintf(logf, "# bad message from %u (%zu bytes)\n", nodeid, len);
		bad = 1;
		return;
	}
	counter = ((uint64_t)get_u32(p + 8) << 32) | get_u32(p + 12);
	fprintf(logf, "D %llu %u %llu %u\n", (unsigned long long)now_us(), nodeid,
		(unsigned long long)counter, (unsigned)p[16]);
	if (nodeid == me)
		own_delivered++;
}

static void put_list(const char *tag, const unsigned int *l, size_t n)
{
	size_t i;
	fprintf(logf, " %s", tag);
	for (i = 0; i < n; i++)
		fprintf(logf, "%s%u", i ? "," : "", l[i]);
}

static void on_confchg(hdb_handle_t h, const unsigned int *m, size_t mn, const unsigned int *l, size_t ln,
		       const unsigned int *j, size_t jn, const struct evs_ring_id *ring)
{
	/* The API's rule: a transitional configuration carries the ring id of
	 * the regular one it follows; a regular one has a new ring id. */
	int transitional = have_regular && ring->nodeid == regular_ring.nodeid && ring->seq == regular_ring.seq;
	(void)h;
	fprintf(logf, "C %llu %c %u %llu", (unsigned long long)now_us(), transitional ? 'T' : 'R', ring->nodeid,
		(unsigned long long)ring->seq);
	put_list("m:", m, mn);
	put_list("l:", l, ln);
	put_list("j:", j, jn);
	fputc('\n', logf);
	if (!transitional) {
		regular_ring = *ring;
		have_regular = 1;
	}
}

static evs_callbacks_t callbacks = { on_deliver, on_confchg };
static struct evs_group group = { "multi-process-test" };

int main(int argc, char **argv)
{
	const char *log_path = NULL;
	uint64_t end_at = 0, quiet_at = 0, leave_at = 0, next_send, counter = 0, next_ready = 0;
	unsigned rate = 200;
	size_t wait_members = 0;
	static unsigned char buf[4000];
	evs_handle_t h;
	int fd, c, left = 0;
	cs_error_t err;
	size_t entries = 0;
	unsigned int members[64];

	while ((c = getopt(argc, argv, "l:e:q:L:r:w:")) != -1) {
		switch (c) {
		case 'l': log_path = optarg; break;
		case 'e': end_at = strtoull(optarg, NULL, 10); break;
		case 'q': quiet_at = strtoull(optarg, NULL, 10); break;
		case 'L': leave_at = strtoull(optarg, NULL, 10); break;
		case 'r': rate = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': wait_members = strtoul(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (!log_path || !end_at || !rate) {
		fprintf(stderr, "usage: evs_node -l LOG -e END_US [-q QUIET_US] [-L LEAVE_US] [-r RATE] [-w N]\n");
		return 2;
	}
	if (!quiet_at)
		quiet_at = end_at - 1000000;
	logf = fopen(log_path, "w");
	if (!logf)
		return 2;
	setvbuf(logf, NULL, _IOLBF, 0);

	err = evs_initialize(&h, &callbacks);
	if (err != CS_OK) {
		fprintf(stderr, "evs_initialize: %s\n", cs_strerror(err));
		return 1;
	}
	entries = 64;
	evs_membership_get(h, &me, members, &entries);
	fprintf(logf, "N %u\n", me);
	evs_join(h, &group, 1);
	evs_fd_get(h, &fd);
	next_send = now_us();

	for (;;) {
		uint64_t t = now_us();
		struct pollfd p;
		if (t >= end_at || (leave_at && t >= leave_at))
			break;
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		poll(&p, 1, 1);
		evs_dispatch(h, CS_DISPATCH_ALL);
		t = now_us();
		if (ready_count < wait_members && t >= next_ready) {
			/* Announce that we joined, until everyone has. */
			unsigned char r[8];
			struct iovec riov;
			memcpy(r, "EVSR", 4);
			put_u32(r + 4, me);
			riov.iov_base = r;
			riov.iov_len = sizeof r;
			evs_mcast_joined(h, EVS_TYPE_AGREED, &riov, 1);
			next_ready = t + 100000;
			next_send = t;
		}
		while (t < quiet_at && t >= next_send && ready_count >= wait_members) {
			unsigned g = (unsigned)(counter % 4);
			size_t len = (counter % 7 == 3) ? sizeof buf : 24;
			struct iovec iov;
			memset(buf, 0, 24);
			memcpy(buf, "EVSM", 4);
			put_u32(buf + 4, me);
			put_u32(buf + 8, (uint32_t)(counter >> 32));
			put_u32(buf + 12, (uint32_t)counter);
			buf[16] = (unsigned char)g;
			iov.iov_base = buf;
			iov.iov_len = len;
			err = evs_mcast_joined(h, (evs_guarantee_t)g, &iov, 1);
			if (err == CS_ERR_TRY_AGAIN)
				break;
			if (err != CS_OK) {
				fprintf(logf, "# evs_mcast_joined: %s\n", cs_strerror(err));
				bad = 1;
				break;
			}
			fprintf(logf, "S %llu %llu %u\n", (unsigned long long)now_us(), (unsigned long long)counter, g);
			counter++;
			own_sent++;
			next_send += 1000000u / rate;
		}
	}
	if (leave_at && now_us() >= leave_at)
		left = 1;
	/* The end is logged before finalizing: what follows (our own leave) is
	 * not part of the history. */
	fprintf(logf, "E %llu %s\n", (unsigned long long)now_us(), left ? "left" : "running");
	fclose(logf);
	evs_finalize(h);
	return bad;
}
