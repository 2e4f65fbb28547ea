/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VP_TYPE_PASSPHRASE_RESET_DIALOG (vp_passphrase_reset_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VpPassphraseResetDialog, vp_passphrase_reset_dialog, VP, PASSPHRASE_RESET_DIALOG,
                      AdwMessageDialog)

GtkWidget  *vp_passphrase_reset_dialog_new            (GtkWindow               *parent,
                                                       gint64                   account_id,
                                                       const char              *account_name);
const char *vp_passphrase_reset_dialog_get_passphrase (VpPassphraseResetDialog *self);
void        vp_passphrase_reset_dialog_clear          (VpPassphraseResetDialog *self);

G_END_DECLS
