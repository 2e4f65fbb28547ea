/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the endpoint adds up from received reports (sync/endpoint/vp-reach.c):
 * each suppressed value's range and estimate come from the same code the
 * device protects its reports with; a range always holds the truth, and on
 * small tables it is exactly what brute-force enumeration of every
 * completion finds; sums over reports carry the sums of the ranges. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "vp-disclosure.h"
#include "vp-endpoint-db.h"
#include "vp-reach-export.h"
#include "vp-reach-select.h"
#include "vp-reach.h"
#include "vp-report-json.h"
#include "vp-sim.h"

#define INSTALLATION_A "0123456789abcdef0123456789abcdef"
#define INSTALLATION_B "fedcba9876543210fedcba9876543210"

static VpStoredReport *
stored_new (VpReport *report)
{
  VpStoredReport *stored = g_new0 (VpStoredReport, 1);

  stored->team = g_strdup (report->team);
  stored->installation = g_strdup (report->installation);
  stored->period = g_strdup (report->period);
  stored->municipality = g_strdup (report->municipality);
  stored->revision = 1;
  stored->body = vp_report_to_json (report);
  return stored;
}

static void
name_report (VpReport   *report,
             const char *team,
             const char *installation)
{
  report->team = g_strdup (team);
  report->installation = g_strdup (installation);
  report->municipality = g_strdup ("GM0363");
  report->generated_at = g_strdup ("2026-11-08T09:00:00Z");
  report->revision = 1;
}

/* The true values stay in the device's report; what the endpoint sees is
 * its JSON. Every range holds the truth, every published value is exact,
 * and the estimates keep every published row, column and grand total. */
static void
check_report_against_truth (VpReport *truth,
                            VpReport *seen)
{
  for (guint t = 0; t < truth->tables->len; t++)
    {
      VpReportTable *tt = g_ptr_array_index (truth->tables, t);
      VpReportTable *st = g_ptr_array_index (seen->tables, t);

      for (guint v = 0; v < tt->n_vars; v++)
        {
          g_assert_cmpint (st->lo[v], <=, tt->value[v]);
          if (st->hi[v] != VP_REPORT_UNBOUNDED)
            g_assert_cmpint (tt->value[v], <=, st->hi[v]);
          g_assert_cmpfloat (st->lo[v], <=, st->estimate[v] + 1e-9);
          g_assert_cmpfloat (st->estimate[v], <=, st->hi[v] + 1e-9);
          if (!tt->suppressed[v])
            {
              g_assert_false (st->suppressed[v]);
              g_assert_cmpint (st->lo[v], ==, tt->value[v]);
              g_assert_cmpint (st->hi[v], ==, tt->value[v]);
            }
        }
      if (!vp_report_table_is_2d (st))
        continue;
      for (guint r = 0; r < st->rows->len; r++)
        {
          double sum = 0;

          for (guint c = 0; c < st->columns->len; c++)
            sum += st->estimate[vp_report_table_cell (st, r, c)];
          g_assert_cmpfloat_with_epsilon (sum, st->estimate[vp_report_table_row_total (st, r)], 1e-6);
        }
    }
}

static void
test_reach_truth (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GArray) clients = vp_sim_clients_new ();
  g_autoptr(GPtrArray) truths = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_report_free);
  g_autoptr(GPtrArray) stored = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_stored_report_free);
  g_autoptr(VpReach) reach = vp_reach_new ();
  GPtrArray *seen;
  VpSimTeam team;
  guint n_defs = 0;
  const VpReportTableDef *defs = vp_report_table_defs (&n_defs);

  vp_sim_team_init (&team, rand);
  team.first_per_month = 30;
  for (guint m = 1; m <= 6; m++)
    {
      g_autofree char *period = g_strdup_printf ("2026-%02u", m);
      VpReport *laptops[2] = { vp_report_new (period, 5), vp_report_new (period, 5) };

      vp_sim_month (&team, clients, rand, NULL, laptops, 2);
      for (guint l = 0; l < 2; l++)
        {
          name_report (laptops[l], "noord", l == 0 ? INSTALLATION_A : INSTALLATION_B);
          g_assert_true (vp_report_finish (laptops[l], NULL));
          g_ptr_array_add (stored, stored_new (laptops[l]));
          g_ptr_array_add (truths, laptops[l]);
        }
    }
  vp_reach_load (reach, stored);
  seen = vp_reach_reports (reach);
  g_assert_cmpuint (seen->len, ==, truths->len);
  for (guint i = 0; i < seen->len; i++)
    check_report_against_truth (g_ptr_array_index (truths, i), g_ptr_array_index (seen, i));

  /* A sum over every report holds the sum of the true values, and its
   * value is the published part plus the estimates. */
  for (guint d = 0; d < n_defs; d++)
    {
      VpFigure figure = vp_reach_figure (reach, NULL, defs[d].name, NULL, NULL);
      gint64 truth = 0, published = 0;

      for (guint i = 0; i < truths->len; i++)
        {
          VpReportTable *table = vp_report_find_table (g_ptr_array_index (truths, i), defs[d].name);
          guint total = vp_report_table_grand_total (table);

          truth += table->value[total];
          published += table->suppressed[total] ? 0 : table->value[total];
        }
      g_assert_cmpint (figure.lo, <=, truth);
      if (figure.hi != VP_REPORT_UNBOUNDED)
        g_assert_cmpint (truth, <=, figure.hi);
      g_assert_cmpint (figure.published, ==, published);
      g_assert_cmpuint (figure.n_reports, ==, truths->len);
    }

  /* Loading the same reports again keeps their analysis; a newer revision
   * replaces its month. */
  vp_reach_load (reach, stored);
  g_assert_true (g_ptr_array_index (vp_reach_reports (reach), 0) == g_ptr_array_index (seen, 0));
  g_assert_cmpuint (vp_reach_count (reach, NULL), ==, truths->len);
}

/* A referrals table with the given cells, a pattern of nulls, and totals
 * that are published unless hidden; the other tables are left out. */
typedef struct {
  int      cells[2][2];
  gboolean hide_cell[2][2];
  gboolean hide_row_total[2];
  gboolean hide_column_total[2];
  gboolean hide_total;
} Small;

static void
add_number (JsonBuilder *b,
            int          value,
            gboolean     hidden)
{
  if (hidden)
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, value);
}

static char *
small_report_json (const Small *s,
                   const char  *installation)
{
  static const char *rows[] = { "youth_care", "mental_health", "gp_health", "debt", "income", "housing",
                                "wmo_support", "social_work", "language_education", "work", "migrant_org",
                                "refugee_support", "other" };
  static const char *columns[] = { "in_time", "late", "awaiting", "overdue" };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  int row_total[13] = { 0 }, column_total[4] = { 0 }, total = 0;

  for (guint r = 0; r < 2; r++)
    for (guint c = 0; c < 2; c++)
      {
        row_total[r] += s->cells[r][c];
        column_total[c] += s->cells[r][c];
        total += s->cells[r][c];
      }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "installation");
  json_builder_add_string_value (b, installation);
  json_builder_set_member_name (b, "k");
  json_builder_add_int_value (b, 5);
  json_builder_set_member_name (b, "period");
  json_builder_add_string_value (b, "2026-10");
  json_builder_set_member_name (b, "team");
  json_builder_add_string_value (b, "noord");
  json_builder_set_member_name (b, "tables");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "referrals");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    json_builder_add_string_value (b, rows[r]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "columns");
  json_builder_begin_array (b);
  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    json_builder_add_string_value (b, columns[c]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "cells");
  json_builder_begin_array (b);
  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      json_builder_begin_array (b);
      for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
        add_number (b, r < 2 && c < 2 ? s->cells[r][c] : 0, r < 2 && c < 2 && s->hide_cell[r][c]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "row_totals");
  json_builder_begin_array (b);
  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    add_number (b, row_total[r], r < 2 && s->hide_row_total[r]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "column_totals");
  json_builder_begin_array (b);
  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    add_number (b, column_total[c], c < 2 && s->hide_column_total[c]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  add_number (b, total, s->hide_total);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

#define CAP 40
#define N_FORMS 5

/* The forms checked: each cell of the 2x2 block, and the diagonal. */
static int
form_value (guint     form,
            int       x[2][2])
{
  return form < 4 ? x[form / 2][form % 2] : x[0][0] + x[1][1];
}

static gboolean
keeps_published (const Small *s,
                 int          x[2][2])
{
  int total = 0, truth = 0;

  for (guint r = 0; r < 2; r++)
    for (guint c = 0; c < 2; c++)
      {
        total += x[r][c];
        truth += s->cells[r][c];
      }
  for (guint i = 0; i < 2; i++)
    if ((!s->hide_row_total[i] && x[i][0] + x[i][1] != s->cells[i][0] + s->cells[i][1]) ||
        (!s->hide_column_total[i] && x[0][i] + x[1][i] != s->cells[0][i] + s->cells[1][i]))
      return FALSE;
  return s->hide_total || total == truth;
}

/* Every completion of the hidden cells with values 0..CAP that keeps what
 * was published; min and max of each form over them. A max at the cap
 * means unbounded (bounded values are at most 4 x 8 = 32). */
static void
brute_force (const Small *s,
             int          lo[N_FORMS],
             int          hi[N_FORMS])
{
  int x[2][2];
  guint hidden[4], n_hidden = 0;
  guint64 n_completions = 1;

  for (guint i = 0; i < 4; i++)
    {
      x[i / 2][i % 2] = s->cells[i / 2][i % 2];
      if (s->hide_cell[i / 2][i % 2])
        {
          hidden[n_hidden++] = i;
          n_completions *= CAP + 1;
        }
    }
  for (guint f = 0; f < N_FORMS; f++)
    {
      lo[f] = G_MAXINT;
      hi[f] = G_MININT;
    }
  for (guint64 n = 0; n < n_completions; n++)
    {
      guint64 rest = n;

      for (guint h = 0; h < n_hidden; h++, rest /= CAP + 1)
        x[hidden[h] / 2][hidden[h] % 2] = (int) (rest % (CAP + 1));
      if (!keeps_published (s, x))
        continue;
      for (guint f = 0; f < N_FORMS; f++)
        {
          lo[f] = MIN (lo[f], form_value (f, x));
          hi[f] = MAX (hi[f], form_value (f, x));
        }
    }
}

static VpFigure
small_figure (VpReach    *reach,
              guint       form,
              const char *installation)
{
  static const char *rows[] = { "youth_care", "mental_health" };
  static const char *columns[] = { "in_time", "late" };
  GPtrArray *reports = vp_reach_reports (reach);
  VpFigure sum = { 0 };

  for (guint cell = 0; cell < 4; cell++)
    {
      if (form < 4 ? cell != form : cell != 0 && cell != 3)
        continue;
      for (guint i = 0; i < reports->len; i++)
        {
          VpReport *report = g_ptr_array_index (reports, i);
          VpFigure f;

          if (installation != NULL && !g_str_equal (report->installation, installation))
            continue;
          f = vp_report_figure (report, "referrals", rows[cell / 2], columns[cell % 2]);
          vp_figure_add (&sum, &f);
        }
    }
  return sum;
}

static void
random_small (Small *s,
              GRand *rand)
{
  memset (s, 0, sizeof *s);
  for (guint r = 0; r < 2; r++)
    for (guint c = 0; c < 2; c++)
      {
        s->cells[r][c] = g_rand_int_range (rand, 0, 9);
        s->hide_cell[r][c] = g_rand_boolean (rand);
      }
  for (guint i = 0; i < 2; i++)
    {
      s->hide_row_total[i] = g_rand_int_range (rand, 0, 4) == 0;
      s->hide_column_total[i] = g_rand_int_range (rand, 0, 4) == 0;
    }
  s->hide_total = g_rand_int_range (rand, 0, 4) == 0;
}

static void
check_bounds (const VpFigure *figure,
              int             lo,
              int             hi,
              gboolean        exact)
{
  g_assert_cmpint (figure->lo, <=, lo);
  if (hi >= CAP)
    {
      if (exact)
        g_assert_cmpint (figure->hi, ==, VP_REPORT_UNBOUNDED);
      return;
    }
  g_assert_cmpint (figure->hi, !=, VP_REPORT_UNBOUNDED);
  g_assert_cmpint (figure->hi, >=, hi);
  if (exact)
    {
      g_assert_cmpint (figure->lo, ==, lo);
      g_assert_cmpint (figure->hi, ==, hi);
    }
}

/* Each value's range is exactly the brute-force one; a sum of two
 * reports' values is exactly the sum of their ranges (the reports are
 * independent); a sum of two values of one report carries a range that
 * holds every completion. */
static void
test_reach_brute_force (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);

  for (guint round = 0; round < 150; round++)
    {
      Small a, b;
      int lo_a[N_FORMS], hi_a[N_FORMS], lo_b[N_FORMS], hi_b[N_FORMS];
      g_autoptr(GPtrArray) stored = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_stored_report_free);
      g_autoptr(VpReach) reach = vp_reach_new ();

      random_small (&a, rand);
      random_small (&b, rand);
      for (guint i = 0; i < 2; i++)
        {
          VpStoredReport *s = g_new0 (VpStoredReport, 1);

          s->team = g_strdup ("noord");
          s->installation = g_strdup (i == 0 ? INSTALLATION_A : INSTALLATION_B);
          s->period = g_strdup ("2026-10");
          s->municipality = g_strdup ("GM0363");
          s->revision = 1;
          s->body = small_report_json (i == 0 ? &a : &b, s->installation);
          g_ptr_array_add (stored, s);
        }
      vp_reach_load (reach, stored);
      g_assert_cmpuint (vp_reach_count (reach, NULL), ==, 2);

      brute_force (&a, lo_a, hi_a);
      brute_force (&b, lo_b, hi_b);
      for (guint form = 0; form < N_FORMS; form++)
        {
          VpFigure fa = small_figure (reach, form, INSTALLATION_A);
          VpFigure fb = small_figure (reach, form, INSTALLATION_B);
          VpFigure both = small_figure (reach, form, NULL);
          gboolean exact = form < 4;

          check_bounds (&fa, lo_a[form], hi_a[form], exact);
          check_bounds (&fb, lo_b[form], hi_b[form], exact);
          check_bounds (&both, lo_a[form] + lo_b[form],
                        MAX (hi_a[form], hi_b[form]) >= CAP ? CAP : hi_a[form] + hi_b[form], exact);
          g_assert_cmpfloat_with_epsilon (both.value, fa.value + fb.value, 1e-9);
          g_assert_cmpfloat (lo_a[form], <=, fa.value + 1e-9);
          g_assert_true (fa.hi == VP_REPORT_UNBOUNDED || fa.value <= fa.hi + 1e-9);
        }
    }
}

static void
test_reach_share (void)
{
  VpFigure part = { 10, 8, 12, 0, 1 };
  VpFigure rest = { 30, 28, 33, 0, 1 };
  VpFigure open = { 5, 5, VP_REPORT_UNBOUNDED, 5, 1 };
  VpFigure none = { 0 };
  VpShare share = vp_figure_share (&part, &rest);

  g_assert_cmpfloat_with_epsilon (share.value, 0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (share.lo, 8.0 / 41.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (share.hi, 12.0 / 40.0, 1e-9);
  share = vp_figure_share (&part, &open);
  g_assert_cmpfloat_with_epsilon (share.lo, 0.0, 1e-9);
  share = vp_figure_share (&none, &none);
  g_assert_true (isnan (share.value));
}

/* Periods and scopes: a quarter is three months, a group its teams, and
 * what does not exist is refused with a reason. */
static void
test_reach_select (void)
{
  g_autoptr(VpReach) reach = vp_reach_new ();
  g_autoptr(GPtrArray) teams = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_endpoint_team_free);
  g_autoptr(GPtrArray) stored = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_stored_report_free);
  g_autoptr(VpReachSelection) selection = NULL;
  g_autoptr(GError) error = NULL;
  const char *codes[] = { "noord", "noord-west", "zuid" };
  const char *groups[] = { "Noord", "Noord", "Zuid" };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      VpEndpointTeam *team = g_new0 (VpEndpointTeam, 1);
      g_autoptr(VpReport) report = vp_report_new (i == 2 ? "2026-04" : "2026-10", 5);

      team->code = g_strdup (codes[i]);
      team->name = g_strdup_printf ("Wijkteam %s", codes[i]);
      team->group = g_strdup (groups[i]);
      g_ptr_array_add (teams, team);
      name_report (report, codes[i], INSTALLATION_A);
      g_assert_true (vp_report_finish (report, NULL));
      g_ptr_array_add (stored, stored_new (report));
    }
  vp_reach_load (reach, stored);

  selection = vp_reach_select (reach, teams, VP_LANG_EN, "2026-Q4", "group:Noord", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (selection->filter.from, ==, "2026-10");
  g_assert_cmpstr (selection->filter.to, ==, "2026-12");
  g_assert_cmpuint (selection->months->len, ==, 3);
  g_assert_cmpuint (selection->scoped_teams->len, ==, 2);
  g_assert_cmpuint (vp_reach_count (reach, &selection->filter), ==, 2);
  g_clear_pointer (&selection, vp_reach_selection_free);

  selection = vp_reach_select (reach, teams, VP_LANG_EN, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (selection->filter.from, ==, "2025-11");
  g_assert_cmpstr (selection->filter.to, ==, "2026-10");
  g_assert_cmpuint (vp_reach_count (reach, &selection->filter), ==, 3);
  g_clear_pointer (&selection, vp_reach_selection_free);

  selection = vp_reach_select (reach, teams, VP_LANG_EN, "2026", "team:zuid", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vp_reach_count (reach, &selection->filter), ==, 1);
  g_clear_pointer (&selection, vp_reach_selection_free);

  g_assert_null (vp_reach_select (reach, teams, VP_LANG_EN, "2026-13", NULL, &error));
  g_assert_error (error, VP_REACH_SELECT_ERROR, VP_REACH_SELECT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (vp_reach_select (reach, teams, VP_LANG_EN, NULL, "team:elsewhere", &error));
  g_assert_error (error, VP_REACH_SELECT_ERROR, VP_REACH_SELECT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (vp_reach_select (reach, teams, VP_LANG_EN, "last12'><script>", NULL, &error));
  g_clear_error (&error);
}

/* The CSV a spreadsheet opens: a byte order mark, ";" in Dutch, labels
 * and codes side by side, one line per team, month and value. */
static void
test_reach_csv (void)
{
  g_autoptr(VpReach) reach = vp_reach_new ();
  g_autoptr(GPtrArray) teams = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_endpoint_team_free);
  g_autoptr(GPtrArray) stored = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_stored_report_free);
  g_autoptr(VpReachSelection) selection = NULL;
  g_autoptr(VpReport) report = vp_report_new ("2026-10", 5);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(GArray) clients = vp_sim_clients_new ();
  VpEndpointTeam *team = g_new0 (VpEndpointTeam, 1);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  VpSimTeam sim;
  gsize len = 0;

  team->code = g_strdup ("noord");
  team->name = g_strdup ("=Wijkteam; \"Noord\"");
  team->group = g_strdup ("Noord");
  g_ptr_array_add (teams, team);
  vp_sim_team_init (&sim, rand);
  vp_sim_month (&sim, clients, rand, NULL, &report, 1);
  name_report (report, "noord", INSTALLATION_A);
  g_assert_true (vp_report_finish (report, NULL));
  g_ptr_array_add (stored, stored_new (report));
  vp_reach_load (reach, stored);

  selection = vp_reach_select (reach, teams, VP_LANG_NL, "2026-10", "all", NULL);
  csv = vp_reach_export_csv (reach, selection, "early_reach", &len);
  g_assert_cmpuint (len, ==, strlen (csv));
  g_assert_true (g_str_has_prefix (csv, "\xEF\xBB\xBF"));
  lines = g_strsplit (csv, "\r\n", -1);
  /* A header, then 5 stages (with not recorded and total) x 5 columns. */
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 6 * 5 + 1);
  g_assert_cmpuint (strlen (lines[g_strv_length (lines) - 1]), ==, 0);
  g_assert_nonnull (strstr (lines[1], "2026-10;\"'=Wijkteam; \"\"Noord\"\"\";Noord;"));
  g_assert_nonnull (strstr (lines[1], ";noord;early_reach;prevention;sufficient"));
}

/* A month that published nothing (two clients) is estimated as the same
 * laptop's average month, keeping every sum, with its range untouched. */
static void
test_reach_silent (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);
  g_autoptr(GArray) clients = vp_sim_clients_new ();
  g_autoptr(GPtrArray) stored = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_stored_report_free);
  g_autoptr(VpReach) reach = vp_reach_new ();
  VpReport *silent = NULL;
  GPtrArray *seen;
  VpSimTeam team;
  double mean = 0;

  vp_sim_team_init (&team, rand);
  for (guint m = 1; m <= 3; m++)
    {
      g_autofree char *period = g_strdup_printf ("2026-%02u", m);
      g_autoptr(VpReport) report = vp_report_new (period, 5);

      team.first_per_month = m == 3 ? 1 : 60;
      team.follow_ups = m == 3 ? 0.0 : 1.0;
      team.referrals = m == 3 ? 0.0 : 0.3;
      vp_sim_month (&team, clients, rand, NULL, &report, 1);
      name_report (report, "noord", INSTALLATION_A);
      g_assert_true (vp_report_finish (report, NULL));
      g_ptr_array_add (stored, stored_new (report));
    }
  vp_reach_load (reach, stored);
  seen = vp_reach_reports (reach);
  for (guint i = 0; i < seen->len; i++)
    {
      VpReport *report = g_ptr_array_index (seen, i);
      VpReportTable *contacts = vp_report_find_table (report, "contacts");

      if (vp_report_is_silent (report))
        silent = report;
      else
        mean += contacts->estimate[vp_report_table_grand_total (contacts)] / 2;
    }
  g_assert_nonnull (silent);
  g_assert_cmpstr (silent->period, ==, "2026-03");
  for (guint t = 0; t < silent->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (silent->tables, t);
      guint total = vp_report_table_grand_total (table);

      g_assert_cmpint (table->lo[total], ==, 0);
      if (!vp_report_table_is_2d (table))
        continue;
      for (guint r = 0; r < table->rows->len; r++)
        {
          double sum = 0;

          for (guint c = 0; c < table->columns->len; c++)
            sum += table->estimate[vp_report_table_cell (table, r, c)];
          g_assert_cmpfloat_with_epsilon (sum, table->estimate[vp_report_table_row_total (table, r)], 1e-6);
        }
    }
  {
    VpReportTable *contacts = vp_report_find_table (silent, "contacts");

    g_assert_cmpfloat (mean, >, 20);
    g_assert_cmpfloat_with_epsilon (contacts->estimate[vp_report_table_grand_total (contacts)], mean, 1e-6);
    g_assert_cmpint (contacts->hi[vp_report_table_grand_total (contacts)], ==, VP_REPORT_UNBOUNDED);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/reach/truth", test_reach_truth);
  g_test_add_func ("/reach/brute-force", test_reach_brute_force);
  g_test_add_func ("/reach/share", test_reach_share);
  g_test_add_func ("/reach/silent", test_reach_silent);
  g_test_add_func ("/reach/select", test_reach_select);
  g_test_add_func ("/reach/csv", test_reach_csv);

  return g_test_run ();
}
