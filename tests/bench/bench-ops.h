/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* What one benchmark process works on. The same operations run in
 * bench-store (the app's data layer on SQLCipher) and in bench-plain (the
 * same data layer compiled against Debian's libsqlite3). */
typedef struct {
  VpStore  *store;
  gboolean  quick;   /* a few iterations: the smoke test */
  guint32   seed;
} BenchOps;

double   bench_now        (void);
void     bench_figure     (const char *name,
                           double      value);
void     bench_percentiles (const char *name,
                            GArray     *seconds);
void     bench_settings   (sqlite3    *db);
void     bench_set_cache  (sqlite3    *db,
                           int         kib);
gboolean bench_run_op     (BenchOps   *ops,
                           const char *op);

G_END_DECLS
