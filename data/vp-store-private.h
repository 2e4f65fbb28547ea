/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-store.h"

G_BEGIN_DECLS

/* For the other files of the data layer and for tests, never for the UI. */
gboolean      _vp_is_blank                (const char         *s);
const guint8 *_vp_store_get_key           (VpStore            *self);
sqlite3      *_vp_store_open_connection   (VpStore            *self,
                                           GError            **error);
char         *_vp_store_keys_path         (VpStore            *self);
void          _vp_store_set_recovered     (VpStore            *self,
                                           gboolean            recovered);
VpStore      *_vp_store_create_at_version (const char         *dir,
                                           const VpStoreSetup *setup,
                                           guint               version,
                                           char              **recovery_key,
                                           GError            **error);

G_END_DECLS
