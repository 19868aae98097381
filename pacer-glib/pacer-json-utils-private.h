/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Repairs, in place, what json-glib 1.6 writes for a double that prints as one
 * digit and an exponent ("1e-08.0"), so the text parses again; returns the new
 * length and keeps the text NUL-terminated. Call it on every generated JSON
 * text that is read back. */
gsize       _pacer_json_repair_numbers (char        *text,
                                        gsize        length);

/* JSON has no infinity and no NaN, yet json-glib 1.6 reads a number too large
 * for a double ("1e999") as infinity and writes it back as "inf", text nobody
 * can parse. Returns the JSON Pointer of the first such number under @node,
 * or NULL when there is none. */
char       *_pacer_json_find_non_finite (JsonNode   *node);

/* Members of JSON that other processes wrote, read without trust: json-glib's
 * *_with_default() getters fail a precondition on an object or an array where
 * a value should be, and convert a double to an integer however large. These
 * give @fallback for anything but a string, and an integer written as one. */
const char *_pacer_json_get_string     (JsonObject  *object,
                                        const char  *member,
                                        const char  *fallback);
gint64      _pacer_json_get_int        (JsonObject  *object,
                                        const char  *member,
                                        gint64       fallback);
/* A member that is an object, or NULL. */
JsonObject *_pacer_json_get_object     (JsonObject  *object,
                                        const char  *member);

G_END_DECLS
