/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-report.h"

G_BEGIN_DECLS

void vp_disclosure_apply (VpReport  *report,
                          GPtrArray *earlier);

G_END_DECLS
