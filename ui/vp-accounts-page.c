/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-accounts.h"
#include "vp-accounts-page.h"
#include "vp-categories.h"
#include "vp-combo-typeahead.h"
#include "vp-dialogs.h"
#include "vp-location.h"
#include "vp-passphrase-reset-dialog.h"
#include "vp-referral.h"
#include "vp-retention.h"

/* The team leader's account management: add, disable or enable, remove,
 * and give a coach who forgot a passphrase a new one. */
struct _VpAccountsPage
{
  GtkWidget    parent_instance;

  GtkListBox  *list;
  AdwEntryRow *name_row;
  AdwComboRow *role_row;
  AdwEntryRow *passphrase_row;
  GtkLabel    *error_label;
  GtkSpinButton *retention_spin;
  GtkSpinButton *idle_spin;
  GtkListBox  *locations_list;
  AdwEntryRow *location_name_row;
  AdwComboRow *location_type_row;
  AdwPreferencesGroup *periods_group;
  GPtrArray   *period_spins;      /* in the order of the referral categories */
  GPtrArray   *location_switches;
  GArray      *location_ids;      /* gint64, beside location_switches */

  GSettings   *settings;
  VpStore     *store;
  gboolean     loading;
};

G_DEFINE_FINAL_TYPE (VpAccountsPage, vp_accounts_page, GTK_TYPE_WIDGET)

static void refresh (VpAccountsPage *self);

static void
report (VpAccountsPage *self,
        gboolean        ok,
        const GError   *error,
        const char     *done)
{
  vp_toast (GTK_WIDGET (self), ok ? done : error->message);
  refresh (self);
}

static GMenuModel *
row_menu (const VpAccount *account)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) reset = g_menu_item_new (_("_Reset Passphrase…"), NULL);
  g_autoptr(GMenuItem) toggle = g_menu_item_new (account->active ? _("_Disable") : _("_Enable"), NULL);
  g_autoptr(GMenuItem) remove = g_menu_item_new (_("Re_move…"), NULL);

  g_menu_item_set_action_and_target_value (reset, "accounts.reset", g_variant_new_int64 (account->id));
  g_menu_item_set_action_and_target_value (toggle, "accounts.toggle-active", g_variant_new_int64 (account->id));
  g_menu_item_set_action_and_target_value (remove, "accounts.remove", g_variant_new_int64 (account->id));
  g_menu_append_item (menu, reset);
  g_menu_append_item (menu, toggle);
  g_menu_append_item (menu, remove);
  return G_MENU_MODEL (g_steal_pointer (&menu));
}

static GtkWidget *
account_row (VpAccountsPage  *self,
             const VpAccount *account)
{
  GtkWidget *row = adw_action_row_new ();
  const char *role = g_str_equal (account->role, "team_leader") ? _("Team leader") : _("Coach");
  g_autofree char *subtitle = NULL;

  if (account->removed)
    subtitle = g_strdup_printf (_("%s · removed"), role);
  else if (!account->active)
    subtitle = g_strdup_printf (_("%s · disabled"), role);
  else if (account->id == vp_store_get_account_id (self->store))
    subtitle = g_strdup_printf (_("%s · you"), role);
  else
    subtitle = g_strdup (role);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), account->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (!account->removed && account->id != vp_store_get_account_id (self->store))
    {
      g_autoptr(GMenuModel) menu = row_menu (account);
      g_autofree char *tooltip = g_strdup_printf (_("Manage %s"), account->name);
      GtkWidget *button = gtk_menu_button_new ();

      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), menu);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  return row;
}

static void
on_location_switched (GtkSwitch      *toggle,
                      GParamSpec     *pspec,
                      VpAccountsPage *self)
{
  g_autoptr(VpLocation) location = NULL;
  g_autoptr(GError) error = NULL;
  guint index;
  gint64 id;

  if (self->location_switches == NULL || !g_ptr_array_find (self->location_switches, toggle, &index))
    return;
  id = g_array_index (self->location_ids, gint64, index);
  location = vp_store_get_location (self->store, id, &error);
  if (location == NULL ||
      !vp_store_update_location (self->store, id, location->name, location->type,
                                 gtk_switch_get_active (toggle), &error))
    vp_toast (GTK_WIDGET (self), error->message);
}

static GtkWidget *
location_row (VpAccountsPage   *self,
              const VpLocation *location)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), location->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               vp_category_label (VP_CATEGORY_LOCATION_TYPE, location->type));
  gtk_switch_set_active (GTK_SWITCH (toggle), location->active);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, location->name, -1);
  g_ptr_array_add (self->location_switches, toggle);
  g_array_append_val (self->location_ids, location->id);
  g_signal_connect (toggle, "notify::active", G_CALLBACK (on_location_switched), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  return row;
}

static void
refresh_locations (VpAccountsPage *self)
{
  g_autoptr(GPtrArray) locations = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->locations_list))) != NULL)
    gtk_list_box_remove (self->locations_list, child);
  g_ptr_array_set_size (self->location_switches, 0);
  g_array_set_size (self->location_ids, 0);
  if (self->store == NULL || !vp_store_is_open (self->store))
    return;
  locations = vp_store_list_locations (self->store, FALSE, NULL);
  for (guint i = 0; locations != NULL && i < locations->len; i++)
    gtk_list_box_append (self->locations_list, location_row (self, g_ptr_array_index (locations, i)));
}

static void
add_location_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  VpAccountsPage *self = VP_ACCOUNTS_PAGE (widget);
  const VpCategoryEntry *types = vp_category_entries (VP_CATEGORY_LOCATION_TYPE, NULL);
  g_autoptr(GError) error = NULL;

  if (vp_store_add_location (self->store, gtk_editable_get_text (GTK_EDITABLE (self->location_name_row)),
                             types[adw_combo_row_get_selected (self->location_type_row)].code, &error) == 0)
    {
      vp_toast (GTK_WIDGET (self), error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->location_name_row), "");
  vp_toast (GTK_WIDGET (self), _("Location added"));
  refresh_locations (self);
}

static void
on_location_activated (VpAccountsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "accounts.add-location", NULL);
}

static void
refresh (VpAccountsPage *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  GtkWidget *child;

  refresh_locations (self);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  if (self->store == NULL || !vp_store_is_open (self->store))
    return;

  accounts = vp_store_list_accounts (self->store, NULL);
  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    gtk_list_box_append (self->list, account_row (self, g_ptr_array_index (accounts, i)));
}

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  VpAccountsPage *self = VP_ACCOUNTS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  const char *role = adw_combo_row_get_selected (self->role_row) == 1 ? "team_leader" : "coach";

  if (vp_store_add_account (self->store, gtk_editable_get_text (GTK_EDITABLE (self->name_row)), role,
                            gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row)), &error) == 0)
    {
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  vp_toast (GTK_WIDGET (self), _("Account added"));
  refresh (self);
}

static void
toggle_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpAccountsPage *self = VP_ACCOUNTS_PAGE (widget);
  g_autoptr(GPtrArray) accounts = vp_store_list_accounts (self->store, NULL);
  g_autoptr(GError) error = NULL;
  gint64 id = g_variant_get_int64 (param);
  gboolean active = FALSE;

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      VpAccount *account = g_ptr_array_index (accounts, i);
      if (account->id == id)
        active = account->active;
    }
  report (self, vp_store_set_account_active (self->store, id, !active, &error), error,
          active ? _("Account disabled") : _("Account enabled"));
}

/* Which account a confirmation is about, for as long as the page lives. */
typedef struct {
  GWeakRef page;
  gint64   account_id;
} Pending;

static Pending *
pending_new (VpAccountsPage *self,
             gint64          account_id)
{
  Pending *pending = g_new0 (Pending, 1);

  g_weak_ref_init (&pending->page, self);
  pending->account_id = account_id;
  return pending;
}

static void
pending_free (gpointer  data,
              GClosure *closure)
{
  Pending *pending = data;

  g_weak_ref_clear (&pending->page);
  g_free (pending);
}

static void
remove_response (AdwMessageDialog *dialog,
                 const char       *response,
                 Pending          *pending)
{
  g_autoptr(VpAccountsPage) self = g_weak_ref_get (&pending->page);
  g_autoptr(GError) error = NULL;

  if (self != NULL && self->store != NULL && g_str_equal (response, "remove"))
    report (self, vp_store_remove_account (self->store, pending->account_id, &error), error, _("Account removed"));
}

static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  AdwMessageDialog *dialog =
    vp_dialog_new (widget, _("Remove Account?"),
                   _("The account can no longer unlock the store. Contacts it registered stay, with its name."),
                   "remove", _("Remove"), ADW_RESPONSE_DESTRUCTIVE);

  /* Return and Escape keep the account. */
  adw_message_dialog_set_default_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (remove_response),
                         pending_new (VP_ACCOUNTS_PAGE (widget), g_variant_get_int64 (param)), pending_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_reset_submitted (VpAccountsPage          *self,
                    gint64                   account_id,
                    VpPassphraseResetDialog *dialog)
{
  g_autoptr(GError) error = NULL;

  if (self->store != NULL)
    report (self, vp_store_reset_passphrase (self->store, account_id,
                                             vp_passphrase_reset_dialog_get_passphrase (dialog), &error),
            error, _("Passphrase reset"));
  vp_passphrase_reset_dialog_clear (dialog);
}

static void
reset_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  VpAccountsPage *self = VP_ACCOUNTS_PAGE (widget);
  g_autoptr(GPtrArray) accounts = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *name = NULL;
  gint64 id = g_variant_get_int64 (param);
  GtkWidget *dialog;

  if (self->store == NULL)
    return;
  accounts = vp_store_list_accounts (self->store, NULL);
  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    if (((VpAccount *) g_ptr_array_index (accounts, i))->id == id)
      name = ((VpAccount *) g_ptr_array_index (accounts, i))->name;
  dialog = vp_passphrase_reset_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, id, name);
  g_signal_connect_object (dialog, "submitted", G_CALLBACK (on_reset_submitted), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_retention_changed (VpAccountsPage *self)
{
  g_autofree char *months = NULL;
  g_autoptr(GError) error = NULL;

  if (self->loading || self->store == NULL)
    return;
  months = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->retention_spin));
  if (!vp_store_set_setting (self->store, "retention_months", months, &error))
    vp_toast (GTK_WIDGET (self), error->message);
}

static const char *
period_category (VpAccountsPage *self,
                 GtkSpinButton  *spin)
{
  guint index = 0;

  g_ptr_array_find (self->period_spins, spin, &index);
  return vp_category_entries (VP_CATEGORY_REFERRAL_CATEGORY, NULL)[index].code;
}

static void
on_period_changed (GtkSpinButton  *spin,
                   VpAccountsPage *self)
{
  g_autoptr(GError) error = NULL;

  if (self->loading || self->store == NULL)
    return;
  if (!vp_store_set_feedback_days (self->store, period_category (self, spin),
                                   (guint) gtk_spin_button_get_value_as_int (spin), &error))
    vp_toast (GTK_WIDGET (self), error->message);
}

/* One row per referral category, built once. */
static void
build_period_rows (VpAccountsPage *self)
{
  const VpCategoryEntry *categories;
  guint n = 0;

  categories = vp_category_entries (VP_CATEGORY_REFERRAL_CATEGORY, &n);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *spin = gtk_spin_button_new_with_range (1, 365, 1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, categories[i].code));
      gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, categories[i].code), -1);
      g_signal_connect (spin, "value-changed", G_CALLBACK (on_period_changed), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
      adw_preferences_group_add (self->periods_group, row);
      g_ptr_array_add (self->period_spins, spin);
    }
}

static void
on_entry_activated (VpAccountsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "accounts.add", NULL);
}

static void
vp_accounts_page_dispose (GObject *object)
{
  VpAccountsPage *self = VP_ACCOUNTS_PAGE (object);
  GtkWidget *child;

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->period_spins, g_ptr_array_unref);
  g_clear_pointer (&self->location_switches, g_ptr_array_unref);
  g_clear_pointer (&self->location_ids, g_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_ACCOUNTS_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vp_accounts_page_parent_class)->dispose (object);
}

static void
vp_accounts_page_class_init (VpAccountsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_accounts_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-accounts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, list);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, role_row);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, retention_spin);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, idle_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_retention_changed);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, locations_list);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, location_name_row);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, location_type_row);
  gtk_widget_class_bind_template_child (widget_class, VpAccountsPage, periods_group);
  gtk_widget_class_bind_template_callback (widget_class, on_location_activated);
  gtk_widget_class_install_action (widget_class, "accounts.add-location", NULL, add_location_activated);

  gtk_widget_class_install_action (widget_class, "accounts.add", NULL, add_activated);
  gtk_widget_class_install_action (widget_class, "accounts.toggle-active", "x", toggle_activated);
  gtk_widget_class_install_action (widget_class, "accounts.remove", "x", remove_activated);
  gtk_widget_class_install_action (widget_class, "accounts.reset", "x", reset_activated);
}

static void
vp_accounts_page_init (VpAccountsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  vp_combo_typeahead_attach (self->role_row);
  vp_combo_typeahead_attach (self->location_type_row);

  {
    g_autoptr(GtkStringList) types = gtk_string_list_new (NULL);
    guint n = 0;
    const VpCategoryEntry *entries = vp_category_entries (VP_CATEGORY_LOCATION_TYPE, &n);

    for (guint i = 0; i < n; i++)
      gtk_string_list_append (types, vp_category_label (VP_CATEGORY_LOCATION_TYPE, entries[i].code));
    adw_combo_row_set_model (self->location_type_row, G_LIST_MODEL (types));
  }

  self->period_spins = g_ptr_array_new ();
  self->location_switches = g_ptr_array_new ();
  self->location_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  build_period_rows (self);

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "idle-lock-minutes",
                   gtk_spin_button_get_adjustment (self->idle_spin), "value", G_SETTINGS_BIND_DEFAULT);
}

void
vp_accounts_page_set_store (VpAccountsPage *self,
                            VpStore        *store)
{
  g_return_if_fail (VP_IS_ACCOUNTS_PAGE (self));

  g_set_object (&self->store, store);
  if (store != NULL)
    {
      self->loading = TRUE;
      gtk_spin_button_set_value (self->retention_spin, vp_store_get_retention_months (store));
      for (guint i = 0; i < self->period_spins->len; i++)
        {
          GtkSpinButton *spin = g_ptr_array_index (self->period_spins, i);
          gtk_spin_button_set_value (spin, vp_store_get_feedback_days (store, period_category (self, spin)));
        }
      self->loading = FALSE;
    }
  if (store == NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
    }
  refresh (self);
}
