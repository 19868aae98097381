/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * PacerTestCommand:
 *
 * A test program with the arguments, working directory and environment it
 * must run with, as a GNOME installed-tests `.test` file describes one.
 *
 * Hand commands to a runner with [method@Pacer.Runner.add_command]. A command
 * whose program is a GTest program has its tests spread over the workers
 * like any program's, its arguments given to every process before the
 * runner's own; any other command runs whole, once. Its results carry the
 * command's [property@Pacer.TestCommand:name] as their program.
 *
 * ```c
 * const char *argv[] = { "/usr/libexec/installed-tests/foo/test-bar", "--verbose", NULL };
 * g_autoptr(PacerTestCommand) command = pacer_test_command_new ("test-bar.test", argv);
 * pacer_test_command_set_working_directory (command, scratch_dir);
 * pacer_runner_add_command (runner, command);
 * ```
 *
 * Since: 1.0
 */

#include "config.h"

#include "pacer-test-command.h"

struct _PacerTestCommand
{
  GObject parent_instance;

  char *name;
  GStrv argv;
  char *working_directory;
  GStrv environment;
  gboolean tap;
  gboolean exclusive;
  gboolean fresh_directory;
  double timeout;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_ARGV,
  PROP_WORKING_DIRECTORY,
  PROP_ENVIRONMENT,
  PROP_TAP,
  PROP_EXCLUSIVE,
  PROP_FRESH_DIRECTORY,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PacerTestCommand, pacer_test_command, G_TYPE_OBJECT)

/**
 * pacer_test_command_new:
 * @name: what the command's results name as their program, such as the
 *   `.test` file's name
 * @argv: (array zero-terminated=1): the program, as a path or a name looked
 *   up in `PATH`, and its arguments
 *
 * Creates a command that runs in the runner's working directory and
 * environment, its output read as TAP when it runs whole.
 *
 * Returns: (transfer full): a new command
 *
 * Since: 1.0
 */
PacerTestCommand *
pacer_test_command_new (const char         *name,
                        const char * const *argv)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  return g_object_new (PACER_TYPE_TEST_COMMAND, "name", name, "argv", argv, NULL);
}

/**
 * pacer_test_command_get_name:
 * @self: a command
 *
 * Gets the name its results carry as their program.
 *
 * Returns: (transfer none): the name
 *
 * Since: 1.0
 */
const char *
pacer_test_command_get_name (PacerTestCommand *self)
{
  g_return_val_if_fail (PACER_IS_TEST_COMMAND (self), NULL);
  return self->name;
}

/**
 * pacer_test_command_get_argv:
 * @self: a command
 *
 * Gets the program and its arguments.
 *
 * Returns: (transfer none) (array zero-terminated=1): the command line
 *
 * Since: 1.0
 */
const char * const *
pacer_test_command_get_argv (PacerTestCommand *self)
{
  g_return_val_if_fail (PACER_IS_TEST_COMMAND (self), NULL);
  return (const char * const *) self->argv;
}

/**
 * pacer_test_command_get_working_directory:
 * @self: a command
 *
 * Gets the directory every process of the command starts in.
 *
 * Returns: (transfer none) (nullable): the directory, or `NULL` for the
 *   runner's own
 *
 * Since: 1.0
 */
const char *
pacer_test_command_get_working_directory (PacerTestCommand *self)
{
  g_return_val_if_fail (PACER_IS_TEST_COMMAND (self), NULL);
  return self->working_directory;
}

/**
 * pacer_test_command_set_working_directory:
 * @self: a command
 * @working_directory: (nullable) (type filename): a directory, or `NULL` for
 *   the runner's own
 *
 * Sets the directory every process of the command starts in, listing
 * included.
 *
 * Since: 1.0
 */
void
pacer_test_command_set_working_directory (PacerTestCommand *self,
                                          const char       *working_directory)
{
  g_return_if_fail (PACER_IS_TEST_COMMAND (self));

  if (g_strcmp0 (self->working_directory, working_directory) == 0)
    return;
  g_free (self->working_directory);
  self->working_directory = g_strdup (working_directory);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKING_DIRECTORY]);
}

/**
 * pacer_test_command_get_environment:
 * @self: a command
 *
 * Gets the variables set for the command's processes.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): `NAME=VALUE`
 *   entries, or `NULL`
 *
 * Since: 1.0
 */
const char * const *
pacer_test_command_get_environment (PacerTestCommand *self)
{
  g_return_val_if_fail (PACER_IS_TEST_COMMAND (self), NULL);
  return (const char * const *) self->environment;
}

/**
 * pacer_test_command_set_environment:
 * @self: a command
 * @environment: (nullable) (array zero-terminated=1): `NAME=VALUE` entries
 *
 * Sets variables for the command's processes, on top of the environment
 * they inherit and after the runner's own `PACER_*` variables, which they
 * cannot override. An entry without `=` is ignored.
 *
 * Since: 1.0
 */
void
pacer_test_command_set_environment (PacerTestCommand   *self,
                                    const char * const *environment)
{
  g_return_if_fail (PACER_IS_TEST_COMMAND (self));

  if (self->environment == NULL && environment == NULL)
    return;
  if (self->environment != NULL && environment != NULL &&
      g_strv_equal ((const char * const *) self->environment, environment))
    return;
  g_strfreev (self->environment);
  self->environment = g_strdupv ((char **) environment);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENVIRONMENT]);
}

/**
 * pacer_test_command_get_tap:
 * @self: a command
 *
 * Gets whether the output of the command, when it runs whole, is read as TAP.
 *
 * Returns: `TRUE` if its TAP lines are results
 *
 * Since: 1.0
 */
gboolean
pacer_test_command_get_tap (PacerTestCommand *self)
{
  g_return_val_if_fail (PACER_IS_TEST_COMMAND (self), FALSE);
  return self->tap;
}

/**
 * pacer_test_command_set_tap:
 * @self: a command
 * @tap: whether its output is TAP
 *
 * Sets whether the output of the command, when it is not a GTest program and
 * runs whole, is read as TAP: each `ok`/`not ok` line is then a result of its
 * own. Otherwise only its exit status counts, and a line that merely looks
 * like TAP cannot add a result. A GTest program's output is always read as
 * TAP.
 *
 * Since: 1.0
 */
void
pacer_test_command_set_tap (PacerTestCommand *self,
                            gboolean          tap)
{
  g_return_if_fail (PACER_IS_TEST_COMMAND (self));

  tap = !!tap;
  if (self->tap == tap)
    return;
  self->tap = tap;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAP]);
}

/**
 * pacer_test_command_get_exclusive:
 * @self: a command
 *
 * Gets whether the command runs while nothing else runs.
 *
 * Returns: `TRUE` if it runs alone
 *
 * Since: 1.0
 */
gboolean
pacer_test_command_get_exclusive (PacerTestCommand *self)
{
  g_return_val_if_fail (PACER_IS_TEST_COMMAND (self), FALSE);
  return self->exclusive;
}

/**
 * pacer_test_command_set_exclusive:
 * @self: a command
 * @exclusive: whether it runs alone
 *
 * Sets whether the command runs while nothing else runs, as an installed
 * test of `Type=session-exclusive` must. The runner runs exclusive commands
 * after every other test has finished, one process at a time on worker
 * `gw0`: their tests never overlap anything, each other included.
 *
 * Since: 1.0
 */
void
pacer_test_command_set_exclusive (PacerTestCommand *self,
                                  gboolean          exclusive)
{
  g_return_if_fail (PACER_IS_TEST_COMMAND (self));

  exclusive = !!exclusive;
  if (self->exclusive == exclusive)
    return;
  self->exclusive = exclusive;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXCLUSIVE]);
}

/**
 * pacer_test_command_get_fresh_directory:
 * @self: a command
 *
 * Gets whether each process of the command starts in a directory of its own.
 *
 * Returns: `TRUE` if each process gets a fresh directory
 *
 * Since: 1.0
 */
gboolean
pacer_test_command_get_fresh_directory (PacerTestCommand *self)
{
  g_return_val_if_fail (PACER_IS_TEST_COMMAND (self), FALSE);
  return self->fresh_directory;
}

/**
 * pacer_test_command_set_fresh_directory:
 * @self: a command
 * @fresh_directory: whether each process gets a directory of its own
 *
 * Sets whether each process of the command, its `-l` included, starts in a
 * new directory of its own rather than in
 * [property@Pacer.TestCommand:working-directory] itself. The new directory
 * holds a copy of the files at the top of the working directory (an
 * installed test's `.testtmp`, for one) and is removed with the run's
 * private directory.
 *
 * A test that writes into its working directory, as GNOME installed tests
 * may, then finds an empty one whether its program runs whole or split over
 * several processes, as it does under gnome-desktop-testing-runner. Without
 * it, the processes of a split program share one directory, and one that
 * creates a file there finds the file of the process before it.
 *
 * Since: 1.0
 */
void
pacer_test_command_set_fresh_directory (PacerTestCommand *self,
                                        gboolean          fresh_directory)
{
  g_return_if_fail (PACER_IS_TEST_COMMAND (self));

  fresh_directory = !!fresh_directory;
  if (self->fresh_directory == fresh_directory)
    return;
  self->fresh_directory = fresh_directory;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRESH_DIRECTORY]);
}

/**
 * pacer_test_command_get_timeout:
 * @self: a command
 *
 * Gets how long one test of the command may run.
 *
 * Returns: seconds; 0 for the runner's [property@Pacer.Runner:timeout], a
 *   negative value for no limit
 *
 * Since: 1.0
 */
double
pacer_test_command_get_timeout (PacerTestCommand *self)
{
  g_return_val_if_fail (PACER_IS_TEST_COMMAND (self), 0);
  return self->timeout;
}

/**
 * pacer_test_command_set_timeout:
 * @self: a command
 * @timeout: seconds; 0 for the runner's timeout, a negative value for none
 *
 * Sets how long one test of the command may run before its process group is
 * killed and the test reported as timed out, in place of the runner's
 * [property@Pacer.Runner:timeout], as a meson `test()` has a `timeout` of
 * its own. A command that runs whole is one test; a GTest program split over
 * the workers gives each of its tests the whole @timeout, so a command never
 * times out sooner than when it runs in one process.
 *
 * A negative @timeout means no limit at all, even if the runner has one
 * (meson's `timeout: 0`).
 *
 * Since: 1.0
 */
void
pacer_test_command_set_timeout (PacerTestCommand *self,
                                double            timeout)
{
  g_return_if_fail (PACER_IS_TEST_COMMAND (self));

  if (timeout < 0)
    timeout = -1;
  if (self->timeout == timeout)
    return;
  self->timeout = timeout;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

static void
pacer_test_command_finalize (GObject *object)
{
  PacerTestCommand *self = PACER_TEST_COMMAND (object);

  g_free (self->name);
  g_strfreev (self->argv);
  g_free (self->working_directory);
  g_strfreev (self->environment);

  G_OBJECT_CLASS (pacer_test_command_parent_class)->finalize (object);
}

static void
pacer_test_command_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PacerTestCommand *self = PACER_TEST_COMMAND (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ARGV:
      g_value_set_boxed (value, self->argv);
      break;
    case PROP_WORKING_DIRECTORY:
      g_value_set_string (value, self->working_directory);
      break;
    case PROP_ENVIRONMENT:
      g_value_set_boxed (value, self->environment);
      break;
    case PROP_TAP:
      g_value_set_boolean (value, self->tap);
      break;
    case PROP_EXCLUSIVE:
      g_value_set_boolean (value, self->exclusive);
      break;

    case PROP_FRESH_DIRECTORY:
      g_value_set_boolean (value, self->fresh_directory);
      break;
    case PROP_TIMEOUT:
      g_value_set_double (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_test_command_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PacerTestCommand *self = PACER_TEST_COMMAND (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_ARGV:
      self->argv = g_value_dup_boxed (value);
      break;
    case PROP_WORKING_DIRECTORY:
      pacer_test_command_set_working_directory (self, g_value_get_string (value));
      break;
    case PROP_ENVIRONMENT:
      pacer_test_command_set_environment (self, g_value_get_boxed (value));
      break;
    case PROP_TAP:
      pacer_test_command_set_tap (self, g_value_get_boolean (value));
      break;
    case PROP_EXCLUSIVE:
      pacer_test_command_set_exclusive (self, g_value_get_boolean (value));
      break;

    case PROP_FRESH_DIRECTORY:
      pacer_test_command_set_fresh_directory (self, g_value_get_boolean (value));
      break;
    case PROP_TIMEOUT:
      pacer_test_command_set_timeout (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pacer_test_command_class_init (PacerTestCommandClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pacer_test_command_finalize;
  object_class->get_property = pacer_test_command_get_property;
  object_class->set_property = pacer_test_command_set_property;

  /**
   * PacerTestCommand:name:
   *
   * What the command's results name as their program; a runner refuses two
   * commands of the same name.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, construct);

  /**
   * PacerTestCommand:argv:
   *
   * The program, as a path or a name looked up in `PATH`, and its arguments.
   *
   * Since: 1.0
   */
  properties[PROP_ARGV] = g_param_spec_boxed ("argv", NULL, NULL, G_TYPE_STRV, construct);

  /**
   * PacerTestCommand:working-directory:
   *
   * The directory every process of the command starts in, or `NULL` for the
   * runner's own.
   *
   * Since: 1.0
   */
  properties[PROP_WORKING_DIRECTORY] =
    g_param_spec_string ("working-directory", NULL, NULL, NULL, flags);

  /**
   * PacerTestCommand:environment:
   *
   * `NAME=VALUE` variables set for the command's processes, or `NULL`.
   *
   * Since: 1.0
   */
  properties[PROP_ENVIRONMENT] =
    g_param_spec_boxed ("environment", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * PacerTestCommand:tap:
   *
   * Whether the output of the command, when it runs whole, is read as TAP;
   * see [method@Pacer.TestCommand.set_tap].
   *
   * Since: 1.0
   */
  properties[PROP_TAP] = g_param_spec_boolean ("tap", NULL, NULL, TRUE, flags | G_PARAM_CONSTRUCT);

  /**
   * PacerTestCommand:exclusive:
   *
   * Whether the command runs while nothing else runs; see
   * [method@Pacer.TestCommand.set_exclusive].
   *
   * Since: 1.0
   */
  properties[PROP_EXCLUSIVE] = g_param_spec_boolean ("exclusive", NULL, NULL, FALSE, flags);

  /**
   * PacerTestCommand:fresh-directory:
   *
   * Whether each process of the command starts in a directory of its own;
   * see [method@Pacer.TestCommand.set_fresh_directory].
   *
   * Since: 1.0
   */
  properties[PROP_FRESH_DIRECTORY] = g_param_spec_boolean ("fresh-directory", NULL, NULL, FALSE, flags);

  /**
   * PacerTestCommand:timeout:
   *
   * How long, in seconds, one test of the command may run: 0 for the
   * runner's [property@Pacer.Runner:timeout], a negative value (stored as
   * -1) for no limit; see [method@Pacer.TestCommand.set_timeout].
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] = g_param_spec_double ("timeout", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pacer_test_command_init (PacerTestCommand *self)
{
}
