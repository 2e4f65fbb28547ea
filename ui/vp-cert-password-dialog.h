/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VP_TYPE_CERT_PASSWORD_DIALOG (vp_cert_password_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VpCertPasswordDialog, vp_cert_password_dialog, VP, CERT_PASSWORD_DIALOG, AdwMessageDialog)

GtkWidget  *vp_cert_password_dialog_new          (GtkWindow            *parent,
                                                  const char           *file_name,
                                                  const char           *error_message);
const char *vp_cert_password_dialog_get_password (VpCertPasswordDialog *self);
void        vp_cert_password_dialog_clear        (VpCertPasswordDialog *self);

G_END_DECLS
