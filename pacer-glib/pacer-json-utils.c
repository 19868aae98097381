/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Working around json-glib 1.6 where pacer-glib's JSON is read back.
 *
 * json-glib 1.6 writes a double as g_ascii_dtostr() does and appends ".0" when
 * that has no decimal point, so 1e-08 comes out as "1e-08.0": text no JSON
 * parser accepts, json-glib's own included. A duration history, a shared
 * state file or a report holding such a number could not be read back.
 * Dropping the ".0" after an exponent gives the number exactly as meant. */

#include "config.h"

#include <math.h>
#include <string.h>

#include "pacer-json-utils-private.h"

static gboolean
is_number_char (char c)
{
  return g_ascii_isdigit (c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

gsize
_pacer_json_repair_numbers (char  *text,
                            gsize  length)
{
  gsize in = 0, out = 0;
  gboolean in_string = FALSE;

  while (in < length)
    {
      char c = text[in];

      if (in_string)
        {
          text[out++] = text[in++];
          if (c == '\\' && in < length)
            text[out++] = text[in++];
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        {
          in_string = TRUE;
          text[out++] = text[in++];
          continue;
        }
      if (g_ascii_isdigit (c) || c == '-')
        {
          gsize start = in, end = in;
          const char *exponent;

          while (end < length && is_number_char (text[end]))
            end++;
          exponent = memchr (text + start, 'e', end - start);
          if (exponent == NULL)
            exponent = memchr (text + start, 'E', end - start);
          /* A point after the exponent: only json-glib's ".0" puts one there. */
          if (exponent != NULL && end - start >= 2 && text[end - 2] == '.' && text[end - 1] == '0' &&
              exponent < text + end - 2)
            {
              memmove (text + out, text + start, end - 2 - start);
              out += end - 2 - start;
            }
          else
            {
              memmove (text + out, text + start, end - start);
              out += end - start;
            }
          in = end;
          continue;
        }
      text[out++] = text[in++];
    }

  if (out < length)
    text[out] = '\0';
  return out;
}

static JsonNode *
value_member (JsonObject *object,
              const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? node : NULL;
}

const char *
_pacer_json_get_string (JsonObject *object,
                        const char *member,
                        const char *fallback)
{
  JsonNode *node = value_member (object, member);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node)
                                                                         : fallback;
}

gint64
_pacer_json_get_int (JsonObject *object,
                     const char *member,
                     gint64      fallback)
{
  JsonNode *node = value_member (object, member);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node)
                                                                        : fallback;
}

JsonObject *
_pacer_json_get_object (JsonObject *object,
                        const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Member names are JSON Pointer-escaped (RFC 6901), so the path names one
 * place however odd the names are. */
static gboolean
find_non_finite (JsonNode *node,
                 GString  *path)
{
  gsize length = path->len;

  if (JSON_NODE_HOLDS_VALUE (node))
    return json_node_get_value_type (node) == G_TYPE_DOUBLE && !isfinite (json_node_get_double (node));

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_string_append_printf (path, "/%u", i);
          if (find_non_finite (json_array_get_element (array, i), path))
            return TRUE;
          g_string_truncate (path, length);
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *child;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &member, &child))
        {
          g_string_append_c (path, '/');
          for (const char *p = member; *p != '\0'; p++)
            if (*p == '~')
              g_string_append (path, "~0");
            else if (*p == '/')
              g_string_append (path, "~1");
            else
              g_string_append_c (path, *p);
          if (find_non_finite (child, path))
            return TRUE;
          g_string_truncate (path, length);
        }
    }
  return FALSE;
}

char *
_pacer_json_find_non_finite (JsonNode *node)
{
  g_autoptr(GString) path = g_string_new (NULL);

  if (!find_non_finite (node, path))
    return NULL;
  return path->len > 0 ? g_string_free (g_steal_pointer (&path), FALSE) : g_strdup ("/");
}
