/*
 * Finalizing the process's last handle while another thread multicasts on it
 * (issue 10, item 5). The sender may see CS_OK, CS_ERR_TRY_AGAIN or, once the
 * handle is gone, CS_ERR_BAD_HANDLE; never anything else (it used to see
 * CS_ERR_LIBRARY from the processor that was leaving).
 *
 * Usage: finalize_race PORT ROUNDS. Last line: counts per code; exit 0 on success.
 */
#define _GNU_SOURCE
#include <corosync/corotypes.h>
#include <corosync/evs.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static struct evs_group group = {"race"};
static evs_handle_t handle;
static atomic_int started;
static long counts[64];

static void *sender(void *arg)
{
	(void)arg;
	char msg[32] = "race";
	struct iovec iov = {msg, sizeof msg};
	for (;;) {
		cs_error_t rc = evs_mcast_joined(handle, EVS_TYPE_AGREED, &iov, 1);
		atomic_store(&started, 1);
		counts[rc >= 0 && rc < 64 ? rc : 0]++;
		if (rc == CS_ERR_BAD_HANDLE)
			return NULL;
		if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN)
			return NULL; /* counted: the summary names it */
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: finalize_race PORT ROUNDS\n");
		return 2;
	}
	setenv("EVS_MCASTPORT", argv[1], 1);
	int rounds = atoi(argv[2]);
	for (int r = 0; r < rounds; r++) {
		if (evs_initialize(&handle, NULL) != CS_OK || evs_join(handle, &group, 1) != CS_OK) {
			fprintf(stderr, "round %d: evs_initialize or evs_join failed\n", r);
			return 2;
		}
		atomic_store(&started, 0);
		pthread_t t;
		pthread_create(&t, NULL, sender, NULL);
		while (!atomic_load(&started))
			;
		/* Vary the moment of the finalize within the sender's loop. */
		struct timespec ts = {0, (r % 7) * 30000L};
		nanosleep(&ts, NULL);
		cs_error_t rc = evs_finalize(handle);
		pthread_join(t, NULL);
		if (rc != CS_OK) {
			fprintf(stderr, "round %d: evs_finalize returned %d\n", r, rc);
			return 1;
		}
	}
	long other = 0;
	for (int c = 0; c < 64; c++)
		if (c != CS_OK && c != CS_ERR_TRY_AGAIN && c != CS_ERR_BAD_HANDLE)
			other += counts[c];
	printf("%d rounds: CS_OK %ld, CS_ERR_TRY_AGAIN %ld, CS_ERR_BAD_HANDLE %ld, CS_ERR_LIBRARY %ld, other %ld\n",
	       rounds, counts[CS_OK], counts[CS_ERR_TRY_AGAIN], counts[CS_ERR_BAD_HANDLE], counts[CS_ERR_LIBRARY],
	       other - counts[CS_ERR_LIBRARY]);
	return other == 0 ? 0 : 1;
}
