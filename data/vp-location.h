/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* An outreach location (vindplaats): a named place of one type. */
typedef struct {
  gint64    id;
  char     *name;
  char     *type;   /* a location type code of DESIGN §6 */
  gboolean  active;
} VpLocation;

void        vp_location_free           (VpLocation  *location);

GPtrArray  *vp_store_list_locations    (VpStore     *store,
                                        gboolean     active_only,
                                        GError     **error);
VpLocation *vp_store_get_location      (VpStore     *store,
                                        gint64       id,
                                        GError     **error);
gint64      vp_store_add_location      (VpStore     *store,
                                        const char  *name,
                                        const char  *type,
                                        GError     **error);
gboolean    vp_store_update_location   (VpStore     *store,
                                        gint64       id,
                                        const char  *name,
                                        const char  *type,
                                        gboolean     active,
                                        GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpLocation, vp_location_free)

G_END_DECLS
