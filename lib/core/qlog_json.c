/*
 * qlog_json.c - JSON text for qlog's records (qlog_json.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qlog_json.h"

void
hecat__json_put(struct hecat__json *b, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap == 0 ? 1024 : b->cap;
		while (b->len + n + 1 > cap)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
hecat__json_putf(struct hecat__json *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		hecat__json_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		    sizeof(tmp) - 1);
}

/* A JSON string: quotes, escapes, control bytes as \u00XX. */
void
hecat__json_str(struct hecat__json *b, const char *s)
{
	char esc[8];

	hecat__json_put(b, "\"", 1);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			hecat__json_put(b, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			hecat__json_put(b, esc, 6);
		} else
			hecat__json_put(b, (const char *)&c, 1);
	}
	hecat__json_put(b, "\"", 1);
}

/* A member's key (or an array element's place), with its comma. */
void
hecat__json_key(struct hecat__json *b, const char *k)
{
	if (b->comma[b->depth])
		hecat__json_put(b, ",", 1);
	b->comma[b->depth] = true;
	if (k != NULL) {
		hecat__json_str(b, k);
		hecat__json_put(b, ":", 1);
	}
}

void
hecat__json_open(struct hecat__json *b, const char *k, char brace)
{
	hecat__json_key(b, k);
	hecat__json_put(b, &brace, 1);
	if (b->depth + 1 < HECAT__JSON_DEPTH)
		b->comma[++b->depth] = false;
}

void
hecat__json_close(struct hecat__json *b, char brace)
{
	hecat__json_put(b, &brace, 1);
	if (b->depth > 0)
		b->depth--;
}

void
hecat__json_kstr(struct hecat__json *b, const char *k, const char *v)
{
	hecat__json_key(b, k);
	hecat__json_str(b, v);
}

void
hecat__json_kuint(struct hecat__json *b, const char *k, uint64_t v)
{
	hecat__json_key(b, k);
	hecat__json_putf(b, "%llu", (unsigned long long)v);
}

void
hecat__json_kbool(struct hecat__json *b, const char *k, bool v)
{
	hecat__json_key(b, k);
	hecat__json_put(b, v ? "true" : "false", v ? 4 : 5);
}

void
hecat__json_reset(struct hecat__json *b)
{
	b->len = 0;
	b->oom = false;
	b->depth = 0;
	b->comma[0] = false;
}
