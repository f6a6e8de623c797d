/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bench's own Intel 8255x constants (from the Open Source Software
 * Developer Manual, restated in shared/refs/e100-facts.md). Deliberately
 * independent of drivers/e100/ so the bench checks the backend against
 * the programming model, not against itself.
 */
#ifndef PP_TESTS_E100_HW8255X_H
#define PP_TESTS_E100_HW8255X_H

#include <stdint.h>

/* CSR offsets */
#define HW_SCB_STATUS	0x00 /* CUS 7:6, RUS 5:2 */
#define HW_SCB_STATACK	0x01
#define HW_SCB_CMD	0x02
#define HW_SCB_INTMASK	0x03
#define HW_SCB_GP	0x04
#define HW_PORT		0x08
#define HW_EEPROM	0x0e
#define HW_MDI		0x10
#define HW_RX_DMA_COUNT 0x14
#define HW_FC_THRESH	0x19
#define HW_GEN_STATUS	0x1d

/* STAT/ACK bits */
#define HW_ST_CX  0x80
#define HW_ST_FR  0x40
#define HW_ST_CNA 0x20
#define HW_ST_RNR 0x10
#define HW_ST_MDI 0x08
#define HW_ST_SWI 0x04
#define HW_ST_ER  0x02
#define HW_ST_FCP 0x01

/* status byte */
#define HW_CUS_MASK   0xc0
#define HW_CUS_IDLE   0x00
#define HW_CUS_SUSP   0x40
#define HW_CUS_ACTIVE 0x80
#define HW_RUS_MASK   0x3c
#define HW_RUS_IDLE   0x00
#define HW_RUS_SUSP   0x04
#define HW_RUS_NORES  0x08
#define HW_RUS_READY  0x10

/* SCB command byte */
#define HW_CUC_NOP	     0x00
#define HW_CUC_START	     0x10
#define HW_CUC_RESUME	     0x20
#define HW_CUC_DUMP_ADDR     0x40
#define HW_CUC_DUMP	     0x50
#define HW_CUC_LOAD_BASE     0x60
#define HW_CUC_DUMP_RESET    0x70
#define HW_CUC_STATIC_RESUME 0xa0
#define HW_RUC_NOP	     0x00
#define HW_RUC_START	     0x01
#define HW_RUC_RESUME	     0x02
#define HW_RUC_ABORT	     0x04
#define HW_RUC_LOAD_HDS	     0x05
#define HW_RUC_LOAD_BASE     0x06

/* interrupt-control byte */
#define HW_INT_M  0x01
#define HW_INT_SI 0x02

/* PORT functions */
#define HW_PORT_SW_RESET  0
#define HW_PORT_SELFTEST  1
#define HW_PORT_SEL_RESET 2
#define HW_PORT_DUMP	  3

/* CB status/command */
#define HW_CB_C	     0x8000
#define HW_CB_OK     0x2000
#define HW_CB_U	     0x1000
#define HW_CB_EL     0x8000
#define HW_CB_S	     0x4000
#define HW_CB_I	     0x2000
#define HW_CB_NC     0x0010
#define HW_CB_SF     0x0008
#define HW_OP_NOP    0
#define HW_OP_IA     1
#define HW_OP_CONFIG 2
#define HW_OP_MCAST  3
#define HW_OP_TX     4
#define HW_OP_UCODE  5
#define HW_OP_DUMP   6
#define HW_OP_DIAG   7

/* TCB */
#define HW_TCB_TBD_ADDR 0x08
#define HW_TCB_COUNT	0x0c
#define HW_TCB_THRESH	0x0e
#define HW_TCB_TBD_NUM	0x0f
#define HW_TCB_DATA	0x10
#define HW_TCB_EOF	0x8000
#define HW_TBD_EL	0x8000

/* RFD */
#define HW_RFD_STATUS	  0x00
#define HW_RFD_CMD	  0x02
#define HW_RFD_LINK	  0x04
#define HW_RFD_RBD	  0x08
#define HW_RFD_COUNT	  0x0c
#define HW_RFD_SIZE	  0x0e
#define HW_RFD_DATA	  0x10
#define HW_RFD_EOF	  0x8000
#define HW_RFD_F	  0x4000
#define HW_RFD_COUNT_MASK 0x3fff
#define HW_RFD_ST_NOMATCH 0x0002 /* bcast/mcast (no IA match) */

/* MDI */
#define HW_MDI_READY	(1u << 28)
#define HW_MDI_IE	(1u << 29)
#define HW_MDI_OP_WRITE (1u << 26)
#define HW_MDI_OP_READ	(2u << 26)

/* statistics dump (82557: 16 counters, completion at +64) */
#define HW_STATS_TX_GOOD     0
#define HW_STATS_RX_GOOD     36
#define HW_STATS_RX_RESOURCE 48
#define HW_STATS_DONE_557    64
#define HW_STATS_DONE_DUMP   0xa005u
#define HW_STATS_DONE_RESET  0xa007u

/* A configure block that works on every model (22 bytes). */
#define HW_CONFIG_LEN 22
extern const uint8_t hw_config_default[HW_CONFIG_LEN];

/* little-endian helpers */
static inline uint16_t hw_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t hw_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void hw_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void hw_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif /* PP_TESTS_E100_HW8255X_H */
