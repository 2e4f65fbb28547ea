/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* A team's history made up for demos and benchmarks: clearly fake ("Demo …"
 * labels and organisations), seeded and reproducible: the same parameters
 * (the end of the history included) give the same rows. */
typedef struct {
  guint      clients;
  guint      contacts;  /* every contact, first ones included; 0: ten a client */
  guint      months;    /* how far back from until the history reaches */
  guint      expired;   /* clients whose last contact lies before the retention period */
  guint32    seed;
  GDateTime *until;     /* the end of the history; NULL: now */
} VpSyntheticParams;

/* What was made. */
typedef struct {
  guint clients;
  guint contacts;
  guint consents;
  guint withdrawn;
  guint referrals;
  guint audit_entries;
} VpSyntheticCounts;

gboolean vp_synthetic_fill (VpStore                 *store,
                            const VpSyntheticParams *params,
                            VpSyntheticCounts       *counts,
                            GError                 **error);

G_END_DECLS
