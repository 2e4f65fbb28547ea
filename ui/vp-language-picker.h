/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define VP_TYPE_LANGUAGE_PICKER (vp_language_picker_get_type ())
G_DECLARE_FINAL_TYPE (VpLanguagePicker, vp_language_picker, VP, LANGUAGE_PICKER, GtkWidget)

GtkWidget *vp_language_picker_new        (void);
void       vp_language_picker_set_chosen (VpLanguagePicker   *self,
                                          const char * const *codes);
GStrv      vp_language_picker_dup_chosen (VpLanguagePicker   *self);
void       vp_language_picker_toggle     (VpLanguagePicker   *self,
                                          const char         *code);

G_END_DECLS
