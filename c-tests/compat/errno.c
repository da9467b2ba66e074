/*
 * Leans on: errno and the E* codes (EAGAIN, EINTR, EBADF, ENOMEM) without
 * including <errno.h>: corosync's corotypes.h and hdb.h included it, and evs.h
 * includes both.
 */
#include <corosync/evs.h>

int main(void)
{
	int codes[4] = { EAGAIN, EINTR, EBADF, ENOMEM };
	int i;

	for (i = 0; i < 4; i++) {
		errno = codes[i];
		if (errno != codes[i] || codes[i] == 0) {
			return 1;
		}
	}
	/* The usual retry loop's test, on a call that must refuse an unknown handle. */
	errno = 0;
	if (evs_finalize((evs_handle_t)0x1234) != CS_ERR_BAD_HANDLE) {
		return 2;
	}
	return errno == EAGAIN ? 3 : 0;
}
