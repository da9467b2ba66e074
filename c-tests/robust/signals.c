/*
 * Application signal handlers never run on a library thread (issue 10,
 * item 8). The handlers of SIGUSR1 and SIGALRM record the thread they run
 * on. The main thread and the sender block both signals after
 * evs_initialize; one application thread, the catcher, leaves them
 * unblocked, so each signal has an application thread to go to. The main
 * thread then sends the signals to the process (kill) while the ring is busy.
 * A handler that ran on a thread other than the catcher ran on a library
 * thread (the protocol thread is named "evs-totem"): a failure. Also checks
 * that evs_initialize leaves the caller's signal mask as it was.
 *
 * Usage: signals SIGNALS. Last line: where the handlers ran; exit 0 on success.
 */
#define _GNU_SOURCE
#include <corosync/corotypes.h>
#include <corosync/evs.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static struct evs_group group = {"signals"};
static evs_handle_t handle;
static atomic_int stop, catcher_tid;
static atomic_long on_catcher, elsewhere, handled;
static atomic_int elsewhere_tid;

static int tid(void)
{
	return (int)syscall(SYS_gettid);
}

/* Async-signal-safe: atomics and gettid only. */
static void handler(int sig)
{
	(void)sig;
	int me = tid();
	atomic_fetch_add(&handled, 1);
	if (me == atomic_load(&catcher_tid))
		atomic_fetch_add(&on_catcher, 1);
	else {
		atomic_fetch_add(&elsewhere, 1);
		atomic_store(&elsewhere_tid, me);
	}
}

static void block_signals(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
}

static void *catcher(void *arg)
{
	(void)arg;
	atomic_store(&catcher_tid, tid());
	while (!atomic_load(&stop)) {
		/* Dispatch what is pending: the ring keeps delivering to us. */
		evs_dispatch(handle, CS_DISPATCH_ALL);
		struct timespec ts = {0, 200000L};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void *sender(void *arg)
{
	(void)arg;
	block_signals();
	char msg[16] = "tick";
	struct iovec iov = {msg, sizeof msg};
	while (!atomic_load(&stop)) {
		evs_mcast_joined(handle, EVS_TYPE_AGREED, &iov, 1);
		struct timespec ts = {0, 100000L};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* The name of thread `t` of this process, from /proc. */
static void thread_name(int t, char *name, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", t);
	FILE *f = fopen(path, "r");
	snprintf(name, len, "?");
	if (f) {
		if (fgets(name, (int)len, f))
			name[strcspn(name, "\n")] = 0;
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	int signals = argc > 1 ? atoi(argv[1]) : 2000;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	sigset_t before, after;
	pthread_sigmask(SIG_SETMASK, NULL, &before);
	if (evs_initialize(&handle, NULL) != CS_OK || evs_join(handle, &group, 1) != CS_OK) {
		fprintf(stderr, "evs_initialize or evs_join failed\n");
		return 2;
	}
	pthread_sigmask(SIG_SETMASK, NULL, &after);
	int mask_kept = 1;
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&before, s) != sigismember(&after, s))
			mask_kept = 0;

	pthread_t tc, ts;
	pthread_create(&tc, NULL, catcher, NULL);
	while (!atomic_load(&catcher_tid))
		;
	block_signals();
	pthread_create(&ts, NULL, sender, NULL);

	for (int i = 0; i < signals; i++) {
		kill(getpid(), i % 2 ? SIGUSR1 : SIGALRM);
		struct timespec t = {0, 200000L};
		nanosleep(&t, NULL);
	}
	/* Let the last ones land. */
	struct timespec t = {0, 100000000L};
	nanosleep(&t, NULL);
	atomic_store(&stop, 1);
	pthread_join(tc, NULL);
	pthread_join(ts, NULL);

	char name[32] = "";
	if (atomic_load(&elsewhere))
		thread_name(atomic_load(&elsewhere_tid), name, sizeof name);
	evs_finalize(handle);
	printf("%d signals sent, %ld handled: %ld on the application's thread, %ld on library threads%s%s%s\n", signals,
	       atomic_load(&handled), atomic_load(&on_catcher), atomic_load(&elsewhere), *name ? " (e.g. \"" : "", name,
	       *name ? "\")" : "");
	if (!mask_kept)
		printf("evs_initialize changed the caller's signal mask\n");
	return atomic_load(&elsewhere) == 0 && atomic_load(&handled) > 0 && mask_kept ? 0 : 1;
}
