/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerRate:
 *
 * A number of calls in a unit of time.
 *
 * A rate keeps the number and unit it was made with, so fractional rates lose
 * nothing: one call a day stays one call a day rather than being rounded to a
 * whole number of calls an hour.
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * g_autoptr(PacerRate) rate = pacer_rate_new_per_minute (90, &error);
 * g_autofree char *text = pacer_rate_to_string (rate);   // "90 calls per minute"
 * double per_second = pacer_rate_get_calls_per_second (rate);   // 1.5
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pacer-error.h"
#include "pacer-glib-private.h"
#include "pacer-rate.h"

typedef enum {
  UNIT_SECOND,
  UNIT_MINUTE,
  UNIT_HOUR,
  UNIT_DAY,
} Unit;

static const double unit_seconds[] = { 1, 60, 3600, 86400 };

struct _PacerRate
{
  double calls;   /* as given, per unit */
  Unit unit;
};

G_DEFINE_BOXED_TYPE (PacerRate, pacer_rate, pacer_rate_copy, pacer_rate_free)

static PacerRate *
rate_new (double   calls,
          Unit     unit,
          GError **error)
{
  PacerRate *self;

  _pacer_ensure_i18n ();

  if (!isfinite (calls) || calls <= 0 || !isfinite (calls / unit_seconds[unit]) ||
      calls / unit_seconds[unit] <= 0)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("A rate must be a finite number of calls greater than zero, not %g"), calls);
      return NULL;
    }

  self = g_new0 (PacerRate, 1);
  self->calls = calls;
  self->unit = unit;
  return self;
}

/**
 * pacer_rate_new_per_second:
 * @calls: calls per second, greater than zero
 * @error: return location for a [type@GLib.Error]
 *
 * Makes a rate of @calls calls per second.
 *
 * Returns: (transfer full) (nullable): a new rate, or `NULL` with
 *   `PACER_ERROR_INVALID_ARGUMENT` if @calls is zero, negative, NaN or infinite
 *
 * Since: 1.0
 */
PacerRate *
pacer_rate_new_per_second (double   calls,
                           GError **error)
{
  return rate_new (calls, UNIT_SECOND, error);
}

/**
 * pacer_rate_new_per_minute:
 * @calls: calls per minute, greater than zero
 * @error: return location for a [type@GLib.Error]
 *
 * Makes a rate of @calls calls per minute.
 *
 * Returns: (transfer full) (nullable): a new rate, or `NULL` with
 *   `PACER_ERROR_INVALID_ARGUMENT` if @calls is zero, negative, NaN or infinite
 *
 * Since: 1.0
 */
PacerRate *
pacer_rate_new_per_minute (double   calls,
                           GError **error)
{
  return rate_new (calls, UNIT_MINUTE, error);
}

/**
 * pacer_rate_new_per_hour:
 * @calls: calls per hour, greater than zero
 * @error: return location for a [type@GLib.Error]
 *
 * Makes a rate of @calls calls per hour.
 *
 * Returns: (transfer full) (nullable): a new rate, or `NULL` with
 *   `PACER_ERROR_INVALID_ARGUMENT` if @calls is zero, negative, NaN or infinite
 *
 * Since: 1.0
 */
PacerRate *
pacer_rate_new_per_hour (double   calls,
                         GError **error)
{
  return rate_new (calls, UNIT_HOUR, error);
}

/**
 * pacer_rate_new_per_day:
 * @calls: calls per day, greater than zero
 * @error: return location for a [type@GLib.Error]
 *
 * Makes a rate of @calls calls per day. Any fraction is kept: a rate of one
 * call a day paces one call every 86 400 seconds.
 *
 * Returns: (transfer full) (nullable): a new rate, or `NULL` with
 *   `PACER_ERROR_INVALID_ARGUMENT` if @calls is zero, negative, NaN or infinite
 *
 * Since: 1.0
 */
PacerRate *
pacer_rate_new_per_day (double   calls,
                        GError **error)
{
  return rate_new (calls, UNIT_DAY, error);
}

static gboolean
parse_unit (const char *word,
            Unit       *unit)
{
  static const struct { const char *name; Unit unit; } names[] = {
    { "s", UNIT_SECOND }, { "sec", UNIT_SECOND }, { "second", UNIT_SECOND },
    { "m", UNIT_MINUTE }, { "min", UNIT_MINUTE }, { "minute", UNIT_MINUTE },
    { "h", UNIT_HOUR }, { "hour", UNIT_HOUR },
    { "d", UNIT_DAY }, { "day", UNIT_DAY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (word, names[i].name))
      {
        *unit = names[i].unit;
        return TRUE;
      }
  return FALSE;
}

/**
 * pacer_rate_parse:
 * @text: a rate such as "10/s", "90/min" or "2.5 calls per minute"
 * @error: return location for a [type@GLib.Error]
 *
 * Reads a rate from text: a number, then `/` or the word "per" (optionally
 * after "call" or "calls"), then a unit: `s`, `sec`, `second`, `m`, `min`,
 * `minute`, `h`, `hour`, `d` or `day`. The number is read in the C locale, and
 * so are the words: this reads what [method@Pacer.Rate.to_string] writes when
 * no translation is in use, which makes it fit for configuration files and
 * command lines.
 *
 * Returns: (transfer full) (nullable): a new rate, or `NULL` with
 *   `PACER_ERROR_INVALID_ARGUMENT` if @text is not a rate or its number is not
 *   greater than zero
 *
 * Since: 1.0
 */
PacerRate *
pacer_rate_parse (const char  *text,
                  GError     **error)
{
  g_autofree char *copy = NULL;
  g_autofree char *shown = NULL;
  g_auto(GStrv) words = NULL;
  char *number_end = NULL;
  const char *unit_word = NULL;
  double calls;
  Unit unit;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _pacer_ensure_i18n ();

  /* "10/s" and "10 / s" read as "10 per s". */
  copy = g_strdup (text);
  g_strdelimit (copy, "/", ' ');
  words = g_strsplit_set (g_strstrip (copy), " \t", -1);

  /* Empty strings come from repeated spaces; drop them in place. */
  {
    guint kept = 0;

    for (guint i = 0; words[i] != NULL; i++)
      if (*words[i] != '\0')
        words[kept++] = words[i];
      else
        g_free (words[i]);
    words[kept] = NULL;
  }

  if (words[0] != NULL)
    {
      guint n = g_strv_length (words);

      calls = g_ascii_strtod (words[0], &number_end);
      if (n == 2 && strchr (text, '/') != NULL)
        unit_word = words[1];
      else if (n == 3 && g_str_equal (words[1], "per"))
        unit_word = words[2];
      else if (n == 4 && (g_str_equal (words[1], "call") || g_str_equal (words[1], "calls")) &&
               g_str_equal (words[2], "per"))
        unit_word = words[3];
    }

  /* A GError message is UTF-8, whatever a configuration file held. */
  shown = g_utf8_make_valid (text, -1);

  if (unit_word == NULL || number_end == words[0] || *number_end != '\0' || !parse_unit (unit_word, &unit))
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a rate: write a number of calls and a unit, such as “10/s” or “90 per minute”"),
                   shown);
      return NULL;
    }

  if (!isfinite (calls) || calls <= 0)
    {
      g_set_error (error, PACER_ERROR, PACER_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a rate: the number of calls must be finite and greater than zero"),
                   shown);
      return NULL;
    }

  return rate_new (calls, unit, error);
}

/**
 * pacer_rate_copy:
 * @self: a rate
 *
 * Copies a rate.
 *
 * Returns: (transfer full): a copy of @self
 *
 * Since: 1.0
 */
PacerRate *
pacer_rate_copy (const PacerRate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

/**
 * pacer_rate_free:
 * @self: (transfer full): a rate
 *
 * Frees a rate.
 *
 * Since: 1.0
 */
void
pacer_rate_free (PacerRate *self)
{
  g_free (self);
}

/**
 * pacer_rate_get_calls_per_second:
 * @self: a rate
 *
 * Gets the rate in calls per second.
 *
 * Returns: calls per second, always greater than zero
 *
 * Since: 1.0
 */
double
pacer_rate_get_calls_per_second (const PacerRate *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->calls / unit_seconds[self->unit];
}

/**
 * pacer_rate_get_calls_per_hour:
 * @self: a rate
 *
 * Gets the rate in calls per hour, with any fraction kept.
 *
 * Returns: calls per hour, always greater than zero
 *
 * Since: 1.0
 */
double
pacer_rate_get_calls_per_hour (const PacerRate *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->calls * (3600 / unit_seconds[self->unit]);
}

/**
 * pacer_rate_get_interval:
 * @self: a rate
 *
 * Gets the time between two calls at this rate.
 *
 * Returns: seconds between calls
 *
 * Since: 1.0
 */
double
pacer_rate_get_interval (const PacerRate *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return unit_seconds[self->unit] / self->calls;
}

/**
 * pacer_rate_equal:
 * @a: a rate
 * @b: another rate
 *
 * Whether two rates pace calls identically, whatever units they were made in.
 *
 * Returns: `TRUE` if @a and @b are the same number of calls per second
 *
 * Since: 1.0
 */
gboolean
pacer_rate_equal (const PacerRate *a,
                  const PacerRate *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return pacer_rate_get_calls_per_second (a) == pacer_rate_get_calls_per_second (b);
}

/**
 * pacer_rate_to_string:
 * @self: a rate
 *
 * Describes the rate in the unit it was made with, such as "2.5 calls per minute".
 *
 * Returns: (transfer full): a newly allocated description
 *
 * Since: 1.0
 */
char *
pacer_rate_to_string (const PacerRate *self)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean one;

  g_return_val_if_fail (self != NULL, NULL);

  _pacer_ensure_i18n ();

  /* %.15g keeps every digit a double holds without showing binary noise. */
  g_ascii_formatd (number, sizeof number, "%.15g", self->calls);
  one = self->calls == 1;

  switch (self->unit)
    {
    case UNIT_SECOND:
      return g_strdup_printf (one ? _("%s call per second") : _("%s calls per second"), number);
    case UNIT_MINUTE:
      return g_strdup_printf (one ? _("%s call per minute") : _("%s calls per minute"), number);
    case UNIT_HOUR:
      return g_strdup_printf (one ? _("%s call per hour") : _("%s calls per hour"), number);
    case UNIT_DAY:
      return g_strdup_printf (one ? _("%s call per day") : _("%s calls per day"), number);
    default:
      g_assert_not_reached ();
    }
}
