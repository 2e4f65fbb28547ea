/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "vp-accounts.h"
#include "vp-audit.h"
#include "vp-audit-page.h"
#include "vp-audit-page-private.h"

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
  { "team_created", N_("Team sync started") },
  { "team_joined", N_("Team joined") },
  { "team_left", N_("Team left") },
  { "sync_sent", N_("Changes sent to the team") },
  { "sync_received", N_("Changes received") },
  { "sync_applied", N_("Changes applied") },
  { "sync_rejected", N_("Changes refused") },
  { "device_enrolled", N_("Laptop admitted") },
  { "device_removed", N_("Laptop removed") },
  { "key_rotated", N_("Team key replaced") },
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
    { "consent", N_("consent") },
    { "referral", N_("referral") },
    { "location", N_("location") },
    { "account", N_("account") },
    { "report", N_("report") },
    { "recovery_key", N_("recovery key") },
    { "client_certificate", N_("client certificate") },
    { "team", N_("team") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    if (g_str_equal (records[i].code, record_type))
      return _(records[i].label);
  return record_type;
}

/* What an entry says happened, as a sentence; "%s" is the record's
 * number. An entry with a detail (#15) says more, below. */
static const struct {
  const char *action;
  const char *record_type;  /* NULL: none */
  const char *sentence;
} sentences[] = {
  { "unlock", NULL, N_("Unlocked the store") },
  { "recovery_key_used", NULL, N_("Unlocked the store with the recovery key") },
  { "create", "client", N_("Registered client %s") },
  { "create", "contact", N_("Recorded contact %s") },
  { "create", "referral", N_("Recorded referral %s") },
  { "create", "location", N_("Added location %s") },
  { "create", "client_certificate", N_("Imported the client certificate") },
  { "read", "client", N_("Opened client %s") },
  { "change", "client", N_("Changed client %s") },
  { "change", "consent", N_("Changed consent %s") },
  { "change", "referral", N_("Changed referral %s") },
  { "change", "location", N_("Changed location %s") },
  { "change", "client_certificate", N_("Replaced the client certificate") },
  { "delete", "client", N_("Erased client %s") },
  { "delete", "contact", N_("Deleted contact %s") },
  { "delete", "referral", N_("Deleted referral %s") },
  { "delete", "client_certificate", N_("Removed the client certificate") },
  { "search", "client", N_("Searched the clients") },
  { "export", "client", N_("Exported what is recorded about client %s") },
  { "export", "referral", N_("Exported the referrals for the team meeting") },
  { "export", "recovery_key", N_("Saved the recovery key to a file") },
  { "print", "recovery_key", N_("Printed the recovery key") },
  { "report_sent", "report", N_("Sent report %s") },
  { "retention_erasure", "client", N_("Erased client %s: no contact within the retention period") },
  { "account_added", "account", N_("Added account %s") },
  { "account_disabled", "account", N_("Disabled account %s") },
  { "account_enabled", "account", N_("Enabled account %s") },
  { "account_removed", "account", N_("Removed account %s") },
  { "passphrase_changed", "account", N_("Changed the passphrase of account %s") },
  { "passphrase_reset", "account", N_("Reset the passphrase of account %s") },
  { "backup", NULL, N_("Made a backup") },
  { "restore", NULL, N_("Restored a backup") },
  { "team_created", "team", N_("Started team sync, as the team leader’s laptop") },
  { "team_joined", "team", N_("Joined the team") },
  { "team_left", "team", N_("Left the team") },
  { "sync_sent", "team", N_("Sent changes to the team") },
  { "sync_received", "team", N_("Received changes from the team") },
  { "sync_applied", "team", N_("Applied changes from the team") },
  { "sync_rejected", "team", N_("Refused changes that failed their checks") },
  { "device_enrolled", "team", N_("Admitted a laptop to the team") },
  { "device_removed", "team", N_("Removed a laptop from the team") },
  { "key_rotated", "team", N_("Replaced the team key") },
};

static const char *
consent_label (const char *category)
{
  if (g_strcmp0 (category, "language") == 0)
    return _("language needs");
  if (g_strcmp0 (category, "interpreter") == 0)
    return _("interpreter use");
  if (g_strcmp0 (category, "referral") == 0)
    return _("referrals");
  return category;
}

/* "given:language", "withdrawn:interpreter". */
static char *
describe_consent (const char *detail,
                  const char *number)
{
  const char *category = strchr (detail, ':');

  if (category == NULL)
    return NULL;
  category++;
  if (g_str_has_prefix (detail, "given:"))
    /* Translators: the kind of consent, then the consent record's number. */
    return g_strdup_printf (_("Consent given for %s (consent %s)"), consent_label (category), number);
  if (g_str_has_prefix (detail, "withdrawn:"))
    /* Translators: the kind of consent, then the consent record's number. */
    return g_strdup_printf (_("Consent withdrawn for %s (consent %s)"), consent_label (category), number);
  return NULL;
}

/* By what kind of value, never the text that was typed. */
static char *
describe_search (const char *detail)
{
  if (g_str_equal (detail, "label"))
    return g_strdup (_("Searched the clients by label"));
  if (g_str_equal (detail, "phone"))
    return g_strdup (_("Searched the clients by phone number"));
  if (g_str_equal (detail, "birth_year"))
    return g_strdup (_("Searched the clients by birth year"));
  return NULL;
}

/* "2026-10": the month, spelled out as the report page spells it. */
static char *
describe_report (const char *detail)
{
  int year = 0, month = 0;
  g_autoptr(GDateTime) start = NULL;
  g_autofree char *name = NULL;

  if (sscanf (detail, "%4d-%2d", &year, &month) != 2 || month < 1 || month > 12)
    return NULL;
  start = g_date_time_new_utc (year, month, 1, 0, 0, 0);
  if (start == NULL)
    return NULL;
  name = g_date_time_format (start, "%B %Y");
  /* Translators: a month, as in "Sent the report for October 2026". */
  return g_strdup_printf (_("Sent the report for %s"), name);
}

static char *
describe_referral_change (const char *detail,
                          const char *number)
{
  if (g_str_equal (detail, "feedback"))
    return g_strdup_printf (_("Recorded feedback on referral %s"), number);
  if (g_str_equal (detail, "review"))
    return g_strdup_printf (_("Reviewed referral %s"), number);
  if (g_str_equal (detail, "correction"))
    return g_strdup_printf (_("Corrected referral %s"), number);
  return NULL;
}

/* A laptop by the first eight digits of its id: enough to tell the
 * team's laptops apart in the log, and all that the entry holds. */
static char *
short_device (const char *hex)
{
  return g_strndup (hex, 8);
}

/* Team sync's details (#16): "seq:12", "n:40", "epoch:2", a laptop's id,
 * or a laptop's id and why its changes were refused. */
static char *
describe_team (const char *action,
               const char *detail)
{
  static const struct { const char *code; const char *reason; } reasons[] = {
    { "header", N_("a header that does not fit") },
    { "epoch", N_("a team key this laptop does not have") },
    { "sealed", N_("its seal did not hold: changed on the way, or not the team’s") },
    { "form", N_("contents that cannot be read") },
    { "device", N_("changes in another laptop’s name") },
    { "roster", N_("a list of laptops not from the team leader’s laptop") },
    { "changes", N_("changes that cannot be read") },
    { "snapshot", N_("a snapshot of the team not from the team leader’s laptop") },
  };
  guint n = 0;

  if (g_str_equal (action, "sync_sent") && sscanf (detail, "seq:%u", &n) == 1)
    /* Translators: the number of the sealed package of changes */
    return g_strdup_printf (_("Sent changes to the team (package %u)"), n);
  if (g_str_equal (action, "sync_applied") && sscanf (detail, "n:%u", &n) == 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Applied %u change from the team",
                                         "Applied %u changes from the team", n), n);
  if (g_str_equal (action, "key_rotated") && sscanf (detail, "epoch:%u", &n) == 1)
    return g_strdup_printf (_("Replaced the team key (key %u)"), n);
  if (strlen (detail) >= 32)
    {
      g_autofree char *laptop = short_device (detail);
      const char *why = detail[32] == ':' ? detail + 33 : NULL;

      if (g_str_equal (action, "sync_received"))
        return g_strdup_printf (_("Received changes from laptop %s"), laptop);
      if (g_str_equal (action, "device_enrolled"))
        return g_strdup_printf (_("Admitted laptop %s to the team"), laptop);
      if (g_str_equal (action, "device_removed"))
        return g_strdup_printf (_("Removed laptop %s from the team"), laptop);
      if (g_str_equal (action, "sync_rejected") && why != NULL)
        for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
          if (g_str_equal (why, reasons[i].code))
            /* Translators: a laptop's short id, then why its changes were refused */
            return g_strdup_printf (_("Refused changes from laptop %s: %s"), laptop, _(reasons[i].reason));
    }
  return NULL;
}

static char *
describe_detail (const VpAuditEntry *entry,
                 const char         *number)
{
  if (entry->detail == NULL || entry->record_type == NULL)
    return NULL;
  if (g_str_equal (entry->action, "change") && g_str_equal (entry->record_type, "consent"))
    return describe_consent (entry->detail, number);
  if (g_str_equal (entry->action, "change") && g_str_equal (entry->record_type, "referral"))
    return describe_referral_change (entry->detail, number);
  if (g_str_equal (entry->action, "search"))
    return describe_search (entry->detail);
  if (g_str_equal (entry->action, "report_sent"))
    return describe_report (entry->detail);
  if (g_str_equal (entry->record_type, "team"))
    return describe_team (entry->action, entry->detail);
  return NULL;
}

/* The entry as a sentence: what happened, to which record (by number
 * only) and, where the entry has a detail, how. Nothing here comes from
 * outside the entry, so the page shows no more than the log holds. */
char *
_vp_audit_page_describe (const VpAuditEntry *entry)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, entry->record_id);
  char *text = describe_detail (entry, number);

  if (text != NULL)
    return text;
  for (guint i = 0; i < G_N_ELEMENTS (sentences); i++)
    if (g_str_equal (sentences[i].action, entry->action) &&
        g_strcmp0 (sentences[i].record_type, entry->record_type) == 0)
      {
        /* The sentences are this file's own, each with one "%s" at most. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (strstr (sentences[i].sentence, "%s") != NULL)
          return g_strdup_printf (_(sentences[i].sentence), number);
#pragma GCC diagnostic pop
        return g_strdup (_(sentences[i].sentence));
      }
  if (entry->record_type != NULL)
    return g_strdup_printf ("%s · %s %s", action_label (entry->action), record_label (entry->record_type), number);
  return g_strdup (action_label (entry->action));
}

static const char *
outcome_label (const char *outcome)
{
  if (g_strcmp0 (outcome, "refused") == 0)
    return _("refused");
  if (g_strcmp0 (outcome, "failed") == 0)
    return _("failed");
  return NULL;
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
  g_autofree char *title = _vp_audit_page_describe (entry);
  g_autofree char *subtitle = NULL;
  const char *outcome = outcome_label (entry->outcome);

  if (outcome != NULL)
    subtitle = g_strdup_printf ("%s · %s · %s", when, person, outcome);
  else
    subtitle = g_strdup_printf ("%s · %s", when, person);

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
