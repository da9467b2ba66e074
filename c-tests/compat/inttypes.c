/*
 * Leans on: PRIu64, PRIx64, SCNu64 and the <stdint.h> types without including
 * <inttypes.h>: corosync's evs.h (and hdb.h) included it. <stdio.h> is the
 * program's own, as it was with corosync (no corosync header included it).
 */
#include <stdio.h>
#include <corosync/evs.h>

int main(void)
{
	evs_handle_t handle = (evs_handle_t)18446744073709551615ULL;
	uint64_t back = 0;
	char text[64];

	snprintf(text, sizeof(text), "%" PRIu64, (uint64_t)handle);
	if (sscanf(text, "%" SCNu64, &back) != 1 || back != handle) {
		return 1;
	}
	snprintf(text, sizeof(text), "%" PRIx64 "/" HDB_X_FORMAT "/" HDB_D_FORMAT, (uint64_t)255, (hdb_handle_t)16,
		 (hdb_handle_t)7);
	return text[0] == 'f' && text[1] == 'f' && text[3] == '1' && text[4] == '0' && text[6] == '7' ? 0 : 2;
}
