/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VP_TYPE_LANGUAGE_NEEDS_DIALOG (vp_language_needs_dialog_get_type ())
G_DECLARE_FINAL_TYPE (VpLanguageNeedsDialog, vp_language_needs_dialog, VP, LANGUAGE_NEEDS_DIALOG, AdwMessageDialog)

GtkWidget *vp_language_needs_dialog_new (GtkWindow          *parent,
                                         const char         *dutch_proficiency,
                                         const char * const *languages);

G_END_DECLS
