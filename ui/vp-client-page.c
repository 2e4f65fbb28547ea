/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-categories.h"
#include "vp-client.h"
#include "vp-client-page.h"
#include "vp-consent.h"
#include "vp-contact.h"
#include "vp-consent-sheet.h"
#include "vp-clock.h"
#include "vp-consent-texts.h"
#include "vp-dialogs.h"
#include "vp-export.h"
#include "vp-languages.h"
#include "vp-referral.h"
#include "vp-retention.h"

/* One client: details, consent per category, contact history, and the
 * client's rights (export, erasure). */
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
};

G_DEFINE_FINAL_TYPE (VpClientPage, vp_client_page, GTK_TYPE_WIDGET)

enum {
  CLOSED,
  CHANGED,
  FOLLOW_UP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const struct {
  const char *code;
  const char *name;
} explanation_languages[] = {
  { "nld", N_("Dutch") }, { "eng", N_("English") }, { "ara", N_("Arabic") },
  { "tur", N_("Turkish") }, { "tir", N_("Tigrinya") }, { "pol", N_("Polish") },
  { "som", N_("Somali") }, { "ukr", N_("Ukrainian") }, { "pes", N_("Persian (Farsi)") },
};

static GtkWidget *
consent_row (VpClientPage *self,
             guint         index,
             GPtrArray    *consents)
{
  const char *category = vp_consent_texts (NULL)[index].category;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;
  const VpConsent *standing = NULL;

  for (guint i = 0; consents != NULL && i < consents->len; i++)
    {
      const VpConsent *c = g_ptr_array_index (consents, i);
      if (g_str_equal (c->category, category) && c->withdrawn_at == NULL)
        standing = c;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(vp_consent_texts (NULL)[index].title));
  if (standing != NULL)
    {
      g_autofree char *when = g_strndup (standing->given_at, 16);
      g_autofree char *subtitle = NULL;

      g_strdelimit (when, "T", ' ');
      subtitle = g_strdup_printf (_("Given %s (%s)"), when,
                                                   g_str_equal (standing->method, "written") ? _("written") : _("verbal"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      button = gtk_button_new_with_mnemonic (_("_Withdraw"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "client.withdraw-consent");
    }
  else
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Not given"));
      button = gtk_button_new_with_mnemonic (_("_Give…"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "client.give-consent");
    }
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", category);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
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
      GtkWidget *row;
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
      {
        GtkWidget *edit = gtk_button_new_with_mnemonic (_("_Correct…"));

        gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "client.edit-referral");
        gtk_actionable_set_action_target (GTK_ACTIONABLE (edit), "x", r->id);
        gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
        gtk_widget_add_css_class (edit, "flat");
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
      }
      if (!g_date_valid (&r->received_on))
        {
          GtkWidget *button = gtk_button_new_with_mnemonic (_("_Feedback…"));

          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "client.record-feedback");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", r->id);
          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
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

static void
withdraw_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (!vp_store_withdraw_consent (self->store, self->client_id, g_variant_get_string (param, NULL), &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("Consent withdrawn; its values are erased"));
  refresh (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void reask_consent (VpClientPage *self, VpConsentSheet *sheet);
static void ask_consent (VpClientPage *self, const char *category, const char *language);

static void
give_response (AdwMessageDialog *dialog,
               const char       *response,
               VpClientPage     *self)
{
  AdwComboRow *method = g_object_get_data (G_OBJECT (dialog), "method");
  AdwComboRow *language = g_object_get_data (G_OBJECT (dialog), "language");
  const char *category = g_object_get_data (G_OBJECT (dialog), "category");
  guint lang = adw_combo_row_get_selected (language);
  const char *code = lang < G_N_ELEMENTS (explanation_languages) ? explanation_languages[lang].code : "nld";
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "show"))
    {
      /* The large-type sheet; the question is asked again afterwards. */
      VpConsentSheet *sheet = vp_consent_sheet_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), category,
                                                    vp_store_get_retention_months (self->store));

      vp_consent_sheet_set_language (sheet, code);
      g_signal_connect_object (sheet, "destroy", G_CALLBACK (reask_consent), self, G_CONNECT_SWAPPED);
      g_object_set_data_full (G_OBJECT (sheet), "category", g_strdup (category), g_free);
      gtk_window_present (GTK_WINDOW (sheet));
      return;
    }
  if (!g_str_equal (response, "give"))
    return;
  if (!vp_store_give_consent (self->store, self->client_id, category,
                              adw_combo_row_get_selected (method) == 1 ? "written" : "verbal",
                              code, vp_consent_text_version (code), &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("Consent recorded"));
  refresh (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static AdwComboRow *
combo_row (GtkWidget   *list,
           const char  *title,
           const char **items)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  g_autoptr(GtkStringList) model = gtk_string_list_new (items);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (row));
  return row;
}

/* Shows the explanation to read out or hand over, then records how consent
 * was given and in which language it was explained; language (or NULL for
 * the first) is chosen to begin with. */
static void
ask_consent (VpClientPage *self,
             const char   *category,
             const char   *language)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint months = vp_store_get_retention_months (self->store);
  g_autofree char *text_nl = NULL;
  g_autofree char *text_en = NULL;
  AdwComboRow *explained_in;
  const char *methods[] = { _("Verbal"), _("Written"), NULL };
  const char *languages[G_N_ELEMENTS (explanation_languages) + 1] = { NULL };
  const VpConsentText *text = vp_consent_text_lookup (category);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *list;

  g_return_if_fail (text != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (explanation_languages); i++)
    languages[i] = _(explanation_languages[i].name);

  heading = g_strdup_printf (_("Consent: %s"), _(text->title));
  text_nl = vp_consent_translation_format (vp_consent_translation_lookup ("nld"), category, months);
  text_en = vp_consent_translation_format (vp_consent_translation_lookup ("eng"), category, months);
  body = g_strdup_printf ("%s\n\n%s", text_nl, text_en);
  dialog = vp_dialog_new (widget, heading, body, "give", _("Consent _Given"), ADW_RESPONSE_SUGGESTED);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_object_set_data (G_OBJECT (dialog), "method", combo_row (list, _("How"), methods));
  explained_in = combo_row (list, _("Explained in"), languages);
  for (guint i = 0; i < G_N_ELEMENTS (explanation_languages); i++)
    if (g_strcmp0 (explanation_languages[i].code, language) == 0)
      adw_combo_row_set_selected (explained_in, i);
  g_object_set_data (G_OBJECT (dialog), "language", explained_in);
  g_object_set_data_full (G_OBJECT (dialog), "category", g_strdup (category), g_free);
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_response (dialog, "show", _("_Show to the Client"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (give_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
give_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ask_consent (VP_CLIENT_PAGE (widget), g_variant_get_string (param, NULL), NULL);
}

static void
reask_consent (VpClientPage   *self,
               VpConsentSheet *sheet)
{
  const char *category = g_object_get_data (G_OBJECT (sheet), "category");

  /* In the language the client was shown last, not the first again. */
  if (self->store != NULL && category != NULL)
    ask_consent (self, category, vp_consent_sheet_get_language (sheet));
}

static void
language_response (AdwMessageDialog *dialog,
                   const char       *response,
                   VpClientPage     *self)
{
  AdwComboRow *level = g_object_get_data (G_OBJECT (dialog), "level");
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "checks");
  g_autoptr(GStrvBuilder) codes = g_strv_builder_new ();
  g_auto(GStrv) chosen = NULL;
  g_autoptr(GError) error = NULL;
  const VpCategoryEntry *levels = vp_category_entries (VP_CATEGORY_DUTCH_PROFICIENCY, NULL);
  guint selected = adw_combo_row_get_selected (level);

  if (!g_str_equal (response, "save"))
    return;
  for (guint i = 0; i < checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
      g_strv_builder_add (codes, g_object_get_data (g_ptr_array_index (checks, i), "code"));
  chosen = g_strv_builder_end (codes);
  if (!vp_store_set_language_needs (self->store, self->client_id,
                                    selected > 0 ? levels[selected - 1].code : NULL,
                                    (const char * const *) chosen, &error))
    vp_toast (GTK_WIDGET (self), error->message);
  refresh (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Dutch proficiency and preferred languages, the common ones first. */
static void
edit_language_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  g_auto(GStrv) current = vp_store_get_preferred_languages (self->store, self->client_id);
  AdwMessageDialog *dialog = vp_dialog_new (widget, _("Language Needs"), NULL,
                                            "save", _("_Save"), ADW_RESPONSE_SUGGESTED);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *flow = gtk_flow_box_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GPtrArray *checks = g_ptr_array_new ();
  const char *levels[] = { _("Not recorded"), NULL, NULL, NULL, NULL };
  const VpCategoryEntry *entries;
  const VpLanguage *all;
  guint n = 0;

  entries = vp_category_entries (VP_CATEGORY_DUTCH_PROFICIENCY, &n);
  for (guint i = 0; i < n && i < 3; i++)
    levels[i + 1] = vp_category_label (VP_CATEGORY_DUTCH_PROFICIENCY, entries[i].code);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_object_set_data (G_OBJECT (dialog), "level", combo_row (list, _("Dutch proficiency"), levels));
  gtk_box_append (GTK_BOX (box), list);

  all = vp_languages (&n);
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 2);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (vp_language_name (all[i].code));

      g_object_set_data (G_OBJECT (check), "code", (gpointer) all[i].code);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   g_strv_contains ((const char * const *) current, all[i].code));
      gtk_flow_box_append (GTK_FLOW_BOX (flow), check);
      g_ptr_array_add (checks, check);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), flow);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 220);
  gtk_box_append (GTK_BOX (box), gtk_label_new (_("Preferred languages")));
  gtk_box_append (GTK_BOX (box), scroller);

  g_object_set_data_full (G_OBJECT (dialog), "checks", checks, (GDestroyNotify) g_ptr_array_unref);
  adw_message_dialog_set_extra_child (dialog, box);
  g_signal_connect_object (dialog, "response", G_CALLBACK (language_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
referral_response (AdwMessageDialog *dialog,
                   const char       *response,
                   VpClientPage     *self)
{
  AdwComboRow *category = g_object_get_data (G_OBJECT (dialog), "category");
  GtkEditable *organisation = g_object_get_data (G_OBJECT (dialog), "organisation");
  GtkSwitch *warm = g_object_get_data (G_OBJECT (dialog), "warm");
  const VpCategoryEntry *categories = vp_category_entries (VP_CATEGORY_REFERRAL_CATEGORY, NULL);
  GDate today;
  VpReferralInput input = {
    .client_id = self->client_id,
    .referred_on = &today,
    .category = categories[adw_combo_row_get_selected (category)].code,
    .organisation = gtk_editable_get_text (organisation),
    .warm_handover = gtk_switch_get_active (warm),
  };
  g_autoptr(GError) error = NULL;
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  gint64 id;

  if (g_str_equal (response, "save"))
    {
      id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "referral-id"));
      if (!vp_store_update_referral (self->store, id, input.category, input.organisation,
                                     input.warm_handover, &error))
        vp_toast (GTK_WIDGET (self), error->message);
      refresh (self);
      g_signal_emit (self, signals[CHANGED], 0);
      return;
    }
  if (!g_str_equal (response, "refer"))
    return;
  vp_clock_today (&today);
  id = vp_store_add_referral (self->store, &input, &error);
  if (id == 0)
    vp_toast (GTK_WIDGET (self), error->message);
  else if (overlay != NULL)
    {
      AdwToast *done = adw_toast_new (_("Referral recorded"));

      adw_toast_set_button_label (done, _("_Undo"));
      adw_toast_set_action_name (done, "client.undo-referral");
      adw_toast_set_action_target_value (done, g_variant_new_int64 (id));
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), done);
    }
  refresh (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
suggestion_to_text (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  GtkStringObject *item = g_value_get_object (from);

  if (item == NULL)
    return FALSE;
  g_value_set_string (to, gtk_string_object_get_string (item));
  return TRUE;
}

/* Category, organisation (with the team's earlier ones to pick from) and
 * whether the coach handed the client over in person. The feedback date
 * follows from the category's period. */
static void
referral_dialog (VpClientPage     *self,
                 const VpReferral *existing)
{
  GtkWidget *widget = GTK_WIDGET (self);
  AdwMessageDialog *dialog = existing == NULL
    ? vp_dialog_new (widget, _("Refer the Client"), NULL, "refer", _("_Refer"), ADW_RESPONSE_SUGGESTED)
    : vp_dialog_new (widget, _("Correct the Referral"), NULL, "save", _("_Save"), ADW_RESPONSE_SUGGESTED);
  g_auto(GStrv) known = vp_store_list_organisations (self->store, NULL);
  g_autoptr(GtkStringList) suggestions = gtk_string_list_new ((const char * const *) known);
  const char *labels[14] = { NULL };
  const VpCategoryEntry *categories;
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *organisation = adw_entry_row_new ();
  GtkWidget *warm_row = adw_action_row_new ();
  GtkWidget *warm = gtk_switch_new ();
  guint n = 0;

  categories = vp_category_entries (VP_CATEGORY_REFERRAL_CATEGORY, &n);
  for (guint i = 0; i < n && i < 13; i++)
    labels[i] = vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, categories[i].code);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_object_set_data (G_OBJECT (dialog), "category", combo_row (list, _("For"), labels));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (organisation), _("Organisation"));
  gtk_list_box_append (GTK_LIST_BOX (list), organisation);
  g_object_set_data (G_OBJECT (dialog), "organisation", organisation);
  if (known[0] != NULL)
    {
      /* Earlier organisations, most used first: picking one fills the field. */
      GtkWidget *pick = adw_combo_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (pick), _("Earlier organisations"));
      adw_combo_row_set_model (ADW_COMBO_ROW (pick), G_LIST_MODEL (suggestions));
      g_object_bind_property_full (pick, "selected-item", organisation, "text", G_BINDING_DEFAULT,
                                   suggestion_to_text, NULL, NULL, NULL);
      gtk_list_box_append (GTK_LIST_BOX (list), pick);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (warm_row), _("Warm handover (introduced in person)"));
  gtk_widget_set_valign (warm, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (warm_row), warm);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (warm_row), warm);
  gtk_list_box_append (GTK_LIST_BOX (list), warm_row);
  g_object_set_data (G_OBJECT (dialog), "warm", warm);

  if (existing != NULL)
    {
      adw_combo_row_set_selected (g_object_get_data (G_OBJECT (dialog), "category"),
                                  (guint) MAX (vp_category_index (VP_CATEGORY_REFERRAL_CATEGORY, existing->category), 0));
      gtk_editable_set_text (GTK_EDITABLE (organisation), existing->organisation);
      gtk_switch_set_active (GTK_SWITCH (warm), existing->warm_handover);
      g_object_set_data (G_OBJECT (dialog), "referral-id", GSIZE_TO_POINTER ((gsize) existing->id));
    }
  adw_message_dialog_set_extra_child (dialog, list);
  g_signal_connect_object (dialog, "response", G_CALLBACK (referral_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_referral_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  referral_dialog (VP_CLIENT_PAGE (widget), NULL);
}

static void
edit_referral_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  VpReferralFilter filter = { .client_id = self->client_id };
  g_autoptr(GPtrArray) referrals = NULL;
  GDate today;

  vp_clock_today (&today);
  referrals = vp_store_list_referrals (self->store, &filter, &today, NULL);
  for (guint i = 0; referrals != NULL && i < referrals->len; i++)
    {
      VpReferral *r = g_ptr_array_index (referrals, i);
      if (r->id == g_variant_get_int64 (param))
        referral_dialog (self, r);
    }
}

static void
feedback_response (AdwMessageDialog *dialog,
                   const char       *response,
                   VpClientPage     *self)
{
  AdwComboRow *outcome = g_object_get_data (G_OBJECT (dialog), "outcome");
  GtkEditable *note = g_object_get_data (G_OBJECT (dialog), "note");
  GtkEditable *date = g_object_get_data (G_OBJECT (dialog), "date");
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "referral-id"));
  const VpCategoryEntry *outcomes = vp_category_entries (VP_CATEGORY_REFERRAL_OUTCOME, NULL);
  g_autoptr(GError) error = NULL;
  unsigned y = 0, m = 0, d = 0;
  GDate today, received;

  if (!g_str_equal (response, "save"))
    return;
  vp_clock_today (&today);
  g_date_clear (&received, 1);
  if (sscanf (gtk_editable_get_text (date), "%4u-%2u-%2u", &y, &m, &d) != 3 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    {
      vp_toast (GTK_WIDGET (self), _("Enter the date as year-month-day, for example 2026-11-29"));
      return;
    }
  g_date_set_dmy (&received, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  if (g_date_compare (&received, &today) > 0)
    {
      vp_toast (GTK_WIDGET (self), _("Feedback cannot have arrived in the future"));
      return;
    }
  if (!vp_store_record_feedback (self->store, id, &received, outcomes[adw_combo_row_get_selected (outcome)].code,
                                 gtk_editable_get_text (note), &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("Feedback recorded"));
  refresh (self);
  g_signal_emit (self, signals[CHANGED], 0);
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
  if (!vp_store_delete_referral (self->store, g_variant_get_int64 (param), &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("Referral undone"));
  refresh (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Feedback from the organisation, dated today unless it came earlier. */
static void
record_feedback_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  VpClientPage *self = VP_CLIENT_PAGE (widget);
  AdwMessageDialog *dialog = vp_dialog_new (widget, _("Feedback Received"),
                                            _("What did the organisation report back?"),
                                            "save", _("_Save"), ADW_RESPONSE_SUGGESTED);
  const char *labels[8] = { NULL };
  const VpCategoryEntry *outcomes;
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *note = adw_entry_row_new ();
  guint n = 0;

  outcomes = vp_category_entries (VP_CATEGORY_REFERRAL_OUTCOME, &n);
  for (guint i = 0; i < n && i < 7; i++)
    labels[i] = vp_category_label (VP_CATEGORY_REFERRAL_OUTCOME, outcomes[i].code);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  g_object_set_data (G_OBJECT (dialog), "outcome", combo_row (list, _("Outcome"), labels));
  {
    GtkWidget *date = adw_entry_row_new ();
    char text[16];
    GDate today;

    vp_clock_today (&today);
    g_date_strftime (text, sizeof text, "%Y-%m-%d", &today);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (date), _("Received on (year-month-day)"));
    gtk_editable_set_text (GTK_EDITABLE (date), text);
    gtk_list_box_append (GTK_LIST_BOX (list), date);
    g_object_set_data (G_OBJECT (dialog), "date", date);
  }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (note), _("Short note"));
  gtk_list_box_append (GTK_LIST_BOX (list), note);
  g_object_set_data (G_OBJECT (dialog), "note", note);
  g_object_set_data (G_OBJECT (dialog), "referral-id", GSIZE_TO_POINTER ((gsize) g_variant_get_int64 (param)));
  adw_message_dialog_set_extra_child (dialog, list);
  g_signal_connect_object (dialog, "response", G_CALLBACK (feedback_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_CLIENT_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vp_client_page_parent_class)->dispose (object);
}

static void
vp_client_page_finalize (GObject *object)
{
  g_ptr_array_unref (VP_CLIENT_PAGE (object)->consent_rows);
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
  self->consent_rows = g_ptr_array_new ();
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
