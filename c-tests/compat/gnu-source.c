/*
 * Leans on: corosync's <corosync/hdb.h> defining _GNU_SOURCE when the program
 * has not. Included first, it makes the C library declare its GNU and POSIX
 * functions even under strict -std=c99: here strdup() and random() (and
 * <string.h>, <stdlib.h>, <errno.h>, which hdb.h includes).
 */
#include <corosync/hdb.h>

#ifndef _GNU_SOURCE
#error "<corosync/hdb.h> did not define _GNU_SOURCE"
#endif

int main(void)
{
	char *copy = strdup("compat");
	long r = random();

	if (copy == NULL || strcmp(copy, "compat") != 0 || r < 0) {
		free(copy);
		return 1;
	}
	free(copy);
	errno = 0;
	return 0;
}
