/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Writes the bench's halt-only BIOS: 64 KiB of HLT (0xF4) with
 * "cli; hlt; jmp $-1" at the reset vector (offset 0xFFF0). The vCPU halts
 * forever with interrupts off, so QEMU runs only its device models.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	static unsigned char img[65536];
	static const unsigned char reset[] = {0xfa, 0xf4, 0xeb, 0xfd};
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT\n", argv[0]);
		return 2;
	}
	memset(img, 0xf4, sizeof(img));
	memcpy(img + 0xfff0, reset, sizeof(reset));
	f = fopen(argv[1], "wb");
	if (!f || fwrite(img, 1, sizeof(img), f) != sizeof(img) ||
	    fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
