/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * minivmm: loading a Linux bzImage with the x86 boot protocol
 * (Documentation/arch/x86/boot.rst in the kernel tree), 64-bit entry.
 *
 * Offsets below are into the bzImage file and, for the setup header,
 * identically into boot_params (the "zero page"): the header is copied
 * from file offset 0x1f1 to zero-page offset 0x1f1.
 */
#ifndef MINIVMM_BOOT_H
#define MINIVMM_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/* Setup header fields (file offset == boot_params offset). */
#define BP_SETUP_SECTS	    0x1f1 /* u8 */
#define BP_BOOT_FLAG	    0x1fe /* u16, 0xAA55 */
#define BP_JUMP		    0x200 /* u16; byte 0x201 = header end - 0x202 */
#define BP_HEADER	    0x202 /* u32, "HdrS" */
#define BP_VERSION	    0x206 /* u16 */
#define BP_TYPE_OF_LOADER   0x210 /* u8 */
#define BP_LOADFLAGS	    0x211 /* u8 */
#define BP_CODE32_START	    0x214 /* u32 */
#define BP_RAMDISK_IMAGE    0x218 /* u32 */
#define BP_RAMDISK_SIZE	    0x21c /* u32 */
#define BP_HEAP_END_PTR	    0x224 /* u16 */
#define BP_CMD_LINE_PTR	    0x228 /* u32 */
#define BP_INITRD_ADDR_MAX  0x22c /* u32 */
#define BP_KERNEL_ALIGNMENT 0x230 /* u32 */
#define BP_RELOCATABLE	    0x234 /* u8 */
#define BP_XLOADFLAGS	    0x236 /* u16 */
#define BP_CMDLINE_SIZE	    0x238 /* u32 */
#define BP_PREF_ADDRESS	    0x258 /* u64 */
#define BP_INIT_SIZE	    0x260 /* u32 */
#define BP_HDR_END_MAX	    0x290 /* the zero page's header area ends here */

/* boot_params fields outside the setup header. */
#define BP_EXT_RAMDISK_IMAGE 0x0c0 /* u32 */
#define BP_EXT_RAMDISK_SIZE  0x0c4 /* u32 */
#define BP_EXT_CMD_LINE_PTR  0x0c8 /* u32 */
#define BP_E820_ENTRIES	     0x1e8 /* u8 */
#define BP_SENTINEL	     0x1ef /* u8, must stay 0 */
#define BP_E820_TABLE	     0x2d0 /* 128 x { u64 addr, u64 size, u32 type } */
#define BP_E820_MAX	     128u
#define BP_SIZE		     4096u

#define BP_MAGIC_HDRS	    0x53726448u /* "HdrS" */
#define BP_LOADED_HIGH	    0x01
#define BP_CAN_USE_HEAP	    0x80
#define BP_XLF_KERNEL_64    0x0001
#define BP_LOADER_UNDEFINED 0xff

#define E820_RAM      1u
#define E820_RESERVED 2u

struct mv_e820 {
	uint64_t addr, size;
	uint32_t type;
};

/* What the loader learned from the bzImage. */
struct mv_kernel {
	const uint8_t *pm; /* protected-mode kernel in the file */
	size_t pm_len;
	const uint8_t *img; /* the whole file (setup header source) */
	size_t setup_len;   /* (setup_sects + 1) * 512 */
	uint16_t version;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size; /* without the NUL */
	uint32_t init_size;
	uint64_t pref_address; /* where it decompresses to */
};

/* Where the vCPU starts (64-bit entry, boot.rst "64-bit BOOT PROTOCOL"). */
struct mv_boot_entry {
	uint64_t rip; /* kernel load address + 0x200 */
	uint64_t rsi; /* boot_params */
	uint64_t cr3; /* PML4 */
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint64_t initrd_addr, initrd_len;
};

/*
 * Check a bzImage (boot protocol 2.12+ with the 64-bit entry point) and
 * describe it in @k (pointers into @img, which must outlive @k). Returns 0,
 * or -1 with a reason in @err.
 */
int mv_bzimage_parse(const uint8_t *img, size_t len, struct mv_kernel *k,
		     char *err, size_t errlen);

/* The e820 map of @m (see layout.h); returns the number of entries. */
unsigned int mv_e820_build(const struct mv_mem *m, struct mv_e820 *out,
			   unsigned int max);

/*
 * Load the kernel at 1 MiB, the command line, the initrd (at the top of low
 * RAM, below initrd_addr_max), fill boot_params (setup header copied from
 * the file, loader fields, e820), the BIOS data area, the GDT and the
 * identity-mapped page tables. Returns 0 or -1 with a reason in @err.
 */
int mv_boot_load(const struct mv_mem *m, const struct mv_kernel *k,
		 const char *cmdline, const uint8_t *initrd, size_t initrd_len,
		 struct mv_boot_entry *out, char *err, size_t errlen);

#endif /* MINIVMM_BOOT_H */
