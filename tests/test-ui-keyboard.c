/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The coach's keyboard (#15): after every action focus is where the next
 * keystroke is expected, mnemonics are unique per page, choices can be
 * picked by typing, every bound key is in the Shortcuts window, and a
 * consent row is one Tab stop. Runs under a virtual display. */
#include "config.h"

#include <adwaita.h>
#include <locale.h>
#include <string.h>

#include "vp-categories.h"
#include "vp-client-page.h"
#include "vp-clients-page.h"
#include "vp-consent-texts.h"
#include "vp-contact-dialog.h"
#include "vp-contact-form.h"
#include "vp-test-util.h"
#include "vp-today-page.h"
#include "vp-ui.h"
#include "vp-ui-test-util.h"
#include "vp-window.h"

static GtkWidget *
focus_of (VpWindow *window)
{
  return gtk_root_get_focus (GTK_ROOT (window));
}

/* Focus is on a widget the coach can see, inside @page. */
static void
assert_focus_in (VpWindow  *window,
                 GtkWidget *page)
{
  GtkWidget *focus = focus_of (window);

  g_assert_nonnull (focus);
  g_assert_true (focus == page || gtk_widget_is_ancestor (focus, page));
  g_assert_true (gtk_widget_get_mapped (focus));
}

static VpWindow *
window_with_client (char   **dir,
                    gint64  *client_id)
{
  g_autoptr(VpStore) created = NULL;

  *dir = vp_test_make_dir ();
  created = vp_test_create_store (*dir);
  vp_test_register (created, "Zeynep K.", 1988, "school", "first", "limited", NULL);
  *client_id = vp_test_count (created, "SELECT id FROM client WHERE label = 'Zeynep K.'");
  vp_store_close (created);
  return vp_ui_open_window (*dir);
}

static void
wait_for_page (VpWindow *window)
{
  vp_ui_wait_for_transitions (GTK_WIDGET (window));
}

static void
show_page (VpWindow   *window,
           const char *name)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", name);
  wait_for_page (window);
}

/* Alt+1..4: focus follows the page, so a name typed after Alt+2 lands in
 * the search field, never on a page that is hidden. */
static void
test_page_focus (void)
{
  g_autofree char *dir = NULL;
  gint64 client_id;
  VpWindow *window = window_with_client (&dir, &client_id);
  GtkWidget *form = vp_ui_child (window, VP_TYPE_WINDOW, "contact_form");
  GtkWidget *clients = vp_ui_child (window, VP_TYPE_WINDOW, "clients_page");
  GtkWidget *search = vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "search_entry");
  GtkWidget *today = vp_ui_child (window, VP_TYPE_WINDOW, "today_page");
  GtkWidget *report = vp_ui_child (window, VP_TYPE_WINDOW, "report_page");

  assert_focus_in (window, form);
  gtk_switch_set_active (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "consent_switch"), TRUE);
  vp_ui_save_screenshot (GTK_WIDGET (window), "test-ui-register-form");
  gtk_switch_set_active (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "consent_switch"), FALSE);
  show_page (window, "clients");
  assert_focus_in (window, search);
  show_page (window, "register");
  assert_focus_in (window, form);
  show_page (window, "today");
  assert_focus_in (window, today);
  show_page (window, "report");
  assert_focus_in (window, report);

  /* Ctrl+F finds, from any page, with what was typed before selected. */
  vp_clients_page_set_query (VP_CLIENTS_PAGE (clients), "zey");
  show_page (window, "register");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.find", NULL);
  vp_ui_settle ();
  g_assert_true (focus_of (window) == search || gtk_widget_is_ancestor (focus_of (window), search));
  {
    int start = 0, end = 0;

    g_assert_true (gtk_editable_get_selection_bounds (GTK_EDITABLE (search), &start, &end));
    g_assert_cmpint (start, ==, 0);
    g_assert_cmpint (end, ==, 3);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  vp_test_remove_dir (dir);
}

/* "Register follow-up" leaves focus in the form, not in the hidden search
 * field; after saving, the kind is a first contact again, so the next new
 * client saves. */
static void
test_follow_up_focus (void)
{
  g_autofree char *dir = NULL;
  gint64 client_id;
  VpWindow *window = window_with_client (&dir, &client_id);
  VpStore *store = vp_window_get_store (window);
  GtkWidget *form = vp_ui_child (window, VP_TYPE_WINDOW, "contact_form");
  VpClientsPage *clients = vp_ui_child (window, VP_TYPE_WINDOW, "clients_page");
  VpClientPage *page = vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "client_page");
  AdwComboRow *kind = vp_ui_child (form, VP_TYPE_CONTACT_FORM, "kind_row");

  show_page (window, "clients");
  vp_clients_page_show_client (clients, client_id);
  vp_ui_settle ();
  gtk_widget_activate_action (GTK_WIDGET (page), "client.follow-up", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack")),
                   ==, "register");
  assert_focus_in (window, form);

  gtk_widget_activate_action (form, "form.save", NULL);
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE kind = 'follow_up'"), ==, 1);
  g_assert_cmpuint (adw_combo_row_get_selected (kind), ==,
                    (guint) vp_category_index (VP_CATEGORY_CONTACT_KIND, "first"));
  assert_focus_in (window, form);

  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "label_row", "Amal");
  gtk_widget_activate_action (form, "form.save", NULL);
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client WHERE label = 'Amal'"), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  vp_test_remove_dir (dir);
}

static GtkEventController *
key_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        return controller;
    }
  return NULL;
}

static gboolean
type_key (GtkWidget *widget,
          guint      keyval)
{
  GtkEventController *controller = key_controller (widget);
  gboolean handled = FALSE;

  g_assert_nonnull (controller);
  g_signal_emit_by_name (controller, "key-pressed", keyval, 0, 0, &handled);
  return handled;
}

static const char *
selected_text (AdwComboRow *row)
{
  return gtk_string_object_get_string (adw_combo_row_get_selected_item (row));
}

/* "Key figure" is K, not Down four times; typing within a second extends
 * the prefix, a pause starts a new one. */
static void
test_typeahead (void)
{
  g_autofree char *dir = NULL;
  gint64 client_id;
  VpWindow *window = window_with_client (&dir, &client_id);
  GtkWidget *form = vp_ui_child (window, VP_TYPE_WINDOW, "contact_form");
  AdwComboRow *initiated = vp_ui_child (form, VP_TYPE_CONTACT_FORM, "initiated_row");
  AdwComboRow *language = vp_ui_child (form, VP_TYPE_CONTACT_FORM, "preferred_language_row");

  gtk_widget_grab_focus (GTK_WIDGET (initiated));
  g_assert_true (type_key (GTK_WIDGET (initiated), GDK_KEY_k));
  g_assert_cmpstr (selected_text (initiated), ==, "Key figure");
  g_assert_true (type_key (GTK_WIDGET (initiated), GDK_KEY_e));
  g_assert_cmpstr (selected_text (initiated), ==, "Key figure");
  /* A pause starts a new prefix. */
  g_usleep (1100 * 1000);
  g_assert_true (type_key (GTK_WIDGET (initiated), GDK_KEY_s));
  g_assert_cmpstr (selected_text (initiated), ==, "School");

  /* Languages: "ti" is Tigrinya, past Turkish's T. */
  g_assert_true (type_key (GTK_WIDGET (language), GDK_KEY_t));
  g_assert_true (g_str_has_prefix (selected_text (language), "T"));
  g_assert_true (type_key (GTK_WIDGET (language), GDK_KEY_i));
  g_assert_cmpstr (selected_text (language), ==, "Tigrinya");
  /* Keys with Ctrl or Alt are not for the list (mnemonics, shortcuts). */
  {
    GtkEventController *controller = key_controller (GTK_WIDGET (language));
    gboolean handled = TRUE;

    g_signal_emit_by_name (controller, "key-pressed", GDK_KEY_a, 0, GDK_ALT_MASK, &handled);
    g_assert_false (handled);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  vp_test_remove_dir (dir);
}

static gboolean
switch_on (gpointer toggle)
{
  return gtk_switch_get_active (toggle);
}

/* The preferred language is asked on the form, behind consent, and goes
 * into the store first in the client's list. */
static void
test_preferred_language (void)
{
  g_autofree char *dir = NULL;
  gint64 client_id;
  VpWindow *window = window_with_client (&dir, &client_id);
  VpStore *store = vp_window_get_store (window);
  GtkWidget *form = vp_ui_child (window, VP_TYPE_WINDOW, "contact_form");
  GtkSwitch *consent = vp_ui_child (form, VP_TYPE_CONTACT_FORM, "consent_switch");
  AdwComboRow *language = vp_ui_child (form, VP_TYPE_CONTACT_FORM, "preferred_language_row");

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (language)));
  /* One Tab stop: the row, which toggles the switch; the switch is none. */
  g_assert_false (gtk_widget_get_focusable (GTK_WIDGET (consent)));
  g_assert_true (gtk_list_box_row_get_activatable (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "consent_row")));
  g_signal_emit_by_name (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "consent_row"), "activate");
  /* On at once, so the next Tab reaches the fields behind it. */
  g_assert_true (switch_on (consent));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (language)));

  vp_ui_set_text (form, VP_TYPE_CONTACT_FORM, "label_row", "Amal");
  type_key (GTK_WIDGET (language), GDK_KEY_t);
  type_key (GTK_WIDGET (language), GDK_KEY_i);
  g_signal_emit_by_name (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "save_button"), "clicked");
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need JOIN client ON client.id = client_id"
                                         " WHERE label = 'Amal' AND preferred_languages = 'tir'"), ==, 1);
  /* The consent records the version of the Dutch text the app ships. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM consent JOIN client ON client.id = client_id"
                                            " WHERE label = 'Amal' AND category = 'language'"
                                            " AND explanation_language = 'nld' AND text_version = '%s'",
                                            vp_consent_text_version ("nld"));
    g_assert_cmpint (vp_test_count (store, sql), ==, 1);
  }
  /* The form is ready for the next client, consent off again. */
  g_assert_false (gtk_switch_get_active (consent));
  g_assert_cmpuint (adw_combo_row_get_selected (language), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  vp_test_remove_dir (dir);
}

/* What Alt with the label's letter acts on: its mnemonic widget, or the
 * row it titles (an entry row draws its title twice, for the empty and
 * the filled state, and both name the same row). */
static GtkWidget *
mnemonic_target (GtkLabel *label)
{
  GtkWidget *target = gtk_label_get_mnemonic_widget (label);

  if (target == NULL)
    target = GTK_WIDGET (label);
  return gtk_widget_get_ancestor (target, GTK_TYPE_LIST_BOX_ROW) != NULL
         ? gtk_widget_get_ancestor (target, GTK_TYPE_LIST_BOX_ROW) : target;
}

static void
collect_mnemonics (GtkWidget  *widget,
                   GHashTable *seen,
                   const char *page)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget) && gtk_label_get_use_underline (GTK_LABEL (widget)))
    {
      guint keyval = gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)));
      GtkWidget *target = mnemonic_target (GTK_LABEL (widget));
      GtkLabel *other;

      if (keyval != GDK_KEY_VoidSymbol)
        {
          other = g_hash_table_lookup (seen, GUINT_TO_POINTER (keyval));
          if (other != NULL && mnemonic_target (other) != target)
            g_error ("On %s, Alt+%s is both “%s” and “%s”", page, gdk_keyval_name (keyval),
                     gtk_label_get_label (other), gtk_label_get_label (GTK_LABEL (widget)));
          g_hash_table_insert (seen, GUINT_TO_POINTER (keyval), widget);
        }
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_mnemonics (c, seen, page);
}

static guint
assert_unique_mnemonics (VpWindow   *window,
                         const char *page)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  wait_for_page (window);

  collect_mnemonics (GTK_WIDGET (window), seen, page);
  return g_hash_table_size (seen);
}

/* No two mapped controls share an Alt key, on any page, in English and in
 * Dutch: with consent given, so that every field of the form shows. */
static void
test_mnemonics (gconstpointer data)
{
  const char *language = data;
  g_autofree char *dir = NULL;
  gint64 client_id;
  VpWindow *window;
  GtkWidget *form;

  vp_ui_use_language (language);
  window = window_with_client (&dir, &client_id);
  form = vp_ui_child (window, VP_TYPE_WINDOW, "contact_form");
  gtk_switch_set_active (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "consent_switch"), TRUE);
  gtk_switch_set_active (vp_ui_child (form, VP_TYPE_CONTACT_FORM, "interpreter_switch"), TRUE);
  vp_ui_settle ();
  /* Every field of the form has its letter (in Dutch as well). */
  g_assert_cmpuint (assert_unique_mnemonics (window, "register"), >=, 14);
  show_page (window, "clients");
  assert_unique_mnemonics (window, "clients");
  vp_clients_page_show_client (vp_ui_child (window, VP_TYPE_WINDOW, "clients_page"), client_id);
  vp_ui_settle ();
  assert_unique_mnemonics (window, "client");
  show_page (window, "today");
  show_page (window, "report");
  assert_unique_mnemonics (window, "report");
  for (guint i = 0; i < 3; i++)
    {
      const char *pages[] = { "win.show-team", "win.show-audit", "win.show-referrals" };

      gtk_widget_activate_action (GTK_WIDGET (window), pages[i], NULL);
      vp_ui_settle ();
      assert_unique_mnemonics (window, pages[i]);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  vp_test_remove_dir (dir);
  vp_ui_use_language (NULL);
}

static void
collect_accelerators (GtkWidget  *widget,
                      GHashTable *listed)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accel = NULL;

      g_object_get (widget, "accelerator", &accel, NULL);
      if (accel != NULL)
        {
          guint key = 0;
          GdkModifierType mods = 0;

          if (gtk_accelerator_parse (accel, &key, &mods))
            g_hash_table_add (listed, gtk_accelerator_name (key, mods));
        }
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_accelerators (c, listed);
}

/* Every key the window binds is listed in the Shortcuts window. */
static void
test_shortcuts_listed (void)
{
  g_autofree char *dir = NULL;
  gint64 client_id;
  VpWindow *window = window_with_client (&dir, &client_id);
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/vindplaats/Vindplaats/gtk/help-overlay.ui");
  GtkWidget *overlay = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  guint bound = 0;

  collect_accelerators (overlay, listed);
  g_assert_true (g_hash_table_contains (listed, "F10"));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          g_autofree char *name = NULL;

          if (!GTK_IS_KEYVAL_TRIGGER (trigger))
            continue;
          name = gtk_accelerator_name (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                                       gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)));
          /* Window-manager keys GTK itself binds are not ours to list. */
          if (!GTK_IS_NAMED_ACTION (gtk_shortcut_get_action (shortcut)) ||
              !g_str_has_prefix (gtk_named_action_get_action_name (GTK_NAMED_ACTION (gtk_shortcut_get_action (shortcut))), "win."))
            continue;
          if (!g_hash_table_contains (listed, name))
            g_error ("%s is bound but not in the Shortcuts window", name);
          bound++;
        }
    }
  g_assert_cmpuint (bound, >=, 9);

  gtk_window_destroy (GTK_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (window));
  vp_test_remove_dir (dir);
}

static gpointer
find_toplevel (GType       type,
               const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          (heading == NULL || g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0))
        return window;
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer heading)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG, heading) != NULL;
}

static VpContactDialog *
open_todays_contact (VpWindow *window)
{
  GtkWidget *today = vp_ui_child (window, VP_TYPE_WINDOW, "today_page");
  GtkListBox *list = vp_ui_child (today, VP_TYPE_TODAY_PAGE, "list");
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, 0);

  g_assert_nonnull (row);
  g_assert_true (gtk_list_box_row_get_activatable (row));
  /* Return on a row, as the list box's key binding does. */
  g_signal_emit_by_name (row, "activate");
  vp_ui_settle ();
  return find_toplevel (VP_TYPE_CONTACT_DIALOG, NULL);
}

/* Once the Undo toast is gone, a contact on the Today page can still be
 * corrected or deleted; each is audited, and deleting asks first. */
static void
test_today_correct (void)
{
  g_autofree char *dir = NULL;
  gint64 client_id;
  VpWindow *window = window_with_client (&dir, &client_id);
  VpStore *store = vp_window_get_store (window);
  VpContactDialog *dialog;

  show_page (window, "today");
  g_assert_cmpuint (vp_today_page_get_n_items (vp_ui_child (window, VP_TYPE_WINDOW, "today_page")), ==, 1);

  dialog = open_todays_contact (window);
  g_assert_nonnull (dialog);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE action = 'read'"
                                         " AND record_type = 'contact'"), ==, 1);
  adw_combo_row_set_selected (vp_ui_child (dialog, VP_TYPE_CONTACT_DIALOG, "stage_row"),
                              (guint) vp_category_index (VP_CATEGORY_STAGE, "early") + 1);
  adw_combo_row_set_selected (vp_ui_child (dialog, VP_TYPE_CONTACT_DIALOG, "initiated_row"),
                              (guint) vp_category_index (VP_CATEGORY_INITIATED_BY, "key_figure"));
  gtk_editable_set_text (vp_ui_child (dialog, VP_TYPE_CONTACT_DIALOG, "notes_row"), "spreekt liever Turks");
  vp_ui_save_screenshot (GTK_WIDGET (dialog), "test-ui-contact-dialog");
  /* Return in the notes saves, as in the form. */
  g_signal_emit_by_name (vp_ui_child (dialog, VP_TYPE_CONTACT_DIALOG, "notes_row"), "entry-activated");
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE stage = 'early'"
                                         " AND initiated_by = 'key_figure' AND notes = 'spreekt liever Turks'"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE action = 'change'"
                                         " AND record_type = 'contact'"), ==, 1);
  g_assert_null (find_toplevel (VP_TYPE_CONTACT_DIALOG, NULL));

  /* Delete, thought better of: nothing goes, the dialog comes back. */
  dialog = open_todays_contact (window);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  vp_ui_wait_until (dialog_shown, (gpointer) "Delete Contact?");
  adw_message_dialog_response (find_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Delete Contact?"), "cancel");
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 1);
  g_assert_true (find_toplevel (VP_TYPE_CONTACT_DIALOG, NULL) == dialog);

  /* Deleted for real: the contact, and the client who had no other. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  vp_ui_wait_until (dialog_shown, (gpointer) "Delete Contact?");
  adw_message_dialog_response (find_toplevel (ADW_TYPE_MESSAGE_DIALOG, "Delete Contact?"), "delete");
  vp_ui_settle ();
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client"), ==, 0);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE action = 'delete'"
                                         " AND record_type = 'contact'"), ==, 1);
  g_assert_cmpuint (vp_today_page_get_n_items (vp_ui_child (window, VP_TYPE_WINDOW, "today_page")), ==, 0);
  g_assert_null (find_toplevel (VP_TYPE_CONTACT_DIALOG, NULL));

  gtk_window_destroy (GTK_WINDOW (window));
  vp_test_remove_dir (dir);
}

static void
on_exited (GObject      *subprocess,
           GAsyncResult *result,
           gpointer      status)
{
  g_autoptr(GError) error = NULL;

  *(int *) status = g_subprocess_wait_check_finish (G_SUBPROCESS (subprocess), result, &error) ? 0 : 1;
  if (error != NULL)
    g_test_message ("%s", error->message);
}

static gboolean
exited (gpointer status)
{
  return *(int *) status >= 0;
}

/* Runs @argv to its end while the main loop runs. */
static void
run_while_looping (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) subprocess = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  int status = -1;

  g_assert_no_error (error);
  g_subprocess_wait_check_async (subprocess, NULL, on_exited, &status);
  vp_ui_wait_until (exited, &status);
  g_assert_cmpint (status, ==, 0);
}

/* Real key presses from the X server (XTest through xdotool), while the
 * main loop runs: what a coach's keyboard does, counted. */
static void
press_keys (const char * const *keys,
            guint              *n_pressed)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "xdotool");
  g_ptr_array_add (argv, (gpointer) "key");
  g_ptr_array_add (argv, (gpointer) "--delay");
  g_ptr_array_add (argv, (gpointer) "60");
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (gpointer) keys[i]);
      (*n_pressed)++;
    }
  g_ptr_array_add (argv, NULL);
  run_while_looping ((const char * const *) argv->pdata);
  vp_ui_settle ();
}

static gboolean
window_active (gpointer window)
{
  return gtk_window_is_active (window);
}

/* A first contact by keyboard alone, with every field a coach fills at a
 * first contact, in at most 45 key presses (#15; it took 52). */
static void
test_first_contact_keys (void)
{
  g_autofree char *dir = NULL;
  gint64 client_id;
  VpWindow *window = window_with_client (&dir, &client_id);
  VpStore *store = vp_window_get_store (window);
  const char *keys[] = {
    "Tab",                   /* location: the last one, kept */
    "Tab", "k",              /* kind stays first; initiated by: Key figure */
    "Tab", "e",              /* stage: Early */
    "Tab", "a", "m",         /* label */
    "Tab", "1", "9", "8", "8", /* birth year */
    "Tab",                   /* phone: none */
    "Tab", "space",          /* language consent */
    "Tab", "l",              /* Dutch: Limited */
    "Tab", "t", "i",         /* preferred language: Tigrinya */
    "Tab", "space",          /* interpreter consent */
    "Tab", "i",              /* interpreter: ... */
    "Tab",                   /* notes: none */
    "Return",
    NULL
  };
  guint pressed = 0;

  if (g_find_program_in_path ("xdotool") == NULL)
    {
      g_test_skip ("xdotool is not installed");
      return;
    }
  /* Without a window manager, X gives the keyboard to the window under
   * the pointer. */
  {
    const char *argv[] = { "xdotool", "mousemove", "400", "300", NULL };

    run_while_looping (argv);
  }
  vp_ui_wait_until (window_active, window);
  press_keys (keys, &pressed);
  g_test_message ("%u key presses", pressed);
  g_assert_cmpuint (pressed, <=, 45);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact JOIN client ON client.id = client_id"
                                         " WHERE label = 'am' AND birth_year = 1988 AND kind = 'first'"
                                         " AND initiated_by = 'key_figure' AND stage = 'early'"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM language_need JOIN client ON client.id = client_id"
                                         " WHERE label = 'am' AND dutch_proficiency = 'limited'"
                                         " AND preferred_languages = 'tir'"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact JOIN client ON client.id = client_id"
                                         " WHERE label = 'am' AND interpreter IS NOT NULL"), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  vp_test_remove_dir (dir);
}

static int
min_width (GtkWidget *widget)
{
  int minimum = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  return minimum;
}

static void
report_widest (GtkWidget *widget,
               int        depth)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (gtk_widget_get_visible (c) && min_width (c) > 360 - 2 * depth)
      {
        g_test_message ("%*s%s %d", depth, "", G_OBJECT_TYPE_NAME (c), min_width (c));
        report_widest (c, depth + 1);
      }
}

/* Every page fits a 360 px wide screen, in English and in Dutch, whose
 * words are longer. */
static void
test_narrow (gconstpointer data)
{
  const char *language = data;
  const char *pages[] = { "register", "clients", "today", "report" };
  g_autofree char *dir = NULL;
  gint64 client_id;
  VpWindow *window;

  vp_ui_use_language (language);
  window = window_with_client (&dir, &client_id);
  /* The Dutch run must be in Dutch, or it proves nothing. */
  if (g_str_equal (language, "nl"))
    g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "_Location"), ==, "_Vindplaats");
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      show_page (window, pages[i]);
      if (min_width (GTK_WIDGET (window)) > 360)
        report_widest (GTK_WIDGET (window), 0);
      g_assert_cmpint (min_width (GTK_WIDGET (window)), <=, 360);
    }
  vp_clients_page_show_client (vp_ui_child (window, VP_TYPE_WINDOW, "clients_page"), client_id);
  show_page (window, "clients");
  vp_clients_page_show_client (vp_ui_child (window, VP_TYPE_WINDOW, "clients_page"), client_id);
  vp_ui_settle ();
  if (min_width (GTK_WIDGET (window)) > 360)
    report_widest (GTK_WIDGET (window), 0);
  g_assert_cmpint (min_width (GTK_WIDGET (window)), <=, 360);
  for (guint i = 0; i < 3; i++)
    {
      const char *actions[] = { "win.show-team", "win.show-audit", "win.show-referrals" };

      gtk_widget_activate_action (GTK_WIDGET (window), actions[i], NULL);
      wait_for_page (window);
      if (min_width (GTK_WIDGET (window)) > 360)
        report_widest (GTK_WIDGET (window), 0);
      g_assert_cmpint (min_width (GTK_WIDGET (window)), <=, 360);
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL);
  wait_for_page (window);
  if (min_width (GTK_WIDGET (window)) > 360)
    report_widest (GTK_WIDGET (window), 0);
  g_assert_cmpint (min_width (GTK_WIDGET (window)), <=, 360);
  gtk_window_destroy (GTK_WINDOW (window));
  vp_test_remove_dir (dir);
  vp_ui_use_language (NULL);
}

int
main (int   argc,
      char *argv[])
{
  if (!vp_ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/keyboard/page-focus", test_page_focus);
  g_test_add_func ("/keyboard/follow-up-focus", test_follow_up_focus);
  g_test_add_func ("/keyboard/typeahead", test_typeahead);
  g_test_add_func ("/keyboard/preferred-language", test_preferred_language);
  g_test_add_data_func ("/keyboard/mnemonics/en", "en", test_mnemonics);
  g_test_add_data_func ("/keyboard/mnemonics/nl", "nl", test_mnemonics);
  g_test_add_func ("/keyboard/shortcuts-listed", test_shortcuts_listed);
  g_test_add_func ("/today/correct-contact", test_today_correct);
  g_test_add_data_func ("/narrow/en", "en", test_narrow);
  g_test_add_data_func ("/narrow/nl", "nl", test_narrow);
  g_test_add_func ("/keyboard/first-contact-keys", test_first_contact_keys);

  return g_test_run ();
}
