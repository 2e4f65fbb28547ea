/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The team leader's pages of #15, driven under a virtual display: the
 * referral chart with overdue and awaiting apart (and a sentence when
 * there is nothing to show), the review dialog's words, the audit log as
 * sentences without personal data, and the report tables in Dutch at
 * 1366 and 360 px: no word broken in a heading, every column in view or a
 * scrollbar in sight. Each page has at least one of its real buttons
 * pressed, so that the wiring in its .ui file is tested too. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-audit-page.h"
#include "vp-audit-page-private.h"
#include "vp-clients-page.h"
#include "vp-consent.h"
#include "vp-feedback-chart.h"
#include "vp-referral.h"
#include "vp-referrals-page.h"
#include "vp-report-page.h"
#include "vp-report-page-private.h"
#include "vp-report-schema.h"
#include "vp-report-table-view.h"
#include "vp-review-dialog.h"
#include "vp-store-private.h"
#include "vp-test-util.h"
#include "vp-ui-test-util.h"
#include "vp-window.h"

/* The first button under @root whose action (and target, if given) is
 * this one: the button a user would press. */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *action,
             GVariant   *target)
{
  g_autoptr(GVariant) owned = target != NULL ? g_variant_ref_sink (target) : NULL;

  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    {
      GVariant *mine = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (root));
      if (owned == NULL || (mine != NULL && g_variant_equal (mine, owned)))
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, action, owned != NULL ? g_variant_ref (owned) : NULL);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_clicked (GtkButton *button,
            gboolean  *clicked)
{
  *clicked = TRUE;
}

static gboolean
is_true (gpointer flag)
{
  return *(gboolean *) flag;
}

/* Activates @button as the keyboard does; GTK shows it pressed for a
 * moment before it is clicked. */
static void
press (GtkWidget *button)
{
  gboolean clicked = FALSE;
  gulong handler;

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  handler = g_signal_connect (button, "clicked", G_CALLBACK (on_clicked), &clicked);
  gtk_widget_activate (button);
  vp_ui_wait_until (is_true, &clicked);
  g_signal_handler_disconnect (button, handler);
  vp_ui_settle ();
}

/* The message dialog on top, if one is open. */
static AdwMessageDialog *
top_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */

  vp_ui_settle ();
  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i - 1);
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
is_hidden (gpointer widget)
{
  return !gtk_widget_get_visible (widget);
}

static GtkWidget *
find_labelled_button (GtkWidget  *root,
                      const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_labelled_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Answers @dialog by pressing its button for @response, as the user
 * would, and waits until it has gone. */
static void
answer (AdwMessageDialog *dialog,
        const char       *response)
{
  g_autoptr(AdwMessageDialog) held = g_object_ref (dialog);
  const char *label = adw_message_dialog_get_response_label (dialog, response);

  press (find_labelled_button (GTK_WIDGET (dialog), label));
  vp_ui_wait_until (is_hidden, held);
  vp_ui_settle ();
}

static GDate *
days_ago (int days)
{
  GDate *date = g_date_new ();

  g_date_set_time_t (date, time (NULL));
  g_date_subtract_days (date, (guint) days);
  return date;
}

static gint64
client_with_referral_consent (VpStore    *store,
                              const char *label)
{
  gint64 id;

  vp_test_register (store, label, 1980, "school", "first", NULL, NULL);
  id = vp_test_count (store, "SELECT max (id) FROM client");
  g_assert_true (vp_store_give_consent (store, id, "referral", "verbal", "nld", "2026-1", NULL));
  return id;
}

static gint64
add_referral (VpStore    *store,
              gint64      client,
              const char *category,
              int         referred_days_ago,
              int         feedback_days_after)
{
  g_autoptr(GDate) on = days_ago (referred_days_ago);
  VpReferralInput input = { .client_id = client, .category = category, .organisation = "Stichting Test",
                            .referred_on = on };
  g_autoptr(GError) error = NULL;
  gint64 id = vp_store_add_referral (store, &input, &error);

  g_assert_no_error (error);
  if (feedback_days_after >= 0)
    {
      g_autoptr(GDate) received = g_date_copy (on);
      g_date_add_days (received, (guint) feedback_days_after);
      g_assert_true (vp_store_record_feedback (store, id, received, "started", NULL, &error));
    }
  return id;
}

static void
assert_description (GtkWidget  *widget,
                    const char *text)
{
  g_autofree char *mismatch =
    gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text);

  g_assert_null (mismatch);
}

/* The chart counts overdue and awaiting apart from late and from each
 * other, and says so in words; the review dialog's words follow the
 * referral's status; with no referrals the chart says there is nothing to
 * show yet. */
static gboolean
chart_allocated (gpointer chart)
{
  return gtk_widget_get_height (chart) > 0;
}

static void
test_referral_chart (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  gint64 youth, indebted, housed, awaiting, overdue;
  VpReferralsPage *page;
  VpFeedbackChart *chart;
  AdwMessageDialog *dialog;
  VpWindow *window;
  VpStore *store;
  int height;

  youth = client_with_referral_consent (created, "Chart-Youth");
  indebted = client_with_referral_consent (created, "Chart-Debt");
  housed = client_with_referral_consent (created, "Chart-Housing");
  add_referral (created, youth, "youth_care", 40, 10);  /* in time */
  add_referral (created, youth, "youth_care", 80, 45);  /* late */
  awaiting = add_referral (created, indebted, "debt", 0, -1);
  overdue = add_referral (created, housed, "housing", 60, -1);
  vp_store_close (created);

  window = vp_ui_open_window_sized (dir, 1366, 768);
  store = vp_window_get_store (window);
  page = vp_ui_child (window, VP_TYPE_WINDOW, "referrals_page");
  chart = vp_ui_child (page, VP_TYPE_REFERRALS_PAGE, "chart");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-referrals", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "referrals");

  /* Overdue is not late, and awaiting is neither. */
  g_assert_false (vp_feedback_chart_is_empty (chart));
  g_assert_cmpstr (vp_feedback_chart_get_summary (chart), ==,
                   "Youth care: 1 in time, 1 late. Debt: 1 awaiting. Housing: 1 overdue.");
  assert_description (GTK_WIDGET (chart), vp_feedback_chart_get_summary (chart));
  /* Three categories, each a name, a bar and a line of counts, all of
   * them in the height the chart was given (measure counts margins). */
  gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (GTK_WIDGET (chart)),
                      &height, NULL, NULL, NULL);
  height -= gtk_widget_get_margin_top (GTK_WIDGET (chart)) + gtk_widget_get_margin_bottom (GTK_WIDGET (chart));
  g_assert_cmpint (height, >=, 3 * 40);
  /* Laid out once the page has come in (it fades in). */
  vp_ui_wait_until (chart_allocated, chart);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (chart)), ==, height);

  /* Only an overdue referral "stays overdue". */
  press (find_button (GTK_WIDGET (page), "referrals.review", g_variant_new_int64 (awaiting)));
  dialog = top_dialog ();
  g_assert_true (VP_IS_REVIEW_DIALOG (dialog));
  g_assert_null (strstr (adw_message_dialog_get_body (dialog), "stays overdue"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "not overdue"));
  answer (dialog, "cancel");

  press (find_button (GTK_WIDGET (page), "referrals.review", g_variant_new_int64 (overdue)));
  dialog = top_dialog ();
  g_assert_true (VP_IS_REVIEW_DIALOG (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "stays overdue"));
  vp_ui_set_text (dialog, VP_TYPE_REVIEW_DIALOG, "note_row", "Called the housing office");
  vp_ui_save_screenshot (GTK_WIDGET (dialog), "test-ui-leader-review");
  answer (dialog, "review");
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral WHERE reviewed_at IS NOT NULL"
                                         " AND leader_note = 'Called the housing office'"), ==, 1);
  /* Reviewing does not change the counts: feedback does. */
  g_assert_cmpstr (vp_feedback_chart_get_summary (chart), ==,
                   "Youth care: 1 in time, 1 late. Debt: 1 awaiting. Housing: 1 overdue.");
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-leader-chart");

  /* No referrals left: the chart says there is nothing to show yet. */
  for (gint64 c = youth; c <= housed; c++)
    g_assert_true (vp_store_withdraw_consent (store, c, "referral", NULL));
  vp_referrals_page_refresh (page);
  vp_ui_settle ();
  g_assert_true (vp_feedback_chart_is_empty (chart));
  g_assert_nonnull (strstr (vp_feedback_chart_get_summary (chart), "nothing to show yet"));
  assert_description (GTK_WIDGET (chart), vp_feedback_chart_get_summary (chart));
  {
    GtkWidget *sentence = gtk_widget_get_first_child (GTK_WIDGET (chart));

    g_assert_true (GTK_IS_LABEL (sentence));
    g_assert_true (gtk_widget_get_mapped (sentence));
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (sentence)), ==, vp_feedback_chart_get_summary (chart));
    g_assert_cmpint (gtk_widget_get_height (sentence), >, 0);
  }
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-leader-chart-empty");

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

static gboolean
has_audit_entries (gpointer data)
{
  gpointer *args = data;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_log WHERE action = '%s'",
                                          (const char *) args[1]);

  return vp_test_count (args[0], sql) >= GPOINTER_TO_INT (args[2]);
}

static void
wait_for_audit (VpStore    *store,
                const char *action,
                int         n)
{
  gpointer args[] = { store, (gpointer) action, GINT_TO_POINTER (n) };

  vp_ui_wait_until (has_audit_entries, args);
}

/* Every title and subtitle of the audit page's rows, one per line. */
static char *
audit_rows_text (VpAuditPage *page)
{
  GtkWidget *list = vp_ui_child (page, VP_TYPE_AUDIT_PAGE, "list");
  GString *text = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    g_string_append_printf (text, "%s | %s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                            adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  return g_string_free (text, FALSE);
}

/* Audit entries read as sentences that name what happened (consent
 * withdrawn and its category, the month that was sent, the kind of value
 * searched for), and neither the log nor the page holds a client's label
 * or phone number. */
static void
test_audit_sentences (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *rows = NULL;
  VpClientsPage *clients;
  VpAuditPage *audit;
  VpWindow *window;
  VpStore *store;
  gint64 client;

  vp_test_register (created, "Zeynep-Audit-Label", 1984, "school", "first", NULL, NULL);
  client = vp_test_count (created, "SELECT max (id) FROM client");
  g_assert_true (vp_store_exec (created, "UPDATE client SET phone = '0612345678'", NULL));
  g_assert_true (vp_store_give_consent (created, client, "interpreter", "verbal", "nld", "2026-1", &error));
  g_assert_true (vp_store_give_consent (created, client, "language", "written", "ara", "2026-1", &error));
  g_assert_true (vp_store_withdraw_consent (created, client, "language", &error));
  /* The sender writes this entry as it marks a report delivered
   * (test-sync-e2e checks that it names the month). */
  g_assert_true (vp_audit_append_detail (created, "report_sent", "report", 1, "2026-10", "ok", &error));
  g_assert_no_error (error);
  vp_store_close (created);

  window = vp_ui_open_window_sized (dir, 1366, 768);
  store = vp_window_get_store (window);
  clients = vp_ui_child (window, VP_TYPE_WINDOW, "clients_page");
  audit = vp_ui_child (window, VP_TYPE_WINDOW, "audit_page");

  /* Two searches as a coach types them: a phone number, then a label. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "clients");
  vp_ui_settle ();
  vp_ui_set_text (clients, VP_TYPE_CLIENTS_PAGE, "search_entry", "06 1234 5678");
  wait_for_audit (store, "search", 1);
  vp_ui_set_text (clients, VP_TYPE_CLIENTS_PAGE, "search_entry", "zeynep");
  wait_for_audit (store, "search", 2);
  vp_ui_set_text (clients, VP_TYPE_CLIENTS_PAGE, "search_entry", "1984");
  wait_for_audit (store, "search", 3);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-audit", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "audit");
  rows = audit_rows_text (audit);
  g_test_message ("%s", rows);
  g_assert_nonnull (strstr (rows, "Consent withdrawn for language needs (consent "));
  g_assert_nonnull (strstr (rows, "Consent given for language needs (consent "));
  g_assert_nonnull (strstr (rows, "Consent given for interpreter use (consent "));
  g_assert_nonnull (strstr (rows, "Sent the report for October 2026"));
  g_assert_nonnull (strstr (rows, "Searched the clients by phone number"));
  g_assert_nonnull (strstr (rows, "Searched the clients by label"));
  g_assert_nonnull (strstr (rows, "Searched the clients by birth year"));
  g_assert_nonnull (strstr (rows, "Registered client "));
  g_assert_nonnull (strstr (rows, "Unlocked the store"));
  /* No "Change · consent 34": every entry is a sentence of its own. */
  g_assert_null (strstr (rows, " · consent"));
  g_assert_null (strstr (rows, " · client"));
  g_assert_null (strstr (rows, " · report"));
  g_assert_null (strstr (rows, "Zeynep"));
  g_assert_null (strstr (rows, "zeynep"));
  g_assert_null (strstr (rows, "5678"));
  g_assert_null (strstr (rows, "1984"));

  /* The log itself holds codes only. */
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE detail LIKE '%zeynep%'"
                                         " OR detail LIKE '%5678%' OR detail LIKE '%1984%'"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE action = 'search'"
                                         " AND detail IN ('phone', 'label', 'birth_year')"), ==, 3);
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-leader-audit");

  /* The page's own button checks the chain, old entries and new. */
  press (find_button (GTK_WIDGET (audit), "audit.verify", NULL));
  g_assert_cmpstr (adw_action_row_get_subtitle (vp_ui_child (audit, VP_TYPE_AUDIT_PAGE, "verify_row")), ==,
                   "The audit log is complete and unaltered");

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

/* An entry of the log as it was written before entries had a detail
 * still reads as a sentence, if a less precise one. */
static void
test_audit_old_entries (void)
{
  VpAuditEntry consent = { .action = (char *) "change", .record_type = (char *) "consent", .record_id = 34,
                           .outcome = (char *) "ok" };
  VpAuditEntry search = { .action = (char *) "search", .record_type = (char *) "client", .outcome = (char *) "ok" };
  VpAuditEntry report = { .action = (char *) "report_sent", .record_type = (char *) "report", .record_id = 1,
                          .outcome = (char *) "ok" };
  g_autofree char *consent_text = _vp_audit_page_describe (&consent);
  g_autofree char *search_text = _vp_audit_page_describe (&search);
  g_autofree char *report_text = _vp_audit_page_describe (&report);

  g_assert_cmpstr (consent_text, ==, "Changed consent 34");
  g_assert_cmpstr (search_text, ==, "Searched the clients");
  g_assert_cmpstr (report_text, ==, "Sent report 1");
}

/* Team sync's entries (#16) name a laptop by the start of its id and
 * never more than the entry holds. */
static void
test_audit_team_entries (void)
{
  VpAuditEntry applied = { .action = (char *) "sync_applied", .record_type = (char *) "team",
                           .detail = (char *) "n:12", .outcome = (char *) "ok" };
  VpAuditEntry refused = { .action = (char *) "sync_rejected", .record_type = (char *) "team",
                           .detail = (char *) "0123456789abcdef0123456789abcdef:sealed", .outcome = (char *) "refused" };
  VpAuditEntry rotated = { .action = (char *) "key_rotated", .record_type = (char *) "team",
                           .detail = (char *) "epoch:2", .outcome = (char *) "ok" };
  VpAuditEntry created = { .action = (char *) "team_created", .record_type = (char *) "team", .outcome = (char *) "ok" };
  g_autofree char *applied_text = _vp_audit_page_describe (&applied);
  g_autofree char *refused_text = _vp_audit_page_describe (&refused);
  g_autofree char *rotated_text = _vp_audit_page_describe (&rotated);
  g_autofree char *created_text = _vp_audit_page_describe (&created);

  g_assert_cmpstr (applied_text, ==, "Applied 12 changes from the team");
  g_assert_cmpstr (refused_text, ==,
                   "Refused changes from laptop 01234567: its seal did not hold: changed on the way, or not the team’s");
  g_assert_cmpstr (rotated_text, ==, "Replaced the team key (key 2)");
  g_assert_cmpstr (created_text, ==, "Started team sync, as the team leader’s laptop");
}

static gboolean
report_page_idle (gpointer page)
{
  return !vp_report_page_is_busy (page);
}

/* @label's text as Pango lays it out, one line each. */
static GStrv
laid_out_lines (GtkLabel *label)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  const char *text = pango_layout_get_text (layout);
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();

  for (int i = 0; i < pango_layout_get_line_count (layout); i++)
    {
      PangoLayoutLine *line = pango_layout_get_line_readonly (layout, i);
      g_autofree char *part = g_strndup (text + line->start_index, (gsize) line->length);

      g_strv_builder_add (lines, g_strchomp (part));
    }
  return g_strv_builder_end (lines);
}

/* No heading or row label of @view is broken inside a word: Pango lays
 * out exactly the lines the text has, each of whole words, and together
 * they are the label's accessible name. Returns how many it checked. */
static guint
assert_whole_words (VpReportTableView *view,
                    const char        *word)
{
  GtkWidget *grid = vp_ui_child (view, VP_TYPE_REPORT_TABLE_VIEW, "grid");
  guint checked = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (grid); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *label = GTK_LABEL (child);
      g_auto(GStrv) shown = NULL;
      g_auto(GStrv) written = NULL;
      g_autofree char *joined = NULL;

      if ((!gtk_widget_has_css_class (child, "column-header") && !gtk_widget_has_css_class (child, "row-header")) ||
          *gtk_label_get_label (label) == '\0')
        continue;
      shown = laid_out_lines (label);
      written = g_strsplit (gtk_label_get_label (label), "\n", -1);
      g_assert_cmpstrv (shown, written);
      joined = g_strjoinv (" ", written);
      g_assert_null (gtk_test_accessible_check_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                         joined));
      if (word != NULL && strstr (joined, word) != NULL)
        {
          gboolean whole = FALSE;

          for (guint i = 0; shown[i] != NULL; i++)
            whole = whole || strstr (shown[i], word) != NULL;
          g_assert_true (whole);
        }
      checked++;
    }
  return checked;
}

static GtkLabel *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return GTK_LABEL (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Lets the frame clock lay out what changed (a table's scrollbar policy
 * follows its width after a layout) for a few frames. */
static void
settle_layout (void)
{
  gint64 until = g_get_monotonic_time () + 300 * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

/* Scrolls the page so that @view is on screen. */
static void
scroll_to (VpReportPage      *page,
           VpReportTableView *view)
{
  GtkScrolledWindow *scroller = vp_ui_child (page, VP_TYPE_REPORT_PAGE, "scroller");
  graphene_point_t top;

  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (view), gtk_scrolled_window_get_child (scroller),
                                           &GRAPHENE_POINT_INIT (0, 0), &top));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scroller), top.y - 12);
  settle_layout ();
}

/* The table fits its card, or scrolls sideways with a scrollbar in view
 * under its last row. Returns whether it scrolls. */
static gboolean
check_table_width (VpReportTableView *view)
{
  GtkScrolledWindow *scroller = vp_ui_child (view, VP_TYPE_REPORT_TABLE_VIEW, "scroller");
  GtkAdjustment *across = gtk_scrolled_window_get_hadjustment (scroller);
  GtkAdjustment *down = gtk_scrolled_window_get_vadjustment (scroller);
  GtkWidget *scrollbar = gtk_scrolled_window_get_hscrollbar (scroller);
  gboolean scrolls = gtk_adjustment_get_upper (across) > gtk_adjustment_get_page_size (across) + 0.5;

  /* Every row is in view: nothing hides under the scrollbar. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (down), <=, gtk_adjustment_get_page_size (down) + 0.5);
  g_assert_false (gtk_scrolled_window_get_overlay_scrolling (scroller));
  g_assert_cmpint (gtk_widget_get_mapped (scrollbar) && gtk_widget_get_child_visible (scrollbar), ==, scrolls);
  if (scrolls)
    g_assert_cmpint (gtk_widget_get_height (scrollbar), >, 0);
  return scrolls;
}

static void
show_report_in_dutch (VpStore    *store,
                      int         width,
                      gboolean    dark,
                      const char *period)
{
  g_autofree char *shot = g_strdup_printf ("test-ui-leader-report-nl-%d-%s", width, dark ? "dark" : "light");
  GtkWidget *window = gtk_window_new ();
  VpReportPage *page = g_object_new (VP_TYPE_REPORT_PAGE, NULL);
  VpReportTableView *route, *contacts, *referrals;
  GdkContentProvider *copied;
  g_auto(GValue) value = G_VALUE_INIT;
  guint n_tables = 0;
  const VpReportTableDef *defs = vp_report_table_defs (&n_tables);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), width, 768);
  gtk_window_present (GTK_WINDOW (window));
  vp_report_page_set_store (page, store);
  vp_report_page_set_period (page, period);
  vp_ui_settle ();
  vp_ui_wait_until (report_page_idle, page);
  vp_ui_settle ();
  g_assert_cmpint (gtk_widget_get_width (window), ==, width);

  /* No heading breaks inside a word, in any table. */
  for (guint t = 0; t < n_tables; t++)
    g_assert_cmpuint (assert_whole_words (_vp_report_page_get_table_view (page, defs[t].name), NULL), >, 2);
  contacts = _vp_report_page_get_table_view (page, "contacts");
  referrals = _vp_report_page_get_table_view (page, "referrals");
  route = _vp_report_page_get_table_view (page, "first_contacts_by_route");
  assert_whole_words (contacts, "Vervolgcontact");
  assert_whole_words (referrals, "Terugkoppeling");
  /* Nor does a row title beside its buttons ("Clien-tcerti-ficaat"). */
  {
    GtkLabel *title = find_label (GTK_WIDGET (page), _("Client certificate"));
    g_auto(GStrv) lines = NULL;

    g_assert_nonnull (title);
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (title)));
    lines = laid_out_lines (title);
    g_assert_cmpuint (g_strv_length (lines), ==, 1);
  }

  /* At 1366 px every column of the widest table is in view; at 360 px it
   * scrolls, and shows that it does. */
  scroll_to (page, route);
  g_assert_cmpint (check_table_width (route), ==, width < 1000);
  g_assert_cmpint (check_table_width (contacts), ==, width < 1000);
  check_table_width (referrals);
  vp_ui_save_screenshot (window, shot);

  /* The page's own Copy button copies the bytes shown. */
  press (find_button (GTK_WIDGET (page), "report.copy-json", NULL));
  copied = gdk_clipboard_get_content (gtk_widget_get_clipboard (window));
  g_assert_nonnull (copied);
  g_value_init (&value, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (copied, &value, NULL));
  g_assert_cmpstr (g_value_get_string (&value), ==, vp_report_page_get_json (page));

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
}

/* The report tables in Dutch, where the headings are longest, at 1366 and
 * 360 px, light and dark. Runs in a child process so that the Dutch
 * catalogue is in use from the start and no other test sees it. */
static void
test_report_tables_dutch (void)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) month = NULL;
  g_autofree char *period = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(VpStore) store = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  g_setenv ("LANGUAGE", "nl", TRUE);
  setlocale (LC_ALL, "");
  g_assert_cmpstr (_("Total"), ==, "Totaal");

  now = g_date_time_new_now_local ();
  start = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now), 2, 10, 0, 0);
  month = g_date_time_add_months (start, -2);
  period = g_date_time_format (month, "%Y-%m");
  dir = vp_test_make_dir ();
  store = vp_test_create_store (dir);
  /* First contacts, and follow-ups with a third of them. */
  for (int i = 0; i < 30; i++)
    {
      g_autofree char *label = g_strdup_printf ("Tabel-%d", i);
      const char *place = i % 3 == 0 ? "school" : "gp_health";

      vp_test_register (store, label, 1960 + i, place, "first", "limited", month);
      if (i % 3 == 0)
        vp_test_register (store, label, 1960 + i, place, "follow_up", "limited", month);
    }

  show_report_in_dutch (store, 1366, FALSE, period);
  show_report_in_dutch (store, 1366, TRUE, period);
  show_report_in_dutch (store, 360, FALSE, period);
  show_report_in_dutch (store, 360, TRUE, period);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  vp_store_close (store);
  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* English unless a test asks for Dutch, whatever the caller's shell;
   * the catalogue is the build's own (vp_i18n_init()). */
  g_unsetenv ("LANGUAGE");
  if (!vp_ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/leader/referral-chart", test_referral_chart);
  g_test_add_func ("/leader/audit-sentences", test_audit_sentences);
  g_test_add_func ("/leader/audit-old-entries", test_audit_old_entries);
  g_test_add_func ("/leader/audit-team-entries", test_audit_team_entries);
  g_test_add_func ("/leader/report-tables-dutch", test_report_tables_dutch);

  return g_test_run ();
}
