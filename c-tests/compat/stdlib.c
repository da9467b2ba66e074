/*
 * Leans on: malloc, calloc, realloc, free, strtoul, abs and EXIT_SUCCESS
 * without including <stdlib.h>: corosync's hdb.h (included by evs.h) included it.
 */
#include <corosync/evs.h>

int main(void)
{
	unsigned int *members = (unsigned int *)malloc(4 * sizeof(*members));
	size_t entries = 4;
	unsigned int local = 0;
	char *zeros;

	if (members == NULL) {
		return 1;
	}
	if (evs_membership_get((evs_handle_t)0x1234, &local, members, &entries) != CS_ERR_BAD_HANDLE) {
		free(members);
		return 2;
	}
	members = (unsigned int *)realloc(members, 8 * sizeof(*members));
	zeros = (char *)calloc(8, 1);
	if (members == NULL || zeros == NULL || zeros[7] != 0 || strtoul("42", NULL, 10) != 42UL || abs(-3) != 3) {
		return 3;
	}
	free(zeros);
	free(members);
	return EXIT_SUCCESS;
}
