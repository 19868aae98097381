/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* One test process: spawn it in its own process group, read its TAP as it
 * arrives, time each test, and tell the runner what each requested test did.
 *
 * GTest runs `-p` passes in argv order and prints a plan line at the end of
 * each pass, so the k-th plan line closes the k-th pass. A pass is one test
 * (`-p P`) or most of a suite (`-p SUITE -s …`); its requested tests come in
 * listing order. A pass that ends with a requested test unreported ran a path
 * the program does not have. A process that dies mid-pass leaves the test it
 * was running without a result: the runner blames it.
 *
 * A GTest program also writes binary records to `--GTestLogFD`, and its
 * STOP_CASE record carries the test's elapsed time by GTest's own clock.
 * That is what a test costs, whenever the controller got round to reading:
 * a 1 s test read in one chunk with the fast tests after it must not look
 * fast to the duration history. GTest writes START_CASE before a test and
 * STOP_CASE just after its TAP line, on another pipe; so on each result line
 * the log pipe is drained first, and a test whose START_CASE came but whose
 * STOP_CASE has not yet waits in a backlog, with every line after it. A
 * program that writes no records (no START_CASE before its result), a
 * corrupt stream, or a record that never comes falls back to timing by the
 * arrival of lines: a test starts when the one before it ends (or its
 * suite's `# Start of` line arrives) and ends with its result. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "pacer-batch-private.h"
#include "pacer-tap-parser-private.h"

#define READ_SIZE 65536
/* A test's output is kept as its first OUTPUT_HEAD and last OUTPUT_TAIL
 * bytes: enough to explain a failure (g_assert() and GTest say why at the
 * end), and the runner keeps every result's output until its reports are
 * written, so this is paid once per test. */
#define OUTPUT_HEAD (64 * 1024)
#define OUTPUT_TAIL (192 * 1024)
/* A line longer than this is no TAP line GTest writes: it is output, taken
 * in pieces as it comes, never buffered whole. */
#define MAX_LINE (64 * 1024)
/* Lines held while a result waits for its GTest log record: a test that
 * prints this much meanwhile is not worth the wait. */
#define MAX_BACKLOG (1024 * 1024)
#define GRACE_SECONDS 2
/* A grandchild that left the process group may hold stdout open for ever. */
#define EOF_WAIT_MSEC 1000
/* The fd a test process writes its GTest log records to. */
#define LOG_FD 3
/* Records are a few dozen bytes: a small buffer on the stack is enough. */
#define LOG_READ_SIZE 16384
/* GTest writes a STOP_CASE record right after its TAP line; one this late
 * will not come (the test closed the fd, or something else writes there). */
#define RECORD_WAIT_MSEC 1000

/* A stdout line read while an earlier result waits for its record. */
typedef enum
{
  LINE_WHOLE,          /* a line, to parse as TAP */
  LINE_PIECE,          /* a piece of an overlong line: output as it is */
  LINE_LAST_PIECE,     /* its last piece, which ends the line */
} LineKind;

typedef struct
{
  gint64 now;
  LineKind kind;
  gsize length;
  char text[];
} HeldLine;

/* Timers go to the context the batch was made in: a sync run iterates its own. */
static guint
add_timeout (PacerBatch  *batch,
             guint        msec,
             GSourceFunc  func)
{
  GSource *source = g_timeout_source_new (msec);
  guint id;

  g_source_set_callback (source, func, batch, NULL);
  id = g_source_attach (source, batch->context);
  g_source_unref (source);
  return id;
}

void
_pacer_child_setup (gpointer user_data)
{
  pid_t runner = GPOINTER_TO_INT (user_data);

  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* A runner that died between fork() and prctl() sends no signal any more:
   * this process was re-parented already, and must not run on alone. */
  if (runner != 0 && getppid () != runner)
    raise (SIGKILL);
}

PacerBatch *
_pacer_batch_new (guint                  slot,
                  GArray                *tests,
                  char                 **paths,
                  guint                 *pass_end,
                  guint                  n_passes,
                  gboolean               whole,
                  PacerBatchResultFunc   result_func,
                  PacerBatchStartedFunc  started_func,
                  PacerBatchDoneFunc     done_func,
                  gpointer               user_data)
{
  PacerBatch *batch = g_new0 (PacerBatch, 1);

  batch->ref_count = 1;
  batch->startup = -1;
  batch->tap_plan = -1;
  batch->context = g_main_context_ref_thread_default ();
  batch->slot = slot;
  batch->tests = g_array_ref (tests);
  batch->paths = paths;
  batch->whole = whole;
  if (pass_end != NULL)
    {
      batch->pass_end = pass_end;
      batch->n_passes = n_passes;
    }
  else
    {
      /* One -p pass per test. */
      batch->pass_end = g_new (guint, tests->len);
      batch->n_passes = tests->len;
      for (guint i = 0; i < tests->len; i++)
        batch->pass_end[i] = i + 1;
    }
  batch->index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < tests->len; i++)
    g_hash_table_insert (batch->index, paths[i], GUINT_TO_POINTER (i + 1));
  batch->reported = g_new0 (gboolean, tests->len);
  batch->missing = g_new0 (gboolean, tests->len);
  batch->case_elapsed = g_new (double, tests->len);
  for (guint i = 0; i < tests->len; i++)
    batch->case_elapsed[i] = -1;
  batch->case_depth = g_new0 (guint, tests->len);
  batch->case_started = g_new0 (gint64, tests->len);
  g_queue_init (&batch->backlog);
  batch->log_fd = -1;
  batch->result_func = result_func;
  batch->started_func = started_func;
  batch->done_func = done_func;
  batch->user_data = user_data;
  batch->cancellable = g_cancellable_new ();
  batch->partial = g_string_new (NULL);
  _pacer_output_buffer_init (&batch->output, OUTPUT_HEAD, OUTPUT_TAIL);

  return batch;
}

static void
clear_source (PacerBatch *batch,
              guint      *id)
{
  if (*id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (batch->context, *id);

      if (source != NULL)
        g_source_destroy (source);
      *id = 0;
    }
}

static PacerBatch *
batch_ref (PacerBatch *batch)
{
  batch->ref_count++;
  return batch;
}

/* A pending read holds a reference, so a cancelled read can still complete
 * after the runner let go of the batch. */
void
_pacer_batch_unref (PacerBatch *batch)
{
  if (batch == NULL || --batch->ref_count > 0)
    return;

  g_cancellable_cancel (batch->cancellable);
  clear_source (batch, &batch->grace_source);
  clear_source (batch, &batch->eof_source);
  clear_source (batch, &batch->backlog_source);
  g_queue_clear_full (&batch->backlog, g_free);
  g_array_unref (batch->tests);
  g_hash_table_unref (batch->index);
  g_free (batch->pass_end);
  g_strfreev (batch->paths);
  g_free (batch->reported);
  g_free (batch->missing);
  g_free (batch->case_elapsed);
  g_free (batch->case_depth);
  g_free (batch->case_started);
  g_free (batch->bail_reason);
  g_free (batch->last_output);
  g_clear_object (&batch->process);
  g_clear_object (&batch->stdout_pipe);
  clear_source (batch, &batch->log_source);
  if (batch->log_fd >= 0)
    close (batch->log_fd);
  g_clear_pointer (&batch->log_decoder, _pacer_gtest_log_decoder_free);
  g_clear_object (&batch->cancellable);
  g_main_context_unref (batch->context);
  g_free (batch->buffer);
  g_string_free (batch->partial, TRUE);
  _pacer_output_buffer_clear (&batch->output);
  g_free (batch);
}

static void
append_output (PacerBatch *batch,
               const char *text,
               gsize       length)
{
  _pacer_output_buffer_append (&batch->output, text, length);
}

/* GTest's suite markers and seed line say nothing about a test. */
static gboolean
is_gtest_noise (const char *line)
{
  return g_str_has_prefix (line, "# Start of ") ||
         g_str_has_prefix (line, "# End of ") ||
         g_str_has_prefix (line, "# random seed:");
}

static double
elapsed (PacerBatch *batch,
         gint64      now)
{
  return (now - batch->event_time) / (double) G_USEC_PER_SEC;
}

/* When a busy controller reads several results at once, the time since the
 * chunk's first event is shared out evenly, not all given to the first
 * result: the history then ranks tests by their real cost, not by when the
 * controller happened to look. */
static double
result_duration (PacerBatch *batch,
                 gint64      now)
{
  gint64 since = batch->event_time;
  double seconds;

  /* The first suite's start came in this very chunk: when it really began is
   * unknown, somewhere since the previous read. Take the widest bound, so a
   * busy controller overestimates (and batches cautiously), never times a
   * test at 0. */
  if (batch->start_in_chunk)
    {
      since = batch->last_read_time;
      batch->start_in_chunk = FALSE;
    }

  if (batch->chunk_results > 1)
    {
      gint64 from = MIN (batch->chunk_time, since);

      seconds = (now - from) / (double) batch->chunk_results;
      /* The chunk's results take its time one after the other, so a
       * timeline shows them side by side, not stacked. The count is rough
       * (a line begun in the previous read is not in it): a result beyond
       * it keeps its share, for the history must not learn that a test is
       * short when nobody saw it be, and may overlap the one before a
       * little in the reports. */
      batch->result_start = CLAMP (MAX (from, batch->result_end), from, now - (gint64) seconds);
    }
  else
    {
      seconds = now - since;
      batch->result_start = since;
    }
  batch->result_end = batch->result_start + (gint64) seconds;
  return seconds / G_USEC_PER_SEC;
}

static guint
pass_start (PacerBatch *batch,
            guint       pass)
{
  return pass == 0 ? 0 : batch->pass_end[pass - 1];
}

/* The test the process is running now: the first without a result in the
 * current pass, or G_MAXUINT between passes and after the last. */
static guint
current_position (PacerBatch *batch)
{
  guint end;

  if (batch->pass >= batch->n_passes)
    return G_MAXUINT;
  /* Results come in order within a pass, so the cursor only moves forward:
   * a pass of 1000 tests must not cost 1000² steps. */
  end = batch->pass_end[batch->pass];
  if (batch->cursor < pass_start (batch, batch->pass))
    batch->cursor = pass_start (batch, batch->pass);
  while (batch->cursor < end && batch->reported[batch->cursor])
    batch->cursor++;
  return batch->cursor < end ? batch->cursor : G_MAXUINT;
}

static void
begin_test (PacerBatch *batch,
            gint64      now)
{
  guint position = current_position (batch);

  batch->event_time = now;
  if (!batch->whole && position != G_MAXUINT && batch->started_func != NULL)
    batch->started_func (batch, position, batch->user_data);
}

static PacerTestOutcome
outcome_of (const PacerTapLine *line)
{
  if (line->directive == PACER_TAP_DIRECTIVE_SKIP)
    return PACER_TEST_OUTCOME_SKIP;
  /* g_test_incomplete() prints `not ok # TODO`: not done, not failed. */
  if (line->directive == PACER_TAP_DIRECTIVE_TODO)
    return PACER_TEST_OUTCOME_SKIP;
  return line->ok ? PACER_TEST_OUTCOME_PASS : PACER_TEST_OUTCOME_FAIL;
}

/* The requested test of the current pass a result line is about, or
 * G_MAXUINT: `-x P/` and `-s` print SKIP lines for tests nobody asked for,
 * and a stray line must not put a result on the wrong test. A message after
 * the path is returned in @message. */
static guint
result_position (PacerBatch          *batch,
                 const PacerTapLine  *line,
                 char               **message)
{
  gpointer found;
  const char *dash;
  guint position;

  found = line->description != NULL ? g_hash_table_lookup (batch->index, line->description) : NULL;
  if (found == NULL && line->description != NULL && (dash = strstr (line->description, " - ")) != NULL)
    {
      /* g_test_fail_printf() and g_test_skip_printf() print `PATH - MESSAGE`. */
      g_autofree char *path = g_strndup (line->description, dash - line->description);

      found = g_hash_table_lookup (batch->index, path);
      if (found != NULL && message != NULL)
        *message = g_strdup (dash + 3);
    }
  if (found == NULL || batch->pass >= batch->n_passes)
    return G_MAXUINT;
  position = GPOINTER_TO_UINT (found) - 1;
  if (position < pass_start (batch, batch->pass) || position >= batch->pass_end[batch->pass] ||
      batch->reported[position])
    return G_MAXUINT;
  return position;
}

static void read_log (PacerBatch *batch);

/* Whether the result for @position must wait for GTest's record of it: the
 * test started by the records and has not stopped yet. */
static gboolean
awaits_record (PacerBatch *batch,
               guint       position)
{
  if (position == G_MAXUINT || batch->case_elapsed[position] >= 0)
    return FALSE;
  /* Everything GTest wrote before this line is in the pipe by now. */
  read_log (batch);
  return !batch->log_eof && !batch->log_lost && batch->case_depth[position] > 0 &&
         batch->case_elapsed[position] < 0;
}

/* GTest's elapsed time, placed where it can have been: it ended before its
 * result line was read, began before its START_CASE record was read, and
 * after the test before it ended. A result read late ends too late, and
 * when the next test's line says that cannot be, the next one overlaps it a
 * little: a result never ends after the runner heard of it. */
static double
recorded_duration (PacerBatch *batch,
                   guint       position,
                   gint64      now)
{
  double seconds = batch->case_elapsed[position];
  gint64 usec = (gint64) (seconds * G_USEC_PER_SEC);
  gint64 latest = now - usec;
  gint64 start = latest;

  if (batch->case_started[position] > 0)
    start = MIN (start, batch->case_started[position]);
  batch->result_start = MIN (MAX (start, batch->result_end), latest);
  batch->result_end = batch->result_start + usec;
  batch->start_in_chunk = FALSE;
  return seconds;
}

/* @position is the line's result_position(), and @path_message (taken) the
 * message it found after the path. */
static void
handle_result (PacerBatch         *batch,
               const PacerTapLine *line,
               guint               position,
               char               *path_message,
               gint64              now)
{
  PacerTestOutcome outcome = outcome_of (line);
  g_autofree char *message = NULL;
  g_autofree char *owned_path_message = path_message;
  g_autofree char *output = NULL;
  double duration;

  if (line->directive == PACER_TAP_DIRECTIVE_TODO)
    message = g_strdup_printf (_("incomplete: %s"), line->reason ? line->reason : "");
  else if (line->reason != NULL)
    message = g_strdup (line->reason);

  if (batch->whole)
    {
      batch->n_tap_results++;
      if (outcome == PACER_TEST_OUTCOME_FAIL)
        batch->n_tap_failures++;
      output = _pacer_output_buffer_dup (&batch->output);
      batch->result_start = batch->event_time;
      batch->result_func (batch, G_MAXUINT, line->description, outcome, elapsed (batch, now),
                          message, output, batch->user_data);
      _pacer_output_buffer_reset (&batch->output);
      batch->event_time = now;
      return;
    }

  if (position == G_MAXUINT)
    return;
  if (message == NULL)
    message = g_steal_pointer (&owned_path_message);

  duration = batch->case_elapsed[position] >= 0 ? recorded_duration (batch, position, now)
                                                 : result_duration (batch, now);
  batch->reported[position] = TRUE;
  output = _pacer_output_buffer_dup (&batch->output);
  batch->result_func (batch, position, batch->paths[position], outcome,
                      duration, message, output, batch->user_data);
  _pacer_output_buffer_reset (&batch->output);
  g_clear_pointer (&batch->bail_reason, g_free);
  begin_test (batch, now);
}

/* FALSE if @line is a result that must wait for its record; nothing has
 * been done with it then. */
static gboolean
process_line (PacerBatch *batch,
              const char *line,
              gsize       length,
              LineKind    kind,
              gint64      now)
{
  PacerTapLine tap;
  guint position = G_MAXUINT;
  char *path_message = NULL;

  if (kind != LINE_WHOLE)
    {
      append_output (batch, line, length);
      if (kind == LINE_LAST_PIECE)
        append_output (batch, "\n", 1);
      return TRUE;
    }

  if (batch->ignore_tap)
    {
      append_output (batch, line, length);
      append_output (batch, "\n", 1);
      return TRUE;
    }

  _pacer_tap_parse_line (line, &tap);
  if (tap.kind == PACER_TAP_LINE_RESULT && !batch->whole)
    {
      position = result_position (batch, &tap, &path_message);
      if (awaits_record (batch, position))
        {
          g_free (path_message);
          _pacer_tap_line_clear (&tap);
          return FALSE;
        }
    }

  if (tap.prefix != NULL && *tap.prefix != '\0')
    {
      append_output (batch, tap.prefix, strlen (tap.prefix));
      append_output (batch, "\n", 1);
    }

  switch (tap.kind)
    {
    case PACER_TAP_LINE_RESULT:
      handle_result (batch, &tap, position, path_message, now);
      break;

    case PACER_TAP_LINE_PLAN:
      /* The end of a -p pass; a whole program's plan is checked at its end. */
      if (batch->whole)
        batch->tap_plan = (gint64) MIN (tap.number, (guint64) G_MAXINT64);
      else if (batch->pass < batch->n_passes)
        {
          for (guint i = pass_start (batch, batch->pass); i < batch->pass_end[batch->pass]; i++)
            if (!batch->reported[i])
              batch->missing[i] = TRUE;
          batch->pass++;
          begin_test (batch, now);
        }
      break;

    case PACER_TAP_LINE_BAIL_OUT:
      g_free (batch->bail_reason);
      batch->bail_reason = g_strdup (tap.reason ? tap.reason : _("Bail out!"));
      append_output (batch, line, length);
      append_output (batch, "\n", 1);
      break;

    case PACER_TAP_LINE_VERSION:
      break;

    case PACER_TAP_LINE_OTHER:
    default:
      /* The first suite starts after the program registered its tests: time
       * the first test from here, not from process start. Later passes keep
       * the previous result as their start, so that a controller too busy
       * to read lines one by one shifts time between tests but never loses
       * it. */
      if (!batch->timed_start && g_str_has_prefix (line, "# Start of "))
        {
          batch->timed_start = TRUE;
          batch->startup = (now - batch->spawn_time) / (double) G_USEC_PER_SEC;
          batch->event_time = now;
          batch->chunk_time = now;
          batch->start_in_chunk = TRUE;
        }
      if (!is_gtest_noise (line))
        {
          append_output (batch, line, length);
          append_output (batch, "\n", 1);
        }
      break;
    }

  _pacer_tap_line_clear (&tap);
  return TRUE;
}

static gboolean on_record_overdue (gpointer user_data);

/* Lines go through in order: once one waits, the rest wait behind it. */
static void
release_backlog (PacerBatch *batch)
{
  HeldLine *held;
  gboolean moved = FALSE;

  while ((held = g_queue_peek_head (&batch->backlog)) != NULL &&
         process_line (batch, held->text, held->length, held->kind, held->now))
    {
      batch->backlog_bytes -= held->length;
      g_free (g_queue_pop_head (&batch->backlog));
      moved = TRUE;
    }

  /* The wait is for the record of the line at the head, so it starts again
   * only when a new line is there. */
  if (g_queue_is_empty (&batch->backlog) || moved)
    clear_source (batch, &batch->backlog_source);
  if (!g_queue_is_empty (&batch->backlog) && batch->backlog_source == 0)
    batch->backlog_source = add_timeout (batch, RECORD_WAIT_MSEC, on_record_overdue);
}

static void
handle_line (PacerBatch *batch,
             const char *line,
             gsize       length,
             LineKind    kind,
             gint64      now)
{
  HeldLine *held;

  if (!batch->started)
    {
      /* The first line comes once g_test_init() and registration are done. */
      batch->started = TRUE;
      begin_test (batch, now);
    }

  if (g_queue_is_empty (&batch->backlog) && process_line (batch, line, length, kind, now))
    return;

  held = g_malloc (sizeof (HeldLine) + length + 1);
  held->now = now;
  held->kind = kind;
  held->length = length;
  memcpy (held->text, line, length);
  held->text[length] = '\0';
  g_queue_push_tail (&batch->backlog, held);
  batch->backlog_bytes += length;

  /* The record is late and the test prints on: holding everything it prints
   * until the record comes would cost unbounded memory. */
  if (batch->backlog_bytes > MAX_BACKLOG)
    {
      g_debug ("%" G_GSIZE_FORMAT " bytes wait for a GTest log record: timing by lines",
               batch->backlog_bytes);
      batch->log_lost = TRUE;
      release_backlog (batch);
      return;
    }
  if (batch->backlog_source == 0)
    batch->backlog_source = add_timeout (batch, RECORD_WAIT_MSEC, on_record_overdue);
}

static void maybe_done (PacerBatch *batch);
static void read_more (PacerBatch *batch);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PacerBatch) batch = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  gint64 now = g_get_monotonic_time ();
  gsize start = 0;

  if (batch->eof)
    return;  /* given up on already: the pipe was held open too long */

  if (n <= 0)
    {
      if (batch->overlong)
        handle_line (batch, "", 0, LINE_LAST_PIECE, now);
      else if (batch->partial->len > 0)
        handle_line (batch, batch->partial->str, batch->partial->len, LINE_WHOLE, now);
      g_string_truncate (batch->partial, 0);
      batch->overlong = FALSE;
      batch->eof = TRUE;
      maybe_done (batch);
      return;
    }

  /* Count the results in this chunk, roughly, to share its time out. */
  batch->chunk_time = batch->event_time;
  batch->chunk_results = 0;
  for (gssize i = 0; i + 3 < n; i++)
    if ((i == 0 || batch->buffer[i - 1] == '\n') &&
        (strncmp (batch->buffer + i, "ok ", 3) == 0 || (i + 7 < n && strncmp (batch->buffer + i, "not ok ", 7) == 0)))
      batch->chunk_results++;

  for (gssize i = 0; i < n; i++)
    {
      char *newline = memchr (batch->buffer + i, '\n', n - i);

      if (newline == NULL)
        break;
      i = newline - batch->buffer;
      if (batch->overlong)
        {
          handle_line (batch, batch->buffer + start, i - start, LINE_LAST_PIECE, now);
          batch->overlong = FALSE;
        }
      else if (batch->partial->len > 0)
        {
          g_string_append_len (batch->partial, batch->buffer + start, i - start);
          handle_line (batch, batch->partial->str, batch->partial->len, LINE_WHOLE, now);
          g_string_truncate (batch->partial, 0);
        }
      else
        {
          batch->buffer[i] = '\0';
          handle_line (batch, batch->buffer + start, i - start, LINE_WHOLE, now);
        }
      start = i + 1;
    }

  /* A line without end (a test printing megabytes without a newline) is
   * passed on in pieces as output once it is too long to be TAP, rather
   * than kept growing; its rest follows as it comes. */
  if (batch->overlong)
    {
      if ((gsize) n > start)
        handle_line (batch, batch->buffer + start, n - start, LINE_PIECE, now);
    }
  else
    {
      g_string_append_len (batch->partial, batch->buffer + start, n - start);
      if (batch->partial->len > MAX_LINE)
        {
          handle_line (batch, batch->partial->str, batch->partial->len, LINE_PIECE, now);
          g_string_truncate (batch->partial, 0);
          batch->overlong = TRUE;
        }
    }
  batch->last_read_time = now;
  batch->start_in_chunk = FALSE;

  read_more (batch);
}

static void
read_more (PacerBatch *batch)
{
  g_input_stream_read_async (batch->stdout_pipe, batch->buffer, READ_SIZE,
                             G_PRIORITY_DEFAULT, batch->cancellable, on_read, batch_ref (batch));
}

static gboolean
on_record_overdue (gpointer user_data)
{
  PacerBatch *batch = user_data;

  batch->backlog_source = 0;
  g_debug ("no GTest log record for a result after %d ms: timing by lines", RECORD_WAIT_MSEC);
  batch->log_lost = TRUE;
  release_backlog (batch);
  maybe_done (batch);
  return G_SOURCE_REMOVE;
}

static void
handle_record (PacerBatch                *batch,
               const PacerGTestLogRecord *record,
               gint64                     now)
{
  gpointer found;
  guint position;

  if (record->type != PACER_GTEST_LOG_START_CASE && record->type != PACER_GTEST_LOG_STOP_CASE)
    return;
  found = record->strings[0] != NULL ? g_hash_table_lookup (batch->index, record->strings[0]) : NULL;
  if (found == NULL)
    return;
  position = GPOINTER_TO_UINT (found) - 1;

  /* A g_test_trap_subprocess() child inherits the fd and writes its own
   * START_CASE and STOP_CASE for the same path inside the parent's: the
   * outermost pair is the test. */
  if (record->type == PACER_GTEST_LOG_START_CASE)
    {
      if (batch->case_depth[position]++ == 0)
        batch->case_started[position] = now;
    }
  else if (batch->case_depth[position] > 0 && --batch->case_depth[position] == 0 &&
           record->n_nums > PACER_GTEST_LOG_STOP_ELAPSED)
    {
      double seconds = record->nums[PACER_GTEST_LOG_STOP_ELAPSED];

      if (isfinite (seconds) && seconds >= 0)
        batch->case_elapsed[position] = seconds;
    }
}

static void
close_log (PacerBatch *batch)
{
  batch->log_eof = TRUE;
  clear_source (batch, &batch->log_source);
  if (batch->log_fd >= 0)
    close (batch->log_fd);
  batch->log_fd = -1;
}

/* Reads what the log pipe holds now, without waiting. */
static void
read_log (PacerBatch *batch)
{
  guint8 buffer[LOG_READ_SIZE];
  gint64 now = g_get_monotonic_time ();

  while (batch->log_fd >= 0)
    {
      gssize n = read (batch->log_fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n <= 0)
        {
          close_log (batch);
          return;
        }

      /* A corrupt stream is still drained, or the test would block writing. */
      if (!batch->log_lost)
        {
          PacerGTestLogRecord record;
          g_autoptr(GError) error = NULL;

          _pacer_gtest_log_decoder_feed (batch->log_decoder, buffer, n);
          while (_pacer_gtest_log_decoder_next (batch->log_decoder, &record, &error))
            {
              handle_record (batch, &record, now);
              _pacer_gtest_log_record_clear (&record);
            }
          if (error != NULL)
            {
              g_debug ("%s: timing by lines", error->message);
              batch->log_lost = TRUE;
            }
        }
    }
}

static gboolean
on_log_ready (int          fd,
              GIOCondition condition,
              gpointer     user_data)
{
  PacerBatch *batch = user_data;
  gboolean log_eof;

  read_log (batch);
  if (batch->log_eof)
    batch->log_source = 0;
  /* maybe_done() may hand the batch to its end, which frees it. */
  log_eof = batch->log_eof;
  release_backlog (batch);
  maybe_done (batch);
  return log_eof ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
kill_group (PacerBatch *batch,
            int         sig)
{
  if (batch->pgid > 0 && killpg (batch->pgid, sig) != 0 && errno != ESRCH)
    g_debug ("killpg (%d, %d): %s", (int) batch->pgid, sig, g_strerror (errno));
}

static gboolean
on_eof_wait_over (gpointer user_data)
{
  PacerBatch *batch = user_data;

  batch->eof_source = 0;
  if (!batch->eof || !batch->log_eof)
    {
      /* Something outside the process group still holds a pipe. */
      batch->eof = TRUE;
      close_log (batch);
      g_cancellable_cancel (batch->cancellable);
      release_backlog (batch);
      maybe_done (batch);
    }
  return G_SOURCE_REMOVE;
}

static void
on_wait (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PacerBatch) batch = user_data;
  GSubprocess *process = G_SUBPROCESS (source);

  g_subprocess_wait_finish (process, result, NULL);

  batch->exited = TRUE;
  batch->signaled = g_subprocess_get_if_signaled (process);
  if (batch->signaled)
    batch->term_sig = g_subprocess_get_term_sig (process);
  else
    batch->exit_status = g_subprocess_get_exit_status (process);

  /* Whatever the test left running in its group goes with it: no orphans. */
  kill_group (batch, SIGKILL);
  clear_source (batch, &batch->grace_source);

  if (!batch->eof || !batch->log_eof)
    batch->eof_source = add_timeout (batch, EOF_WAIT_MSEC, on_eof_wait_over);
  maybe_done (batch);
}

static void
maybe_done (PacerBatch *batch)
{
  if (!batch->exited || !batch->eof || !batch->log_eof || !g_queue_is_empty (&batch->backlog) ||
      batch->done)
    return;

  batch->done = TRUE;
  clear_source (batch, &batch->eof_source);
  batch->last_output = _pacer_output_buffer_dup (&batch->output);
  batch->last_duration = batch->started ? elapsed (batch, g_get_monotonic_time ()) : 0;
  batch->result_start = batch->event_time;
  batch->done_func (batch, batch->user_data);
}

gboolean
_pacer_batch_start (PacerBatch           *batch,
                    GSubprocessLauncher  *launcher,
                    const char * const   *argv,
                    GError              **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full_argv = NULL;
  const char *pid_text;
  int log_fds[2] = { -1, -1 };

  g_strv_builder_addv (builder, (const char **) argv);
  if (batch->whole)
    batch->log_eof = TRUE;
  else
    {
      /* The launcher closes our copy of the write end, so EOF comes when the
       * test process and whatever it started are gone. `--tap` must come
       * after `--GTestLogFD`, which turns TAP off. */
      if (!g_unix_open_pipe (log_fds, FD_CLOEXEC, error) ||
          !g_unix_set_fd_nonblocking (log_fds[0], TRUE, error))
        {
          if (log_fds[0] >= 0)
            {
              close (log_fds[0]);
              close (log_fds[1]);
            }
          return FALSE;
        }
      g_subprocess_launcher_take_fd (launcher, log_fds[1], LOG_FD);
      g_strv_builder_add_many (builder, "--GTestLogFD", G_STRINGIFY (LOG_FD), "--tap", NULL);
      batch->log_fd = log_fds[0];
      batch->log_decoder = _pacer_gtest_log_decoder_new ();
    }
  full_argv = g_strv_builder_end (builder);

  batch->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) full_argv, error);
  if (batch->process == NULL)
    return FALSE;

  pid_text = g_subprocess_get_identifier (batch->process);
  batch->pgid = pid_text != NULL ? (GPid) g_ascii_strtoll (pid_text, NULL, 10) : 0;
  batch->spawn_time = g_get_monotonic_time ();
  batch->event_time = batch->spawn_time;
  batch->last_read_time = batch->spawn_time;
  batch->buffer = g_malloc (READ_SIZE);
  batch->stdout_pipe = g_object_ref (g_subprocess_get_stdout_pipe (batch->process));

  if (batch->whole)
    {
      /* A whole program has no -l and no passes: it is "running" from the start. */
      batch->started = TRUE;
      if (batch->started_func != NULL)
        batch->started_func (batch, 0, batch->user_data);
    }

  read_more (batch);
  if (batch->log_fd >= 0)
    {
      GSource *source = g_unix_fd_source_new (batch->log_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);

      g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_log_ready, batch, NULL);
      batch->log_source = g_source_attach (source, batch->context);
      g_source_unref (source);
    }
  g_subprocess_wait_async (batch->process, NULL, on_wait, batch_ref (batch));
  return TRUE;
}

static gboolean
on_grace_over (gpointer user_data)
{
  PacerBatch *batch = user_data;

  batch->grace_source = 0;
  kill_group (batch, SIGKILL);
  return G_SOURCE_REMOVE;
}

void
_pacer_batch_kill (PacerBatch     *batch,
                   PacerBatchKill  reason)
{
  if (batch->exited || batch->kill_reason != PACER_BATCH_KILL_NONE)
    {
      /* A stop overrides a timeout already in its grace period, not the reverse. */
      if (reason == PACER_BATCH_KILL_STOP && batch->kill_reason == PACER_BATCH_KILL_TIMEOUT)
        return;
      if (batch->exited || batch->kill_reason == reason)
        return;
    }

  batch->kill_reason = reason;
  /* TERM first so a test can clean up, KILL after the grace period. */
  kill_group (batch, SIGTERM);
  if (batch->grace_source == 0)
    batch->grace_source = add_timeout (batch, GRACE_SECONDS * 1000, on_grace_over);
}

/* Kills the batch if its running test has overrun; TRUE if it did. */
gboolean
_pacer_batch_check_timeout (PacerBatch *batch,
                            gint64      now,
                            gint64      timeout_usec)
{
  if (timeout_usec <= 0 || batch->exited || batch->kill_reason != PACER_BATCH_KILL_NONE)
    return FALSE;
  if (now - batch->event_time < timeout_usec)
    return FALSE;

  _pacer_batch_kill (batch, PACER_BATCH_KILL_TIMEOUT);
  return TRUE;
}

/* The culprit of a process that died: the test of the current pass that has
 * no result. G_MAXUINT if the pass was complete: the process died between
 * tests, and no test is to blame. */
guint
_pacer_batch_first_unreported (PacerBatch *batch)
{
  return current_position (batch);
}

/* Whether some requested test got no result and was not missing. */
gboolean
_pacer_batch_has_unreported (PacerBatch *batch)
{
  for (guint i = 0; i < batch->tests->len; i++)
    if (!batch->reported[i] && !batch->missing[i])
      return TRUE;
  return FALSE;
}

/* “the process was killed by signal 11 (Segmentation fault)” or
 * “the process exited with status 3”. */
char *
_pacer_batch_describe_end (PacerBatch *batch)
{
  if (batch->signaled)
    return g_strdup_printf (_("the process was killed by signal %d (%s)"),
                            batch->term_sig, g_strsignal (batch->term_sig));
  return g_strdup_printf (_("the process exited with status %d"), batch->exit_status);
}
