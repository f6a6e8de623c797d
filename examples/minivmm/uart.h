/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: an 8250/16550A UART model (register level), enough for Linux's
 * 8250 driver to detect a 16550A and for its serial console and tty.
 *
 * Transmit is immediate: a byte written to THR goes to ->tx and THR is
 * empty again at once (LSR.THRE|TEMT always set), so a THRE interrupt is
 * pending after every write. The write itself first clears the pending
 * THRE (data sheet), so when THRE was the only source the output drops
 * and rises again: every byte is a fresh edge, and a THRE edge that an
 * edge-triggered pin missed (e.g. while masked) is re-sent by the next
 * write instead of leaving the line high for good. Receive has a 64-byte FIFO fed by
 * mv_uart_rx_push(). The interrupt output (->irq, level) is the 16550's
 * INTR gated by MCR.OUT2, as on a PC; the caller connects it to an
 * edge-triggered ISA IRQ (4 for ttyS0), so every 0->1 is one interrupt.
 *
 * The model has no lock: the caller serialises all calls.
 */
#ifndef MINIVMM_UART_H
#define MINIVMM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register offsets (DLAB = LCR bit 7 selects DLL/DLM at 0/1). */
#define UART_RBR 0 /* read, DLAB 0 */
#define UART_THR 0 /* write, DLAB 0 */
#define UART_DLL 0 /* DLAB 1 */
#define UART_IER 1 /* DLAB 0 */
#define UART_DLM 1 /* DLAB 1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI  0x01 /* received data available */
#define UART_IER_THRI 0x02 /* THR empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI  0x08 /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_FIFO	0xc0 /* FIFOs enabled (16550A) */

#define UART_FCR_ENABLE	    0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_FCR_CLEAR_XMIT 0x04

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80

#define MV_UART_FIFO 64u

struct mv_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool fifo_on;
	bool thre_pending; /* THRE interrupt pending (until IIR read) */
	uint8_t lsr_err;   /* OE; cleared by reading LSR */
	uint8_t msr_in;	   /* modem inputs (CTS/DSR/RI/DCD) */
	uint8_t msr_delta; /* DCTS/DDSR/TERI/DDCD; cleared by MSR read */
	uint8_t rx[MV_UART_FIFO];
	unsigned int rx_head, rx_count;
	bool line; /* last level given to ->irq */
	void (*tx)(void *opaque, uint8_t c);
	void (*irq)(void *opaque, bool level);
	void *opaque;
};

void mv_uart_init(struct mv_uart *u, void (*tx)(void *, uint8_t),
		  void (*irq)(void *, bool), void *opaque);
/* A guest access to register @off (0..7), one byte. */
uint8_t mv_uart_read(struct mv_uart *u, unsigned int off);
void mv_uart_write(struct mv_uart *u, unsigned int off, uint8_t val);
/* Host input: bytes that fit in the receive FIFO; returns how many. */
size_t mv_uart_rx_push(struct mv_uart *u, const uint8_t *buf, size_t n);
/* Free room in the receive FIFO. */
unsigned int mv_uart_rx_space(const struct mv_uart *u);

#endif /* MINIVMM_UART_H */
