/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-categories.h"
#include "vp-store.h"

G_BEGIN_DECLS

void        vp_category_combo_fill     (AdwComboRow *row,
                                        VpCategory   category,
                                        const char  *none_label);
const char *vp_category_combo_get      (AdwComboRow *row,
                                        VpCategory   category,
                                        gboolean     has_none);
void        vp_category_combo_set      (AdwComboRow *row,
                                        VpCategory   category,
                                        gboolean     has_none,
                                        const char  *code);

GPtrArray  *vp_location_combo_fill     (AdwComboRow *row,
                                        VpStore     *store);
void        vp_location_combo_select   (AdwComboRow *row,
                                        GPtrArray   *keys,
                                        const char  *key);
const char *vp_location_combo_get      (AdwComboRow *row,
                                        GPtrArray   *keys,
                                        gint64      *location_id);

G_END_DECLS
