/* SPDX-License-Identifier: BSD-2-Clause */
/* minivmm: command line. */
#ifndef MINIVMM_ARGS_H
#define MINIVMM_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define MV_DEFAULT_MEM_MIB 256u
#define MV_MIN_MEM_MIB	   32u
#define MV_MAX_MEM_MIB	   (1024u * 1024u) /* 1 TiB */
#define MV_MAX_CPUS	   32u
#define MV_DEFAULT_CMDLINE "console=ttyS0 acpi=off panic=-1"

enum mv_filter_kind {
	MV_FILTER_PASS = 0,
	MV_FILTER_CAPTURE,
};

struct mv_args {
	const char *kernel;
	const char *initrd; /* NULL = none */
	const char *cmdline;
	unsigned int mem_mib;
	unsigned int cpus;
	char vfio[16]; /* "DDDD:BB:DD.F", "" = no NIC */
	enum mv_filter_kind filter;
	const char *capture_guest; /* NULL = off */
	const char *capture_wire;
	const char *trace; /* NULL = off */
	bool stdin_input;
	bool verbose;
	bool help, version;
};

/* Exit statuses (README.md). */
#define MV_EXIT_GUEST 0 /* the guest rebooted / powered off */
#define MV_EXIT_ERROR 1 /* a prerequisite or runtime error */
#define MV_EXIT_USAGE 2 /* bad command line */

/*
 * Parse @argv into @a. Returns 0, or -1 with the reason in @err (the
 * caller prints it and the usage hint and exits MV_EXIT_USAGE).
 */
int mv_args_parse(int argc, char **argv, struct mv_args *a, char *err,
		  size_t errlen);
/* Normalise a PCI address ("BB:DD.F" or "DDDD:BB:DD.F", hex) into
 * "DDDD:BB:DD.F" in @out (16 bytes). Returns 0 or -1. */
int mv_parse_bdf(const char *s, char out[16]);
void mv_usage(void);

#endif /* MINIVMM_ARGS_H */
