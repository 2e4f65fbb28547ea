/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-categories.h"
#include "vp-choice-row.h"
#include "vp-combo-typeahead.h"
#include "vp-referral-dialog.h"

/* A new referral, or the correction of one: what it is for, the
 * organisation (the team's earlier ones to pick from), and whether the
 * coach handed the client over in person. The feedback date follows from
 * the category's period. Return in the organisation submits (#15). The
 * answer is handed back through ::submitted; the dialog stores nothing. */
struct _VpReferralDialog
{
  AdwMessageDialog  parent_instance;

  VpChoiceRow      *category_row;
  AdwEntryRow      *organisation_row;
  AdwComboRow      *earlier_row;
  GtkSwitch        *warm_switch;
  GtkLabel         *error_label;

  gint64            referral_id;
};

G_DEFINE_FINAL_TYPE (VpReferralDialog, vp_referral_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  SUBMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
organisation (VpReferralDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->organisation_row))));
}

static void
show_error (VpReferralDialog *self,
            const char       *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->organisation_row), GTK_ACCESSIBLE_STATE_INVALID,
                               message != NULL ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

static void
on_organisation_changed (VpReferralDialog *self)
{
  g_autofree char *text = organisation (self);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "save", *text != '\0');
  if (*text != '\0')
    show_error (self, NULL);
}

/* Return submits, as the suggested button would; with nothing typed it
 * says what is missing instead. */
static void
on_organisation_activated (VpReferralDialog *self)
{
  if (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (self), "save"))
    gtk_widget_activate_action (GTK_WIDGET (self), "default.activate", NULL);
  else
    show_error (self, _("Enter the organisation the client is referred to"));
}

static void
on_earlier_selected (VpReferralDialog *self)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (self->earlier_row);

  /* The first item only invites a choice. */
  if (item != NULL && adw_combo_row_get_selected (self->earlier_row) > 0)
    gtk_editable_set_text (GTK_EDITABLE (self->organisation_row), gtk_string_object_get_string (item));
}

static void
vp_referral_dialog_response (AdwMessageDialog *dialog,
                             const char       *response)
{
  VpReferralDialog *self = VP_REFERRAL_DIALOG (dialog);
  g_autofree char *text = organisation (self);

  if (g_str_equal (response, "save") && *text != '\0')
    g_signal_emit (self, signals[SUBMITTED], 0, self->referral_id, vp_choice_row_get_code (self->category_row),
                   text, gtk_switch_get_active (self->warm_switch));
}

static void
vp_referral_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_REFERRAL_DIALOG);
  G_OBJECT_CLASS (vp_referral_dialog_parent_class)->dispose (object);
}

static void
vp_referral_dialog_class_init (VpReferralDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = vp_referral_dialog_dispose;
  dialog_class->response = vp_referral_dialog_response;

  /**
   * VpReferralDialog::submitted:
   * @referral_id: the referral corrected, or 0 for a new one
   * @category: the referral category's code
   * @organisation: trimmed, never empty
   * @warm_handover: whether the coach introduced the client in person
   */
  signals[SUBMITTED] = g_signal_new ("submitted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                     G_TYPE_INT64, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);

  g_type_ensure (VP_TYPE_CHOICE_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-referral-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VpReferralDialog, category_row);
  gtk_widget_class_bind_template_child (widget_class, VpReferralDialog, organisation_row);
  gtk_widget_class_bind_template_child (widget_class, VpReferralDialog, earlier_row);
  gtk_widget_class_bind_template_child (widget_class, VpReferralDialog, warm_switch);
  gtk_widget_class_bind_template_child (widget_class, VpReferralDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_organisation_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_organisation_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_earlier_selected);
}

static void
vp_referral_dialog_init (VpReferralDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  vp_combo_typeahead_attach (self->earlier_row);
}

/* @organisations: (nullable): the team's earlier organisations, most used
 * first
 * @existing: (nullable): the referral to correct; NULL for a new one */
GtkWidget *
vp_referral_dialog_new (GtkWindow          *parent,
                        const char * const *organisations,
                        const VpReferral   *existing)
{
  VpReferralDialog *self = g_object_new (VP_TYPE_REFERRAL_DIALOG,
                                         "transient-for", parent,
                                         NULL);

  if (organisations != NULL && organisations[0] != NULL)
    {
      g_autoptr(GtkStringList) items = gtk_string_list_new (NULL);

      gtk_string_list_append (items, _("Choose…"));
      gtk_string_list_splice (items, 1, 0, organisations);
      adw_combo_row_set_model (self->earlier_row, G_LIST_MODEL (items));
      gtk_widget_set_visible (GTK_WIDGET (self->earlier_row), TRUE);
    }
  if (existing != NULL)
    {
      self->referral_id = existing->id;
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Correct the Referral"));
      /* Not "_Save": in Dutch, "_Opslaan" would share O with "_Organisatie". */
      adw_message_dialog_set_response_label (ADW_MESSAGE_DIALOG (self), "save", _("_Save Correction"));
      vp_choice_row_set_code (self->category_row, existing->category);
      gtk_editable_set_text (GTK_EDITABLE (self->organisation_row), existing->organisation);
      gtk_switch_set_active (self->warm_switch, existing->warm_handover);
    }
  return GTK_WIDGET (self);
}
