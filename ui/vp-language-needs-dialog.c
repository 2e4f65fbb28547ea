/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-choice-row.h"
#include "vp-language-needs-dialog.h"
#include "vp-language-picker.h"

/* A client's language needs: Dutch proficiency, and the preferred
 * languages in order. It stores nothing itself: "save" hands the answer
 * back through ::saved, so that whoever asked (the client page, or a form
 * that records them with a first contact) stores it under the client's
 * consent. Cancel or Escape hands back nothing. */
struct _VpLanguageNeedsDialog
{
  AdwMessageDialog  parent_instance;

  VpChoiceRow      *proficiency_row;
  VpLanguagePicker *picker;
};

G_DEFINE_FINAL_TYPE (VpLanguageNeedsDialog, vp_language_needs_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
vp_language_needs_dialog_response (AdwMessageDialog *dialog,
                                   const char       *response)
{
  VpLanguageNeedsDialog *self = VP_LANGUAGE_NEEDS_DIALOG (dialog);

  if (g_str_equal (response, "save"))
    {
      g_auto(GStrv) languages = vp_language_picker_dup_chosen (self->picker);

      g_signal_emit (self, signals[SAVED], 0, vp_choice_row_get_code (self->proficiency_row), languages);
    }
}

static void
vp_language_needs_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_LANGUAGE_NEEDS_DIALOG);
  G_OBJECT_CLASS (vp_language_needs_dialog_parent_class)->dispose (object);
}

static void
vp_language_needs_dialog_class_init (VpLanguageNeedsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = vp_language_needs_dialog_dispose;
  dialog_class->response = vp_language_needs_dialog_response;

  /**
   * VpLanguageNeedsDialog::saved:
   * @dutch_proficiency: (nullable): a code of DESIGN §6, NULL when not recorded
   * @languages: ISO 639-3 codes, the preferred one first; may be empty
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRV);

  g_type_ensure (VP_TYPE_CHOICE_ROW);
  g_type_ensure (VP_TYPE_LANGUAGE_PICKER);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-language-needs-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VpLanguageNeedsDialog, proficiency_row);
  gtk_widget_class_bind_template_child (widget_class, VpLanguageNeedsDialog, picker);
}

static void
vp_language_needs_dialog_init (VpLanguageNeedsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* @dutch_proficiency: (nullable): what is recorded now
 * @languages: (nullable): the preferred languages recorded now, in order */
GtkWidget *
vp_language_needs_dialog_new (GtkWindow          *parent,
                              const char         *dutch_proficiency,
                              const char * const *languages)
{
  VpLanguageNeedsDialog *self = g_object_new (VP_TYPE_LANGUAGE_NEEDS_DIALOG,
                                              "transient-for", parent,
                                              NULL);

  vp_choice_row_set_code (self->proficiency_row, dutch_proficiency);
  vp_language_picker_set_chosen (self->picker, languages);
  return GTK_WIDGET (self);
}
