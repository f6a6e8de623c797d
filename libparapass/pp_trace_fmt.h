/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trace text format helpers (docs/trace-format.md): building one event line
 * and parsing one back. Shared by the recorder, the replayer and pp-trace.
 *
 * An event line is "SEQ KIND key=value key=value ...". A value is a bare
 * token (numbers, words, hex data) or a double-quoted string with \" \\ and
 * \xNN escapes.
 */
#ifndef PP_TRACE_FMT_H
#define PP_TRACE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PP_TRACE_MAGIC	 "pp-trace"
#define PP_TRACE_VERSION 1

/* A growable string; @oom is sticky. */
struct pp_sbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

void pp_sb_reset(struct pp_sbuf *b);
void pp_sb_free(struct pp_sbuf *b);
void pp_sb_puts(struct pp_sbuf *b, const char *s);
void pp_sb_printf(struct pp_sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Field writers: each appends " key=value". */
void pp_tev_kind(struct pp_sbuf *b, const char *kind);
void pp_tev_u(struct pp_sbuf *b, const char *key, uint64_t v); /* decimal */
void pp_tev_i(struct pp_sbuf *b, const char *key, int64_t v);  /* signed */
void pp_tev_x(struct pp_sbuf *b, const char *key, uint64_t v); /* 0x hex */
void pp_tev_word(struct pp_sbuf *b, const char *key, const char *w);
void pp_tev_str(struct pp_sbuf *b, const char *key, const char *s);
void pp_tev_hex(struct pp_sbuf *b, const char *key, const void *p, size_t n);

#define PP_TLINE_MAX_FIELDS 24

/* A parsed line; all strings point into the parsed buffer. */
struct pp_tline {
	bool has_seq;
	uint64_t seq;
	const char *kind;
	unsigned int nf;
	const char *key[PP_TLINE_MAX_FIELDS];
	const char *val[PP_TLINE_MAX_FIELDS];
};

/*
 * Parse @s in place. @with_seq: the line starts with a sequence number.
 * Returns 0 or -EINVAL (with a reason in @why, if not NULL).
 */
int pp_tline_parse(char *s, bool with_seq, struct pp_tline *out,
		   const char **why);
const char *pp_tline_get(const struct pp_tline *l, const char *key);
/* 0, -ENOENT (no such key) or -EINVAL (not a number). */
int pp_tline_u64(const struct pp_tline *l, const char *key, uint64_t *v);
int pp_tline_i64(const struct pp_tline *l, const char *key, int64_t *v);
/*
 * Decode hex field @key into @dst (capacity @cap); *len gets the byte
 * count. -ENOENT, -EINVAL (odd length, bad digit) or -E2BIG.
 */
int pp_tline_hex(const struct pp_tline *l, const char *key, uint8_t *dst,
		 size_t cap, size_t *len);
/* Number of bytes in hex field @key, or -1. */
long pp_tline_hexlen(const struct pp_tline *l, const char *key);

/*
 * Human-readable rendering for messages: long values are shortened
 * ("0a1b2c3d4e5f...(1514 bytes)"). Always NUL-terminates @out.
 */
void pp_tline_render(const struct pp_tline *l, char *out, size_t n);

#endif /* PP_TRACE_FMT_H */
