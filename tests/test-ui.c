/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UI flows driven as a coach would: unlock, fill the form, press save, and
 * check the encrypted store and today's list. Runs under a virtual display. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "vp-accounts.h"
#include "vp-accounts-page.h"
#include "vp-backup.h"
#include "vp-location.h"
#include "vp-outbox.h"
#include "vp-referral.h"
#include "vp-referrals-page.h"
#include "vp-audit-page.h"
#include "vp-client-page.h"
#include "vp-clock-private.h"
#include "vp-feedback-chart.h"
#include "vp-feedback-dialog.h"
#include "vp-language-needs-dialog.h"
#include "vp-language-picker.h"
#include "vp-referral-dialog.h"
#include "vp-clients-page.h"
#include "vp-cert-password-dialog.h"
#include "vp-client-cert.h"
#include "vp-client-cert-row-private.h"
#include "vp-consent.h"
#include "vp-consent-sheet.h"
#include "vp-contact-form.h"
#include "vp-recovery-page.h"
#include "vp-setup-page.h"
#include "vp-report-page-private.h"
#include "vp-report-table-view-private.h"
#include "vp-review-dialog.h"
#include "vp-store-private.h"
#include "vp-test-certs.h"
#include "vp-test-util.h"
#include "vp-today-page.h"
#include "vp-ui.h"
#include "vp-ui-test-util.h"
#include "vp-unlock-page.h"
#include "vp-window-private.h"

static void
test_register_contact (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  VpWindow *window;
  VpContactForm *form;
  VpTodayPage *today;
  VpStore *store;
  GtkLabel *client_error;
  GtkListBox *list;
  GtkListBoxRow *row;

  vp_store_close (created);
  window = vp_ui_open_window (dir);
  store = vp_window_get_store (window);
  g_assert_nonnull (store);
  form = vp_ui_child (window, VP_TYPE_WINDOW, "contact_form");
  today = vp_ui_child (window, VP_TYPE_WINDOW, "today_page");
  client_error = vp_ui_child (form, VP_TYPE_CONTACT_FORM, "client_error");
  g_assert_cmpuint (vp_today_page_get_n_items (today), ==, 0);

  /* Fill the form: a mosque (religious), first contact via a key figure. */
  vp_ui_select_code (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "location_row"), 3);
  vp_ui_select_code (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "kind_row"), 0);
  vp_ui_select_code (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "initiated_row"), 4);
  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "label_row", "فاطمة T.");
  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "birth_year_row", "19x9");
  gtk_switch_set_active (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "consent_switch"), TRUE);
  vp_ui_select_code (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "proficiency_row"), 2);

  /* Bad input: a clear message next to the field, nothing saved. */
  gtk_widget_activate_action (GTK_WIDGET (form), "form.save", NULL);
  vp_ui_settle ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (client_error)));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "label_row"))),
                   ==, "فاطمة T.");
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-form-error");

  /* Fixed and saved: in the store and on today's list. */
  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "birth_year_row", "1979");
  gtk_widget_activate_action (GTK_WIDGET (form), "form.save", NULL);
  vp_ui_settle ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (client_error)));
  g_assert_cmpint (vp_test_count (store,
                               "SELECT count(*) FROM contact c JOIN client cl ON cl.id = c.client_id"
                               " WHERE cl.label = 'فاطمة T.' AND cl.birth_year = 1979"
                               " AND c.location_type = 'religious' AND c.kind = 'first'"
                               " AND c.initiated_by = 'key_figure'"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need"
                                      " WHERE dutch_proficiency = 'limited'"), ==, 1);
  g_assert_cmpuint (vp_today_page_get_n_items (today), ==, 1);
  /* Today's rows are built when the page is shown, not behind another tab:
   * at a team's scale that took seconds and megabytes at every unlock (#14). */
  list = vp_ui_child (today, VP_TYPE_TODAY_PAGE, "list");
  g_assert_null (gtk_list_box_get_row_at_index (list, 0));
  /* The client fields are cleared for the next person; consent too. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "label_row"))), ==, "");
  g_assert_false (gtk_switch_get_active (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "consent_switch")));

  /* Without consent the proficiency is not stored, whatever the combo says. */
  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "label_row", "Jan K.");
  vp_ui_select_code (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "proficiency_row"), 1);
  gtk_widget_activate_action (GTK_WIDGET (form), "form.save", NULL);
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 2);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM consent"), ==, 1);
  g_assert_cmpuint (vp_today_page_get_n_items (today), ==, 2);

  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "today");
  vp_ui_settle ();
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-today");
  /* Newest first. */
  row = gtk_list_box_get_row_at_index (list, 0);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Jan K.");
  row = gtk_list_box_get_row_at_index (list, 1);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "فاطمة T.");
  g_assert_null (gtk_list_box_get_row_at_index (list, 2));

  /* Idle for five minutes (the default): the store locks by itself, and
   * the half-typed client is gone from the form, not saved anywhere. */
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "register");
  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "label_row", "Half-Typed-Marker");
  g_assert_false (vp_idle_monitor_check (_vp_window_get_idle_monitor (window),
                                         g_get_monotonic_time () + 4 * 60 * G_USEC_PER_SEC));
  g_assert_true (vp_idle_monitor_check (_vp_window_get_idle_monitor (window),
                                        g_get_monotonic_time () + 6 * 60 * G_USEC_PER_SEC));
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "unlock");
  g_assert_null (vp_window_get_store (window));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "label_row"))), ==, "");
  g_assert_false (vp_test_store_files_contain (dir, "Half-Typed-Marker"));
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-locked");

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

static gboolean
report_page_idle (gpointer page)
{
  return !vp_report_page_is_busy (page);
}

static void
refresh_report_page (VpReportPage *page)
{
  vp_report_page_refresh (page);
  g_assert_true (vp_report_page_is_busy (page));
  vp_ui_wait_until (report_page_idle, page);
  vp_ui_settle ();
  g_assert_cmpstr (gtk_label_get_label (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "error_label")), ==, "");
}

static char *
report_value_text (const VpReportTable *table,
                   guint                var)
{
  return table->suppressed[var] ? g_strdup ("—") : g_strdup_printf ("%" G_GINT64_FORMAT, table->value[var]);
}

/* One value as the page shows it; a row left out must be 0 throughout. */
static void
assert_report_value (VpReportTableView   *view,
                     const VpReportTable *table,
                     guint                var,
                     const char          *row_code,
                     const char          *column_code)
{
  g_autofree char *expected = report_value_text (table, var);
  const char *shown = _vp_report_table_view_get_text (view, row_code, column_code);

  if (shown == NULL)
    {
      g_assert_nonnull (row_code);
      g_assert_false (table->suppressed[var]);
      g_assert_cmpint (table->value[var], ==, 0);
      return;
    }
  g_assert_cmpstr (shown, ==, expected);
}

/* Every table of the revision on display against the JSON it came from. */
static void
assert_report_tables (VpReportPage *page,
                      const char   *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpReport) report = vp_report_new_from_json (json, &error);

  g_assert_no_error (error);
  for (guint t = 0; t < report->tables->len; t++)
    {
      const VpReportTable *table = g_ptr_array_index (report->tables, t);
      VpReportTableView *view = _vp_report_page_get_table_view (page, table->def->name);
      gboolean two_d = vp_report_table_is_2d (table);

      g_assert_nonnull (view);
      for (guint r = 0; r < table->rows->len; r++)
        {
          const char *row = g_ptr_array_index (table->rows, r);
          for (guint c = 0; c < table->columns->len; c++)
            assert_report_value (view, table, vp_report_table_cell (table, r, c), row,
                                 two_d ? g_ptr_array_index (table->columns, c) : NULL);
          if (two_d)
            assert_report_value (view, table, vp_report_table_row_total (table, r), row, NULL);
        }
      for (guint c = 0; two_d && c < table->columns->len; c++)
        assert_report_value (view, table, vp_report_table_column_total (table, c), NULL,
                             g_ptr_array_index (table->columns, c));
      assert_report_value (view, table, vp_report_table_grand_total (table), NULL, NULL);
    }
}

static const char *
report_status (VpReportPage *page)
{
  return adw_preferences_row_get_title (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "status_row"));
}

static const char *
revision_subtitle (VpReportPage *page,
                   int           i)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "revisions_list"), i);

  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

static const char *
revision_title (VpReportPage *page,
                int           i)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "revisions_list"), i);

  g_assert_nonnull (row);
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

static gboolean
pointer_cleared (gpointer location)
{
  return *(gpointer *) location == NULL;
}

static gboolean
outbox_has_items (gpointer store)
{
  return vp_test_count (store, "SELECT count(*) FROM outbox") > 0;
}

static VpOutboxItem *
outbox_revision (VpStore    *store,
                 const char *period,
                 guint       revision)
{
  g_autoptr(GPtrArray) items = vp_outbox_list (store, period, NULL);

  g_assert_nonnull (items);
  for (guint i = 0; i < items->len; i++)
    {
      VpOutboxItem *item = g_ptr_array_index (items, i);
      if (item->revision == revision)
        return g_steal_pointer (&g_ptr_array_index (items, i));
    }
  g_assert_not_reached ();
}

/* The team leader's report page of #6: the month as readable tables (built
 * off the page's main work, with a spinner), the exact JSON that leaves,
 * every revision with its delivery state, and the reason a refused one
 * needs attention. */
static void
test_report_page (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) this_month = g_date_time_new_local (g_date_time_get_year (now),
                                                           g_date_time_get_month (now), 2, 10, 0, 0);
  /* Two months back is due whatever today's date (the grace is 7 days). */
  g_autoptr(GDateTime) month = g_date_time_add_months (this_month, -2);
  g_autoptr(GDateTime) other_month = g_date_time_add_months (this_month, -3);
  g_autofree char *period = g_date_time_format (month, "%Y-%m");
  g_autofree char *other_period = g_date_time_format (other_month, "%Y-%m");
  g_autofree char *preview_json = NULL;
  g_autoptr(VpOutboxItem) first = NULL;
  VpReportTableView *contacts;
  VpWindow *window;
  VpReportPage *page;
  VpStore *store;

  /* Eight residents met at school, six at the community centre and two at
   * the library: the library's figures come from fewer than k = 5 people. */
  for (int i = 0; i < 16; i++)
    {
      g_autofree char *label = g_strdup_printf ("Report-Label-%d", i);
      vp_test_register (created, label, 1970 + i, i < 8 ? "school" : i < 14 ? "community_centre" : "library",
                        "first", "sufficient", month);
    }
  vp_store_close (created);

  /* Unlocking queues the closed month as revision 1, in a worker thread
   * (there is no endpoint, so it stays queued). */
  window = vp_ui_open_window_sized (dir, 1000, 700);
  store = vp_window_get_store (window);
  vp_ui_wait_until (outbox_has_items, store);
  page = vp_ui_child (window, VP_TYPE_WINDOW, "report_page");
  vp_report_page_set_period (page, period);
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "report");
  g_assert_true (vp_report_page_is_busy (page));
  g_assert_true (gtk_spinner_get_spinning (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "spinner")));
  vp_ui_wait_until (report_page_idle, page);
  vp_ui_settle ();

  first = outbox_revision (store, period, 1);
  g_assert_cmpstr (first->state, ==, "queued");
  g_assert_cmpstr (vp_report_page_get_json (page), ==, first->body);
  g_assert_null (strstr (first->body, "Report-Label"));
  g_assert_cmpstr (report_status (page), ==, "Queued");
  g_assert_cmpstr (revision_title (page, 0), ==, "Revision 1");
  g_assert_true (g_str_has_prefix (revision_subtitle (page, 0), "Queued"));

  /* The tables show what the JSON publishes: school's eight, the library
   * hidden, and every other value as the bytes have it. */
  contacts = _vp_report_page_get_table_view (page, "contacts");
  g_assert_cmpstr (_vp_report_table_view_get_text (contacts, "library", "first"), ==, "—");
  assert_report_tables (page, first->body);
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-report");

  /* Five more at school, entered now: the month was released and is
   * never sent again; they count in the month they were entered. */
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *label = g_strdup_printf ("Report-Later-%d", i);
      vp_test_register (store, label, 1990 + i, "school", "first", "sufficient", month);
      g_assert_true (vp_store_exec (store, "UPDATE contact SET entered_at ="
                                    " strftime ('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')"
                                    " WHERE id = (SELECT max (id) FROM contact)", NULL));
    }
  refresh_report_page (page);
  g_assert_cmpstr (report_status (page), ==, "Queued");
  g_assert_cmpstr (revision_title (page, 0), ==, "Revision 1");
  g_assert_cmpstr (vp_report_page_get_json (page), ==, first->body);

  /* Delivered: nothing left to send. */
  g_assert_true (vp_outbox_mark (store, first->id, "delivered", 201, NULL, 0, NULL));
  refresh_report_page (page);
  g_assert_cmpstr (report_status (page), ==, "Delivered");
  g_assert_true (g_str_has_prefix (revision_subtitle (page, 0), "Delivered"));
  g_assert_false (gtk_widget_is_sensitive (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "send_button")));

  /* Refused: the state says why, at the top and in the list. */
  g_assert_true (vp_outbox_mark (store, first->id, "needs_attention", 403,
                                 "The team token was refused", 0, NULL));
  refresh_report_page (page);
  g_assert_cmpstr (report_status (page), ==, "Needs attention: The team token was refused (HTTP 403)");
  g_assert_nonnull (strstr (revision_subtitle (page, 0), "The team token was refused"));
  g_assert_true (gtk_widget_is_sensitive (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "send_button")));
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-report-attention");

  /* A due month not released yet: the page shows what will leave, and
   * Send Now releases exactly those bytes. */
  {
    g_autofree char *sql = g_strdup_printf ("DELETE FROM outbox WHERE period = '%s'", other_period);
    g_autoptr(VpOutboxItem) released = NULL;

    g_assert_true (vp_store_exec (store, sql, NULL));
    vp_report_page_set_period (page, other_period);
    vp_ui_wait_until (report_page_idle, page);
    vp_ui_settle ();
    g_assert_cmpstr (report_status (page), ==, "Due — will be queued");
    g_assert_cmpstr (revision_title (page, 0), ==, "Revision 1, not queued yet");
    preview_json = g_strdup (vp_report_page_get_json (page));
    /* A second later: the bytes that leave are still those shown, stamp
     * included. */
    g_usleep (1100 * 1000);
    gtk_widget_activate_action (GTK_WIDGET (page), "report.send", NULL);
    vp_ui_wait_until (report_page_idle, page);
    vp_ui_settle ();
    released = outbox_revision (store, other_period, 1);
    g_assert_cmpstr (released->body, ==, preview_json);
    vp_report_page_set_period (page, period);
    vp_ui_wait_until (report_page_idle, page);
    vp_ui_settle ();
  }

  /* Another month while a build runs: the first build is dropped. */
  vp_report_page_refresh (page);
  vp_report_page_set_period (page, other_period);
  vp_ui_wait_until (report_page_idle, page);
  vp_ui_settle ();
  g_assert_nonnull (strstr (vp_report_page_get_json (page), other_period));

  /* Locking while a build runs cancels it and clears the page. */
  vp_report_page_refresh (page);
  g_assert_true (vp_report_page_is_busy (page));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL);
  vp_ui_settle ();
  g_assert_false (vp_report_page_is_busy (page));
  g_assert_null (vp_report_page_get_json (page));

  /* The page lives until the cancelled build's thread has let it go. */
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_wait_until (pointer_cleared, &page);
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

static char *
stored_label (VpStore *store)
{
  return vp_store_get_setting (store, "installation_label");
}

/* The team leader names the laptop on the report page (#11); a refused
 * name is explained and the old one kept; a coach cannot change it. */
static void
test_installation_label (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  g_autofree char *label = NULL;
  g_autoptr(GError) error = NULL;
  VpWindow *window;
  VpReportPage *page;
  AdwEntryRow *row;
  GtkLabel *message;
  VpStore *store;

  g_assert_cmpint (vp_store_add_account (created, "Coach Dewi", "coach", "coach dewi passphrase", &error), >, 0);
  g_assert_no_error (error);
  vp_store_close (created);

  window = vp_ui_open_window (dir);
  store = vp_window_get_store (window);
  page = vp_ui_child (window, VP_TYPE_WINDOW, "report_page");
  row = vp_ui_child (page, VP_TYPE_REPORT_PAGE, "label_row");
  message = vp_ui_child (page, VP_TYPE_REPORT_PAGE, "label_error");
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "report");
  vp_ui_wait_until (report_page_idle, page);
  vp_ui_settle ();
  g_assert_true (gtk_widget_is_visible (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "label_group")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");

  /* Saved on apply, trimmed. */
  gtk_editable_set_text (GTK_EDITABLE (row), "  Laptop Zuid – 2 ");
  label = stored_label (store);
  g_assert_null (label);
  g_signal_emit_by_name (row, "apply");
  label = stored_label (store);
  g_assert_cmpstr (label, ==, "Laptop Zuid – 2");
  g_clear_pointer (&label, g_free);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "Laptop Zuid – 2");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (message)));
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-installation-label");

  /* Refused: the reason shows, the row is marked, the store keeps the
   * old name; typing again clears the mark. */
  gtk_editable_set_text (GTK_EDITABLE (row), "Laptop\tZuid");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (message)));
  g_assert_nonnull (strstr (gtk_label_get_label (message), "control characters"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  gtk_test_accessible_assert_state (row, GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE);
  label = stored_label (store);
  g_assert_cmpstr (label, ==, "Laptop Zuid – 2");
  g_clear_pointer (&label, g_free);
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-installation-label-refused");
  gtk_editable_set_text (GTK_EDITABLE (row), "Laptop Noord");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (message)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  gtk_test_accessible_assert_state (row, GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_FALSE);
  g_signal_emit_by_name (row, "apply");
  label = stored_label (store);
  g_assert_cmpstr (label, ==, "Laptop Noord");
  g_clear_pointer (&label, g_free);

  /* Locking clears the row; unlocking shows the name kept. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  window = vp_ui_open_window (dir);
  page = vp_ui_child (window, VP_TYPE_WINDOW, "report_page");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "label_row"))),
                   ==, "Laptop Noord");

  /* Emptied: no name. */
  gtk_editable_set_text (GTK_EDITABLE (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "label_row")), " ");
  g_signal_emit_by_name (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "label_row"), "apply");
  label = stored_label (vp_window_get_store (window));
  g_assert_null (label);
  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();

  /* A coach sees the report but not the row. */
  {
    VpWindow *coach = vp_window_new (NULL, dir);
    VpUnlockPage *unlock = vp_ui_child (coach, VP_TYPE_WINDOW, "unlock_page");

    gtk_window_present (GTK_WINDOW (coach));
    vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "name_row", "coach dewi");
    vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", "coach dewi passphrase");
    gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
    vp_ui_wait_until (vp_ui_page_is_main, coach);
    page = vp_ui_child (coach, VP_TYPE_WINDOW, "report_page");
    g_assert_false (gtk_widget_get_visible (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "label_group")));
    gtk_editable_set_text (GTK_EDITABLE (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "label_row")), "Coach laptop");
    g_signal_emit_by_name (vp_ui_child (page, VP_TYPE_REPORT_PAGE, "label_row"), "apply");
    label = stored_label (vp_window_get_store (coach));
    g_assert_null (label);
    gtk_window_destroy (GTK_WINDOW (coach));
    vp_ui_settle ();
  }
  vp_test_remove_dir (dir);
}

static gboolean
has_env (const char *name)
{
  const char *value = g_getenv (name);
  return value != NULL && *value != '\0';
}

static gboolean
page_is_recovery (gpointer window)
{
  return g_strcmp0 (vp_window_get_page_name (window), "recovery") == 0;
}

/* First run: create the store, see the recovery key once, then work. */
static void
test_first_run (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *key = NULL;
  g_autoptr(VpStore) recovered = NULL;
  g_autoptr(GError) error = NULL;
  VpWindow *window = vp_window_new (NULL, store_dir);
  VpSetupPage *setup = vp_ui_child (window, VP_TYPE_WINDOW, "setup_page");
  VpRecoveryPage *recovery = vp_ui_child (window, VP_TYPE_WINDOW, "recovery_page");
  GtkLabel *error_label = vp_ui_child (setup, VP_TYPE_SETUP_PAGE, "error_label");

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 760);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "setup");

  vp_ui_set_text (setup, VP_TYPE_SETUP_PAGE, "team_row", "wijkteam-oost");
  vp_ui_set_text (setup, VP_TYPE_SETUP_PAGE, "municipality_row", "gm0599");
  vp_ui_set_text (setup, VP_TYPE_SETUP_PAGE, "name_row", "Leider");
  vp_ui_set_text (setup, VP_TYPE_SETUP_PAGE, "passphrase_row", VP_TEST_PASSPHRASE);
  vp_ui_set_text (setup, VP_TYPE_SETUP_PAGE, "repeat_row", "something else");
  gtk_widget_activate_action (GTK_WIDGET (setup), "setup.create", NULL);
  vp_ui_settle ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_false (vp_store_exists (store_dir));

  vp_ui_set_text (setup, VP_TYPE_SETUP_PAGE, "repeat_row", VP_TEST_PASSPHRASE);
  gtk_widget_activate_action (GTK_WIDGET (setup), "setup.create", NULL);
  vp_ui_wait_until (page_is_recovery, window);
  vp_ui_settle ();
  key = g_strdup (gtk_label_get_label (vp_ui_child (recovery, VP_TYPE_RECOVERY_PAGE, "key_label")));
  g_assert_cmpuint (strlen (key), ==, 39);
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-recovery-key");

  gtk_widget_activate_action (GTK_WIDGET (recovery), "recovery.done", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "main");
  g_assert_cmpstr (vp_store_get_municipality_code (vp_window_get_store (window)), ==, "GM0599");
  /* The key is gone from the screen once stored. */
  g_assert_cmpstr (gtk_label_get_label (vp_ui_child (recovery, VP_TYPE_RECOVERY_PAGE, "key_label")), ==, "");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL);
  vp_ui_settle ();
  recovered = vp_store_open_with_recovery_key (store_dir, key, &error);
  g_assert_no_error (error);
  g_assert_true (vp_store_needs_new_passphrase (recovered));

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

/* Every passphrase forgotten: the recovery key opens the store, and a new
 * passphrase is required before any page with personal data shows. */
static void
test_recovery_unlock (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  VpStoreSetup setup = { "team", "GM0344", "Leader", VP_TEST_PASSPHRASE };
  g_autofree char *key = NULL;
  g_autoptr(VpStore) created = vp_store_create (dir, &setup, &key, NULL);
  g_autoptr(VpStore) reopened = NULL;
  VpWindow *window;
  VpUnlockPage *unlock;

  g_assert_cmpint (vp_store_add_account (created, "Coach", "coach", "coach passphrase", NULL), >, 0);
  vp_store_close (created);

  window = vp_window_new (NULL, dir);
  unlock = vp_ui_child (window, VP_TYPE_WINDOW, "unlock_page");
  gtk_window_present (GTK_WINDOW (window));
  vp_ui_settle ();
  /* Two accounts: the page asks whose passphrase it is. */
  g_assert_true (gtk_widget_get_visible (vp_ui_child (unlock, VP_TYPE_UNLOCK_PAGE, "name_row")));

  gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.toggle-recovery", NULL);
  g_assert_false (gtk_widget_get_visible (vp_ui_child (unlock, VP_TYPE_UNLOCK_PAGE, "name_row")));
  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", key);
  gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
  vp_ui_wait_until (vp_ui_unlock_idle, unlock);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "unlock");
  g_assert_true (gtk_widget_get_visible (vp_ui_child (unlock, VP_TYPE_UNLOCK_PAGE, "repeat_row")));
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-new-passphrase");

  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", "a fresh passphrase");
  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "repeat_row", "a fresh passphrase");
  gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "main");
  g_assert_false (vp_store_needs_new_passphrase (vp_window_get_store (window)));

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  reopened = vp_store_open_account (dir, "leader", "a fresh passphrase", NULL);
  g_assert_nonnull (reopened);
  vp_test_remove_dir (dir);
}

static GtkWidget *
first_spin (GtkWidget *widget)
{
  if (GTK_IS_SPIN_BUTTON (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = first_spin (c);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The team leader adds a coach and checks the audit log; a coach sees
 * neither page. */
static void
test_team_pages (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  g_autoptr(GPtrArray) accounts = NULL;
  VpWindow *window;
  VpAccountsPage *team;
  VpAuditPage *audit;

  vp_store_close (created);
  window = vp_ui_open_window (dir);
  team = vp_ui_child (window, VP_TYPE_WINDOW, "accounts_page");
  audit = vp_ui_child (window, VP_TYPE_WINDOW, "audit_page");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-team", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "team");
  vp_ui_set_text (team, VP_TYPE_ACCOUNTS_PAGE, "name_row", "Coach Dewi");
  vp_ui_set_text (team, VP_TYPE_ACCOUNTS_PAGE, "passphrase_row", "short");
  gtk_widget_activate_action (GTK_WIDGET (team), "accounts.add", NULL);
  vp_ui_settle ();
  g_assert_true (gtk_widget_get_visible (vp_ui_child (team, VP_TYPE_ACCOUNTS_PAGE, "error_label")));
  vp_ui_set_text (team, VP_TYPE_ACCOUNTS_PAGE, "passphrase_row", "coach dewi passphrase");
  gtk_widget_activate_action (GTK_WIDGET (team), "accounts.add", NULL);
  vp_ui_settle ();
  accounts = vp_store_list_accounts (vp_window_get_store (window), NULL);
  g_assert_cmpuint (accounts->len, ==, 2);
  g_assert_nonnull (gtk_list_box_get_row_at_index (vp_ui_child (team, VP_TYPE_ACCOUNTS_PAGE, "list"), 1));
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-team");

  /* A new location, offered first on the registration form. */
  vp_ui_set_text (team, VP_TYPE_ACCOUNTS_PAGE, "location_name_row", "Buurthuis De Kolk");
  adw_combo_row_set_selected (vp_ui_child (team, VP_TYPE_ACCOUNTS_PAGE, "location_type_row"), 5); /* community centre */
  gtk_widget_activate_action (GTK_WIDGET (team), "accounts.add-location", NULL);
  vp_ui_settle ();
  g_assert_nonnull (gtk_list_box_get_row_at_index (vp_ui_child (team, VP_TYPE_ACCOUNTS_PAGE, "locations_list"), 0));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "register");
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "main");
  {
    VpContactForm *form = vp_ui_child (window, VP_TYPE_WINDOW, "contact_form");
    GListModel *places = adw_combo_row_get_model (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "location_row"));
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (places), 0), ==,
                     "Buurthuis De Kolk (Community centre)");
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-team", NULL);
  vp_ui_settle ();

  /* The privacy settings: retention in the store, auto-lock in GSettings. */
  gtk_spin_button_set_value (vp_ui_child (team, VP_TYPE_ACCOUNTS_PAGE, "retention_spin"), 12);
  gtk_spin_button_set_value (vp_ui_child (team, VP_TYPE_ACCOUNTS_PAGE, "idle_spin"), 7);
  {
    g_autofree char *months = vp_store_get_setting (vp_window_get_store (window), "retention_months");
    g_autoptr(GSettings) settings = g_settings_new ("io.github.vindplaats.Vindplaats");

    g_assert_cmpstr (months, ==, "12");
    /* Feedback periods per kind of referral; the first row is youth care. */
    {
      GtkWidget *spin = first_spin (vp_ui_child (team, VP_TYPE_ACCOUNTS_PAGE, "periods_group"));
      g_autofree char *days = NULL;

      g_assert_nonnull (spin);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 21);
      days = vp_store_get_setting (vp_window_get_store (window), "feedback_days:youth_care");
      g_assert_cmpstr (days, ==, "21");
    }
    g_assert_cmpuint (g_settings_get_uint (settings, "idle-lock-minutes"), ==, 7);
    g_settings_reset (settings, "idle-lock-minutes");
  }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-audit", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "audit");
  g_assert_cmpuint (vp_audit_page_get_n_shown (audit), >=, 2); /* unlock, account added */
  gtk_widget_activate_action (GTK_WIDGET (audit), "audit.verify", NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (vp_ui_child (audit, VP_TYPE_AUDIT_PAGE, "verify_row")), ==,
                   "The audit log is complete and unaltered");
  adw_combo_row_set_selected (vp_ui_child (audit, VP_TYPE_AUDIT_PAGE, "action_row"), 12); /* account added */
  g_assert_cmpuint (vp_audit_page_get_n_shown (audit), ==, 1);
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-audit");
  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();

  /* The coach's own window has no team pages. */
  {
    VpWindow *coach = vp_window_new (NULL, dir);
    VpUnlockPage *unlock = vp_ui_child (coach, VP_TYPE_WINDOW, "unlock_page");

    gtk_window_present (GTK_WINDOW (coach));
    vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "name_row", "coach dewi");
    vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", "coach dewi passphrase");
    gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
    vp_ui_wait_until (vp_ui_page_is_main, coach);
    g_assert_cmpstr (vp_store_get_account_role (vp_window_get_store (coach)), ==, "coach");
    gtk_widget_activate_action (GTK_WIDGET (coach), "win.show-team", NULL);
    gtk_widget_activate_action (GTK_WIDGET (coach), "win.show-audit", NULL);
    vp_ui_settle ();
    g_assert_cmpstr (vp_window_get_page_name (coach), ==, "main");
    gtk_window_destroy (GTK_WINDOW (coach));
    vp_ui_settle ();
  }
  vp_test_remove_dir (dir);
}

static AdwMessageDialog *
open_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */

  vp_ui_settle ();
  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i - 1);
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  g_assert_not_reached ();
}

/* The open message dialog, answered as the user would. */
static void
respond_to_dialog (const char *response)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */

  vp_ui_settle ();
  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i - 1);
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          adw_message_dialog_response (ADW_MESSAGE_DIALOG (window), response);
          vp_ui_settle ();
          return;
        }
    }
  g_assert_not_reached ();
}

static gboolean
cert_row_idle (gpointer row)
{
  return !_vp_client_cert_row_is_busy (row);
}

#define ANSWERED "vp-test-answered"

/* The password prompt not answered yet, or NULL: one answered before may
 * still be on screen while it closes. */
static AdwMessageDialog *
find_unanswered_prompt (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (VP_IS_CERT_PASSWORD_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          g_object_get_data (window, ANSWERED) == NULL)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
unanswered_prompt_open (gpointer data)
{
  return find_unanswered_prompt () != NULL;
}

/* The password prompt that is open, answered with @password. */
static void
answer_password (const char *password,
                 const char *response)
{
  AdwMessageDialog *dialog;

  vp_ui_wait_until (unanswered_prompt_open, NULL);
  dialog = find_unanswered_prompt ();
  g_object_set_data (G_OBJECT (dialog), ANSWERED, GINT_TO_POINTER (TRUE));
  gtk_editable_set_text (GTK_EDITABLE (vp_ui_child (dialog, VP_TYPE_CERT_PASSWORD_DIALOG, "entry")), password);
  adw_message_dialog_response (dialog, response);
}

static int
client_cert_audits (VpStore    *store,
                    const char *action)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT count(*) FROM audit_log WHERE record_type = 'client_certificate' AND action = '%s'",
                     action);
  return vp_test_count (store, sql);
}

static gboolean
password_dialog_open (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      if (VP_IS_CERT_PASSWORD_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return TRUE;
    }
  return FALSE;
}

/* The prompt asked again, with the reason the last password failed, or
 * NULL. */
static AdwMessageDialog *
find_prompt_again (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (VP_IS_CERT_PASSWORD_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          g_object_get_data (window, ANSWERED) == NULL &&
          gtk_widget_get_visible (vp_ui_child (window, VP_TYPE_CERT_PASSWORD_DIALOG, "error_label")))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
password_asked_again (gpointer data)
{
  return find_prompt_again () != NULL;
}

/* A visible message dialog that is not the password prompt, or NULL. */
static AdwMessageDialog *
find_error_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && !VP_IS_CERT_PASSWORD_DIALOG (window) &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
error_dialog_open (gpointer data)
{
  return find_error_dialog () != NULL;
}

/* Chooses @path in the row's file chooser, as the team leader would:
 * the chooser (GTK's own dialog here, as there is no portal) is given the
 * file and accepted, and the row reads the file and asks its password. */
static void
choose_file (VpClientCertRow *row,
             const char      *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GtkNativeDialog *chooser;

  gtk_widget_activate_action (GTK_WIDGET (row), "client-cert.import", NULL);
  chooser = _vp_client_cert_row_get_chooser (row);
  g_assert_nonnull (chooser);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, &error);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_no_error (error);
  vp_ui_settle ();
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_ACCEPT);
  g_assert_null (_vp_client_cert_row_get_chooser (row));
  vp_ui_wait_until (password_dialog_open, NULL);
}

/* The team leader's client certificate row on the report page (#12): the
 * file chooser opens with the certificate filter; a chosen file's password
 * is asked; a wrong password is asked again with the reason; a file that
 * is not PKCS#12 is explained; the right one is kept in the store, shown,
 * audited; Remove asks first. */
static void
test_client_certificate (void)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *dir = NULL;
  g_autofree char *certs = NULL;
  g_autoptr(VpStore) created = NULL;
  g_autofree char *p12 = NULL;
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  VpClientCertRow *row;
  VpWindow *window;
  VpReportPage *page;
  VpStore *store;

  /* The test material is made with the openssl command. */
  if (openssl == NULL)
    {
      g_test_skip ("no openssl command");
      return;
    }
  dir = vp_test_make_dir ();
  certs = vp_test_make_dir ();
  created = vp_test_create_store (dir);
  vp_test_cert_make_ca (certs, "municipality");
  p12 = vp_test_cert_make_client (certs, "municipality", "laptop-1", "/O=Wijkteam Noord/CN=laptop-1",
                                  -1, 365, "p12 wachtwoord");
  pem = g_build_filename (certs, "laptop-1.pem", NULL);
  g_assert_cmpint (vp_store_add_account (created, "Coach Dewi", "coach", "coach dewi passphrase", &error), >, 0);
  g_assert_no_error (error);
  vp_store_close (created);

  window = vp_ui_open_window (dir);
  store = vp_window_get_store (window);
  page = vp_ui_child (window, VP_TYPE_WINDOW, "report_page");
  row = vp_ui_child (page, VP_TYPE_REPORT_PAGE, "cert_row");
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "report");
  vp_ui_wait_until (report_page_idle, page);
  vp_ui_settle ();
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (row)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "None");
  g_assert_true (gtk_widget_is_sensitive (vp_ui_child (row, VP_TYPE_CLIENT_CERT_ROW, "import_button")));
  g_assert_false (gtk_widget_is_sensitive (vp_ui_child (row, VP_TYPE_CLIENT_CERT_ROW, "remove_button")));

  /* Import… opens a chooser for .p12 and .pfx files. */
  gtk_widget_activate_action (GTK_WIDGET (row), "client-cert.import", NULL);
  {
    GtkNativeDialog *chooser = _vp_client_cert_row_get_chooser (row);
    GtkFileFilter *filter;

    g_assert_nonnull (chooser);
    filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (chooser));
    g_assert_cmpstr (gtk_file_filter_get_name (filter), ==, "Certificate files (.p12, .pfx)");
    g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_CANCEL);
    vp_ui_settle ();
    g_assert_null (_vp_client_cert_row_get_chooser (row));
  }
  /* Cancelled: nothing happens. */
  choose_file (row, p12);
  answer_password ("p12 wachtwoord", "cancel");
  vp_ui_settle ();
  g_assert_true (cert_row_idle (row));
  g_assert_null (vp_client_cert_get_info (store));

  /* A wrong password: asked again, with the reason; nothing kept. */
  choose_file (row, p12);
  {
    AdwMessageDialog *dialog = open_dialog ();
    g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“laptop-1.p12”"));
    g_assert_false (gtk_widget_get_visible (vp_ui_child (dialog, VP_TYPE_CERT_PASSWORD_DIALOG, "error_label")));
  }
  answer_password ("wachtwoord", "import");
  vp_ui_wait_until (cert_row_idle, row);
  /* The first prompt may still be closing when the second opens. */
  vp_ui_wait_until (password_asked_again, NULL);
  {
    AdwMessageDialog *dialog = find_prompt_again ();
    GtkLabel *reason = vp_ui_child (dialog, VP_TYPE_CERT_PASSWORD_DIALOG, "error_label");

    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (reason)));
    g_assert_cmpstr (gtk_label_get_label (reason), ==, "The password of the certificate file is not correct");
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (vp_ui_child (dialog, VP_TYPE_CERT_PASSWORD_DIALOG, "entry"))),
                     ==, "");
    vp_ui_save_screenshot (GTK_WIDGET (dialog), "test-ui-client-certificate-password");
  }
  g_assert_null (vp_client_cert_get_info (store));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "None");

  /* The right one: kept, shown with its expiry, audited. */
  answer_password ("p12 wachtwoord", "import");
  vp_ui_wait_until (cert_row_idle, row);
  vp_ui_settle ();
  {
    g_autoptr(VpClientCertInfo) info = vp_client_cert_get_info (store);
    g_autofree char *until = NULL;
    g_autofree char *expected = NULL;

    g_assert_nonnull (info);
    until = vp_client_cert_format_date (info->not_after);
    expected = g_strdup_printf ("CN=laptop-1,O=Wijkteam Noord\nValid until %s", until);
    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, expected);
  }
  g_assert_cmpint (client_cert_audits (store, "create"), ==, 1);
  g_assert_true (gtk_widget_is_sensitive (vp_ui_child (row, VP_TYPE_CLIENT_CERT_ROW, "remove_button")));
  g_assert_false (vp_test_store_files_contain (dir, "PRIVATE KEY"));
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-client-certificate");

  /* Not a PKCS#12 file: said so in a dialog; the one kept stays. */
  choose_file (row, pem);
  answer_password ("p12 wachtwoord", "import");
  vp_ui_wait_until (cert_row_idle, row);
  /* The prompt may still be closing when the refusal opens. */
  vp_ui_wait_until (error_dialog_open, NULL);
  {
    AdwMessageDialog *dialog = find_error_dialog ();

    g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Certificate Not Imported");
    g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                     "This is not a certificate file in PKCS#12 format (.p12 or .pfx)");
    adw_message_dialog_response (dialog, "close");
    vp_ui_settle ();
  }
  {
    g_autoptr(VpClientCertInfo) info = vp_client_cert_get_info (store);
    g_assert_nonnull (info);
  }

  /* Remove asks first, then forgets it. */
  gtk_widget_activate_action (GTK_WIDGET (row), "client-cert.remove", NULL);
  respond_to_dialog ("cancel");
  g_assert_cmpint (client_cert_audits (store, "delete"), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (row), "client-cert.remove", NULL);
  respond_to_dialog ("remove");
  g_assert_null (vp_client_cert_get_info (store));
  g_assert_cmpint (client_cert_audits (store, "delete"), ==, 1);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "None");
  g_assert_false (gtk_widget_is_sensitive (vp_ui_child (row, VP_TYPE_CLIENT_CERT_ROW, "remove_button")));

  /* Locked: nothing can be imported. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL);
  vp_ui_settle ();
  g_assert_false (gtk_widget_is_sensitive (vp_ui_child (row, VP_TYPE_CLIENT_CERT_ROW, "import_button")));
  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();

  /* A coach's window never gives the row the store. */
  {
    VpWindow *coach = vp_window_new (NULL, dir);
    VpUnlockPage *unlock = vp_ui_child (coach, VP_TYPE_WINDOW, "unlock_page");

    gtk_window_present (GTK_WINDOW (coach));
    vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "name_row", "coach dewi");
    vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", "coach dewi passphrase");
    gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
    vp_ui_wait_until (vp_ui_page_is_main, coach);
    row = vp_ui_child (vp_ui_child (coach, VP_TYPE_WINDOW, "report_page"), VP_TYPE_REPORT_PAGE, "cert_row");
    g_assert_false (gtk_widget_is_visible (GTK_WIDGET (row)));
    g_assert_false (gtk_widget_is_sensitive (vp_ui_child (row, VP_TYPE_CLIENT_CERT_ROW, "import_button")));
    gtk_window_destroy (GTK_WINDOW (coach));
    vp_ui_settle ();
  }
  vp_test_remove_dir (certs);
  vp_test_remove_dir (dir);
}

/* A returning client found by search, consent withdrawn and given, a
 * follow-up registered, and the client erased. */
static void
test_clients_flow (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  VpWindow *window;
  VpClientsPage *clients;
  VpClientPage *page;
  VpContactForm *form;
  VpStore *store;
  gint64 zeynep;

  vp_test_register (created, "Zeynep K.", 1988, "school", "first", "limited", NULL);
  vp_test_register (created, "Jan B.", 1970, "library", "first", NULL, NULL);
  vp_test_register (created, "سارة", 1995, "religious", "first", "sufficient", NULL);
  zeynep = vp_test_count (created, "SELECT id FROM client WHERE label = 'Zeynep K.'");
  vp_store_close (created);

  window = vp_ui_open_window (dir);
  store = vp_window_get_store (window);
  clients = vp_ui_child (window, VP_TYPE_WINDOW, "clients_page");
  page = vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "client_page");
  form = vp_ui_child (window, VP_TYPE_WINDOW, "contact_form");
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "clients");

  /* Results as you type; Enter opens the first. */
  vp_ui_set_text (clients, VP_TYPE_CLIENTS_PAGE, "search_entry", "zey");
  g_signal_emit_by_name (vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "search_entry"), "search-changed");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (
                      vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "list_view")))), ==, 1);
  g_signal_emit_by_name (vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "search_entry"), "activate");
  vp_ui_settle ();
  g_assert_cmpint (vp_client_page_get_client_id (page), ==, zeynep);
  g_assert_cmpstr (gtk_label_get_label (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "title_label")), ==, "Zeynep K.");
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE action = 'read'"), ==, 1);
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-client");

  /* Withdrawing asks first; then the value is gone at once. */
  gtk_widget_activate_action (GTK_WIDGET (page), "client.withdraw-consent", "s", "language");
  respond_to_dialog ("withdraw");
  g_assert_false (vp_store_has_consent (store, zeynep, "language"));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need WHERE client_id IN"
                                         " (SELECT id FROM client WHERE label = 'Zeynep K.')"), ==, 0);

  g_assert_false (gtk_widget_get_sensitive (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "language_button")));

  /* Consent again, then language needs: proficiency and preferred languages. */
  g_assert_true (vp_store_give_consent (store, zeynep, "language", "verbal", "tur", "2026-1", NULL));
  vp_client_page_show (page, store, zeynep);
  g_assert_true (gtk_widget_get_sensitive (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "language_button")));
  gtk_widget_activate_action (GTK_WIDGET (page), "client.edit-language", NULL);
  {
    AdwMessageDialog *dialog = open_dialog ();

    adw_combo_row_set_selected (vp_ui_child (dialog, VP_TYPE_LANGUAGE_NEEDS_DIALOG, "proficiency_row"), 2); /* limited */
    vp_language_picker_toggle (vp_ui_child (dialog, VP_TYPE_LANGUAGE_NEEDS_DIALOG, "picker"), "tur");
    adw_message_dialog_response (dialog, "save");
    vp_ui_settle ();
  }
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need WHERE dutch_proficiency = 'limited'"
                                         " AND preferred_languages = 'tur'"), ==, 1);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "language_row")),
                            "Turkish"));

  /* Giving: the explanation is shown, then how and in which language. */
  gtk_widget_activate_action (GTK_WIDGET (page), "client.give-consent", "s", "interpreter");
  respond_to_dialog ("show");
  {
    GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */
    VpConsentSheet *sheet = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
        if (VP_IS_CONSENT_SHEET (w))
          sheet = VP_CONSENT_SHEET (w);
      }
    g_assert_nonnull (sheet);
    g_assert_nonnull (strstr (vp_consent_sheet_get_text (sheet), "tolk"));
    vp_consent_sheet_set_language (sheet, "eng");
    g_assert_nonnull (strstr (vp_consent_sheet_get_text (sheet), "interpreter"));
    vp_ui_save_screenshot (GTK_WIDGET (sheet), "test-ui-consent-sheet");
    gtk_window_destroy (GTK_WINDOW (sheet));
  }
  /* Closing the sheet asks the question again. */
  respond_to_dialog ("give");
  g_assert_true (vp_store_has_consent (store, zeynep, "interpreter"));

  /* A follow-up for the client found by search. */
  gtk_widget_activate_action (GTK_WIDGET (page), "client.follow-up", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack")), ==, "register");
  g_assert_true (gtk_widget_get_visible (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "client_row")));
  gtk_widget_activate_action (GTK_WIDGET (form), "form.save", NULL);
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE kind = 'follow_up' AND client_id IN"
                                         " (SELECT id FROM client WHERE label = 'Zeynep K.')"), ==, 1);
  g_assert_false (gtk_widget_get_visible (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "client_row")));

  /* A referral, then the feedback that comes back. */
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "clients");
  vp_clients_page_show_client (clients, zeynep);
  g_assert_false (gtk_widget_get_sensitive (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "referral_button")));
  g_assert_true (vp_store_give_consent (store, zeynep, "referral", "verbal", "nld", "2026-1", NULL));
  vp_client_page_show (page, store, zeynep);
  gtk_widget_activate_action (GTK_WIDGET (page), "client.add-referral", NULL);
  {
    AdwMessageDialog *dialog = open_dialog ();

    adw_combo_row_set_selected (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "category_row"), 3); /* debt */
    gtk_editable_set_text (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "organisation_row"), "Schuldhulp Noord");
    gtk_switch_set_active (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "warm_switch"), TRUE);
    adw_message_dialog_response (dialog, "save");
    vp_ui_settle ();
  }
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral WHERE category = 'debt'"
                                         " AND organisation = 'Schuldhulp Noord' AND warm_handover = 1"
                                         " AND feedback_expected_by = date (referred_on, '+28 days')"), ==, 1);
  g_assert_nonnull (gtk_list_box_get_row_at_index (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "referrals_list"), 0));
  /* Undo, as the toast offers, and refer again. */
  gtk_widget_activate_action (GTK_WIDGET (page), "client.undo-referral", "x",
                              (gint64) vp_test_count (store, "SELECT max (id) FROM referral"));
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral"), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (page), "client.add-referral", NULL);
  {
    AdwMessageDialog *dialog = open_dialog ();

    adw_combo_row_set_selected (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "category_row"), 3); /* debt */
    gtk_editable_set_text (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "organisation_row"), "Schuldhulp Noord");
    adw_message_dialog_response (dialog, "save");
    vp_ui_settle ();
  }
  /* A correction of the organisation. */
  gtk_widget_activate_action (GTK_WIDGET (page), "client.edit-referral", "x",
                              (gint64) vp_test_count (store, "SELECT max (id) FROM referral"));
  {
    AdwMessageDialog *dialog = open_dialog ();
    g_assert_cmpstr (gtk_editable_get_text (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "organisation_row")), ==,
                     "Schuldhulp Noord");
    gtk_editable_set_text (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "organisation_row"), "Schuldhulpmaatje Noord");
    adw_message_dialog_response (dialog, "save");
    vp_ui_settle ();
  }
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral WHERE organisation = 'Schuldhulpmaatje Noord'"), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (page), "client.record-feedback", "x",
                              (gint64) vp_test_count (store, "SELECT max (id) FROM referral"));
  respond_to_dialog ("save");
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral WHERE outcome = 'started'"
                                         " AND feedback_received_on IS NOT NULL"), ==, 1);
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-client-referral");

  /* Erasing, after confirmation. */
  gtk_widget_activate_action (GTK_WIDGET (page), "client.erase", NULL);
  respond_to_dialog ("erase");
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client WHERE label = 'Zeynep K.'"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 2);
  g_assert_cmpint (vp_client_page_get_client_id (page), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

/* Every field of a contact, at a named location, and the choices
 * remembered for the next person; then Undo from the toast. */
static void
test_full_form (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  VpWindow *window;
  VpContactForm *form;
  VpStore *store;
  gint64 contact;

  g_assert_cmpint (vp_store_add_location (created, "Moskee De Vrede", "religious", NULL), >, 0);
  vp_store_close (created);
  window = vp_ui_open_window (dir);
  store = vp_window_get_store (window);
  form = vp_ui_child (window, VP_TYPE_WINDOW, "contact_form");

  vp_ui_select_code (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "location_row"), 0);     /* the mosque */
  vp_ui_select_code (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "initiated_row"), 4);    /* key figure */
  g_assert_true (gtk_widget_get_visible (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "stage_row")));
  vp_ui_select_code (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "stage_row"), 2);        /* early */
  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "label_row", "Amina");
  g_assert_false (gtk_widget_get_visible (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "interpreter_row")));
  gtk_switch_set_active (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "interpreter_switch"), TRUE);
  g_assert_true (gtk_widget_get_visible (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "interpreter_row")));
  vp_ui_select_code (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "interpreter_row"), 4);  /* informal adult */
  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "notes_row", "Came with her sister");
  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "phone_row", "06 1234 5678");
  gtk_widget_activate_action (GTK_WIDGET (form), "form.save", NULL);
  vp_ui_settle ();

  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE location_id IS NOT NULL"
                                         " AND location_type = 'religious' AND stage = 'early'"
                                         " AND initiated_by = 'key_figure' AND interpreter = 'informal_adult'"
                                         " AND notes = 'Came with her sister'"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client WHERE phone = '06 1234 5678'"), ==, 1);
  contact = vp_test_count (store, "SELECT max (id) FROM contact");

  /* The place and initiator stay for the next person; the rest is cleared. */
  g_assert_cmpuint (adw_combo_row_get_selected (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "location_row")), ==, 0);
  g_assert_cmpuint (adw_combo_row_get_selected (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "initiated_row")), ==, 4);
  g_assert_false (gtk_switch_get_active (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "interpreter_switch")));

  /* Undo, as the toast offers. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-contact", "x", contact);
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client"), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

/* On a 360 px wide screen the page switcher moves to the bottom and the
 * form still fits. */
static void
test_narrow (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  VpWindow *window;

  vp_test_register (created, "عبد الله", 1960, "religious", "first", "limited", NULL);
  vp_store_close (created);
  window = vp_ui_open_window_sized (dir, 360, 720);
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-narrow-form");
  {
    int minimum = 0;

    /* What the content can shrink to, whatever the window manager did. */
    gtk_widget_measure (vp_ui_child (window, VP_TYPE_WINDOW, "toast_overlay"), GTK_ORIENTATION_HORIZONTAL, -1,
                        &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, 360);
  }
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "today");
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-narrow-today");

  /* Dark, as the desktop may ask. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "register");
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-narrow-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

/* The team leader's review: overdue first, a note, the CSV without
 * phone numbers or notes, and the client one click away. */
static void
test_referral_review (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDate) long_ago = g_date_new_dmy ((GDateDay) g_date_time_get_day_of_month (now),
                                              (GDateMonth) g_date_time_get_month (now),
                                              (GDateYear) g_date_time_get_year (now));
  g_autofree char *csv = NULL;
  VpReferralsPage *review;
  VpClientsPage *clients;
  VpWindow *window;
  VpStore *store;
  gint64 first, second, late_referral;

  g_date_subtract_days (long_ago, 60);
  vp_test_register (created, "Overdue-Client", 1970, "school", "first", NULL, NULL);
  first = vp_test_count (created, "SELECT max (id) FROM client");
  vp_test_register (created, "Fresh-Client", 1971, "school", "first", NULL, NULL);
  second = vp_test_count (created, "SELECT max (id) FROM client");
  g_assert_true (vp_store_exec (created, "UPDATE client SET phone = '0699999999'", NULL));
  for (gint64 c = first; c <= second; c++)
    g_assert_true (vp_store_give_consent (created, c, "referral", "verbal", "nld", "2026-1", NULL));
  {
    VpReferralInput old = { .client_id = first, .category = "housing", .organisation = "Woonstichting",
                            .referred_on = long_ago };
    VpReferralInput fresh = { .client_id = second, .category = "debt", .organisation = "Schuldhulp" };
    late_referral = vp_store_add_referral (created, &old, NULL);
    g_assert_cmpint (vp_store_add_referral (created, &fresh, NULL), >, 0);
  }
  vp_store_close (created);

  window = vp_ui_open_window (dir);
  store = vp_window_get_store (window);
  review = vp_ui_child (window, VP_TYPE_WINDOW, "referrals_page");
  clients = vp_ui_child (window, VP_TYPE_WINDOW, "clients_page");
  /* A row per referral is built when the review is shown, not on every
   * unlock: with a team's thousands of referrals that took seconds (#14). */
  g_assert_cmpuint (vp_referrals_page_get_n_shown (review), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-referrals", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "referrals");
  g_assert_cmpuint (vp_referrals_page_get_n_shown (review), ==, 2);
  g_assert_nonnull (strstr (gtk_label_get_label (vp_ui_child (review, VP_TYPE_REFERRALS_PAGE, "counts_label")), "1 overdue"));
  g_assert_cmpstr (vp_feedback_chart_get_summary (vp_ui_child (review, VP_TYPE_REFERRALS_PAGE, "chart")), ==,
                   "Debt: 1 awaiting. Housing: 1 overdue.");
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-referral-review");

  gtk_widget_activate_action (GTK_WIDGET (review), "referrals.review", "x", late_referral);
  {
    AdwMessageDialog *dialog = open_dialog ();
    vp_ui_set_text (dialog, VP_TYPE_REVIEW_DIALOG, "note_row", "Called the housing office");
    adw_message_dialog_response (dialog, "review");
    vp_ui_settle ();
  }
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral WHERE reviewed_at IS NOT NULL"
                                         " AND leader_note = 'Called the housing office'"), ==, 1);

  /* The meeting's CSV: labels and categories, no phone numbers or notes. */
  csv = vp_referrals_page_to_csv (review);
  g_assert_nonnull (strstr (csv, "Overdue-Client"));
  g_assert_nonnull (strstr (csv, "overdue"));
  g_assert_null (strstr (csv, "0699999999"));
  g_assert_null (strstr (csv, "Called the housing office"));

  /* Filtering by search. */
  vp_ui_set_text (review, VP_TYPE_REFERRALS_PAGE, "search_row", "fresh");
  vp_ui_settle ();
  g_assert_cmpuint (vp_referrals_page_get_n_shown (review), ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (review), "referrals.open-client", "x", first);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "main");
  g_assert_cmpint (vp_client_page_get_client_id (vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "client_page")), ==, first);

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

static VpWindow *
unlock_as (const char *dir,
           const char *name,
           const char *passphrase)
{
  VpWindow *window = vp_window_new (NULL, dir);
  VpUnlockPage *unlock = vp_ui_child (window, VP_TYPE_WINDOW, "unlock_page");

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 760);
  gtk_window_present (GTK_WINDOW (window));
  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "name_row", name);
  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", passphrase);
  gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
  vp_ui_wait_until (vp_ui_page_is_main, window);
  vp_ui_settle ();
  return window;
}

/* The referral loop of #5: a coach refers, the team leader sees it overdue
 * once the date has passed (the clock is injected, nothing sleeps),
 * records the feedback that came late, and sees it move to "late". */
static void
test_referral_loop (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  g_autoptr(GDate) june1 = g_date_new_dmy (1, G_DATE_JUNE, 2026);
  g_autoptr(GDate) july1 = g_date_new_dmy (1, G_DATE_JULY, 2026);
  g_autoptr(GDate) july3 = g_date_new_dmy (3, G_DATE_JULY, 2026);
  VpWindow *coach, *leader;
  VpClientPage *page;
  VpReferralsPage *review;
  const char *counts;
  gint64 client, referral_id;

  g_assert_cmpint (vp_store_add_account (created, "Coach Sara", "coach", "coach sara passphrase", NULL), >, 0);
  vp_test_register (created, "Loop-Client", 1985, "school", "first", NULL, NULL);
  client = vp_test_count (created, "SELECT max (id) FROM client");
  vp_store_close (created);

  /* 1 June: the coach gets referral consent and refers, on the client page. */
  _vp_clock_set_today (june1);
  coach = unlock_as (dir, "Coach Sara", "coach sara passphrase");
  page = vp_ui_child (vp_ui_child (coach, VP_TYPE_WINDOW, "clients_page"), VP_TYPE_CLIENTS_PAGE, "client_page");
  vp_clients_page_show_client (vp_ui_child (coach, VP_TYPE_WINDOW, "clients_page"), client);
  gtk_widget_activate_action (GTK_WIDGET (page), "client.give-consent", "s", "referral");
  respond_to_dialog ("give");
  gtk_widget_activate_action (GTK_WIDGET (page), "client.add-referral", NULL);
  {
    AdwMessageDialog *dialog = open_dialog ();
    gtk_editable_set_text (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "organisation_row"), "Jeugdzorg Oost");
    adw_message_dialog_response (dialog, "save");
    vp_ui_settle ();
  }
  referral_id = vp_test_count (vp_window_get_store (coach),
                               "SELECT id FROM referral WHERE referred_on = '2026-06-01'"
                               " AND feedback_expected_by = '2026-06-29'");
  g_assert_cmpint (referral_id, >, 0);
  gtk_window_destroy (GTK_WINDOW (coach));
  vp_ui_settle ();

  /* 1 July, nothing came back: the team leader sees it overdue. */
  _vp_clock_set_today (july1);
  leader = unlock_as (dir, "Test Leader", VP_TEST_PASSPHRASE);
  review = vp_ui_child (leader, VP_TYPE_WINDOW, "referrals_page");
  gtk_widget_activate_action (GTK_WIDGET (leader), "win.show-referrals", NULL);
  vp_ui_settle ();
  counts = gtk_label_get_label (vp_ui_child (review, VP_TYPE_REFERRALS_PAGE, "counts_label"));
  g_assert_nonnull (strstr (counts, "1 overdue"));
  vp_ui_save_screenshot (GTK_WIDGET (leader), "test-ui-referral-overdue");

  /* 3 July: the feedback arrived on 2 July, late. */
  _vp_clock_set_today (july3);
  gtk_widget_activate_action (GTK_WIDGET (review), "referrals.open-client", "x", client);
  vp_ui_settle ();
  page = vp_ui_child (vp_ui_child (leader, VP_TYPE_WINDOW, "clients_page"), VP_TYPE_CLIENTS_PAGE, "client_page");
  gtk_widget_activate_action (GTK_WIDGET (page), "client.record-feedback", "x", referral_id);
  {
    AdwMessageDialog *dialog = open_dialog ();
    gtk_editable_set_text (vp_ui_child (dialog, VP_TYPE_FEEDBACK_DIALOG, "date_row"), "2026-07-02");
    adw_message_dialog_response (dialog, "save");
    vp_ui_settle ();
  }
  gtk_widget_activate_action (GTK_WIDGET (leader), "win.show-referrals", NULL);
  vp_ui_settle ();
  counts = gtk_label_get_label (vp_ui_child (review, VP_TYPE_REFERRALS_PAGE, "counts_label"));
  g_assert_nonnull (strstr (counts, "0 overdue"));
  g_assert_nonnull (strstr (counts, "1 late"));
  /* The chart's numbers, as a screen reader gets them. */
  g_assert_nonnull (strstr (vp_feedback_chart_get_summary (vp_ui_child (review, VP_TYPE_REFERRALS_PAGE, "chart")),
                            ": 1 late."));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  vp_ui_save_screenshot (GTK_WIDGET (leader), "test-ui-referral-review-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  _vp_clock_set_today (NULL);
  gtk_window_destroy (GTK_WINDOW (leader));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

/* The visible message dialog with this heading, or NULL. */
static AdwMessageDialog *
message_dialog_with_heading (const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0)
        return ADW_MESSAGE_DIALOG (window); /* the toplevel list keeps it */
    }
  return NULL;
}

static gboolean
message_dialog_shown (gpointer heading)
{
  return message_dialog_with_heading (heading) != NULL;
}

static GtkWindow *
file_chooser_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      if (GTK_IS_FILE_CHOOSER_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
      G_GNUC_END_IGNORE_DEPRECATIONS
    }
  return NULL;
}

static gboolean
file_chooser_shown (gpointer unused)
{
  return file_chooser_dialog () != NULL;
}

static gboolean
file_chooser_gone (gpointer unused)
{
  return file_chooser_dialog () == NULL;
}

static gboolean
file_chooser_has_file (gpointer file)
{
  g_autoptr(GFile) chosen = NULL;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (file_chooser_dialog ()));
  G_GNUC_END_IGNORE_DEPRECATIONS
  return chosen != NULL && g_file_equal (chosen, file);
}

static void
run_main_loop_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Outside Flatpak, GtkFileChooserNative shows GTK's own dialog: answer it
 * as the user would, with a file and the accept button, so that GTK does
 * whatever it does on accept. The dialog picks its first folder
 * asynchronously (a recent one, say) and may move there after ours was
 * set, so set ours until it holds. */
static void
accept_file_chooser (const char *folder,
                     const char *name)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (folder);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  GtkFileChooser *dialog;

  vp_ui_wait_until (file_chooser_shown, NULL);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = GTK_FILE_CHOOSER (file_chooser_dialog ());
  do
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      gtk_file_chooser_set_current_folder (dialog, dir, &error);
      g_assert_no_error (error);
      gtk_file_chooser_set_current_name (dialog, name);
      run_main_loop_for (300);
    }
  while (!file_chooser_has_file (file));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  G_GNUC_END_IGNORE_DEPRECATIONS
  vp_ui_wait_until (file_chooser_gone, NULL);
}

static gboolean
backup_finished (gpointer unused)
{
  return message_dialog_with_heading ("Backup Saved") != NULL ||
         message_dialog_with_heading ("Backup Failed") != NULL;
}

static void
unlock_again (VpWindow *window)
{
  VpUnlockPage *unlock = vp_ui_child (window, VP_TYPE_WINDOW, "unlock_page");

  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", VP_TEST_PASSPHRASE);
  gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
  vp_ui_wait_until (vp_ui_page_is_main, window);
  vp_ui_settle ();
}

/* Ctrl+L while a backup runs: the key that the window's store held is
 * freed, yet the backup finishes on its own copy, is complete, and is in
 * the audit log. */
static void
test_backup_while_locking (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autofree char *backup = g_build_filename (dir, "team.vpbackup", NULL);
  g_autofree char *restored_dir = g_build_filename (dir, "restored", NULL);
  g_autoptr(VpStore) created = vp_test_create_store (store_dir);
  g_autoptr(VpStore) restored = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *failed;
  VpWindow *window;

  /* Large enough that the copy is still running when the lock comes. */
  g_assert_true (vp_store_exec (created,
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)"
    " INSERT INTO client (label, created_at)"
    " SELECT 'Bulk-' || i || '-' || hex (randomblob (100)), '2026-01-01T00:00:00' FROM n", NULL));
  vp_store_close (created);

  window = vp_ui_open_window (store_dir);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.backup", NULL);
  accept_file_chooser (dir, "team.vpbackup");
  vp_ui_wait_until (message_dialog_shown, (gpointer) "Making a Backup…");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL);
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "unlock");
  g_assert_null (vp_window_get_store (window));
  /* The lock came in the middle: nothing was finished yet. */
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));

  vp_ui_wait_until (backup_finished, NULL);
  failed = message_dialog_with_heading ("Backup Failed");
  g_assert_cmpstr (failed != NULL ? adw_message_dialog_get_body (failed) : NULL, ==, NULL);
  adw_message_dialog_response (message_dialog_with_heading ("Backup Saved"), "close");
  vp_ui_settle ();

  unlock_again (window);
  g_assert_cmpint (vp_test_count (vp_window_get_store (window),
                                  "SELECT count(*) FROM audit_log WHERE action = 'backup' AND outcome = 'ok'"), ==, 1);
  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();

  restored = vp_store_restore (backup, restored_dir, VP_TEST_PASSPHRASE, FALSE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_test_count (restored, "SELECT count(*) FROM client"), ==, 30000);
  vp_test_remove_dir (dir);
}

/* In a child with its own XDG_DATA_HOME: a client's data is exported and
 * a backup made, both through GTK's file chooser. */
static void
recent_files_child (const char *dir)
{
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autoptr(VpStore) created = vp_test_create_store (store_dir);
  VpClientsPage *clients;
  VpWindow *window;
  gint64 client;

  vp_test_register (created, "Recent-Test", 1984, "school", "first", NULL, NULL);
  client = vp_test_count (created, "SELECT id FROM client WHERE label = 'Recent-Test'");
  vp_store_close (created);

  window = vp_ui_open_window (store_dir);
  clients = vp_ui_child (window, VP_TYPE_WINDOW, "clients_page");
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "clients");
  vp_clients_page_show_client (clients, client);
  vp_ui_settle ();
  gtk_widget_activate_action (vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "client_page"), "client.export", NULL);
  respond_to_dialog ("export");
  accept_file_chooser (dir, "client-export.txt");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.backup", NULL);
  accept_file_chooser (dir, "team.vpbackup");
  vp_ui_wait_until (backup_finished, NULL);
  adw_message_dialog_response (message_dialog_with_heading ("Backup Saved"), "close");

  /* GTK adds to the list after the response and writes it 250 ms after a
   * change: give it ample time. */
  run_main_loop_for (1500);
  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
}

/* Another application's entry, dated now (GTK drops entries older than
 * gtk-recent-files-max-age when it writes the list). */
static char *
foreign_recent_file (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  return g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<xbel version=\"1.0\" xmlns:bookmark=\"http://www.freedesktop.org/standards/desktop-bookmarks\""
    " xmlns:mime=\"http://www.freedesktop.org/standards/shared-mime-info\">\n"
    "  <bookmark href=\"file:///home/someone/other-application-file.odt\" added=\"%1$s\""
    " modified=\"%1$s\" visited=\"%1$s\">\n"
    "    <info><metadata owner=\"http://freedesktop.org\">\n"
    "      <mime:mime-type type=\"application/vnd.oasis.opendocument.text\"/>\n"
    "      <bookmark:applications><bookmark:application name=\"Writer\" exec=\"'writer %%u'\""
    " modified=\"%1$s\" count=\"1\"/></bookmark:applications>\n"
    "    </metadata></info>\n"
    "  </bookmark>\n"
    "</xbel>\n", stamp);
}

/* Exports and backups hold personal data: GTK's recently used files, which
 * any program can read, must not list them. Other applications' entries
 * stay. Runs the flow in a vp_ui_child, which reads XDG_DATA_HOME at start. */
static void
test_no_recent_files (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *xbel = NULL;
  g_autofree char *export = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *saved_data_home = g_strdup (g_getenv ("XDG_DATA_HOME"));
  g_autofree char *foreign = NULL;
  g_autofree char *recent = NULL;

  if (g_test_subprocess ())
    {
      recent_files_child (g_getenv ("VP_TEST_RECENT_DIR"));
      return;
    }

  dir = vp_test_make_dir ();
  data_home = g_build_filename (dir, "data-home", NULL);
  xbel = g_build_filename (data_home, "recently-used.xbel", NULL);
  export = g_build_filename (dir, "client-export.txt", NULL);
  backup = g_build_filename (dir, "team.vpbackup", NULL);
  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);
  foreign = foreign_recent_file ();
  g_assert_true (g_file_set_contents (xbel, foreign, -1, NULL));

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("VP_TEST_RECENT_DIR", dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("VP_TEST_RECENT_DIR");
  if (saved_data_home != NULL)
    g_setenv ("XDG_DATA_HOME", saved_data_home, TRUE);
  else
    g_unsetenv ("XDG_DATA_HOME");
  g_test_trap_assert_passed ();

  /* Both were written, and neither, nor their folder, is listed. */
  g_assert_true (g_file_test (export, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (backup, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (xbel, &recent, NULL, NULL));
  g_assert_null (strstr (recent, dir));
  g_assert_nonnull (strstr (recent, "other-application-file.odt"));
  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* build-aux/test always provides a display; a Flatpak build sandbox has
   * none, and there the UI tests report themselves skipped. */
  if (!has_env ("DISPLAY") && !has_env ("WAYLAND_DISPLAY"))
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  vp_test_init_data ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  vp_ui_init ();
  /* The app gets style.css from AdwApplication; the tests add it by hand so
   * that screenshots look as the app does. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
    gtk_css_provider_load_from_resource (css, "/io/github/vindplaats/Vindplaats/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add_func ("/ui/first-run", test_first_run);
  g_test_add_func ("/ui/register-contact", test_register_contact);
  g_test_add_func ("/ui/recovery-unlock", test_recovery_unlock);
  g_test_add_func ("/ui/team-pages", test_team_pages);
  g_test_add_func ("/ui/clients-flow", test_clients_flow);
  g_test_add_func ("/ui/full-form", test_full_form);
  g_test_add_func ("/ui/narrow", test_narrow);
  g_test_add_func ("/ui/referral-review", test_referral_review);
  g_test_add_func ("/ui/referral-loop", test_referral_loop);
  g_test_add_func ("/ui/report-page", test_report_page);
  g_test_add_func ("/ui/installation-label", test_installation_label);
  g_test_add_func ("/ui/backup-while-locking", test_backup_while_locking);
  g_test_add_func ("/ui/no-recent-files", test_no_recent_files);
  g_test_add_func ("/ui/client-certificate", test_client_certificate);

  return g_test_run ();
}
