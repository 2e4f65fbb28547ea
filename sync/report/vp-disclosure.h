/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-report.h"

G_BEGIN_DECLS

gboolean vp_disclosure_apply  (VpReport  *report,
                               GError   **error);
gboolean vp_disclosure_ranges (VpReport  *report,
                               GError   **error);

G_END_DECLS
