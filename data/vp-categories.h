/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The stable category codes of DESIGN §6. Codes travel in reports and the
 * store; labels are translated for display only. */
typedef enum {
  VP_CATEGORY_LOCATION_TYPE,
  VP_CATEGORY_INITIATED_BY,
  VP_CATEGORY_STAGE,
  VP_CATEGORY_DUTCH_PROFICIENCY,
  VP_CATEGORY_INTERPRETER_MODE,
  VP_CATEGORY_REFERRAL_CATEGORY,
  VP_CATEGORY_REFERRAL_OUTCOME,
  VP_CATEGORY_CONTACT_KIND,
  VP_CATEGORY_AGE_BAND,
  VP_CATEGORY_FEEDBACK_STATUS,
  VP_N_CATEGORIES
} VpCategory;

#define VP_NOT_RECORDED "not_recorded"

typedef struct {
  const char *code;
  const char *label; /* untranslated; translate with vp_category_label() */
} VpCategoryEntry;

const VpCategoryEntry *vp_category_entries (VpCategory   category,
                                            guint       *n_entries);
gboolean               vp_category_has_code (VpCategory  category,
                                             const char *code);
int                    vp_category_index    (VpCategory  category,
                                             const char *code);
const char            *vp_category_label    (VpCategory  category,
                                             const char *code);
const char            *vp_category_name     (VpCategory  category);

const char            *vp_age_band_for      (int         age);

G_END_DECLS
