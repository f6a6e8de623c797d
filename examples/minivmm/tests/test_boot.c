// SPDX-License-Identifier: BSD-2-Clause
/*
 * minivmm: bzImage parsing and boot_params / e820 / page tables / GDT
 * construction, from a fake bzImage header (no KVM).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <asm/bootparam.h>

#include "boot.h"
#include "le.h"

/* Our offsets are the kernel's UAPI layout. */
_Static_assert(offsetof(struct boot_params, hdr) == BP_SETUP_SECTS, "hdr");
_Static_assert(offsetof(struct boot_params, hdr.boot_flag) == BP_BOOT_FLAG,
	       "boot_flag");
_Static_assert(offsetof(struct boot_params, hdr.header) == BP_HEADER, "hdr");
_Static_assert(offsetof(struct boot_params, hdr.version) == BP_VERSION, "v");
_Static_assert(offsetof(struct boot_params, hdr.type_of_loader) ==
		       BP_TYPE_OF_LOADER,
	       "type_of_loader");
_Static_assert(offsetof(struct boot_params, hdr.loadflags) == BP_LOADFLAGS,
	       "loadflags");
_Static_assert(offsetof(struct boot_params, hdr.ramdisk_image) ==
		       BP_RAMDISK_IMAGE,
	       "ramdisk_image");
_Static_assert(offsetof(struct boot_params, hdr.ramdisk_size) ==
		       BP_RAMDISK_SIZE,
	       "ramdisk_size");
_Static_assert(offsetof(struct boot_params, hdr.cmd_line_ptr) ==
		       BP_CMD_LINE_PTR,
	       "cmd_line_ptr");
_Static_assert(offsetof(struct boot_params, hdr.initrd_addr_max) ==
		       BP_INITRD_ADDR_MAX,
	       "initrd_addr_max");
_Static_assert(offsetof(struct boot_params, hdr.xloadflags) == BP_XLOADFLAGS,
	       "xloadflags");
_Static_assert(offsetof(struct boot_params, hdr.cmdline_size) ==
		       BP_CMDLINE_SIZE,
	       "cmdline_size");
_Static_assert(offsetof(struct boot_params, hdr.pref_address) ==
		       BP_PREF_ADDRESS,
	       "pref_address");
_Static_assert(offsetof(struct boot_params, hdr.init_size) == BP_INIT_SIZE,
	       "init_size");
_Static_assert(offsetof(struct boot_params, ext_ramdisk_image) ==
		       BP_EXT_RAMDISK_IMAGE,
	       "ext_ramdisk_image");
_Static_assert(offsetof(struct boot_params, ext_cmd_line_ptr) ==
		       BP_EXT_CMD_LINE_PTR,
	       "ext_cmd_line_ptr");
_Static_assert(offsetof(struct boot_params, e820_entries) == BP_E820_ENTRIES,
	       "e820_entries");
_Static_assert(offsetof(struct boot_params, sentinel) == BP_SENTINEL,
	       "sentinel");
_Static_assert(offsetof(struct boot_params, e820_table) == BP_E820_TABLE,
	       "e820_table");
_Static_assert(sizeof(struct boot_params) == BP_SIZE, "zero page size");

#define SETUP_SECTS 4u
#define SETUP_LEN   ((SETUP_SECTS + 1) * 512u)
#define PAYLOAD_LEN 65536u
#define IMG_LEN	    (SETUP_LEN + PAYLOAD_LEN)
#define MEM_LEN	    (64u * 1024u * 1024u)

struct fixture {
	uint8_t img[IMG_LEN];
	struct mv_mem mem;
};

static void fake_bzimage(uint8_t *img)
{
	unsigned int i;

	memset(img, 0, IMG_LEN);
	img[BP_SETUP_SECTS] = SETUP_SECTS;
	mv_put16(img + BP_BOOT_FLAG, 0xaa55);
	img[BP_JUMP] = 0xeb;
	img[BP_JUMP + 1] = 0x66; /* header ends at 0x268 */
	mv_put32(img + BP_HEADER, BP_MAGIC_HDRS);
	mv_put16(img + BP_VERSION, 0x020f);
	img[BP_LOADFLAGS] = BP_LOADED_HIGH;
	mv_put32(img + BP_CODE32_START, 0x100000);
	mv_put32(img + BP_INITRD_ADDR_MAX, 0x7fffffff);
	mv_put32(img + BP_KERNEL_ALIGNMENT, 0x200000);
	img[BP_RELOCATABLE] = 1;
	mv_put16(img + BP_XLOADFLAGS, 0x3);
	mv_put32(img + BP_CMDLINE_SIZE, 2047);
	mv_put64(img + BP_PREF_ADDRESS, 0x1000000);
	mv_put32(img + BP_INIT_SIZE, 0x1000000);
	/* Past the header's end: must not reach boot_params. */
	img[0x270] = 0x5a;
	for (i = 0; i < PAYLOAD_LEN; i++)
		img[SETUP_LEN + i] = (uint8_t)(i * 7 + 1);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	fake_bzimage(f->img);
	f->mem.base = calloc(1, MEM_LEN);
	if (f->mem.base == NULL)
		return -1;
	mv_mem_split(&f->mem, MEM_LEN);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem.base);
	free(f);
	return 0;
}

static void test_parse_ok(void **state)
{
	struct fixture *f = *state;
	struct mv_kernel k;
	char err[256];

	assert_int_equal(
		mv_bzimage_parse(f->img, IMG_LEN, &k, err, sizeof(err)), 0);
	assert_int_equal(k.version, 0x020f);
	assert_int_equal(k.setup_len, SETUP_LEN);
	assert_ptr_equal(k.pm, f->img + SETUP_LEN);
	assert_int_equal(k.pm_len, PAYLOAD_LEN);
	assert_int_equal(k.cmdline_size, 2047);
	assert_int_equal(k.initrd_addr_max, 0x7fffffff);
	assert_int_equal(k.init_size, 0x1000000);
	assert_int_equal(k.pref_address, 0x1000000);
}

static void test_parse_setup_sects_zero_means_four(void **state)
{
	struct fixture *f = *state;
	struct mv_kernel k;
	char err[256];

	f->img[BP_SETUP_SECTS] = 0;
	assert_int_equal(
		mv_bzimage_parse(f->img, IMG_LEN, &k, err, sizeof(err)), 0);
	assert_int_equal(k.setup_len, 5 * 512);
}

static void expect_reject(uint8_t *img, size_t len, const char *why)
{
	struct mv_kernel k;
	char err[256];

	assert_int_equal(mv_bzimage_parse(img, len, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, why));
}

static void test_parse_rejects(void **state)
{
	struct fixture *f = *state;

	expect_reject(f->img, 0x100, "too small");
	mv_put16(f->img + BP_BOOT_FLAG, 0x1234);
	expect_reject(f->img, IMG_LEN, "not a Linux bzImage");
	fake_bzimage(f->img);
	mv_put32(f->img + BP_HEADER, 0);
	expect_reject(f->img, IMG_LEN, "not a Linux bzImage");
	fake_bzimage(f->img);
	mv_put16(f->img + BP_VERSION, 0x020b);
	expect_reject(f->img, IMG_LEN, "2.12+");
	fake_bzimage(f->img);
	mv_put16(f->img + BP_XLOADFLAGS, 0);
	expect_reject(f->img, IMG_LEN, "64-bit entry");
	fake_bzimage(f->img);
	f->img[BP_LOADFLAGS] = 0;
	expect_reject(f->img, IMG_LEN, "not a bzImage");
	fake_bzimage(f->img);
	expect_reject(f->img, SETUP_LEN, "truncated");
}

static void test_load_zero_page(void **state)
{
	struct fixture *f = *state;
	static const uint8_t initrd[] = "INITRD-CONTENT";
	const char *cmd = "console=ttyS0 acpi=off";
	struct mv_boot_entry e;
	struct mv_kernel k;
	char err[256];
	uint8_t *zp = f->mem.base + MV_ZERO_PAGE;
	uint32_t rd;

	assert_int_equal(
		mv_bzimage_parse(f->img, IMG_LEN, &k, err, sizeof(err)), 0);
	assert_int_equal(mv_boot_load(&f->mem, &k, cmd, initrd, sizeof(initrd),
				      &e, err, sizeof(err)),
			 0);
	/* The setup header is copied as in the file, up to its end. */
	assert_memory_equal(zp + BP_SETUP_SECTS, f->img + BP_SETUP_SECTS,
			    BP_TYPE_OF_LOADER - BP_SETUP_SECTS);
	assert_int_equal(mv_get16(zp + BP_VERSION), 0x020f);
	assert_int_equal(mv_get32(zp + BP_INIT_SIZE), 0x1000000);
	assert_int_equal(zp[0x270], 0);
	/* Loader fields. */
	assert_int_equal(zp[BP_TYPE_OF_LOADER], 0xff);
	assert_int_equal(zp[BP_SENTINEL], 0);
	assert_int_equal(mv_get32(zp + BP_CMD_LINE_PTR), MV_CMDLINE);
	assert_string_equal((char *)f->mem.base + MV_CMDLINE, cmd);
	rd = mv_get32(zp + BP_RAMDISK_IMAGE);
	assert_int_equal(mv_get32(zp + BP_RAMDISK_SIZE), sizeof(initrd));
	assert_int_equal(rd % 4096, 0);
	assert_true(rd + sizeof(initrd) <= MEM_LEN);
	assert_true(MEM_LEN - rd < 8192); /* at the top of RAM */
	assert_memory_equal(f->mem.base + rd, initrd, sizeof(initrd));
	assert_int_equal(e.initrd_addr, rd);
	assert_int_equal(mv_get32(zp + BP_EXT_RAMDISK_IMAGE), 0);
	/* Kernel payload at 1 MiB. */
	assert_memory_equal(f->mem.base + MV_KERNEL, f->img + SETUP_LEN,
			    PAYLOAD_LEN);
	/* Entry state. */
	assert_int_equal(e.rip, MV_KERNEL + 0x200);
	assert_int_equal(e.rsi, MV_ZERO_PAGE);
	assert_int_equal(e.cr3, MV_PML4);
	assert_int_equal(e.gdt_base, MV_GDT_ADDR);
	assert_int_equal(e.gdt_limit, 31);
}

static void test_load_e820(void **state)
{
	struct fixture *f = *state;
	struct mv_boot_entry e;
	struct mv_kernel k;
	char err[256];
	uint8_t *zp = f->mem.base + MV_ZERO_PAGE, *t = zp + BP_E820_TABLE;
	static const struct mv_e820 want[] = {
		{0, 0x9fc00, E820_RAM},
		{0x9fc00, 0x400, E820_RESERVED},
		{0xf0000, 0x10000, E820_RESERVED},
		{0x100000, MEM_LEN - 0x100000, E820_RAM},
	};
	unsigned int i;

	mv_bzimage_parse(f->img, IMG_LEN, &k, err, sizeof(err));
	assert_int_equal(
		mv_boot_load(&f->mem, &k, "", NULL, 0, &e, err, sizeof(err)),
		0);
	assert_int_equal(zp[BP_E820_ENTRIES], 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(mv_get64(t + 20 * i), want[i].addr);
		assert_int_equal(mv_get64(t + 20 * i + 8), want[i].size);
		assert_int_equal(mv_get32(t + 20 * i + 16), want[i].type);
	}
	/* No initrd: image and size 0. */
	assert_int_equal(mv_get32(zp + BP_RAMDISK_IMAGE), 0);
	assert_int_equal(mv_get32(zp + BP_RAMDISK_SIZE), 0);
}

static void test_e820_above_4g(void **state)
{
	struct mv_mem m = {0};
	struct mv_e820 e[8];

	(void)state;
	mv_mem_split(&m, 5 * MV_GiB);
	assert_int_equal(m.low, 3 * MV_GiB);
	assert_int_equal(m.high, 2 * MV_GiB);
	assert_int_equal(mv_e820_build(&m, e, 8), 5);
	assert_int_equal(e[3].addr, MV_KERNEL);
	assert_int_equal(e[3].addr + e[3].size, MV_PCI_HOLE);
	assert_int_equal(e[4].addr, MV_4G);
	assert_int_equal(e[4].size, 2 * MV_GiB);
	assert_int_equal(e[4].type, E820_RAM);
	assert_int_equal(mv_e820_build(&m, e, 2), 2);
}

static void test_mem_ptr_bounds(void **state)
{
	struct mv_mem m = {0};
	uint8_t *base;

	(void)state;
	/* Address space only: nothing is touched. */
	base = mmap(NULL, 5 * MV_GiB, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(base != MAP_FAILED);
	m.base = base;
	mv_mem_split(&m, 5 * MV_GiB);
	assert_non_null(mv_mem_ptr(&m, 0, 16));
	assert_non_null(mv_mem_ptr(&m, MV_PCI_HOLE - 16, 16));
	assert_null(mv_mem_ptr(&m, MV_PCI_HOLE - 16, 17)); /* into the hole */
	assert_null(mv_mem_ptr(&m, MV_PCI_HOLE, 1));
	assert_null(mv_mem_ptr(&m, 0xfee00000, 4)); /* local APIC */
	assert_non_null(mv_mem_ptr(&m, MV_4G, 4096));
	assert_ptr_equal(mv_mem_ptr(&m, MV_4G, 1), base + 3 * MV_GiB);
	assert_non_null(mv_mem_ptr(&m, MV_4G + 2 * MV_GiB - 1, 1));
	assert_null(mv_mem_ptr(&m, MV_4G + 2 * MV_GiB - 1, 2));
	assert_null(mv_mem_ptr(&m, MV_4G + 2 * MV_GiB, 1));
	assert_null(mv_mem_ptr(&m, UINT64_MAX, 2));
	assert_null(mv_mem_ptr(&m, 0, UINT64_MAX));
	munmap(base, 5 * MV_GiB);
}

static void test_page_tables_and_gdt(void **state)
{
	struct fixture *f = *state;
	struct mv_boot_entry e;
	struct mv_kernel k;
	char err[256];
	const uint8_t *pml4 = f->mem.base + MV_PML4;
	const uint8_t *pdpt = f->mem.base + MV_PDPT;
	const uint8_t *pd = f->mem.base + MV_PD;
	const uint8_t *gdt = f->mem.base + MV_GDT_ADDR;
	const uint8_t *bda = f->mem.base;
	unsigned int i;

	mv_bzimage_parse(f->img, IMG_LEN, &k, err, sizeof(err));
	assert_int_equal(
		mv_boot_load(&f->mem, &k, "x", NULL, 0, &e, err, sizeof(err)),
		0);
	assert_int_equal(mv_get64(pml4), MV_PDPT | 3);
	for (i = 1; i < 512; i++)
		assert_int_equal(mv_get64(pml4 + 8 * i), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(mv_get64(pdpt + 8 * i),
				 (MV_PD + 4096 * i) | 3);
	assert_int_equal(mv_get64(pdpt + 32), 0);
	/* Identity: entry n maps n * 2 MiB, up to 4 GiB. */
	assert_int_equal(mv_get64(pd), 0x83);
	assert_int_equal(mv_get64(pd + 8 * 1), 0x200083);
	assert_int_equal(mv_get64(pd + 8 * 2047), (2047ull << 21) | 0x83);
	/* GDT: null, null, 64-bit code at 0x10, data at 0x18. */
	assert_int_equal(mv_get64(gdt), 0);
	assert_int_equal(mv_get64(gdt + 8), 0);
	assert_int_equal(mv_get64(gdt + MV_BOOT_CS), 0x00af9b000000ffffull);
	assert_int_equal(mv_get64(gdt + MV_BOOT_DS), 0x00cf93000000ffffull);
	/* BIOS data area: EBDA at 0x9fc00, 639 KiB of base memory. */
	assert_int_equal(mv_get16(bda + 0x40e), 0x9fc0);
	assert_int_equal(mv_get16(bda + 0x413), 639);
}

static void test_load_errors(void **state)
{
	struct fixture *f = *state;
	struct mv_boot_entry e;
	struct mv_kernel k;
	char err[256], big[3000];
	uint8_t *huge;

	mv_bzimage_parse(f->img, IMG_LEN, &k, err, sizeof(err));
	/* Kernel does not fit: init_size beyond RAM. */
	k.init_size = MEM_LEN;
	assert_int_equal(
		mv_boot_load(&f->mem, &k, "", NULL, 0, &e, err, sizeof(err)),
		-1);
	assert_non_null(strstr(err, "RAM too small"));
	k.init_size = 0x1000000;
	/* Command line longer than cmdline_size. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(
		mv_boot_load(&f->mem, &k, big, NULL, 0, &e, err, sizeof(err)),
		-1);
	assert_non_null(strstr(err, "command line too long"));
	/* An initrd that would overlap the decompressed kernel. */
	huge = calloc(1, MEM_LEN - 0x1800000);
	assert_non_null(huge);
	assert_int_equal(mv_boot_load(&f->mem, &k, "", huge,
				      MEM_LEN - 0x1800000, &e, err,
				      sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "raise --mem"));
	free(huge);
	/* initrd_addr_max caps the initrd's end. */
	k.initrd_addr_max = 0x2ffffff;
	assert_int_equal(mv_boot_load(&f->mem, &k, "", (const uint8_t *)"x", 1,
				      &e, err, sizeof(err)),
			 0);
	assert_true(e.initrd_addr + 1 <= 0x3000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_parse_setup_sects_zero_means_four, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_parse_rejects, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_zero_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_e820, setup,
						teardown),
		cmocka_unit_test(test_e820_above_4g),
		cmocka_unit_test(test_mem_ptr_bounds),
		cmocka_unit_test_setup_teardown(test_page_tables_and_gdt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("minivmm_boot", tests, NULL, NULL);
}
