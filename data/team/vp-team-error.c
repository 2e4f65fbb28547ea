/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team"

#include "config.h"

#include "vp-team-error.h"

G_DEFINE_QUARK (vp-team-error-quark, vp_team_error)
