/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* A VpStore over a plain, unencrypted SQLite file, for bench-plain only. */
VpStore *bench_plain_store_open (const char  *path,
                                 GError     **error);

G_END_DECLS
