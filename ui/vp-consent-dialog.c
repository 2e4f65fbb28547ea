/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-choice-row.h"
#include "vp-consent-dialog.h"
#include "vp-consent-texts.h"

/* Giving consent for one category: the explanation to read out or hand
 * over, how consent was given and in which language it was explained.
 * "show" asks for the large-type sheet for the client (::show-sheet), "give"
 * records it (::give); the dialog stores nothing itself. */
struct _VpConsentDialog
{
  AdwMessageDialog  parent_instance;

  VpChoiceRow      *method_row;
  VpChoiceRow      *language_row;

  char             *category;
};

G_DEFINE_FINAL_TYPE (VpConsentDialog, vp_consent_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  GIVE,
  SHOW_SHEET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const VpChoice methods[] = {
  { "verbal", N_("Verbal"), N_("The client agreed aloud after the explanation") },
  { "written", N_("Written"), N_("The client signed the explanation") },
};

/* Languages the explanation can be given in (ISO 639-3). */
static const VpChoice languages[] = {
  { "nld", N_("Dutch"), NULL }, { "eng", N_("English"), NULL }, { "ara", N_("Arabic"), NULL },
  { "tur", N_("Turkish"), NULL }, { "tir", N_("Tigrinya"), NULL }, { "pol", N_("Polish"), NULL },
  { "som", N_("Somali"), NULL }, { "ukr", N_("Ukrainian"), NULL }, { "pes", N_("Persian (Farsi)"), NULL },
};

static void
vp_consent_dialog_response (AdwMessageDialog *dialog,
                            const char       *response)
{
  VpConsentDialog *self = VP_CONSENT_DIALOG (dialog);
  const char *language = vp_choice_row_get_code (self->language_row);

  if (g_str_equal (response, "give"))
    g_signal_emit (self, signals[GIVE], 0, self->category, vp_choice_row_get_code (self->method_row), language);
  else if (g_str_equal (response, "show"))
    g_signal_emit (self, signals[SHOW_SHEET], 0, self->category, language);
}

static void
vp_consent_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_CONSENT_DIALOG);
  G_OBJECT_CLASS (vp_consent_dialog_parent_class)->dispose (object);
}

static void
vp_consent_dialog_finalize (GObject *object)
{
  g_free (VP_CONSENT_DIALOG (object)->category);
  G_OBJECT_CLASS (vp_consent_dialog_parent_class)->finalize (object);
}

static void
vp_consent_dialog_class_init (VpConsentDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = vp_consent_dialog_dispose;
  object_class->finalize = vp_consent_dialog_finalize;
  dialog_class->response = vp_consent_dialog_response;

  /* (category, method "verbal" or "written", explanation language) */
  signals[GIVE] = g_signal_new ("give", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  /* (category, explanation language) */
  signals[SHOW_SHEET] = g_signal_new ("show-sheet", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  g_type_ensure (VP_TYPE_CHOICE_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-consent-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VpConsentDialog, method_row);
  gtk_widget_class_bind_template_child (widget_class, VpConsentDialog, language_row);
}

static void
vp_consent_dialog_init (VpConsentDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  vp_choice_row_set_choices (self->method_row, methods, G_N_ELEMENTS (methods));
  vp_choice_row_set_choices (self->language_row, languages, G_N_ELEMENTS (languages));
}

/* @category: "language", "interpreter" or "referral"
 * @language: (nullable): the explanation language to start from, e.g. the
 * one just shown to the client on the sheet; NULL for Dutch
 * @retention_months: the team's retention period, which the text names */
GtkWidget *
vp_consent_dialog_new (GtkWindow  *parent,
                       const char *category,
                       const char *language,
                       guint       retention_months)
{
  const VpConsentText *text = vp_consent_text_lookup (category);
  g_autofree char *text_nl = NULL;
  g_autofree char *text_en = NULL;
  VpConsentDialog *self;

  g_return_val_if_fail (text != NULL, NULL);

  self = g_object_new (VP_TYPE_CONSENT_DIALOG, "transient-for", parent, NULL);
  self->category = g_strdup (category);
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (self), _("Consent: %s"), _(text->title));
  /* The coach reads Dutch or English; the client gets the sheet. */
  text_nl = vp_consent_translation_format (vp_consent_translation_lookup ("nld"), category, retention_months);
  text_en = vp_consent_translation_format (vp_consent_translation_lookup ("eng"), category, retention_months);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self), "%s\n\n%s", text_nl, text_en);
  vp_choice_row_set_code (self->language_row, language);
  return GTK_WIDGET (self);
}

const char *
vp_consent_dialog_get_category (VpConsentDialog *self)
{
  g_return_val_if_fail (VP_IS_CONSENT_DIALOG (self), NULL);
  return self->category;
}
