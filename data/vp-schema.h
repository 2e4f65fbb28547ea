/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

guint    vp_schema_current_version (void);
gboolean vp_schema_migrate         (sqlite3  *db,
                                    guint     target_version,
                                    GError  **error);

G_END_DECLS
