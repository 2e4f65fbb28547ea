/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What disclosure control costs a simulated municipality (reach-sim.c):
 * the shares of a year's figures that the published values, and the
 * endpoint's estimates, recover. Synthetic, seeded, reproducible; no
 * timing (how fast a report is built is bench-store's "report").
 *   _build/tests/bench/bench-report [SEED] */
#include "config.h"

#include <stdlib.h>

#include "reach-sim.h"

int
main (int   argc,
      char *argv[])
{
  reach_sim_print (argc > 1 ? (guint32) strtoul (argv[1], NULL, 10) : 20261129);
  return 0;
}
