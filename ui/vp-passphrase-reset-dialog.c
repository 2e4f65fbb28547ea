/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-passphrase-reset-dialog.h"

/* A team leader gives a coach who forgot a passphrase a new one. "reset"
 * is handed back through ::submitted with the account; the handler reads
 * the passphrase with _get_passphrase() (never a signal argument, which
 * would copy it) and the dialog wipes it when it goes. Return in the
 * field resets, as the suggested button would. */
struct _VpPassphraseResetDialog
{
  AdwMessageDialog     parent_instance;

  AdwPasswordEntryRow *passphrase_row;

  gint64               account_id;
};

G_DEFINE_FINAL_TYPE (VpPassphraseResetDialog, vp_passphrase_reset_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  SUBMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_passphrase_changed (VpPassphraseResetDialog *self)
{
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "reset",
                                           *gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row)) != '\0');
}

static void
on_passphrase_activated (VpPassphraseResetDialog *self)
{
  if (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (self), "reset"))
    gtk_widget_activate_action (GTK_WIDGET (self), "default.activate", NULL);
}

static void
vp_passphrase_reset_dialog_response (AdwMessageDialog *dialog,
                                     const char       *response)
{
  VpPassphraseResetDialog *self = VP_PASSPHRASE_RESET_DIALOG (dialog);

  if (g_str_equal (response, "reset"))
    g_signal_emit (self, signals[SUBMITTED], 0, self->account_id);
}

static void
vp_passphrase_reset_dialog_dispose (GObject *object)
{
  vp_passphrase_reset_dialog_clear (VP_PASSPHRASE_RESET_DIALOG (object));
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_PASSPHRASE_RESET_DIALOG);
  G_OBJECT_CLASS (vp_passphrase_reset_dialog_parent_class)->dispose (object);
}

static void
vp_passphrase_reset_dialog_class_init (VpPassphraseResetDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = vp_passphrase_reset_dialog_dispose;
  dialog_class->response = vp_passphrase_reset_dialog_response;

  /* (account id) */
  signals[SUBMITTED] = g_signal_new ("submitted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-passphrase-reset-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VpPassphraseResetDialog, passphrase_row);
  gtk_widget_class_bind_template_callback (widget_class, on_passphrase_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_passphrase_activated);
}

static void
vp_passphrase_reset_dialog_init (VpPassphraseResetDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
vp_passphrase_reset_dialog_new (GtkWindow  *parent,
                                gint64      account_id,
                                const char *account_name)
{
  VpPassphraseResetDialog *self = g_object_new (VP_TYPE_PASSPHRASE_RESET_DIALOG,
                                                "transient-for", parent,
                                                NULL);

  self->account_id = account_id;
  if (account_name != NULL)
    /* Translators: %s is the name of the account. */
    adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (self), _("Reset the Passphrase of %s?"), account_name);
  return GTK_WIDGET (self);
}

const char *
vp_passphrase_reset_dialog_get_passphrase (VpPassphraseResetDialog *self)
{
  g_return_val_if_fail (VP_IS_PASSPHRASE_RESET_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));
}

void
vp_passphrase_reset_dialog_clear (VpPassphraseResetDialog *self)
{
  g_return_if_fail (VP_IS_PASSPHRASE_RESET_DIALOG (self));
  if (self->passphrase_row != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
}
