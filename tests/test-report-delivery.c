/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report page's delivery state after faults of the network (#13): a
 * revision whose answer was lost says that it may have arrived, Send Now
 * sends it again to settle that, and nothing that may have arrived is
 * called "not sent". The page sends through the app's own path
 * (vp_sync_send_due_async) to tests/vp-fault-peer.py over TLS. Runs under
 * a virtual display. */
#include "config.h"

#include <adwaita.h>
#include <signal.h>
#include <string.h>

#include "vp-outbox.h"
#include "vp-report-page.h"
#include "vp-store-private.h"
#include "vp-sync.h"
#include "vp-test-process.h"
#include "vp-test-util.h"
#include "vp-ui.h"

typedef struct {
  char         *dir;
  char         *cert;
  char         *key;
  char         *period;  /* a closed month, two back from today */
  GPtrArray    *peers;   /* GSubprocess */
  VpStore      *store;
  GtkWindow    *window;
  VpReportPage *page;
} Fixture;

static gpointer
child (gpointer    widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);
  g_assert_nonnull (object);
  return object;
}

static gboolean
page_idle (VpReportPage *page)
{
  return !vp_report_page_is_busy (page);
}

static void
wait_idle (VpReportPage *page)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!page_idle (page))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  for (int i = 0; i < 50; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static const char *
status_title (Fixture *f)
{
  return adw_preferences_row_get_title (child (f->page, VP_TYPE_REPORT_PAGE, "status_row"));
}

static const char *
status_detail (Fixture *f)
{
  return adw_action_row_get_subtitle (child (f->page, VP_TYPE_REPORT_PAGE, "status_row"));
}

static const char *
revision_subtitle (Fixture *f,
                   int      i)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (child (f->page, VP_TYPE_REPORT_PAGE, "revisions_list"), i);

  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* Saves what the page shows, so that a run can be looked at. */
static void
save_screenshot (Fixture    *f,
                 const char *name)
{
  GtkWidget *widget = GTK_WIDGET (f->window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_strdup_printf ("%s.png", name);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (width <= 0 || height <= 0)
    return;
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (f->window)), node, NULL);
  gdk_texture_save_to_png (texture, path);
  g_test_message ("screenshot: %s", path);
}

static void
run_openssl (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                   G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_assert_no_error (error);
}

/* tests/vp-fault-peer.py in @mode, with @status and @body for "answer";
 * its URL. */
static char *
start_peer (Fixture    *f,
            const char *mode,
            const char *status,
            const char *body)
{
  char *url = NULL;
  const char *argv[] = {
    "python3", g_getenv ("VP_FAULT_PEER"), mode, "--cert", f->cert, "--key", f->key,
    status != NULL ? "--status" : NULL, status, "--body", body, NULL
  };
  GSubprocess *peer;

  g_assert_nonnull (argv[1]);
  peer = vp_test_spawn_listening (argv, &url);
  g_ptr_array_add (f->peers, peer);
  return url;
}

static void
use_endpoint (Fixture    *f,
              const char *url)
{
  g_assert_true (vp_store_set_setting (f->store, "endpoint_url", url, NULL));
}

static VpOutboxItem *
revision (Fixture *f,
          guint    number)
{
  g_autoptr(GPtrArray) items = vp_outbox_list (f->store, f->period, NULL);

  g_assert_nonnull (items);
  for (guint i = 0; i < items->len; i++)
    if (((VpOutboxItem *) g_ptr_array_index (items, i))->revision == number)
      return g_ptr_array_steal_index (items, i);
  g_assert_not_reached ();
}

/* A team leader's store with a closed month released, set up for an
 * endpoint over TLS, and its report page on screen. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) this_month = g_date_time_new_local (g_date_time_get_year (now),
                                                           g_date_time_get_month (now), 2, 10, 0, 0);
  /* Two months back is due whatever today's date (the grace is 7 days). */
  g_autoptr(GDateTime) month = g_date_time_add_months (this_month, -2);
  g_autoptr(GError) error = NULL;
  g_autofree char *store_dir = NULL;
  const char *make_cert[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", NULL, "-out", NULL, NULL
  };
  guint n = 0;

  f->dir = vp_test_make_dir ();
  f->cert = g_build_filename (f->dir, "cert.pem", NULL);
  f->key = g_build_filename (f->dir, "key.pem", NULL);
  make_cert[15] = f->key;
  make_cert[17] = f->cert;
  run_openssl (make_cert);
  f->peers = g_ptr_array_new_with_free_func (g_object_unref);
  f->period = g_date_time_format (month, "%Y-%m");

  store_dir = g_build_filename (f->dir, "store", NULL);
  f->store = vp_test_create_store (store_dir);
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *label = g_strdup_printf ("Delivery-%d", i);
      g_autoptr(GDateTime) when = g_date_time_add_days (month, i % 20);
      vp_test_register (f->store, label, 1970 + i, "school", "first", "sufficient", when);
    }
  g_assert_true (vp_store_set_setting (f->store, "endpoint_token", "a-team-token-for-the-test", NULL));
  g_assert_true (vp_store_set_setting (f->store, "endpoint_ca_file", f->cert, NULL));
  g_assert_true (vp_sync_queue_due_reports (f->store, now, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, >=, 1);

  f->window = GTK_WINDOW (gtk_window_new ());
  f->page = g_object_new (VP_TYPE_REPORT_PAGE, NULL);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_set_default_size (f->window, 1000, 800);
  gtk_window_present (f->window);
  vp_report_page_set_store (f->page, f->store);
  vp_report_page_set_period (f->page, f->period);
  wait_idle (f->page);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < f->peers->len; i++)
    {
      g_subprocess_send_signal (g_ptr_array_index (f->peers, i), SIGTERM);
      g_subprocess_wait (g_ptr_array_index (f->peers, i), NULL, NULL);
    }
  g_ptr_array_unref (f->peers);
  gtk_window_destroy (f->window);
  g_clear_object (&f->store);
  vp_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->cert);
  g_free (f->key);
  g_free (f->period);
}

static void
send_now (Fixture *f)
{
  g_assert_true (gtk_widget_get_sensitive (child (f->page, VP_TYPE_REPORT_PAGE, "send_button")));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "report.send", NULL);
  wait_idle (f->page);
}

/* The answer is lost after the whole report left: the page says that it
 * may have arrived, in the status and in the revision's row, and keeps
 * Send Now, which settles it when the endpoint answers "already stored". */
static void
test_may_have_arrived (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *lost = start_peer (f, "lost-answer", NULL, NULL);
  g_autofree char *stored = start_peer (f, "answer", "200", "{\"status\": \"already stored\"}");
  g_autoptr(VpOutboxItem) item = NULL;

  g_assert_cmpstr (status_title (f), ==, "Queued");

  use_endpoint (f, lost);
  send_now (f);
  item = revision (f, 1);
  g_test_message ("state %s: %s", item->state, item->last_error);
  g_assert_cmpstr (item->state, ==, "sending");
  g_test_message ("status: %s — %s; row: %s", status_title (f), status_detail (f), revision_subtitle (f, 0));
  g_assert_cmpstr (status_title (f), ==, "May have arrived");
  g_assert_nonnull (strstr (status_detail (f), "Revision 1 may have been stored: The report was sent, but no answer came back"));
  g_assert_true (g_str_has_prefix (revision_subtitle (f, 0), "May have arrived: The report was sent, but no answer came back"));
  g_assert_null (strstr (status_detail (f), "not sent"));
  g_assert_null (strstr (status_detail (f), "could not be sent"));
  save_screenshot (f, "test-report-delivery-may-have-arrived");

  use_endpoint (f, stored);
  send_now (f);
  g_clear_pointer (&item, vp_outbox_item_free);
  item = revision (f, 1);
  g_assert_cmpstr (item->state, ==, "delivered");
  g_assert_cmpint (item->last_status, ==, 200);
  g_assert_cmpstr (status_title (f), ==, "Delivered");
}

/* Stores from before each month was released once (#10) can hold a
 * superseded revision that was tried: it may have arrived, and the page
 * never calls it "not sent". */
static void
test_superseded_legacy (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *sql =
    g_strdup_printf ("INSERT INTO outbox (period, revision, body, published_sha256, created_at)"
                     "  SELECT period, 2, body, published_sha256, created_at FROM outbox"
                     "  WHERE period = '%s' AND revision = 1;"
                     "UPDATE outbox SET state = 'superseded', attempts = 1, last_error = 'lost'"
                     "  WHERE period = '%s' AND revision = 1;", f->period, f->period);
  const char *row;

  g_assert_true (vp_store_exec (f->store, sql, NULL));
  vp_report_page_refresh (f->page);
  wait_idle (f->page);

  row = revision_subtitle (f, 1);
  g_test_message ("revision 1: %s", row);
  g_assert_null (strstr (row, "not sent"));
  g_assert_true (g_str_has_prefix (row, "Superseded by a newer revision before its delivery was confirmed; it may have arrived"));
  g_assert_cmpstr (status_title (f), ==, "Queued");
}

static gboolean
has_env (const char *name)
{
  const char *value = g_getenv (name);
  return value != NULL && *value != '\0';
}

int
main (int   argc,
      char *argv[])
{
  /* As test-ui: build-aux/test always provides a display. */
  if (!has_env ("DISPLAY") && !has_env ("WAYLAND_DISPLAY"))
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  vp_test_init_data ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  vp_ui_init ();

  g_test_add ("/report-delivery/may-have-arrived", Fixture, NULL, fixture_setup, test_may_have_arrived,
              fixture_teardown);
  g_test_add ("/report-delivery/superseded-legacy", Fixture, NULL, fixture_setup, test_superseded_legacy,
              fixture_teardown);

  return g_test_run ();
}
