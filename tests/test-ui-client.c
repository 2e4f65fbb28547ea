/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client page and its dialogs (#15), driven as a coach would: the
 * page's own buttons are pressed, fields are typed in, Return is pressed
 * in them, and each dialog is answered with its real buttons. What a
 * dialog hands back is checked in the store. Runs under a virtual
 * display. */
#include "config.h"

#include <adwaita.h>
#include <locale.h>
#include <string.h>

#include "vp-accounts.h"
#include "vp-accounts-page.h"
#include "vp-choice-row.h"
#include "vp-client-page.h"
#include "vp-clients-page.h"
#include "vp-clock-private.h"
#include "vp-consent.h"
#include "vp-consent-dialog.h"
#include "vp-consent-sheet.h"
#include "vp-feedback-dialog.h"
#include "vp-language-needs-dialog.h"
#include "vp-language-picker.h"
#include "vp-languages.h"
#include "vp-location.h"
#include "vp-passphrase-reset-dialog.h"
#include "vp-referral.h"
#include "vp-referral-dialog.h"
#include "vp-test-util.h"
#include "vp-ui.h"
#include "vp-ui-test-util.h"
#include "vp-window.h"
#include "vp-withdraw-consent-dialog.h"

/* A client with language needs (Dutch limited; Turkish, then Arabic), one
 * contact, and a referral to debt counselling made on 1 June 2026. */
static gint64
make_client (VpStore *store)
{
  const char *languages[] = { "tur", "ara", NULL };
  g_autoptr(GDate) june1 = g_date_new_dmy (1, G_DATE_JUNE, 2026);
  VpReferralInput referral = {
    .category = "debt",
    .organisation = "Schuldhulp Noord",
    .referred_on = june1,
  };
  gint64 client;

  vp_test_register (store, "Zeynep K.", 1988, "school", "first", "limited", NULL);
  client = vp_test_count (store, "SELECT id FROM client WHERE label = 'Zeynep K.'");
  g_assert_true (vp_store_set_language_needs (store, client, "limited", languages, NULL));
  g_assert_true (vp_store_give_consent (store, client, "referral", "verbal", "nld", "2026-1", NULL));
  referral.client_id = client;
  g_assert_cmpint (vp_store_add_referral (store, &referral, NULL), >, 0);
  return client;
}

/* The window unlocked on @dir, showing the client's page. */
static VpClientPage *
open_client (const char  *dir,
             gint64       client,
             VpWindow   **window)
{
  VpClientsPage *clients;

  *window = vp_ui_open_window_sized (dir, 1366, 768);
  clients = vp_ui_child (*window, VP_TYPE_WINDOW, "clients_page");
  adw_view_stack_set_visible_child_name (vp_ui_child (*window, VP_TYPE_WINDOW, "view_stack"), "clients");
  vp_clients_page_show_client (clients, client);
  vp_ui_settle ();
  return vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "client_page");
}

static void
close_window (VpWindow   *window,
              const char *dir)
{
  _vp_clock_set_today (NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

/* Depth first, the first widget under @root (itself included) that
 * @match accepts. */
typedef gboolean (*Match) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find (GtkWidget     *root,
      Match          match,
      gconstpointer  data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, match, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

/* A shown button with this label, as written in the source ("_Save"). */
static GtkWidget *
button (gpointer    root,
        const char *label)
{
  return find (GTK_WIDGET (root), is_button_labelled, label);
}

typedef struct {
  const char *action;
  const char *target; /* a string target, or NULL for any */
} ActionTarget;

static gboolean
is_action_button (GtkWidget     *widget,
                  gconstpointer  data)
{
  const ActionTarget *want = data;
  GVariant *target;

  if (!GTK_IS_BUTTON (widget) || !gtk_widget_get_mapped (widget) ||
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), want->action) != 0)
    return FALSE;
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));
  return want->target == NULL ||
         (target != NULL && g_variant_is_of_type (target, G_VARIANT_TYPE_STRING) &&
          g_str_equal (g_variant_get_string (target, NULL), want->target));
}

/* The page's button for @action (and a string @target), as shown. */
static GtkWidget *
action_button (gpointer    root,
               const char *action,
               const char *target)
{
  ActionTarget want = { action, target };
  GtkWidget *found = find (GTK_WIDGET (root), is_action_button, &want);

  g_assert_nonnull (found);
  return found;
}

/* A press of a real button: it must be sensitive to be pressed at all. */
static void
press (GtkWidget *widget)
{
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_is_sensitive (widget));
  g_signal_emit_by_name (widget, "clicked");
  vp_ui_settle ();
}

static gboolean
is_text (GtkWidget     *widget,
         gconstpointer  data)
{
  return GTK_IS_TEXT (widget);
}

/* Return in an entry, as GTK handles the key: the text's ::activate. */
static void
press_return (gpointer entry)
{
  GtkWidget *text = find (GTK_WIDGET (entry), is_text, NULL);

  g_assert_nonnull (text);
  g_signal_emit_by_name (text, "activate");
  vp_ui_settle ();
}

/* The newest shown window of @type, or NULL. */
static gpointer
shown (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i - 1);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window; /* the toplevel list keeps it */
    }
  return NULL;
}

static gboolean
is_shown (gpointer type)
{
  return shown (GPOINTER_TO_SIZE (type)) != NULL;
}

static gboolean
is_gone (gpointer type)
{
  return shown (GPOINTER_TO_SIZE (type)) == NULL;
}

static gpointer
wait_for (GType type)
{
  vp_ui_wait_until (is_shown, GSIZE_TO_POINTER (type));
  vp_ui_settle ();
  return shown (type);
}

static void
wait_gone (GType type)
{
  vp_ui_wait_until (is_gone, GSIZE_TO_POINTER (type));
  vp_ui_settle ();
}

/* The titles and subtitles of a list's rows, one line each. */
static char *
rows_text (GtkListBox *list)
{
  GString *text = g_string_new (NULL);
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    g_string_append_printf (text, "%s: %s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                            adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  return g_string_free (text, FALSE);
}

/* Withdrawing asks first and names what goes; Keep keeps it all; the
 * confirmed withdrawal erases it, and the store shows it. */
static void
test_withdraw_asks (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  gint64 client = make_client (created);
  VpWindow *window;
  VpClientPage *page;
  VpStore *store;
  AdwMessageDialog *dialog;

  vp_store_close (created);
  page = open_client (dir, client, &window);
  store = vp_window_get_store (window);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE language = 'tur'"), ==, 1);

  press (action_button (page, "client.withdraw-consent", "language"));
  dialog = wait_for (VP_TYPE_WITHDRAW_CONSENT_DIALOG);
  {
    g_autofree char *what = rows_text (vp_ui_child (dialog, VP_TYPE_WITHDRAW_CONSENT_DIALOG, "erased_list"));

    g_assert_nonnull (strstr (what, "Dutch proficiency: Limited"));
    g_assert_nonnull (strstr (what, "Preferred languages: Turkish, Arabic"));
    g_assert_nonnull (strstr (what, "noted with the client’s contact"));
  }
  /* Return and Escape keep the data. */
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  vp_ui_save_screenshot (GTK_WIDGET (dialog), "test-ui-client-withdraw");
  press (button (dialog, "_Keep"));
  wait_gone (VP_TYPE_WITHDRAW_CONSENT_DIALOG);
  g_assert_true (vp_store_has_consent (store, client, "language"));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need WHERE preferred_languages IS NOT NULL"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE language = 'tur'"), ==, 1);

  press (action_button (page, "client.withdraw-consent", "language"));
  dialog = wait_for (VP_TYPE_WITHDRAW_CONSENT_DIALOG);
  press (button (dialog, "Withdraw and Erase"));
  wait_gone (VP_TYPE_WITHDRAW_CONSENT_DIALOG);
  g_assert_false (vp_store_has_consent (store, client, "language"));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE language IS NOT NULL"
                                         " OR dutch_proficiency IS NOT NULL"), ==, 0);
  g_assert_cmpstr (adw_action_row_get_subtitle (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "language_row")), ==,
                   "Not recorded");
  /* Focus stays with the consent, not at the top of the window. */
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)),
                                         vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "consent_group")));

  /* Referral consent names the referrals it takes. */
  press (action_button (page, "client.withdraw-consent", "referral"));
  dialog = wait_for (VP_TYPE_WITHDRAW_CONSENT_DIALOG);
  {
    g_autofree char *what = rows_text (vp_ui_child (dialog, VP_TYPE_WITHDRAW_CONSENT_DIALOG, "erased_list"));
    g_assert_nonnull (strstr (what, "Debt · Schuldhulp Noord: Referred on 2026-06-01"));
  }
  press (button (dialog, "Withdraw and Erase"));
  wait_gone (VP_TYPE_WITHDRAW_CONSENT_DIALOG);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral"), ==, 0);
  g_assert_null (gtk_list_box_get_row_at_index (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "referrals_list"), 0));

  close_window (window, dir);
}

static gboolean
is_popover (GtkWidget     *widget,
            gconstpointer  data)
{
  return GTK_IS_POPOVER (widget);
}

static gboolean
is_label_with_text (GtkWidget     *widget,
                    gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
undo_shown (gpointer overlay)
{
  return button (overlay, "_Undo") != NULL;
}

/* Refer…: Return in the organisation submits; with nothing typed it says
 * what is missing. Then Undo on the "Referral recorded" toast removes the
 * referral, audited. */
static void
test_refer_and_undo (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  gint64 client = make_client (created);
  VpWindow *window;
  VpClientPage *page;
  VpStore *store;
  VpReferralDialog *dialog;
  GtkWidget *organisation, *undo, *popover;
  VpChoiceRow *category;

  vp_store_close (created);
  page = open_client (dir, client, &window);
  store = vp_window_get_store (window);

  press (action_button (page, "client.add-referral", NULL));
  dialog = wait_for (VP_TYPE_REFERRAL_DIALOG);
  organisation = vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "organisation_row");
  g_assert_false (gtk_widget_is_sensitive (button (dialog, "_Refer")));
  press_return (organisation);
  g_assert_true (gtk_widget_get_visible (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "error_label")));
  g_assert_nonnull (shown (VP_TYPE_REFERRAL_DIALOG));

  /* The choices say what they mean: in the open list, and under the
   * row for the one chosen. */
  category = vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "category_row");
  g_signal_emit_by_name (category, "activate");
  vp_ui_settle ();
  popover = GTK_WIDGET (find (GTK_WIDGET (category), is_popover, NULL));
  g_assert_true (gtk_widget_get_mapped (popover));
  g_assert_nonnull (find (popover, is_label_with_text, "Debt counselling and budgeting help"));
  gtk_popover_popdown (GTK_POPOVER (popover));
  vp_ui_settle ();
  vp_choice_row_set_code (category, "wmo_support");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (category)), "Social Support Act"));
  /* Choosing an earlier organisation fills it in. */
  adw_combo_row_set_selected (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "earlier_row"), 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (organisation)), ==, "Schuldhulp Noord");
  gtk_editable_set_text (GTK_EDITABLE (organisation), "Wmo-loket Oost");
  g_assert_true (gtk_widget_is_sensitive (button (dialog, "_Refer")));
  vp_ui_save_screenshot (GTK_WIDGET (dialog), "test-ui-client-refer");
  press_return (organisation);
  wait_gone (VP_TYPE_REFERRAL_DIALOG);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral WHERE category = 'wmo_support'"
                                         " AND organisation = 'Wmo-loket Oost'"), ==, 1);

  /* The toast's Undo can be pressed, and undoes. */
  vp_ui_wait_until (undo_shown, vp_ui_child (window, VP_TYPE_WINDOW, "toast_overlay"));
  undo = button (vp_ui_child (window, VP_TYPE_WINDOW, "toast_overlay"), "_Undo");
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-client-referral-toast");
  press (undo);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral WHERE organisation = 'Wmo-loket Oost'"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE action = 'delete'"
                                         " AND record_type = 'referral'"), ==, 1);
  g_assert_nonnull (gtk_list_box_get_row_at_index (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "referrals_list"), 0));
  g_assert_null (gtk_list_box_get_row_at_index (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "referrals_list"), 1));

  /* Locking closes a dialog about the client with the page. */
  press (action_button (page, "client.edit-referral", NULL));
  wait_for (VP_TYPE_REFERRAL_DIALOG);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL);
  vp_ui_settle ();
  g_assert_null (shown (VP_TYPE_REFERRAL_DIALOG));

  close_window (window, dir);
}

/* Feedback: typed dates are checked as they are typed, with a message
 * that says what is wrong; the calendar beside the field sets it. */
static void
test_feedback_calendar (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  g_autoptr(GDate) july3 = g_date_new_dmy (3, G_DATE_JULY, 2026);
  g_autoptr(GDateTime) july1 = g_date_time_new_local (2026, 7, 1, 0, 0, 0);
  g_autoptr(GDateTime) shown_day = NULL;
  gint64 client = make_client (created);
  VpWindow *window;
  VpClientPage *page;
  VpFeedbackDialog *dialog;
  GtkEditable *date;
  GtkLabel *error_label;
  GtkPopover *popover;
  VpChoiceRow *outcome;

  vp_store_close (created);
  _vp_clock_set_today (july3);
  page = open_client (dir, client, &window);

  press (action_button (page, "client.record-feedback", NULL));
  dialog = wait_for (VP_TYPE_FEEDBACK_DIALOG);
  date = vp_ui_child (dialog, VP_TYPE_FEEDBACK_DIALOG, "date_row");
  error_label = vp_ui_child (dialog, VP_TYPE_FEEDBACK_DIALOG, "error_label");
  g_assert_cmpstr (gtk_editable_get_text (date), ==, "2026-07-03");
  g_assert_true (gtk_widget_is_sensitive (button (dialog, "_Save")));

  gtk_editable_set_text (date, "2026-13-40");
  g_assert_false (gtk_widget_is_sensitive (button (dialog, "_Save")));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_label (error_label), "year-month-day"));
  gtk_editable_set_text (date, "2026-07-09");
  g_assert_cmpstr (gtk_label_get_label (error_label), ==, "Feedback cannot have arrived in the future");
  gtk_editable_set_text (date, "2026-05-30");
  g_assert_nonnull (strstr (gtk_label_get_label (error_label), "2026-06-01"));
  /* Written the Dutch way, day first. */
  gtk_editable_set_text (date, "2-7-2026");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_true (gtk_widget_is_sensitive (button (dialog, "_Save")));

  /* The calendar opens on the typed day; a day chosen on it is the date. */
  popover = vp_ui_child (dialog, VP_TYPE_FEEDBACK_DIALOG, "calendar_popover");
  gtk_menu_button_popup (vp_ui_child (dialog, VP_TYPE_FEEDBACK_DIALOG, "calendar_button"));
  vp_ui_settle ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  shown_day = gtk_calendar_get_date (vp_ui_child (dialog, VP_TYPE_FEEDBACK_DIALOG, "calendar"));
  g_assert_cmpint (g_date_time_get_day_of_month (shown_day), ==, 2);
  g_assert_cmpint (g_date_time_get_month (shown_day), ==, 7);
  vp_ui_save_screenshot (GTK_WIDGET (dialog), "test-ui-client-feedback-calendar");
  gtk_calendar_select_day (vp_ui_child (dialog, VP_TYPE_FEEDBACK_DIALOG, "calendar"), july1);
  vp_ui_settle ();
  g_assert_cmpstr (gtk_editable_get_text (date), ==, "2026-07-01");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));

  outcome = vp_ui_child (dialog, VP_TYPE_FEEDBACK_DIALOG, "outcome_row");
  vp_choice_row_set_code (outcome, "waiting_list");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (outcome)), ==, "Accepted, waiting for a place");
  press (button (dialog, "_Save"));
  wait_gone (VP_TYPE_FEEDBACK_DIALOG);
  g_assert_cmpint (vp_test_count (vp_window_get_store (window),
                                  "SELECT count(*) FROM referral WHERE feedback_received_on = '2026-07-01'"
                                  " AND outcome = 'waiting_list'"), ==, 1);

  close_window (window, dir);
}

static guint
visible_rows (GtkListBox *list)
{
  GtkListBoxRow *row;
  guint n = 0;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    n += gtk_widget_get_child_visible (GTK_WIDGET (row));
  return n;
}

/* The row shown at @index, in the order shown. */
static GtkListBoxRow *
shown_row (GtkListBox *list,
           int         index)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    if (gtk_widget_get_child_visible (GTK_WIDGET (row)) && index-- == 0)
      return row;
  g_assert_not_reached ();
}

static const char *
row_title (GtkListBox *list,
           int         index)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (shown_row (list, index)));
}

static const char *
row_subtitle (GtkListBox *list,
              int         index)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (shown_row (list, index)));
}

static void
search (GtkEditable *entry,
        const char  *text)
{
  gtk_editable_set_text (entry, text);
  g_signal_emit_by_name (entry, "search-changed");
  vp_ui_settle ();
}

/* Language needs: Save a few Tabs away, a list filtered by typing, the
 * chosen languages on top in order of preference. */
static void
test_language_needs (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  gint64 client = make_client (created);
  g_auto(GStrv) stored = NULL;
  VpWindow *window;
  VpClientPage *page;
  VpLanguageNeedsDialog *dialog;
  VpLanguagePicker *picker;
  GtkEditable *entry;
  GtkListBox *list;
  VpChoiceRow *proficiency;
  GtkWidget *save;
  guint tabs = 0, n_languages = 0;

  g_assert_true (vp_store_set_language_needs (created, client, "limited", NULL, NULL));
  vp_store_close (created);
  page = open_client (dir, client, &window);

  press (action_button (page, "client.edit-language", NULL));
  dialog = wait_for (VP_TYPE_LANGUAGE_NEEDS_DIALOG);
  picker = vp_ui_child (dialog, VP_TYPE_LANGUAGE_NEEDS_DIALOG, "picker");
  proficiency = vp_ui_child (dialog, VP_TYPE_LANGUAGE_NEEDS_DIALOG, "proficiency_row");
  entry = vp_ui_child (picker, VP_TYPE_LANGUAGE_PICKER, "search_entry");
  list = vp_ui_child (picker, VP_TYPE_LANGUAGE_PICKER, "list");
  save = button (dialog, "_Save");
  g_assert_cmpstr (vp_choice_row_get_code (proficiency), ==, "limited");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (proficiency)), "simple Dutch"));

  /* Tab from the first field: the search, the list (one stop), Cancel,
   * Save. The old grid of check boxes took about 50. */
  gtk_widget_grab_focus (GTK_WIDGET (proficiency));
  while (gtk_window_get_focus (GTK_WINDOW (dialog)) != save && tabs < 60)
    {
      gtk_widget_child_focus (GTK_WIDGET (dialog), GTK_DIR_TAB_FORWARD);
      tabs++;
    }
  g_assert_cmpuint (tabs, <=, 4);

  /* Typing filters; Return takes the first match and clears the search. */
  search (entry, "tig");
  g_assert_cmpuint (visible_rows (list), ==, 1);
  g_signal_emit_by_name (entry, "activate");
  vp_ui_settle ();
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");
  search (entry, "arab");
  g_signal_emit_by_name (entry, "activate");
  search (entry, "farsi"); /* a word of "Persian (Farsi)" */
  g_assert_cmpuint (visible_rows (list), ==, 3);
  search (entry, "pol");
  /* The chosen stay on top, in order, whatever is typed. */
  g_assert_cmpuint (visible_rows (list), ==, 3);
  g_assert_cmpstr (row_title (list, 0), ==, "Tigrinya");
  g_assert_cmpstr (row_subtitle (list, 0), ==, "Preferred language");
  g_assert_cmpstr (row_title (list, 1), ==, "Arabic");
  g_assert_cmpstr (row_subtitle (list, 1), ==, "Choice 2");
  g_assert_cmpstr (row_title (list, 2), ==, "Polish");
  /* A row is chosen by activating it (Space, Return or a click). */
  g_signal_emit_by_name (shown_row (list, 2), "activate");
  vp_ui_settle ();
  g_assert_cmpstr (row_subtitle (list, 2), ==, "Choice 3");
  search (entry, "");
  vp_languages (&n_languages);
  g_assert_cmpuint (visible_rows (list), ==, n_languages);
  vp_ui_save_screenshot (GTK_WIDGET (dialog), "test-ui-client-language-needs");
  /* Choosing again removes, and the rest move up. */
  g_signal_emit_by_name (shown_row (list, 0), "activate");
  vp_ui_settle ();
  g_assert_cmpstr (row_title (list, 0), ==, "Arabic");
  g_assert_cmpstr (row_subtitle (list, 0), ==, "Preferred language");
  search (entry, "tigr");
  g_signal_emit_by_name (entry, "activate");
  vp_ui_settle ();

  vp_choice_row_set_code (proficiency, "little_or_none");
  press (save);
  wait_gone (VP_TYPE_LANGUAGE_NEEDS_DIALOG);
  stored = vp_store_get_preferred_languages (vp_window_get_store (window), client);
  g_assert_cmpuint (g_strv_length (stored), ==, 3);
  g_assert_cmpstr (stored[0], ==, "ara");
  g_assert_cmpstr (stored[1], ==, "pol");
  g_assert_cmpstr (stored[2], ==, "tir");
  g_assert_cmpstr (adw_action_row_get_subtitle (vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "language_row")), ==,
                   "Little or none · Arabic, Polish, Tigrinya");

  close_window (window, dir);
}

/* Giving consent: the language chosen for the explanation survives
 * showing the sheet to the client, and is recorded. */
static void
test_give_consent (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  gint64 client = make_client (created);
  VpWindow *window;
  VpClientPage *page;
  VpConsentDialog *dialog;
  VpChoiceRow *method;

  vp_store_close (created);
  page = open_client (dir, client, &window);

  press (action_button (page, "client.give-consent", "interpreter"));
  dialog = wait_for (VP_TYPE_CONSENT_DIALOG);
  method = vp_ui_child (dialog, VP_TYPE_CONSENT_DIALOG, "method_row");
  vp_choice_row_set_code (method, "written");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (method)), ==, "The client signed the explanation");
  vp_choice_row_set_code (vp_ui_child (dialog, VP_TYPE_CONSENT_DIALOG, "language_row"), "ara");
  press (button (dialog, "_Show to the Client"));
  gtk_window_destroy (wait_for (VP_TYPE_CONSENT_SHEET));
  vp_ui_settle ();

  dialog = wait_for (VP_TYPE_CONSENT_DIALOG);
  g_assert_cmpstr (vp_choice_row_get_code (vp_ui_child (dialog, VP_TYPE_CONSENT_DIALOG, "language_row")), ==, "ara");
  vp_choice_row_set_code (vp_ui_child (dialog, VP_TYPE_CONSENT_DIALOG, "method_row"), "written");
  press (button (dialog, "Consent _Given"));
  wait_gone (VP_TYPE_CONSENT_DIALOG);
  g_assert_cmpint (vp_test_count (vp_window_get_store (window),
                                  "SELECT count(*) FROM consent WHERE category = 'interpreter'"
                                  " AND explanation_language = 'ara' AND method = 'written'"
                                  " AND withdrawn_at IS NULL"), ==, 1);
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)),
                                         vp_ui_child (page, VP_TYPE_CLIENT_PAGE, "consent_group")));

  close_window (window, dir);
}

/* What a mnemonic activates: the label's mnemonic widget, or the row or
 * button the label belongs to (an entry row shows its title twice). */
static GtkWidget *
mnemonic_target (GtkLabel *label)
{
  GtkWidget *target = gtk_label_get_mnemonic_widget (label);
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (label), GTK_TYPE_LIST_BOX_ROW);
  GtkWidget *button = gtk_widget_get_ancestor (GTK_WIDGET (label), GTK_TYPE_BUTTON);

  return target != NULL ? target : button != NULL ? button : row != NULL ? row : GTK_WIDGET (label);
}

/* GTK answers VoidSymbol, or 0 for a label that never had one. */
static gboolean
has_mnemonic (GtkLabel *label)
{
  guint key = gtk_label_get_mnemonic_keyval (label);

  return key != GDK_KEY_VoidSymbol && key != 0;
}

static void
collect_mnemonics (GtkWidget *widget,
                   GPtrArray *labels)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget) && has_mnemonic (GTK_LABEL (widget)))
    g_ptr_array_add (labels, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_mnemonics (child, labels);
}

/* Every mnemonic shown under @root is the only one with its key. */
static void
assert_mnemonics_unique (gpointer root)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  collect_mnemonics (GTK_WIDGET (root), labels);
  g_assert_cmpuint (labels->len, >, 0);
  for (guint i = 0; i < labels->len; i++)
    for (guint j = i + 1; j < labels->len; j++)
      {
        GtkLabel *a = labels->pdata[i], *b = labels->pdata[j];

        if (gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (a)) ==
              gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (b)) &&
            mnemonic_target (a) != mnemonic_target (b))
          g_error ("“%s” and “%s” share a mnemonic", gtk_label_get_label (a), gtk_label_get_label (b));
      }
}

static gboolean
is_label (GtkWidget     *widget,
          gconstpointer  data)
{
  return GTK_IS_LABEL (widget);
}

static void
assert_no_mnemonic (GtkWidget *widget)
{
  GtkWidget *label = find (widget, is_label, NULL);

  g_assert_nonnull (label);
  g_assert_false (has_mnemonic (GTK_LABEL (label)));
}

/* A label as shown in the language under test. */
#define T(text) g_dgettext (GETTEXT_PACKAGE, text)

static void
cancel (GType type)
{
  press (button (shown (type), T ("_Cancel")));
  wait_gone (type);
}

/* Whether every label with a mnemonic that the dialogs brought has its
 * translation. */
static gboolean
dialog_labels_translated (void)
{
  const char *labels[] = {
    "_How", "_Explained in", "_Outcome", "_Received on (year-month-day)", "Short _note",
    "_Preferred languages", "_Earlier organisations", "_Warm handover", "_Save Correction", "_Keep",
    "_New passphrase",
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (T (labels[i]), labels[i]))
      return FALSE;
  return TRUE;
}

/* One key, one action, on the page and in each of its dialogs, in
 * English and in Dutch; the destructive ones have none. */
static void
test_mnemonics (gconstpointer language)
{
  g_autofree char *saved = g_strdup (g_getenv ("LANGUAGE"));
  g_autofree char *dir = NULL;
  g_autoptr(VpStore) created = NULL;
  gint64 client;
  VpWindow *window;
  VpClientPage *page;
  AdwMessageDialog *dialog;

  g_setenv ("LANGUAGE", language, TRUE);
  setlocale (LC_ALL, "");
  if (!g_str_equal (language, "en") && !dialog_labels_translated ())
    {
      /* Half English, half Dutch letters would collide by chance; the
       * Dutch of these labels is proposed with #15 and checked here once
       * po/nl.po has it. */
      g_test_skip ("the dialogs' labels are not in po/nl.po yet");
      goto out;
    }
  dir = vp_test_make_dir ();
  created = vp_test_create_store (dir);
  client = make_client (created);

  /* A second referral, so that every per-referral button is shown twice. */
  {
    VpReferralInput second = { .client_id = client, .category = "housing", .organisation = "Woonbond" };
    g_assert_cmpint (vp_store_add_referral (created, &second, NULL), >, 0);
  }
  vp_store_close (created);
  page = open_client (dir, client, &window);

  assert_mnemonics_unique (page);
  assert_no_mnemonic (action_button (page, "client.erase", NULL));
  assert_no_mnemonic (action_button (page, "client.withdraw-consent", "language"));

  press (action_button (page, "client.add-referral", NULL));
  assert_mnemonics_unique (wait_for (VP_TYPE_REFERRAL_DIALOG));
  cancel (VP_TYPE_REFERRAL_DIALOG);
  press (action_button (page, "client.edit-referral", NULL));
  dialog = wait_for (VP_TYPE_REFERRAL_DIALOG);
  g_assert_true (gtk_widget_get_mapped (vp_ui_child (dialog, VP_TYPE_REFERRAL_DIALOG, "earlier_row")));
  assert_mnemonics_unique (dialog);
  cancel (VP_TYPE_REFERRAL_DIALOG);
  press (action_button (page, "client.record-feedback", NULL));
  assert_mnemonics_unique (wait_for (VP_TYPE_FEEDBACK_DIALOG));
  cancel (VP_TYPE_FEEDBACK_DIALOG);
  press (action_button (page, "client.edit-language", NULL));
  assert_mnemonics_unique (wait_for (VP_TYPE_LANGUAGE_NEEDS_DIALOG));
  cancel (VP_TYPE_LANGUAGE_NEEDS_DIALOG);
  press (action_button (page, "client.give-consent", "interpreter"));
  assert_mnemonics_unique (wait_for (VP_TYPE_CONSENT_DIALOG));
  cancel (VP_TYPE_CONSENT_DIALOG);
  press (action_button (page, "client.withdraw-consent", "referral"));
  dialog = wait_for (VP_TYPE_WITHDRAW_CONSENT_DIALOG);
  assert_mnemonics_unique (dialog);
  assert_no_mnemonic (button (dialog, T ("Withdraw and Erase")));
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  wait_gone (VP_TYPE_WITHDRAW_CONSENT_DIALOG);
  g_assert_cmpint (vp_test_count (vp_window_get_store (window), "SELECT count(*) FROM referral"), ==, 2);

  close_window (window, dir);
out:
  if (saved != NULL)
    g_setenv ("LANGUAGE", saved, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
}

/* The team page's passphrase reset is a dialog of its own: Reset waits
 * for a passphrase, and Return resets. Removing an account asks, and
 * Return keeps it. */
static void
test_accounts_dialogs (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  gint64 dewi = vp_store_add_account (created, "Coach Dewi", "coach", "coach dewi passphrase", NULL);
  VpWindow *window;
  VpAccountsPage *team;
  VpPassphraseResetDialog *reset;
  AdwMessageDialog *remove;
  GtkWidget *passphrase;

  g_assert_cmpint (dewi, >, 0);
  g_assert_cmpint (vp_store_add_location (created, "Buurthuis De Kolk", "community_centre", NULL), >, 0);
  g_assert_cmpint (vp_store_add_location (created, "Moskee Oost", "religious", NULL), >, 0);
  vp_store_close (created);
  window = vp_ui_open_window (dir);
  team = vp_ui_child (window, VP_TYPE_WINDOW, "accounts_page");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-team", NULL);
  vp_ui_settle ();

  gtk_widget_activate_action (GTK_WIDGET (team), "accounts.reset", "x", dewi);
  reset = wait_for (VP_TYPE_PASSPHRASE_RESET_DIALOG);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (reset)), "Coach Dewi"));
  g_assert_false (gtk_widget_is_sensitive (button (reset, "_Reset")));
  assert_mnemonics_unique (reset);
  passphrase = vp_ui_child (reset, VP_TYPE_PASSPHRASE_RESET_DIALOG, "passphrase_row");
  gtk_editable_set_text (GTK_EDITABLE (passphrase), "a new passphrase for dewi");
  press_return (passphrase);
  wait_gone (VP_TYPE_PASSPHRASE_RESET_DIALOG);
  g_assert_cmpint (vp_test_count (vp_window_get_store (window),
                                  "SELECT count(*) FROM audit_log WHERE action = 'passphrase_reset'"), ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (team), "accounts.remove", "x", dewi);
  remove = wait_for (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_default_response (remove), ==, "cancel");
  assert_no_mnemonic (button (remove, "Remove"));
  press (button (remove, "Remove"));
  wait_gone (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpint (vp_test_count (vp_window_get_store (window),
                                  "SELECT count(*) FROM audit_log WHERE action = 'account_removed'"), ==, 1);

  /* Each location's switch turns that location, and only that one, off. */
  {
    GtkListBox *locations = vp_ui_child (team, VP_TYPE_ACCOUNTS_PAGE, "locations_list");
    GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (locations, 1));

    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Moskee Oost");
    gtk_switch_set_active (GTK_SWITCH (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row))), FALSE);
    g_assert_cmpint (vp_test_count (vp_window_get_store (window),
                                    "SELECT count(*) FROM location WHERE active = 0 AND name = 'Moskee Oost'"), ==, 1);
    g_assert_cmpint (vp_test_count (vp_window_get_store (window),
                                    "SELECT count(*) FROM location WHERE active = 1"), ==, 1);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

/* What "Early" and "Escalated" mean, wherever a stage is chosen. */
static void
test_choices_explained (void)
{
  GtkWidget *row = g_object_ref_sink (vp_choice_row_new ());
  const char *early, *escalated;

  g_object_set (row, "category", "stage", NULL);
  vp_choice_row_set_code (VP_CHOICE_ROW (row), "early");
  early = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  g_assert_nonnull (strstr (early, "still small"));
  vp_choice_row_set_code (VP_CHOICE_ROW (row), "escalated");
  escalated = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
  g_assert_nonnull (strstr (escalated, "reached late"));
  g_assert_cmpstr (vp_choice_row_get_code (VP_CHOICE_ROW (row)), ==, "escalated");
  g_assert_cmpstr (vp_choice_description (VP_CATEGORY_STAGE, "prevention"), !=, NULL);
  /* A "none" choice first, whose code is NULL. */
  g_object_set (row, "none-label", "Not recorded", NULL);
  g_assert_null (vp_choice_row_get_code (VP_CHOICE_ROW (row)));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (ADW_COMBO_ROW (row))), ==, 5);
  g_assert_finalize_object (row);
}

int
main (int   argc,
      char *argv[])
{
  if (!vp_ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/ui-client/withdraw-asks", test_withdraw_asks);
  g_test_add_func ("/ui-client/refer-and-undo", test_refer_and_undo);
  g_test_add_func ("/ui-client/feedback-calendar", test_feedback_calendar);
  g_test_add_func ("/ui-client/language-needs", test_language_needs);
  g_test_add_func ("/ui-client/give-consent", test_give_consent);
  g_test_add_data_func ("/ui-client/mnemonics/en", "en", test_mnemonics);
  g_test_add_data_func ("/ui-client/mnemonics/nl", "nl", test_mnemonics);
  g_test_add_func ("/ui-client/accounts-dialogs", test_accounts_dialogs);
  g_test_add_func ("/ui-client/choices-explained", test_choices_explained);

  return g_test_run ();
}
