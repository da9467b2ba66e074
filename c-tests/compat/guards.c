/*
 * Leans on: corosync's include guard names. A program may test them to know
 * which headers it already has, or to supply a fallback only when they are
 * absent; here a fallback must stay unused.
 */
#include <corosync/evs.h>

#ifndef COROSYNC_EVS_H_DEFINED
#error "<corosync/evs.h> does not define COROSYNC_EVS_H_DEFINED"
#endif
#ifndef COROTYPES_H_DEFINED
#error "<corosync/evs.h> did not bring in corotypes.h under COROTYPES_H_DEFINED"
typedef int cs_error_t;
#endif
#ifndef HDB_H_DEFINED
#error "<corosync/evs.h> did not bring in hdb.h under HDB_H_DEFINED"
#endif

/* Including them again is harmless. */
#include <corosync/corotypes.h>
#include <corosync/hdb.h>
#include <corosync/evs.h>

int main(void)
{
	int fd = -1;

	return evs_fd_get((evs_handle_t)0x1234, &fd) == CS_ERR_BAD_HANDLE ? 0 : 1;
}
