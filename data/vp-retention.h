/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_RETENTION_DEFAULT_MONTHS 24

guint    vp_store_get_retention_months (VpStore    *store);
gboolean vp_store_apply_retention      (VpStore    *store,
                                        GDateTime  *now,
                                        guint      *n_erased,
                                        GError    **error);

G_END_DECLS
