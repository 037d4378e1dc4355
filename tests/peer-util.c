/* peer-util.c: ports, scratch files and sipp results for tests that run
 * real peers (see peer-util.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "peer-util.h"

#include <glib/gstdio.h>

guint
netsip_test_free_port (GSocketType type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, type, 0, &error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (s, any, FALSE, &error));
  bound = g_socket_get_local_address (s, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

gboolean
netsip_test_port_bound (guint       port,
                        GSocketType type)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, type, 0, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, port);

  return !g_socket_bind (s, addr, FALSE, NULL);
}

char *
netsip_test_write_file (const char *dir,
                        const char *name,
                        const void *contents,
                        gssize      len)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

void
netsip_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *p = g_build_filename (path, name, NULL);
      g_remove (p);
    }
  g_rmdir (path);
}

gint64
netsip_test_sipp_stat (const char *path,
                       const char *column)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  g_auto(GStrv) row = NULL;
  guint n = 0, last = 0;
  gint index = -1;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  lines = g_strsplit (text, "\n", -1);
  for (n = 0; lines[n]; n++)
    if (*lines[n])
      last = n;
  if (n < 2 || last == 0)
    return -1;
  header = g_strsplit (lines[0], ";", -1);
  row = g_strsplit (lines[last], ";", -1);
  for (guint i = 0; header[i]; i++)
    if (g_str_equal (header[i], column))
      index = i;
  if (index < 0 || g_strv_length (row) <= (guint) index)
    return -1;
  return g_ascii_strtoll (row[index], NULL, 10);
}

void
netsip_test_log_sipp_errors (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle && (name = g_dir_read_name (handle)))
    if (g_str_has_suffix (name, "_errors.log"))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_autofree char *text = NULL;

        if (g_file_get_contents (path, &text, NULL, NULL) && *text)
          g_test_message ("%s:\n%.4000s", name, text);
      }
}
