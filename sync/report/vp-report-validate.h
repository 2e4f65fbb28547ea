/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VP_REPORT_ERROR (vp_report_error_quark ())

typedef enum {
  VP_REPORT_ERROR_INVALID,
  VP_REPORT_ERROR_UNPROTECTED,  /* disclosure control found no safe report */
} VpReportError;

GQuark   vp_report_error_quark        (void);

gboolean vp_report_is_team_code       (const char  *team);
gboolean vp_report_is_installation_id (const char  *installation);
gboolean vp_report_is_municipality    (const char  *municipality);

gboolean vp_report_check_text         (const char  *data,
                                       gsize        len,
                                       GError     **error);
gboolean vp_report_validate           (JsonNode    *root,
                                       const char  *team,
                                       const char  *installation,
                                       const char  *period,
                                       GError     **error);
gboolean vp_report_check_canonical    (JsonNode    *root,
                                       const char  *data,
                                       gsize        len,
                                       GError     **error);

G_END_DECLS
