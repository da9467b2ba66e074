/*
 * Leans on: corosync 1.x's aliases of corotypes.h (EVS_OK, EVS_ERR_*,
 * EVS_DISPATCH_*, evs_error_t, and CS_ERR_IN_SHUTDOWN), which EVS programs of
 * that time used.
 */
#include <corosync/evs.h>

static const char *describe(int err)
{
	switch (err) {
	case EVS_OK:
		return "ok";
	case EVS_ERR_BAD_HANDLE:
		return "bad handle";
	case CS_ERR_IN_SHUTDOWN:
		return "in shutdown";
	case EVS_ERR_TRY_AGAIN:
		return "try again";
	default:
		return "other";
	}
}

int main(void)
{
	evs_error_t err = evs_dispatch((evs_handle_t)0x1234, EVS_DISPATCH_ALL);

	if (err != EVS_ERR_BAD_HANDLE || strcmp(describe(err), "bad handle") != 0) {
		return 1;
	}
	if (EVS_DISPATCH_ONE != CS_DISPATCH_ONE || EVS_DISPATCH_BLOCKING != CS_DISPATCH_BLOCKING ||
	    CPG_ERR_TOO_MANY_GROUPS != CS_ERR_TOO_MANY_GROUPS || (int)CS_ERR_IN_SHUTDOWN != 31) {
		return 2;
	}
	return cs_strerror(CS_ERR_IN_SHUTDOWN) != NULL ? 0 : 3;
}
