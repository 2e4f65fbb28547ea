/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-categories.h"
#include "vp-client.h"
#include "vp-client-page.h"
#include "vp-consent.h"
#include "vp-contact.h"
#include "vp-consent-sheet.h"
#include "vp-clock.h"
#include "vp-consent-dialog.h"
#include "vp-consent-texts.h"
#include "vp-dialogs.h"
#include "vp-export.h"
#include "vp-feedback-dialog.h"
#include "vp-language-needs-dialog.h"
#include "vp-languages.h"
#include "vp-referral.h"
#include "vp-referral-dialog.h"
#include "vp-retention.h"
#include "vp-withdraw-consent-dialog.h"

/* One client: details, consent per category, contact history, and the
 * client's rights (export, erasure). Each question it asks is a dialog of
 * its own (ui/vp-*-dialog.c) that hands its answer back by a signal; the
 * page stores the answer and shows what changed. */
struct _VpClientPage
{
  GtkWidget            parent_instance;

  GtkLabel            *title_label;
  AdwActionRow        *birth_year_row;
  AdwActionRow        *language_row;
  GtkButton           *language_button;
  AdwPreferencesGroup *consent_group;
  GtkListBox          *contacts_list;
  GtkListBox          *referrals_list;
  GtkButton           *referral_button;

  VpStore             *store;
  gint64               client_id;
  GPtrArray           *consent_rows;
  GPtrArray           *consent_buttons;  /* in the order of vp_consent_texts() */
  GSimpleActionGroup  *toast_actions;
  GtkWindow           *dialog;           /* weak */
  char                *reask_category;
};

G_DEFINE_FINAL_TYPE (VpClientPage, vp_client_page, GTK_TYPE_WIDGET)

enum {
  CLOSED,
  CHANGED,
  FOLLOW_UP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A row per consent category. Its button is repeated on every row, so it
 * has no mnemonic (one key would cycle between them); its accessible name
 * says which category it is for. */
static GtkWidget *
consent_row (VpClientPage *self,
             guint         index,
             GPtrArray    *consents)
{
  const VpConsentText *text = &vp_consent_texts (NULL)[index];
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;
  g_autofree char *name = NULL;
  const VpConsent *standing = NULL;

  for (guint i = 0; consents != NULL && i < consents->len; i++)
    {
      const VpConsent *c = g_ptr_array_index (consents, i);
      if (g_str_equal (c->category, text->category) && c->withdrawn_at == NULL)
        standing = c;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(text->title));
  if (standing != NULL)
    {
      g_autofree char *when = g_strndup (standing->given_at, 16);
      g_autofree char *subtitle = NULL;

      g_strdelimit (when, "T", ' ');
      subtitle = g_strdup_printf (_("Given %s (%s)"), when,
                                  g_str_equal (standing->method, "written") ? _("written") : _("verbal"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      button = gtk_button_new_with_label (_("Withdraw…"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "client.withdraw-consent");
      /* Translators: %s is a consent category: Language needs, Interpreter use or Referrals. */
      name = g_strdup_printf (_("Withdraw consent: %s"), _(text->title));
    }
  else
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Not given"));
      button = gtk_button_new_with_label (_("Give…"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "client.give-consent");
      /* Translators: %s is a consent category: Language needs, Interpreter use or Referrals. */
      name = g_strdup_printf (_("Give consent: %s"), _(text->title));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", text->category);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_ptr_array_add (self->consent_buttons, button);
  return row;
}

static void
fill_contacts (VpClientPage *self)
{
  g_autoptr(GListModel) contacts = vp_store_list_client_contacts (self->store, self->client_id, NULL);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->contacts_list))) != NULL)
    gtk_list_box_remove (self->contacts_list, child);
  for (guint i = 0; contacts != NULL && i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr(VpContact) contact = g_list_model_get_item (contacts, i);
      g_autofree char *when = g_strndup (vp_contact_get_occurred_at (contact), 16);
      GtkWidget *row = adw_action_row_new ();

      g_strdelimit (when, "T", ' ');
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     vp_category_label (VP_CATEGORY_CONTACT_KIND, vp_contact_get_kind (contact)));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), when);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_label_new (vp_category_label (VP_CATEGORY_LOCATION_TYPE,
                                                                   vp_contact_get_location_type (contact))));
      gtk_list_box_append (self->contacts_list, row);
    }
}

static const char *
status_label (VpReferralStatus status)
{
  switch (status)
    {
    case VP_REFERRAL_AWAITING: return _("Awaiting feedback");
    case VP_REFERRAL_OVERDUE: return _("Feedback overdue");
    case VP_REFERRAL_IN_TIME: return _("Feedback in time");
    case VP_REFERRAL_LATE: return _("Feedback late");
    default: return "";
    }
}


/* Repeated on every referral, so without a mnemonic; its accessible name
 * names the organisation. */
static GtkWidget *
referral_button (const char *label,
                 const char *name,
                 const char *action,
                 gint64      referral_id)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", referral_id);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  return button;
}

static void
fill_referrals (VpClientPage *self)
{
  g_autoptr(GPtrArray) referrals = NULL;
  VpReferralFilter filter = { 0 };
  GtkWidget *child;
  GDate today;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->referrals_list))) != NULL)
    gtk_list_box_remove (self->referrals_list, child);
  if (self->store == NULL)
    return;

  vp_clock_today (&today);
  filter.client_id = self->client_id;
  referrals = vp_store_list_referrals (self->store, &filter, &today, NULL);
  for (guint i = 0; referrals != NULL && i < referrals->len; i++)
    {
      VpReferral *r = g_ptr_array_index (referrals, i);
      GtkWidget *row, *correct;
      g_autofree char *correct_name = NULL;
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      char on[16];

      g_date_strftime (on, sizeof on, "%Y-%m-%d", &r->referred_on);
      row = adw_action_row_new ();
      title = g_strdup_printf ("%s · %s", vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, r->category),
                               r->organisation);
      subtitle = g_strdup_printf ("%s · %s", on, status_label (r->status));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      /* Translators: %s is the organisation the client was referred to. */
      correct_name = g_strdup_printf (_("Correct the referral to %s"), r->organisation);
      correct = referral_button (_("Correct…"), correct_name, "client.edit-referral", r->id);
      gtk_widget_add_css_class (correct, "flat");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), correct);
      if (!g_date_valid (&r->received_on))
        {
          /* Translators: %s is the organisation the client was referred to. */
          g_autofree char *feedback_name = g_strdup_printf (_("Record feedback from %s"), r->organisation);

          adw_action_row_add_suffix (ADW_ACTION_ROW (row), referral_button (_("Feedback…"), feedback_name,
                                                                            "client.record-feedback", r->id));
        }
      gtk_list_box_append (self->referrals_list, row);
    }
}

/* "Limited · Tigrinya, Arabic" */
static char *
language_summary (VpClientPage *self,
                  const char   *level)
{
  g_auto(GStrv) codes = vp_store_get_preferred_languages (self->store, self->client_id);
  g_autoptr(GString) summary = g_string_new (level);

  for (guint i = 0; codes[i] != NULL; i++)
    g_string_append_printf (summary, "%s%s", i == 0 ? " · " : ", ", vp_language_name (codes[i]));
  return g_string_free (g_steal_pointer (&summary), FALSE);
}

static char *
proficiency (VpClientPage *self)
{
  g_autofree char *level = vp_store_get_dutch_proficiency (self->store, self->client_id);

  /* vp_category_label() names a missing value "Not recorded". */
  return g_strdup (vp_category_label (VP_CATEGORY_DUTCH_PROFICIENCY, level));
}

static void
refresh (VpClientPage *self)
{
  g_autoptr(VpClient) client = NULL;
  g_autoptr(GPtrArray) consents = NULL;
  g_autofree char *year = NULL;
  g_autofree char *level = NULL;
  guint n_texts = 0;

  for (guint i = 0; i < self->consent_rows->len; i++)
    adw_preferences_group_remove (self->consent_group, g_ptr_array_index (self->consent_rows, i));
  g_ptr_array_set_size (self->consent_rows, 0);
  g_ptr_array_set_size (self->consent_buttons, 0);

  if (self->store == NULL || !vp_store_is_open (self->store) ||
      (client = vp_store_get_client (self->store, self->client_id, NULL)) == NULL)
    return;

  gtk_label_set_label (self->title_label, vp_client_get_label (client));
  year = vp_client_get_birth_year (client) > 0 ? g_strdup_printf ("%d", vp_client_get_birth_year (client))
                                               : g_strdup (_("Not recorded"));
  adw_action_row_set_subtitle (self->birth_year_row, year);
  level = proficiency (self);
  {
    g_autofree char *summary = language_summary (self, level);
    gboolean consent = vp_store_has_consent (self->store, self->client_id, "language");

    adw_action_row_set_subtitle (self->language_row, summary);
    gtk_widget_set_sensitive (GTK_WIDGET (self->language_button), consent);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->language_button),
                                 consent ? NULL : _("Needs the client’s consent for language needs"));
  }

  consents = vp_store_list_consents (self->store, self->client_id, NULL);
  vp_consent_texts (&n_texts);
  for (guint i = 0; i < n_texts; i++)
    {
      GtkWidget *row = consent_row (self, i, consents);
      adw_preferences_group_add (self->consent_group, row);
      g_ptr_array_add (self->consent_rows, row);
    }
  fill_contacts (self);
  fill_referrals (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->referral_button),
                            vp_store_has_consent (self->store, self->client_id, "referral"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->referral_button),
                               vp_store_has_consent (self->store, self->client_id, "referral")
                               ? NULL : _("Needs the client’s consent for referrals"));
}

static void
close_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  g_signal_emit (widget, signals[CLOSED], 0);
}

static void
follow_up_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  g_autoptr(VpClient) client = vp_store_get_client (self->store, self->client_id, NULL);

  if (client != NULL)
    g_signal_emit (self, signals[FOLLOW_UP], 0, self->client_id, vp_client_get_label (client));
}

static GtkWindow *
parent_window (VpClientPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* One dialog at a time, closed with the page: nothing about the client
 * stays on screen after locking. */
static void
present_dialog (VpClientPage *self,
                GtkWidget    *dialog)
{
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  g_set_weak_pointer (&self->dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
changed (VpClientPage *self)
{
  refresh (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The consent rows are rebuilt after each change; focus goes back to the
 * category's new button rather than to the top of the window. */
static void
focus_consent (VpClientPage *self,
               const char   *category)
{
  guint n = 0;
  const VpConsentText *texts = vp_consent_texts (&n);

  for (guint i = 0; i < n && i < self->consent_buttons->len; i++)
    if (g_str_equal (texts[i].category, category))
      gtk_widget_grab_focus (g_ptr_array_index (self->consent_buttons, i));
}

static void
on_withdraw_confirmed (VpClientPage *self,
                       const char   *category)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;
  if (!vp_store_withdraw_consent (self->store, self->client_id, category, &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("Consent withdrawn; its values are erased"));
  changed (self);
  focus_consent (self, category);
}

/* Withdrawing erases at once and for good, so it asks first, naming
 * what goes (#15). */
static void
withdraw_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  GtkWidget *dialog;

  if (self->store == NULL)
    return;
  dialog = vp_withdraw_consent_dialog_new (parent_window (self), self->store, self->client_id,
                                           g_variant_get_string (param, NULL));
  g_signal_connect_object (dialog, "confirmed", G_CALLBACK (on_withdraw_confirmed), self, G_CONNECT_SWAPPED);
  present_dialog (self, dialog);
}

static void ask_consent (VpClientPage *self,
                         const char   *category,
                         const char   *language);

static void
on_consent_given (VpClientPage *self,
                  const char   *category,
                  const char   *method,
                  const char   *language)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;
  if (!vp_store_give_consent (self->store, self->client_id, category, method, language,
                              vp_consent_text_version (language), &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("Consent recorded"));
  changed (self);
  focus_consent (self, category);
}

/* Closing the sheet asks the question again, in the language the client
 * was shown last (they may have chosen another on the sheet), not the
 * first of the list again. */
static void
reask_consent (VpClientPage   *self,
               VpConsentSheet *sheet)
{
  g_autofree char *category = g_steal_pointer (&self->reask_category);

  if (self->store != NULL && category != NULL)
    ask_consent (self, category, vp_consent_sheet_get_language (sheet));
}

/* The large-type sheet, for the client to read. */
static void
on_show_sheet (VpClientPage *self,
               const char   *category,
               const char   *language)
{
  VpConsentSheet *sheet = vp_consent_sheet_new (parent_window (self), category,
                                                vp_store_get_retention_months (self->store));

  vp_consent_sheet_set_language (sheet, language);
  g_free (self->reask_category);
  self->reask_category = g_strdup (category);
  g_signal_connect_object (sheet, "destroy", G_CALLBACK (reask_consent), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (sheet));
}

static void
ask_consent (VpClientPage *self,
             const char   *category,
             const char   *language)
{
  GtkWidget *dialog = vp_consent_dialog_new (parent_window (self), category, language,
                                             vp_store_get_retention_months (self->store));

  g_signal_connect_object (dialog, "give", G_CALLBACK (on_consent_given), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "show-sheet", G_CALLBACK (on_show_sheet), self, G_CONNECT_SWAPPED);
  present_dialog (self, dialog);
}

/* Shows the explanation to read out or hand over, then records how consent
 * was given and in which language it was explained. */
static void
give_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);

  if (self->store != NULL)
    ask_consent (self, g_variant_get_string (param, NULL), NULL);
}

static void
on_language_saved (VpClientPage       *self,
                   const char         *dutch_proficiency,
                   const char * const *languages)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;
  if (!vp_store_set_language_needs (self->store, self->client_id, dutch_proficiency, languages, &error))
    vp_toast (GTK_WIDGET (self), error->message);
  changed (self);
}

/* Dutch proficiency and preferred languages, in order. */
static void
edit_language_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  g_auto(GStrv) current = NULL;
  g_autofree char *level = NULL;
  GtkWidget *dialog;

  if (self->store == NULL)
    return;
  current = vp_store_get_preferred_languages (self->store, self->client_id);
  level = vp_store_get_dutch_proficiency (self->store, self->client_id);
  dialog = vp_language_needs_dialog_new (parent_window (self), level, (const char * const *) current);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_language_saved), self, G_CONNECT_SWAPPED);
  present_dialog (self, dialog);
}

static void
on_undo_toast (VpClientPage *self,
               GVariant     *param)
{
  gtk_widget_activate_action_variant (GTK_WIDGET (self), "client.undo-referral", param);
}

/* The toast lives in the window's overlay, outside this page, where the
 * page's own actions are out of reach: its Undo was greyed out (#15). The
 * page lends the overlay an action group of its own for it. */
static void
referral_toast (VpClientPage *self,
                gint64        referral_id)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    return;
  gtk_widget_insert_action_group (overlay, "client-toast", G_ACTION_GROUP (self->toast_actions));
  toast = adw_toast_new (_("Referral recorded"));
  /* Undo is wanted right away, not after an earlier toast has gone. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "client-toast.undo-referral");
  adw_toast_set_action_target_value (toast, g_variant_new_int64 (referral_id));
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static void
on_referral_submitted (VpClientPage *self,
                       gint64        referral_id,
                       const char   *category,
                       const char   *organisation,
                       gboolean      warm_handover)
{
  g_autoptr(GError) error = NULL;
  GDate today;
  VpReferralInput input = {
    .client_id = self->client_id,
    .referred_on = &today,
    .category = category,
    .organisation = organisation,
    .warm_handover = warm_handover,
  };

  if (self->store == NULL)
    return;
  vp_clock_today (&today);
  if (referral_id != 0)
    {
      if (!vp_store_update_referral (self->store, referral_id, category, organisation, warm_handover, &error))
        vp_toast (GTK_WIDGET (self), error->message);
    }
  else if ((referral_id = vp_store_add_referral (self->store, &input, &error)) == 0)
    vp_toast (GTK_WIDGET (self), error->message);
  else
    referral_toast (self, referral_id);
  changed (self);
}

static GPtrArray *
list_referrals (VpClientPage *self)
{
  VpReferralFilter filter = { .client_id = self->client_id };
  GDate today;

  vp_clock_today (&today);
  return vp_store_list_referrals (self->store, &filter, &today, NULL);
}

static const VpReferral *
find_referral (GPtrArray *referrals,
               gint64     referral_id)
{
  for (guint i = 0; referrals != NULL && i < referrals->len; i++)
    if (((VpReferral *) g_ptr_array_index (referrals, i))->id == referral_id)
      return g_ptr_array_index (referrals, i);
  return NULL;
}

/* A new referral (existing NULL) or the correction of one. */
static void
referral_dialog (VpClientPage     *self,
                 const VpReferral *existing)
{
  g_auto(GStrv) known = vp_store_list_organisations (self->store, NULL);
  GtkWidget *dialog = vp_referral_dialog_new (parent_window (self), (const char * const *) known, existing);

  g_signal_connect_object (dialog, "submitted", G_CALLBACK (on_referral_submitted), self, G_CONNECT_SWAPPED);
  present_dialog (self, dialog);
}

static void
add_referral_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);

  if (self->store != NULL)
    referral_dialog (self, NULL);
}

static void
edit_referral_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  g_autoptr(GPtrArray) referrals = NULL;
  const VpReferral *referral;

  if (self->store == NULL)
    return;
  referrals = list_referrals (self);
  if ((referral = find_referral (referrals, g_variant_get_int64 (param))) != NULL)
    referral_dialog (self, referral);
}

static void
undo_referral_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;
  /* Deleting is audited, like the referral's creation was. */
  if (!vp_store_delete_referral (self->store, g_variant_get_int64 (param), &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("Referral undone"));
  changed (self);
}

static void
on_feedback_submitted (VpClientPage *self,
                       gint64        referral_id,
                       const GDate  *received_on,
                       const char   *outcome,
                       const char   *note)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;
  if (!vp_store_record_feedback (self->store, referral_id, received_on, outcome, note, &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("Feedback recorded"));
  changed (self);
}

/* Feedback from the organisation, dated today unless it came earlier. */
static void
record_feedback_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  g_autoptr(GPtrArray) referrals = NULL;
  const VpReferral *referral;
  GtkWidget *dialog;

  if (self->store == NULL)
    return;
  referrals = list_referrals (self);
  if ((referral = find_referral (referrals, g_variant_get_int64 (param))) == NULL)
    return;
  dialog = vp_feedback_dialog_new (parent_window (self), referral);
  g_signal_connect_object (dialog, "submitted", G_CALLBACK (on_feedback_submitted), self, G_CONNECT_SWAPPED);
  present_dialog (self, dialog);
}

static void
export_file_chosen (GtkNativeDialog *chooser,
                    int              response,
                    VpClientPage    *self)
{
  g_autofree char *path = vp_chooser_take_path (chooser, response);
  g_autofree char *json_path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;

  if (g_str_has_suffix (path, ".txt"))
    path[strlen (path) - 4] = '\0';
  json_path = g_strconcat (path, ".json", NULL);
  {
    g_autofree char *text_path = g_strconcat (path, ".txt", NULL);
    g_free (path);
    path = g_steal_pointer (&text_path);
  }
  if (!vp_store_export_client (self->store, self->client_id, &text, &json, &error) ||
      !vp_write_private_file (path, text, &error) ||
      !vp_write_private_file (json_path, json, &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("The client's data was exported"));
}

static void
export_response (AdwMessageDialog *dialog,
                 const char       *response,
                 VpClientPage     *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  if (!g_str_equal (response, "export"))
    return;
  name = g_strdup_printf ("client-%" G_GINT64_FORMAT ".txt", self->client_id);
  chooser = vp_save_chooser_new (GTK_WIDGET (self), _("Export Client Data"), _("_Export"), name);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_file_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  AdwMessageDialog *dialog =
    vp_dialog_new (widget, _("Export Unencrypted?"),
                   _("The export holds everything stored about this client, as a readable text file and a JSON file. These files are not encrypted: give them to the client and do not keep copies."),
                   "export", _("_Export…"), ADW_RESPONSE_DESTRUCTIVE);

  g_signal_connect_object (dialog, "response", G_CALLBACK (export_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
erase_response (AdwMessageDialog *dialog,
                const char       *response,
                VpClientPage     *self)
{
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "erase"))
    return;
  if (!vp_store_erase_client (self->store, self->client_id, &error))
    {
      vp_toast (GTK_WIDGET (self), error->message);
      return;
    }
  vp_toast (GTK_WIDGET (self), _("The client was erased"));
  vp_client_page_clear (self);
  g_signal_emit (self, signals[CHANGED], 0);
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
erase_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  AdwMessageDialog *dialog =
    vp_dialog_new (widget, _("Erase Client?"),
                   _("The client and every contact, consent and language need recorded about them are erased for good. Reports already sent are not changed."),
                   "erase", _("_Erase"), ADW_RESPONSE_DESTRUCTIVE);

  g_signal_connect_object (dialog, "response", G_CALLBACK (erase_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
vp_client_page_dispose (GObject *object)
{
  VpClientPage *self = VP_CLIENT_PAGE (object);
  GtkWidget *child;

  g_clear_object (&self->store);
  g_clear_object (&self->toast_actions);
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  g_clear_weak_pointer (&self->dialog);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_CLIENT_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vp_client_page_parent_class)->dispose (object);
}

static void
vp_client_page_finalize (GObject *object)
{
  VpClientPage *self = VP_CLIENT_PAGE (object);

  g_ptr_array_unref (self->consent_rows);
  g_ptr_array_unref (self->consent_buttons);
  g_free (self->reask_category);
  G_OBJECT_CLASS (vp_client_page_parent_class)->finalize (object);
}

static void
vp_client_page_class_init (VpClientPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_client_page_dispose;
  object_class->finalize = vp_client_page_finalize;

  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (client id, client label) */
  signals[FOLLOW_UP] = g_signal_new ("follow-up", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-client-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpClientPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, VpClientPage, birth_year_row);
  gtk_widget_class_bind_template_child (widget_class, VpClientPage, language_row);
  gtk_widget_class_bind_template_child (widget_class, VpClientPage, language_button);
  gtk_widget_class_bind_template_child (widget_class, VpClientPage, consent_group);
  gtk_widget_class_bind_template_child (widget_class, VpClientPage, contacts_list);
  gtk_widget_class_bind_template_child (widget_class, VpClientPage, referrals_list);
  gtk_widget_class_bind_template_child (widget_class, VpClientPage, referral_button);

  gtk_widget_class_install_action (widget_class, "client.close", NULL, close_activated);
  gtk_widget_class_install_action (widget_class, "client.follow-up", NULL, follow_up_activated);
  gtk_widget_class_install_action (widget_class, "client.edit-language", NULL, edit_language_activated);
  gtk_widget_class_install_action (widget_class, "client.add-referral", NULL, add_referral_activated);
  gtk_widget_class_install_action (widget_class, "client.record-feedback", "x", record_feedback_activated);
  gtk_widget_class_install_action (widget_class, "client.undo-referral", "x", undo_referral_activated);
  gtk_widget_class_install_action (widget_class, "client.edit-referral", "x", edit_referral_activated);
  gtk_widget_class_install_action (widget_class, "client.give-consent", "s", give_activated);
  gtk_widget_class_install_action (widget_class, "client.withdraw-consent", "s", withdraw_activated);
  gtk_widget_class_install_action (widget_class, "client.export", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "client.erase", NULL, erase_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "client.close", NULL);
}

static void
vp_client_page_init (VpClientPage *self)
{
  g_autoptr(GSimpleAction) undo = g_simple_action_new ("undo-referral", G_VARIANT_TYPE_INT64);

  self->consent_rows = g_ptr_array_new ();
  self->consent_buttons = g_ptr_array_new ();
  self->toast_actions = g_simple_action_group_new ();
  g_signal_connect_object (undo, "activate", G_CALLBACK (on_undo_toast), self, G_CONNECT_SWAPPED);
  g_action_map_add_action (G_ACTION_MAP (self->toast_actions), G_ACTION (undo));
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
vp_client_page_show (VpClientPage *self,
                     VpStore      *store,
                     gint64        client_id)
{
  g_return_if_fail (VP_IS_CLIENT_PAGE (self));

  g_set_object (&self->store, store);
  self->client_id = client_id;
  /* Opening a client's page is reading personal data (NEN 7513). */
  vp_audit_append (store, "read", "client", client_id, "ok", NULL);
  refresh (self);
}

/* Nothing about the client stays on screen (or in memory) after this. */
void
vp_client_page_clear (VpClientPage *self)
{
  g_return_if_fail (VP_IS_CLIENT_PAGE (self));

  self->client_id = 0;
  g_clear_object (&self->store);
  g_clear_pointer (&self->reask_category, g_free);
  if (self->dialog != NULL)
    gtk_window_destroy (self->dialog);
  gtk_label_set_label (self->title_label, "");
  adw_action_row_set_subtitle (self->birth_year_row, "");
  adw_action_row_set_subtitle (self->language_row, "");
  refresh (self);
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->contacts_list))) != NULL)
      gtk_list_box_remove (self->contacts_list, child);
  }
}

gint64
vp_client_page_get_client_id (VpClientPage *self)
{
  g_return_val_if_fail (VP_IS_CLIENT_PAGE (self), 0);
  return self->client_id;
}
