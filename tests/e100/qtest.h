/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A C client of QEMU's qtest protocol, specialised for the e100 hardware
 * bench: it spawns qemu-system-x86_64 with an i8255x NIC whose guest RAM is
 * a /dev/shm file shared with the bench and whose network backend is a UDP
 * "dgram" netdev on 127.0.0.1 (the bench's own UDP socket is the wire: one
 * datagram = one Ethernet frame), then speaks the line protocol.
 *
 * Command line (variant A of shared/refs/qemu-8255x-bench.md): TCG with a
 * halted vCPU (a halt-only BIOS generated at build time), pit=off,
 * -nodefaults, -qtest unix:SOCK (the bench listens, QEMU connects).
 *
 * Protocol handling:
 *  - writes without a result (outb/outw/outl/writeb/...) are pipelined: they
 *    are buffered and their "OK" is collected later; the first read, sync
 *    or poll drains everything in order;
 *  - "IRQ raise N" / "IRQ lower N" lines may arrive at any time (even
 *    before the OK of the command that caused them) and only update the
 *    line state kept here;
 *  - every read has a deadline: on timeout, EOF, "FAIL"/"ERR" or QEMU
 *    exiting, the client enters a failed state with a message (qt_error())
 *    and every later call returns at once (reads give all-ones).
 *
 * Not thread-safe; one struct qt per QEMU process.
 */
#ifndef PP_TESTS_E100_QTEST_H
#define PP_TESTS_E100_QTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define QT_RAM_DEFAULT (64u << 20)
#define QT_IRQ_PINS    24

struct qt;

struct qt_opts {
	const char *qemu;   /* binary; NULL = $QEMU or qemu-system-x86_64 */
	const char *bios;   /* halt BIOS; NULL = $E100_HLT_BIOS or built-in */
	const char *model;  /* NULL = "i82557b" */
	const uint8_t *mac; /* NULL = 52:54:00:12:34:56 */
	size_t ram_size;    /* 0 = QT_RAM_DEFAULT */
	int timeout_ms;	    /* per reply; 0 = $E100_QT_TIMEOUT_MS or 10000 */
	bool verbose;	    /* log the protocol to stderr */
};

/*
 * Start QEMU and connect. Returns 0, or -1 with a message in @err.
 * The shm file is unlinked as soon as QEMU has opened it, and QEMU dies
 * with the bench process (PR_SET_PDEATHSIG), so nothing is left behind.
 */
int qt_start(const struct qt_opts *opts, struct qt **out, char *err,
	     size_t errlen);
/* Kill QEMU, close everything. Accepts NULL. */
void qt_stop(struct qt *qt);

/* True once anything went wrong; the message says what. */
bool qt_failed(const struct qt *qt);
const char *qt_error(const struct qt *qt);

/* The shared guest RAM (QEMU guest-physical address 0 = offset 0). */
uint8_t *qt_ram(struct qt *qt);
size_t qt_ram_size(const struct qt *qt);
/* QEMU's stderr, captured to a file: true if @needle appears in it. */
bool qt_log_contains(struct qt *qt, const char *needle);
pid_t qt_pid(const struct qt *qt);

/* -- the wire: the bench's end of the dgram netdev --------------------- */
/* Send one Ethernet frame toward the NIC. 0 or -1. */
/* Every command sent before takes effect before the frame arrives. */
int qt_wire_send(struct qt *qt, const void *frame, size_t len);
/*
 * Receive one frame the NIC sent; waits up to @timeout_ms (0 = don't
 * wait). Returns its length, 0 if none arrived in time, -1 on error.
 */
ssize_t qt_wire_recv(struct qt *qt, void *buf, size_t cap, int timeout_ms);
int qt_wire_fd(const struct qt *qt);
/* Bytes still queued on QEMU's own socket (frames not yet taken in). */
int qt_wire_pending(struct qt *qt);
/* Frames sent with qt_wire_send() since start. */
uint64_t qt_wire_sent(const struct qt *qt);

/* -- commands ---------------------------------------------------------- */
void qt_outb(struct qt *qt, uint16_t port, uint8_t v);
void qt_outw(struct qt *qt, uint16_t port, uint16_t v);
void qt_outl(struct qt *qt, uint16_t port, uint32_t v);
uint8_t qt_inb(struct qt *qt, uint16_t port);
uint16_t qt_inw(struct qt *qt, uint16_t port);
uint32_t qt_inl(struct qt *qt, uint16_t port);
void qt_writeb(struct qt *qt, uint64_t addr, uint8_t v);
void qt_writew(struct qt *qt, uint64_t addr, uint16_t v);
void qt_writel(struct qt *qt, uint64_t addr, uint32_t v);
uint8_t qt_readb(struct qt *qt, uint64_t addr);
uint16_t qt_readw(struct qt *qt, uint64_t addr);
uint32_t qt_readl(struct qt *qt, uint64_t addr);
/* Any width (1, 2, 4) on port I/O or memory. */
void qt_io_write(struct qt *qt, bool mmio, uint64_t addr, unsigned int width,
		 uint32_t v);
uint32_t qt_io_read(struct qt *qt, bool mmio, uint64_t addr,
		    unsigned int width);

/*
 * Send a raw command line (no newline) and wait for its reply; the reply
 * (without "OK ") is copied to @reply. Returns 0 for OK, -1 otherwise.
 */
int qt_raw(struct qt *qt, const char *line, char *reply, size_t cap);

/*
 * Full barrier: every command sent so far has been executed and every
 * device DMA that had started (an RX whose C bit was seen) has finished.
 */
void qt_sync(struct qt *qt);
/*
 * Device quiescence: wait until QEMU has taken every frame the bench sent
 * off its socket, then qt_sync(). After it, the device writes nothing to
 * RAM until the bench sends a frame or a command.
 */
void qt_quiesce(struct qt *qt);
/* Number of commands sent whose reply is not collected yet. */
unsigned int qt_outstanding(const struct qt *qt);
/* Push buffered commands to QEMU without waiting for the replies. */
void qt_flush(struct qt *qt);

/*
 * Read whatever QEMU sent (IRQ lines, pending OKs), waiting up to
 * @timeout_ms for the first byte (0 = only what is there). Returns the
 * number of IRQ level changes seen, or -1 if failed.
 */
int qt_poll(struct qt *qt, int timeout_ms);

/* IRQ line state (after irq_intercept_in): level and raise-edge count. */
bool qt_irq_level(const struct qt *qt, unsigned int pin);
uint64_t qt_irq_raises(const struct qt *qt, unsigned int pin);

/* Round-trip statistics. */
struct qt_stats {
	uint64_t cmds, sync_cmds, round_trips, irq_lines, bytes_out, bytes_in;
};
void qt_get_stats(const struct qt *qt, struct qt_stats *st);

/* -- PCI (through 0xcf8/0xcfc) ----------------------------------------- */
uint32_t qt_pci_read(struct qt *qt, unsigned int devfn, unsigned int off,
		     unsigned int width);
void qt_pci_write(struct qt *qt, unsigned int devfn, unsigned int off,
		  unsigned int width, uint32_t v);

/* What qt_pci_setup_nic() found and programmed. */
struct qt_nic {
	unsigned int devfn; /* bus 0 */
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint8_t revision;
	uint64_t bar_addr[3]; /* BAR0 MMIO, BAR1 I/O port, BAR2 flash */
	uint32_t bar_size[3];
	bool bar_mmio[3];
	unsigned int irq; /* IOAPIC pin */
};

/*
 * Find 8086:1229 (or @device if non-zero), size and program BAR0 (MMIO at
 * 0xe0000000), BAR1 (I/O at 0xc000), BAR2 (0xe0100000), enable I/O, memory
 * and bus mastering, route PIIX3 PIRQA-D to ISA IRQ 11 and intercept the
 * IOAPIC inputs. 0 or -1 (message in qt_error()).
 */
int qt_pci_setup_nic(struct qt *qt, uint16_t device, struct qt_nic *nic);

#endif /* PP_TESTS_E100_QTEST_H */
