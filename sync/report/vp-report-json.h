/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "vp-report.h"

G_BEGIN_DECLS

char *vp_report_to_json        (const VpReport *report);
char *vp_report_published_json (const VpReport *report);

G_END_DECLS
