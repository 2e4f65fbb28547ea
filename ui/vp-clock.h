/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Today's local calendar date, as the pages see it. */
void vp_clock_today      (GDate       *date);

/* For tests: let the pages live on another day; NULL returns to the real
 * one. Nothing in the store is dated by this clock except what the pages
 * pass on explicitly. */
void _vp_clock_set_today (const GDate *date);

G_END_DECLS
