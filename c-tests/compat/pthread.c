/*
 * Leans on: pthread_t, pthread_mutex_t, PTHREAD_MUTEX_INITIALIZER and the
 * pthread functions without including <pthread.h>: corosync's hdb.h (included
 * by evs.h) included it. A second thread calls the API, as threaded corosync
 * programs did (link with -lpthread, as they did).
 */
#include <corosync/evs.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static cs_error_t seen = CS_OK;

static void *worker(void *arg)
{
	cs_error_t err = evs_context_set(*(evs_handle_t *)arg, arg);

	pthread_mutex_lock(&lock);
	seen = err;
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(void)
{
	evs_handle_t handle = 0x1234;
	pthread_t thread;
	pthread_mutex_t local;

	if (pthread_mutex_init(&local, NULL) != 0 || pthread_mutex_destroy(&local) != 0) {
		return 1;
	}
	if (pthread_create(&thread, NULL, worker, &handle) != 0 || pthread_join(thread, NULL) != 0) {
		return 2;
	}
	return seen == CS_ERR_BAD_HANDLE ? 0 : 3;
}
