/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For the tests only: hooks that the app itself never calls. */
#pragma once

#include "vp-clock.h"

G_BEGIN_DECLS

/* For tests: let the pages live on another day; NULL returns to the real
 * one. Nothing in the store is dated by this clock except what the pages
 * pass on explicitly. */
void _vp_clock_set_today (const GDate *date);

G_END_DECLS
