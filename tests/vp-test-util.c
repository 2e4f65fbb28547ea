/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "vp-data-init.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

/* vp_data_init() for a test program that opens stores: first in main(),
 * before anything uses SQLite (a fault VFS registers with it). */
void
vp_test_init_data (void)
{
  g_autoptr(GError) error = NULL;

  if (!vp_data_init (&error))
    g_error ("vp_data_init: %s", error->message);
}

char *
vp_test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("vp-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
vp_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        vp_test_remove_dir (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

VpStore *
vp_test_create_store (const char *dir)
{
  VpStoreSetup setup = { "team-noord", "GM0344", "Test Leader", VP_TEST_PASSPHRASE };
  g_autoptr(GError) error = NULL;
  VpStore *store = vp_store_create (dir, &setup, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

gint64
vp_test_register (VpStore    *store,
                  const char *label,
                  int         birth_year,
                  const char *location_type,
                  const char *kind,
                  const char *proficiency,
                  GDateTime  *when)
{
  VpRegistration reg = {
    .client_label = label,
    .birth_year = birth_year,
    .location_type = location_type,
    .kind = kind,
    .initiated_by = "outreach",
    .language_consent = proficiency != NULL,
    .dutch_proficiency = proficiency,
    .occurred_at = when,
    .entered_at = when,
  };
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  vp_store_save_registration (store, &reg, &id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* The first column of the first row as a number, or -1 when there is none
 * (or the store is closed). */
int
vp_test_count (VpStore    *store,
               const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int n = -1;

  if (sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

gboolean
vp_test_file_contains (const char *path,
                       const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return memmem (contents, len, needle, strlen (needle)) != NULL;
}

gboolean
vp_test_store_files_contain (const char *dir,
                             const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (vp_test_file_contains (path, needle))
        return TRUE;
    }
  return FALSE;
}
