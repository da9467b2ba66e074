/*
 * A participant for the multi-process tests: joins one group, multicasts a
 * mix of unordered, fifo, agreed and safe messages (some large enough to be
 * fragmented), and logs every callback with a wall-clock timestamp so that
 * `evs-check` can judge the EVS properties across the processes' logs.
 *
 * Usage: evs_node -l LOG -e END_US [-q QUIET_US] [-L LEAVE_US] [-r RATE] [-w MEMBERS]
 *                 [-f] [-g MIX] [-s SIZE]
 *   -e  absolute time (CLOCK_REALTIME, microseconds) to log the end and finalize
 *   -q  stop sending at this time (default: 1 s before END); then wait for
 *       our own messages to come back
 *   -L  finalize early at this time (a graceful leave), logging the end first
 *   -r  messages per second (default 200)
 *   -w  wait until this many processors have announced that they joined the
 *       group before sending (a message delivered before a handle joins its
 *       group is, rightly, not delivered to that handle)
 *   -f  flood: send as fast as flow control allows (CS_ERR_TRY_AGAIN makes it
 *       wait on the fd and dispatch, then retry); -r is then ignored
 *   -g  the guarantees to cycle through, one letter per message: u(nordered),
 *       f(ifo), a(greed), s(afe) (default "ufas")
 *   -s  every message SIZE bytes (24..1048576); by default 24 bytes, with
 *       every 7th message 4000 bytes (fragmented)
 *
 * At the end, one comment line sums the run up (the checker skips comments):
 *   # summary node=N sent=.. own_delivered=.. delivered=.. secs=.. msgs_per_s=..
 *     kB_per_s=.. lat_p50_us=.. lat_p99_us=.. lat_max_us=.. try_again=.. configs=..
 * Latency is self-delivery: from the accepted evs_mcast_joined to the
 * delivery of that message back to its sender. Throughput counts every
 * delivery (all senders) between this process's first and last one.
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

#define MAX_MEMBERS 256

static FILE *logf;
static unsigned int me;
static struct evs_ring_id regular_ring;
static int have_regular;
static uint64_t own_sent, own_delivered;
static int bad;
static unsigned int ready[MAX_MEMBERS];
static size_t ready_count;
static int peer_waiting;
/* Figures for the summary line. */
static uint64_t *sent_at;		/* indexed by our counter */
static size_t sent_cap;
static uint64_t *lat;			/* self-delivery latencies, us */
static size_t lat_n, lat_cap;
static uint64_t delivered, delivered_bytes, first_delivery, last_delivery, try_again;
static unsigned configs;

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

/* Grow *v (of *cap elements) to hold index i; exits on out of memory. */
static void grow(uint64_t **v, size_t *cap, size_t i)
{
	size_t n = *cap ? *cap : 1024;
	if (i < *cap)
		return;
	while (n <= i)
		n *= 2;
	*v = realloc(*v, n * sizeof **v);
	if (!*v) {
		fprintf(stderr, "evs_node: out of memory\n");
		exit(2);
	}
	memset(*v + *cap, 0, (n - *cap) * sizeof **v);
	*cap = n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void on_deliver(hdb_handle_t h, unsigned int nodeid, const void *msg, size_t len)
{
	const unsigned char *p = msg;
	uint64_t counter, t;
	(void)h;
	if (len == 9 && memcmp(p, "EVSR", 4) == 0) {
		size_t i;
		/* Its sender still waits for announcements: ours may have gone
		 * before it joined, so announce again. */
		if (!p[8])
			peer_waiting = 1;
		for (i = 0; i < ready_count; i++)
			if (ready[i] == get_u32(p + 4))
				return;
		if (ready_count < MAX_MEMBERS)
			ready[ready_count++] = get_u32(p + 4);
		return;
	}
	if (len < 13 || memcmp(p, "EVSM", 4) != 0 || get_u32(p + 4) != nodeid) {
		fprintf(logf, "# bad message from %u (%zu bytes)\n", nodeid, len);
		bad = 1;
		return;
	}
	counter = ((uint64_t)get_u32(p + 8) << 32) | get_u32(p + 12);
	t = now_us();
	fprintf(logf, "D %llu %u %llu %u\n", (unsigned long long)t, nodeid,
		(unsigned long long)counter, (unsigned)p[16]);
	if (!delivered)
		first_delivery = t;
	last_delivery = t;
	delivered++;
	delivered_bytes += len;
	if (nodeid == me) {
		own_delivered++;
		if (counter < sent_cap && sent_at[counter]) {
			grow(&lat, &lat_cap, lat_n);
			lat[lat_n++] = t - sent_at[counter];
		}
	}
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
	configs++;
	if (!transitional) {
		regular_ring = *ring;
		have_regular = 1;
	}
}

static uint64_t percentile(unsigned pct)
{
	size_t i;
	if (!lat_n)
		return 0;
	i = (lat_n * pct + 99) / 100;
	return lat[i ? i - 1 : 0];
}

static void summary(void)
{
	double secs = last_delivery > first_delivery ? (double)(last_delivery - first_delivery) / 1e6 : 0;
	qsort(lat, lat_n, sizeof *lat, cmp_u64);
	fprintf(logf,
		"# summary node=%u sent=%llu own_delivered=%llu delivered=%llu secs=%.3f msgs_per_s=%.1f "
		"kB_per_s=%.1f lat_p50_us=%llu lat_p99_us=%llu lat_max_us=%llu try_again=%llu configs=%u\n",
		me, (unsigned long long)own_sent, (unsigned long long)own_delivered,
		(unsigned long long)delivered, secs, secs > 0 ? (double)delivered / secs : 0,
		secs > 0 ? (double)delivered_bytes / secs / 1000 : 0, (unsigned long long)percentile(50),
		(unsigned long long)percentile(99), (unsigned long long)(lat_n ? lat[lat_n - 1] : 0),
		(unsigned long long)try_again, configs);
}

static evs_callbacks_t callbacks = { on_deliver, on_confchg };
static struct evs_group group = { "multi-process-test" };

int main(int argc, char **argv)
{
	const char *log_path = NULL;
	uint64_t end_at = 0, quiet_at = 0, leave_at = 0, next_send, counter = 0, next_ready = 0;
	unsigned rate = 200;
	size_t wait_members = 0, size = 0, buf_len = 4000;
	const char *mix = "ufas";
	int flood = 0;
	unsigned char *buf;
	evs_handle_t h;
	int fd, c, left = 0;
	cs_error_t err;
	size_t entries = 0;
	unsigned int members[MAX_MEMBERS];

	while ((c = getopt(argc, argv, "l:e:q:L:r:w:fg:s:")) != -1) {
		switch (c) {
		case 'l': log_path = optarg; break;
		case 'e': end_at = strtoull(optarg, NULL, 10); break;
		case 'q': quiet_at = strtoull(optarg, NULL, 10); break;
		case 'L': leave_at = strtoull(optarg, NULL, 10); break;
		case 'r': rate = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': wait_members = strtoul(optarg, NULL, 10); break;
		case 'f': flood = 1; break;
		case 'g': mix = optarg; break;
		case 's': size = strtoul(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (!log_path || !end_at || !rate || !*mix || strspn(mix, "ufas") != strlen(mix) ||
	    (size && (size < 24 || size > 1048576)) || wait_members > MAX_MEMBERS) {
		fprintf(stderr, "usage: evs_node -l LOG -e END_US [-q QUIET_US] [-L LEAVE_US] [-r RATE] [-w N]"
				" [-f] [-g ufas] [-s 24..1048576]\n");
		return 2;
	}
	if (size > buf_len)
		buf_len = size;
	buf = calloc(1, buf_len);
	if (!buf)
		return 2;
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
	/* Join first: deliveries before the join are (rightly) not ours, and a
	 * process started into a busy ring would miss them. */
	evs_join(h, &group, 1);
	entries = MAX_MEMBERS;
	evs_membership_get(h, &me, members, &entries);
	fprintf(logf, "N %u\n", me);
	evs_fd_get(h, &fd);
	next_send = now_us();

	for (;;) {
		uint64_t t = now_us();
		struct pollfd p;
		int wait_ms = 10;
		if (t >= end_at || (leave_at && t >= leave_at))
			break;
		/* Sleep until the next send is due (deliveries wake us), at most
		 * 10 ms: with dozens of processes on a few cores, a 1 ms tick each
		 * would starve the protocol threads. */
		if (flood || (t < quiet_at && next_send <= t + 1000))
			wait_ms = 1;
		else if (t < quiet_at && next_send < t + 10000)
			wait_ms = (int)((next_send - t) / 1000);
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		poll(&p, 1, wait_ms);
		evs_dispatch(h, CS_DISPATCH_ALL);
		t = now_us();
		if ((ready_count < wait_members || peer_waiting) && t >= next_ready) {
			/* Announce that we joined (and whether we have heard everyone),
			 * until everyone has, and whenever someone still waits. */
			unsigned char r[9];
			struct iovec riov;
			memcpy(r, "EVSR", 4);
			put_u32(r + 4, me);
			r[8] = ready_count >= wait_members;
			riov.iov_base = r;
			riov.iov_len = sizeof r;
			evs_mcast_joined(h, EVS_TYPE_AGREED, &riov, 1);
			/* Every 100 ms, slower in big rings: 64 processes announcing
			 * at 10/s would fill the ring's window by themselves. */
			next_ready = t + 100000 * (1 + wait_members / 16);
			peer_waiting = 0;
			if (ready_count < wait_members)
				next_send = t;
		}
		if (flood)
			next_send = t;
		while (t < quiet_at && t >= next_send && ready_count >= wait_members) {
			unsigned g = (unsigned)(strchr("ufas", mix[counter % strlen(mix)]) - "ufas");
			size_t len = size ? size : (counter % 7 == 3) ? 4000 : 24;
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
			if (err == CS_ERR_TRY_AGAIN) {
				/* Flow control: wait on the fd, dispatch, then retry. */
				try_again++;
				break;
			}
			if (err != CS_OK) {
				fprintf(logf, "# evs_mcast_joined: %s\n", cs_strerror(err));
				bad = 1;
				break;
			}
			t = now_us();
			fprintf(logf, "S %llu %llu %u\n", (unsigned long long)t, (unsigned long long)counter, g);
			grow(&sent_at, &sent_cap, counter);
			sent_at[counter] = t;
			counter++;
			own_sent++;
			if (flood && counter % 64 == 0)
				break;	/* dispatch now and then while flooding */
			if (!flood)
				next_send += 1000000u / rate;
		}
	}
	if (leave_at && now_us() >= leave_at)
		left = 1;
	/* The end is logged before finalizing: what follows (our own leave) is
	 * not part of the history. */
	summary();
	fprintf(logf, "E %llu %s\n", (unsigned long long)now_us(), left ? "left" : "running");
	fclose(logf);
	evs_finalize(h);
	return bad;
}
