// SPDX-License-Identifier: BSD-2-Clause
/* Trace line building and parsing (docs/trace-format.md). */
#include "pp_trace_fmt.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool sb_grow(struct pp_sbuf *b, size_t more)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return false;
	if (more > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return false;
	}
	need = b->len + more + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void pp_sb_reset(struct pp_sbuf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void pp_sb_free(struct pp_sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

static void sb_putn(struct pp_sbuf *b, const char *s, size_t n)
{
	if (!sb_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void pp_sb_puts(struct pp_sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

void pp_sb_printf(struct pp_sbuf *b, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		sb_putn(b, small, (size_t)n);
		return;
	}
	if (!sb_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void pp_tev_kind(struct pp_sbuf *b, const char *kind)
{
	pp_sb_puts(b, kind);
}

void pp_tev_u(struct pp_sbuf *b, const char *key, uint64_t v)
{
	pp_sb_printf(b, " %s=%" PRIu64, key, v);
}

void pp_tev_i(struct pp_sbuf *b, const char *key, int64_t v)
{
	pp_sb_printf(b, " %s=%" PRId64, key, v);
}

void pp_tev_x(struct pp_sbuf *b, const char *key, uint64_t v)
{
	pp_sb_printf(b, " %s=0x%" PRIx64, key, v);
}

void pp_tev_word(struct pp_sbuf *b, const char *key, const char *w)
{
	pp_sb_printf(b, " %s=%s", key, w);
}

void pp_tev_str(struct pp_sbuf *b, const char *key, const char *s)
{
	pp_sb_printf(b, " %s=\"", key);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			pp_sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			pp_sb_printf(b, "\\x%02x", c);
		else
			sb_putn(b, (const char *)s, 1);
	}
	sb_putn(b, "\"", 1);
}

void pp_tev_hex(struct pp_sbuf *b, const char *key, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *d = p;
	size_t i;
	char *o;

	pp_sb_printf(b, " %s=", key);
	if (n > (SIZE_MAX / 2) - 1 || !sb_grow(b, 2 * n))
		return;
	o = b->p + b->len;
	for (i = 0; i < n; i++) {
		o[2 * i] = digits[d[i] >> 4];
		o[2 * i + 1] = digits[d[i] & 15];
	}
	b->len += 2 * n;
	b->p[b->len] = '\0';
}

/* ---------------------------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_keychar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Unescape a quoted value in place; @s points after the opening quote. */
static char *parse_quoted(char *s, char **end)
{
	char *w = s, *r = s;

	while (*r && *r != '"') {
		if (*r == '\\') {
			r++;
			if (*r == 'x' && hexval(r[1]) >= 0 &&
			    hexval(r[2]) >= 0) {
				*w++ = (char)(hexval(r[1]) << 4 | hexval(r[2]));
				r += 3;
				continue;
			}
			if (*r == '"' || *r == '\\') {
				*w++ = *r++;
				continue;
			}
			return NULL;
		}
		*w++ = *r++;
	}
	if (*r != '"')
		return NULL;
	*end = r + 1;
	*w = '\0';
	return s;
}

int pp_tline_parse(char *s, bool with_seq, struct pp_tline *out,
		   const char **why)
{
	const char *dummy;
	char *p = s;

	if (why == NULL)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	while (is_space(*p))
		p++;
	if (with_seq) {
		char *e;

		if (*p < '0' || *p > '9') {
			*why = "no sequence number";
			return -EINVAL;
		}
		errno = 0;
		out->seq = strtoull(p, &e, 10);
		if (errno != 0 || e == p || !is_space(*e)) {
			*why = "bad sequence number";
			return -EINVAL;
		}
		out->has_seq = true;
		p = e;
		while (is_space(*p))
			p++;
	}
	if (!is_keychar(*p)) {
		*why = "no event kind";
		return -EINVAL;
	}
	out->kind = p;
	while (is_keychar(*p))
		p++;
	if (*p != '\0' && !is_space(*p)) {
		*why = "bad event kind";
		return -EINVAL;
	}
	if (*p != '\0')
		*p++ = '\0';
	for (;;) {
		char *key, *val;

		while (is_space(*p))
			p++;
		if (*p == '\0')
			break;
		if (out->nf == PP_TLINE_MAX_FIELDS) {
			*why = "too many fields";
			return -EINVAL;
		}
		key = p;
		while (is_keychar(*p))
			p++;
		if (p == key || *p != '=') {
			*why = "field is not key=value";
			return -EINVAL;
		}
		*p++ = '\0';
		if (*p == '"') {
			char *end;

			val = parse_quoted(p + 1, &end);
			if (val == NULL) {
				*why = "bad quoted string";
				return -EINVAL;
			}
			p = end;
			if (*p != '\0' && !is_space(*p)) {
				*why = "garbage after quoted string";
				return -EINVAL;
			}
			if (*p != '\0')
				p++;
		} else {
			val = p;
			while (*p != '\0' && !is_space(*p) && *p != '"')
				p++;
			if (*p == '"') {
				*why = "stray quote";
				return -EINVAL;
			}
			if (*p != '\0')
				*p++ = '\0';
		}
		out->key[out->nf] = key;
		out->val[out->nf] = val;
		out->nf++;
	}
	return 0;
}

const char *pp_tline_get(const struct pp_tline *l, const char *key)
{
	unsigned int i;

	for (i = 0; i < l->nf; i++)
		if (strcmp(l->key[i], key) == 0)
			return l->val[i];
	return NULL;
}

int pp_tline_u64(const struct pp_tline *l, const char *key, uint64_t *v)
{
	const char *s = pp_tline_get(l, key);
	char *e;

	if (s == NULL)
		return -ENOENT;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (hexval((unsigned char)s[2]) < 0)
			return -EINVAL;
		*v = strtoull(s + 2, &e, 16);
	} else {
		*v = strtoull(s, &e, 10);
	}
	if (errno != 0 || *e != '\0')
		return -EINVAL;
	return 0;
}

int pp_tline_i64(const struct pp_tline *l, const char *key, int64_t *v)
{
	const char *s = pp_tline_get(l, key);
	char *e;

	if (s == NULL)
		return -ENOENT;
	if (*s == '\0')
		return -EINVAL;
	errno = 0;
	*v = strtoll(s, &e, 10);
	if (errno != 0 || *e != '\0')
		return -EINVAL;
	return 0;
}

long pp_tline_hexlen(const struct pp_tline *l, const char *key)
{
	const char *s = pp_tline_get(l, key);
	size_t n;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n % 2 != 0 || n / 2 > (size_t)LONG_MAX)
		return -1;
	return (long)(n / 2);
}

int pp_tline_hex(const struct pp_tline *l, const char *key, uint8_t *dst,
		 size_t cap, size_t *len)
{
	const char *s = pp_tline_get(l, key);
	size_t n, i;

	if (s == NULL)
		return -ENOENT;
	n = strlen(s);
	if (n % 2 != 0)
		return -EINVAL;
	if (n / 2 > cap)
		return -E2BIG;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)s[2 * i]);
		int lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		dst[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

void pp_tline_render(const struct pp_tline *l, char *out, size_t n)
{
	size_t used = 0;
	unsigned int i;
	int r;

	if (n == 0)
		return;
	out[0] = '\0';
	r = snprintf(out, n, "%s", l->kind ? l->kind : "?");
	if (r < 0)
		return;
	used = (size_t)r < n ? (size_t)r : n - 1;
	for (i = 0; i < l->nf && used < n - 1; i++) {
		const char *v = l->val[i];
		size_t vl = strlen(v);
		bool quote = false;
		const char *c;

		for (c = v; *c; c++)
			if (*c == ' ' || *c == '"' || *c == '\\')
				quote = true;
		if (vl > 24) {
			bool hex = vl % 2 == 0;

			for (c = v; *c && hex; c++)
				hex = hexval((unsigned char)*c) >= 0;
			if (hex)
				r = snprintf(out + used, n - used,
					     " %s=%.16s...(%zu bytes)",
					     l->key[i], v, vl / 2);
			else
				r = snprintf(out + used, n - used,
					     quote ? " %s=\"%.24s...\""
						   : " %s=%.24s...",
					     l->key[i], v);
		} else {
			r = snprintf(out + used, n - used,
				     quote ? " %s=\"%s\"" : " %s=%s", l->key[i],
				     v);
		}
		if (r < 0)
			break;
		used += (size_t)r < n - used ? (size_t)r : n - used - 1;
	}
}
