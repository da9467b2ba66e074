/*
 * Leans on: CS_TRUE and CS_FALSE as corosync spelled them (CS_TRUE is
 * !CS_FALSE): their values, in #if too, and a program's own fallback
 * definition with corosync's spelling, which must be a benign redefinition.
 * Includes only <corosync/corotypes.h>.
 */
#include <corosync/corotypes.h>

#define CS_FALSE 0
#define CS_TRUE !CS_FALSE

#if CS_TRUE != 1 || CS_FALSE != 0
#error "CS_TRUE/CS_FALSE"
#endif

int main(void)
{
	int yes = CS_TRUE;
	int no = CS_FALSE;

	return yes == 1 && no == 0 && !no == CS_TRUE && CS_MAX(yes, no) == CS_TRUE ? 0 : 1;
}
