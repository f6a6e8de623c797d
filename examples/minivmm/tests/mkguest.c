// SPDX-License-Identifier: BSD-2-Clause
/*
 * Writes a tiny fake bzImage for minivmm's smoke test: a valid setup
 * header (boot protocol 2.15, 64-bit entry) whose payload is a few
 * hand-assembled x86-64 instructions at the 64-bit entry point (+0x200).
 * The guest checks what the boot protocol promises and reports on ttyS0.
 *
 *   mkguest OUT ok      print "OK", then "P" if 00:00.0 is minivmm's host
 *                       bridge, "B" if RSI points at boot_params
 *                       (type_of_loader 0xff), "L" if running in long
 *                       mode with CS 0x10, then reset through port 0x64
 *   mkguest OUT triple  #UD with an empty IDT: a triple fault
 *   mkguest OUT spin    print "S" and loop forever (for SIGTERM)
 *   mkguest OUT cf9     print "R" and reset through port 0xcf9
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SETUP_LEN   (5 * 512)
#define PAYLOAD_LEN 4096

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* mov dx, 0x3f8; mov al, c; out dx, al */
#define PUTC(c) 0x66, 0xba, 0xf8, 0x03, 0xb0, (c), 0xee

static const uint8_t code_ok[] = {
	PUTC('O'),
	PUTC('K'),
	PUTC(' '),
	/* mov dx, 0xcf8; mov eax, 0x80000000; out dx, eax */
	0x66,
	0xba,
	0xf8,
	0x0c,
	0xb8,
	0x00,
	0x00,
	0x00,
	0x80,
	0xef,
	/* mov dx, 0xcfc; in eax, dx; cmp eax, 0x00081b36; jne +7 */
	0x66,
	0xba,
	0xfc,
	0x0c,
	0xed,
	0x3d,
	0x36,
	0x1b,
	0x08,
	0x00,
	0x75,
	0x07,
	PUTC('P'),
	/* cmp byte [rsi + 0x210], 0xff; jne +7 */
	0x80,
	0xbe,
	0x10,
	0x02,
	0x00,
	0x00,
	0xff,
	0x75,
	0x07,
	PUTC('B'),
	/* mov ax, cs; cmp ax, 0x10; jne +7 */
	0x66,
	0x8c,
	0xc8,
	0x66,
	0x83,
	0xf8,
	0x10,
	0x75,
	0x07,
	PUTC('L'),
	PUTC('\n'),
	/* mov al, 0xfe; out 0x64, al; hlt; jmp $-1 */
	0xb0,
	0xfe,
	0xe6,
	0x64,
	0xf4,
	0xeb,
	0xfd,
};

static const uint8_t code_triple[] = {
	PUTC('T'), PUTC('\n'), 0x0f, 0x0b, /* ud2 */
};

static const uint8_t code_spin[] = {
	PUTC('S'), PUTC('\n'), 0xeb, 0xfe, /* jmp $ */
};

static const uint8_t code_cf9[] = {
	PUTC('R'),
	PUTC('\n'),
	/* mov dx, 0xcf9; mov al, 0x06; out dx, al; jmp $ */
	0x66,
	0xba,
	0xf9,
	0x0c,
	0xb0,
	0x06,
	0xee,
	0xeb,
	0xfe,
};

int main(int argc, char **argv)
{
	static uint8_t img[SETUP_LEN + PAYLOAD_LEN];
	const uint8_t *code;
	size_t len;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: mkguest OUT ok|triple|spin|cf9\n");
		return 2;
	}
	if (strcmp(argv[2], "ok") == 0) {
		code = code_ok;
		len = sizeof(code_ok);
	} else if (strcmp(argv[2], "triple") == 0) {
		code = code_triple;
		len = sizeof(code_triple);
	} else if (strcmp(argv[2], "spin") == 0) {
		code = code_spin;
		len = sizeof(code_spin);
	} else if (strcmp(argv[2], "cf9") == 0) {
		code = code_cf9;
		len = sizeof(code_cf9);
	} else {
		fprintf(stderr, "mkguest: unknown variant %s\n", argv[2]);
		return 2;
	}
	memset(img, 0, sizeof(img));
	img[0x1f1] = 4;		    /* setup_sects */
	put16(img + 0x1fe, 0xaa55); /* boot_flag */
	img[0x200] = 0xeb;	    /* jump over the header */
	img[0x201] = 0x66;
	put32(img + 0x202, 0x53726448); /* "HdrS" */
	put16(img + 0x206, 0x020f);	/* protocol 2.15 */
	img[0x211] = 0x01;		/* LOADED_HIGH */
	put32(img + 0x22c, 0x7fffffff); /* initrd_addr_max */
	put32(img + 0x230, 0x200000);	/* kernel_alignment */
	put16(img + 0x236, 0x0001);	/* XLF_KERNEL_64 */
	put32(img + 0x238, 2047);	/* cmdline_size */
	put32(img + 0x258, 0x100000);	/* pref_address */
	put32(img + 0x260, 0x10000);	/* init_size */
	memcpy(img + SETUP_LEN + 0x200, code, len);
	f = fopen(argv[1], "wb");
	if (f == NULL || fwrite(img, sizeof(img), 1, f) != 1 ||
	    fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
