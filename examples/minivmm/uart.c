// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: 16550A UART model (see uart.h). Register semantics from the
 * National Semiconductor PC16550D data sheet: interrupt priorities
 * (line status > received data > THR empty > modem status), THRE cleared
 * by reading IIR when it is the reported source or by writing THR, MCR
 * loopback feeding MSR, OUT2 gating the interrupt output.
 */
#include <string.h>

#include "uart.h"

void mv_uart_init(struct mv_uart *u, void (*tx)(void *, uint8_t),
		  void (*irq)(void *, bool), void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->irq = irq;
	u->opaque = opaque;
	/* A terminal is "connected": CTS, DSR, DCD asserted. */
	u->msr_in = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	u->dll = 0x0c; /* 9600 baud, as after a BIOS */
}

unsigned int mv_uart_rx_space(const struct mv_uart *u)
{
	return MV_UART_FIFO - u->rx_count;
}

/* Highest-priority pending interrupt, as IIR bits 3:0. */
static uint8_t uart_iir(const struct mv_uart *u)
{
	if ((u->ier & UART_IER_RLSI) && u->lsr_err != 0)
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count > 0)
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && u->msr_delta != 0)
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/* Recompute the interrupt output from state after every change. */
static void uart_update_irq(struct mv_uart *u)
{
	bool level = !(uart_iir(u) & UART_IIR_NO_INT) &&
		     (u->mcr & UART_MCR_OUT2) && !(u->mcr & UART_MCR_LOOP);

	if (level != u->line) {
		u->line = level;
		if (u->irq != NULL)
			u->irq(u->opaque, level);
	}
}

static void rx_put(struct mv_uart *u, uint8_t c)
{
	if (u->rx_count == MV_UART_FIFO) {
		u->lsr_err |= UART_LSR_OE;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % MV_UART_FIFO] = c;
	u->rx_count++;
}

/* Modem inputs: fixed, or looped back from MCR in loopback mode. */
static void uart_update_msr(struct mv_uart *u)
{
	uint8_t in, chg;

	if (u->mcr & UART_MCR_LOOP) {
		in = 0;
		if (u->mcr & UART_MCR_RTS)
			in |= UART_MSR_CTS;
		if (u->mcr & UART_MCR_DTR)
			in |= UART_MSR_DSR;
		if (u->mcr & UART_MCR_OUT1)
			in |= UART_MSR_RI;
		if (u->mcr & UART_MCR_OUT2)
			in |= UART_MSR_DCD;
	} else {
		in = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	}
	chg = in ^ u->msr_in;
	if (chg & UART_MSR_CTS)
		u->msr_delta |= UART_MSR_DCTS;
	if (chg & UART_MSR_DSR)
		u->msr_delta |= UART_MSR_DDSR;
	if ((chg & UART_MSR_RI) && !(in & UART_MSR_RI))
		u->msr_delta |= UART_MSR_TERI; /* trailing edge only */
	if (chg & UART_MSR_DCD)
		u->msr_delta |= UART_MSR_DDCD;
	u->msr_in = in;
}

uint8_t mv_uart_read(struct mv_uart *u, unsigned int off)
{
	uint8_t v = 0xff;

	switch (off) {
	case UART_RBR:
		if (u->lcr & UART_LCR_DLAB) {
			v = u->dll;
		} else if (u->rx_count > 0) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % MV_UART_FIFO;
			u->rx_count--;
		} else {
			v = 0;
		}
		break;
	case UART_IER:
		v = (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
		break;
	case UART_IIR:
		v = uart_iir(u);
		if (v == UART_IIR_THRI)
			u->thre_pending = false;
		if (u->fifo_on)
			v |= UART_IIR_FIFO;
		break;
	case UART_LCR:
		v = u->lcr;
		break;
	case UART_MCR:
		v = u->mcr;
		break;
	case UART_LSR:
		v = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_err;
		if (u->rx_count > 0)
			v |= UART_LSR_DR;
		u->lsr_err = 0;
		break;
	case UART_MSR:
		v = u->msr_in | u->msr_delta;
		u->msr_delta = 0;
		break;
	case UART_SCR:
		v = u->scr;
		break;
	default:
		break;
	}
	uart_update_irq(u);
	return v;
}

void mv_uart_write(struct mv_uart *u, unsigned int off, uint8_t val)
{
	uint8_t old;

	switch (off) {
	case UART_THR:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = val;
			break;
		}
		/* Writing THR clears a pending THRE interrupt; INTR drops
		 * if THRE was its only source. */
		u->thre_pending = false;
		uart_update_irq(u);
		if (u->mcr & UART_MCR_LOOP)
			rx_put(u, val);
		else if (u->tx != NULL)
			u->tx(u->opaque, val);
		/* Sent at once: THR is empty again, THRE pending again, so an
		 * edge-triggered IRQ sees a fresh 0->1 for every byte, as on
		 * a real 16550 once THR moves into the shift register. */
		u->thre_pending = true;
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = val;
			break;
		}
		old = u->ier;
		u->ier = val & 0x0f;
		/* Enabling ETBEI with THR empty raises THRE at once. */
		if ((u->ier & UART_IER_THRI) && !(old & UART_IER_THRI))
			u->thre_pending = true;
		break;
	case UART_FCR:
		if ((val & UART_FCR_ENABLE) != u->fifo_on) {
			/* Switching FIFO mode resets the FIFOs. */
			u->rx_count = 0;
			u->rx_head = 0;
		}
		u->fifo_on = (val & UART_FCR_ENABLE) != 0;
		if (val & UART_FCR_CLEAR_RCVR) {
			u->rx_count = 0;
			u->rx_head = 0;
		}
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		uart_update_msr(u);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default: /* LSR, MSR: read-only (factory test writes ignored) */
		break;
	}
	uart_update_irq(u);
}

size_t mv_uart_rx_push(struct mv_uart *u, const uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n && u->rx_count < MV_UART_FIFO; i++)
		rx_put(u, buf[i]);
	uart_update_irq(u);
	return i;
}
