/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-report.h"

G_BEGIN_DECLS

/* Synthetic teams for benchmarks and the demo: each team favours a few
 * categories of its own, and its clients come back over the months. Seeded
 * and reproducible; clearly not anyone's data. */
typedef struct {
  double weights[32];
  guint  n;
} Skew;

typedef struct {
  Skew location, initiator, age, proficiency, stage, interpreter, language, referral;
  guint first_per_month;
  double follow_ups, referrals, consent;
} VpSimTeam;

void    vp_sim_team_init   (VpSimTeam  *team,
                            GRand      *rand);
GArray *vp_sim_clients_new (void);
void    vp_sim_month       (VpSimTeam  *team,
                            GArray     *clients,
                            GRand      *rand,
                            VpReport   *whole,
                            VpReport  **laptops,
                            guint       n_laptops);

G_END_DECLS
