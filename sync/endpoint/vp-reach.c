/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vp-disclosure.h"
#include "vp-endpoint-db.h"
#include "vp-reach.h"

/* What a municipality can add up from the reports it received. A value
 * that a report suppressed is never read as 0: it contributes its estimate
 * to a figure and its range to the figure's range. The estimate of a
 * report keeps every sum the report publishes, so a figure added up from
 * estimates agrees with every published total it covers. */

struct _VpReach
{
  GHashTable *cache;   /* "team/installation/period/revision" -> VpReport */
  GPtrArray  *current; /* VpReport *, borrowed from the cache */
};

VpReach *
vp_reach_new (void)
{
  VpReach *self = g_new0 (VpReach, 1);

  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) vp_report_free);
  self->current = g_ptr_array_new ();
  return self;
}

void
vp_reach_free (VpReach *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->current);
  g_hash_table_unref (self->cache);
  g_free (self);
}

/* A report whose published values admit no completion (which a validated
 * report cannot be) still counts: what it published exactly, and nothing
 * known about the rest. */
static void
ranges_unknown (VpReport *report)
{
  for (guint t = 0; t < report->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, t);

      g_free (table->lo);
      g_free (table->hi);
      g_free (table->estimate);
      table->lo = g_new0 (gint64, table->n_vars);
      table->hi = g_new0 (gint64, table->n_vars);
      table->estimate = g_new0 (double, table->n_vars);
      for (guint v = 0; v < table->n_vars; v++)
        {
          gboolean known = !table->suppressed[v] && !table->absent;

          table->lo[v] = known ? table->value[v] : 0;
          table->hi[v] = known ? table->value[v] : VP_REPORT_UNBOUNDED;
          table->estimate[v] = known ? table->value[v] : 0;
        }
    }
}

static VpReport *
analyse (const VpStoredReport *stored)
{
  g_autoptr(VpReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = vp_report_new_from_json (stored->body, &error);
  if (report == NULL)
    {
      g_warning ("Skipping a stored report of %s for %s: %s", stored->team, stored->period,
                 error->message);
      return NULL;
    }
  if (!vp_disclosure_ranges (report, &error))
    {
      g_warning ("No ranges for the report of %s for %s: %s", stored->team, stored->period,
                 error->message);
      ranges_unknown (report);
    }
  return g_steal_pointer (&report);
}

/**
 * vp_reach_load:
 * @self: a #VpReach
 * @stored: (element-type VpStoredReport): the latest revision of every report
 *
 * Makes @stored the reports that figures add up; reports seen before keep
 * their ranges, the others are analysed now.
 */
void
vp_reach_load (VpReach   *self,
               GPtrArray *stored)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  g_ptr_array_set_size (self->current, 0);
  for (guint i = 0; i < stored->len; i++)
    {
      const VpStoredReport *s = g_ptr_array_index (stored, i);
      g_autofree char *id = g_strdup_printf ("%s/%s/%s/%" G_GINT64_FORMAT, s->team,
                                             s->installation, s->period, s->revision);
      char *cache_key = NULL;
      VpReport *report = NULL;

      /* A report that cannot be read is remembered too (as NULL), so that
       * it is warned about once. */
      if (!g_hash_table_lookup_extended (self->cache, id, (gpointer *) &cache_key, (gpointer *) &report))
        {
          report = analyse (s);
          cache_key = g_steal_pointer (&id);
          g_hash_table_insert (self->cache, cache_key, report);
        }
      g_hash_table_add (seen, cache_key);
      if (report != NULL)
        g_ptr_array_add (self->current, report);
    }
  /* Superseded revisions go. */
  g_hash_table_iter_init (&iter, self->cache);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (seen, key))
      g_hash_table_iter_remove (&iter);
  vp_reach_impute_silent (self->current);
}

/**
 * vp_report_is_silent:
 * @report: a received report
 *
 * Returns: whether it published no value at all: a month with too few
 *   clients, or one whose every value had to be hidden
 */
gboolean
vp_report_is_silent (VpReport *report)
{
  for (guint t = 0; t < report->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, t);

      for (guint v = 0; !table->absent && v < table->n_vars; v++)
        if (!table->suppressed[v])
          return FALSE;
    }
  return TRUE;
}

static gboolean
same_laptop (VpReport *a,
             VpReport *b)
{
  return g_strcmp0 (a->team, b->team) == 0 && g_strcmp0 (a->installation, b->installation) == 0;
}

/* The reports whose months stand in for a silent one: the same laptop's
 * other months, or else the same team's. */
static GPtrArray *
donors_for (GPtrArray *reports,
            VpReport  *silent)
{
  GPtrArray *donors = g_ptr_array_new ();

  for (guint pass = 0; pass < 2 && donors->len == 0; pass++)
    for (guint i = 0; i < reports->len; i++)
      {
        VpReport *other = g_ptr_array_index (reports, i);

        if (other != silent && other->tables->len == silent->tables->len && !vp_report_is_silent (other) &&
            (pass == 0 ? same_laptop (other, silent) : g_strcmp0 (other->team, silent->team) == 0))
          g_ptr_array_add (donors, other);
      }
  return donors;
}

/**
 * vp_reach_impute_silent:
 * @reports: (element-type VpReport): reports with ranges
 *
 * A silent report (vp_report_is_silent()) says nothing of its size, so the
 * completion its own ranges give is all zeros. Its estimate becomes instead
 * the mean of the estimates of the same laptop's other months (or else its
 * team's): each of those keeps every relation of the tables, so their mean
 * does too, and with nothing published it is consistent with everything
 * the silent report publishes. Its range does not change.
 */
void
vp_reach_impute_silent (GPtrArray *reports)
{
  for (guint i = 0; i < reports->len; i++)
    {
      VpReport *report = g_ptr_array_index (reports, i);
      g_autoptr(GPtrArray) donors = NULL;

      if (!vp_report_is_silent (report) || (donors = donors_for (reports, report))->len == 0)
        continue;
      for (guint t = 0; t < report->tables->len; t++)
        {
          VpReportTable *table = g_ptr_array_index (report->tables, t);

          for (guint v = 0; table->estimate != NULL && v < table->n_vars; v++)
            {
              double sum = 0;

              for (guint d = 0; d < donors->len; d++)
                {
                  VpReportTable *other = g_ptr_array_index (((VpReport *) g_ptr_array_index (donors, d))->tables, t);

                  sum += other->estimate != NULL && other->n_vars == table->n_vars ? other->estimate[v] : 0;
                }
              table->estimate[v] = CLAMP (sum / donors->len, (double) table->lo[v],
                                          table->hi[v] == VP_REPORT_UNBOUNDED ? G_MAXDOUBLE : (double) table->hi[v]);
            }
        }
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/**
 * vp_reach_months:
 * @self: a #VpReach
 *
 * Returns: (transfer container) (element-type utf8): the months that have
 *   reports, oldest first; the strings belong to @self
 */
GPtrArray *
vp_reach_months (VpReach *self)
{
  g_autoptr(GHashTable) months = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *list = g_ptr_array_new ();

  for (guint i = 0; i < self->current->len; i++)
    {
      char *period = ((VpReport *) g_ptr_array_index (self->current, i))->period;

      if (g_hash_table_add (months, period))
        g_ptr_array_add (list, period);
    }
  g_ptr_array_sort (list, compare_strings);
  return list;
}

GPtrArray *
vp_reach_reports (VpReach *self)
{
  return self->current;
}

static gboolean
filter_matches (const VpReachFilter *filter,
                const VpReport      *report)
{
  if (filter == NULL)
    return TRUE;
  if (filter->teams != NULL && !g_hash_table_contains (filter->teams, report->team))
    return FALSE;
  return (filter->from[0] == '\0' || strcmp (report->period, filter->from) >= 0) &&
         (filter->to[0] == '\0' || strcmp (report->period, filter->to) <= 0);
}

guint
vp_reach_count (VpReach             *self,
                const VpReachFilter *filter)
{
  guint n = 0;

  for (guint i = 0; i < self->current->len; i++)
    n += filter_matches (filter, g_ptr_array_index (self->current, i));
  return n;
}

static int
code_index (GPtrArray  *codes,
            const char *code)
{
  for (guint i = 0; i < codes->len; i++)
    if (g_str_equal (g_ptr_array_index (codes, i), code))
      return (int) i;
  return -1;
}

/* The variable of row and column (NULL for their total), or -1 when the
 * table has no such row or column. */
static int
variable (const VpReportTable *table,
          const char          *row,
          const char          *column)
{
  int r = row != NULL ? code_index (table->rows, row) : -2;
  int c = column != NULL && vp_report_table_is_2d (table) ? code_index (table->columns, column) : -2;

  if (r == -1 || c == -1)
    return -1;
  if (!vp_report_table_is_2d (table))
    return r >= 0 ? (int) vp_report_table_cell (table, (guint) r, 0) : (int) vp_report_table_grand_total (table);
  if (r >= 0 && c >= 0)
    return (int) vp_report_table_cell (table, (guint) r, (guint) c);
  if (r >= 0)
    return (int) vp_report_table_row_total (table, (guint) r);
  if (c >= 0)
    return (int) vp_report_table_column_total (table, (guint) c);
  return (int) vp_report_table_grand_total (table);
}

/**
 * vp_report_figure:
 * @report: a report with ranges (vp_disclosure_ranges())
 * @table: the table's name
 * @row: (nullable): a row code, or %NULL for the column's total
 * @column: (nullable): a column code, or %NULL for the row's total; ignored
 *   for one-dimensional tables
 *
 * Returns: the value, exact when published; a report without the table
 *   or the category counts as unknown (0, with no upper bound)
 */
VpFigure
vp_report_figure (VpReport   *report,
                  const char *table_name,
                  const char *row,
                  const char *column)
{
  VpReportTable *table = vp_report_find_table (report, table_name);
  VpFigure figure = { 0, 0, VP_REPORT_UNBOUNDED, 0, 1 };
  int v;

  if (table == NULL || table->absent || (v = variable (table, row, column)) < 0)
    return figure;
  if (!table->suppressed[v])
    return (VpFigure) { (double) table->value[v], table->value[v], table->value[v], table->value[v], 1 };
  if (table->lo == NULL)
    return figure;
  return (VpFigure) { table->estimate[v], table->lo[v], table->hi[v], 0, 1 };
}

/**
 * vp_reach_figure:
 * @self: a #VpReach
 * @filter: (nullable): which reports to add up; %NULL for all
 * @table: the table's name
 * @row: (nullable): a row code, or %NULL for the total over rows
 * @column: (nullable): a column code, or %NULL for the total over columns
 *
 * Returns: the figure over every report that @filter lets through
 */
VpFigure
vp_reach_figure (VpReach             *self,
                 const VpReachFilter *filter,
                 const char          *table,
                 const char          *row,
                 const char          *column)
{
  VpFigure sum = { 0 };

  for (guint i = 0; i < self->current->len; i++)
    {
      VpReport *report = g_ptr_array_index (self->current, i);
      VpFigure figure;

      if (!filter_matches (filter, report))
        continue;
      figure = vp_report_figure (report, table, row, column);
      vp_figure_add (&sum, &figure);
    }
  return sum;
}

void
vp_figure_add (VpFigure       *sum,
               const VpFigure *figure)
{
  sum->value += figure->value;
  sum->lo += figure->lo;
  if (sum->hi != VP_REPORT_UNBOUNDED)
    sum->hi = figure->hi == VP_REPORT_UNBOUNDED ? VP_REPORT_UNBOUNDED : sum->hi + figure->hi;
  sum->published += figure->published;
  sum->n_reports += figure->n_reports;
}

gboolean
vp_figure_is_exact (const VpFigure *figure)
{
  return figure->lo == figure->hi;
}

/**
 * vp_figure_share:
 * @part: what is counted
 * @rest: everything else in the whole
 *
 * part / (part + rest) grows with part and shrinks with rest, so the
 * range's ends come from opposite ends of the two ranges.
 *
 * Returns: the share and its guaranteed range, as fractions
 */
VpShare
vp_figure_share (const VpFigure *part,
                 const VpFigure *rest)
{
  VpShare share = { NAN, 0.0, 1.0 };
  double whole = (double) part->value + (double) rest->value;

  if (whole > 0)
    share.value = part->value / whole;
  if (rest->hi != VP_REPORT_UNBOUNDED && part->lo + rest->hi > 0)
    share.lo = (double) part->lo / (double) (part->lo + rest->hi);
  if (part->hi != VP_REPORT_UNBOUNDED && part->hi + rest->lo > 0)
    share.hi = (double) part->hi / (double) (part->hi + rest->lo);
  else if (part->hi == 0 && rest->lo == 0)
    share.hi = 1.0;
  return share;
}
