/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-report.h"
#include "vp-store.h"

G_BEGIN_DECLS

/* The month's report from the store's facts as they were, with disclosure
 * control applied (the report itself knows nothing of the store). */
VpReport *vp_report_build (VpStore             *store,
                           const char          *period,
                           guint                k,
                           GDateTime           *now,
                           GError             **error);

G_END_DECLS
