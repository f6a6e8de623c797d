// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: the 16550A model, including the probes Linux's 8250 driver
 * runs (scratch/IER test, loopback test, FIFO detection, the THRE
 * re-assertion and TX-enable tests at startup).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "uart.h"

struct sink {
	char out[256];
	size_t n;
	bool line;
	unsigned int edges; /* 0 -> 1 transitions */
	unsigned int calls;
};

static void tx(void *o, uint8_t c)
{
	struct sink *s = o;

	if (s->n < sizeof(s->out) - 1)
		s->out[s->n++] = (char)c;
}

static void irq(void *o, bool level)
{
	struct sink *s = o;

	if (level && !s->line)
		s->edges++;
	s->line = level;
	s->calls++;
}

static void init(struct mv_uart *u, struct sink *s)
{
	memset(s, 0, sizeof(*s));
	mv_uart_init(u, tx, irq, s);
}

static void test_reset_state(void **state)
{
	struct mv_uart u;
	struct sink s;

	(void)state;
	init(&u, &s);
	assert_int_equal(mv_uart_read(&u, UART_LSR), 0x60);
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(mv_uart_read(&u, UART_MSR), 0xb0);
	assert_int_equal(mv_uart_read(&u, UART_IER), 0);
	assert_false(s.line);
}

static void test_scratch_and_ier_probe(void **state)
{
	struct mv_uart u;
	struct sink s;

	(void)state;
	init(&u, &s);
	mv_uart_write(&u, UART_SCR, 0xa5);
	assert_int_equal(mv_uart_read(&u, UART_SCR), 0xa5);
	/* 8250 autoconfig: IER 0 reads 0, IER 0x0f reads 0x0f, and the
	 * upper bits (UUE etc.) do not stick. */
	mv_uart_write(&u, UART_IER, 0);
	assert_int_equal(mv_uart_read(&u, UART_IER) & 0x0f, 0);
	mv_uart_write(&u, UART_IER, 0xff);
	assert_int_equal(mv_uart_read(&u, UART_IER), 0x0f);
}

static void test_dlab(void **state)
{
	struct mv_uart u;
	struct sink s;

	(void)state;
	init(&u, &s);
	mv_uart_write(&u, UART_IER, 0x05);
	mv_uart_write(&u, UART_LCR, UART_LCR_DLAB | 0x03);
	mv_uart_write(&u, UART_DLL, 0x01);
	mv_uart_write(&u, UART_DLM, 0x00);
	assert_int_equal(mv_uart_read(&u, UART_DLL), 0x01);
	assert_int_equal(mv_uart_read(&u, UART_DLM), 0x00);
	assert_int_equal(s.n, 0); /* DLL write is not a character */
	mv_uart_write(&u, UART_LCR, 0x03);
	assert_int_equal(mv_uart_read(&u, UART_IER), 0x05);
	assert_int_equal(mv_uart_read(&u, UART_LCR), 0x03);
}

static void test_fifo_detect_16550a(void **state)
{
	struct mv_uart u;
	struct sink s;

	(void)state;
	init(&u, &s);
	mv_uart_write(&u, UART_FCR, UART_FCR_ENABLE);
	assert_int_equal(mv_uart_read(&u, UART_IIR) >> 6, 3);
	/* With DLAB set (LCR 0x80 / 0xbf), offset 2 still reads IIR, which
	 * is not 0: no EFR, so not a 16650. */
	mv_uart_write(&u, UART_LCR, 0xbf);
	assert_int_not_equal(mv_uart_read(&u, UART_IIR), 0);
	mv_uart_write(&u, UART_LCR, 0);
	mv_uart_write(&u, UART_FCR, 0);
	assert_int_equal(mv_uart_read(&u, UART_IIR) >> 6, 0);
}

static void test_loopback(void **state)
{
	struct mv_uart u;
	struct sink s;

	(void)state;
	init(&u, &s);
	/* Linux's loopback test: LOOP | OUT2 | RTS -> DCD | CTS. */
	mv_uart_write(&u, UART_MCR, UART_MCR_LOOP | 0x0a);
	assert_int_equal(mv_uart_read(&u, UART_MSR) & 0xf0, 0x90);
	mv_uart_write(&u, UART_THR, 'Z');
	assert_int_equal(s.n, 0); /* not on the wire */
	assert_true(mv_uart_read(&u, UART_LSR) & UART_LSR_DR);
	assert_int_equal(mv_uart_read(&u, UART_RBR), 'Z');
	assert_false(mv_uart_read(&u, UART_LSR) & UART_LSR_DR);
	mv_uart_write(&u, UART_MCR, 0x0b);
	assert_int_equal(mv_uart_read(&u, UART_MSR) & 0xf0, 0xb0);
}

static void test_tx_and_thre_interrupt(void **state)
{
	struct mv_uart u;
	struct sink s;

	(void)state;
	init(&u, &s);
	mv_uart_write(&u, UART_THR, 'a');
	assert_int_equal(s.n, 1);
	assert_int_equal(s.out[0], 'a');
	assert_false(s.line); /* IER 0 */
	mv_uart_write(&u, UART_MCR,
		      UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
	mv_uart_write(&u, UART_IER, UART_IER_THRI);
	assert_true(s.line);
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_THRI);
	assert_false(s.line); /* reading IIR cleared THRE */
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_NO_INT);
	/* Every character written makes THR empty again: a new edge. */
	mv_uart_write(&u, UART_THR, 'b');
	assert_true(s.line);
	assert_int_equal(s.edges, 2);
	mv_uart_write(&u, UART_IER, 0);
	assert_false(s.line);
	assert_string_equal(s.out, "ab");
}

static void test_linux_thre_tests(void **state)
{
	struct mv_uart u;
	struct sink s;
	uint8_t iir1, iir, lsr;

	(void)state;
	init(&u, &s);
	/* TX-enable test: THRI on an empty transmitter is pending at once. */
	mv_uart_write(&u, UART_IER, UART_IER_THRI);
	lsr = mv_uart_read(&u, UART_LSR);
	iir = mv_uart_read(&u, UART_IIR);
	mv_uart_write(&u, UART_IER, 0);
	assert_true(lsr & UART_LSR_TEMT);
	assert_false(iir & UART_IIR_NO_INT);
	/* THRE re-assertion test (else Linux sets UART_BUG_THRE). */
	mv_uart_write(&u, UART_IER, UART_IER_THRI);
	iir1 = mv_uart_read(&u, UART_IIR);
	mv_uart_write(&u, UART_IER, 0);
	mv_uart_write(&u, UART_IER, UART_IER_THRI);
	iir = mv_uart_read(&u, UART_IIR);
	mv_uart_write(&u, UART_IER, 0);
	assert_false(iir1 & UART_IIR_NO_INT);
	assert_false(iir & UART_IIR_NO_INT);
}

/* PC16550D data sheet, "Interrupt Identification Register": the THRE
 * interrupt is reset by reading IIR (when it is the source) or by writing
 * THR. With an instant transmitter the write ends with THR empty again, so
 * the output must drop and rise: an edge per byte even if nobody read IIR
 * (a missed edge must not leave the line stuck high). */
static void test_thr_write_without_iir_read_is_a_new_edge(void **state)
{
	struct mv_uart u;
	struct sink s;
	unsigned int i;

	(void)state;
	init(&u, &s);
	mv_uart_write(&u, UART_MCR, UART_MCR_OUT2);
	mv_uart_write(&u, UART_IER, UART_IER_THRI);
	assert_true(s.line);
	assert_int_equal(s.edges, 1);
	for (i = 0; i < 16; i++)
		mv_uart_write(&u, UART_THR, (uint8_t)('a' + i));
	assert_true(s.line);
	assert_int_equal(s.edges, 17);
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_THRI);
	assert_false(s.line);
	/* A higher-priority source keeps INTR up: no pulse, no edge. */
	mv_uart_write(&u, UART_IER, UART_IER_THRI | UART_IER_RDI);
	assert_int_equal(mv_uart_rx_push(&u, (const uint8_t *)"x", 1), 1);
	assert_true(s.line);
	assert_int_equal(s.edges, 18);
	mv_uart_write(&u, UART_THR, 'z');
	assert_true(s.line);
	assert_int_equal(s.edges, 18);
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_RDI);
}

static void test_out2_gates_the_line(void **state)
{
	struct mv_uart u;
	struct sink s;

	(void)state;
	init(&u, &s);
	mv_uart_write(&u, UART_IER, UART_IER_THRI);
	assert_false(s.line);
	mv_uart_write(&u, UART_MCR, UART_MCR_OUT2);
	assert_true(s.line);
	mv_uart_write(&u, UART_MCR, 0);
	assert_false(s.line);
}

static void test_rx(void **state)
{
	struct mv_uart u;
	struct sink s;
	uint8_t buf[100];
	unsigned int i;

	(void)state;
	init(&u, &s);
	mv_uart_write(&u, UART_MCR, UART_MCR_OUT2);
	mv_uart_write(&u, UART_IER, UART_IER_RDI | UART_IER_THRI);
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_THRI);
	assert_int_equal(mv_uart_rx_push(&u, (const uint8_t *)"hi", 2), 2);
	assert_true(s.line);
	/* Received data outranks THR empty. */
	mv_uart_write(&u, UART_THR, 'x');
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_RDI);
	assert_int_equal(mv_uart_read(&u, UART_RBR), 'h');
	assert_int_equal(mv_uart_read(&u, UART_RBR), 'i');
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_THRI);
	assert_false(s.line);
	assert_int_equal(mv_uart_read(&u, UART_RBR), 0); /* empty */
	/* The FIFO takes 64 bytes. */
	memset(buf, 'q', sizeof(buf));
	assert_int_equal(mv_uart_rx_space(&u), MV_UART_FIFO);
	assert_int_equal(mv_uart_rx_push(&u, buf, sizeof(buf)), MV_UART_FIFO);
	assert_int_equal(mv_uart_rx_space(&u), 0);
	for (i = 0; i < MV_UART_FIFO; i++)
		assert_int_equal(mv_uart_read(&u, UART_RBR), 'q');
	assert_false(mv_uart_read(&u, UART_LSR) & UART_LSR_DR);
	/* FCR clears the receive FIFO. */
	mv_uart_rx_push(&u, buf, 3);
	mv_uart_write(&u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RCVR);
	assert_int_equal(mv_uart_rx_space(&u), MV_UART_FIFO);
}

static void test_overrun_in_loopback(void **state)
{
	struct mv_uart u;
	struct sink s;
	unsigned int i;

	(void)state;
	init(&u, &s);
	mv_uart_write(&u, UART_MCR, UART_MCR_LOOP);
	for (i = 0; i < MV_UART_FIFO + 1; i++)
		mv_uart_write(&u, UART_THR, (uint8_t)i);
	assert_int_equal(mv_uart_read(&u, UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	assert_int_equal(mv_uart_read(&u, UART_LSR) & UART_LSR_OE, 0);
}

static void test_modem_status_interrupt(void **state)
{
	struct mv_uart u;
	struct sink s;

	(void)state;
	init(&u, &s);
	mv_uart_write(&u, UART_IER, UART_IER_MSI);
	mv_uart_write(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_MSI);
	/* CTS stays (RTS looped back), DSR and DCD drop. */
	assert_int_equal(mv_uart_read(&u, UART_MSR) & 0x0f,
			 UART_MSR_DDSR | UART_MSR_DDCD);
	assert_int_equal(mv_uart_read(&u, UART_IIR), UART_IIR_NO_INT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_scratch_and_ier_probe),
		cmocka_unit_test(test_dlab),
		cmocka_unit_test(test_fifo_detect_16550a),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_tx_and_thre_interrupt),
		cmocka_unit_test(test_linux_thre_tests),
		cmocka_unit_test(test_thr_write_without_iir_read_is_a_new_edge),
		cmocka_unit_test(test_out2_gates_the_line),
		cmocka_unit_test(test_rx),
		cmocka_unit_test(test_overrun_in_loopback),
		cmocka_unit_test(test_modem_status_interrupt),
	};

	return cmocka_run_group_tests_name("minivmm_uart", tests, NULL, NULL);
}
