/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "vp-reach-select.h"
#include "vp-reach.h"

G_BEGIN_DECLS

char     *vp_reach_export_csv  (VpReach                *reach,
                                const VpReachSelection *selection,
                                const char             *table,
                                gsize                  *length);
JsonNode *vp_reach_export_json (VpReach                *reach,
                                const VpReachSelection *selection,
                                const char             *municipality,
                                const char             *table);

G_END_DECLS
