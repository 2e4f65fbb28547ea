/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void reach_sim_print (guint32 seed);

G_END_DECLS
