/*
 * raw-mcast: plain UDP multicast, as fast as the sender can write, counted at
 * the receivers: the physical limit of a LAN (or of loopback) for datagrams of
 * one size, to set libevs's figures against. No protocol, no retransmission:
 * what the kernel drops is lost, and counted as lost.
 *
 * Usage: raw-mcast -m send|recv [-a GROUP] [-p PORT] [-i ADDR] [-s SIZE]
 *                  [-g SEGS] [-t SECS] [-T SECS]
 *   -m send  write SIZE-byte datagrams to GROUP:PORT for SECS seconds (-t,
 *            default 5), 64 per sendmmsg, then a few END datagrams carrying
 *            the count
 *   -m recv  count datagrams on GROUP:PORT until an END datagram arrives,
 *            or 2 s pass without data once data has come, or -T seconds
 *            (default 60) in all
 *   -a       multicast group (default 239.192.77.9)
 *   -p       UDP port (default 5399)
 *   -i       local IPv4 address of the interface to use (default 127.0.0.1)
 *   -s       UDP payload bytes per datagram (16..65507, default 1472: a
 *            1500-byte IPv4 datagram, as libevs's frames with netmtu 1500)
 *   -g       send only: hand the kernel SEGS datagrams per buffer to cut up
 *            (UDP_SEGMENT, 2..64, SEGS x SIZE at most 65000), as libevs does
 *            with runs of equal frames; the receivers see the same datagrams
 * Both ends ask for 4 MiB socket buffers, as libevs does (the kernel caps
 * them at net.core.rmem_max / wmem_max). TTL 1: nothing leaves the link.
 *
 * Output, one line on stdout (MB = 10^6 bytes of UDP payload; a receiver's
 * rates cover its first to its last data datagram):
 *   RESULT mode=send size=.. sent=.. secs=.. msgs_per_s=.. MB_per_s=.. cpu_s=..
 *   RESULT mode=recv size=.. msgs=.. bytes=.. secs=.. msgs_per_s=.. MB_per_s=..
 *          lost=.. complete=0|1 cpu_s=..
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* linux/udp.h */
#endif

#include "proc_cpu.h"

#define MAGIC 0x72617764u /* "rawd" */
#define BATCH 64
#define BUF_BYTES (4 << 20)

struct hdr {
	uint32_t magic;
	uint32_t end; /* 1: END, seq is the number of data datagrams sent */
	uint64_t seq;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fail(const char *what)
{
	fprintf(stderr, "raw-mcast: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: raw-mcast -m send|recv [-a GROUP] [-p PORT] [-i ADDR] [-s SIZE] [-g SEGS] [-t SECS] [-T SECS]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	const char *group = "239.192.77.9", *local = "127.0.0.1";
	int port = 5399, sender = -1, c, s, one = 1, buf = BUF_BYTES, segs = 1;
	size_t size = 1472;
	double secs = 5.0, timeout = 60.0;
	struct in_addr grp, ifa;
	struct sockaddr_in to;
	unsigned char *data;

	while ((c = getopt(argc, argv, "m:a:p:i:s:g:t:T:")) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "send"))
				sender = 1;
			else if (!strcmp(optarg, "recv"))
				sender = 0;
			else
				usage();
			break;
		case 'a': group = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'i': local = optarg; break;
		case 's': size = strtoul(optarg, NULL, 10); break;
		case 'g': segs = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'T': timeout = atof(optarg); break;
		default: usage();
		}
	}
	if (sender < 0 || size < sizeof(struct hdr) || size > 65507 || port <= 0 || port > 65535 ||
	    inet_pton(AF_INET, group, &grp) != 1 || inet_pton(AF_INET, local, &ifa) != 1 || segs < 1 ||
	    segs > BATCH || (segs > 1 && (size_t)segs * size > 65000))
		usage();
	data = calloc(1, size);
	if (!data)
		fail("calloc");
	for (size_t i = sizeof(struct hdr); i < size; i++)
		data[i] = (unsigned char)i;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		fail("socket");
	memset(&to, 0, sizeof to);
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr = grp;

	if (sender) {
		unsigned char ttl = 1, loop = 1;
		struct hdr h = { MAGIC, 0, 0 };
		uint64_t t0, t1, end, sent = 0;
		setsockopt(s, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
		if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof ifa) < 0)
			fail("IP_MULTICAST_IF");
		if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0)
			fail("IP_MULTICAST_TTL");
		if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) < 0)
			fail("IP_MULTICAST_LOOP");
		/* BATCH datagrams per sendmmsg: the syscall is not what limits */
		struct mmsghdr mm[BATCH];
		struct iovec iov[BATCH];
		unsigned char *out = malloc((size_t)BATCH * size);
		if (!out)
			fail("malloc");
		for (int k = 0; k < BATCH; k++) {
			memcpy(out + (size_t)k * size, data, size);
			iov[k].iov_base = out + (size_t)k * size;
			iov[k].iov_len = size;
			memset(&mm[k], 0, sizeof mm[k]);
			mm[k].msg_hdr.msg_name = &to;
			mm[k].msg_hdr.msg_namelen = sizeof to;
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
		}
		/* Segmented: each sendmmsg entry is `segs` consecutive datagrams of
		 * the buffer, which the kernel cuts at `size`. */
		int entries = BATCH;
		if (segs > 1) {
			int seg = (int)size;
			if (setsockopt(s, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof seg) < 0)
				fail("UDP_SEGMENT");
			entries = BATCH / segs;
			for (int k = 0; k < entries; k++) {
				iov[k].iov_base = out + (size_t)k * (size_t)segs * size;
				iov[k].iov_len = (size_t)segs * size;
			}
		}
		t0 = now_ns();
		end = t0 + (uint64_t)(secs * 1e9);
		while (now_ns() < end) {
			int n;
			for (int k = 0; k < BATCH; k++) {
				h.seq = sent + (uint64_t)k;
				memcpy(out + (size_t)k * size, &h, sizeof h);
			}
			n = sendmmsg(s, mm, (unsigned int)entries, 0);
			if (n < 0) {
				if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
					continue; /* a full queue: nothing sent, the numbers are reused */
				fail("sendmmsg");
			}
			sent += (uint64_t)n * (uint64_t)segs;
		}
		free(out);
		t1 = now_ns();
		h.end = 1;
		h.seq = sent;
		memcpy(data, &h, sizeof h);
		for (int k = 0; k < 10; k++) {
			sendto(s, data, sizeof h, 0, (struct sockaddr *)&to, sizeof to);
			usleep(20000);
		}
		printf("RESULT mode=send size=%zu sent=%" PRIu64 " secs=%.3f msgs_per_s=%.1f MB_per_s=%.3f cpu_s=%.2f\n",
		       size, sent, (double)(t1 - t0) / 1e9, (double)sent / ((double)(t1 - t0) / 1e9),
		       (double)sent * (double)size / ((double)(t1 - t0) / 1e9) / 1e6, cpu_seconds());
	} else {
		struct sockaddr_in me;
		struct ip_mreq mreq;
		struct mmsghdr msgs[BATCH];
		struct iovec iov[BATCH];
		unsigned char *bufs = malloc((size_t)BATCH * size);
		uint64_t t0 = now_ns(), first = 0, last = 0, count = 0, bytes = 0, max_seq = 0, total = 0;
		int complete = 0, have_total = 0;
		if (!bufs)
			fail("malloc");
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
		memset(&me, 0, sizeof me);
		me.sin_family = AF_INET;
		me.sin_port = htons((uint16_t)port);
		me.sin_addr = grp; /* only the group's datagrams */
		if (bind(s, (struct sockaddr *)&me, sizeof me) < 0)
			fail("bind");
		mreq.imr_multiaddr = grp;
		mreq.imr_interface = ifa;
		if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0)
			fail("IP_ADD_MEMBERSHIP");
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs + (size_t)i * size;
			iov[i].iov_len = size;
			memset(&msgs[i], 0, sizeof msgs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		printf("READY\n");
		fflush(stdout);
		for (;;) {
			struct pollfd p = { s, POLLIN, 0 };
			uint64_t t = now_ns();
			int n;
			if (t - t0 > (uint64_t)(timeout * 1e9) || (count && t - last > 2000000000ull))
				break;
			if (poll(&p, 1, 100) <= 0)
				continue;
			n = recvmmsg(s, msgs, BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0)
				continue;
			t = now_ns();
			for (int i = 0; i < n; i++) {
				struct hdr h;
				if (msgs[i].msg_len < sizeof h)
					continue;
				memcpy(&h, iov[i].iov_base, sizeof h);
				if (h.magic != MAGIC)
					continue;
				if (h.end) {
					have_total = 1;
					total = h.seq;
					continue;
				}
				if (!count)
					first = t;
				last = t;
				count++;
				bytes += msgs[i].msg_len;
				if (h.seq > max_seq)
					max_seq = h.seq;
			}
			if (have_total) {
				complete = 1;
				break;
			}
		}
		{
			double w = count > 1 ? (double)(last - first) / 1e9 : 0.0;
			uint64_t expected = have_total ? total : (count ? max_seq + 1 : 0);
			printf("RESULT mode=recv size=%zu msgs=%" PRIu64 " bytes=%" PRIu64
			       " secs=%.3f msgs_per_s=%.1f MB_per_s=%.3f lost=%" PRIu64 " complete=%d cpu_s=%.2f\n",
			       size, count, bytes, w, w > 0 ? (double)count / w : 0.0,
			       w > 0 ? (double)bytes / w / 1e6 : 0.0, expected > count ? expected - count : 0, complete,
			       cpu_seconds());
		}
		free(bufs);
	}
	close(s);
	free(data);
	return 0;
}
