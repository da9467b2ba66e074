/*
 * ABI test of libevs: the headers and the library against the API contract.
 *
 * Compiled twice, as C99 and as C++11, with -Wall -Wextra -Wpedantic -Werror:
 * - compile time: sizes and offsets of every type, the value of every enumerator
 *   and macro, and the exact type of each of the eleven functions, of cs_strerror
 *   and of the callbacks (assigning a function to a pointer of another type fails
 *   to compile);
 * - run time: cs_strerror on every code (non-NULL, distinct texts), and one call
 *   of every function with arguments it must refuse, to check that each links,
 *   returns a cs_error_t code and has no side effect worth the name.
 *
 * Prints one line per failed check and "N passed, N failed" last; exits
 * non-zero on failure.
 */

#include <corosync/evs.h>
#include <corosync/corotypes.h>
#include <corosync/hdb.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A compile-time assertion in C99 and C++: a negative array size is an error. */
#define ABI_CAT_(a, b) a##b
#define ABI_CAT(a, b) ABI_CAT_(a, b)
#define STATIC_ASSERT(cond) typedef char ABI_CAT(abi_static_assert_line_, __LINE__)[(cond) ? 1 : -1]

/* ---- corotypes.h ------------------------------------------------------------- */

STATIC_ASSERT(sizeof(cs_time_t) == 8);
STATIC_ASSERT((cs_time_t)-1 < 0);
STATIC_ASSERT(CS_FALSE == 0);
/* CS_TRUE is spelled !CS_FALSE, as corosync spelled it: as the left operand of == it
 * needs parentheses under -Wlogical-not-parentheses (-Wall), with corosync's header too. */
STATIC_ASSERT((CS_TRUE) == 1);
STATIC_ASSERT(CS_MAX_NAME_LENGTH == 256);
STATIC_ASSERT(CS_TIME_END == (cs_time_t)0x7FFFFFFFFFFFFFFFLL);
STATIC_ASSERT(CS_MAX(3, 5) == 5 && CS_MAX(5, 3) == 5);
STATIC_ASSERT(CS_TRACK_CURRENT == 0x01);
STATIC_ASSERT(CS_TRACK_CHANGES == 0x02);
STATIC_ASSERT(CS_TRACK_CHANGES_ONLY == 0x04);
STATIC_ASSERT(CS_IPC_TIMEOUT_MS == -1);
STATIC_ASSERT(CS_TIME_MS_IN_SEC == 1000ULL);
STATIC_ASSERT(CS_TIME_US_IN_SEC == 1000000ULL);
STATIC_ASSERT(CS_TIME_NS_IN_SEC == 1000000000ULL);
STATIC_ASSERT(CS_TIME_US_IN_MSEC == 1000ULL);
STATIC_ASSERT(CS_TIME_NS_IN_MSEC == 1000000ULL);
STATIC_ASSERT(CS_TIME_NS_IN_USEC == 1000ULL);

STATIC_ASSERT(sizeof(cs_name_t) == 258);
STATIC_ASSERT(offsetof(cs_name_t, length) == 0);
STATIC_ASSERT(offsetof(cs_name_t, value) == 2);
STATIC_ASSERT(sizeof(((cs_name_t *)0)->length) == 2);
STATIC_ASSERT(sizeof(((cs_name_t *)0)->value) == 256);

STATIC_ASSERT(sizeof(cs_version_t) == 3);
STATIC_ASSERT(offsetof(cs_version_t, releaseCode) == 0);
STATIC_ASSERT(offsetof(cs_version_t, majorVersion) == 1);
STATIC_ASSERT(offsetof(cs_version_t, minorVersion) == 2);

STATIC_ASSERT(sizeof(cs_dispatch_flags_t) == sizeof(int));
STATIC_ASSERT(CS_DISPATCH_ONE == 1);
STATIC_ASSERT(CS_DISPATCH_ALL == 2);
STATIC_ASSERT(CS_DISPATCH_BLOCKING == 3);
STATIC_ASSERT(CS_DISPATCH_ONE_NONBLOCKING == 4);

STATIC_ASSERT(sizeof(cs_error_t) == sizeof(int));
STATIC_ASSERT(CS_OK == 1);
STATIC_ASSERT(CS_ERR_LIBRARY == 2);
STATIC_ASSERT(CS_ERR_VERSION == 3);
STATIC_ASSERT(CS_ERR_INIT == 4);
STATIC_ASSERT(CS_ERR_TIMEOUT == 5);
STATIC_ASSERT(CS_ERR_TRY_AGAIN == 6);
STATIC_ASSERT(CS_ERR_INVALID_PARAM == 7);
STATIC_ASSERT(CS_ERR_NO_MEMORY == 8);
STATIC_ASSERT(CS_ERR_BAD_HANDLE == 9);
STATIC_ASSERT(CS_ERR_BUSY == 10);
STATIC_ASSERT(CS_ERR_ACCESS == 11);
STATIC_ASSERT(CS_ERR_NOT_EXIST == 12);
STATIC_ASSERT(CS_ERR_NAME_TOO_LONG == 13);
STATIC_ASSERT(CS_ERR_EXIST == 14);
STATIC_ASSERT(CS_ERR_NO_SPACE == 15);
STATIC_ASSERT(CS_ERR_INTERRUPT == 16);
STATIC_ASSERT(CS_ERR_NAME_NOT_FOUND == 17);
STATIC_ASSERT(CS_ERR_NO_RESOURCES == 18);
STATIC_ASSERT(CS_ERR_NOT_SUPPORTED == 19);
STATIC_ASSERT(CS_ERR_BAD_OPERATION == 20);
STATIC_ASSERT(CS_ERR_FAILED_OPERATION == 21);
STATIC_ASSERT(CS_ERR_MESSAGE_ERROR == 22);
STATIC_ASSERT(CS_ERR_QUEUE_FULL == 23);
STATIC_ASSERT(CS_ERR_QUEUE_NOT_AVAILABLE == 24);
STATIC_ASSERT(CS_ERR_BAD_FLAGS == 25);
STATIC_ASSERT(CS_ERR_TOO_BIG == 26);
STATIC_ASSERT(CS_ERR_NO_SECTIONS == 27);
STATIC_ASSERT(CS_ERR_CONTEXT_NOT_FOUND == 28);
STATIC_ASSERT(CS_ERR_TOO_MANY_GROUPS == 30);
STATIC_ASSERT(CS_ERR_SECURITY == 100);

/* ---- hdb.h and evs.h ------------------------------------------------------------ */

STATIC_ASSERT(sizeof(hdb_handle_t) == 8);
STATIC_ASSERT((hdb_handle_t)-1 > 0);
STATIC_ASSERT(sizeof(evs_handle_t) == 8);
STATIC_ASSERT((evs_handle_t)-1 > 0);

STATIC_ASSERT(TOTEMIP_ADDRLEN == 16);
STATIC_ASSERT(sizeof(TOTEMIP_ADDRLEN) == sizeof(size_t));

STATIC_ASSERT(sizeof(evs_guarantee_t) == sizeof(int));
STATIC_ASSERT(EVS_TYPE_UNORDERED == 0);
STATIC_ASSERT(EVS_TYPE_FIFO == 1);
STATIC_ASSERT(EVS_TYPE_AGREED == 2);
STATIC_ASSERT(EVS_TYPE_SAFE == 3);

STATIC_ASSERT(sizeof(struct evs_group) == 32);
STATIC_ASSERT(offsetof(struct evs_group, key) == 0);
STATIC_ASSERT(sizeof(((struct evs_group *)0)->key) == 32);

STATIC_ASSERT(offsetof(struct evs_ring_id, nodeid) == 0);
STATIC_ASSERT(sizeof(((struct evs_ring_id *)0)->nodeid) == sizeof(unsigned int));
STATIC_ASSERT(sizeof(((struct evs_ring_id *)0)->seq) == sizeof(unsigned long long));
#if defined(__LP64__) || defined(_LP64)
STATIC_ASSERT(sizeof(struct evs_ring_id) == 16);
STATIC_ASSERT(offsetof(struct evs_ring_id, seq) == 8);
#endif

STATIC_ASSERT(sizeof(evs_deliver_fn_t) == sizeof(void (*)(void)));
STATIC_ASSERT(sizeof(evs_confchg_fn_t) == sizeof(void (*)(void)));
STATIC_ASSERT(sizeof(evs_callbacks_t) == 2 * sizeof(void (*)(void)));
STATIC_ASSERT(offsetof(evs_callbacks_t, evs_deliver_fn) == 0);
STATIC_ASSERT(offsetof(evs_callbacks_t, evs_confchg_fn) == sizeof(void (*)(void)));

/* ---- function types: each assignment compiles only if the types match exactly ---- */

static cs_error_t (*const p_initialize)(evs_handle_t *, evs_callbacks_t *) = evs_initialize;
static cs_error_t (*const p_finalize)(evs_handle_t) = evs_finalize;
static cs_error_t (*const p_fd_get)(evs_handle_t, int *) = evs_fd_get;
static cs_error_t (*const p_context_get)(evs_handle_t, void **) = evs_context_get;
static cs_error_t (*const p_context_set)(evs_handle_t, void *) = evs_context_set;
static cs_error_t (*const p_dispatch)(evs_handle_t, cs_dispatch_flags_t) = evs_dispatch;
static cs_error_t (*const p_join)(evs_handle_t, const struct evs_group *, size_t) = evs_join;
static cs_error_t (*const p_leave)(evs_handle_t, const struct evs_group *, size_t) = evs_leave;
static cs_error_t (*const p_mcast_joined)(evs_handle_t, evs_guarantee_t, const struct iovec *,
					  unsigned int) = evs_mcast_joined;
static cs_error_t (*const p_mcast_groups)(evs_handle_t, evs_guarantee_t, const struct evs_group *,
					  size_t, const struct iovec *, unsigned int) = evs_mcast_groups;
static cs_error_t (*const p_membership_get)(evs_handle_t, unsigned int *, unsigned int *,
					    size_t *) = evs_membership_get;
static const char *(*const p_strerror)(cs_error_t) = cs_strerror;

/* The callbacks, written with the contract's parameter types. */
static void deliver(hdb_handle_t handle, unsigned int nodeid, const void *msg, size_t msg_len)
{
	(void)handle;
	(void)nodeid;
	(void)msg;
	(void)msg_len;
}

static void confchg(hdb_handle_t handle, const unsigned int *member_list, size_t member_list_entries,
		    const unsigned int *left_list, size_t left_list_entries,
		    const unsigned int *joined_list, size_t joined_list_entries,
		    const struct evs_ring_id *ring_id)
{
	(void)handle;
	(void)member_list;
	(void)member_list_entries;
	(void)left_list;
	(void)left_list_entries;
	(void)joined_list;
	(void)joined_list_entries;
	(void)ring_id;
}

static const evs_deliver_fn_t p_deliver = deliver;
static const evs_confchg_fn_t p_confchg = confchg;

/* ---- run time ---------------------------------------------------------------------- */

static int passed;
static int failed;

static void check(int ok, const char *what, int line)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL (line %d): %s\n", line, what);
	}
}

#define CHECK(cond) check((cond) ? 1 : 0, #cond, __LINE__)

/* Every code, in ascending order. */
static const cs_error_t all_codes[] = {
	CS_OK, CS_ERR_LIBRARY, CS_ERR_VERSION, CS_ERR_INIT, CS_ERR_TIMEOUT, CS_ERR_TRY_AGAIN,
	CS_ERR_INVALID_PARAM, CS_ERR_NO_MEMORY, CS_ERR_BAD_HANDLE, CS_ERR_BUSY, CS_ERR_ACCESS,
	CS_ERR_NOT_EXIST, CS_ERR_NAME_TOO_LONG, CS_ERR_EXIST, CS_ERR_NO_SPACE, CS_ERR_INTERRUPT,
	CS_ERR_NAME_NOT_FOUND, CS_ERR_NO_RESOURCES, CS_ERR_NOT_SUPPORTED, CS_ERR_BAD_OPERATION,
	CS_ERR_FAILED_OPERATION, CS_ERR_MESSAGE_ERROR, CS_ERR_QUEUE_FULL, CS_ERR_QUEUE_NOT_AVAILABLE,
	CS_ERR_BAD_FLAGS, CS_ERR_TOO_BIG, CS_ERR_NO_SECTIONS, CS_ERR_CONTEXT_NOT_FOUND,
	CS_ERR_TOO_MANY_GROUPS, CS_ERR_SECURITY,
};
#define N_CODES (sizeof(all_codes) / sizeof(all_codes[0]))
STATIC_ASSERT(N_CODES == 30);

static int is_code(cs_error_t err)
{
	size_t i;

	for (i = 0; i < N_CODES; i++) {
		if (all_codes[i] == err) {
			return 1;
		}
	}
	return 0;
}

static void check_strerror(void)
{
	/* Values that are not codes; in C++ only values inside the enum's range are valid. */
	static const int not_codes[] = {
		0, 29, 31, 99, 101, 127,
#ifndef __cplusplus
		-1, INT_MAX, INT_MIN,
#endif
	};
	const char *text[N_CODES];
	const char *unknown;
	size_t i, j;

	for (i = 0; i < N_CODES; i++) {
		text[i] = p_strerror(all_codes[i]);
		check(text[i] != NULL && text[i][0] != '\0', "cs_strerror(code) is a non-empty string",
		      __LINE__);
		if (text[i] == NULL) {
			text[i] = "";
		}
	}
	for (i = 0; i < N_CODES; i++) {
		for (j = i + 1; j < N_CODES; j++) {
			if (strcmp(text[i], text[j]) == 0) {
				printf("codes %d and %d share the text \"%s\"\n", (int)all_codes[i],
				       (int)all_codes[j], text[i]);
				check(0, "cs_strerror texts are distinct", __LINE__);
			}
		}
	}
	passed++; /* the distinctness check as a whole */

	unknown = cs_strerror((cs_error_t)0);
	CHECK(unknown != NULL);
	if (unknown == NULL) {
		return;
	}
	for (i = 0; i < sizeof(not_codes) / sizeof(not_codes[0]); i++) {
		const char *t = cs_strerror((cs_error_t)not_codes[i]);

		check(t != NULL && strcmp(t, unknown) == 0,
		      "cs_strerror(non-code) is the one unknown-code text", __LINE__);
	}
	for (i = 0; i < N_CODES; i++) {
		check(strcmp(text[i], unknown) != 0, "no code has the unknown-code text", __LINE__);
	}
}

/*
 * One call of every function with arguments it must refuse (an unknown handle, a
 * NULL pointer, a bad enum value). The result must be a cs_error_t code other
 * than CS_OK; which one is the business of the behaviour tests.
 */
static void check_refusals(void)
{
	const evs_handle_t bogus = (evs_handle_t)0xDEADBEEFCAFEF00DULL;
	struct evs_group group = { "abi-test" };
	char payload[4] = "abc";
	struct iovec iov;
	unsigned int nodeid = 0, members[4];
	size_t entries = 4;
	void *ctx = NULL;
	int fd = -1;
	cs_error_t err;

	iov.iov_base = payload;
	iov.iov_len = sizeof(payload);

	err = p_initialize(NULL, NULL);
	CHECK(is_code(err) && err != CS_OK);
	err = p_finalize(bogus);
	CHECK(is_code(err) && err != CS_OK);
	err = p_fd_get(bogus, &fd);
	CHECK(is_code(err) && err != CS_OK);
	err = p_fd_get(bogus, NULL);
	CHECK(is_code(err) && err != CS_OK);
	err = p_context_get(bogus, &ctx);
	CHECK(is_code(err) && err != CS_OK);
	err = p_context_set(bogus, &ctx);
	CHECK(is_code(err) && err != CS_OK);
	err = p_dispatch(bogus, CS_DISPATCH_ALL);
	CHECK(is_code(err) && err != CS_OK);
	err = p_dispatch(bogus, (cs_dispatch_flags_t)0);
	CHECK(is_code(err) && err != CS_OK);
	err = p_join(bogus, &group, 1);
	CHECK(is_code(err) && err != CS_OK);
	err = p_leave(bogus, &group, 1);
	CHECK(is_code(err) && err != CS_OK);
	err = p_mcast_joined(bogus, EVS_TYPE_AGREED, &iov, 1);
	CHECK(is_code(err) && err != CS_OK);
	err = p_mcast_groups(bogus, EVS_TYPE_SAFE, &group, 1, &iov, 1);
	CHECK(is_code(err) && err != CS_OK);
	err = p_membership_get(bogus, &nodeid, members, &entries);
	CHECK(is_code(err) && err != CS_OK);
}

static void check_types_in_use(void)
{
	/* A static initialiser zero-pads the group's 32 bytes. */
	static const struct evs_group groups[2] = { { "a" }, { "b" } };
	struct evs_ring_id ring_id;
	evs_callbacks_t callbacks = { deliver, confchg };
	evs_guarantee_t guarantee = EVS_TYPE_FIFO;
	cs_dispatch_flags_t flags = CS_DISPATCH_ONE_NONBLOCKING;
	uint64_t t1, t2;
	size_t i;
	int zero_padded = 1;

	for (i = 1; i < sizeof(groups[0].key); i++) {
		zero_padded &= groups[0].key[i] == 0 && groups[1].key[i] == 0;
	}
	CHECK(zero_padded);
	CHECK(memcmp(&groups[0], &groups[1], sizeof(struct evs_group)) != 0);

	ring_id.nodeid = 7;
	ring_id.seq = 1ULL << 40;
	CHECK(ring_id.nodeid == 7 && ring_id.seq == 1ULL << 40);

	CHECK(callbacks.evs_deliver_fn == p_deliver && callbacks.evs_confchg_fn == p_confchg);
	CHECK(guarantee == 1 && flags == 4);

	t1 = cs_timestamp_get();
	t2 = cs_timestamp_get();
	CHECK(t1 > 0 && t2 >= t1);
}

int main(void)
{
	printf("libevs ABI test (%s): compile-time assertions hold\n",
#ifdef __cplusplus
	       "C++"
#else
	       "C"
#endif
	);
	check_types_in_use();
	check_strerror();
	check_refusals();
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
