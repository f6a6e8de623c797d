// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: bzImage loader, boot_params, e820 map, GDT and page tables for
 * the Linux x86 64-bit boot protocol.
 *
 * The vCPU enters the kernel at load address + 0x200 in long mode with
 * paging on: CR3 points at an identity map of the first 4 GiB (2 MiB
 * pages), CS = 0x10 (64-bit code), DS/ES/SS = 0x18 (flat data), interrupts
 * off, RSI = boot_params. The kernel needs the kernel image, boot_params,
 * the command line and the initrd identity-mapped; all of them are below
 * 4 GiB here.
 */
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "le.h"

#define SECTOR 512u

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

int mv_bzimage_parse(const uint8_t *img, size_t len, struct mv_kernel *k,
		     char *err, size_t errlen)
{
	unsigned int sects;

	memset(k, 0, sizeof(*k));
	if (len < BP_INIT_SIZE + 8)
		return fail(err, errlen, "file too small to be a bzImage");
	if (mv_get16(img + BP_BOOT_FLAG) != 0xaa55 ||
	    mv_get32(img + BP_HEADER) != BP_MAGIC_HDRS)
		return fail(
			err, errlen,
			"not a Linux bzImage (no 0xAA55/HdrS setup header)");
	k->version = mv_get16(img + BP_VERSION);
	if (k->version < 0x020c) {
		snprintf(err, errlen,
			 "boot protocol %u.%02u is too old: minivmm needs "
			 "2.12+ (Linux 3.8+) for the 64-bit entry point",
			 k->version >> 8, k->version & 0xff);
		return -1;
	}
	k->loadflags = img[BP_LOADFLAGS];
	k->xloadflags = mv_get16(img + BP_XLOADFLAGS);
	if (!(k->loadflags & BP_LOADED_HIGH))
		return fail(err, errlen,
			    "not a bzImage (zImage loaded at 0x10000 is not "
			    "supported)");
	if (!(k->xloadflags & BP_XLF_KERNEL_64))
		return fail(err, errlen,
			    "kernel has no 64-bit entry point (XLF_KERNEL_64): "
			    "build an x86_64 kernel");
	sects = img[BP_SETUP_SECTS];
	if (sects == 0)
		sects = 4;
	k->setup_len = (size_t)(sects + 1) * SECTOR;
	if (k->setup_len >= len)
		return fail(err, errlen, "truncated bzImage (no payload)");
	k->img = img;
	k->pm = img + k->setup_len;
	k->pm_len = len - k->setup_len;
	k->initrd_addr_max = mv_get32(img + BP_INITRD_ADDR_MAX);
	k->cmdline_size = mv_get32(img + BP_CMDLINE_SIZE);
	k->init_size = mv_get32(img + BP_INIT_SIZE);
	k->pref_address = mv_get64(img + BP_PREF_ADDRESS);
	return 0;
}

unsigned int mv_e820_build(const struct mv_mem *m, struct mv_e820 *out,
			   unsigned int max)
{
	struct mv_e820 e[5];
	unsigned int n = 0, i;

	e[n++] = (struct mv_e820){0, MV_EBDA, E820_RAM};
	e[n++] = (struct mv_e820){MV_EBDA, 0xa0000 - MV_EBDA, E820_RESERVED};
	e[n++] = (struct mv_e820){MV_BIOS_START, MV_KERNEL - MV_BIOS_START,
				  E820_RESERVED};
	if (m->low > MV_KERNEL)
		e[n++] = (struct mv_e820){MV_KERNEL, m->low - MV_KERNEL,
					  E820_RAM};
	if (m->high > 0)
		e[n++] = (struct mv_e820){MV_4G, m->high, E820_RAM};
	for (i = 0; i < n && i < max; i++)
		out[i] = e[i];
	return i;
}

static void build_page_tables(uint8_t *pml4, uint8_t *pdpt, uint8_t *pd)
{
	unsigned int i;

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	memset(pd, 0, 4 * 4096);
	/* present | writable */
	mv_put64(pml4, MV_PDPT | 0x3);
	for (i = 0; i < 4; i++)
		mv_put64(pdpt + 8 * i, (MV_PD + 4096ull * i) | 0x3);
	/* 2048 x 2 MiB: present | writable | page size */
	for (i = 0; i < 4 * 512; i++)
		mv_put64(pd + 8 * i, ((uint64_t)i << 21) | 0x83);
}

static void build_gdt(uint8_t *gdt)
{
	memset(gdt, 0, 32);
	/* 0x10: code, base 0, limit 4G, L=1, P, DPL 0, execute/read */
	mv_put64(gdt + MV_BOOT_CS, 0x00af9b000000ffffull);
	/* 0x18: data, base 0, limit 4G, D/B=1, P, DPL 0, read/write */
	mv_put64(gdt + MV_BOOT_DS, 0x00cf93000000ffffull);
}

int mv_boot_load(const struct mv_mem *m, const struct mv_kernel *k,
		 const char *cmdline, const uint8_t *initrd, size_t initrd_len,
		 struct mv_boot_entry *out, char *err, size_t errlen)
{
	uint8_t *zp, *dst, *bda, *pml4, *pdpt, *pd, *gdt;
	struct mv_e820 e820[BP_E820_MAX];
	uint64_t kernel_end, run_at, initrd_addr = 0, top;
	size_t hdr_end, clen = strlen(cmdline);
	unsigned int n, i;

	memset(out, 0, sizeof(*out));
	/*
	 * The kernel decompresses itself to max(load address, pref_address)
	 * (rounded to kernel_alignment) and needs init_size bytes there.
	 */
	run_at = k->pref_address > MV_KERNEL ? k->pref_address : MV_KERNEL;
	kernel_end = run_at + k->init_size;
	if (kernel_end < MV_KERNEL + k->pm_len)
		kernel_end = MV_KERNEL + k->pm_len;
	if (kernel_end > m->low) {
		snprintf(err, errlen,
			 "guest RAM too small: the kernel needs RAM up to "
			 "%llu MiB, --mem gives %llu MiB below the PCI hole",
			 (unsigned long long)((kernel_end + MV_MiB - 1) /
					      MV_MiB),
			 (unsigned long long)(m->low / MV_MiB));
		return -1;
	}
	if (clen >= MV_CMDLINE_MAX || clen > k->cmdline_size) {
		snprintf(err, errlen,
			 "command line too long: %zu bytes, the kernel takes "
			 "%u",
			 clen,
			 k->cmdline_size < MV_CMDLINE_MAX - 1
				 ? k->cmdline_size
				 : MV_CMDLINE_MAX - 1);
		return -1;
	}
	if (initrd_len > 0) {
		top = m->low;
		if (top > (uint64_t)k->initrd_addr_max + 1)
			top = (uint64_t)k->initrd_addr_max + 1;
		if (initrd_len > top ||
		    ((top - initrd_len) & ~0xfffull) < kernel_end) {
			snprintf(err, errlen,
				 "guest RAM too small for kernel + initrd: "
				 "the initrd (%zu bytes) must fit between %llu "
				 "MiB and %llu MiB; raise --mem",
				 initrd_len,
				 (unsigned long long)(kernel_end / MV_MiB),
				 (unsigned long long)(top / MV_MiB));
			return -1;
		}
		initrd_addr = (top - initrd_len) & ~0xfffull;
	}

	zp = mv_mem_ptr(m, MV_ZERO_PAGE, BP_SIZE);
	dst = mv_mem_ptr(m, MV_KERNEL, k->pm_len);
	bda = mv_mem_ptr(m, 0, 0x500);
	pml4 = mv_mem_ptr(m, MV_PML4, 4096);
	pdpt = mv_mem_ptr(m, MV_PDPT, 4096);
	pd = mv_mem_ptr(m, MV_PD, 4 * 4096);
	gdt = mv_mem_ptr(m, MV_GDT_ADDR, 32);
	if (!zp || !dst || !bda || !pml4 || !pdpt || !pd || !gdt)
		return fail(err, errlen, "guest RAM too small");

	memcpy(dst, k->pm, k->pm_len);

	/* boot_params: zeroed, then the setup header exactly as in the file. */
	memset(zp, 0, BP_SIZE);
	hdr_end = 0x202u + k->img[BP_JUMP + 1];
	if (hdr_end > BP_HDR_END_MAX)
		hdr_end = BP_HDR_END_MAX;
	if (hdr_end > k->setup_len)
		hdr_end = k->setup_len;
	memcpy(zp + BP_SETUP_SECTS, k->img + BP_SETUP_SECTS,
	       hdr_end - BP_SETUP_SECTS);
	zp[BP_TYPE_OF_LOADER] = BP_LOADER_UNDEFINED;
	zp[BP_SENTINEL] = 0;
	mv_put32(zp + BP_CMD_LINE_PTR, (uint32_t)MV_CMDLINE);
	mv_put32(zp + BP_EXT_CMD_LINE_PTR, 0);
	mv_put32(zp + BP_RAMDISK_IMAGE, (uint32_t)initrd_addr);
	mv_put32(zp + BP_RAMDISK_SIZE, (uint32_t)initrd_len);
	mv_put32(zp + BP_EXT_RAMDISK_IMAGE, 0);
	mv_put32(zp + BP_EXT_RAMDISK_SIZE, 0);

	n = mv_e820_build(m, e820, BP_E820_MAX);
	zp[BP_E820_ENTRIES] = (uint8_t)n;
	for (i = 0; i < n; i++) {
		uint8_t *e = zp + BP_E820_TABLE + 20 * i;

		mv_put64(e, e820[i].addr);
		mv_put64(e + 8, e820[i].size);
		mv_put32(e + 16, e820[i].type);
	}

	dst = mv_mem_ptr(m, MV_CMDLINE, clen + 1);
	if (dst == NULL)
		return fail(err, errlen, "guest RAM too small");
	memcpy(dst, cmdline, clen + 1);

	if (initrd_len > 0) {
		dst = mv_mem_ptr(m, initrd_addr, initrd_len);
		if (dst == NULL)
			return fail(err, errlen, "initrd outside guest RAM");
		memcpy(dst, initrd, initrd_len);
	}

	/* BIOS data area: EBDA segment and base memory size. */
	mv_put16(bda + MV_BDA_EBDA_SEG, (uint16_t)(MV_EBDA >> 4));
	mv_put16(bda + MV_BDA_BASE_KIB, (uint16_t)(MV_EBDA / 1024));

	build_gdt(gdt);
	build_page_tables(pml4, pdpt, pd);

	out->rip = MV_KERNEL + 0x200;
	out->rsi = MV_ZERO_PAGE;
	out->cr3 = MV_PML4;
	out->gdt_base = MV_GDT_ADDR;
	out->gdt_limit = 4 * 8 - 1;
	out->initrd_addr = initrd_addr;
	out->initrd_len = initrd_len;
	return 0;
}
