/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Today's local calendar date, as the pages see it. */
void vp_clock_today      (GDate       *date);

G_END_DECLS
