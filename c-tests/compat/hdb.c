/*
 * Leans on: the handle database of corosync's <corosync/hdb.h>
 * (DECLARE_HDB_DATABASE and the hdb_* functions, errno EBADF on a stale
 * handle, HDB_D_FORMAT), as a program that kept its own handles with it did.
 * Includes only <corosync/hdb.h> (and <stdio.h>, which hdb.h never gave).
 */
#include <stdio.h>
#include <corosync/hdb.h>

struct item {
	int value;
};

static int destroyed;

static void item_destructor(void *instance)
{
	destroyed += ((struct item *)instance)->value;
}

/* corosync's macro ends with its own ';'; -Wpedantic refuses a second one in C. */
DECLARE_HDB_DATABASE(items, item_destructor)

int main(void)
{
	hdb_handle_t a;
	hdb_handle_t b;
	hdb_handle_t h;
	struct item *it;
	void *instance;
	char text[32];
	int seen = 0;
	struct hdb_handle_database other;

	if (hdb_handle_create(&items, sizeof(struct item), &a) != 0 ||
	    hdb_handle_create(&items, sizeof(struct item), &b) != 0 || a == b) {
		return 1;
	}
	if (hdb_handle_get(&items, a, (void **)&it) != 0 || it->value != 0) {
		return 2;
	}
	it->value = 5;
	assert(hdb_handle_refcount_get(&items, a) == 2);
	hdb_handle_put(&items, a);
	hdb_iterator_reset(&items);
	while (hdb_iterator_next(&items, &instance, &h) == 0) {
		seen += 1;
		hdb_handle_put(&items, h);
	}
	if (seen != 2 || hdb_base_convert(b) != 1 || hdb_handle_get(&items, hdb_nocheck_convert(1), &instance) != 0) {
		return 3;
	}
	hdb_handle_put(&items, b);
	if (hdb_handle_destroy(&items, a) != 0 || destroyed != 5) {
		return 4;
	}
	errno = 0;
	if (hdb_handle_get(&items, a, &instance) != -1 || errno != EBADF || instance != NULL) {
		return 5;
	}
	hdb_handle_destroy(&items, b);
	snprintf(text, sizeof(text), HDB_D_FORMAT, (hdb_handle_t)12);
	if (strcmp(text, "12") != 0) {
		return 6;
	}
	hdb_create(&other);
	if (hdb_handle_create(&other, 0, &h) != 0 || hdb_handle_destroy(&other, h) != 0) {
		return 7;
	}
	hdb_destroy(&other);
	free(items.handles);
	return 0;
}
