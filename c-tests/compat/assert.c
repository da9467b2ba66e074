/*
 * Leans on: assert() without including <assert.h>: corosync's hdb.h (included
 * by evs.h) included it.
 */
#include <corosync/evs.h>

int main(void)
{
	void *context = &context;
	cs_error_t err = evs_context_get((evs_handle_t)0x1234, &context);

	assert(err == CS_ERR_BAD_HANDLE);
	assert(sizeof(struct evs_ring_id) >= sizeof(unsigned int) + sizeof(unsigned long long));
	return err == CS_ERR_BAD_HANDLE ? 0 : 1;
}
