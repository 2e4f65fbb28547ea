/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

/* What every benchmark compares against, measured in the same run. */
double   bench_now        (void);
sqlite3 *bench_open_plain (const char *dir);
