/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-categories.h"

G_BEGIN_DECLS

/* One choice of a combo row: a stable code, its label and what it means
 * (both untranslated, N_(); the row translates them). */
typedef struct {
  const char *code;
  const char *label;
  const char *description; /* NULL: the label says it all */
} VpChoice;

#define VP_TYPE_CHOICE_ROW (vp_choice_row_get_type ())
G_DECLARE_FINAL_TYPE (VpChoiceRow, vp_choice_row, VP, CHOICE_ROW, AdwComboRow)

GtkWidget  *vp_choice_row_new           (void);
void        vp_choice_row_set_category  (VpChoiceRow    *self,
                                         VpCategory      category);
void        vp_choice_row_set_choices   (VpChoiceRow    *self,
                                         const VpChoice *choices,
                                         guint           n_choices);
const char *vp_choice_row_get_code      (VpChoiceRow    *self);
void        vp_choice_row_set_code      (VpChoiceRow    *self,
                                         const char     *code);

const char *vp_choice_description       (VpCategory      category,
                                         const char     *code);

G_END_DECLS
