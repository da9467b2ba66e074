/* CPU time (user + system) this process has used so far, in seconds, from
 * /proc/self/stat; -1 if it cannot be read. Shared by the bench tools, each a
 * single C file built on its own (tools/bench.sh, c-tests/run-bench-smoke.sh). */
#ifndef EVS_TOOLS_PROC_CPU_H
#define EVS_TOOLS_PROC_CPU_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static double cpu_seconds(void)
{
	char buf[1024], *p;
	unsigned long ut, st;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n;
	if (!f)
		return -1.0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* after the command: state ppid pgrp session tty tpgid flags minflt
	   cminflt majflt cmajflt utime stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1.0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

#endif
