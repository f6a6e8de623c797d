/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test-vector files and hex helpers shared by the test suites.
 *
 * Format of a vector file (tests/vectors/\*.txt):
 *
 *   # comment (whole line; every file starts with a header naming its source)
 *   [case name]              starts a case; the name is what sits between []
 *   field = value            hex, decimal or text; the reader keeps the string
 *           more value       a line starting with white space continues the
 *                            previous field's value (joined with one space)
 *
 * Hex values may contain white space. Files are found in $PP_VECTORS_DIR
 * (set by meson to tests/vectors), or in TV_DEFAULT_DIR when the variable is
 * not set.
 */
#ifndef PP_TESTS_TV_H
#define PP_TESTS_TV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tv_field {
	char *name;
	char *value;
};

struct tv_case {
	char *name;
	struct tv_field *fields;
	size_t n_fields;
	unsigned int line; /* line of the [case] header, for messages */
};

struct tv_file {
	char *path;
	struct tv_case *cases;
	size_t n_cases;
};

/*
 * Decode hex digits (white space ignored) into @out. Returns the number of
 * bytes, or -1 on an odd digit count, a non-hex character or overflow.
 */
ssize_t tv_hex_decode(const char *hex, uint8_t *out, size_t cap);

/* Encode @len bytes as lower-case hex into @out (2 * len + 1 bytes). */
void tv_hex_encode(const uint8_t *in, size_t len, char *out);

/* Full path of vector file @name; free() it. */
char *tv_path(const char *name);

/* Parse a vector file; NULL (with a message on stderr) on error. */
struct tv_file *tv_load(const char *name);
void tv_free(struct tv_file *f);

const struct tv_case *tv_case_find(const struct tv_file *f, const char *name);

/* Value of @field in @c, or NULL. */
const char *tv_str(const struct tv_case *c, const char *field);

/*
 * Decode hex field @field into @out. Returns the length, or -1 when the
 * field is missing or not valid hex (a message goes to stderr).
 */
ssize_t tv_bytes(const struct tv_case *c, const char *field, uint8_t *out,
		 size_t cap);

/*
 * Numeric field: "0x..." is hex, otherwise decimal. Returns false when the
 * field is missing or not a number.
 */
bool tv_u64(const struct tv_case *c, const char *field, uint64_t *out);

/*
 * Big-endian integer from a hex field of 1..8 bytes (e.g. "spi = 00004321",
 * "seq = 8765432100000000"). Returns false on error; *nbytes gets the
 * field's byte count when not NULL.
 */
bool tv_be(const struct tv_case *c, const char *field, uint64_t *out,
	   size_t *nbytes);

/* Print "label: hex" to stderr (for assertion messages). */
void tv_dump(const char *label, const uint8_t *p, size_t len);

#endif /* PP_TESTS_TV_H */
