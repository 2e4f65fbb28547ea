/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The marks that tests/bench/bench-app.py times the window by
 * (ui/vp-bench-marks.c): with VP_BENCH_MARKS naming a file, the window
 * appends "window" after its first frame, then "main" and "main-shown"
 * after the first frames of the unlocked page, each with a CLOCK_MONOTONIC
 * time, in that order, and nothing else. Runs under a virtual display. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "vp-test-util.h"
#include "vp-ui.h"
#include "vp-ui-test-util.h"

static gboolean
marks_complete (gpointer path)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, "\nmain-shown ") != NULL;
}

/* The time of the line NAME, checking its form on the way. */
static gint64
mark_time (char       **lines,
           guint        index,
           const char  *name)
{
  g_auto(GStrv) fields = g_strsplit (lines[index], " ", -1);
  guint64 usec = 0;

  g_assert_cmpuint (g_strv_length (fields), ==, 2);
  g_assert_cmpstr (fields[0], ==, name);
  g_assert_true (g_ascii_string_to_unsigned (fields[1], 10, 1, G_MAXINT64, &usec, NULL));
  return (gint64) usec;
}

static void
test_unlock_marks (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "marks", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 before = g_get_monotonic_time ();
  gint64 window_at, main_at, shown_at;
  VpWindow *window;

  vp_store_close (vp_test_create_store (dir));
  g_setenv ("VP_BENCH_MARKS", path, TRUE);
  window = vp_ui_open_window (dir);
  vp_ui_wait_until (marks_complete, path);
  g_unsetenv ("VP_BENCH_MARKS");

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, VP_TEST_PASSPHRASE));
  lines = g_strsplit (contents, "\n", -1);
  /* Three lines and the empty rest after the last newline. */
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[3], ==, "");
  window_at = mark_time (lines, 0, "window");
  main_at = mark_time (lines, 1, "main");
  shown_at = mark_time (lines, 2, "main-shown");
  g_assert_cmpint (before, <=, window_at);
  g_assert_cmpint (window_at, <, main_at);
  g_assert_cmpint (main_at, <=, shown_at);
  g_assert_cmpint (shown_at, <=, g_get_monotonic_time ());

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (!vp_ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/bench-marks/unlock", test_unlock_marks);

  return g_test_run ();
}
