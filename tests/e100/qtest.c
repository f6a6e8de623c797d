/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtest protocol client for the e100 hardware bench (see qtest.h).
 */
#define _GNU_SOURCE
#include "qtest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef E100_HLT_BIOS_DEFAULT
#define E100_HLT_BIOS_DEFAULT "hlt.bin"
#endif

/* Replies are collected before this many commands are outstanding, so
 * QEMU never blocks writing replies we do not read. */
#define QT_MAX_OUTSTANDING 512
#define QT_WIRE_RCVBUF	   (16 << 20)

struct qt {
	pid_t pid;
	int sock; /* qtest stream */
	int wire; /* bench end of the dgram netdev */
	int qfd;  /* our copy of QEMU's dgram socket (for queue depth) */
	uint8_t *ram;
	size_t ram_size;
	int timeout_ms;
	bool verbose;
	bool failed;
	char err[1024];
	int shm_fd; /* guest RAM file, unlinked before QEMU starts */
	int log_fd; /* QEMU's stdout/stderr: an unnamed file */
	char shm_path[128];
	char sock_name[96]; /* abstract unix socket: nothing on disk */

	/* output buffer of pipelined commands */
	char *wbuf;
	size_t wlen, wcap;
	/* input buffer */
	char *rbuf;
	size_t rlen, rcap;
	unsigned int outstanding; /* commands whose reply is not read */

	bool irq_level[QT_IRQ_PINS];
	uint64_t irq_raises[QT_IRQ_PINS];
	uint64_t wire_sent;
	struct qt_stats st;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void log_tail(struct qt *qt, char *out, size_t cap)
{
	char buf[600];
	off_t sz, from;
	ssize_t n;

	out[0] = '\0';
	if (qt->log_fd < 0)
		return;
	sz = lseek(qt->log_fd, 0, SEEK_END);
	from = sz > (off_t)sizeof(buf) - 1 ? sz - (off_t)sizeof(buf) + 1 : 0;
	n = pread(qt->log_fd, buf, sizeof(buf) - 1, from);
	if (n <= 0)
		return;
	buf[n] = '\0';
	snprintf(out, cap, "%s", buf);
}

static void qt_fail(struct qt *qt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void qt_fail(struct qt *qt, const char *fmt, ...)
{
	va_list ap;
	char tail[600];
	int status;
	size_t n;

	if (qt->failed)
		return;
	qt->failed = true;
	va_start(ap, fmt);
	vsnprintf(qt->err, sizeof(qt->err), fmt, ap);
	va_end(ap);
	n = strlen(qt->err);
	/* a connection that broke usually means QEMU died: say how */
	for (int i = 0; i < 20 && qt->pid > 0; i++) {
		pid_t w = waitpid(qt->pid, &status, WNOHANG);

		if (w == qt->pid) {
			if (WIFEXITED(status))
				snprintf(qt->err + n, sizeof(qt->err) - n,
					 " (QEMU exited with status %d)",
					 WEXITSTATUS(status));
			else if (WIFSIGNALED(status))
				snprintf(qt->err + n, sizeof(qt->err) - n,
					 " (QEMU killed by signal %d)",
					 WTERMSIG(status));
			qt->pid = -1;
			break;
		}
		if (w < 0)
			break;
		usleep(5000);
	}
	log_tail(qt, tail, sizeof(tail));
	fprintf(stderr, "e100 bench: qtest: %s\n", qt->err);
	if (tail[0])
		fprintf(stderr, "e100 bench: QEMU stderr tail:\n%s\n", tail);
}

bool qt_failed(const struct qt *qt)
{
	return qt == NULL || qt->failed;
}

const char *qt_error(const struct qt *qt)
{
	return qt ? qt->err : "no qtest";
}

uint8_t *qt_ram(struct qt *qt)
{
	return qt->ram;
}

size_t qt_ram_size(const struct qt *qt)
{
	return qt->ram_size;
}

pid_t qt_pid(const struct qt *qt)
{
	return qt->pid;
}

int qt_wire_fd(const struct qt *qt)
{
	return qt->wire;
}

uint64_t qt_wire_sent(const struct qt *qt)
{
	return qt->wire_sent;
}

void qt_get_stats(const struct qt *qt, struct qt_stats *st)
{
	*st = qt->st;
}

bool qt_irq_level(const struct qt *qt, unsigned int pin)
{
	return pin < QT_IRQ_PINS && qt->irq_level[pin];
}

uint64_t qt_irq_raises(const struct qt *qt, unsigned int pin)
{
	return pin < QT_IRQ_PINS ? qt->irq_raises[pin] : 0;
}

unsigned int qt_outstanding(const struct qt *qt)
{
	return qt->outstanding;
}

bool qt_log_contains(struct qt *qt, const char *needle)
{
	char buf[65536];
	ssize_t n;

	if (qt->log_fd < 0)
		return false;
	n = pread(qt->log_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* -- input ------------------------------------------------------------- */

static int grow(char **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 4096;
	char *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*buf, ncap);
	if (!n)
		return -1;
	*buf = n;
	*cap = ncap;
	return 0;
}

/* Read what is available (waiting up to @timeout_ms). 1 = got bytes,
 * 0 = timeout, -1 = failed. */
static int fill(struct qt *qt, int timeout_ms)
{
	struct pollfd pfd = {.fd = qt->sock, .events = POLLIN};
	ssize_t n;
	int r;

	if (qt->failed)
		return -1;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0) {
		if (errno == EINTR)
			return 0;
		qt_fail(qt, "poll: %s", strerror(errno));
		return -1;
	}
	if (r == 0)
		return 0;
	if (grow(&qt->rbuf, &qt->rcap, qt->rlen + 65536) < 0) {
		qt_fail(qt, "out of memory");
		return -1;
	}
	n = read(qt->sock, qt->rbuf + qt->rlen, qt->rcap - qt->rlen);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		qt_fail(qt, "read: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		qt_fail(qt, "QEMU closed the qtest connection");
		return -1;
	}
	qt->rlen += (size_t)n;
	qt->st.bytes_in += (uint64_t)n;
	return 1;
}

/* Handle an asynchronous line; true if it was one. */
static bool irq_line(struct qt *qt, const char *line)
{
	bool raise;
	unsigned long pin;
	char *end;

	if (strncmp(line, "IRQ ", 4) != 0)
		return false;
	if (strncmp(line + 4, "raise ", 6) == 0)
		raise = true;
	else if (strncmp(line + 4, "lower ", 6) == 0)
		raise = false;
	else
		return true; /* unknown IRQ line: ignore */
	pin = strtoul(line + 10, &end, 0);
	qt->st.irq_lines++;
	if (qt->verbose)
		fprintf(stderr, "qtest <  %s\n", line);
	if (pin < QT_IRQ_PINS) {
		if (raise && !qt->irq_level[pin])
			qt->irq_raises[pin]++;
		qt->irq_level[pin] = raise;
	}
	return true;
}

/*
 * Take the next complete line out of rbuf into @line. Returns 1 for a
 * reply, 0 if no complete reply is buffered (IRQ lines are consumed).
 */
static int take_line(struct qt *qt, char *line, size_t cap, int *irqs)
{
	for (;;) {
		char *nl = qt->rlen ? memchr(qt->rbuf, '\n', qt->rlen) : NULL;
		size_t len;

		if (!nl)
			return 0;
		len = (size_t)(nl - qt->rbuf);
		if (len >= cap)
			len = cap - 1;
		memcpy(line, qt->rbuf, len);
		line[len] = '\0';
		qt->rlen -= (size_t)(nl - qt->rbuf) + 1;
		memmove(qt->rbuf, nl + 1, qt->rlen);
		if (irq_line(qt, line)) {
			if (irqs)
				(*irqs)++;
			continue;
		}
		return 1;
	}
}

/* Wait for the next reply line. 0 or -1. */
static int read_reply(struct qt *qt, char *line, size_t cap)
{
	uint64_t deadline = mono_ms() + (uint64_t)qt->timeout_ms;

	while (!qt->failed) {
		uint64_t now;
		int r;

		if (take_line(qt, line, cap, NULL)) {
			if (qt->verbose)
				fprintf(stderr, "qtest <  %s\n", line);
			if (qt->outstanding)
				qt->outstanding--;
			return 0;
		}
		now = mono_ms();
		if (now >= deadline) {
			qt_fail(qt,
				"no reply from QEMU within %d ms "
				"(%u commands outstanding)",
				qt->timeout_ms, qt->outstanding);
			break;
		}
		r = fill(qt, (int)(deadline - now));
		if (r < 0)
			break;
	}
	return -1;
}

static int check_ok(struct qt *qt, const char *line, const char *what)
{
	if (strncmp(line, "OK", 2) == 0 && (line[2] == '\0' || line[2] == ' '))
		return 0;
	qt_fail(qt, "command '%s' got '%s'", what, line);
	return -1;
}

/* -- output ------------------------------------------------------------ */

void qt_flush(struct qt *qt)
{
	size_t off = 0;
	uint64_t deadline = mono_ms() + (uint64_t)qt->timeout_ms;

	while (!qt->failed && off < qt->wlen) {
		struct pollfd pfd = {.fd = qt->sock,
				     .events = POLLOUT | POLLIN};
		ssize_t n;
		int r;

		if (mono_ms() >= deadline) {
			qt_fail(qt,
				"QEMU does not take commands (%zu bytes "
				"pending)",
				qt->wlen - off);
			break;
		}
		r = poll(&pfd, 1, 100);
		if (r <= 0)
			continue;
		if (pfd.revents & POLLIN) {
			if (fill(qt, 0) < 0)
				break;
		}
		if (pfd.revents & (POLLERR | POLLHUP) &&
		    !(pfd.revents & POLLIN)) {
			qt_fail(qt, "qtest socket hung up");
			break;
		}
		if (!(pfd.revents & POLLOUT))
			continue;
		n = send(qt->sock, qt->wbuf + off, qt->wlen - off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			qt_fail(qt, "write: %s", strerror(errno));
			break;
		}
		off += (size_t)n;
		qt->st.bytes_out += (uint64_t)n;
	}
	qt->wlen = 0;
}

/* Collect the replies of every pipelined command (all expected "OK"). */
static void drain(struct qt *qt)
{
	char line[256];

	qt_flush(qt);
	while (!qt->failed && qt->outstanding > 0) {
		if (read_reply(qt, line, sizeof(line)) < 0)
			break;
		check_ok(qt, line, "pipelined command");
	}
}

static void queue_cmd(struct qt *qt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void queue_cmd(struct qt *qt, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (qt->failed)
		return;
	if (grow(&qt->wbuf, &qt->wcap, qt->wlen + 256) < 0) {
		qt_fail(qt, "out of memory");
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(qt->wbuf + qt->wlen, qt->wcap - qt->wlen - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= qt->wcap - qt->wlen - 1) {
		qt_fail(qt, "command too long");
		return;
	}
	if (qt->verbose)
		fprintf(stderr, "qtest  > %s\n", qt->wbuf + qt->wlen);
	qt->wlen += (size_t)n;
	qt->wbuf[qt->wlen++] = '\n';
	qt->outstanding++;
	qt->st.cmds++;
	if (qt->wlen > 4096)
		qt_flush(qt);
	if (qt->outstanding >= QT_MAX_OUTSTANDING)
		drain(qt);
}

/* Send one command and wait for its reply, after all earlier ones. */
static int sync_cmd(struct qt *qt, char *reply, size_t cap, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));
static int sync_cmd(struct qt *qt, char *reply, size_t cap, const char *fmt,
		    ...)
{
	char cmd[256];
	char line[4096];
	va_list ap;

	if (qt->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	drain(qt);
	queue_cmd(qt, "%s", cmd);
	qt_flush(qt);
	if (read_reply(qt, line, sizeof(line)) < 0)
		return -1;
	qt->st.sync_cmds++;
	qt->st.round_trips++;
	if (check_ok(qt, line, cmd) < 0)
		return -1;
	if (reply && cap) {
		const char *p = line[2] == ' ' ? line + 3 : line + 2;

		snprintf(reply, cap, "%s", p);
	}
	return 0;
}

static uint64_t sync_val(struct qt *qt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static uint64_t sync_val(struct qt *qt, const char *fmt, ...)
{
	char cmd[128], reply[64];
	char *end;
	uint64_t v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (sync_cmd(qt, reply, sizeof(reply), "%s", cmd) < 0)
		return UINT64_MAX;
	errno = 0;
	v = strtoull(reply, &end, 0);
	if (errno || end == reply) {
		qt_fail(qt, "command '%s': bad value '%s'", cmd, reply);
		return UINT64_MAX;
	}
	return v;
}

int qt_raw(struct qt *qt, const char *line, char *reply, size_t cap)
{
	return sync_cmd(qt, reply, cap, "%s", line);
}

void qt_sync(struct qt *qt)
{
	sync_cmd(qt, NULL, 0, "endianness");
}

int qt_wire_pending(struct qt *qt)
{
	int n = 0;

	if (ioctl(qt->qfd, FIONREAD, &n) < 0)
		return 0;
	return n;
}

void qt_quiesce(struct qt *qt)
{
	uint64_t deadline = mono_ms() + (uint64_t)qt->timeout_ms;

	qt_flush(qt);
	while (!qt->failed && qt_wire_pending(qt) > 0) {
		if (mono_ms() >= deadline) {
			qt_fail(qt, "QEMU does not take frames off its socket");
			return;
		}
		fill(qt, 0);
		sched_yield();
	}
	qt_sync(qt);
}

int qt_poll(struct qt *qt, int timeout_ms)
{
	int irqs = 0;
	char line[256];
	int r;

	if (qt->failed)
		return -1;
	qt_flush(qt);
	r = fill(qt, timeout_ms);
	while (r > 0)
		r = fill(qt, 0);
	/* Replies of pipelined commands can be taken too, in order. */
	while (!qt->failed && take_line(qt, line, sizeof(line), &irqs)) {
		if (qt->outstanding == 0) {
			qt_fail(qt, "unexpected line from QEMU: '%s'", line);
			return -1;
		}
		qt->outstanding--;
		check_ok(qt, line, "pipelined command");
	}
	return qt->failed ? -1 : irqs;
}

/* -- commands ---------------------------------------------------------- */

void qt_outb(struct qt *qt, uint16_t port, uint8_t v)
{
	queue_cmd(qt, "outb 0x%x 0x%x", port, v);
}

void qt_outw(struct qt *qt, uint16_t port, uint16_t v)
{
	queue_cmd(qt, "outw 0x%x 0x%x", port, v);
}

void qt_outl(struct qt *qt, uint16_t port, uint32_t v)
{
	queue_cmd(qt, "outl 0x%x 0x%x", port, v);
}

uint8_t qt_inb(struct qt *qt, uint16_t port)
{
	return (uint8_t)sync_val(qt, "inb 0x%x", port);
}

uint16_t qt_inw(struct qt *qt, uint16_t port)
{
	return (uint16_t)sync_val(qt, "inw 0x%x", port);
}

uint32_t qt_inl(struct qt *qt, uint16_t port)
{
	return (uint32_t)sync_val(qt, "inl 0x%x", port);
}

void qt_writeb(struct qt *qt, uint64_t addr, uint8_t v)
{
	queue_cmd(qt, "writeb 0x%" PRIx64 " 0x%x", addr, v);
}

void qt_writew(struct qt *qt, uint64_t addr, uint16_t v)
{
	queue_cmd(qt, "writew 0x%" PRIx64 " 0x%x", addr, v);
}

void qt_writel(struct qt *qt, uint64_t addr, uint32_t v)
{
	queue_cmd(qt, "writel 0x%" PRIx64 " 0x%x", addr, v);
}

uint8_t qt_readb(struct qt *qt, uint64_t addr)
{
	return (uint8_t)sync_val(qt, "readb 0x%" PRIx64, addr);
}

uint16_t qt_readw(struct qt *qt, uint64_t addr)
{
	return (uint16_t)sync_val(qt, "readw 0x%" PRIx64, addr);
}

uint32_t qt_readl(struct qt *qt, uint64_t addr)
{
	return (uint32_t)sync_val(qt, "readl 0x%" PRIx64, addr);
}

void qt_io_write(struct qt *qt, bool mmio, uint64_t addr, unsigned int width,
		 uint32_t v)
{
	if (!mmio && addr > 0xffff) {
		qt_fail(qt, "port 0x%" PRIx64 " out of range", addr);
		return;
	}
	switch (width) {
	case 1:
		if (mmio)
			qt_writeb(qt, addr, (uint8_t)v);
		else
			qt_outb(qt, (uint16_t)addr, (uint8_t)v);
		break;
	case 2:
		if (mmio)
			qt_writew(qt, addr, (uint16_t)v);
		else
			qt_outw(qt, (uint16_t)addr, (uint16_t)v);
		break;
	case 4:
		if (mmio)
			qt_writel(qt, addr, v);
		else
			qt_outl(qt, (uint16_t)addr, v);
		break;
	default:
		qt_fail(qt, "bad access width %u", width);
	}
}

uint32_t qt_io_read(struct qt *qt, bool mmio, uint64_t addr, unsigned int width)
{
	if (!mmio && addr > 0xffff) {
		qt_fail(qt, "port 0x%" PRIx64 " out of range", addr);
		return UINT32_MAX;
	}
	switch (width) {
	case 1:
		return mmio ? qt_readb(qt, addr) : qt_inb(qt, (uint16_t)addr);
	case 2:
		return mmio ? qt_readw(qt, addr) : qt_inw(qt, (uint16_t)addr);
	case 4:
		return mmio ? qt_readl(qt, addr) : qt_inl(qt, (uint16_t)addr);
	default:
		qt_fail(qt, "bad access width %u", width);
		return UINT32_MAX;
	}
}

/* -- wire -------------------------------------------------------------- */

int qt_wire_send(struct qt *qt, const void *frame, size_t len)
{
	ssize_t n;

	if (qt->failed)
		return -1;
	/* Causality: commands already issued (an RU start, say) take effect
	 * before the frame reaches the NIC. */
	if (qt->outstanding)
		drain(qt);
	do {
		n = send(qt->wire, frame, len, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		qt_fail(qt, "wire send of %zu bytes: %s", len,
			n < 0 ? strerror(errno) : "short");
		return -1;
	}
	qt->wire_sent++;
	return 0;
}

ssize_t qt_wire_recv(struct qt *qt, void *buf, size_t cap, int timeout_ms)
{
	struct pollfd pfd = {.fd = qt->wire, .events = POLLIN};
	ssize_t n;

	if (timeout_ms > 0 && poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	n = recv(qt->wire, buf, cap, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	if (n == 0)
		return 0; /* QEMU sends no empty frames; treat as none */
	return n;
}

/* -- PCI --------------------------------------------------------------- */

static uint32_t cfg_addr(unsigned int devfn, unsigned int off)
{
	return 0x80000000u | (devfn & 0xffu) << 8 | (off & 0xfcu);
}

uint32_t qt_pci_read(struct qt *qt, unsigned int devfn, unsigned int off,
		     unsigned int width)
{
	qt_outl(qt, 0xcf8, cfg_addr(devfn, off));
	switch (width) {
	case 1:
		return qt_inb(qt, (uint16_t)(0xcfc + (off & 3)));
	case 2:
		return qt_inw(qt, (uint16_t)(0xcfc + (off & 2)));
	default:
		return qt_inl(qt, 0xcfc);
	}
}

void qt_pci_write(struct qt *qt, unsigned int devfn, unsigned int off,
		  unsigned int width, uint32_t v)
{
	qt_outl(qt, 0xcf8, cfg_addr(devfn, off));
	switch (width) {
	case 1:
		qt_outb(qt, (uint16_t)(0xcfc + (off & 3)), (uint8_t)v);
		break;
	case 2:
		qt_outw(qt, (uint16_t)(0xcfc + (off & 2)), (uint16_t)v);
		break;
	default:
		qt_outl(qt, 0xcfc, v);
		break;
	}
}

int qt_pci_setup_nic(struct qt *qt, uint16_t device, struct qt_nic *nic)
{
	static const uint64_t addr[3] = {0xe0000000u, 0xc000u, 0xe0100000u};
	unsigned int dev;
	char reply[64];

	memset(nic, 0, sizeof(*nic));
	for (dev = 0; dev < 32; dev++) {
		uint32_t id = qt_pci_read(qt, dev << 3, 0, 4);

		if (qt->failed)
			return -1;
		if ((id & 0xffff) == 0x8086 &&
		    (device ? (id >> 16) == device
			    : (id >> 16) == 0x1229 || (id >> 16) == 0x1209 ||
				      (id >> 16) == 0x2449))
			break;
	}
	if (dev == 32) {
		qt_fail(qt, "no Intel 8255x found on PCI bus 0");
		return -1;
	}
	nic->devfn = dev << 3;
	nic->vendor = 0x8086;
	nic->device = (uint16_t)(qt_pci_read(qt, nic->devfn, 0, 4) >> 16);
	nic->revision = (uint8_t)qt_pci_read(qt, nic->devfn, 8, 1);
	nic->subsys_vendor = (uint16_t)qt_pci_read(qt, nic->devfn, 0x2c, 2);
	nic->subsys_device = (uint16_t)qt_pci_read(qt, nic->devfn, 0x2e, 2);

	for (unsigned int b = 0; b < 3; b++) {
		unsigned int off = 0x10 + 4 * b;
		uint32_t v;

		qt_pci_write(qt, nic->devfn, off, 4, 0xffffffffu);
		v = qt_pci_read(qt, nic->devfn, off, 4);
		if (v == 0 || v == 0xffffffffu)
			continue;
		nic->bar_mmio[b] = !(v & 1);
		if (nic->bar_mmio[b])
			nic->bar_size[b] = ~(v & ~0xfu) + 1;
		else
			nic->bar_size[b] = (~(v & ~0x3u) + 1) & 0xffff;
		nic->bar_addr[b] = addr[b];
		qt_pci_write(qt, nic->devfn, off, 4,
			     (uint32_t)addr[b] | (nic->bar_mmio[b] ? 0 : 1));
	}
	if (!nic->bar_mmio[0] || nic->bar_mmio[1] || !nic->bar_size[1]) {
		qt_fail(qt, "unexpected BAR layout (BAR0 %s, BAR1 %s)",
			nic->bar_mmio[0] ? "mmio" : "io",
			nic->bar_mmio[1] ? "mmio" : "io");
		return -1;
	}
	/* I/O, memory, bus master. */
	qt_pci_write(qt, nic->devfn, 0x04, 2, 0x0007);
	/* PIIX3 (00:01.0) PIRQA-D -> ISA IRQ 11; slot 4 INTA is PIRQD. */
	for (unsigned int i = 0; i < 4; i++)
		qt_pci_write(qt, 0x08, 0x60 + i, 1, 11);
	qt_pci_write(qt, nic->devfn, 0x3c, 1, 11);
	nic->irq = 11;
	if (sync_cmd(qt, reply, sizeof(reply), "irq_intercept_in ioapic") < 0)
		return -1;
	return qt->failed ? -1 : 0;
}

/* -- start/stop -------------------------------------------------------- */

static int bind_lo(int fd, struct sockaddr_in *sa)
{
	socklen_t sl = sizeof(*sa);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa->sin_port = 0;
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) < 0)
		return -1;
	return getsockname(fd, (struct sockaddr *)sa, &sl);
}

static void big_rcvbuf(int fd)
{
	int v = QT_WIRE_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

int qt_start(const struct qt_opts *opts, struct qt **out, char *err,
	     size_t errlen)
{
	static unsigned int seq;
	static const uint8_t dmac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	struct qt_opts o = *opts;
	struct qt *qt;
	struct sockaddr_un sun;
	struct sockaddr_in wa, qa;
	int lsock = -1;
	char ram_obj[256], netdev[128], dev[160], qsock[160];
	const uint8_t *mac;
	uint64_t deadline;

	*out = NULL;
	qt = calloc(1, sizeof(*qt));
	if (!qt) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	qt->pid = -1;
	qt->sock = qt->wire = qt->qfd = qt->shm_fd = qt->log_fd = -1;
	qt->ram_size = o.ram_size ? o.ram_size : QT_RAM_DEFAULT;
	qt->timeout_ms = o.timeout_ms
				 ? o.timeout_ms
				 : atoi(env_or("E100_QT_TIMEOUT_MS", "10000"));
	if (qt->timeout_ms <= 0)
		qt->timeout_ms = 10000;
	qt->verbose = o.verbose;
	if (!o.qemu)
		o.qemu = env_or("QEMU", "qemu-system-x86_64");
	if (!o.bios)
		o.bios = env_or("E100_HLT_BIOS", E100_HLT_BIOS_DEFAULT);
	if (!o.model)
		o.model = "i82557b";
	mac = o.mac ? o.mac : dmac;

	/* Guest RAM: a /dev/shm file with a unique name, unlinked at once;
	 * QEMU maps it through /dev/fd/N, so a crash leaves nothing. */
	snprintf(qt->shm_path, sizeof(qt->shm_path),
		 "/dev/shm/e100qt-%d-%u-%llx", (int)getpid(), seq,
		 (unsigned long long)(mono_ms() ^ (uint64_t)(uintptr_t)qt));
	snprintf(qt->sock_name, sizeof(qt->sock_name), "e100qt-%d-%u-%llx",
		 (int)getpid(), seq++,
		 (unsigned long long)(mono_ms() ^ (uint64_t)(uintptr_t)qt));
	qt->shm_fd =
		open(qt->shm_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (qt->shm_fd < 0) {
		snprintf(err, errlen, "%s: %s", qt->shm_path, strerror(errno));
		goto fail;
	}
	unlink(qt->shm_path);
	if (ftruncate(qt->shm_fd, (off_t)qt->ram_size) < 0) {
		snprintf(err, errlen, "ftruncate shm: %s", strerror(errno));
		goto fail;
	}
	qt->ram = mmap(NULL, qt->ram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       qt->shm_fd, 0);
	if (qt->ram == MAP_FAILED) {
		qt->ram = NULL;
		snprintf(err, errlen, "mmap shm: %s", strerror(errno));
		goto fail;
	}

	/* The wire: two loopback UDP sockets connected to each other; QEMU
	 * inherits one of them (local.type=fd), so no port can clash. */
	qt->wire = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	qt->qfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (qt->wire < 0 || qt->qfd < 0 || bind_lo(qt->wire, &wa) < 0 ||
	    bind_lo(qt->qfd, &qa) < 0 ||
	    connect(qt->wire, (struct sockaddr *)&qa, sizeof(qa)) < 0 ||
	    connect(qt->qfd, (struct sockaddr *)&wa, sizeof(wa)) < 0) {
		snprintf(err, errlen, "wire sockets: %s", strerror(errno));
		goto fail;
	}
	big_rcvbuf(qt->wire);
	big_rcvbuf(qt->qfd);

	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, qt->sock_name, strlen(qt->sock_name));
	if (lsock < 0 ||
	    bind(lsock, (struct sockaddr *)&sun,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			     strlen(qt->sock_name))) < 0 ||
	    listen(lsock, 1) < 0) {
		snprintf(err, errlen, "qtest socket @%s: %s", qt->sock_name,
			 strerror(errno));
		goto fail;
	}

	snprintf(ram_obj, sizeof(ram_obj),
		 "memory-backend-file,id=ram,size=%zu,mem-path=/dev/fd/%d,"
		 "share=on",
		 qt->ram_size, qt->shm_fd);
	snprintf(netdev, sizeof(netdev),
		 "dgram,id=n0,local.type=fd,local.str=%d", qt->qfd);
	snprintf(dev, sizeof(dev),
		 "%s,netdev=n0,mac=%02x:%02x:%02x:%02x:%02x:%02x,romfile=,"
		 "addr=0x4",
		 o.model, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	snprintf(qsock, sizeof(qsock), "unix:%s,abstract=on", qt->sock_name);

	qt->log_fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (qt->log_fd < 0) {
		snprintf(err, errlen, "QEMU log file: %s", strerror(errno));
		goto fail;
	}

	{
		char mem[32];
		char qemu_bin[512], bios_path[512];
		char *argv[] = {
			qemu_bin,   "-machine", "pc,pit=off,memory-backend=ram",
			"-accel",   "tcg",	"-bios",
			bios_path,  "-object",	ram_obj,
			"-m",	    mem,	"-nodefaults",
			"-display", "none",	"-qtest-log",
			"none",	    "-netdev",	netdev,
			"-device",  dev,	"-qtest",
			qsock,	    NULL,
		};
		pid_t parent = getpid();

		snprintf(mem, sizeof(mem), "%zuM", qt->ram_size >> 20);
		snprintf(qemu_bin, sizeof(qemu_bin), "%s", o.qemu);
		snprintf(bios_path, sizeof(bios_path), "%s", o.bios);
		fflush(NULL);
		qt->pid = fork();
		if (qt->pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			goto fail;
		}
		if (qt->pid == 0) {
			int nul = open("/dev/null", O_RDONLY);

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(127);
			if (nul >= 0)
				dup2(nul, 0);
			/* what QEMU inherits: its netdev and its RAM */
			fcntl(qt->qfd, F_SETFD, 0);
			fcntl(qt->shm_fd, F_SETFD, 0);
			dup2(qt->log_fd, 1);
			dup2(qt->log_fd, 2);
			execvp(argv[0], argv);
			dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
			_exit(127);
		}
	}

	/* QEMU connects to us once it is initialised. */
	deadline = mono_ms() + 20000;
	for (;;) {
		struct pollfd pfd = {.fd = lsock, .events = POLLIN};
		int status;

		if (poll(&pfd, 1, 50) > 0) {
			qt->sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			if (qt->sock >= 0)
				break;
		}
		if (waitpid(qt->pid, &status, WNOHANG) == qt->pid) {
			char tail[600];

			qt->pid = -1;
			log_tail(qt, tail, sizeof(tail));
			snprintf(err, errlen, "QEMU exited at start: %s",
				 tail[0] ? tail : "(no output)");
			goto fail;
		}
		if (mono_ms() > deadline) {
			snprintf(err, errlen,
				 "QEMU did not connect to @%s within 20 s",
				 qt->sock_name);
			goto fail;
		}
	}
	close(lsock);
	lsock = -1;

	/* One round trip: QEMU is in its main loop with RAM mapped. */
	qt_sync(qt);
	if (qt->failed) {
		snprintf(err, errlen, "%s", qt->err);
		goto fail;
	}
	*out = qt;
	return 0;

fail:
	if (lsock >= 0)
		close(lsock);
	qt_stop(qt);
	return -1;
}

void qt_stop(struct qt *qt)
{
	if (!qt)
		return;
	if (qt->pid > 0) {
		int status;
		uint64_t deadline;

		kill(qt->pid, SIGTERM);
		deadline = mono_ms() + 3000;
		while (waitpid(qt->pid, &status, WNOHANG) == 0) {
			if (mono_ms() > deadline) {
				kill(qt->pid, SIGKILL);
				waitpid(qt->pid, &status, 0);
				break;
			}
			usleep(2000);
		}
		qt->pid = -1;
	}
	if (qt->sock >= 0)
		close(qt->sock);
	if (qt->wire >= 0)
		close(qt->wire);
	if (qt->qfd >= 0)
		close(qt->qfd);
	if (qt->ram)
		munmap(qt->ram, qt->ram_size);
	if (qt->shm_fd >= 0)
		close(qt->shm_fd);
	if (qt->log_fd >= 0) {
		const char *keep = getenv("E100_KEEP_QEMU_LOG");

		if (keep && *keep) {
			char tail[600];

			log_tail(qt, tail, sizeof(tail));
			if (tail[0])
				fprintf(stderr, "QEMU log:\n%s\n", tail);
		}
		close(qt->log_fd);
	}
	free(qt->wbuf);
	free(qt->rbuf);
	free(qt);
}
