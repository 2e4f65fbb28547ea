/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store under hard stops and failing disks: a child process killed with
 * SIGKILL mid-work, writes and syncs that fail one by one, and a search of
 * every file it could have touched for plaintext. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vp-fault-vfs.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

#define KILL_RUNS 20
#define SAVES_PER_RUN 1000

static const char *self_path;

static void
assert_integrity (VpStore *store)
{
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM pragma_integrity_check"
                                 " WHERE integrity_check = 'ok'"), ==, 1);
}

/* Child: registers contacts and reports each id once the save returned. */
static int
child_save (const char *dir,
            const char *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);

  if (store == NULL)
    return 1;
  printf ("ready\n");
  fflush (stdout);
  for (int i = 0; i < SAVES_PER_RUN; i++)
    {
      g_autofree char *label = g_strdup_printf ("K-%s-%d", run, i);
      gint64 id = vp_test_register (store, label, 1980, "school", "first", i % 2 ? "limited" : NULL, NULL);

      printf ("%" G_GINT64_FORMAT "\n", id);
      fflush (stdout);
    }
  return 0;
}

/* Child: fills the store with marker text, sorts, makes a temp table and
 * vacuums, then waits to be killed. */
static int
child_plaintext (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);

  if (store == NULL ||
      !vp_store_exec (store,
        "BEGIN;"
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
        "  INSERT INTO client (label, birth_year, phone, created_at)"
        "  SELECT 'PlainMarker-Label-' || i || '-' || hex (randomblob (40)), 1970 + i % 50,"
        "         'PlainMarker-Phone-' || i, '2026-01-01T00:00:00' FROM n;"
        "COMMIT;"
        "CREATE TEMP TABLE big AS SELECT label || hex (randomblob (200)) AS x FROM client;"
        "SELECT x FROM big ORDER BY x DESC LIMIT 1;"
        "SELECT label, phone FROM client ORDER BY phone || randomblob (300) LIMIT 1;"
        "CREATE INDEX big_x ON big (x);"
        "VACUUM;", &error))
    return 1;
  printf ("done\n");
  fflush (stdout);
  g_usleep (60 * G_USEC_PER_SEC);
  return 0;
}

static GSubprocess *
spawn_child (const char * const *argv,
             const char         *tmpdir,
             GDataInputStream  **out)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  GSubprocess *child;

  if (tmpdir != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "TMPDIR", tmpdir, TRUE);
      g_subprocess_launcher_setenv (launcher, "SQLITE_TMPDIR", tmpdir, TRUE);
    }
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  *out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  return child;
}

static void
test_kill (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  guint total = 0;
  guint cut_short = 0;

  vp_store_close (created);
  for (guint run = 0; run < KILL_RUNS; run++)
    {
      g_autofree char *run_text = g_strdup_printf ("%u", run);
      const char *argv[] = { self_path, "--child-save", dir, run_text, NULL };
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GSubprocess) child = spawn_child (argv, NULL, &out);
      g_autoptr(GArray) saved = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(VpStore) store = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) ids = g_string_new ("0");
      g_autofree char *ready = g_data_input_stream_read_line (out, NULL, NULL, NULL);
      g_autofree char *sql = NULL;
      char *line;

      g_assert_cmpstr (ready, ==, "ready");
      g_usleep (g_random_int_range (0, 900) * 1000);
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, NULL);

      /* Every id the child printed had been returned by a finished save. */
      while ((line = g_data_input_stream_read_line (out, NULL, NULL, NULL)) != NULL)
        {
          gint64 id = g_ascii_strtoll (line, NULL, 10);
          g_array_append_val (saved, id);
          g_string_append_printf (ids, ",%s", line);
          g_free (line);
        }
      total += saved->len;
      if (saved->len > 0 && saved->len < SAVES_PER_RUN)
        cut_short++;

      store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
      g_assert_no_error (error);
      assert_integrity (store);
      sql = g_strdup_printf ("SELECT count(*) FROM contact WHERE id IN (%s)", ids->str);
      g_assert_cmpint (vp_test_count (store, sql), ==, (int) saved->len);
    }
  g_test_message ("%u registrations confirmed over %d killed runs, %u killed between saves",
                  total, KILL_RUNS, cut_short);
  /* Without saves, or without a kill that fell among them, nothing was
   * tested: a child that saved nothing would pass every check above. */
  g_assert_cmpuint (total, >, 0);
  g_assert_cmpuint (cut_short, >, 0);
  vp_test_remove_dir (dir);
}

static void
run_faults (const char  *dir,
            VpFaultKind  kind)
{
  guint failed = 0;

  for (guint nth = 1; nth < 200; nth++)
    {
      g_autoptr(VpStore) store = NULL;
      g_autoptr(GError) error = NULL;
      VpRegistration reg = {
        .client_label = "Fault", .birth_year = 1990, .location_type = "library",
        .kind = "first", .initiated_by = "walk_in",
      };
      gboolean saved;
      int before;

      store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
      g_assert_no_error (error);
      before = vp_test_count (store, "SELECT count(*) FROM contact");

      vp_fault_vfs_arm (kind, nth);
      saved = vp_store_save_registration (store, &reg, NULL, &error);
      vp_fault_vfs_disarm ();

      if (vp_fault_vfs_hits () == 0)
        {
          /* The save needed fewer than nth; every earlier one was tried. */
          g_assert_true (saved);
          g_assert_cmpuint (nth, >, 1);
          g_test_message ("%s faults tried at 1..%u, %u saves failed",
                          kind == VP_FAULT_WRITE ? "write" : "sync", nth - 1, failed);
          /* A fault that no save ever noticed was not injected, or was
           * swallowed on the way: either way the checks below proved
           * nothing about failing disks. */
          g_assert_cmpuint (failed, >, 0);
          return;
        }
      /* A commit whose sync failed may not be on the disk: never "saved". */
      if (kind == VP_FAULT_SYNC)
        g_assert_false (saved);
      if (!saved)
        {
          failed++;
          g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED);
          g_assert_nonnull (strstr (error->message, "disk"));
          g_clear_error (&error);
        }
      vp_store_close (store);
      g_clear_object (&store);

      /* Whole or nothing, and the store opens and checks ok. */
      store = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
      g_assert_no_error (error);
      assert_integrity (store);
      g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, before + (saved ? 1 : 0));
      g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact c LEFT JOIN client cl"
                                     " ON cl.id = c.client_id WHERE cl.id IS NULL"), ==, 0);
      g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client WHERE id NOT IN"
                                     " (SELECT client_id FROM contact)"), ==, 0);
    }
  g_assert_not_reached ();
}

static void
test_io_faults (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);

  vp_test_register (created, "Before", 1980, "school", "first", NULL, NULL);
  vp_store_close (created);
  run_faults (dir, VP_FAULT_WRITE);
  run_faults (dir, VP_FAULT_SYNC);
  vp_test_remove_dir (dir);
}

static gboolean
tree_contains (const char *path,
               const char *needle)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return vp_test_file_contains (path, needle);
  d = g_dir_open (path, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (tree_contains (child, needle))
        return TRUE;
    }
  return FALSE;
}

static void
test_no_plaintext (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *tmpdir = g_build_filename (dir, "tmp", NULL);
  g_autoptr(VpStore) created = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *done = NULL;
  const char *argv[] = { self_path, "--child-plaintext", store_dir, NULL };

  g_assert_cmpint (g_mkdir (tmpdir, 0700), ==, 0);
  created = vp_test_create_store (store_dir);
  vp_store_close (created);

  child = spawn_child (argv, tmpdir, &out);
  done = g_data_input_stream_read_line (out, NULL, NULL, NULL);
  g_assert_cmpstr (done, ==, "done");
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, NULL);

  g_assert_false (tree_contains (store_dir, "PlainMarker"));
  g_assert_false (tree_contains (tmpdir, "PlainMarker"));
  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* The children open stores too. */
  vp_test_init_data ();
  self_path = argv[0];
  if (argc == 4 && g_str_equal (argv[1], "--child-save"))
    return child_save (argv[2], argv[3]);
  if (argc == 3 && g_str_equal (argv[1], "--child-plaintext"))
    return child_plaintext (argv[2]);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  vp_fault_vfs_install ();

  g_test_add_func ("/durability/kill", test_kill);
  g_test_add_func ("/durability/io-faults", test_io_faults);
  g_test_add_func ("/durability/no-plaintext", test_no_plaintext);

  return g_test_run ();
}
