/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-categories.h"
#include "vp-clock.h"
#include "vp-consent-texts.h"
#include "vp-contact.h"
#include "vp-languages.h"
#include "vp-referral.h"
#include "vp-withdraw-consent-dialog.h"

/* Asks before consent is withdrawn, because withdrawing erases at once
 * and cannot be undone (#15). It names what goes, as the store's triggers
 * erase it (data/vp-schema.c, consent_withdrawn and its siblings):
 * language consent takes the language needs and what was noted with each
 * contact, interpreter consent the interpreter use noted with each
 * contact, referral consent every referral with its feedback. Keep (also
 * Return and Escape) changes nothing; "withdraw" is handed back through
 * ::confirmed. */
struct _VpWithdrawConsentDialog
{
  AdwMessageDialog  parent_instance;

  GtkListBox       *erased_list;

  char             *category;
};

G_DEFINE_FINAL_TYPE (VpWithdrawConsentDialog, vp_withdraw_consent_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  CONFIRMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
add_item (VpWithdrawConsentDialog *self,
          const char              *title,
          const char              *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_append (self->erased_list, row);
}

static guint
count_contacts (VpStore *store,
                gint64   client_id)
{
  g_autoptr(GListModel) contacts = vp_store_list_client_contacts (store, client_id, NULL);

  return contacts != NULL ? g_list_model_get_n_items (contacts) : 0;
}

static void
add_language_items (VpWithdrawConsentDialog *self,
                    VpStore                 *store,
                    gint64                   client_id)
{
  g_autofree char *level = vp_store_get_dutch_proficiency (store, client_id);
  g_auto(GStrv) codes = vp_store_get_preferred_languages (store, client_id);
  g_autoptr(GString) names = g_string_new (NULL);
  guint n = count_contacts (store, client_id);

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", vp_language_name (codes[i]));
  add_item (self, _("Dutch proficiency"), vp_category_label (VP_CATEGORY_DUTCH_PROFICIENCY, level));
  add_item (self, _("Preferred languages"), names->len > 0 ? names->str : _("None recorded"));
  if (n > 0)
    {
      g_autofree char *noted =
        g_strdup_printf (ngettext ("The Dutch proficiency and first language noted with the client’s contact",
                                      "The Dutch proficiency and first language noted with each of the client’s %u contacts",
                                      n), n);
      add_item (self, _("Language with contacts"), noted);
    }
}

static void
add_interpreter_items (VpWithdrawConsentDialog *self,
                       VpStore                 *store,
                       gint64                   client_id)
{
  guint n = count_contacts (store, client_id);
  g_autofree char *noted =
    g_strdup_printf (ngettext ("Noted with the client’s contact",
                                  "Noted with each of the client’s %u contacts", n), n);

  add_item (self, _("Interpreter use"), n > 0 ? noted : _("None recorded"));
}

static void
add_referral_items (VpWithdrawConsentDialog *self,
                    VpStore                 *store,
                    gint64                   client_id)
{
  VpReferralFilter filter = { .client_id = client_id };
  g_autoptr(GPtrArray) referrals = NULL;
  GDate today;

  vp_clock_today (&today);
  referrals = vp_store_list_referrals (store, &filter, &today, NULL);
  for (guint i = 0; referrals != NULL && i < referrals->len; i++)
    {
      VpReferral *r = g_ptr_array_index (referrals, i);
      g_autofree char *title = g_strdup_printf ("%s · %s",
                                                vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, r->category),
                                                r->organisation);
      g_autofree char *subtitle = NULL;
      char on[16];

      g_date_strftime (on, sizeof on, "%Y-%m-%d", &r->referred_on);
      /* Translators: %s is the date of the referral, e.g. 2026-06-01. */
      subtitle = g_strdup_printf (g_date_valid (&r->received_on) ? _("Referred on %s, with the feedback received")
                                                                 : _("Referred on %s"), on);
      add_item (self, title, subtitle);
    }
  if (referrals == NULL || referrals->len == 0)
    add_item (self, _("Referrals"), _("None recorded"));
}

static void
vp_withdraw_consent_dialog_response (AdwMessageDialog *dialog,
                                     const char       *response)
{
  VpWithdrawConsentDialog *self = VP_WITHDRAW_CONSENT_DIALOG (dialog);

  if (g_str_equal (response, "withdraw"))
    g_signal_emit (self, signals[CONFIRMED], 0, self->category);
}

static void
vp_withdraw_consent_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_WITHDRAW_CONSENT_DIALOG);
  G_OBJECT_CLASS (vp_withdraw_consent_dialog_parent_class)->dispose (object);
}

static void
vp_withdraw_consent_dialog_finalize (GObject *object)
{
  g_free (VP_WITHDRAW_CONSENT_DIALOG (object)->category);
  G_OBJECT_CLASS (vp_withdraw_consent_dialog_parent_class)->finalize (object);
}

static void
vp_withdraw_consent_dialog_class_init (VpWithdrawConsentDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = vp_withdraw_consent_dialog_dispose;
  object_class->finalize = vp_withdraw_consent_dialog_finalize;
  dialog_class->response = vp_withdraw_consent_dialog_response;

  /* (category) */
  signals[CONFIRMED] = g_signal_new ("confirmed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-withdraw-consent-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VpWithdrawConsentDialog, erased_list);
}

static void
vp_withdraw_consent_dialog_init (VpWithdrawConsentDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* @category: "language", "interpreter" or "referral" */
GtkWidget *
vp_withdraw_consent_dialog_new (GtkWindow  *parent,
                                VpStore    *store,
                                gint64      client_id,
                                const char *category)
{
  const VpConsentText *text = vp_consent_text_lookup (category);
  VpWithdrawConsentDialog *self;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (VP_TYPE_WITHDRAW_CONSENT_DIALOG, "transient-for", parent, NULL);
  self->category = g_strdup (category);
  /* Translators: %s is a consent category: Language needs, Interpreter use or Referrals. */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (self), _("Withdraw Consent: %s?"), _(text->title));
  if (g_str_equal (category, "language"))
    add_language_items (self, store, client_id);
  else if (g_str_equal (category, "interpreter"))
    add_interpreter_items (self, store, client_id);
  else
    add_referral_items (self, store, client_id);
  return GTK_WIDGET (self);
}
