/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-cert-password-dialog.h"

/* Asks for the password of a PKCS#12 file (#12). The responses are
 * "cancel" and "import"; whoever presents it reads the password on
 * "import" and clears it. A message dialog closes on every response, so
 * a wrong password is answered with a new dialog that says so. */
struct _VpCertPasswordDialog
{
  AdwMessageDialog  parent_instance;

  GtkPasswordEntry *entry;
  GtkLabel         *error_label;
};

G_DEFINE_FINAL_TYPE (VpCertPasswordDialog, vp_cert_password_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
vp_cert_password_dialog_dispose (GObject *object)
{
  /* GtkPasswordEntry keeps its text in non-pageable memory and wipes it;
   * clearing here makes sure that happens now. */
  vp_cert_password_dialog_clear (VP_CERT_PASSWORD_DIALOG (object));
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_CERT_PASSWORD_DIALOG);
  G_OBJECT_CLASS (vp_cert_password_dialog_parent_class)->dispose (object);
}

static void
vp_cert_password_dialog_class_init (VpCertPasswordDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_cert_password_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-cert-password-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VpCertPasswordDialog, entry);
  gtk_widget_class_bind_template_child (widget_class, VpCertPasswordDialog, error_label);
}

static void
vp_cert_password_dialog_init (VpCertPasswordDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* @file_name: shown so that the team leader knows which file it is.
 * @error_message: (nullable): why the last password did not open it. */
GtkWidget *
vp_cert_password_dialog_new (GtkWindow  *parent,
                             const char *file_name,
                             const char *error_message)
{
  VpCertPasswordDialog *self = g_object_new (VP_TYPE_CERT_PASSWORD_DIALOG,
                                             "transient-for", parent,
                                             NULL);

  g_return_val_if_fail (file_name != NULL, NULL);

  /* Translators: the name of a certificate file (.p12 or .pfx). */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("Enter the password that protects “%s”. Ask whoever gave you the file if you do not have it."),
                                  file_name);
  gtk_label_set_label (self->error_label, error_message != NULL ? error_message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error_message != NULL);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_STATE_INVALID,
                               error_message != NULL ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
  return GTK_WIDGET (self);
}

const char *
vp_cert_password_dialog_get_password (VpCertPasswordDialog *self)
{
  g_return_val_if_fail (VP_IS_CERT_PASSWORD_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

void
vp_cert_password_dialog_clear (VpCertPasswordDialog *self)
{
  g_return_if_fail (VP_IS_CERT_PASSWORD_DIALOG (self));
  if (self->entry != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
}
