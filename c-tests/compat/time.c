/*
 * Leans on: struct timeval, gettimeofday(), time() and time_t without
 * including <sys/time.h> or <time.h>: corosync's corotypes.h included both.
 * Includes only <corosync/corotypes.h>, as a program may. (Not struct
 * timespec: strict C99's <time.h> does not declare it, with corosync's
 * headers or ours.)
 */
#include <corosync/corotypes.h>

int main(void)
{
	struct timeval before;
	struct timeval after;
	time_t now;
	uint64_t t0;
	uint64_t t1;

	if (gettimeofday(&before, NULL) != 0 || (now = time(NULL)) == (time_t)-1) {
		return 1;
	}
	t0 = cs_timestamp_get();
	t1 = cs_timestamp_get();
	if (gettimeofday(&after, NULL) != 0) {
		return 2;
	}
	if (after.tv_sec < before.tv_sec || t1 < t0 || now < before.tv_sec) {
		return 3;
	}
	/* Microseconds to nanoseconds, the units corotypes.h names. */
	return (uint64_t)after.tv_usec * CS_TIME_NS_IN_USEC < CS_TIME_NS_IN_SEC ? 0 : 4;
}
