/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Call once, first thing in main(), in every program that opens a store:
 * before any thread starts and before anything else uses SQLite. A store
 * does not open in a process where this has not succeeded. */
gboolean vp_data_init (GError **error);

G_END_DECLS
