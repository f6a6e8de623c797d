/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * e100-bench: throughput of the libparapass shadow path (e100 backend,
 * pass filter) on the hardware bench, and with --callgrind the number of
 * instructions the SDK executes per frame, excluding the bench transport.
 *
 *   e100-bench [--frames N] [--size BYTES] [--guest linux|fxp|wdk|ipxe]
 *              [--dir tx|rx|both] [--callgrind] [--raw]
 *   e100-bench --rtt        qtest round trip and pipelined command cost
 *
 * --raw drives QEMU directly with the same guest driver (no libparapass):
 * the bench's own ceiling. --callgrind re-runs itself under
 * `valgrind --tool=callgrind --collect-atstart=no` once per direction;
 * collection is switched on inside libparapass entry points and off
 * inside the platform's qtest transport (bench_plat.c), so the count is
 * the SDK's own work: trap decoding, descriptor snapshots, guest memory
 * copies, the frame path and the backend's ring handling.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_plat.h"
#include "traffic.h"

#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#endif

static const uint8_t guest_mac[6] = {0x02, 0xde, 0xad, 0xbe, 0xef, 0x01};

struct cfg {
	uint32_t frames;
	size_t size;
	const struct gdrv *drv;
	const char *dir;
	bool raw, callgrind, inner;
};

static const struct gdrv *drv_by_name(const char *s)
{
	if (!strcmp(s, "linux"))
		return &gdrv_linux;
	if (!strcmp(s, "fxp"))
		return &gdrv_fxp;
	if (!strcmp(s, "wdk"))
		return &gdrv_wdk;
	if (!strcmp(s, "ipxe"))
		return &gdrv_ipxe;
	return NULL;
}

static unsigned int rx_window(const struct gdrv *d, bool raw)
{
	if (d == &gdrv_ipxe)
		return raw ? 3 : 16;
	if (d == &gdrv_wdk)
		return 24;
	return 64;
}

/* One direction; returns frames/s or -1. */
static double run_dir(const struct cfg *c, bool tx)
{
	struct bench *b;
	struct ghw hw;
	struct gnic *n;
	struct traffic_rx rx = {.flow = 2};
	struct traffic_result res;
	struct bench_attach_opts ao = {.filter = &pp_filter_pass};
	int r;

	if (bench_open(NULL, &b) < 0)
		return -1;
	if (c->raw) {
		ghw_init_raw(&hw, b);
	} else {
		r = bench_attach(b, &ao);
		if (r < 0) {
			fprintf(stderr, "pp_dev_create: %d\n", r);
			bench_close(b);
			return -1;
		}
		ghw_init_shadow(&hw, b);
	}
	n = gnic_new(c->drv, &hw, guest_mac, traffic_rx_cb, &rx);
	if (!n) {
		bench_detach(b);
		bench_close(b);
		return -1;
	}
	/* warm up, then measure */
	if (tx)
		traffic_tx(b, n, 1, 200, c->size, c->size, 16, 10000, &res);
	else
		traffic_rx(b, n, &rx, 200, c->size, c->size,
			   rx_window(c->drv, c->raw), 10000, &res);
	rx.flow = 3;
	bench_plat_callgrind = c->inner;
	if (tx)
		r = traffic_tx(b, n, 4, c->frames, c->size, c->size, 16, 600000,
			       &res);
	else
		r = traffic_rx(b, n, &rx, c->frames, c->size, c->size,
			       rx_window(c->drv, c->raw), 600000, &res);
	bench_plat_callgrind = false;
	if (r < 0)
		fprintf(stderr, "%s: %s\n", tx ? "tx" : "rx", res.err);
	gnic_free(n);
	bench_detach(b);
	bench_close(b);
	return r < 0 ? -1 : (double)res.received * 1e9 / (double)res.elapsed_ns;
}

/* Run ourselves under callgrind for one direction; Ir per frame. */
static double callgrind_dir(const struct cfg *c, const char *self, bool tx)
{
	char out[] = "/tmp/e100-callgrind.XXXXXX";
	char frames[32], size[32], line[512];
	int fd = mkstemp(out);
	pid_t pid;
	int st;
	FILE *f;
	double total = -1;

	if (fd < 0)
		return -1;
	close(fd);
	snprintf(frames, sizeof(frames), "%u", c->frames);
	snprintf(size, sizeof(size), "%zu", c->size);
	pid = fork();
	if (pid == 0) {
		char of[600];

		snprintf(of, sizeof(of), "--callgrind-out-file=%s", out);
		execlp("valgrind", "valgrind", "--tool=callgrind",
		       "--collect-atstart=no", "--quiet", of, self,
		       "--inner-callgrind", "--frames", frames, "--size", size,
		       "--guest",
		       c->drv->name[0] == 'l'	? "linux"
		       : c->drv->name[0] == 'f' ? "fxp"
		       : c->drv->name[0] == 'w' ? "wdk"
						: "ipxe",
		       "--dir", tx ? "tx" : "rx", (char *)NULL);
		perror("valgrind");
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		fprintf(stderr, "callgrind run failed\n");
		unlink(out);
		return -1;
	}
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "totals:", 7) ||
		    !strncmp(line, "summary:", 8))
			total = strtod(strchr(line, ':') + 1, NULL);
	if (f)
		fclose(f);
	unlink(out);
	return total < 0 ? -1 : total / c->frames;
}

/* qtest transport costs: lock-step round trip, pipelined command. */
static int rtt(void)
{
	struct bench *b;
	uint64_t t0, t1, t2;
	enum { N = 20000 };

	if (bench_open(NULL, &b) < 0)
		return 1;
	t0 = bench_now_ns();
	for (int i = 0; i < N; i++)
		(void)qt_inw(b->qt, (uint16_t)(b->nic.bar_addr[1] + 0));
	t1 = bench_now_ns();
	for (int i = 0; i < N; i++)
		qt_outb(b->qt, (uint16_t)(b->nic.bar_addr[1] + 3), 1);
	qt_sync(b->qt);
	t2 = bench_now_ns();
	printf("qtest round trip (inw SCB status, lock-step): %.1f us\n",
	       (double)(t1 - t0) / N / 1e3);
	printf("qtest pipelined command (outb, collected later): %.1f us\n",
	       (double)(t2 - t1) / N / 1e3);
	bench_close(b);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: e100-bench [--frames N] [--size BYTES] "
		"[--guest linux|fxp|wdk|ipxe] [--dir tx|rx|both] [--raw] "
		"[--callgrind] | --rtt\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct cfg c = {
		.frames = 0, .size = 1000, .drv = &gdrv_linux, .dir = "both"};
	bool tx, rx;
	int rc = 0;
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (sl <= 0)
		return 2;
	self[sl] = '\0';

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--frames") && v) {
			c.frames = (uint32_t)strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--size") && v) {
			c.size = strtoul(v, NULL, 0);
			i++;
		} else if (!strcmp(a, "--guest") && v) {
			c.drv = drv_by_name(v);
			if (!c.drv)
				usage();
			i++;
		} else if (!strcmp(a, "--dir") && v) {
			c.dir = v;
			i++;
		} else if (!strcmp(a, "--rtt")) {
			bench_require_qemu();
			return rtt();
		} else if (!strcmp(a, "--raw")) {
			c.raw = true;
		} else if (!strcmp(a, "--callgrind")) {
			c.callgrind = true;
		} else if (!strcmp(a, "--inner-callgrind")) {
			c.inner = true;
		} else {
			usage();
		}
	}
	if (c.size < FRAME_HDR || c.size > 1514)
		usage();
	if (!c.frames)
		c.frames = c.callgrind || c.inner ? 2000 : 50000;
	tx = strcmp(c.dir, "rx") != 0;
	rx = strcmp(c.dir, "tx") != 0;
	bench_require_qemu();
#ifndef HAVE_CALLGRIND_H
	if (c.callgrind || c.inner) {
		fprintf(stderr, "built without valgrind/callgrind.h\n");
		return 2;
	}
#endif
	if (c.inner) {
		/* under valgrind: just run, the parent reads the totals */
		if ((tx && run_dir(&c, true) < 0) ||
		    (rx && run_dir(&c, false) < 0))
			return 1;
		return 0;
	}
	printf("e100-bench: guest %s, %zu-byte frames, %u frames, %s\n",
	       c.drv->name, c.size, c.frames,
	       c.callgrind ? "callgrind (SDK instructions per frame)"
	       : c.raw	   ? "raw QEMU (no libparapass)"
			   : "shadow path, pass filter");
	for (int d = 0; d < 2; d++) {
		bool is_tx = d == 0;
		double v;

		if ((is_tx && !tx) || (!is_tx && !rx))
			continue;
		v = c.callgrind ? callgrind_dir(&c, self, is_tx)
				: run_dir(&c, is_tx);
		if (v < 0) {
			rc = 1;
			printf("%s: failed\n",
			       is_tx ? "guest->wire" : "wire->guest");
			continue;
		}
		printf("%s: %.0f %s\n", is_tx ? "guest->wire" : "wire->guest",
		       v, c.callgrind ? "instructions/frame" : "frames/s");
	}
	return rc;
}
