// SPDX-License-Identifier: BSD-2-Clause
/* minivmm: command line parsing (getopt_long). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

enum {
	OPT_KERNEL = 256,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_MEM,
	OPT_CPUS,
	OPT_VFIO,
	OPT_FILTER,
	OPT_CAPTURE_GUEST,
	OPT_CAPTURE_WIRE,
	OPT_TRACE,
	OPT_NO_STDIN,
	OPT_VERSION,
};

static const struct option long_opts[] = {
	{"kernel", required_argument, NULL, OPT_KERNEL},
	{"initrd", required_argument, NULL, OPT_INITRD},
	{"cmdline", required_argument, NULL, OPT_CMDLINE},
	{"mem", required_argument, NULL, OPT_MEM},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"vfio", required_argument, NULL, OPT_VFIO},
	{"filter", required_argument, NULL, OPT_FILTER},
	{"capture-guest", required_argument, NULL, OPT_CAPTURE_GUEST},
	{"capture-wire", required_argument, NULL, OPT_CAPTURE_WIRE},
	{"trace", required_argument, NULL, OPT_TRACE},
	{"no-stdin", no_argument, NULL, OPT_NO_STDIN},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

void mv_usage(void)
{
	printf("usage: minivmm --kernel BZIMAGE [options]\n"
	       "\n"
	       "Boot a Linux bzImage on KVM; optionally give the guest a real "
	       "PCI NIC\n"
	       "by para-passthrough (VFIO + libparapass).\n"
	       "\n"
	       "  --kernel FILE        Linux bzImage (x86_64, boot protocol "
	       "2.12+)\n"
	       "  --initrd FILE        initramfs\n"
	       "  --cmdline STRING     kernel command line (default: \"%s\")\n"
	       "  --mem MIB            guest RAM in MiB (default %u, %u..%u)\n"
	       "  --cpus N             vCPUs (default 1, at most %u)\n"
	       "  --vfio BDF           the NIC to hand to the guest, bound to "
	       "vfio-pci\n"
	       "                       (e.g. 0000:00:02.0); without it the "
	       "guest has no NIC\n"
	       "  --filter pass|capture  frame path filter (default pass)\n"
	       "  --capture-guest FILE pcap of frames as the guest sees them "
	       "(capture)\n"
	       "  --capture-wire FILE  pcap of frames as the wire sees them "
	       "(capture)\n"
	       "  --trace FILE         record a libparapass trace "
	       "(pp-trace replay FILE)\n"
	       "  --no-stdin           do not feed stdin to the guest's "
	       "ttyS0\n"
	       "  -v, --verbose        debug logging from libparapass and "
	       "minivmm\n"
	       "  -h, --help           this text\n"
	       "      --version        print the version\n"
	       "\n"
	       "The guest's ttyS0 is minivmm's stdout. minivmm exits 0 when "
	       "the guest\n"
	       "reboots (run 'reboot -f' in the guest), 1 on errors, 2 on "
	       "usage errors,\n"
	       "128+N on signal N (SIGINT, SIGTERM).\n",
	       MV_DEFAULT_CMDLINE, MV_DEFAULT_MEM_MIB, MV_MIN_MEM_MIB,
	       MV_MAX_MEM_MIB, MV_MAX_CPUS);
}

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* @n hex digits at *s; advances *s. */
static int hexfield(const char **s, unsigned int n, unsigned int *out)
{
	unsigned int v = 0, i;

	for (i = 0; i < n; i++) {
		int d = hexval((*s)[i]);

		if (d < 0)
			return -1;
		v = v * 16 + (unsigned int)d;
	}
	*s += n;
	*out = v;
	return 0;
}

int mv_parse_bdf(const char *s, char out[16])
{
	unsigned int dom = 0, bus, dev, fn;
	size_t len = strlen(s);

	if (len == 12) {
		if (hexfield(&s, 4, &dom) != 0 || *s++ != ':')
			return -1;
	} else if (len != 7) {
		return -1;
	}
	if (hexfield(&s, 2, &bus) != 0 || *s++ != ':' ||
	    hexfield(&s, 2, &dev) != 0 || *s++ != '.' ||
	    hexfield(&s, 1, &fn) != 0 || *s != '\0')
		return -1;
	if (dev > 0x1f || fn > 7)
		return -1;
	snprintf(out, 16, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

int mv_args_parse(int argc, char **argv, struct mv_args *a, char *err,
		  size_t errlen)
{
	bool have_filter = false;
	int c;

	memset(a, 0, sizeof(*a));
	a->mem_mib = MV_DEFAULT_MEM_MIB;
	a->cpus = 1;
	a->cmdline = MV_DEFAULT_CMDLINE;
	a->stdin_input = true;
	err[0] = '\0';

	optind = 0; /* full re-initialisation (GNU), for repeated calls */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL:
			a->kernel = optarg;
			break;
		case OPT_INITRD:
			a->initrd = optarg;
			break;
		case OPT_CMDLINE:
			a->cmdline = optarg;
			break;
		case OPT_MEM:
			if (parse_uint(optarg, MV_MIN_MEM_MIB, MV_MAX_MEM_MIB,
				       &a->mem_mib) != 0) {
				snprintf(err, errlen,
					 "--mem %s: expected MiB between %u "
					 "and %u",
					 optarg, MV_MIN_MEM_MIB,
					 MV_MAX_MEM_MIB);
				return -1;
			}
			break;
		case OPT_CPUS:
			if (parse_uint(optarg, 1, MV_MAX_CPUS, &a->cpus) != 0) {
				snprintf(err, errlen,
					 "--cpus %s: expected 1..%u", optarg,
					 MV_MAX_CPUS);
				return -1;
			}
			break;
		case OPT_VFIO:
			if (mv_parse_bdf(optarg, a->vfio) != 0) {
				snprintf(err, errlen,
					 "--vfio %s: expected a PCI address "
					 "like 0000:00:02.0",
					 optarg);
				return -1;
			}
			break;
		case OPT_FILTER:
			if (strcmp(optarg, "pass") == 0) {
				a->filter = MV_FILTER_PASS;
			} else if (strcmp(optarg, "capture") == 0) {
				a->filter = MV_FILTER_CAPTURE;
			} else {
				snprintf(err, errlen,
					 "--filter %s: expected pass or "
					 "capture",
					 optarg);
				return -1;
			}
			have_filter = true;
			break;
		case OPT_CAPTURE_GUEST:
			a->capture_guest = optarg;
			break;
		case OPT_CAPTURE_WIRE:
			a->capture_wire = optarg;
			break;
		case OPT_TRACE:
			a->trace = optarg;
			break;
		case OPT_NO_STDIN:
			a->stdin_input = false;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			a->help = true;
			return 0;
		case OPT_VERSION:
			a->version = true;
			return 0;
		case ':':
			snprintf(err, errlen, "%s needs an argument",
				 argv[optind - 1]);
			return -1;
		default:
			if (optopt != 0 && optopt < 256)
				snprintf(err, errlen, "unknown option -%c",
					 optopt);
			else
				snprintf(err, errlen, "unknown option %s",
					 argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument %s", argv[optind]);
		return -1;
	}
	if (a->kernel == NULL) {
		snprintf(err, errlen, "--kernel is required");
		return -1;
	}
	if ((a->capture_guest || a->capture_wire) &&
	    a->filter != MV_FILTER_CAPTURE) {
		snprintf(err, errlen,
			 "--capture-guest/--capture-wire need --filter "
			 "capture");
		return -1;
	}
	if (a->filter == MV_FILTER_CAPTURE && !a->capture_guest &&
	    !a->capture_wire) {
		snprintf(err, errlen,
			 "--filter capture needs --capture-guest FILE and/or "
			 "--capture-wire FILE");
		return -1;
	}
	if (a->vfio[0] == '\0' && (have_filter || a->trace)) {
		snprintf(err, errlen,
			 "%s needs --vfio BDF (no NIC, nothing "
			 "to filter or trace)",
			 a->trace ? "--trace" : "--filter");
		return -1;
	}
	return 0;
}
