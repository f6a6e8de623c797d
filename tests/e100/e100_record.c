/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * e100-record: records libparapass traces (docs/trace-format.md) of short
 * bench scenarios, for the replay fixtures in tests/replay/fixtures/.
 *
 *   e100-record SCENARIO OUTPUT.trace
 *   e100-record --list
 *
 * Frames are kept short and few so the fixtures stay small; every
 * scenario ends with the device destroyed (the trace is complete).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_plat.h"
#include "traffic.h"

static const uint8_t guest_mac[6] = {0x02, 0xde, 0xad, 0xbe, 0xef, 0x01};

struct scen {
	const char *name;
	const char *what;
	int (*run)(struct bench *b, struct ghw *hw);
};

static struct traffic_rx g_rx;

static struct gnic *open_guest(struct ghw *hw, const struct gdrv *d)
{
	memset(&g_rx, 0, sizeof(g_rx));
	return gnic_new(d, hw, guest_mac, traffic_rx_cb, &g_rx);
}

static int both_ways(struct bench *b, struct gnic *n, uint32_t cnt,
		     unsigned int window)
{
	struct traffic_result res;

	if (traffic_tx(b, n, 1, cnt, 60, 128, 4, 10000, &res) < 0 ||
	    (g_rx.flow = 2,
	     traffic_rx(b, n, &g_rx, cnt, 60, 128, window, 10000, &res) < 0)) {
		fprintf(stderr, "traffic: %s\n", res.err);
		return -1;
	}
	return 0;
}

static int s_linux(struct bench *b, struct ghw *hw)
{
	struct gnic *n = open_guest(hw, &gdrv_linux);
	uint32_t st[16];
	int r;

	if (!n)
		return -1;
	r = both_ways(b, n, 6, 3);
	if (!r)
		r = gdrv_linux.stats(n, st);
	gdrv_linux.tick(n);
	gnic_run(n, 1);
	gnic_free(n);
	return r;
}

static int s_fxp_mcast(struct bench *b, struct ghw *hw)
{
	struct gnic *n = open_guest(hw, &gdrv_fxp);
	static const uint8_t g1[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	int r;

	if (!n)
		return -1;
	r = both_ways(b, n, 4, 2);
	memcpy(n->mc[0], g1, 6);
	n->n_mc = 1;
	if (!r)
		r = gdrv_fxp.set_rx_mode(n);
	if (!r)
		r = both_ways(b, n, 2, 1);
	gnic_free(n);
	return r;
}

static int s_ipxe(struct bench *b, struct ghw *hw)
{
	struct gnic *n = open_guest(hw, &gdrv_ipxe);
	int r;

	if (!n)
		return -1;
	r = both_ways(b, n, 4, 2);
	gnic_free(n);
	return r;
}

static int s_wdk(struct bench *b, struct ghw *hw)
{
	struct gnic *n = open_guest(hw, &gdrv_wdk);
	uint32_t st[16];
	int r;

	if (!n)
		return -1;
	r = both_ways(b, n, 4, 2);
	if (!r)
		r = gdrv_wdk.stats(n, st);
	gnic_free(n);
	return r;
}

/* A few hostile inputs, then a reset and a little traffic. */
static int s_hostile(struct bench *b, struct ghw *hw)
{
	uint64_t c = bench_galloc(b, 64, 16);
	uint8_t *p = bench_gptr(b, c, 64);
	uint32_t v = 0;
	struct gnic *n;
	int r;

	hw->ops->wr(hw, 0, 0x08, 4, 0); /* PORT software reset */
	/* a NOP CB that links to itself, started */
	memset(p, 0, 64);
	p[4] = (uint8_t)c;
	p[5] = (uint8_t)(c >> 8);
	p[6] = (uint8_t)(c >> 16);
	p[7] = (uint8_t)(c >> 24);
	hw->ops->wr(hw, 0, 0x04, 4, (uint32_t)c);
	hw->ops->wr(hw, 0, 0x02, 1, 0x10);
	bench_plat_run(b, 1);
	/* a CU start outside guest RAM, a self-test outside RAM */
	hw->ops->wr(hw, 0, 0x04, 4, 0x1000);
	hw->ops->wr(hw, 0, 0x02, 1, 0x10);
	hw->ops->wr(hw, 0, 0x08, 4, 0x2001);
	/* accesses out of range */
	(void)pp_dev_access(b->dev, 0, 0x1000, 4, false, &v);
	(void)pp_dev_access(b->dev, 0, 1, 4, true, &v);
	bench_plat_run(b, 1);
	bench_greset(b);
	n = open_guest(hw, &gdrv_linux);
	if (!n)
		return -1;
	r = both_ways(b, n, 2, 1);
	gnic_free(n);
	return r;
}

static const struct scen scens[] = {
	{"linux",
	 "Linux e100 style: open, 6 frames each way, stats, "
	 "watchdog",
	 s_linux},
	{"fxp-mcast",
	 "FreeBSD fxp style: traffic, multicast change with "
	 "software reset, traffic",
	 s_fxp_mcast},
	{"ipxe", "iPXE style over the I/O BAR: 4 frames each way", s_ipxe},
	{"wdk", "Windows (WDK) style: traffic, statistics polling", s_wdk},
	{"hostile",
	 "CBL self-loop, addresses outside RAM, bad accesses, "
	 "then reset and traffic",
	 s_hostile},
};

int main(int argc, char **argv)
{
	struct bench *b;
	struct ghw hw;
	struct pp_trace *tr;
	struct bench_attach_opts ao = {.filter = &pp_filter_pass};
	const struct scen *s = NULL;
	int r;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < sizeof(scens) / sizeof(scens[0]); i++)
			printf("%-10s %s\n", scens[i].name, scens[i].what);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: e100-record SCENARIO OUT | --list\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(scens) / sizeof(scens[0]); i++)
		if (!strcmp(scens[i].name, argv[1]))
			s = &scens[i];
	if (!s) {
		fprintf(stderr, "unknown scenario %s\n", argv[1]);
		return 2;
	}
	bench_require_qemu();
	if (bench_open(NULL, &b) < 0)
		return 1;
	r = pp_trace_open_write(argv[2], &tr);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[2], strerror(-r));
		bench_close(b);
		return 1;
	}
	ao.trace = tr;
	r = bench_attach(b, &ao);
	if (r < 0) {
		fprintf(stderr, "pp_dev_create: %d\n", r);
		pp_trace_close(tr);
		bench_close(b);
		return 1;
	}
	ghw_init_shadow(&hw, b);
	r = s->run(b, &hw);
	bench_detach(b);
	pp_trace_close(tr);
	bench_close(b);
	if (r < 0) {
		fprintf(stderr, "scenario %s failed\n", s->name);
		return 1;
	}
	return 0;
}
