/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-store.h"

G_BEGIN_DECLS

char    *vp_endpoint_pin_from_text (const char  *text,
                                    GError     **error);
gboolean vp_endpoint_pin_set       (VpStore     *store,
                                    const char  *text,
                                    GError     **error);

G_END_DECLS
