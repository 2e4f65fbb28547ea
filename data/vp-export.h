/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

gboolean vp_store_export_client (VpStore  *store,
                                 gint64    client_id,
                                 char    **text,
                                 char    **json,
                                 GError  **error);

G_END_DECLS
