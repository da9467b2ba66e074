/*
 * One evs_initialize, for the robustness tests: prints the cs_error_t it
 * returned as "init N" on stdout, finalizes a handle it got, and exits 0, so
 * that a crash or a hang shows as the exit status, not as a result.
 *
 * Usage: init_once [-s STACK_KB] [-h SECS]
 *   -s  call evs_initialize from a thread with a stack of STACK_KB KiB (a
 *       library that recurses on the caller's stack shows it here first)
 *   -h  on CS_OK, keep the handle SECS seconds, dispatching, and print
 *       "config MEMBERS" for every configuration change (an idle holder)
 */
#define _POSIX_C_SOURCE 200809L
#include <corosync/evs.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void deliver(hdb_handle_t h, unsigned int nodeid, const void *msg, size_t len)
{
	(void)h; (void)nodeid; (void)msg; (void)len;
}

static double hold_secs;
static void confchg(hdb_handle_t h, const unsigned int *m, size_t mn, const unsigned int *l, size_t ln,
		    const unsigned int *j, size_t jn, const struct evs_ring_id *ring)
{
	(void)h; (void)l; (void)ln; (void)j; (void)jn; (void)ring;
	if (hold_secs <= 0)
		return;
	printf("config");
	for (size_t i = 0; i < mn; i++)
		printf(" %u", m[i]);
	printf("\n");
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hold(evs_handle_t h)
{
	int fd;
	double end = now_s() + hold_secs;
	evs_fd_get(h, &fd);
	while (now_s() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		poll(&p, 1, 50);
		evs_dispatch(h, CS_DISPATCH_ALL);
	}
}

static void *attempt(void *arg)
{
	evs_callbacks_t cb = { deliver, confchg };
	evs_handle_t h;
	cs_error_t err = evs_initialize(&h, &cb);
	(void)arg;
	printf("init %d\n", (int)err);
	fflush(stdout);
	if (err == CS_OK) {
		hold(h);
		evs_finalize(h);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	size_t stack_kb = 0;
	int c;
	while ((c = getopt(argc, argv, "s:h:")) != -1) {
		if (c == 's')
			stack_kb = (size_t)strtoul(optarg, NULL, 10);
		else if (c == 'h')
			hold_secs = atof(optarg);
		else
			return 2;
	}
	if (stack_kb == 0) {
		attempt(NULL);
		return 0;
	}
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	if (pthread_attr_setstacksize(&attr, stack_kb * 1024) != 0 || pthread_create(&t, &attr, attempt, NULL) != 0) {
		fprintf(stderr, "init_once: cannot start a thread with %zu KiB of stack\n", stack_kb);
		return 2;
	}
	pthread_join(t, NULL);
	return 0;
}
