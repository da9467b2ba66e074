/*
 * <corosync/hdb.h>: the handle type of corosync's client libraries, and the
 * small handle database that corosync's header offered to programs, as libevs
 * provides them.
 *
 * Hand-written, not generated. hdb_handle_t is mirrored on the Rust side as
 * evs::capi::types::hdb_handle_t; cbindgen.toml keeps it out of evs.h, and
 * c-tests/abi_test.c checks it. Everything else here is static inline: it is
 * not part of libevs.so and does not touch its ABI.
 *
 * Source compatibility with corosync's <corosync/hdb.h> (see README.md in this
 * directory): the same include guard name; _GNU_SOURCE defined when the program
 * has not (it only takes effect when this header is the first one included, as
 * with corosync's); the same system headers pulled in (errno.h, assert.h,
 * stdlib.h, string.h, pthread.h, stdint.h, inttypes.h); and the handle database
 * with corosync 1.x's names and contract: functions return 0, or -1 with errno
 * set (EBADF for a handle that is not valid, ENOMEM); a handle is a 32-bit check
 * value over a 32-bit slot index, and a check of 0xffffffff matches any slot
 * (hdb_nocheck_convert()). It is our own implementation; it needs no libqb.
 */

#ifndef HDB_H_DEFINED
#define HDB_H_DEFINED

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdint.h>
#include <inttypes.h>

/** A handle; the callbacks of <corosync/evs.h> receive their evs_handle_t as one. */
typedef uint64_t hdb_handle_t;

/** printf formats of an hdb_handle_t, in decimal and in hexadecimal. */
#define HDB_D_FORMAT "%" PRIu64
#define HDB_X_FORMAT "%" PRIx64

/** The state of a slot of a handle database. */
enum HDB_HANDLE_STATE {
	HDB_HANDLE_STATE_EMPTY,
	HDB_HANDLE_STATE_PENDINGREMOVAL,
	HDB_HANDLE_STATE_ACTIVE
};

/** One slot: an instance, its check value and its reference count. */
struct hdb_handle {
	int state;
	void *instance;
	int check;
	int ref_count;
};

/** A database of handles; define one with DECLARE_HDB_DATABASE or hdb_create(). */
struct hdb_handle_database {
	unsigned int handle_count;
	struct hdb_handle *handles;
	unsigned int iterator;
	void (*destructor)(void *);
	pthread_mutex_t lock;
	unsigned int first_run;
	/* Counts the handles made, to vary their check values (libevs's own field). */
	unsigned int check_sequence;
};

static inline void hdb_database_lock(pthread_mutex_t *mutex)
{
	pthread_mutex_lock(mutex);
}

static inline void hdb_database_unlock(pthread_mutex_t *mutex)
{
	pthread_mutex_unlock(mutex);
}

static inline void hdb_database_lock_init(pthread_mutex_t *mutex)
{
	pthread_mutex_init(mutex, NULL);
}

static inline void hdb_database_lock_destroy(pthread_mutex_t *mutex)
{
	pthread_mutex_destroy(mutex);
}

/**
 * Defines a static, empty handle database named database_name whose instances
 * are passed to destructor_function (which may be NULL) before they are freed.
 * The lock is statically initialized, so the database needs no hdb_create().
 * As with corosync's, the expansion ends with its own ';'.
 */
#define DECLARE_HDB_DATABASE(database_name, destructor_function) \
	static struct hdb_handle_database database_name = { \
		0, NULL, 0, destructor_function, PTHREAD_MUTEX_INITIALIZER, 0, 0 \
	};

/** Initializes db as an empty database without a destructor. */
static inline void hdb_create(struct hdb_handle_database *db)
{
	memset(db, 0, sizeof(*db));
	hdb_database_lock_init(&db->lock);
}

/** Frees db's table (not the instances still in it) and empties db. */
static inline void hdb_destroy(struct hdb_handle_database *db)
{
	free(db->handles);
	hdb_database_lock_destroy(&db->lock);
	memset(db, 0, sizeof(*db));
}

/* The handle of slot index with check value check. */
static inline hdb_handle_t hdb_make_handle_(unsigned int check, unsigned int index)
{
	return ((hdb_handle_t)check << 32) | (hdb_handle_t)index;
}

/*
 * The slot that handle names, or NULL (errno EBADF). With the lock held. A slot
 * in state EMPTY is refused unless accept_empty.
 */
static inline struct hdb_handle *hdb_slot_(struct hdb_handle_database *db, hdb_handle_t handle, int accept_empty)
{
	unsigned int check = (unsigned int)(handle >> 32);
	unsigned int index = (unsigned int)(handle & 0xffffffffU);
	struct hdb_handle *slot;

	if (index >= db->handle_count) {
		errno = EBADF;
		return NULL;
	}
	slot = &db->handles[index];
	if ((!accept_empty && slot->state == HDB_HANDLE_STATE_EMPTY) ||
	    (check != 0xffffffffU && check != (unsigned int)slot->check)) {
		errno = EBADF;
		return NULL;
	}
	return slot;
}

/**
 * Allocates a zeroed instance of instance_size bytes in a new slot of db, with
 * one reference, and writes its handle to *handle_id_out. 0, or -1 with errno
 * ENOMEM (or EINVAL for a negative size).
 */
static inline int hdb_handle_create(struct hdb_handle_database *db, int instance_size, hdb_handle_t *handle_id_out)
{
	unsigned int index;
	unsigned int check;
	void *instance;

	if (instance_size < 0) {
		errno = EINVAL;
		return -1;
	}
	hdb_database_lock(&db->lock);
	for (index = 0; index < db->handle_count; index++) {
		if (db->handles[index].state == HDB_HANDLE_STATE_EMPTY) {
			break;
		}
	}
	if (index == db->handle_count) {
		struct hdb_handle *grown = (struct hdb_handle *)realloc(
			db->handles, sizeof(struct hdb_handle) * ((size_t)db->handle_count + 1));
		if (grown == NULL) {
			hdb_database_unlock(&db->lock);
			errno = ENOMEM;
			return -1;
		}
		memset(&grown[index], 0, sizeof(grown[index]));
		db->handles = grown;
		db->handle_count += 1;
	}
	instance = calloc(1, instance_size > 0 ? (size_t)instance_size : 1);
	if (instance == NULL) {
		hdb_database_unlock(&db->lock);
		errno = ENOMEM;
		return -1;
	}
	/* A check value that differs from one handle to the next, never 0 nor 0xffffffff. */
	db->check_sequence += 1;
	check = (unsigned int)(((uintptr_t)instance >> 4) ^ (db->check_sequence * 2654435761U));
	if (check == 0 || check == 0xffffffffU) {
		check = 1;
	}
	db->handles[index].state = HDB_HANDLE_STATE_ACTIVE;
	db->handles[index].instance = instance;
	db->handles[index].check = (int)check;
	db->handles[index].ref_count = 1;
	*handle_id_out = hdb_make_handle_(check, index);
	hdb_database_unlock(&db->lock);
	return 0;
}

/* hdb_handle_get() and hdb_handle_get_always(): a reference to the instance. */
static inline int hdb_handle_get_(struct hdb_handle_database *db, hdb_handle_t handle, void **instance,
				  int accept_removing)
{
	struct hdb_handle *slot;

	hdb_database_lock(&db->lock);
	*instance = NULL;
	slot = hdb_slot_(db, handle, 0);
	if (slot == NULL || (!accept_removing && slot->state != HDB_HANDLE_STATE_ACTIVE)) {
		hdb_database_unlock(&db->lock);
		errno = EBADF;
		return -1;
	}
	slot->ref_count += 1;
	*instance = slot->instance;
	hdb_database_unlock(&db->lock);
	return 0;
}

/**
 * Writes the instance of an active handle to *instance and takes a reference
 * on it (release it with hdb_handle_put()). 0, or -1 with errno EBADF and
 * *instance NULL.
 */
static inline int hdb_handle_get(struct hdb_handle_database *db, hdb_handle_t handle, void **instance)
{
	return hdb_handle_get_(db, handle, instance, 0);
}

/** As hdb_handle_get(), and also for a handle whose destruction is pending. */
static inline int hdb_handle_get_always(struct hdb_handle_database *db, hdb_handle_t handle, void **instance)
{
	return hdb_handle_get_(db, handle, instance, 1);
}

/**
 * Drops one reference; the last one runs the destructor, frees the instance
 * and empties the slot. 0, or -1 with errno EBADF.
 */
static inline int hdb_handle_put(struct hdb_handle_database *db, hdb_handle_t handle)
{
	struct hdb_handle *slot;

	hdb_database_lock(&db->lock);
	slot = hdb_slot_(db, handle, 0);
	if (slot == NULL) {
		hdb_database_unlock(&db->lock);
		return -1;
	}
	assert(slot->ref_count > 0);
	slot->ref_count -= 1;
	if (slot->ref_count == 0) {
		if (db->destructor != NULL) {
			db->destructor(slot->instance);
		}
		free(slot->instance);
		memset(slot, 0, sizeof(*slot));
	}
	hdb_database_unlock(&db->lock);
	return 0;
}

/**
 * Marks the handle for destruction (hdb_handle_get() refuses it from now on)
 * and drops the reference hdb_handle_create() gave. 0, or -1 with errno EBADF.
 */
static inline int hdb_handle_destroy(struct hdb_handle_database *db, hdb_handle_t handle)
{
	struct hdb_handle *slot;

	hdb_database_lock(&db->lock);
	slot = hdb_slot_(db, handle, 0);
	if (slot == NULL) {
		hdb_database_unlock(&db->lock);
		return -1;
	}
	slot->state = HDB_HANDLE_STATE_PENDINGREMOVAL;
	hdb_database_unlock(&db->lock);
	return hdb_handle_put(db, handle);
}

/** The handle's reference count, or -1 with errno EBADF. */
static inline int hdb_handle_refcount_get(struct hdb_handle_database *db, hdb_handle_t handle)
{
	struct hdb_handle *slot;
	int count;

	hdb_database_lock(&db->lock);
	slot = hdb_slot_(db, handle, 1);
	count = slot == NULL ? -1 : slot->ref_count;
	hdb_database_unlock(&db->lock);
	return count;
}

/** Restarts the iteration of hdb_iterator_next() at the first slot. */
static inline void hdb_iterator_reset(struct hdb_handle_database *db)
{
	db->iterator = 0;
}

/**
 * The next active handle of the iteration: writes it and its instance, takes a
 * reference (hdb_handle_put() it) and returns 0; -1 when none is left.
 */
static inline int hdb_iterator_next(struct hdb_handle_database *db, void **instance, hdb_handle_t *handle)
{
	while (db->iterator < db->handle_count) {
		unsigned int index = db->iterator;

		db->iterator += 1;
		hdb_database_lock(&db->lock);
		*handle = hdb_make_handle_((unsigned int)db->handles[index].check, index);
		hdb_database_unlock(&db->lock);
		if (hdb_handle_get(db, *handle, instance) == 0) {
			return 0;
		}
	}
	return -1;
}

/** The slot index of a handle (its low 32 bits). */
static inline unsigned int hdb_base_convert(hdb_handle_t handle)
{
	return (unsigned int)(handle & 0xffffffffU);
}

/** A handle for slot index that matches whatever the slot's check value. */
static inline unsigned long long hdb_nocheck_convert(unsigned int handle)
{
	return (unsigned long long)hdb_make_handle_(0xffffffffU, handle);
}

#endif /* HDB_H_DEFINED */
