/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Intel 8255x (82557/82558/82559/82550/82551 and the ICH-integrated
 * PRO/100 VE/VM parts): register offsets, SCB command and status bits,
 * command-block opcodes and bits, TCB/TBD/RFD layouts as byte offsets,
 * PORT/EEPROM/MDI bits and the PCI identity table.
 *
 * References are to Intel's "8255x 10/100 Mbps Ethernet Controller Family
 * Open Source Software Developer Manual" (Rev 1.3, 2006), printed page
 * numbers, written [M pNN]; "(inferred)" marks values not stated there
 * (see shared/refs/e100-facts.md for the cross-checked sources).
 *
 * Every in-memory structure is little-endian and may sit at any 2-byte
 * aligned address, so fields are accessed through the byte accessors at
 * the end of this file, never through packed structs.
 */
#ifndef PP_E100_REGS_H
#define PP_E100_REGS_H

#include <stdint.h>

/* ---------------------------------------------------------------------- */
/* PCI identity (facts §1.1-1.2)                                         */
/* ---------------------------------------------------------------------- */

#define E100_PCI_VENDOR_INTEL 0x8086

/*
 * Device IDs driven by this backend, as X(first, last, ich): ranges of
 * Intel device IDs; ich = 1 for the ICH-integrated controllers, which are
 * handled as 82559 (D101M) whatever their PCI revision says. The last four
 * (82865 PRO/100A, 82556, PRO/100 Intelligent Server) are claimed only by
 * iPXE and are untested here; they are handled by revision like 0x1229.
 */
#define E100_PCI_IDS(X)                                                        \
	X(0x1229, 0x1229, 0) /* 82557/8/9, 82550/1 (by revision) */            \
	X(0x1209, 0x1209, 0) /* 82559ER */                                     \
	X(0x1029, 0x1029, 0) /* 82559 */                                       \
	X(0x1030, 0x1030, 0) /* 82559 PRO/100 */                               \
	X(0x1059, 0x1059, 0) /* 82551QM */                                     \
	X(0x2449, 0x2449, 1) /* ICH2 */                                        \
	X(0x2459, 0x2459, 1) /* C-ICH 82562 */                                 \
	X(0x245d, 0x245d, 1) /* C-ICH 82562 */                                 \
	X(0x1031, 0x1038, 1) /* ICH3 */                                        \
	X(0x1039, 0x103e, 1) /* ICH4 */                                        \
	X(0x1050, 0x1057, 1) /* ICH5 */                                        \
	X(0x1064, 0x106b, 1) /* ICH6 */                                        \
	X(0x1091, 0x1095, 1) /* ICH7 */                                        \
	X(0x266c, 0x266c, 1) /* ICH6 (listed by ReactOS only) */               \
	X(0x27dc, 0x27dc, 1) /* ICH7 */                                        \
	X(0x10fe, 0x10fe, 1) /* 82552 */                                       \
	X(0x1227, 0x1228, 0) /* 82865, 82556 (iPXE only) */                    \
	X(0x5200, 0x5201, 0) /* PRO/100 Intelligent Server (iPXE only) */

/* Revision IDs of the discrete parts (device 0x1229 and friends). */
#define E100_REV_82557_A  0x01
#define E100_REV_82557_B  0x02
#define E100_REV_82557_C  0x03
#define E100_REV_82558_A4 0x04
#define E100_REV_82558_B0 0x05
#define E100_REV_82559_A  0x06
#define E100_REV_82559_B  0x07
#define E100_REV_82559_C  0x08 /* "D101M" */
#define E100_REV_82559ER  0x09 /* "D101S" */
#define E100_REV_82550	  0x0c /* "D102" */
#define E100_REV_82550_C  0x0d
#define E100_REV_82551_E  0x0e
#define E100_REV_82551_F  0x0f
#define E100_REV_82551_10 0x10

#define E100_DEV_82559ER 0x1209 /* no RX checksum append */

/* ---------------------------------------------------------------------- */
/* BARs and the CSR map [M p31-33]                                        */
/* ---------------------------------------------------------------------- */

#define E100_BAR_MEM	  0	/* CSR, memory mapped */
#define E100_BAR_IO	  1	/* CSR, I/O mapped */
#define E100_BAR_MEM_SIZE 4096u /* BAR0 decodes 4 KiB */
#define E100_BAR_IO_SIZE  64u	/* BAR1: 64 bytes (QEMU, BitVisor) */
#define E100_CSR_SIZE	  64u	/* registers live in the first 64 bytes */

#define E100_SCB_STATUS	  0x00 /* 8: CUS 7:6, RUS 5:2 [M p36] */
#define E100_SCB_STATACK  0x01 /* 8: STAT/ACK, write 1 to clear [M p34] */
#define E100_SCB_CMD	  0x02 /* 8: CUC 7:4, RUC 2:0 [M p39-40, p105] */
#define E100_SCB_INTR	  0x03 /* 8: interrupt control [M p37] */
#define E100_SCB_GP	  0x04 /* 32: general pointer */
#define E100_PORT	  0x08 /* 32: PORT function + address */
#define E100_FLASH_CTL	  0x0c /* 16: flash control */
#define E100_EEPROM_CTL	  0x0e /* 16: EEPROM control */
#define E100_MDI_CTL	  0x10 /* 32: MDI control */
#define E100_RX_DMA_COUNT 0x14 /* 32: receive DMA byte count */
#define E100_EARLY_RX	  0x18 /* 8: early receive interrupt (82558+) [M p53] */
#define E100_FC_THRESH	  0x19 /* 8: flow control threshold (82558+) */
#define E100_FC_CMD	  0x1a /* 8: flow control command (82558+) */
#define E100_PMDR	  0x1b /* 8: power management driver (82558+) */
#define E100_GEN_CTL	  0x1c /* 8: general control (82559+) */
#define E100_GEN_STATUS	  0x1d /* 8: general status (82559+) */

/* SCB status byte: CU state (bits 7:6) [M p36]. */
#define E100_CUS_SHIFT	   6
#define E100_CUS_IDLE	   0u
#define E100_CUS_SUSPENDED 1u
#define E100_CUS_ACTIVE	   2u /* LPQ active */
#define E100_CUS_HPQ	   3u
/* SCB status byte: RU state (bits 5:2) [M p36]. */
#define E100_RUS_SHIFT	   2
#define E100_RUS_MASK	   0x3cu
#define E100_RUS_IDLE	   0u
#define E100_RUS_SUSPENDED 1u
#define E100_RUS_NORES	   2u
#define E100_RUS_READY	   4u

/* STAT/ACK byte [M p34]; the interrupt-mask bit of each is noted. */
#define E100_STAT_CX  0x80 /* CB with I done (TNO on 82557): mask bit 7 */
#define E100_STAT_FR  0x40 /* frame received: mask bit 6 */
#define E100_STAT_CNA 0x20 /* CU left active: mask bit 5 */
#define E100_STAT_RNR 0x10 /* RU left ready: mask bit 4 */
#define E100_STAT_MDI 0x08 /* MDI cycle done (IE set): not maskable */
#define E100_STAT_SWI 0x04 /* software interrupt: not maskable */
#define E100_STAT_ER  0x02 /* early receive (82558+): mask bit 3 */
#define E100_STAT_FCP 0x01 /* flow-control pause (82558+): mask bit 2 */

/* Interrupt control byte [M p37]. */
#define E100_INTR_M   0x01 /* mask all */
#define E100_INTR_SI  0x02 /* generate SWI; reads 0 */
#define E100_INTR_FCP 0x04 /* specific masks: 82558+ only */
#define E100_INTR_ER  0x08
#define E100_INTR_RNR 0x10
#define E100_INTR_CNA 0x20
#define E100_INTR_FR  0x40
#define E100_INTR_CX  0x80

/* SCB command byte: CU command (bits 7:4) (facts §3.1). */
#define E100_CUC(b)	       (((b) >> 4) & 0x0fu)
#define E100_CUC_NOP	       0x0u
#define E100_CUC_START	       0x1u
#define E100_CUC_RESUME	       0x2u
#define E100_CUC_HPQ_START     0x3u /* 82558+ */
#define E100_CUC_DUMP_ADDR     0x4u /* load dump counters address */
#define E100_CUC_DUMP	       0x5u /* dump counters: completion 0xA005 */
#define E100_CUC_BASE	       0x6u /* load CU base */
#define E100_CUC_DUMP_RESET    0x7u /* dump and reset: completion 0xA007 */
#define E100_CUC_STATIC_RESUME 0xau /* 82558+ */
#define E100_CUC_HPQ_RESUME    0xbu /* 82558+ */
/* SCB command byte: RU command (bits 2:0) [M p39-40]. */
#define E100_RUC(b)	    ((b)&0x07u)
#define E100_RUC_NOP	    0x0u
#define E100_RUC_START	    0x1u
#define E100_RUC_RESUME	    0x2u
#define E100_RUC_REDIRECT   0x3u /* receive DMA redirect (82558+) */
#define E100_RUC_ABORT	    0x4u
#define E100_RUC_HDS	    0x5u /* load header data size */
#define E100_RUC_BASE	    0x6u /* load RU base */
#define E100_RUC_RBD_RESUME 0x7u
/* Whole command bytes the backend issues to the real device. */
#define E100_SCB_CU(c) ((uint8_t)((c) << 4))
#define E100_SCB_RU(c) ((uint8_t)(c))

/* Statistics dump completion words [M p42]. */
#define E100_DUMP_DONE	     0x0000a005u
#define E100_DUMP_RESET_DONE 0x0000a007u

/* ---------------------------------------------------------------------- */
/* PORT, EEPROM, MDI (facts §7)                                           */
/* ---------------------------------------------------------------------- */

#define E100_PORT_FN_MASK	  0x0fu
#define E100_PORT_ADDR_MASK	  0xfffffff0u
#define E100_PORT_SOFTWARE_RESET  0x0u
#define E100_PORT_SELFTEST	  0x1u /* 16-byte aligned result block */
#define E100_PORT_SELECTIVE_RESET 0x2u
#define E100_PORT_DUMP		  0x3u
/* Self-test result block: signature (non-zero when done), result. */
#define E100_SELFTEST_SIG_OFF	 0
#define E100_SELFTEST_RESULT_OFF 4
#define E100_SELFTEST_LEN	 8

#define E100_EE_SK	      0x01 /* serial clock */
#define E100_EE_CS	      0x02 /* chip select */
#define E100_EE_DI	      0x04 /* data in (to the EEPROM) */
#define E100_EE_DO	      0x08 /* data out (from the EEPROM), read-only */
#define E100_EE_OP_READ	      0x6u /* start bit + opcode 10b */
#define E100_EE_ADDR_MAX_BITS 8	   /* 93C46: 6, 93C66: 8 */
#define E100_EE_WORD_MAC0     0	   /* words 0-2: MAC, little-endian bytes */

#define E100_MDI_IE	  (1u << 29) /* raise MDI STAT on completion */
#define E100_MDI_READY	  (1u << 28)
#define E100_MDI_OP_SHIFT 26 /* 01 write, 10 read */
#define E100_MDI_OP_MASK  (3u << 26)

/* ---------------------------------------------------------------------- */
/* Command blocks [M p58-59, p84]                                         */
/* ---------------------------------------------------------------------- */

/* Common header: status (u16), command (u16), link (u32). */
#define E100_CB_STATUS	0x00
#define E100_CB_CMD	0x02
#define E100_CB_LINK	0x04
#define E100_CB_HDR_LEN 8

/* Status word. */
#define E100_CB_C  0x8000u /* completed */
#define E100_CB_OK 0x2000u /* no error */
#define E100_CB_U  0x1000u /* TCB underrun */
#define E100_CB_F  0x0800u /* diagnose / self-test failed */

/* Command word. */
#define E100_CB_EL	 0x8000u /* last CB: CU goes idle, CNA */
#define E100_CB_S	 0x4000u /* suspend after this CB */
#define E100_CB_I	 0x2000u /* CX on completion */
#define E100_CB_CID_MASK 0x1f00u /* CNA interrupt delay (82558+, TX) */
#define E100_CB_NC	 0x0010u /* TX: no CRC / source address insertion */
#define E100_CB_SF	 0x0008u /* TX: flexible mode */
#define E100_CB_OP_EXT	 0x0008u /* opcode bit 3 (82558+ op 8, 82550+ op 9) */
#define E100_CB_OP_MASK	 0x0007u

#define E100_OP_NOP    0u
#define E100_OP_IA     1u /* individual address setup */
#define E100_OP_CONFIG 2u
#define E100_OP_MCAST  3u
#define E100_OP_TX     4u
#define E100_OP_UCODE  5u /* load microcode */
#define E100_OP_DUMP   6u /* register dump to a buffer address */
#define E100_OP_DIAG   7u
#define E100_OP_FILTER 8u /* load wake-up filter (82558+) */
#define E100_OP_IPCB   9u /* IPCB transmit (82550/82551) */

/* IA setup (facts §5.2): 6 bytes at +8. */
#define E100_IA_OFF 0x08
#define E100_IA_LEN 6
/* Configure (facts §5.3): bytes at +8, byte 0 bits 5:0 = byte count. */
#define E100_CFG_OFF	    0x08
#define E100_CFG_COUNT_MASK 0x3fu
#define E100_CFG_LEN_STD    22u /* 82557/8/9 and the ICH parts */
#define E100_CFG_LEN_EXT    32u /* 82550/82551 */
/* Multicast setup (facts §5.2): u16 byte count (13:0) at +8, list at +10. */
#define E100_MC_COUNT_OFF  0x08
#define E100_MC_LIST_OFF   0x0a
#define E100_MC_COUNT_MASK 0x3fffu

/* Configure bytes and bits the backend tracks (facts §5.3). */
#define E100_CFG6_TNO_TCO 0x04 /* TNO interrupt (82557) / TCO stats (82559+)   \
				*/
#define E100_CFG6_CI		0x08 /* 1: CNA only on idle, 0: also on suspend */
#define E100_CFG6_STD_TCB	0x10 /* 1: standard TCB, 0: extended (82558+) */
#define E100_CFG6_STD_STATS	0x20 /* 1: 16 counters, 0: extended (82558+) */
#define E100_CFG6_SAVE_OVERRUN	0x40
#define E100_CFG6_SAVE_BAD	0x80
#define E100_CFG7_DISCARD_SHORT 0x01
#define E100_CFG7_EXT_RFD	0x20 /* 32-byte RFD header (82550/1) */
#define E100_CFG7_DYN_TBD	0x80 /* TBD list ends at EL (82558+) */
#define E100_CFG9_RX_CSUM	0x01 /* append 2 checksum bytes (82559) */
#define E100_CFG15_PROMISC	0x01
#define E100_CFG15_BCAST_DIS	0x02
#define E100_CFG18_CRC_XFER	0x04 /* append the 4 FCS bytes */
#define E100_CFG22_EXT_RX	0x03 /* 82550/1 extended receive, VLAN strip */

/* ---------------------------------------------------------------------- */
/* Transmit [M p84-88]                                                    */
/* ---------------------------------------------------------------------- */

#define E100_TCB_TBD_ARRAY   0x08 /* u32; 0xFFFFFFFF in simplified mode */
#define E100_TCB_COUNT	     0x0c /* u16: bits 13:0 byte count, bit 15 EOF */
#define E100_TCB_THRESH	     0x0e /* u8: transmit threshold, 8-byte units */
#define E100_TCB_TBD_NUM     0x0f /* u8: number of TBDs (0xFF: dynamic) */
#define E100_TCB_DATA	     0x10 /* simplified data / immediate data */
#define E100_TCB_HDR_LEN     16
#define E100_TCB_EXT_TBD0    0x10 /* extended TCB: two inline TBDs */
#define E100_TCB_EXT_LEN     32	  /* extended TCB header incl. 2 TBDs */
#define E100_TCB_EXT_INLINE  2
#define E100_TCB_COUNT_MASK  0x3fffu
#define E100_TCB_EOF	     0x8000u
#define E100_TBD_ARRAY_NONE  0xffffffffu
#define E100_TBD_NUM_DYNAMIC 0xffu

/* TBD: u32 buffer address, u16 size (13:0) + EL (bit 15), u16 reserved. */
#define E100_TBD_ADDR	   0
#define E100_TBD_SIZE	   4
#define E100_TBD_LEN	   8
#define E100_TBD_SIZE_MASK 0x3fffu
#define E100_TBD_EL	   0x8000u

/* ---------------------------------------------------------------------- */
/* Receive [M p100-101, p108-110]                                         */
/* ---------------------------------------------------------------------- */

#define E100_RFD_STATUS	  0x00
#define E100_RFD_CMD	  0x02
#define E100_RFD_LINK	  0x04
#define E100_RFD_RBD	  0x08 /* reserved in simplified mode: 0xFFFFFFFF */
#define E100_RFD_COUNT	  0x0c /* u16: actual count 13:0, F 14, EOF 15 */
#define E100_RFD_SIZE	  0x0e /* u16: size of the data area, 13:0 */
#define E100_RFD_DATA	  0x10
#define E100_RFD_HDR_LEN  16
#define E100_RFD_EXT_DATA 0x20 /* extended RFD (82550/1): data at +32 */

/* RFD status word. */
#define E100_RFD_C	 0x8000u
#define E100_RFD_OK	 0x2000u
#define E100_RFD_TOOBIG	 0x0200u /* frame larger than the RFD size */
#define E100_RFD_NOMATCH 0x0004u /* accepted only by promiscuous mode */
#define E100_RFD_GROUP	 0x0002u /* 1: multicast/broadcast, 0: our IA */
/* RFD command word. */
#define E100_RFD_EL 0x8000u
#define E100_RFD_S  0x4000u
#define E100_RFD_H  0x0010u
#define E100_RFD_SF 0x0008u /* flexible mode (not supported) */
/* RFD actual count word. */
#define E100_RFD_EOF	    0x8000u
#define E100_RFD_F	    0x4000u
#define E100_RFD_COUNT_MASK 0x3fffu

/* ---------------------------------------------------------------------- */
/* Statistics dump [M p40-42]                                             */
/* ---------------------------------------------------------------------- */

/* Dump sizes = offset of the completion word (facts §5.5). */
#define E100_STATS_SIZE_STD    64u /* 16 u32 counters */
#define E100_STATS_SIZE_EXT    76u /* 82558+, extended: 19 u32 counters */
#define E100_STATS_SIZE_TCO    80u /* 82559+, TCO: + 2 u16 counters at 76/78 */
#define E100_STATS_N_STD       16u /* u32 counters in the standard dump */
#define E100_STATS_TX_GOOD     0   /* counter indexes (u32 each) */
#define E100_STATS_RX_GOOD     9
#define E100_STATS_RX_RESOURCE 12
#define E100_STATS_MAX_BYTES   (E100_STATS_SIZE_TCO + 4)

/* ---------------------------------------------------------------------- */
/* Little-endian byte accessors (any alignment)                           */
/* ---------------------------------------------------------------------- */

static inline uint16_t e100_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t e100_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline void e100_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void e100_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif /* PP_E100_REGS_H */
