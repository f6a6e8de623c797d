/* SPDX-License-Identifier: BSD-2-Clause */
/* Test-vector file reader and hex helpers; see tv.h for the file format. */
#include "tv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TV_DEFAULT_DIR
#define TV_DEFAULT_DIR "tests/vectors"
#endif

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

ssize_t tv_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (isspace((unsigned char)*hex))
			continue;
		v = hexval((unsigned char)*hex);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (ssize_t)n : -1;
}

void tv_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

char *tv_path(const char *name)
{
	const char *dir = getenv("PP_VECTORS_DIR");
	size_t n;
	char *p;

	if (dir == NULL || *dir == '\0')
		dir = TV_DEFAULT_DIR;
	n = strlen(dir) + strlen(name) + 2;
	p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL) {
		fprintf(stderr, "tv: out of memory\n");
		abort();
	}
	return d;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		fprintf(stderr, "tv: out of memory\n");
		abort();
	}
	return q;
}

static bool append_value(struct tv_field *fl, const char *more)
{
	size_t a = strlen(fl->value), b = strlen(more);
	char *v = xrealloc(fl->value, a + b + 2);

	v[a] = ' ';
	memcpy(v + a + 1, more, b + 1);
	fl->value = v;
	return true;
}

struct tv_file *tv_load(const char *name)
{
	struct tv_file *f;
	struct tv_case *cur = NULL;
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	FILE *fp;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->path = tv_path(name);
	fp = f->path ? fopen(f->path, "r") : NULL;
	if (fp == NULL) {
		fprintf(stderr, "tv: cannot open %s: %s (set PP_VECTORS_DIR)\n",
			f->path ? f->path : name, strerror(errno));
		tv_free(f);
		return NULL;
	}
	while (getline(&line, &cap, fp) >= 0) {
		bool cont = line[0] == ' ' || line[0] == '\t';
		char *s = trim(line), *eq;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');

			if (e == NULL)
				goto syntax;
			*e = '\0';
			f->cases = xrealloc(f->cases,
					    (f->n_cases + 1) * sizeof(*f->cases));
			cur = &f->cases[f->n_cases++];
			memset(cur, 0, sizeof(*cur));
			cur->name = xstrdup(trim(s + 1));
			cur->line = lineno;
			continue;
		}
		if (cur == NULL)
			goto syntax;
		if (cont && cur->n_fields > 0 && strchr(s, '=') == NULL) {
			append_value(&cur->fields[cur->n_fields - 1], s);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL)
			goto syntax;
		*eq = '\0';
		cur->fields = xrealloc(cur->fields, (cur->n_fields + 1) *
							    sizeof(*cur->fields));
		cur->fields[cur->n_fields].name = xstrdup(trim(s));
		cur->fields[cur->n_fields].value = xstrdup(trim(eq + 1));
		cur->n_fields++;
	}
	free(line);
	fclose(fp);
	return f;
syntax:
	fprintf(stderr, "tv: %s:%u: syntax error\n", f->path, lineno);
	free(line);
	fclose(fp);
	tv_free(f);
	return NULL;
}

void tv_free(struct tv_file *f)
{
	size_t i, j;

	if (f == NULL)
		return;
	for (i = 0; i < f->n_cases; i++) {
		for (j = 0; j < f->cases[i].n_fields; j++) {
			free(f->cases[i].fields[j].name);
			free(f->cases[i].fields[j].value);
		}
		free(f->cases[i].fields);
		free(f->cases[i].name);
	}
	free(f->cases);
	free(f->path);
	free(f);
}

const struct tv_case *tv_case_find(const struct tv_file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n_cases; i++)
		if (strcmp(f->cases[i].name, name) == 0)
			return &f->cases[i];
	return NULL;
}

const char *tv_str(const struct tv_case *c, const char *field)
{
	size_t i;

	for (i = 0; i < c->n_fields; i++)
		if (strcmp(c->fields[i].name, field) == 0)
			return c->fields[i].value;
	return NULL;
}

ssize_t tv_bytes(const struct tv_case *c, const char *field, uint8_t *out,
		 size_t cap)
{
	const char *v = tv_str(c, field);
	ssize_t n;

	if (v == NULL) {
		fprintf(stderr, "tv: [%s] has no field '%s'\n", c->name,
			field);
		return -1;
	}
	n = tv_hex_decode(v, out, cap);
	if (n < 0)
		fprintf(stderr, "tv: [%s] field '%s' is not hex or too long\n",
			c->name, field);
	return n;
}

bool tv_u64(const struct tv_case *c, const char *field, uint64_t *out)
{
	const char *v = tv_str(c, field);
	char *end;

	if (v == NULL || *v == '\0')
		return false;
	errno = 0;
	*out = strtoull(v, &end, 0);
	return errno == 0 && *end == '\0';
}

bool tv_be(const struct tv_case *c, const char *field, uint64_t *out,
	   size_t *nbytes)
{
	uint8_t b[8];
	ssize_t n = tv_bytes(c, field, b, sizeof(b));
	ssize_t i;

	if (n <= 0)
		return false;
	*out = 0;
	for (i = 0; i < n; i++)
		*out = *out << 8 | b[i];
	if (nbytes != NULL)
		*nbytes = (size_t)n;
	return true;
}

void tv_dump(const char *label, const uint8_t *p, size_t len)
{
	size_t i;

	fprintf(stderr, "%s (%zu):", label, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 ? "" : "\n  ", p[i]);
	fputc('\n', stderr);
}
