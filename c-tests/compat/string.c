/*
 * Leans on: strlen, strcpy, strcmp, memcpy, memset, memcmp without including
 * <string.h>: corosync's hdb.h (included by evs.h) included it. The usual way
 * to name a group.
 */
#include <corosync/evs.h>

int main(void)
{
	const char *name = "compat-group";
	struct evs_group groups[2];
	char copy[32];

	memset(groups, 0, sizeof(groups));
	memcpy(groups[0].key, name, strlen(name));
	strcpy(groups[1].key, name);
	strcpy(copy, groups[0].key);
	if (memcmp(&groups[0], &groups[1], sizeof(groups[0])) != 0 || strcmp(copy, name) != 0) {
		return 1;
	}
	return evs_join((evs_handle_t)0x1234, groups, 2) == CS_ERR_BAD_HANDLE ? 0 : 2;
}
