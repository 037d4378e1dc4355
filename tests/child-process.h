/* child-process.h: programs a test runs as child processes (netsip-proxy,
 * netsip-phone, sipp, Perl Net::SIP peers), their stdout and stderr read
 * line by line into strings while the test waits, every wait bounded
 *
 * The waits iterate the default main context, so a test's own SIP objects
 * on it keep running while it waits for a child's output.
 *
 * Every child is ended by its PID: netsip_test_child_free() sends SIGKILL
 * to one still running; PR_SET_PDEATHSIG (Linux) ends it if the test
 * process dies first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess      *proc;
  char             *name;         /* for messages: the name given or argv[0] */
  GString          *text[2];      /* what it wrote so far: stdout, stderr */
  gboolean          exited;
  int               status;       /* exit status; -1: running or killed by a signal */
  int               signal;       /* the signal that killed it, or 0 */

  /*< private >*/
  GDataInputStream *streams[2];
  gboolean          eof[2];
} NetSipTestChild;

/* A GSpawnChildSetupFunc: the child gets SIGKILL when the test process
 * dies (PR_SET_PDEATHSIG; nothing outside Linux). For
 * g_subprocess_launcher_set_child_setup() and g_spawn_async(). */
void             netsip_test_child_setup        (gpointer             user_data);

/* One blocking iteration of the default main context, woken at least every
 * 20 ms so that the callers' deadlines are checked. */
void             netsip_test_iterate            (void);

/* Starts @argv with stdin, stdout and stderr as pipes and reads stdout and
 * stderr into text[0] and text[1] while the main context runs. @name
 * (nullable, else argv[0]) names it in messages. A failed start is a test
 * failure (g_assert). Free with netsip_test_child_free(). */
NetSipTestChild *netsip_test_child_spawn        (const char          *name,
                                                 const char *const   *argv);

/* The same, run in the directory @cwd (nullable: this process's). */
NetSipTestChild *netsip_test_child_spawn_in     (const char          *name,
                                                 const char          *cwd,
                                                 const char *const   *argv);

/* netsip_test_child_spawn() with the arguments in a GPtrArray of char *;
 * appends the NULL. */
NetSipTestChild *netsip_test_child_spawn_array  (const char          *name,
                                                 GPtrArray           *argv);

/* TRUE once the child exited and both its outputs are read to their end. */
gboolean         netsip_test_child_done         (NetSipTestChild     *c);

/* Waits until @needle is in the child's stdout (@which 0) or stderr (1):
 * TRUE; FALSE if it ended or @seconds passed first. */
gboolean         netsip_test_child_wait_text    (NetSipTestChild     *c,
                                                 guint                which,
                                                 const char          *needle,
                                                 double               seconds);

/* Waits for the end of the child and of its output; after @seconds the
 * child is killed (SIGKILL by PID), waited for, and FALSE returned. */
gboolean         netsip_test_child_wait_exit    (NetSipTestChild     *c,
                                                 double               seconds);

/* Waits for the end (at most @seconds, see netsip_test_child_wait_exit()),
 * logs the output, asserts that it ended in time with exit @status. */
void             netsip_test_child_expect_exit  (NetSipTestChild     *c,
                                                 double               seconds,
                                                 int                  status);

/* Runs @argv in @cwd (nullable) to its end while the main context runs,
 * at most @seconds (then it is killed by its PID). Returns its exit
 * status, -1 if it was killed or died of a signal; @out (nullable) gets
 * its stdout (g_free). Its output is logged. */
int              netsip_test_child_run          (const char          *name,
                                                 const char          *cwd,
                                                 const char *const   *argv,
                                                 double               seconds,
                                                 char               **out);

/* The project's tools (netsip-proxy, netsip-phone answer) print a line
 * `listening on TRANSPORT:ADDRESS:PORT` per bound leg. Waits for @n_legs
 * of them on stdout, at most @seconds; logs the output and fails the test
 * (g_error) if the child ends or the time passes first. */
void             netsip_test_child_wait_listening (NetSipTestChild   *c,
                                                   guint              n_legs,
                                                   double             seconds);

/* The port of the first `listening on PREFIX<port>` line (e.g. prefix
 * "udp:127.0.0.1:"); asserts that there is one with a port. */
guint            netsip_test_child_listening_port (NetSipTestChild   *c,
                                                   const char        *prefix);

/* Logs stdout and stderr (each up to 6000 bytes) with g_test_message(). */
void             netsip_test_child_log          (NetSipTestChild     *c);

/* Kills the child if it still runs (SIGKILL by PID), waits for it (at most
 * 10 s more), logs its output and frees it. @c nullable. */
void             netsip_test_child_free         (NetSipTestChild     *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipTestChild, netsip_test_child_free)

G_END_DECLS
