/*
 * evs-bench: throughput and latency of libevs, through its public API only
 * (<corosync/evs.h>). One process is one processor of the ring; run one per
 * host (or several on loopback) and read the RESULT line each one prints.
 *
 * Usage: evs-bench -m MODE [-s SIZE] [-t SECS] [-r RATE] [-g agreed|safe]
 *                  [-w N] [-n SENDERS] [-T SECS] [-G GROUP] [-q]
 *   -m flood  wait until N processes (-w) have joined the group, multicast
 *             SIZE-byte messages as fast as flow control allows for SECS
 *             seconds (CS_ERR_TRY_AGAIN: wait on the fd, dispatch, retry),
 *             then an END marker; meanwhile count every delivery (its own
 *             messages and the other senders'), as recv does
 *   -m recv   join, count and check deliveries until END markers from
 *             SENDERS senders have arrived (-n, default 1)
 *   -m lat    as flood, but paced at RATE messages per second (-r, default
 *             1000); each message carries its CLOCK_MONOTONIC send time and
 *             every process (the sender included) reports the distribution
 *             of send-to-delivery latency. Processes of one machine share
 *             CLOCK_MONOTONIC, also across network namespaces.
 *   -m idle   join and dispatch for SECS seconds, sending nothing after the
 *             start-up announcements (for measuring an idle ring's CPU)
 *   -s SIZE   message size in bytes, header included (32..1048576, default 1024)
 *   -g        guarantee of the messages sent (default agreed)
 *   -w N      processes that must have joined the group before sending (default 1)
 *   -T SECS   give up after this long in all (default: SECS + 60); the
 *             RESULT line then says complete=0 and the exit status is 2
 *   -q        no progress lines on stderr
 *
 * Every message starts with a 32-byte header (magic, kind, guarantee, flags,
 * sender node id, size, per-sender sequence number, send time); the rest is a
 * fixed pattern shifted by the sequence number. Each delivery is checked:
 * the header's node id is the delivering node id, the length is the header's
 * size, the payload matches the pattern (content_errs), and each sender's
 * sequence numbers come 0, 1, 2, ... up to the count its END marker gives
 * (a gap counts in lost, a step back in order_errs). digest is a hash of the
 * order of every data delivery (sender, sequence): with agreed or safe
 * messages every process of one trial must print the same digest.
 *
 * Start-up: a process announces itself (HELLO, every 50 ms) once it has
 * joined the group, until it has heard N distinct processes (any message of
 * theirs counts), then once more, for those that joined after its earlier
 * announcements. A sender starts after hearing N processes, so every process
 * counted has joined the group before the first data message is ordered.
 *
 * Output, one line on stdout at the end (MB = 10^6 bytes of message, header
 * included; rates over the window from the first to the last data delivery):
 *   RESULT mode=.. node=.. size=.. guarantee=.. msgs=.. bytes=.. secs=..
 *          msgs_per_s=.. MB_per_s=.. senders=.. ends=.. lost=..
 *          order_errs=.. content_errs=.. digest=.. sent=.. send_secs=..
 *          send_msgs_per_s=.. send_MB_per_s=.. try_again=.. cpu_s=..
 *          lat_n=.. lat_p50_us=.. lat_p99_us=.. lat_p999_us=.. lat_max_us=..
 *          complete=0|1
 * cpu_s is this process's user + system time (/proc/self/stat) over its life.
 * size and guarantee are those of the data delivered (of -s and -g when none was).
 * The library is configured by its environment (EVS_BINDNETADDR,
 * EVS_MCASTPORT, ...; see README.md).
 */
#define _GNU_SOURCE
#include <corosync/evs.h>

#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_cpu.h"

#define HDR_LEN 32
#define MAX_SIZE 1048576
#define MAGIC 0x65766262u /* "evbb" */
#define MAX_PEERS 64

enum kind { K_HELLO = 1, K_DATA = 2, K_END = 3 };
enum mode { M_FLOOD, M_RECV, M_LAT, M_IDLE };
#define F_TIMED 1 /* the send time is a latency sample */

struct hdr {
	uint32_t magic;
	uint8_t kind;
	uint8_t guarantee;
	uint8_t flags;
	uint8_t pad;
	uint32_t nodeid;
	uint32_t size;
	uint64_t seq; /* DATA: sequence number; END: messages sent */
	uint64_t ts_ns;
};

struct peer {
	unsigned int nodeid;
	int heard;      /* any message of it delivered */
	int data;       /* a data message of it delivered */
	uint64_t next;  /* next expected sequence number */
	int ended;
};

static struct {
	enum mode mode;
	size_t size;
	double secs;
	double rate;
	evs_guarantee_t guarantee;
	int want;
	int senders;
	double timeout;
	int quiet;
} opt = { M_FLOOD, 1024, 5.0, 1000.0, EVS_TYPE_AGREED, 1, 1, -1.0, 0 };

static unsigned char *pattern; /* MAX_SIZE + 256 bytes */
static unsigned int self_id;
static struct peer peers[MAX_PEERS];
static int npeers, nheard, ends;
static uint64_t msgs, bytes, lost, order_errs, content_errs, foreign;
static uint64_t t_first, t_last;
static int seen_guarantee = -1; /* of the data delivered */
static size_t seen_size;        /* likewise */
static uint64_t digest = 0xcbf29ce484222325ull;
static uint64_t *lat;
static size_t lat_n, lat_cap;
static volatile sig_atomic_t stop;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, cs_error_t err)
{
	fprintf(stderr, "evs-bench: %s: error %d\n", what, (int)err);
	exit(1);
}

static const unsigned char *payload_for(uint64_t seq, unsigned int nodeid)
{
	return pattern + ((seq * 31u + nodeid) & 0xffu);
}

static void fnv(uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		digest ^= (v >> (8 * i)) & 0xffu;
		digest *= 0x100000001b3ull;
	}
}

static struct peer *peer_of(unsigned int nodeid)
{
	for (int i = 0; i < npeers; i++)
		if (peers[i].nodeid == nodeid)
			return &peers[i];
	if (npeers == MAX_PEERS)
		return NULL;
	peers[npeers].nodeid = nodeid;
	return &peers[npeers++];
}

static void deliver(hdb_handle_t h, unsigned int nodeid, const void *msg, size_t len)
{
	struct hdr hd;
	struct peer *p;
	uint64_t t = now_ns();
	(void)h;
	if (len < HDR_LEN) {
		foreign++;
		return;
	}
	memcpy(&hd, msg, sizeof hd);
	if (hd.magic != MAGIC) {
		foreign++;
		return;
	}
	p = peer_of(nodeid);
	if (!p) {
		content_errs++;
		return;
	}
	if (!p->heard) {
		p->heard = 1;
		nheard++;
	}
	if (hd.nodeid != nodeid) {
		content_errs++;
		return;
	}
	if (hd.kind == K_END) {
		if (!p->ended) {
			p->ended = 1;
			ends++;
			if (hd.seq > p->next)
				lost += hd.seq - p->next;
		}
		return;
	}
	if (hd.kind != K_DATA)
		return;
	if (hd.size != len ||
	    memcmp((const unsigned char *)msg + HDR_LEN, payload_for(hd.seq, nodeid), len - HDR_LEN) != 0)
		content_errs++;
	if (hd.seq > p->next)
		lost += hd.seq - p->next;
	else if (hd.seq < p->next)
		order_errs++;
	if (hd.seq >= p->next)
		p->next = hd.seq + 1;
	p->data = 1;
	seen_guarantee = hd.guarantee;
	seen_size = len;
	fnv(((uint64_t)nodeid << 32) ^ hd.seq);
	if (msgs == 0)
		t_first = t;
	t_last = t;
	msgs++;
	bytes += len;
	if ((hd.flags & F_TIMED) && t >= hd.ts_ns) {
		if (lat_n == lat_cap) {
			lat_cap = lat_cap ? lat_cap * 2 : 4096;
			lat = realloc(lat, lat_cap * sizeof *lat);
			if (!lat) {
				perror("evs-bench: realloc");
				exit(1);
			}
		}
		lat[lat_n++] = t - hd.ts_ns;
	}
}

static void confchg(hdb_handle_t h, const unsigned int *m, size_t nm, const unsigned int *l, size_t nl,
		    const unsigned int *j, size_t nj, const struct evs_ring_id *r)
{
	(void)h, (void)m, (void)nm, (void)l, (void)nl, (void)j, (void)nj, (void)r;
}

static evs_handle_t handle;
static int evfd;

/* Wait up to timeout_ns for callbacks and run the pending ones. */
static void pump(uint64_t timeout_ns)
{
	struct pollfd pfd = { evfd, POLLIN, 0 };
	struct timespec ts = { (time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull) };
	cs_error_t err;
	if (ppoll(&pfd, 1, &ts, NULL) > 0) {
		err = evs_dispatch(handle, CS_DISPATCH_ALL);
		if (err != CS_OK && err != CS_ERR_TRY_AGAIN)
			die("evs_dispatch", err);
	}
}

static uint64_t try_again;

/* Multicast one message, retrying while the send queue is full. */
static int send_msg(uint8_t kind, uint8_t flags, uint64_t seq, size_t size, uint64_t deadline)
{
	struct hdr hd = { MAGIC, kind, (uint8_t)opt.guarantee, flags, 0, self_id, (uint32_t)size, seq, 0 };
	unsigned char raw[HDR_LEN];
	struct iovec iov[2];
	cs_error_t err;
	for (;;) {
		hd.ts_ns = now_ns();
		memcpy(raw, &hd, HDR_LEN);
		iov[0].iov_base = raw;
		iov[0].iov_len = HDR_LEN;
		iov[1].iov_base = (void *)payload_for(seq, self_id);
		iov[1].iov_len = size - HDR_LEN;
		err = evs_mcast_joined(handle, opt.guarantee, iov, 2);
		if (err == CS_OK)
			return 1;
		if (err != CS_ERR_TRY_AGAIN)
			die("evs_mcast_joined", err);
		try_again++;
		if (stop || now_ns() >= deadline)
			return 0;
		pump(1000000);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static double pct_us(double q)
{
	size_t i;
	if (!lat_n)
		return 0.0;
	i = (size_t)(q * (double)(lat_n - 1) + 0.5);
	return (double)lat[i] / 1000.0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: evs-bench -m flood|recv|lat|idle [-s SIZE] [-t SECS] [-r RATE] "
			"[-g agreed|safe] [-w N] [-n SENDERS] [-T SECS] [-G GROUP] [-q]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	const char *group_name = "evs-bench";
	const char *mode_name = "flood";
	struct evs_group group;
	evs_callbacks_t cb = { deliver, confchg };
	unsigned int members[MAX_PEERS];
	size_t nmem = MAX_PEERS;
	uint64_t t0, t_start = 0, t_stop = 0, t_hard, last_hello = 0, sent = 0;
	int c, complete, sending;
	cs_error_t err;

	while ((c = getopt(argc, argv, "m:s:t:r:g:w:n:T:G:q")) != -1) {
		switch (c) {
		case 'm':
			mode_name = optarg;
			if (!strcmp(optarg, "flood"))
				opt.mode = M_FLOOD;
			else if (!strcmp(optarg, "recv"))
				opt.mode = M_RECV;
			else if (!strcmp(optarg, "lat"))
				opt.mode = M_LAT;
			else if (!strcmp(optarg, "idle"))
				opt.mode = M_IDLE;
			else
				usage();
			break;
		case 's': opt.size = strtoul(optarg, NULL, 10); break;
		case 't': opt.secs = atof(optarg); break;
		case 'r': opt.rate = atof(optarg); break;
		case 'g':
			if (!strcmp(optarg, "agreed"))
				opt.guarantee = EVS_TYPE_AGREED;
			else if (!strcmp(optarg, "safe"))
				opt.guarantee = EVS_TYPE_SAFE;
			else
				usage();
			break;
		case 'w': opt.want = atoi(optarg); break;
		case 'n': opt.senders = atoi(optarg); break;
		case 'T': opt.timeout = atof(optarg); break;
		case 'G': group_name = optarg; break;
		case 'q': opt.quiet = 1; break;
		default: usage();
		}
	}
	if (opt.size < HDR_LEN || opt.size > MAX_SIZE || opt.secs <= 0 || opt.rate <= 0 || opt.want < 1 ||
	    opt.want > MAX_PEERS || opt.senders < 0 || strlen(group_name) >= sizeof group.key)
		usage();
	if (opt.timeout < 0)
		opt.timeout = opt.secs + 60.0;
	if (opt.mode == M_RECV)
		opt.secs = 0;

	pattern = malloc(MAX_SIZE + 256);
	if (!pattern) {
		perror("evs-bench: malloc");
		return 1;
	}
	for (size_t i = 0; i < MAX_SIZE + 256; i++)
		pattern[i] = (unsigned char)(i * 7u + (i >> 9));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	t0 = now_ns();
	t_hard = t0 + (uint64_t)(opt.timeout * 1e9);
	if ((err = evs_initialize(&handle, &cb)) != CS_OK)
		die("evs_initialize", err);
	if ((err = evs_fd_get(handle, &evfd)) != CS_OK)
		die("evs_fd_get", err);
	if ((err = evs_membership_get(handle, &self_id, members, &nmem)) != CS_OK)
		die("evs_membership_get", err);
	memset(&group, 0, sizeof group);
	memcpy(group.key, group_name, strlen(group_name));
	if ((err = evs_join(handle, &group, 1)) != CS_OK)
		die("evs_join", err);

	sending = opt.mode == M_FLOOD || opt.mode == M_LAT;
	/* Start-up: announce until N processes are heard. */
	while (!stop && now_ns() < t_hard && nheard < opt.want) {
		uint64_t t = now_ns();
		if (t - last_hello >= 50000000ull) {
			send_msg(K_HELLO, 0, 0, HDR_LEN, t_hard);
			last_hello = t;
		}
		pump(10000000);
	}
	/* A last announcement: every process we counted joined before its own
	   announcement, so it hears this one and counts us, even if our
	   earlier ones went out before it joined. */
	if (!stop && nheard >= opt.want)
		send_msg(K_HELLO, 0, 0, HDR_LEN, t_hard);
	if (sending && !stop && nheard >= opt.want) {
		if (!opt.quiet)
			fprintf(stderr, "evs-bench: node %u: %d processes heard, sending %zu B %s for %.1f s\n",
				self_id, nheard, opt.size, opt.guarantee == EVS_TYPE_SAFE ? "safe" : "agreed",
				opt.secs);
		t_start = now_ns();
		t_stop = t_start + (uint64_t)(opt.secs * 1e9);
		if (opt.mode == M_FLOOD) {
			while (!stop && now_ns() < t_stop) {
				if (!send_msg(K_DATA, 0, sent, opt.size, t_stop))
					break;
				sent++;
				if ((sent & 7) == 0 || opt.size > 4096)
					pump(0);
			}
		} else {
			double period = 1e9 / opt.rate;
			while (!stop) {
				uint64_t due = t_start + (uint64_t)((double)sent * period), t = now_ns();
				if (due >= t_stop)
					break;
				if (t < due) {
					pump(due - t);
					continue;
				}
				if (!send_msg(K_DATA, F_TIMED, sent, opt.size, t_stop))
					break;
				sent++;
			}
		}
		t_stop = now_ns();
		send_msg(K_END, 0, sent, HDR_LEN, t_hard);
	} else if (opt.mode == M_IDLE) {
		uint64_t end = t0 + (uint64_t)(opt.secs * 1e9);
		if (!opt.quiet)
			fprintf(stderr, "evs-bench: node %u: %d processes heard, idle\n", self_id, nheard);
		while (!stop && now_ns() < end)
			pump(100000000);
	}
	/* Deliveries until every sender's END marker is in. */
	if (opt.mode != M_IDLE)
		while (!stop && ends < opt.senders && now_ns() < t_hard)
			pump(10000000);
	complete = opt.mode == M_IDLE ? !stop : ends >= opt.senders;
	/* a moment more, so that no one leaves while others still order the ENDs */
	if (complete && opt.mode != M_IDLE) {
		uint64_t linger = now_ns() + 200000000ull;
		while (now_ns() < linger)
			pump(linger - now_ns());
	}

	{
		double secs = msgs > 1 ? (double)(t_last - t_first) / 1e9 : 0.0;
		double ssecs = sent ? (double)(t_stop - t_start) / 1e9 : 0.0;
		int g = seen_guarantee >= 0 ? seen_guarantee : (int)opt.guarantee;
		qsort(lat, lat_n, sizeof *lat, cmp_u64);
		printf("RESULT mode=%s node=%u size=%zu guarantee=%s msgs=%" PRIu64 " bytes=%" PRIu64
		       " secs=%.3f msgs_per_s=%.1f MB_per_s=%.3f senders=%d ends=%d lost=%" PRIu64
		       " order_errs=%" PRIu64 " content_errs=%" PRIu64 " digest=%016" PRIx64 " sent=%" PRIu64
		       " send_secs=%.3f send_msgs_per_s=%.1f send_MB_per_s=%.3f try_again=%" PRIu64
		       " cpu_s=%.2f lat_n=%zu lat_p50_us=%.1f lat_p99_us=%.1f lat_p999_us=%.1f"
		       " lat_max_us=%.1f complete=%d\n",
		       mode_name, self_id, seen_size ? seen_size : opt.size, g == EVS_TYPE_SAFE ? "safe" : "agreed", msgs, bytes,
		       secs, secs > 0 ? (double)msgs / secs : 0.0, secs > 0 ? (double)bytes / secs / 1e6 : 0.0,
		       opt.senders, ends, lost, order_errs, content_errs, digest, sent, ssecs,
		       ssecs > 0 ? (double)sent / ssecs : 0.0,
		       ssecs > 0 ? (double)sent * (double)opt.size / ssecs / 1e6 : 0.0, try_again, cpu_seconds(),
		       lat_n, pct_us(0.50), pct_us(0.99), pct_us(0.999), lat_n ? (double)lat[lat_n - 1] / 1000.0 : 0.0,
		       complete);
		fflush(stdout);
	}
	evs_finalize(handle);
	free(lat);
	free(pattern);
	return complete && !lost && !order_errs && !content_errs ? 0 : 2;
}
