/*
 * evs-chat: an interactive client of libevs, in the spirit of corosync's
 * testevs and Spread's spuser. One process is one processor of the ring; run
 * it in two or three terminals (or machines with the same configuration) and
 * type commands. It reads commands from standard input, line by line, from a
 * terminal or from a pipe, and prints what the ring delivers on standard
 * output; errors go to standard error.
 *
 * Usage: evs-chat [-j GROUP]... [-g GUARANTEE] [-t] [-q]
 *   -j GROUP  join GROUP at start (repeatable)
 *   -g        guarantee of the messages sent: unordered, fifo, agreed
 *             (default) or safe; the command t changes it
 *   -t        prefix every line printed with the time (HH:MM:SS.mmm)
 *   -q        no banner
 * The library reads its configuration from the environment and EVS_CONFIG
 * (README.md): with nothing set, the processes of one machine form a ring
 * over multicast on loopback; EVS_NODEID chooses the node id.
 *
 * Commands (one per line; h prints this list):
 *   j GROUP...            join groups (separated by spaces or commas)
 *   l GROUP...            leave groups
 *   s TEXT                send TEXT to the groups joined
 *   g GROUP[,GROUP] TEXT  send TEXT to the groups named (joined or not)
 *   t [GUARANTEE]         show or set the guarantee of s and g:
 *                         unordered, fifo, agreed or safe
 *   m                     the current membership (evs_membership_get)
 *   i                     node id, guarantee and groups joined
 *   p SECONDS             pause: deliver for SECONDS, reading no command
 *                         (for scripts fed through a pipe)
 *   h                     help
 *   q                     quit (so does the end of the input, and SIGINT
 *                         or SIGTERM): leaves the ring gracefully
 * A group is a name of 1 to 32 bytes without spaces or commas (its 32-byte
 * key, zero-padded).
 *
 * Output:
 *   [node 2 -> chat] hello              a delivery (agreed)
 *   [node 2 -> chat,ops (safe)] hello   another guarantee, or several groups
 *   [node 2] (9 bytes, not evs-chat's) ... a message of another program
 *   == transitional configuration (ring 1:1234 ends): members [1 2], left [3]
 *   == regular configuration (ring 1:1238): members [1 2 4], joined [4]
 *   == membership: node 1 of [1 2]       (m)
 * The configuration callback has no type field. By this library's rules
 * (API.md) a transitional configuration carries the ring id of the regular
 * configuration it ends, and every regular configuration has a new ring id;
 * a handle's first callback is a regular configuration. So a change whose
 * ring id is that of the last regular one is transitional, any other is
 * regular. A change that breaks the rules that go with it (a transitional
 * one has no joined list, a regular one no left list) is printed as
 * "configuration (type unknown)".
 *
 * A message is "chat1 GUARANTEE GROUP,GROUP\n" and the text, so that the
 * receivers can print the groups it was sent to and its guarantee.
 */
#define _POSIX_C_SOURCE 200809L
#include <corosync/evs.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOINED 1024
#define MAX_MEMBERS 1024
#define MAX_GROUPS_PER_CALL 50
#define MAX_LINE 65536
#define TRY_AGAIN_SECS 10
#define MAGIC "chat1 "

static evs_handle_t handle;
static int fd;
static evs_guarantee_t guarantee = EVS_TYPE_AGREED;
static int stamps;
static struct evs_group joined[MAX_JOINED];
static size_t njoined;
static struct evs_ring_id regular_ring;
static int have_regular;
static volatile sig_atomic_t stop;
static int failed_processor;

static const char *const guarantee_names[] = { "unordered", "fifo", "agreed", "safe" };

static const char *err_name(cs_error_t err)
{
	static const char *const names[] = {
		[CS_OK] = "CS_OK",
		[CS_ERR_LIBRARY] = "CS_ERR_LIBRARY",
		[CS_ERR_VERSION] = "CS_ERR_VERSION",
		[CS_ERR_INIT] = "CS_ERR_INIT",
		[CS_ERR_TIMEOUT] = "CS_ERR_TIMEOUT",
		[CS_ERR_TRY_AGAIN] = "CS_ERR_TRY_AGAIN",
		[CS_ERR_INVALID_PARAM] = "CS_ERR_INVALID_PARAM",
		[CS_ERR_NO_MEMORY] = "CS_ERR_NO_MEMORY",
		[CS_ERR_BAD_HANDLE] = "CS_ERR_BAD_HANDLE",
		[CS_ERR_BUSY] = "CS_ERR_BUSY",
		[CS_ERR_ACCESS] = "CS_ERR_ACCESS",
		[CS_ERR_NOT_EXIST] = "CS_ERR_NOT_EXIST",
		[CS_ERR_NAME_TOO_LONG] = "CS_ERR_NAME_TOO_LONG",
		[CS_ERR_EXIST] = "CS_ERR_EXIST",
		[CS_ERR_NO_SPACE] = "CS_ERR_NO_SPACE",
		[CS_ERR_INTERRUPT] = "CS_ERR_INTERRUPT",
		[CS_ERR_NAME_NOT_FOUND] = "CS_ERR_NAME_NOT_FOUND",
		[CS_ERR_NO_RESOURCES] = "CS_ERR_NO_RESOURCES",
		[CS_ERR_NOT_SUPPORTED] = "CS_ERR_NOT_SUPPORTED",
		[CS_ERR_BAD_OPERATION] = "CS_ERR_BAD_OPERATION",
		[CS_ERR_FAILED_OPERATION] = "CS_ERR_FAILED_OPERATION",
		[CS_ERR_MESSAGE_ERROR] = "CS_ERR_MESSAGE_ERROR",
		[CS_ERR_QUEUE_FULL] = "CS_ERR_QUEUE_FULL",
		[CS_ERR_QUEUE_NOT_AVAILABLE] = "CS_ERR_QUEUE_NOT_AVAILABLE",
		[CS_ERR_BAD_FLAGS] = "CS_ERR_BAD_FLAGS",
		[CS_ERR_TOO_BIG] = "CS_ERR_TOO_BIG",
		[CS_ERR_NO_SECTIONS] = "CS_ERR_NO_SECTIONS",
		[CS_ERR_CONTEXT_NOT_FOUND] = "CS_ERR_CONTEXT_NOT_FOUND",
		[CS_ERR_TOO_MANY_GROUPS] = "CS_ERR_TOO_MANY_GROUPS",
	};
	if (err == CS_ERR_SECURITY)
		return "CS_ERR_SECURITY";
	if ((unsigned)err < sizeof names / sizeof names[0] && names[err])
		return names[err];
	return "unknown cs_error_t";
}

static void stamp(FILE *f)
{
	struct timespec ts;
	struct tm tm;
	if (!stamps)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(f, "%02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/* An error line on stderr: "evs-chat: WHAT: CS_ERR_X (its description)". */
static void report(cs_error_t err, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	stamp(stderr);
	fputs("evs-chat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s (%s)", err_name(err), cs_strerror(err));
	fputc('\n', stderr);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Text as printed: control characters as \xNN, the rest (UTF-8 too) as is. */
static void put_text(const unsigned char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			printf("\\x%02x", p[i]);
		else
			putchar(p[i]);
	}
}

/* A group's name: its key up to the first zero byte. */
static size_t group_len(const struct evs_group *g)
{
	const char *z = memchr(g->key, 0, sizeof g->key);
	return z ? (size_t)(z - g->key) : sizeof g->key;
}

static int group_from(const char *name, size_t len, struct evs_group *g)
{
	if (len == 0 || len > sizeof g->key || memchr(name, 0, len)) {
		report(0, "'%.*s': a group name has 1 to %zu bytes", (int)len, name, sizeof g->key);
		return -1;
	}
	memset(g, 0, sizeof *g);
	memcpy(g->key, name, len);
	return 0;
}

/* ", what [1 2 3]"; members are always printed, the other lists when not empty. */
static void put_list(const char *what, const unsigned int *l, size_t n, int always)
{
	size_t i;
	if (!n && !always)
		return;
	printf("%s%s [", always ? ": " : ", ", what);
	for (i = 0; i < n; i++)
		printf(i ? " %u" : "%u", l[i]);
	putchar(']');
}

/* Wait up to ms for callbacks and run them; a failed processor ends the program. */
static void pump(int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	cs_error_t err;
	if (poll(&p, 1, ms) <= 0)
		return;
	err = evs_dispatch(handle, CS_DISPATCH_ALL);
	if (err != CS_OK) {
		report(err, "evs_dispatch");
		failed_processor = 1;
		stop = 1;
	}
}

/* Retries while the call answers CS_ERR_TRY_AGAIN (flow control), running
 * callbacks in between, for at most TRY_AGAIN_SECS. */
#define RETRY(err, call)                                                            \
	do {                                                                        \
		uint64_t give_up_ = now_ms() + TRY_AGAIN_SECS * 1000u;              \
		while (((err) = (call)) == CS_ERR_TRY_AGAIN && !stop && now_ms() < give_up_) \
			pump(10);                                                   \
	} while (0)

static void on_deliver(hdb_handle_t h, unsigned int nodeid, const void *msg, size_t len)
{
	const unsigned char *p = msg;
	const unsigned char *nl;
	(void)h;
	stamp(stdout);
	nl = len > strlen(MAGIC) ? memchr(p, '\n', len) : NULL;
	if (nl && memcmp(p, MAGIC, strlen(MAGIC)) == 0) {
		const unsigned char *g = p + strlen(MAGIC);
		const unsigned char *sp = memchr(g, ' ', (size_t)(nl - g));
		if (sp) {
			size_t glen = (size_t)(sp - g);
			printf("[node %u -> ", nodeid);
			put_text(sp + 1, (size_t)(nl - sp - 1));
			if (glen != 6 || memcmp(g, "agreed", 6) != 0) {
				fputs(" (", stdout);
				put_text(g, glen);
				putchar(')');
			}
			fputs("] ", stdout);
			put_text(nl + 1, len - (size_t)(nl + 1 - p));
			putchar('\n');
			return;
		}
	}
	printf("[node %u] (%zu bytes, not evs-chat's) ", nodeid, len);
	put_text(p, len < 200 ? len : 200);
	fputs(len > 200 ? "...\n" : "\n", stdout);
}

static void on_confchg(hdb_handle_t h, const unsigned int *m, size_t mn, const unsigned int *l, size_t ln,
		       const unsigned int *j, size_t jn, const struct evs_ring_id *ring)
{
	int transitional = have_regular && ring->nodeid == regular_ring.nodeid && ring->seq == regular_ring.seq;
	(void)h;
	stamp(stdout);
	if ((transitional && jn) || (!transitional && ln))
		printf("== configuration (type unknown) (ring %u:%llu)", ring->nodeid, ring->seq);
	else if (transitional)
		printf("== transitional configuration (ring %u:%llu ends)", ring->nodeid, ring->seq);
	else
		printf("== regular configuration (ring %u:%llu)", ring->nodeid, ring->seq);
	put_list("members", m, mn, 1);
	put_list("left", l, ln, 0);
	put_list("joined", j, jn, 0);
	putchar('\n');
	if (!transitional) {
		regular_ring = *ring;
		have_regular = 1;
	}
}

static void help(void)
{
	fputs("commands:\n"
	      "  j GROUP...            join groups\n"
	      "  l GROUP...            leave groups\n"
	      "  s TEXT                send TEXT to the groups joined\n"
	      "  g GROUP[,GROUP] TEXT  send TEXT to the groups named (joined or not)\n"
	      "  t [GUARANTEE]         show or set the guarantee of s and g: unordered, fifo, agreed, safe\n"
	      "  m                     the current membership\n"
	      "  i                     node id, guarantee and groups joined\n"
	      "  p SECONDS             pause: deliver for SECONDS, reading no command\n"
	      "  h                     this help\n"
	      "  q                     quit (so does the end of the input)\n",
	      stdout);
}

static int find_joined(const struct evs_group *g)
{
	size_t i;
	for (i = 0; i < njoined; i++)
		if (memcmp(joined[i].key, g->key, sizeof g->key) == 0)
			return (int)i;
	return -1;
}

/* j and l: one evs_join or evs_leave per group, so that each error names its
 * group; the names are separated by spaces or commas. */
static void join_leave(int join, char *args)
{
	char *save = NULL, *name;
	int any = 0;
	for (name = strtok_r(args, " \t,", &save); name; name = strtok_r(NULL, " \t,", &save)) {
		struct evs_group g;
		cs_error_t err;
		int i;
		any = 1;
		if (group_from(name, strlen(name), &g))
			continue;
		i = find_joined(&g);
		if (join) {
			RETRY(err, evs_join(handle, &g, 1));
			if (err != CS_OK) {
				report(err, "evs_join '%s'", name);
				continue;
			}
			if (i < 0 && njoined < MAX_JOINED)
				joined[njoined++] = g;
		} else {
			RETRY(err, evs_leave(handle, &g, 1));
			if (err != CS_OK) {
				report(err, "evs_leave '%s'%s", name, err == CS_ERR_NOT_EXIST ? " (not joined)" : "");
				continue;
			}
			if (i >= 0)
				joined[i] = joined[--njoined];
		}
	}
	if (!any)
		report(0, "%s: name a group, e.g. %s chat", join ? "j" : "l", join ? "j" : "l");
}

/* s and g: header and text in one iovec pair. */
static void send_text(const struct evs_group *groups, size_t n, const char *text)
{
	static char header[64 + MAX_JOINED * 33];
	struct iovec iov[2];
	size_t hl, i;
	cs_error_t err;
	const struct evs_group *list = groups ? groups : joined;
	size_t count = groups ? n : njoined;

	if (!count) {
		report(0, "s: no group joined (j GROUP first, or g GROUP TEXT)");
		return;
	}
	hl = (size_t)sprintf(header, "%s%s ", MAGIC, guarantee_names[guarantee]);
	for (i = 0; i < count; i++) {
		if (i)
			header[hl++] = ',';
		memcpy(header + hl, list[i].key, group_len(&list[i]));
		hl += group_len(&list[i]);
	}
	header[hl++] = '\n';
	iov[0].iov_base = header;
	iov[0].iov_len = hl;
	iov[1].iov_base = (void *)text;
	iov[1].iov_len = strlen(text);
	if (groups)
		RETRY(err, evs_mcast_groups(handle, guarantee, groups, n, iov, 2));
	else
		RETRY(err, evs_mcast_joined(handle, guarantee, iov, 2));
	if (err != CS_OK)
		report(err, "%s", groups ? "evs_mcast_groups" : "evs_mcast_joined");
}

static void cmd_group_send(char *args)
{
	struct evs_group groups[MAX_GROUPS_PER_CALL];
	size_t n = 0;
	char *text = args + strcspn(args, " \t");
	char *name = args;
	if (*text)
		*text++ = 0;
	if (!*args) {
		report(0, "g: usage: g GROUP[,GROUP] TEXT");
		return;
	}
	while (name) {
		char *comma = strchr(name, ',');
		size_t len = comma ? (size_t)(comma - name) : strlen(name);
		if (n == MAX_GROUPS_PER_CALL) {
			report(0, "g: at most %d groups per message", MAX_GROUPS_PER_CALL);
			return;
		}
		if (group_from(name, len, &groups[n]))
			return;
		n++;
		name = comma ? comma + 1 : NULL;
	}
	send_text(groups, n, text);
}

static void cmd_guarantee(const char *arg)
{
	unsigned i;
	if (!*arg) {
		stamp(stdout);
		printf("guarantee: %s\n", guarantee_names[guarantee]);
		return;
	}
	for (i = 0; i < 4; i++)
		if (strcmp(arg, guarantee_names[i]) == 0) {
			guarantee = (evs_guarantee_t)i;
			stamp(stdout);
			printf("guarantee: %s\n", guarantee_names[guarantee]);
			return;
		}
	report(0, "t: '%s' is not a guarantee (unordered, fifo, agreed, safe)", arg);
}

static void cmd_membership(int with_groups)
{
	unsigned int members[MAX_MEMBERS], me = 0;
	size_t n = MAX_MEMBERS, i;
	cs_error_t err;
	RETRY(err, evs_membership_get(handle, &me, members, &n));
	if (err != CS_OK) {
		report(err, "evs_membership_get");
		return;
	}
	stamp(stdout);
	if (with_groups) {
		printf("node %u, guarantee %s, groups joined:", me, guarantee_names[guarantee]);
		for (i = 0; i < njoined; i++) {
			putchar(' ');
			put_text((const unsigned char *)joined[i].key, group_len(&joined[i]));
		}
		puts(njoined ? "" : " none");
		return;
	}
	printf("== membership: node %u of [", me);
	for (i = 0; i < n; i++)
		printf(i ? " %u" : "%u", members[i]);
	puts("]");
}

/* Runs one command line; returns the milliseconds to pause (p), -1 to quit. */
static long command(char *line)
{
	char *args;
	size_t len = strlen(line);
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = 0;
	line += strspn(line, " \t");
	if (!*line || *line == '#')
		return 0;
	args = line + 1;
	if (*args && *args != ' ' && *args != '\t') {
		report(0, "'%s': unknown command (h for help)", line);
		return 0;
	}
	args += strspn(args, " \t");
	switch (*line) {
	case 'j': join_leave(1, args); break;
	case 'l': join_leave(0, args); break;
	case 's': send_text(NULL, 0, args); break;
	case 'g': cmd_group_send(args); break;
	case 't': cmd_guarantee(args); break;
	case 'm': cmd_membership(0); break;
	case 'i': cmd_membership(1); break;
	case 'h': help(); break;
	case 'q': return -1;
	case 'p': {
		char *end;
		double s = strtod(args, &end);
		if (end == args || *end || s < 0 || s > 86400) {
			report(0, "p: usage: p SECONDS (0 to 86400)");
			return 0;
		}
		return (long)(s * 1000) + (s > 0 && s < 0.001);
	}
	default: report(0, "'%c': unknown command (h for help)", *line); break;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fputs("usage: evs-chat [-j GROUP]... [-g unordered|fifo|agreed|safe] [-t] [-q]\n"
	      "reads commands from standard input (h: help); see tools/evs-chat.c\n",
	      stderr);
}

int main(int argc, char **argv)
{
	static evs_callbacks_t callbacks = { on_deliver, on_confchg };
	static char buf[MAX_LINE + 1];
	size_t have = 0;
	int c, quiet = 0, eof = 0, quit = 0;
	uint64_t pause_until = 0;
	cs_error_t err;
	struct sigaction sa;
	char *initial[MAX_JOINED];
	size_t ninitial = 0, i;

	while ((c = getopt(argc, argv, "j:g:tqh")) != -1) {
		switch (c) {
		case 'j':
			if (ninitial < MAX_JOINED)
				initial[ninitial++] = optarg;
			break;
		case 'g':
			for (i = 0; i < 4 && strcmp(optarg, guarantee_names[i]); i++)
				;
			if (i == 4) {
				usage();
				return 2;
			}
			guarantee = (evs_guarantee_t)i;
			break;
		case 't': stamps = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(); help(); return 0;
		default: usage(); return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	{
		int tries = 0;
		struct timespec pause = { 0, 100000000 };
		while ((err = evs_initialize(&handle, &callbacks)) == CS_ERR_TRY_AGAIN && tries++ < 100)
			nanosleep(&pause, NULL);
	}
	if (err != CS_OK) {
		report(err, "evs_initialize (the library's configuration: EVS_* variables, EVS_CONFIG)");
		return 1;
	}
	err = evs_fd_get(handle, &fd);
	if (err != CS_OK) {
		report(err, "evs_fd_get");
		evs_finalize(handle);
		return 1;
	}
	if (!quiet) {
		unsigned int me = 0;
		size_t n = 0;
		evs_membership_get(handle, &me, NULL, &n);
		stamp(stdout);
		printf("evs-chat: node %u; h for help\n", me);
	}
	for (i = 0; i < ninitial; i++)
		join_leave(1, initial[i]);

	while (!stop && !quit) {
		struct pollfd p[2];
		int timeout = -1;
		uint64_t t = now_ms();
		char *nl;

		/* A pause holds the commands already read. */
		if (pause_until && t >= pause_until)
			pause_until = 0;
		while (!pause_until && !quit && !stop && (nl = memchr(buf, '\n', have)) != NULL) {
			size_t used = (size_t)(nl - buf) + 1;
			long r;
			*nl = 0;
			r = command(buf);
			memmove(buf, buf + used, have - used);
			have -= used;
			if (r < 0)
				quit = 1;
			else if (r > 0)
				pause_until = now_ms() + (uint64_t)r;
		}
		if (quit || stop)
			break;
		if (!pause_until && eof) {
			if (have) {
				/* A last line without a newline. */
				buf[have] = 0;
				have = 0;
				if (command(buf) < 0)
					break;
				continue;
			}
			break;
		}
		if (pause_until) {
			t = now_ms();
			timeout = pause_until > t ? (int)(pause_until - t) : 0;
		}
		p[0].fd = fd;
		p[0].events = POLLIN;
		p[0].revents = 0;
		p[1].fd = (pause_until || eof || have == MAX_LINE) ? -1 : 0;
		p[1].events = POLLIN;
		p[1].revents = 0;
		if (poll(p, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			perror("evs-chat: poll");
			break;
		}
		if (p[0].revents) {
			err = evs_dispatch(handle, CS_DISPATCH_ALL);
			if (err != CS_OK) {
				report(err, "evs_dispatch");
				failed_processor = 1;
				break;
			}
		}
		if (p[1].revents) {
			ssize_t r = read(0, buf + have, MAX_LINE - have);
			if (r < 0 && errno != EINTR && errno != EAGAIN) {
				perror("evs-chat: reading standard input");
				eof = 1;
			} else if (r == 0) {
				eof = 1;
			} else if (r > 0) {
				have += (size_t)r;
			}
			if (have == MAX_LINE && !memchr(buf, '\n', have)) {
				report(0, "a line longer than %d bytes: dropped", MAX_LINE);
				have = 0;
			}
		}
		if (stop)
			break;
	}
	if (failed_processor) {
		evs_finalize(handle);
		return 1;
	}
	/* Deliver what is pending (our own last messages, say) before leaving. */
	evs_dispatch(handle, CS_DISPATCH_ALL);
	err = evs_finalize(handle);
	if (err != CS_OK) {
		report(err, "evs_finalize");
		return 1;
	}
	return 0;
}
