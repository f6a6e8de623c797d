// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for drivers/e100: a hostile guest and a hostile device
 * around the backend, on a fake platform.
 *
 * The platform is built in: 64 KiB of guest RAM at GPA 0x10000, a fake
 * 8255x (register file, SCB command execution, a CU that walks and
 * completes the backend's own CBL, an RU that fills the backend's own
 * RFDs, PORT, a 93C46/93C66 EEPROM, MDI), DMA memory from a static arena
 * whose iovas (0x40000000 up) are disjoint from guest RAM, a clock that
 * advances 4 us per device register read (a slow bus keeps the backend's
 * EEPROM and reset delays to one read each) and 1 us per operation, and
 * the timer.
 *
 * Input = a 10-byte header, then operations until the input ends.
 *
 *   header: [chip] [dflags] [pool] [misc] [mac x 6]
 *     chip    index into chips[] (0 = 8086:1229 rev 2, the 82557 B)
 *     dflags  bit 0 device completes CBs only on OP_STEP (else at once)
 *             bit 1 QEMU resume (no re-check of S) (else silicon)
 *             bit 2 EEPROM with 8 address bits (else 6)
 *             bit 3 no EEPROM (DO always 1)
 *             bit 4 DMA iovas above 4 GiB (attach must refuse them)
 *             bit 5 device gone (reads all-ones, writes ignored)
 *             bit 6 SCB command byte never clears
 *             bit 7 no automatic interrupt delivery
 *     pool    n_pkts = 2 + (pool & 31), queue_len = 1 + 3 * (pool >> 5)
 *     misc    bits 0-1: fail the n-th DMA allocation (0 = none)
 *             bit 2: racing guest (RAM scribbled right after each read)
 *             bit 3: log at debug level
 *             bits 4-7: counter value the device dumps
 *     mac     EEPROM words 0-2
 *
 *   op byte % 17, little-endian arguments (missing bytes read as 0):
 *     0 RD    [a][off](+[offhi] if a&0x80)  bar a&1, width {1,2,4,3}[a>>1&3]
 *     1 WR    as RD, then [u32 value]
 *     2 RAM   [u16 off][n][n bytes]          guest RAM at GPA 0x10000+off
 *     3 CMD   [f][gp][cmd]  gp = 0x10000+u16 if f&1, else u32; bar (f>>1)&1:
 *             GP (32-bit write) then SCB command byte
 *     4 WIRE  [u16 len][f]([u16 status][u16 count] if f&1)[k][k bytes]
 *             a frame of len % 2200 bytes (k bytes given, the rest a
 *             pattern) from the wire into the device's current RFD, then
 *             the interrupt (unless dflags bit 7)
 *     5 IRQ   [bits]  device raises STAT/ACK bits, interrupt delivered
 *     6 TIMER [b]  b&3: 0 jump to the deadline and fire, 1 advance
 *             2^(b>>2) ns and fire if due, 2 fire early, 3 advance only
 *     7 PCI   [u16]  guest PCI command register
 *     8 POKE  [off][val]  device register byte changes under the backend
 *     9 NOISE [n][n bytes]  the next device reads return these bytes
 *    10 STEP  [n][u16 status]  device executes n CBs (status 0 = C|OK)
 *    11 TIME  [b]  advance 2^(b%31) ns
 *    12 FLAGS [b]  xor into the device mode flags (dflags layout)
 *    13 RFD   [idx][u16 status][u16 count]  raw write into the backend's
 *             RFD idx (found through the tracked DMA buffers), interrupt
 *             (unless dflags bit 7)
 *    14 ACK   guest writes 0xff to STAT/ACK
 *    15 RAM32 [u16 off][u32]
 *    16 REPEAT [n]  the previous operation again, 1 + n % 64 times (bursts
 *             of frames, resumes, interrupts: full rings and queues)
 *
 *   At most 2000 operations run per input; after each one the device's
 *   pending interrupt is delivered (unless dflags bit 7) and the guest
 *   line is checked.
 *
 * Invariants (a violation is __builtin_trap(), like ASan/UBSan findings):
 *  - no guest-physical address reaches the device: GP of CU/RU start and
 *    dump address, PORT addresses, CB/RFD links the device follows must lie
 *    in a live DMA buffer (bases must be 0); no microcode/dump CB, no TBD
 *    array, no data area outside the buffer on the backend's rings;
 *  - DMA hygiene: no unknown/double free, no sync of a dead buffer, no
 *    buffer freed while the device still points into it, nothing live
 *    after pp_dev_destroy() or a failed pp_dev_create(); freed and unused
 *    arena bytes are ASan-poisoned;
 *  - IRQ and timer: the guest line always equals (STAT/ACK & ~masks) && !M
 *    as the guest reads them (and the command byte reads 0); the line is
 *    low and no timer is armed after destroy or a failed create;
 *  - with an honest device (no POKE/NOISE/RFD, no raw WIRE status, no
 *    SWI/ER from OP_IRQ, not gone or stuck): the device's line drops within
 *    16 interrupt rounds, the device never executes a completed CB again
 *    (stale/duplicate frame) nor fills an RFD the backend has not given
 *    back.
 *
 * Built with -DFUZZ_SEEDGEN it is a program writing the seed corpus.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <parapass/pp.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#endif
#endif
#ifndef ASAN_POISON_MEMORY_REGION
#define ASAN_POISON_MEMORY_REGION(a, s)	  ((void)(a), (void)(s))
#define ASAN_UNPOISON_MEMORY_REGION(a, s) ((void)(a), (void)(s))
#endif

/* ---------------------------------------------------------------------- */
/* 8255x facts the fake device needs (own copy, independent of drivers/)  */
/* ---------------------------------------------------------------------- */

#define R_STATUS  0x00
#define R_STATACK 0x01
#define R_CMD	  0x02
#define R_INTR	  0x03
#define R_GP	  0x04
#define R_PORT	  0x08
#define R_EEPROM  0x0e
#define R_MDI	  0x10
#define R_SIZE	  64u

#define ST_CX  0x80
#define ST_FR  0x40
#define ST_CNA 0x20
#define ST_RNR 0x10
#define ST_MDI 0x08
#define ST_SWI 0x04
#define ST_ER  0x02
#define ST_FCP 0x01

#define INTR_M	0x01
#define INTR_SI 0x02

#define CU_IDLE	  0
#define CU_SUSP	  1
#define CU_ACTIVE 2
#define RU_IDLE	  0
#define RU_SUSP	  1
#define RU_NORES  2
#define RU_READY  4

#define CB_C  0x8000u
#define CB_OK 0x2000u
#define CB_EL 0x8000u
#define CB_S  0x4000u
#define CB_I  0x2000u
#define CB_SF 0x0008u

#define RFD_EOF 0x8000u
#define RFD_F	0x4000u

#define EE_SK 0x01
#define EE_CS 0x02
#define EE_DI 0x04
#define EE_DO 0x08

#define SLOT 2048u /* the backend's CBL slots and RFDs (README) */

/* ---------------------------------------------------------------------- */
/* Fake platform state                                                    */
/* ---------------------------------------------------------------------- */

#define GRAM_BASE  0x00010000ull
#define GRAM_SIZE  0x00010000u
#define IOVA_LOW   0x40000000ull
#define IOVA_HIGH  0x100000000ull
#define ARENA_SIZE (1u << 20)
#define REDZONE	   64u
#define MAX_BUFS   16u
#define READ_NS	   4000u /* cost of one device register read */
#define OP_NS	   1000u /* time between two operations */
#define MAX_OPS	   2000u
#define IRQ_ROUNDS 16

#define DF_MANUAL_CU  0x01
#define DF_QEMU_RES   0x02
#define DF_EE_8BIT    0x04
#define DF_EE_ABSENT  0x08
#define DF_HIGH_IOVA  0x10
#define DF_DEAD	      0x20
#define DF_CMD_STUCK  0x40
#define DF_NO_AUTOIRQ 0x80

struct fz_buf {
	uint64_t handle;
	pp_iova_t iova;
	size_t len;
	uint8_t *cpu;
	bool live;
};

struct fz {
	uint8_t ram[GRAM_SIZE];
	bool race;
	uint32_t race_seed;
	unsigned long guest_calls;

	/* DMA */
	size_t arena_used;
	uint64_t iova_base;
	struct fz_buf bufs[MAX_BUFS];
	unsigned int nbufs, live, allocs, fail_at;
	uint64_t next_handle;

	/* time, timer, guest line */
	uint64_t now, deadline;
	bool irq;

	/* the device */
	uint8_t dflags;
	bool honest; /* no register pokes, noise or raw RFD writes so far */
	uint8_t r[R_SIZE];
	uint8_t cfg[256];
	uint8_t noise[64];
	unsigned int noise_n, noise_pos;
	uint8_t chip;
	bool ext_masks;
	uint16_t mac_words[3];
	uint32_t dump_value;
	struct {
		int state;
		uint32_t ptr;  /* next CB */
		uint32_t susp; /* CB suspended on */
	} cu;
	struct {
		int state;
		uint32_t ptr; /* next RFD */
	} ru;
	uint32_t dump_addr;
	bool dump_set;
	struct {
		bool cs, sk;
		unsigned int nbits, out;
		uint32_t in;
		int phase; /* 0 command/address, 1 data out, 2 ignore */
		uint16_t data;
		bool dout;
	} ee;
	bool verbose;
};

static struct fz F;
static uint8_t arena[ARENA_SIZE] __attribute__((aligned(4096)));

#define FZ_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_e100: INVARIANT: " __VA_ARGS__); \
			fputc('\n', stderr);                                   \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---------------------------------------------------------------------- */
/* Guest memory                                                           */
/* ---------------------------------------------------------------------- */

static bool gram_range(pp_gpa_t gpa, size_t len)
{
	return gpa >= GRAM_BASE && gpa - GRAM_BASE <= GRAM_SIZE &&
	       len <= GRAM_SIZE - (gpa - GRAM_BASE);
}

static bool in_gram(uint64_t a)
{
	return a >= GRAM_BASE && a - GRAM_BASE < GRAM_SIZE;
}

static int p_guest_read(void *o, pp_gpa_t gpa, void *dst, size_t len)
{
	(void)o;
	F.guest_calls++;
	if (!gram_range(gpa, len))
		return -EFAULT;
	memcpy(dst, F.ram + (gpa - GRAM_BASE), len);
	if (F.race) {
		/* The guest's other vCPU rewrites what was just read. */
		uint8_t *p = F.ram + (gpa - GRAM_BASE);

		for (size_t i = 0; i < len; i++) {
			F.race_seed = F.race_seed * 1103515245u + 12345u;
			if ((F.race_seed >> 16) & 1)
				p[i] = (uint8_t)(F.race_seed >> 24);
		}
	}
	return 0;
}

static int p_guest_write(void *o, pp_gpa_t gpa, const void *src, size_t len)
{
	(void)o;
	F.guest_calls++;
	if (!gram_range(gpa, len))
		return -EFAULT;
	memcpy(F.ram + (gpa - GRAM_BASE), src, len);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* DMA memory                                                             */
/* ---------------------------------------------------------------------- */

static struct fz_buf *dma_find(uint64_t addr, uint64_t len)
{
	for (unsigned int i = 0; i < F.nbufs; i++) {
		struct fz_buf *b = &F.bufs[i];

		if (b->live && addr >= b->iova && addr - b->iova <= b->len &&
		    len <= b->len - (addr - b->iova))
			return b;
	}
	return NULL;
}

static uint8_t *dma_at(uint64_t addr, uint64_t len)
{
	struct fz_buf *b = dma_find(addr, len);

	return b != NULL ? b->cpu + (addr - b->iova) : NULL;
}

static struct fz_buf *dma_known(const struct pp_dma_buf *buf)
{
	for (unsigned int i = 0; buf != NULL && i < F.nbufs; i++)
		if (F.bufs[i].handle == buf->handle)
			return &F.bufs[i];
	return NULL;
}

/* An address the device is about to use (read or write). */
static void audit(uint64_t addr, uint64_t len, const char *what)
{
	FZ_CHECK(!in_gram(addr),
		 "%s: guest-physical address 0x%llx reached the device", what,
		 (unsigned long long)addr);
	FZ_CHECK(dma_find(addr, len) != NULL,
		 "%s: address 0x%llx (+%llu) outside every live DMA buffer",
		 what, (unsigned long long)addr, (unsigned long long)len);
}

static int p_dma_alloc(void *o, size_t len, size_t align,
		       struct pp_dma_buf *out)
{
	struct fz_buf *b;
	size_t a = align < REDZONE ? REDZONE : align, start;

	(void)o;
	F.allocs++;
	if (F.fail_at != 0 && F.allocs == F.fail_at)
		return -ENOMEM;
	FZ_CHECK(align != 0 && (align & (align - 1)) == 0,
		 "dma_alloc alignment %zu", align);
	if (F.nbufs >= MAX_BUFS || a > ARENA_SIZE)
		return -ENOMEM;
	start = (F.arena_used + REDZONE + a - 1) & ~(a - 1);
	if (start > ARENA_SIZE || len > ARENA_SIZE - start)
		return -ENOMEM;
	F.arena_used = start + len;
	b = &F.bufs[F.nbufs++];
	b->handle = ++F.next_handle;
	b->iova = F.iova_base + start;
	b->len = len;
	b->cpu = arena + start;
	b->live = true;
	F.live++;
	ASAN_UNPOISON_MEMORY_REGION(b->cpu, len);
	memset(b->cpu, 0x5a, len); /* DMA memory is not zeroed */
	out->cpu = b->cpu;
	out->iova = b->iova;
	out->len = len;
	out->handle = b->handle;
	return 0;
}

static bool dev_uses(const struct fz_buf *b)
{
	uint64_t lo = b->iova, hi = b->iova + b->len;

	if (F.dflags & DF_DEAD)
		return false;
	if (F.cu.state != CU_IDLE && F.cu.ptr >= lo && F.cu.ptr < hi)
		return true;
	return F.ru.state != RU_IDLE && F.ru.ptr >= lo && F.ru.ptr < hi;
}

static void p_dma_free(void *o, struct pp_dma_buf *buf)
{
	struct fz_buf *b = dma_known(buf);

	(void)o;
	FZ_CHECK(b != NULL, "dma_free of an unknown buffer (iova 0x%llx)",
		 buf ? (unsigned long long)buf->iova : 0ull);
	FZ_CHECK(b->live, "double dma_free (iova 0x%llx)",
		 (unsigned long long)b->iova);
	FZ_CHECK(buf->iova == b->iova && buf->cpu == b->cpu &&
			 buf->len == b->len,
		 "dma_free with a changed descriptor");
	FZ_CHECK(!dev_uses(b),
		 "DMA buffer 0x%llx freed while the device still uses it",
		 (unsigned long long)b->iova);
	b->live = false;
	F.live--;
	memset(b->cpu, 0xdd, b->len);
	ASAN_POISON_MEMORY_REGION(b->cpu, b->len);
}

static void p_sync(void *o, const struct pp_dma_buf *buf, size_t off,
		   size_t len)
{
	struct fz_buf *b = dma_known(buf);

	(void)o;
	FZ_CHECK(b != NULL && b->live && buf->cpu == b->cpu,
		 "DMA sync of a buffer that is not live");
	FZ_CHECK(off <= b->len && len <= b->len - off, "DMA sync range");
}

/* ---------------------------------------------------------------------- */
/* The fake device: status, interrupt line                                */
/* ---------------------------------------------------------------------- */

static void dev_status_update(void)
{
	F.r[R_STATUS] = (uint8_t)(F.cu.state << 6 | F.ru.state << 2);
}

static uint8_t masked_bits(uint8_t mask)
{
	uint8_t m = 0;

	if (F.ext_masks) {
		m = mask & 0xf0; /* CX FR CNA RNR */
		if (mask & 0x08)
			m |= ST_ER;
		if (mask & 0x04)
			m |= ST_FCP;
	}
	return m;
}

static bool dev_line(void)
{
	if (F.dflags & DF_DEAD)
		return false;
	if (F.r[R_INTR] & INTR_M)
		return false;
	return (F.r[R_STATACK] & ~masked_bits(F.r[R_INTR])) != 0;
}

/* ---------------------------------------------------------------------- */
/* The fake device: command unit over the backend's CBL                   */
/* ---------------------------------------------------------------------- */

/* Execute the CB at cu.ptr with completion status @status. */
static void cu_exec(uint16_t status)
{
	uint32_t at = F.cu.ptr, link;
	uint8_t *cb = dma_at(at, 8);
	uint16_t st, cmd;
	unsigned int op;

	FZ_CHECK(cb != NULL, "CU at 0x%08x outside every live DMA buffer", at);
	st = le16(cb);
	cmd = le16(cb + 2);
	link = le32(cb + 4);
	op = cmd & 7u;
	if (F.honest)
		FZ_CHECK(!(st & CB_C),
			 "device reached CB 0x%08x that already completed "
			 "(status 0x%04x): stale CB executed again",
			 at, st);
	FZ_CHECK(!(cmd & CB_SF) && op != 5 && op != 6,
		 "CB 0x%08x: command 0x%04x must never reach the device", at,
		 cmd);
	switch (op) {
	case 1: /* IA */
		audit(at, 14, "IA setup CB");
		break;
	case 2: /* configure */
		audit(at, 8 + (cb[8] & 0x3fu), "configure CB");
		break;
	case 3: /* multicast */
		audit(at, 10 + (le16(cb + 8) & 0x3fffu), "multicast CB");
		break;
	case 4: { /* transmit */
		uint8_t *t = dma_at(at, 16);

		FZ_CHECK(t != NULL, "TCB 0x%08x header outside DMA", at);
		FZ_CHECK(le32(t + 8) == 0xffffffffu,
			 "TCB 0x%08x: TBD array 0x%08x handed to the device",
			 at, le32(t + 8));
		audit(at, 16 + (le16(t + 12) & 0x3fffu), "TCB data");
		break;
	}
	default:
		break;
	}
	put16(cb, status);
	if (cmd & CB_I)
		F.r[R_STATACK] |= ST_CX;
	if (cmd & CB_EL) {
		F.cu.state = CU_IDLE;
		F.r[R_STATACK] |= ST_CNA;
	} else {
		audit(link, 8, "CB link");
		F.cu.ptr = link;
		if (cmd & CB_S) {
			F.cu.state = CU_SUSP;
			F.cu.susp = at;
			F.r[R_STATACK] |= ST_CNA;
		}
	}
	dev_status_update();
}

static void cu_run(unsigned int max, uint16_t status)
{
	for (unsigned int i = 0; i < max && F.cu.state == CU_ACTIVE; i++)
		cu_exec(status);
}

static void cu_resume(void)
{
	if (F.cu.state == CU_SUSP) {
		if (!(F.dflags & DF_QEMU_RES)) {
			/* Silicon re-reads S of the CB it suspended on. */
			uint8_t *cb = dma_at(F.cu.susp, 8);

			FZ_CHECK(cb != NULL,
				 "suspended CB 0x%08x no longer in DMA memory",
				 F.cu.susp);
			if (le16(cb + 2) & CB_S)
				return;
		}
		F.cu.state = CU_ACTIVE;
	}
}

/* ---------------------------------------------------------------------- */
/* The fake device: receive unit over the backend's RFA                   */
/* ---------------------------------------------------------------------- */

static void ru_fill(const uint8_t *frame, size_t len, bool raw, uint16_t rst,
		    uint16_t rcnt)
{
	uint32_t at = F.ru.ptr, link;
	uint8_t *r;
	uint16_t st, cmd, size;
	size_t n;

	if (F.ru.state != RU_READY)
		return; /* the wire drops it, as QEMU's model does */
	r = dma_at(at, 16);
	FZ_CHECK(r != NULL, "RU at 0x%08x outside every live DMA buffer", at);
	st = le16(r);
	cmd = le16(r + 2);
	link = le32(r + 4);
	size = le16(r + 14) & 0x3fffu;
	if (F.honest)
		FZ_CHECK(!(st & CB_C),
			 "device reached RFD 0x%08x that the backend has not "
			 "given back (status 0x%04x)",
			 at, st);
	FZ_CHECK(!(cmd & 0x0018u), "RFD 0x%08x: flexible/header mode", at);
	audit(at, 16u + size, "RFD data area");
	n = len < size ? len : size;
	memcpy(r + 16, frame, n);
	put16(r + 12, raw ? rcnt : (uint16_t)(n | RFD_EOF | RFD_F));
	put16(r, raw ? rst : (uint16_t)(CB_C | (len <= size ? CB_OK : 0)));
	F.r[R_STATACK] |= ST_FR;
	if (cmd & CB_EL) {
		F.ru.state = RU_NORES;
		F.r[R_STATACK] |= ST_RNR;
	} else {
		audit(link, 16, "RFD link");
		F.ru.ptr = link;
		if (cmd & CB_S) {
			F.ru.state = RU_SUSP;
			F.r[R_STATACK] |= ST_RNR;
		}
	}
	dev_status_update();
}

/* ---------------------------------------------------------------------- */
/* The fake device: SCB command, PORT, EEPROM, MDI                        */
/* ---------------------------------------------------------------------- */

static void dev_dump(bool reset)
{
	uint8_t *d;

	if (F.dflags & DF_MANUAL_CU)
		return; /* a slow device: never completes */
	FZ_CHECK(F.dump_set, "statistics dump without a dump address");
	d = dma_at(F.dump_addr, 68);
	FZ_CHECK(d != NULL, "dump address 0x%08x not in live DMA memory",
		 F.dump_addr);
	for (unsigned int i = 0; i < 16; i++)
		put32(d + 4 * i, F.dump_value);
	put32(d + 64, reset ? 0xa007u : 0xa005u);
}

static void dev_command(uint8_t v)
{
	uint32_t gp = le32(F.r + R_GP);

	switch (v & 7u) {
	case 1: /* RU start */
		audit(gp, 16, "RU start");
		F.ru.ptr = gp;
		F.ru.state = RU_READY;
		break;
	case 2:
		if (F.ru.state == RU_SUSP)
			F.ru.state = RU_READY;
		break;
	case 4:
		F.ru.state = RU_IDLE;
		break;
	case 6:
		FZ_CHECK(gp == 0, "RU base 0x%08x: must be 0", gp);
		break;
	default:
		break;
	}
	switch (v >> 4) {
	case 1: /* CU start */
		audit(gp, 8, "CU start");
		F.cu.ptr = gp;
		F.cu.state = CU_ACTIVE;
		break;
	case 2:
		cu_resume();
		break;
	case 4:
		audit(gp, 68, "load dump address");
		F.dump_addr = gp;
		F.dump_set = true;
		break;
	case 5:
	case 7:
		dev_dump((v >> 4) == 7);
		break;
	case 6:
		FZ_CHECK(gp == 0, "CU base 0x%08x: must be 0", gp);
		break;
	default:
		break;
	}
	dev_status_update();
	if (!(F.dflags & DF_MANUAL_CU))
		cu_run(4 * 64, CB_C | CB_OK);
}

static void dev_port(uint32_t v)
{
	uint32_t fn = v & 0xfu, addr = v & ~0xfu;

	switch (fn) {
	case 0: /* software reset */
	case 2: /* selective reset */
		if (addr != 0)
			audit(addr, 1, "PORT reset address bits");
		F.cu.state = CU_IDLE;
		F.ru.state = RU_IDLE;
		if (fn == 0) {
			F.r[R_STATACK] = 0;
			F.r[R_INTR] = 0; /* a reset leaves the line unmasked */
			F.r[R_CMD] = 0;
			F.dump_set = false;
			memset(&F.ee, 0, sizeof(F.ee));
			F.ee.dout = true;
		}
		break;
	case 1: { /* self-test */
		uint8_t *d;

		audit(addr, 8, "PORT self-test");
		d = dma_at(addr, 8);
		put32(d, 0xffffffffu);
		put32(d + 4, 0);
		F.cu.state = CU_IDLE;
		F.ru.state = RU_IDLE;
		break;
	}
	case 3:
		audit(addr, 8, "PORT dump");
		break;
	default:
		if (addr != 0)
			audit(addr, 1, "PORT address");
		break;
	}
	dev_status_update();
}

static uint16_t ee_word(unsigned int addr)
{
	return addr < 3 ? F.mac_words[addr] : 0xffffu;
}

static void ee_write(uint8_t v)
{
	bool cs = v & EE_CS, sk = v & EE_SK, di = v & EE_DI;
	unsigned int abits = (F.dflags & DF_EE_8BIT) ? 8 : 6;

	if (!cs) {
		memset(&F.ee, 0, sizeof(F.ee));
		F.ee.dout = true;
		F.ee.sk = sk;
		return;
	}
	F.ee.cs = true;
	if (sk && !F.ee.sk) { /* rising edge */
		if (F.ee.phase == 0) {
			if (F.ee.nbits == 0 && !di) {
				/* waiting for the start bit */
			} else {
				F.ee.in = F.ee.in << 1 | (di ? 1u : 0u);
				F.ee.nbits++;
			}
			F.ee.dout = true;
			if (F.ee.nbits == 3 + abits) {
				unsigned int op = (F.ee.in >> abits) & 3u;

				if (op == 2) { /* READ: dummy zero, then data */
					F.ee.phase = 1;
					F.ee.data = ee_word(
						F.ee.in & ((1u << abits) - 1));
					F.ee.out = 0;
					F.ee.dout = false;
				} else {
					F.ee.phase = 2;
				}
			}
		} else if (F.ee.phase == 1) {
			F.ee.dout = F.ee.out < 16
					    ? (F.ee.data >> (15 - F.ee.out)) & 1
					    : true;
			F.ee.out++;
		}
	}
	F.ee.sk = sk;
}

static void mdi_fire(void)
{
	uint8_t top = F.r[R_MDI + 3];
	unsigned int op = (top >> 2) & 3u;

	if (op == 0)
		return;
	if (op == 2) { /* read: some PHY register value */
		F.r[R_MDI] = (uint8_t)F.dump_value;
		F.r[R_MDI + 1] = (uint8_t)(F.dump_value >> 8 | 0x08);
	}
	F.r[R_MDI + 3] = (uint8_t)(top | 0x10); /* ready */
	if (top & 0x20)
		F.r[R_STATACK] |= ST_MDI;
}

static void reg_write8(uint32_t o, uint8_t v)
{
	switch (o) {
	case R_STATUS:
		break;
	case R_STATACK:
		F.r[o] &= (uint8_t)~v;
		break;
	case R_CMD:
		F.r[o] = v;
		dev_command(v);
		if (!(F.dflags & DF_CMD_STUCK))
			F.r[o] = 0;
		break;
	case R_INTR:
		if ((v & INTR_SI) && !(v & INTR_M))
			F.r[R_STATACK] |= ST_SWI;
		F.r[o] = (uint8_t)(v & ~INTR_SI);
		break;
	case R_PORT + 3:
		F.r[o] = v;
		dev_port(le32(F.r + R_PORT));
		break;
	case R_EEPROM:
		F.r[o] = (uint8_t)(v & ~EE_DO);
		ee_write(v);
		break;
	case R_MDI + 3:
		F.r[o] = v;
		mdi_fire();
		break;
	default:
		F.r[o] = v;
		break;
	}
}

static uint8_t reg_read8(uint32_t o)
{
	if (o == R_EEPROM)
		return (uint8_t)((F.r[o] & ~EE_DO) | (F.ee.dout ? EE_DO : 0));
	return F.r[o];
}

static uint32_t p_dev_read(void *o, unsigned int bar, uint32_t off,
			   unsigned int width)
{
	uint32_t v = 0;

	(void)o;
	F.now += READ_NS;
	if (bar != 0 || off >= R_SIZE || width > R_SIZE - off ||
	    (F.dflags & DF_DEAD))
		return 0xffffffffu;
	for (unsigned int i = 0; i < width; i++)
		v |= (uint32_t)reg_read8(off + i) << (8 * i);
	if (F.noise_pos < F.noise_n) {
		v = 0;
		for (unsigned int i = 0; i < width && F.noise_pos < F.noise_n;
		     i++)
			v |= (uint32_t)F.noise[F.noise_pos++] << (8 * i);
	}
	return v;
}

static void p_dev_write(void *o, unsigned int bar, uint32_t off,
			unsigned int width, uint32_t val)
{
	(void)o;
	if (bar != 0 || off >= R_SIZE || width > R_SIZE - off ||
	    (F.dflags & DF_DEAD))
		return;
	if (off == R_GP && width == 4 && val != 0)
		audit(val, 1, "SCB general pointer");
	for (unsigned int i = 0; i < width; i++)
		reg_write8(off + i, (uint8_t)(val >> (8 * i)));
}

static int p_pci_read(void *o, unsigned int off, unsigned int width,
		      uint32_t *val)
{
	(void)o;
	if (off >= sizeof(F.cfg) || width > sizeof(F.cfg) - off)
		return -EINVAL;
	*val = 0;
	for (unsigned int i = 0; i < width; i++)
		*val |= (uint32_t)F.cfg[off + i] << (8 * i);
	return 0;
}

static int p_pci_write(void *o, unsigned int off, unsigned int width,
		       uint32_t val)
{
	(void)o;
	if (off >= sizeof(F.cfg) || width > sizeof(F.cfg) - off)
		return -EINVAL;
	for (unsigned int i = 0; i < width; i++)
		F.cfg[off + i] = (uint8_t)(val >> (8 * i));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Guest line, time, log                                                  */
/* ---------------------------------------------------------------------- */

static void p_irq_set(void *o, bool level)
{
	(void)o;
	F.irq = level;
}

static uint64_t p_now(void *o)
{
	(void)o;
	return F.now;
}

static void p_timer_set(void *o, uint64_t deadline)
{
	(void)o;
	F.deadline = deadline;
}

static void p_log(void *o, enum pp_log_level level, const char *msg)
{
	(void)o;
	if (F.verbose)
		fprintf(stderr, "pp[%d]: %s\n", (int)level, msg);
}

static const struct pp_platform_ops fz_plat = {
	.guest_read = p_guest_read,
	.guest_write = p_guest_write,
	.dev_read = p_dev_read,
	.dev_write = p_dev_write,
	.pci_read = p_pci_read,
	.pci_write = p_pci_write,
	.dma_alloc = p_dma_alloc,
	.dma_free = p_dma_free,
	.dma_sync_for_cpu = p_sync,
	.dma_sync_for_device = p_sync,
	.irq_set = p_irq_set,
	.now_ns = p_now,
	.timer_set = p_timer_set,
	.log = p_log,
};

/* ---------------------------------------------------------------------- */
/* Checks around the entry points                                         */
/* ---------------------------------------------------------------------- */

/*
 * The guest line must follow what the guest reads: STAT/ACK, minus the
 * masked sources, unless M. One 32-bit read returns status, STAT/ACK,
 * command and mask together; skipped if the frame path touched guest
 * memory on the way out of that read (it may have raised FR/RNR).
 */
static void check_guest_line(struct pp_dev *dev)
{
	unsigned long g0 = F.guest_calls;
	uint32_t v = 0;
	uint8_t stat, mask;
	bool want;
	int ret = pp_dev_access(dev, 0, 0, 4, false, &v);

	FZ_CHECK(ret == 0, "32-bit read of the SCB refused (%d)", ret);
	if (F.guest_calls != g0)
		return;
	FZ_CHECK(((v >> 16) & 0xffu) == 0, "SCB command byte reads 0x%02x",
		 (v >> 16) & 0xffu);
	FZ_CHECK((v >> 6 & 3u) != 3u, "CU state HPQ reported");
	stat = (uint8_t)(v >> 8);
	mask = (uint8_t)(v >> 24);
	want = !(mask & INTR_M) && (stat & ~masked_bits(mask)) != 0;
	FZ_CHECK(F.irq == want,
		 "guest line %s with STAT/ACK 0x%02x and mask 0x%02x",
		 F.irq ? "high" : "low", stat, mask);
}

/* Deliver the device's interrupt while its (level) line is up. */
static void service(struct pp_dev *dev, bool force)
{
	int i;

	for (i = 0; i < IRQ_ROUNDS && ((force && i == 0) || dev_line()); i++)
		pp_dev_interrupt(dev);
	if (F.honest)
		FZ_CHECK(!dev_line(),
			 "device interrupt still pending after %d rounds "
			 "(STAT/ACK 0x%02x, mask 0x%02x)",
			 IRQ_ROUNDS, F.r[R_STATACK], F.r[R_INTR]);
}

/* ---------------------------------------------------------------------- */
/* Input                                                                  */
/* ---------------------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct rd *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static uint16_t u16(struct rd *r)
{
	uint16_t lo = u8(r);

	return (uint16_t)(lo | u8(r) << 8);
}

static uint32_t u32(struct rd *r)
{
	uint32_t lo = u16(r);

	return lo | (uint32_t)u16(r) << 16;
}

struct chip {
	uint16_t device;
	uint8_t rev;
	bool ich;
};

static const struct chip chips[] = {
	{0x1229, 0x02, false}, {0x1229, 0x01, false}, {0x1229, 0x04, false},
	{0x1229, 0x05, false}, {0x1229, 0x08, false}, {0x1229, 0x0c, false},
	{0x1229, 0x0e, false}, {0x1229, 0x10, false}, {0x1229, 0x00, false},
	{0x1229, 0xff, false}, {0x1209, 0x09, false}, {0x1029, 0x08, false},
	{0x2449, 0x01, true},  {0x1064, 0x02, true},  {0x1227, 0x02, false},
	{0x1059, 0x0e, false},
};

#define HDR_LEN 10

enum {
	OP_RD,
	OP_WR,
	OP_RAM,
	OP_CMD,
	OP_WIRE,
	OP_IRQ,
	OP_TIMER,
	OP_PCI,
	OP_POKE,
	OP_NOISE,
	OP_STEP,
	OP_TIME,
	OP_FLAGS,
	OP_RFD,
	OP_ACK,
	OP_RAM32,
	OP_REPEAT,
	N_OPS
};

static const unsigned int widths[4] = {1, 2, 4, 3};

static void fz_reset(const uint8_t *h)
{
	const struct chip *c =
		&chips[h[0] % (sizeof(chips) / sizeof(chips[0]))];
	bool verbose = F.verbose;

	memset(&F, 0, sizeof(F));
	F.verbose = verbose;
	F.dflags = h[1];
	F.honest = !(F.dflags & (DF_DEAD | DF_CMD_STUCK));
	F.iova_base = (F.dflags & DF_HIGH_IOVA) ? IOVA_HIGH : IOVA_LOW;
	F.fail_at = h[3] & 3u;
	F.race = (h[3] & 4) != 0;
	F.race_seed = 12345u + h[3];
	F.dump_value = 0x01010101u * (uint32_t)(h[3] >> 4);
	for (unsigned int i = 0; i < 3; i++)
		F.mac_words[i] = (uint16_t)(h[4 + 2 * i] | h[5 + 2 * i] << 8);
	if (F.dflags & DF_EE_ABSENT)
		memset(F.mac_words, 0xff, sizeof(F.mac_words));
	F.now = 1000000;
	F.ee.dout = true;
	/* Effective revision and per-source masks as the 8255x manual has
	 * them: ICH parts are 82559s, revision 0/0xff is an 82557. */
	F.chip = c->ich ? 8 : (c->rev == 0 || c->rev == 0xff) ? 1 : c->rev;
	F.ext_masks = F.chip >= 4;
	F.cfg[0] = 0x86;
	F.cfg[1] = 0x80;
	F.cfg[2] = (uint8_t)c->device;
	F.cfg[3] = (uint8_t)(c->device >> 8);
	F.cfg[4] = 0x07;
	F.cfg[8] = c->rev;
	F.r[R_INTR] = INTR_M;
}

static void op_access(struct pp_dev *dev, struct rd *r, bool write)
{
	uint8_t a = u8(r);
	uint32_t off = u8(r), v = 0;

	if (a & 0x80)
		off |= (uint32_t)u8(r) << 8;
	if (write)
		v = u32(r);
	(void)pp_dev_access(dev, a & 1u, off, widths[(a >> 1) & 3u], write, &v);
}

static void op_wire(struct pp_dev *dev, struct rd *r)
{
	static uint8_t frame[4096];
	size_t len = u16(r) % 2200u, take;
	uint8_t f = u8(r);
	uint16_t st = 0, cnt = 0;

	if (f & 1) {
		st = u16(r);
		cnt = u16(r);
		F.honest = false;
	}
	take = u8(r);
	for (size_t i = 0; i < take; i++)
		frame[i] = u8(r);
	for (size_t i = take; i < len; i++)
		frame[i] = (uint8_t)(i * 7u + f);
	ru_fill(frame, len, (f & 1) != 0, st, cnt);
	if (!(F.dflags & DF_NO_AUTOIRQ))
		service(dev, true);
}

static void op_timer(struct pp_dev *dev, uint8_t b)
{
	switch (b & 3u) {
	case 0:
		if (F.deadline == 0)
			return;
		if (F.now < F.deadline)
			F.now = F.deadline;
		break;
	case 1:
		F.now += 1ull << ((b >> 2) % 31u);
		if (F.deadline == 0 || F.now < F.deadline)
			return;
		break;
	case 2:
		break; /* early: the core just re-arms */
	default:
		F.now += 1ull << ((b >> 2) % 31u);
		return;
	}
	F.deadline = 0; /* one-shot: consumed */
	pp_dev_timer(dev);
}

static void op_rfd(struct pp_dev *dev, struct rd *r)
{
	struct fz_buf *rfa = NULL;
	uint8_t idx = u8(r), *p;
	uint16_t st = u16(r), cnt = u16(r);

	F.honest = false;
	/* The backend's RFA: its largest DMA buffer, 2 KiB per RFD. */
	for (unsigned int i = 0; i < F.nbufs; i++)
		if (F.bufs[i].live && F.bufs[i].len >= SLOT &&
		    (rfa == NULL || F.bufs[i].len > rfa->len))
			rfa = &F.bufs[i];
	if (rfa == NULL)
		return;
	p = rfa->cpu + (size_t)(idx % (rfa->len / SLOT)) * SLOT;
	for (unsigned int i = 0; i < 64; i++)
		p[16 + i] = (uint8_t)(idx + i);
	put16(p + 12, cnt);
	put16(p, st);
	F.r[R_STATACK] |= ST_FR;
	if (!(F.dflags & DF_NO_AUTOIRQ))
		service(dev, true);
}

/* Execute the operation at r (op byte and arguments). */
static void exec_op(struct pp_dev *dev, struct rd *r)
{
	uint8_t op = u8(r) % N_OPS;

	F.now += OP_NS;
	switch (op) {
	case OP_RD:
		op_access(dev, r, false);
		break;
	case OP_WR:
		op_access(dev, r, true);
		break;
	case OP_RAM: {
		uint32_t off = u16(r);
		size_t n = u8(r);

		for (size_t i = 0; i < n; i++) {
			uint8_t b = u8(r);

			if (off + i < GRAM_SIZE)
				F.ram[off + i] = b;
		}
		break;
	}
	case OP_CMD: {
		uint8_t f = u8(r);
		uint32_t gp = (f & 1) ? (uint32_t)(GRAM_BASE + u16(r)) : u32(r);
		uint32_t cmd = u8(r);

		(void)pp_dev_access(dev, (f >> 1) & 1u, R_GP, 4, true, &gp);
		(void)pp_dev_access(dev, (f >> 1) & 1u, R_CMD, 1, true, &cmd);
		break;
	}
	case OP_WIRE:
		op_wire(dev, r);
		break;
	case OP_IRQ: {
		uint8_t bits = u8(r);

		if (bits & (ST_SWI | ST_ER))
			F.honest = false; /* never asked for */
		F.r[R_STATACK] |= bits;
		service(dev, true);
		break;
	}
	case OP_TIMER:
		op_timer(dev, u8(r));
		break;
	case OP_PCI:
		pp_dev_pci_command(dev, u16(r));
		break;
	case OP_POKE: {
		uint8_t off = u8(r) % R_SIZE;

		F.r[off] = u8(r);
		F.honest = false;
		break;
	}
	case OP_NOISE: {
		unsigned int n = u8(r) % (sizeof(F.noise) + 1);

		for (unsigned int i = 0; i < n; i++)
			F.noise[i] = u8(r);
		F.noise_n = n;
		F.noise_pos = 0;
		F.honest = false;
		break;
	}
	case OP_STEP: {
		unsigned int n = u8(r) % 65u;
		uint16_t st = u16(r);

		cu_run(n, st == 0 ? (uint16_t)(CB_C | CB_OK)
				  : (uint16_t)(CB_C | st));
		break;
	}
	case OP_TIME:
		F.now += 1ull << (u8(r) % 31u);
		break;
	case OP_FLAGS: {
		uint8_t b = u8(r);

		/* The iova range is fixed once buffers exist. */
		F.dflags ^= (uint8_t)(b & ~DF_HIGH_IOVA);
		if (F.dflags & (DF_DEAD | DF_CMD_STUCK))
			F.honest = false;
		break;
	}
	case OP_RFD:
		op_rfd(dev, r);
		break;
	case OP_ACK: {
		uint32_t v = 0xff;

		(void)pp_dev_access(dev, 0, R_STATACK, 1, true, &v);
		break;
	}
	case OP_RAM32: {
		uint32_t off = u16(r), v = u32(r);

		if (off + 4 <= GRAM_SIZE)
			put32(F.ram + off, v);
		break;
	}
	default: /* OP_REPEAT: handled by run_ops() */
		break;
	}
}

static void run_ops(struct pp_dev *dev, struct rd *r)
{
	struct rd prev = {NULL, 0};
	unsigned int done = 0;

	while (done < MAX_OPS && r->n > 0) {
		unsigned int times = 1;
		struct rd cur = *r, one;

		if (*r->p % N_OPS == OP_REPEAT) {
			(void)u8(r);
			times = 1 + u8(r) % 64u;
			if (prev.p == NULL)
				continue;
			cur = prev;
		} else {
			exec_op(dev, r);
			prev.p = cur.p;
			prev.n = cur.n - r->n;
			times = 0;
			done++;
			if (!(F.dflags & DF_NO_AUTOIRQ))
				service(dev, false);
			check_guest_line(dev);
		}
		for (; times > 0 && done < MAX_OPS; times--, done++) {
			one = cur;
			exec_op(dev, &one);
			if (!(F.dflags & DF_NO_AUTOIRQ))
				service(dev, false);
			check_guest_line(dev);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	F.verbose = getenv("FUZZ_E100_LOG") != NULL;
	/* Only allocated buffers are ever unpoisoned, and every buffer is
	 * poisoned again when freed (all are, by the end of each input). */
	ASAN_POISON_MEMORY_REGION(arena, sizeof(arena));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h[HDR_LEN] = {0};
	struct rd r = {data, size};
	struct pp_dev_params prm;
	struct pp_dev *dev = NULL;
	struct pp_dev_stats st;
	uint8_t mac[6];
	int ret;

	for (unsigned int i = 0; i < HDR_LEN; i++)
		h[i] = u8(&r);
	fz_reset(h);

	memset(&prm, 0, sizeof(prm));
	prm.name = "fuzz-e100";
	prm.pci.vendor = 0x8086;
	prm.pci.device = (uint16_t)(F.cfg[2] | F.cfg[3] << 8);
	prm.pci.revision = F.cfg[8];
	prm.plat = &fz_plat;
	prm.plat_opaque = &F;
	prm.n_pkts = 2u + (h[2] & 31u);
	prm.queue_len = 1u + 3u * (h[2] >> 5);
	prm.log_level = (h[3] & 8) ? PP_LOG_DEBUG : PP_LOG_INFO;

	ret = pp_dev_create(&prm, &dev);
	if (ret == 0) {
		FZ_CHECK(pp_dev_trap_bars(dev) == 3u, "trap_bars 0x%x",
			 pp_dev_trap_bars(dev));
		run_ops(dev, &r);
		pp_dev_get_stats(dev, &st);
		(void)pp_dev_get_mac(dev, mac);
		if (F.verbose)
			fprintf(stderr,
				"fuzz_e100: guest tx %llu wire tx %llu wire rx "
				"%llu guest rx %llu qdrop %llu faults %llu "
				"guest errors %llu dev errors %llu\n",
				(unsigned long long)st.guest_tx_frames,
				(unsigned long long)st.wire_tx_frames,
				(unsigned long long)st.wire_rx_frames,
				(unsigned long long)st.guest_rx_frames,
				(unsigned long long)st.queue_drops,
				(unsigned long long)st.guest_faults,
				(unsigned long long)st.guest_errors,
				(unsigned long long)st.dev_errors);
		pp_dev_destroy(dev);
	} else {
		if (F.verbose)
			fprintf(stderr, "fuzz_e100: pp_dev_create: %d\n", ret);
		FZ_CHECK(dev == NULL, "failed create left a device");
	}
	FZ_CHECK(F.live == 0, "%u DMA buffers live after %s", F.live,
		 ret == 0 ? "pp_dev_destroy()" : "a failed pp_dev_create()");
	FZ_CHECK(!F.irq, "guest line left high after %s",
		 ret == 0 ? "destroy" : "a failed create");
	FZ_CHECK(F.deadline == 0, "timer left armed (%llu) after %s",
		 (unsigned long long)F.deadline,
		 ret == 0 ? "destroy" : "a failed create");
	return 0;
}

#ifdef FUZZ_SEEDGEN
/* ---------------------------------------------------------------------- */
/* Seed corpus writer                                                     */
/* ---------------------------------------------------------------------- */

struct sb {
	uint8_t b[4096];
	size_t n;
};

static void sb_u8(struct sb *s, uint8_t v)
{
	if (s->n >= sizeof(s->b)) {
		fprintf(stderr, "seed too long\n");
		exit(1);
	}
	s->b[s->n++] = v;
}

static void sb_u16(struct sb *s, uint16_t v)
{
	sb_u8(s, (uint8_t)v);
	sb_u8(s, (uint8_t)(v >> 8));
}

static void sb_u32(struct sb *s, uint32_t v)
{
	sb_u16(s, (uint16_t)v);
	sb_u16(s, (uint16_t)(v >> 16));
}

static void sb_hdr(struct sb *s, uint8_t chip, uint8_t dflags, uint8_t misc)
{
	static const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};

	s->n = 0;
	sb_u8(s, chip);
	sb_u8(s, dflags);
	sb_u8(s, 0x7e); /* 32 packets, queues of 10 */
	sb_u8(s, misc);
	for (unsigned int i = 0; i < 6; i++)
		sb_u8(s, mac[i]);
}

static void sb_ram(struct sb *s, uint16_t off, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t k = n > 255 ? 255 : n;

		sb_u8(s, OP_RAM);
		sb_u16(s, off);
		sb_u8(s, (uint8_t)k);
		for (size_t i = 0; i < k; i++)
			sb_u8(s, p[i]);
		off = (uint16_t)(off + k);
		p += k;
		n -= k;
	}
}

/* GP = guest RAM offset @off, then SCB command @cmd. */
static void sb_cmd(struct sb *s, uint16_t off, uint8_t cmd)
{
	sb_u8(s, OP_CMD);
	sb_u8(s, 1);
	sb_u16(s, off);
	sb_u8(s, cmd);
}

static void sb_wr(struct sb *s, uint8_t off, unsigned int w, uint32_t v)
{
	sb_u8(s, OP_WR);
	sb_u8(s, (uint8_t)((w == 1 ? 0 : w == 2 ? 1 : 2) << 1));
	sb_u8(s, off);
	sb_u32(s, v);
}

static void sb_rd(struct sb *s, uint8_t off, unsigned int w)
{
	sb_u8(s, OP_RD);
	sb_u8(s, (uint8_t)((w == 1 ? 0 : w == 2 ? 1 : 2) << 1));
	sb_u8(s, off);
}

static void sb_op(struct sb *s, uint8_t op, uint8_t arg)
{
	sb_u8(s, op);
	sb_u8(s, arg);
}

static void sb_wire(struct sb *s, const uint8_t *dst, uint16_t len)
{
	sb_u8(s, OP_WIRE);
	sb_u16(s, len);
	sb_u8(s, 0);
	sb_u8(s, 14);
	for (unsigned int i = 0; i < 6; i++)
		sb_u8(s, dst[i]);
	for (unsigned int i = 0; i < 6; i++)
		sb_u8(s, (uint8_t)(0x10 + i));
	sb_u8(s, 0x08);
	sb_u8(s, 0x00); /* IPv4; the rest is the pattern */
}

/* CB builders: a CB in a local image, written with one RAM op. */
static size_t cb_hdr(uint8_t *p, uint16_t cmd, uint16_t link)
{
	memset(p, 0, 8);
	put16(p + 2, cmd);
	put32(p + 4, (uint32_t)(GRAM_BASE + link));
	return 8;
}

static void tcb_simple(struct sb *s, uint16_t at, uint16_t cmd, uint16_t link,
		       uint16_t len)
{
	uint8_t p[16 + 255];
	size_t n = cb_hdr(p, (uint16_t)(cmd | 4u), link);

	put32(p + 8, 0xffffffffu);
	put16(p + 12, (uint16_t)(len | 0x8000u));
	p[14] = 0xe0;
	p[15] = 0;
	n = 16;
	for (uint16_t i = 0; i < len && n < sizeof(p); i++)
		p[n++] = i < 6 ? 0xff : (uint8_t)i;
	sb_ram(s, at, p, n);
}

static void rfd(struct sb *s, uint16_t at, uint16_t cmd, uint16_t link,
		uint16_t size)
{
	uint8_t p[16];

	cb_hdr(p, cmd, link);
	put32(p + 8, 0xffffffffu);
	put16(p + 12, 0);
	put16(p + 14, size);
	sb_ram(s, at, p, sizeof(p));
}

static void write_seed(const char *dir, const char *name, const struct sb *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ia[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};

static void seed_config(struct sb *s, uint16_t at, uint16_t cmd, uint16_t link,
			const uint8_t *cfg, size_t n)
{
	uint8_t p[8 + 32];

	cb_hdr(p, (uint16_t)(cmd | 2u), link);
	memcpy(p + 8, cfg, n);
	sb_ram(s, at, p, 8 + n);
}

int main(int argc, char **argv)
{
	static const uint8_t cfg_std[22] = {
		0x16, 0x08, 0x00, 0x00, 0x00, 0x00, 0x32, 0x03,
		0x01, 0x00, 0x2e, 0x00, 0x60, 0x00, 0xf2, 0x48,
		0x00, 0x40, 0xfa, 0x80, 0x3f, 0x05,
	};
	struct sb s;
	uint8_t cfg[32];

	if (argc != 2) {
		fprintf(stderr, "usage: %s <dir>\n", argv[0]);
		return 2;
	}

	/* 1. One simplified TCB (EL|I), CU start, ack, timers. */
	sb_hdr(&s, 0, 0, 0);
	tcb_simple(&s, 0x100, CB_EL | CB_I, 0, 60);
	sb_cmd(&s, 0x100, 0x10);
	sb_rd(&s, 0x01, 1);
	sb_u8(&s, OP_ACK);
	sb_op(&s, OP_TIMER, 0);
	sb_op(&s, OP_TIMER, 0);
	write_seed(argv[1], "tx-simple", &s);

	/* 2. Linux style: a ring of TCBs with S, resume after clearing S. */
	sb_hdr(&s, 4, 0, 0);
	tcb_simple(&s, 0x100, CB_S, 0x200, 42);
	tcb_simple(&s, 0x200, CB_S, 0x300, 100);
	tcb_simple(&s, 0x300, CB_S, 0x100, 64);
	sb_cmd(&s, 0x100, 0x10);
	sb_u8(&s, OP_ACK);
	sb_ram(&s, 0x102, (const uint8_t *)"\x04\x00", 2); /* clear S */
	sb_cmd(&s, 0, 0x20);
	sb_ram(&s, 0x202, (const uint8_t *)"\x04\x00", 2);
	sb_cmd(&s, 0, 0x20);
	sb_op(&s, OP_TIMER, 0);
	write_seed(argv[1], "tx-ring-resume", &s);

	/* 3. Flexible TCB: 8 immediate bytes, two TBDs. */
	sb_hdr(&s, 0, 0, 0);
	{
		uint8_t p[24], tbd[16], buf[64];

		cb_hdr(p, CB_EL | CB_SF | 4u, 0);
		put32(p + 8, (uint32_t)(GRAM_BASE + 0x400));
		put16(p + 12, 8 | 0x8000u);
		p[14] = 0xe0;
		p[15] = 2;
		memcpy(p + 16, bcast, 6);
		p[22] = 0x02;
		p[23] = 0x00;
		sb_ram(&s, 0x100, p, sizeof(p));
		put32(tbd, (uint32_t)(GRAM_BASE + 0x800));
		put32(tbd + 4, 30);
		put32(tbd + 8, (uint32_t)(GRAM_BASE + 0x900));
		put32(tbd + 12, 40 | 0x8000u);
		sb_ram(&s, 0x400, tbd, sizeof(tbd));
		for (unsigned int i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(i * 3);
		sb_ram(&s, 0x800, buf, 30);
		sb_ram(&s, 0x900, buf, 40);
	}
	sb_cmd(&s, 0x100, 0x10);
	sb_u8(&s, OP_ACK);
	write_seed(argv[1], "tx-flexible", &s);

	/* 4. Control chain: configure, IA, multicast, diagnose, NOP EL;
	 *    then dump address and dump-and-reset. */
	sb_hdr(&s, 4, 0, 0x30);
	seed_config(&s, 0x100, 0, 0x140, cfg_std, sizeof(cfg_std));
	{
		uint8_t p[8 + 6 + 2 + 12];

		cb_hdr(p, 1, 0x180);
		memcpy(p + 8, ia, 6);
		sb_ram(&s, 0x140, p, 14);
		cb_hdr(p, 3, 0x1c0);
		put16(p + 8, 12);
		memcpy(p + 10,
		       "\x01\x00\x5e\x00\x00\x01\x33\x33\x00\x00\x00\x01", 12);
		sb_ram(&s, 0x180, p, 22);
		cb_hdr(p, 7, 0x200);
		sb_ram(&s, 0x1c0, p, 8);
		cb_hdr(p, CB_EL | CB_I, 0);
		sb_ram(&s, 0x200, p, 8);
	}
	sb_cmd(&s, 0x100, 0x10);
	sb_u8(&s, OP_ACK);
	sb_cmd(&s, 0x3000, 0x40);
	sb_cmd(&s, 0, 0x70);
	sb_cmd(&s, 0, 0x50);
	write_seed(argv[1], "ctl-chain-dump", &s);

	/* 5. Receive: two RFDs, RU start, a unicast and a broadcast frame. */
	sb_hdr(&s, 0, 0, 0);
	rfd(&s, 0x1000, 0, 0x1800, 1518);
	rfd(&s, 0x1800, CB_EL, 0x1000, 1518);
	sb_cmd(&s, 0x1000, 0x01);
	sb_wire(&s, ia, 64);
	sb_wire(&s, bcast, 100);
	sb_rd(&s, 0x00, 1);
	sb_u8(&s, OP_ACK);
	sb_cmd(&s, 0x1000, 0x01);
	sb_wire(&s, ia, 1600);
	write_seed(argv[1], "rx-two-rfds", &s);

	/* 6. 82559: configure with CRC transfer and RX checksum, then RX. */
	sb_hdr(&s, 4, 0, 0);
	memcpy(cfg, cfg_std, sizeof(cfg_std));
	cfg[9] |= 0x01;
	cfg[18] |= 0x04;
	cfg[15] |= 0x02;
	seed_config(&s, 0x100, CB_EL, 0, cfg, 22);
	sb_cmd(&s, 0x100, 0x10);
	rfd(&s, 0x1000, CB_S, 0x1000, 100);
	sb_cmd(&s, 0x1000, 0x01);
	sb_wire(&s, ia, 80);
	sb_wire(&s, bcast, 80);
	sb_cmd(&s, 0, 0x02);
	sb_wire(&s, ia, 300);
	write_seed(argv[1], "rx-crc-csum", &s);

	/* 7. 82550: extended TCB and extended RFD. */
	sb_hdr(&s, 5, 0, 0);
	memcpy(cfg, cfg_std, sizeof(cfg_std));
	memset(cfg + 22, 0, 10);
	cfg[0] = 0x20;
	cfg[6] &= (uint8_t)~0x10;
	cfg[7] |= 0x20 | 0x80;
	seed_config(&s, 0x100, 0, 0x180, cfg, 32);
	{
		uint8_t p[32];

		cb_hdr(p, CB_EL | 4u, 0);
		put32(p + 8, (uint32_t)(GRAM_BASE + 0x400));
		put16(p + 12, 0);
		p[14] = 0xe0;
		p[15] = 0xff;
		put32(p + 16, (uint32_t)(GRAM_BASE + 0x800));
		put32(p + 20, 60);
		put32(p + 24, (uint32_t)(GRAM_BASE + 0x900));
		put32(p + 28, 20 | 0x8000u);
		sb_ram(&s, 0x180, p, sizeof(p));
	}
	sb_cmd(&s, 0x100, 0x10);
	rfd(&s, 0x1000, CB_EL, 0, 200);
	sb_cmd(&s, 0x1000, 0x01);
	sb_wire(&s, ia, 70);
	write_seed(argv[1], "ext-tcb-rfd", &s);

	/* 8. PORT self-test, selective and software reset, MDI with IE,
	 *    EEPROM pass-through, masks and SI. */
	sb_hdr(&s, 2, 0, 0);
	sb_wr(&s, 0x08, 4, (uint32_t)(GRAM_BASE + 0x2000) | 1u);
	sb_wr(&s, 0x08, 4, 2);
	sb_wr(&s, 0x08, 4, 0);
	sb_wr(&s, 0x10, 4, 0x28000000u | 1u << 21);
	sb_op(&s, OP_TIMER, 0);
	sb_rd(&s, 0x10, 4);
	sb_wr(&s, 0x0e, 2, 0x02);
	sb_rd(&s, 0x0e, 2);
	sb_wr(&s, 0x03, 1, 0x02);
	sb_wr(&s, 0x03, 1, 0xf0);
	sb_u8(&s, OP_ACK);
	sb_wr(&s, 0x03, 1, 0x00);
	write_seed(argv[1], "port-mdi-masks", &s);

	/* 9. A slow device: CBs complete on OP_STEP only; timers run. */
	sb_hdr(&s, 0, DF_MANUAL_CU, 0);
	seed_config(&s, 0x100, 0, 0x140, cfg_std, sizeof(cfg_std));
	tcb_simple(&s, 0x140, CB_EL, 0, 60);
	sb_cmd(&s, 0x100, 0x10);
	sb_op(&s, OP_TIMER, 0);
	sb_u8(&s, OP_STEP);
	sb_u8(&s, 8);
	sb_u16(&s, 0);
	sb_op(&s, OP_IRQ, ST_CNA);
	sb_op(&s, OP_TIMER, 0);
	sb_op(&s, OP_TIME, 29);
	sb_op(&s, OP_TIMER, 0);
	sb_op(&s, OP_TIMER, 0);
	write_seed(argv[1], "slow-device", &s);

	/* 10. A hostile device: noise on reads, pokes, raw RFDs. */
	sb_hdr(&s, 0, 0, 0);
	sb_u8(&s, OP_NOISE);
	sb_u8(&s, 8);
	sb_u32(&s, 0xffffff00u);
	sb_u32(&s, 0x00ff10ffu);
	sb_op(&s, OP_IRQ, ST_RNR | ST_FR);
	sb_u8(&s, OP_RFD);
	sb_u8(&s, 0);
	sb_u16(&s, 0xa000);
	sb_u16(&s, 0xffff);
	sb_u8(&s, OP_POKE);
	sb_u8(&s, 0x02);
	sb_u8(&s, 0x10);
	sb_op(&s, OP_TIMER, 0);
	write_seed(argv[1], "hostile-device", &s);

	/* 11. A loop CBL and a PCI bus-master toggle. */
	sb_hdr(&s, 0, 0, 0);
	tcb_simple(&s, 0x100, 0, 0x200, 60);
	tcb_simple(&s, 0x200, 0, 0x100, 60);
	sb_u8(&s, OP_PCI);
	sb_u16(&s, 0x0003);
	sb_cmd(&s, 0x100, 0x10);
	sb_u8(&s, OP_PCI);
	sb_u16(&s, 0x0007);
	sb_op(&s, OP_TIMER, 0);
	write_seed(argv[1], "loop-bme", &s);

	/* 12. A slow device and a guest that keeps resuming a two-TCB loop:
	 *     the backend's CBL and the core's queue fill up, the held frame
	 *     is dropped after 20 ms, then the device catches up. */
	sb_hdr(&s, 0, DF_MANUAL_CU, 0);
	tcb_simple(&s, 0x100, 0, 0x200, 60);
	tcb_simple(&s, 0x200, 0, 0x100, 60);
	sb_cmd(&s, 0x100, 0x10);
	sb_cmd(&s, 0, 0x20);
	sb_op(&s, OP_REPEAT, 63);
	sb_op(&s, OP_TIME, 21);
	sb_op(&s, OP_TIMER, 0);
	sb_op(&s, OP_TIME, 25);
	sb_op(&s, OP_TIMER, 0);
	sb_u8(&s, OP_STEP);
	sb_u8(&s, 64);
	sb_u16(&s, 0);
	sb_op(&s, OP_IRQ, ST_CNA);
	sb_op(&s, OP_TIMER, 0);
	write_seed(argv[1], "burst-tx-slow", &s);

	/* 13. 140 frames from the wire without interrupt delivery: the
	 *     backend's receive area runs full (EL), then RNR recovery. */
	sb_hdr(&s, 0, DF_NO_AUTOIRQ, 0);
	rfd(&s, 0x1000, 0, 0x1800, 1518);
	rfd(&s, 0x1800, 0, 0x1000, 1518);
	sb_cmd(&s, 0x1000, 0x01);
	sb_wire(&s, ia, 60);
	sb_op(&s, OP_REPEAT, 63);
	sb_op(&s, OP_REPEAT, 63);
	sb_op(&s, OP_REPEAT, 10);
	sb_op(&s, OP_IRQ, 0);
	sb_op(&s, OP_TIMER, 0);
	sb_wire(&s, bcast, 60);
	sb_op(&s, OP_IRQ, 0);
	write_seed(argv[1], "burst-rx-overrun", &s);

	/* 14. Structures at the edges: control CBs and an RFD whose header
	 *     is the last guest RAM, a dump address just below 4 GiB. */
	sb_hdr(&s, 0, 0, 0);
	{
		static const uint8_t ops[] = {1, 2, 3, 4};

		for (unsigned int i = 0; i < sizeof(ops); i++) {
			uint8_t p[8];

			cb_hdr(p, (uint16_t)(CB_EL | ops[i]), 0);
			sb_ram(&s, 0xfff8, p, sizeof(p));
			sb_cmd(&s, 0xfff8, 0x10);
		}
	}
	rfd(&s, 0xfff0, CB_EL, 0, 200);
	sb_cmd(&s, 0xfff0, 0x01);
	sb_wire(&s, ia, 60);
	sb_u8(&s, OP_CMD);
	sb_u8(&s, 0);
	sb_u32(&s, 0xfffffff0u);
	sb_u8(&s, 0x40);
	sb_cmd(&s, 0, 0x50);
	write_seed(argv[1], "ram-edges", &s);

	/* 15. Two packet buffers, both held toward a guest whose RU is not
	 *     started: the guest's transmit is held, retried, dropped. */
	sb_hdr(&s, 0, 0, 0);
	s.b[2] = 0x20; /* n_pkts 2, queue_len 4 */
	rfd(&s, 0x1000, CB_EL, 0, 1518);
	sb_cmd(&s, 0x1000, 0x01);
	sb_cmd(&s, 0, 0x04); /* RU abort: frames stay in the core */
	sb_wire(&s, ia, 60);
	sb_wire(&s, ia, 60);
	tcb_simple(&s, 0x100, CB_EL, 0, 60);
	sb_cmd(&s, 0x100, 0x10);
	sb_op(&s, OP_TIME, 20);
	sb_op(&s, OP_TIMER, 0);
	sb_op(&s, OP_TIME, 25);
	sb_op(&s, OP_TIMER, 0);
	sb_cmd(&s, 0x1000, 0x01);
	write_seed(argv[1], "pool-starved", &s);

	printf("wrote 15 seeds to %s\n", argv[1]);
	return 0;
}
#endif
