/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

AdwMessageDialog *vp_dialog_new (GtkWidget             *widget,
                                 const char            *heading,
                                 const char            *body,
                                 const char            *response_id,
                                 const char            *response_label,
                                 AdwResponseAppearance  appearance);

void              vp_toast      (GtkWidget             *widget,
                                 const char            *title);
GtkFileChooserNative *vp_save_chooser_new (GtkWidget  *widget,
                                           const char *title,
                                           const char *accept,
                                           const char *current_name);
GtkFileChooserNative *vp_open_chooser_new (GtkWidget  *widget,
                                           const char *title,
                                           const char *accept);

char             *vp_chooser_take_path  (GtkNativeDialog *chooser,
                                         int              response);
gboolean          vp_write_private_file (const char      *path,
                                         const char      *contents,
                                         GError         **error);

G_END_DECLS
