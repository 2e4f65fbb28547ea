/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What disclosure control costs a municipality: 20 teams of varied size
 * and make-up, 12 months each, reported per team and with each team's
 * clients spread over 5 laptops (one report per laptop). For each table it
 * prints how much of the municipality's year the published values recover
 * (cells, row and column totals, grand totals) and the share of non-zero
 * team-month cells that are published. Synthetic, seeded, reproducible. */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "reach-sim.h"
#include "vp-sim.h"
#include "vp-categories.h"
#include "vp-languages.h"
#include "vp-disclosure.h"
#include "vp-reach.h"
#include "vp-report-json.h"
#include "vp-report.h"

#define N_TEAMS 20
#define N_MONTHS 12
#define N_LAPTOPS 5

typedef struct {
  double published[3]; /* cells, row and column totals, grand total */
  double truth[3];
  guint  nonzero_cells;
  guint  nonzero_published;
} TableSums;

typedef struct {
  TableSums tables[16];
} Sums;

static void print_share (double part,
                         double whole,
                         int    width);

/* A team's year as the municipality sees it, value by value: the truth,
 * what was published (a suppressed value read as 0), and the published
 * values plus the endpoint's estimates (vp_disclosure_ranges()). */
#define MAX_VARS 1024

typedef struct {
  GPtrArray *seen;  /* the year's reports as the endpoint reads them */
  double truth[16][MAX_VARS];
  double published[16][MAX_VARS];
  double estimate[16][MAX_VARS];
  double error_as_zero[16][3];
  double error_estimate[16][3];
  double truth_sum[16][3];
} Year;

static void
year_add (Year     *year,
          VpReport *report,
          guint     laptop)
{
  g_autofree char *json = vp_report_to_json (report);
  VpReport *seen = vp_report_new_from_json (json, NULL);

  if (seen == NULL || !vp_disclosure_ranges (seen, NULL))
    g_error ("A simulated report could not be read back");
  /* The laptop's identity, for estimating its silent months. */
  seen->team = g_strdup ("sim");
  seen->installation = g_strdup_printf ("%032u", laptop);
  if (year->seen == NULL)
    year->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_report_free);
  g_ptr_array_add (year->seen, seen);
  for (guint t = 0; t < report->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, t);

      g_assert (table->n_vars <= MAX_VARS);
      for (guint v = 0; v < table->n_vars; v++)
        {
          year->truth[t][v] += table->value[v];
          year->published[t][v] += table->suppressed[v] ? 0 : table->value[v];
        }
    }
}

/* The estimates of the year's reports, as the endpoint makes them. */
static void
year_estimate (Year *year)
{
  vp_reach_impute_silent (year->seen);
  for (guint i = 0; i < year->seen->len; i++)
    {
      VpReport *seen = g_ptr_array_index (year->seen, i);

      for (guint t = 0; t < seen->tables->len; t++)
        {
          VpReportTable *st = g_ptr_array_index (seen->tables, t);

          for (guint v = 0; v < st->n_vars; v++)
            year->estimate[t][v] += st->estimate[v];
        }
    }
  g_clear_pointer (&year->seen, g_ptr_array_unref);
}

/* Folds a team's year into the error sums and starts the next. */
static void
year_close (Year     *year,
            VpReport *shape)
{
  year_estimate (year);
  for (guint t = 0; t < shape->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (shape->tables, t);

      for (guint v = 0; v < table->n_vars; v++)
        {
          guint kind = v == vp_report_table_grand_total (table) ? 2 : vp_report_table_is_total (table, v) ? 1 : 0;

          year->error_as_zero[t][kind] += fabs (year->published[t][v] - year->truth[t][v]);
          year->error_estimate[t][kind] += fabs (year->estimate[t][v] - year->truth[t][v]);
          year->truth_sum[t][kind] += year->truth[t][v];
          year->truth[t][v] = year->published[t][v] = year->estimate[t][v] = 0;
        }
    }
}

static void
print_year (const char *title,
            Year       *year)
{
  guint n_defs = 0;
  const VpReportTableDef *defs = vp_report_table_defs (&n_defs);
  double zero[3] = { 0 }, est[3] = { 0 }, truth[3] = { 0 };

  printf ("\n%s\n%-32s %18s %18s %18s\n%-32s %9s %8s %9s %8s %9s %8s\n", title,
          "error share of team-years", "cells", "marginals", "totals", "",
          "as 0", "estimate", "as 0", "estimate", "as 0", "estimate");
  for (guint t = 0; t <= n_defs; t++)
    {
      printf ("%-32s", t < n_defs ? defs[t].name : "all tables");
      for (guint k = 0; k < 3; k++)
        {
          double z = t < n_defs ? year->error_as_zero[t][k] : zero[k];
          double e = t < n_defs ? year->error_estimate[t][k] : est[k];
          double w = t < n_defs ? year->truth_sum[t][k] : truth[k];

          if (t < n_defs)
            {
              zero[k] += z;
              est[k] += e;
              truth[k] += w;
            }
          print_share (z, w, 9);
          print_share (e, w, 9);
        }
      printf ("\n");
    }
}

static void
add_up (Sums     *sums,
        VpReport *report)
{
  for (guint t = 0; t < report->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, t);
      TableSums *ts = &sums->tables[t];

      for (guint v = 0; v < table->n_vars; v++)
        {
          guint kind = v == vp_report_table_grand_total (table) ? 2 : vp_report_table_is_total (table, v) ? 1 : 0;

          ts->truth[kind] += table->value[v];
          if (!table->suppressed[v])
            ts->published[kind] += table->value[v];
          if (kind == 0 && table->value[v] > 0)
            {
              ts->nonzero_cells++;
              ts->nonzero_published += !table->suppressed[v];
            }
        }
    }
}

static void
finish_into (Sums     *sums,
             VpReport *report)
{
  g_autoptr(GError) error = NULL;

  if (!vp_report_finish (report, &error))
    g_error ("A simulated month could not be protected: %s", error->message);
  add_up (sums, report);
}

static void
simulate_month (VpSimTeam *team,
                GArray    *clients,
                guint      k,
                GRand     *rand,
                Sums      *per_team,
                Sums      *per_laptop,
                Year      *team_year,
                Year      *laptop_year)
{
  g_autoptr(VpReport) whole = vp_report_new ("2026-01", k);
  VpReport *laptops[N_LAPTOPS];

  for (guint l = 0; l < N_LAPTOPS; l++)
    laptops[l] = vp_report_new ("2026-01", k);
  vp_sim_month (team, clients, rand, whole, laptops, N_LAPTOPS);
  finish_into (per_team, whole);
  year_add (team_year, whole, 0);
  for (guint l = 0; l < N_LAPTOPS; l++)
    {
      finish_into (per_laptop, laptops[l]);
      year_add (laptop_year, laptops[l], l);
      vp_report_free (laptops[l]);
    }
}

static double
share (double part,
       double whole)
{
  return whole > 0 ? 100.0 * part / whole : 100.0;
}

static void
print_share (double part,
             double whole,
             int    width)
{
  if (whole > 0)
    printf (" %*.1f%%", width - 1, share (part, whole));
  else
    printf (" %*s", width, "-");
}

static void
print_row (const char      *name,
           const TableSums *ts)
{
  printf ("%-32s", name);
  print_share (ts->published[0], ts->truth[0], 8);
  print_share (ts->published[1], ts->truth[1], 10);
  print_share (ts->published[2], ts->truth[2], 8);
  print_share (ts->nonzero_published, ts->nonzero_cells, 14);
  printf ("\n");
}

static void
print_sums (const char *title,
            Sums       *sums)
{
  guint n_defs = 0;
  const VpReportTableDef *defs = vp_report_table_defs (&n_defs);
  TableSums all = { 0 };

  printf ("\n%s\n%-32s %8s %10s %8s %14s\n", title, "table (share recovered)", "cells", "marginals",
          "totals", "non-zero cells");
  for (guint t = 0; t < n_defs; t++)
    {
      TableSums *ts = &sums->tables[t];

      print_row (defs[t].name, ts);
      for (guint i = 0; i < 3; i++)
        {
          all.published[i] += ts->published[i];
          all.truth[i] += ts->truth[i];
        }
      all.nonzero_cells += ts->nonzero_cells;
      all.nonzero_published += ts->nonzero_published;
    }
  print_row ("all tables", &all);
}

void
reach_sim_print (guint32 seed)
{
  const guint ks[] = { 5, 10 };

  printf ("\nA simulated municipality: %u teams (20-80 first contacts a month each), %u months,"
          " seed %u\n", N_TEAMS, N_MONTHS, seed);
  for (guint i = 0; i < G_N_ELEMENTS (ks); i++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      g_autofree Sums *per_team = g_new0 (Sums, 1);
      g_autofree Sums *per_laptop = g_new0 (Sums, 1);
      g_autofree Year *team_year = g_new0 (Year, 1);
      g_autofree Year *laptop_year = g_new0 (Year, 1);
      g_autoptr(VpReport) shape = vp_report_new ("2026-01", ks[i]);
      g_autofree char *title_team = g_strdup_printf ("k = %u, one report per team and month", ks[i]);
      g_autofree char *title_laptop = g_strdup_printf ("k = %u, each team over %u laptops, one report per laptop",
                                                       ks[i], N_LAPTOPS);

      for (guint t = 0; t < N_TEAMS; t++)
        {
          VpSimTeam team;
          g_autoptr(GArray) clients = vp_sim_clients_new ();

          vp_sim_team_init (&team, rand);
          for (guint m = 0; m < N_MONTHS; m++)
            simulate_month (&team, clients, ks[i], rand, per_team, per_laptop, team_year, laptop_year);
          year_close (team_year, shape);
          year_close (laptop_year, shape);
        }
      print_sums (title_team, per_team);
      print_year (title_team, team_year);
      print_sums (title_laptop, per_laptop);
      print_year (title_laptop, laptop_year);
    }
}
