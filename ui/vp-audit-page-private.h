/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For tests: what the audit page shows, without the page. */
#pragma once

#include "vp-audit.h"
#include "vp-audit-page.h"

G_BEGIN_DECLS

char *_vp_audit_page_describe (const VpAuditEntry *entry);

G_END_DECLS
