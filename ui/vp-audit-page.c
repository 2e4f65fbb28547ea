/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-accounts.h"
#include "vp-audit.h"
#include "vp-audit-page.h"

/* The team leader's view of the audit log: newest first, filtered by action
 * and account, with a check of the hash chain. */
struct _VpAuditPage
{
  GtkWidget     parent_instance;

  AdwComboRow  *action_row;
  AdwComboRow  *account_row;
  AdwActionRow *verify_row;
  GtkListBox   *list;

  VpStore      *store;
  GArray       *account_ids; /* gint64, index 0 is "everyone" */
  guint         n_shown;
};

G_DEFINE_FINAL_TYPE (VpAuditPage, vp_audit_page, GTK_TYPE_WIDGET)

#define MAX_ENTRIES 500

static const struct {
  const char *code;
  const char *label;
} actions[] = {
  { NULL, N_("All actions") },
  { "unlock", N_("Unlock") },
  { "create", N_("Create") },
  { "read", N_("Read") },
  { "change", N_("Change") },
  { "delete", N_("Delete") },
  { "search", N_("Search") },
  { "export", N_("Export") },
  { "print", N_("Print") },
  { "report_sent", N_("Report sent") },
  { "recovery_key_used", N_("Recovery key used") },
  { "retention_erasure", N_("Erased by retention") },
  { "account_added", N_("Account added") },
  { "account_disabled", N_("Account disabled") },
  { "account_enabled", N_("Account enabled") },
  { "account_removed", N_("Account removed") },
  { "passphrase_changed", N_("Passphrase changed") },
  { "passphrase_reset", N_("Passphrase reset") },
  { "backup", N_("Backup") },
  { "restore", N_("Restore") },
};

static const char *
action_label (const char *code)
{
  for (guint i = 1; i < G_N_ELEMENTS (actions); i++)
    if (g_strcmp0 (actions[i].code, code) == 0)
      return _(actions[i].label);
  return code;
}

static const char *
record_label (const char *record_type)
{
  static const struct { const char *code; const char *label; } records[] = {
    { "client", N_("client") },
    { "contact", N_("contact") },
    { "account", N_("account") },
    { "report", N_("report") },
    { "recovery_key", N_("recovery key") },
    { "client_certificate", N_("client certificate") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    if (g_str_equal (records[i].code, record_type))
      return _(records[i].label);
  return record_type;
}

static char *
who (GHashTable         *names,
     const VpAuditEntry *entry)
{
  const char *name;

  if (entry->account_id == 0)
    return g_strdup (_("Vindplaats"));
  name = g_hash_table_lookup (names, &entry->account_id);
  return g_strdup (name != NULL ? name : "?");
}

static GtkWidget *
entry_row (GHashTable         *names,
           const VpAuditEntry *entry)
{
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (entry->at, NULL);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  g_autofree char *when = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : g_strdup (entry->at);
  g_autofree char *person = who (names, entry);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (entry->record_type != NULL)
    title = g_strdup_printf ("%s · %s %" G_GINT64_FORMAT, action_label (entry->action),
                             record_label (entry->record_type), entry->record_id);
  else
    title = g_strdup (action_label (entry->action));
  subtitle = g_strdup_printf ("%s · %s · %s", when, person, entry->outcome);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static GHashTable *
account_names (VpAuditPage *self)
{
  g_autoptr(GPtrArray) accounts = vp_store_list_accounts (self->store, NULL);
  GHashTable *names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      VpAccount *account = g_ptr_array_index (accounts, i);
      g_hash_table_insert (names, g_memdup2 (&account->id, sizeof account->id), g_strdup (account->name));
    }
  return names;
}

static void
fill_accounts (VpAuditPage *self)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) accounts = NULL;
  gint64 none = 0;

  g_array_set_size (self->account_ids, 0);
  g_array_append_val (self->account_ids, none);
  gtk_string_list_append (model, _("Everyone"));
  if (self->store != NULL && vp_store_is_open (self->store))
    accounts = vp_store_list_accounts (self->store, NULL);
  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      VpAccount *account = g_ptr_array_index (accounts, i);
      g_array_append_val (self->account_ids, account->id);
      gtk_string_list_append (model, account->name);
    }
  adw_combo_row_set_model (self->account_row, G_LIST_MODEL (model));
}

void
vp_audit_page_refresh (VpAuditPage *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) names = NULL;
  guint action = adw_combo_row_get_selected (self->action_row);
  guint account = adw_combo_row_get_selected (self->account_row);
  GtkWidget *child;

  g_return_if_fail (VP_IS_AUDIT_PAGE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  self->n_shown = 0;
  if (self->store == NULL || !vp_store_is_open (self->store))
    return;

  entries = vp_audit_list (self->store,
                           action < G_N_ELEMENTS (actions) ? actions[action].code : NULL,
                           account < self->account_ids->len ? g_array_index (self->account_ids, gint64, account) : 0,
                           MAX_ENTRIES, NULL);
  names = account_names (self);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    gtk_list_box_append (self->list, entry_row (names, g_ptr_array_index (entries, i)));
  self->n_shown = entries != NULL ? entries->len : 0;
}

static void
verify_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpAuditPage *self = VP_AUDIT_PAGE (widget);
  g_autoptr(GError) error = NULL;
  gint64 bad = 0;

  if (self->store == NULL)
    return;
  if (vp_audit_verify (self->store, &bad, &error))
    adw_action_row_set_subtitle (self->verify_row, _("The audit log is complete and unaltered"));
  else
    adw_action_row_set_subtitle (self->verify_row, error->message);
}

static void
on_filter_changed (VpAuditPage *self)
{
  vp_audit_page_refresh (self);
}

static void
vp_audit_page_dispose (GObject *object)
{
  VpAuditPage *self = VP_AUDIT_PAGE (object);
  GtkWidget *child;

  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_AUDIT_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vp_audit_page_parent_class)->dispose (object);
}

static void
vp_audit_page_finalize (GObject *object)
{
  g_array_unref (VP_AUDIT_PAGE (object)->account_ids);
  G_OBJECT_CLASS (vp_audit_page_parent_class)->finalize (object);
}

static void
vp_audit_page_class_init (VpAuditPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_audit_page_dispose;
  object_class->finalize = vp_audit_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-audit-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpAuditPage, action_row);
  gtk_widget_class_bind_template_child (widget_class, VpAuditPage, account_row);
  gtk_widget_class_bind_template_child (widget_class, VpAuditPage, verify_row);
  gtk_widget_class_bind_template_child (widget_class, VpAuditPage, list);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);

  gtk_widget_class_install_action (widget_class, "audit.verify", NULL, verify_activated);
}

static void
vp_audit_page_init (VpAuditPage *self)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

  self->account_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_string_list_append (model, _(actions[i].label));
  adw_combo_row_set_model (self->action_row, G_LIST_MODEL (model));
  fill_accounts (self);
}

void
vp_audit_page_set_store (VpAuditPage *self,
                         VpStore     *store)
{
  g_return_if_fail (VP_IS_AUDIT_PAGE (self));

  g_set_object (&self->store, store);
  adw_action_row_set_subtitle (self->verify_row, "");
  fill_accounts (self);
  vp_audit_page_refresh (self);
}

guint
vp_audit_page_get_n_shown (VpAuditPage *self)
{
  g_return_val_if_fail (VP_IS_AUDIT_PAGE (self), 0);
  return self->n_shown;
}
