/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What disclosure control costs a municipality: 20 teams of varied size
 * and make-up, 12 months each, reported per team and with each team's
 * clients spread over 5 laptops (one report per laptop). For each table it
 * prints how much of the municipality's year the published values recover
 * (cells, row and column totals, grand totals) and the share of non-zero
 * team-month cells that are published. Synthetic, seeded, reproducible. */
#include "config.h"

#include <stdio.h>

#include "reach-sim.h"
#include "vp-categories.h"
#include "vp-languages.h"
#include "vp-report.h"

#define N_TEAMS 20
#define N_MONTHS 12
#define N_LAPTOPS 5

typedef struct {
  double weights[32];
  guint  n;
} Skew;

typedef struct {
  const char *age_band;
  const char *proficiency;
  const char *language;
  guint       laptop;
} SimClient;

typedef struct {
  Skew location, initiator, age, proficiency, stage, interpreter, language, referral;
  guint first_per_month;
  double follow_ups, referrals, consent;
} Team;

/* Weights drawn so that each team favours a few categories of its own. */
static void
skew_init (Skew  *skew,
           guint  n,
           GRand *rand)
{
  skew->n = MIN (n, G_N_ELEMENTS (skew->weights));
  for (guint i = 0; i < skew->n; i++)
    {
      double u = g_rand_double_range (rand, 0.01, 1.0);
      skew->weights[i] = u * u * u;
    }
}

static guint
skew_pick (const Skew *skew,
           GRand      *rand)
{
  double total = 0, x;

  for (guint i = 0; i < skew->n; i++)
    total += skew->weights[i];
  x = g_rand_double_range (rand, 0, total);
  for (guint i = 0; i < skew->n; i++)
    if ((x -= skew->weights[i]) <= 0)
      return i;
  return skew->n - 1;
}

static const char *
pick_code (VpCategory  category,
           const Skew *skew,
           GRand      *rand)
{
  guint n = 0;
  const VpCategoryEntry *entries = vp_category_entries (category, &n);
  return entries[MIN (skew_pick (skew, rand), n - 1)].code;
}

static guint
category_size (VpCategory category)
{
  guint n = 0;
  vp_category_entries (category, &n);
  return n;
}

static void
team_init (Team  *team,
           GRand *rand)
{
  guint n_languages = 0;

  vp_languages (&n_languages);
  skew_init (&team->location, category_size (VP_CATEGORY_LOCATION_TYPE), rand);
  skew_init (&team->initiator, category_size (VP_CATEGORY_INITIATED_BY), rand);
  skew_init (&team->age, category_size (VP_CATEGORY_AGE_BAND), rand);
  skew_init (&team->proficiency, category_size (VP_CATEGORY_DUTCH_PROFICIENCY), rand);
  skew_init (&team->stage, category_size (VP_CATEGORY_STAGE), rand);
  skew_init (&team->interpreter, category_size (VP_CATEGORY_INTERPRETER_MODE), rand);
  skew_init (&team->language, n_languages, rand);
  skew_init (&team->referral, category_size (VP_CATEGORY_REFERRAL_CATEGORY), rand);
  team->first_per_month = (guint) g_rand_int_range (rand, 20, 81);
  team->follow_ups = g_rand_double_range (rand, 0.5, 1.5);
  team->referrals = g_rand_double_range (rand, 0.15, 0.4);
  team->consent = g_rand_double_range (rand, 0.5, 0.9);
}

typedef struct {
  double published[3]; /* cells, row and column totals, grand total */
  double truth[3];
  guint  nonzero_cells;
  guint  nonzero_published;
} TableSums;

typedef struct {
  TableSums tables[16];
} Sums;

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

/* One team-month: new clients and their first contacts, follow-ups of
 * this and earlier months' clients, and referrals; fed to one report for
 * the team and one per laptop. */
static void
simulate_month (Team      *team,
                GArray    *clients,
                guint      k,
                GRand     *rand,
                Sums      *per_team,
                Sums      *per_laptop)
{
  g_autoptr(VpReport) whole = vp_report_new ("2026-01", k);
  VpReport *laptops[N_LAPTOPS];
  guint n_first = (guint) MAX (1, (int) team->first_per_month + g_rand_int_range (rand, -8, 9));
  guint n_follow = (guint) (n_first * team->follow_ups);
  guint n_referrals = (guint) (n_first * team->referrals);
  guint first_client = clients->len;
  guint n_languages = 0;
  const VpLanguage *languages = vp_languages (&n_languages);

  for (guint l = 0; l < N_LAPTOPS; l++)
    laptops[l] = vp_report_new ("2026-01", k);

  for (guint i = 0; i < n_first + n_follow; i++)
    {
      gboolean first = i < n_first;
      SimClient *client;
      VpReportContact contact = { 0 };
      gboolean consent;

      if (first)
        {
          SimClient c = { pick_code (VP_CATEGORY_AGE_BAND, &team->age, rand), NULL, NULL,
                          (guint) g_rand_int_range (rand, 0, N_LAPTOPS) };

          if (g_rand_double (rand) < team->consent)
            {
              c.proficiency = pick_code (VP_CATEGORY_DUTCH_PROFICIENCY, &team->proficiency, rand);
              c.language = languages[MIN (skew_pick (&team->language, rand), n_languages - 1)].code;
            }
          g_array_append_val (clients, c);
        }
      contact.client_id = first ? (gint64) clients->len - 1
                                : (gint64) g_rand_int_range (rand, first_client > 200 ? (gint32) first_client - 200 : 0,
                                                             (gint32) clients->len);
      client = &g_array_index (clients, SimClient, contact.client_id);
      consent = client->proficiency != NULL;
      contact.kind = first ? "first" : "follow_up";
      contact.location_type = pick_code (VP_CATEGORY_LOCATION_TYPE, &team->location, rand);
      contact.initiated_by = pick_code (VP_CATEGORY_INITIATED_BY, &team->initiator, rand);
      contact.age_band = client->age_band;
      contact.dutch_proficiency = client->proficiency;
      contact.language = client->language;
      contact.stage = first && g_rand_double (rand) < 0.9 ? pick_code (VP_CATEGORY_STAGE, &team->stage, rand) : NULL;
      contact.interpreter_mode = consent && g_rand_double (rand) < 0.7
                                   ? pick_code (VP_CATEGORY_INTERPRETER_MODE, &team->interpreter, rand) : NULL;
      vp_report_add_contact (whole, &contact);
      vp_report_add_contact (laptops[client->laptop], &contact);
    }
  for (guint i = 0; i < n_referrals; i++)
    {
      static const char *statuses[] = { "in_time", "in_time", "late", "awaiting", "overdue" };
      gint64 id = g_rand_int_range (rand, (gint32) first_client, (gint32) clients->len);
      VpReportReferral referral = {
        id, pick_code (VP_CATEGORY_REFERRAL_CATEGORY, &team->referral, rand),
        statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))],
      };

      vp_report_add_referral (whole, &referral);
      vp_report_add_referral (laptops[g_array_index (clients, SimClient, id).laptop], &referral);
    }

  finish_into (per_team, whole);
  for (guint l = 0; l < N_LAPTOPS; l++)
    {
      finish_into (per_laptop, laptops[l]);
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
      g_autofree char *title_team = g_strdup_printf ("k = %u, one report per team and month", ks[i]);
      g_autofree char *title_laptop = g_strdup_printf ("k = %u, each team over %u laptops, one report per laptop",
                                                       ks[i], N_LAPTOPS);

      for (guint t = 0; t < N_TEAMS; t++)
        {
          Team team;
          g_autoptr(GArray) clients = g_array_new (FALSE, FALSE, sizeof (SimClient));

          team_init (&team, rand);
          for (guint m = 0; m < N_MONTHS; m++)
            simulate_month (&team, clients, ks[i], rand, per_team, per_laptop);
        }
      print_sums (title_team, per_team);
      print_sums (title_laptop, per_laptop);
    }
}
