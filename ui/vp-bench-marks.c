/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vp-bench-marks.h"

/* Start-up marks for tests/bench/bench-app.py. When the environment variable
 * VP_BENCH_MARKS names a file, a line "NAME MICROSECONDS" is appended to it
 * once the next frame of a widget's window has been painted (GdkFrameClock
 * "after-paint"); MICROSECONDS is g_get_monotonic_time(), CLOCK_MONOTONIC,
 * which the script reads too. For a GtkStack, a second line "NAME-shown"
 * follows at the first frame in which no transition runs (the same frame
 * when there is none).
 * The lines hold the caller's fixed names and the time, nothing else. Without
 * the variable nothing is connected and nothing is written. */

typedef struct {
  GtkWidget *widget;
  char      *name;
  char      *path;
  gboolean   first_done;
} Mark;

static void
mark_clear (Mark *mark)
{
  g_clear_weak_pointer (&mark->widget);
  g_free (mark->name);
  g_free (mark->path);
}

/* A mark is shared by the realize and after-paint handlers that hold it. */
static void
mark_release (gpointer  data,
              GClosure *closure)
{
  g_rc_box_release_full (data, (GDestroyNotify) mark_clear);
}

static void
write_line (Mark       *mark,
            const char *suffix)
{
  g_autofree char *line = g_strdup_printf ("%s%s %" G_GINT64_FORMAT "\n", mark->name, suffix,
                                           g_get_monotonic_time ());
  int fd = g_open (mark->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

  /* One write of a short line to an O_APPEND file is never interleaved. */
  if (fd < 0 || write (fd, line, strlen (line)) < 0)
    g_warning ("VP_BENCH_MARKS: %s", g_strerror (errno));
  if (fd >= 0)
    close (fd);
}

/* Returns whether the mark is complete. */
static gboolean
mark_painted (Mark *mark)
{
  if (mark->widget == NULL)
    return TRUE;
  if (!mark->first_done)
    {
      write_line (mark, "");
      mark->first_done = TRUE;
    }
  if (!GTK_IS_STACK (mark->widget))
    return TRUE;
  if (gtk_stack_get_transition_running (GTK_STACK (mark->widget)))
    return FALSE;
  write_line (mark, "-shown");
  return TRUE;
}

static void
after_paint (GdkFrameClock *clock,
             Mark          *mark)
{
  if (mark_painted (mark))
    g_signal_handlers_disconnect_by_data (clock, mark);
}

static void
watch_frame_clock (Mark *mark)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (mark->widget);

  g_signal_connect_data (clock, "after-paint", G_CALLBACK (after_paint),
                         g_rc_box_acquire (mark), mark_release, 0);
}

static void
on_realize (GtkWidget *widget,
            Mark      *mark)
{
  watch_frame_clock (mark);
  g_signal_handlers_disconnect_by_func (widget, on_realize, mark);
}

/* Appends the mark NAME when the next frame of WIDGET's window is painted,
 * or the first one if the window is not realized yet. */
void
vp_bench_marks_next_frame (GtkWidget  *widget,
                           const char *name)
{
  const char *path = g_getenv ("VP_BENCH_MARKS");
  Mark *mark;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (name != NULL);

  if (path == NULL || *path == '\0')
    return;
  mark = g_rc_box_new0 (Mark);
  mark->name = g_strdup (name);
  mark->path = g_strdup (path);
  g_set_weak_pointer (&mark->widget, widget);
  if (gtk_widget_get_realized (widget))
    watch_frame_clock (mark);
  else
    g_signal_connect_data (widget, "realize", G_CALLBACK (on_realize),
                           g_rc_box_acquire (mark), mark_release, 0);
  mark_release (mark, NULL);
}
