/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vp-disclosure.h"
#include "vp-language-list.h"
#include "vp-report.h"

gboolean
vp_report_table_is_2d (const VpReportTable *table)
{
  return table->def->columns != NULL;
}

guint
vp_report_table_cell (const VpReportTable *table,
                      guint                row,
                      guint                column)
{
  return row * table->columns->len + column;
}

guint
vp_report_table_row_total (const VpReportTable *table,
                           guint                row)
{
  g_return_val_if_fail (vp_report_table_is_2d (table), 0);
  return table->rows->len * table->columns->len + row;
}

guint
vp_report_table_column_total (const VpReportTable *table,
                              guint                column)
{
  g_return_val_if_fail (vp_report_table_is_2d (table), 0);
  return table->rows->len * table->columns->len + table->rows->len + column;
}

guint
vp_report_table_grand_total (const VpReportTable *table)
{
  return table->n_vars - 1;
}

gboolean
vp_report_table_is_total (const VpReportTable *table,
                          guint                var)
{
  return var >= table->rows->len * table->columns->len;
}

static void
add_codes (GPtrArray                *codes,
           const VpReportDimension  *dim,
           gboolean                  not_recorded)
{
  if (dim == NULL)
    {
      g_ptr_array_add (codes, g_strdup (""));
      return;
    }
  if (dim->category >= 0)
    {
      guint n = 0;
      const VpCategoryEntry *entries = vp_category_entries ((VpCategory) dim->category, &n);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (codes, g_strdup (entries[i].code));
    }
  else
    {
      /* Languages: always the app's whole list, so that which rows a
       * report has never depends on who was met. */
      guint n = 0;
      const VpLanguage *languages = vp_languages (&n);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (codes, g_strdup (languages[i].code));
    }
  if (not_recorded)
    g_ptr_array_add (codes, g_strdup (VP_NOT_RECORDED));
}

static VpReportTable *
table_new (const VpReportTableDef *def)
{
  VpReportTable *table = g_new0 (VpReportTable, 1);
  guint nr, nc;

  table->def = def;
  table->rows = g_ptr_array_new_with_free_func (g_free);
  table->columns = g_ptr_array_new_with_free_func (g_free);
  add_codes (table->rows, def->rows, def->rows_not_recorded);
  add_codes (table->columns, def->columns, def->columns_not_recorded);

  nr = table->rows->len;
  nc = table->columns->len;
  table->n_vars = def->columns != NULL ? nr * nc + nr + nc + 1 : nr + 1;
  table->value = g_new0 (gint64, table->n_vars);
  table->n_clients = g_new0 (guint, table->n_vars);
  table->suppressed = g_new0 (gboolean, table->n_vars);
  table->client_sets = g_new0 (GHashTable *, table->n_vars);
  return table;
}

static void
table_free (VpReportTable *table)
{
  g_ptr_array_unref (table->rows);
  g_ptr_array_unref (table->columns);
  g_free (table->value);
  g_free (table->n_clients);
  g_free (table->suppressed);
  g_free (table->lo);
  g_free (table->hi);
  g_free (table->estimate);
  if (table->client_sets != NULL)
    for (guint i = 0; i < table->n_vars; i++)
      g_clear_pointer (&table->client_sets[i], g_hash_table_unref);
  g_free (table->client_sets);
  g_free (table);
}

void
vp_report_free (VpReport *report)
{
  if (report == NULL)
    return;
  g_free (report->team);
  g_free (report->installation);
  g_free (report->municipality);
  g_free (report->period);
  g_free (report->generated_at);
  g_clear_pointer (&report->month_clients, g_hash_table_unref);
  g_ptr_array_unref (report->tables);
  g_free (report);
}

VpReportTable *
vp_report_find_table (VpReport   *report,
                      const char *name)
{
  for (guint i = 0; i < report->tables->len; i++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, i);
      if (g_str_equal (table->def->name, name))
        return table;
    }
  return NULL;
}

static int
code_index (GPtrArray  *codes,
            const char *code)
{
  int fallback = -1;

  for (guint i = 0; i < codes->len; i++)
    {
      const char *c = g_ptr_array_index (codes, i);
      if (code != NULL && strcmp (c, code) == 0)
        return (int) i;
      if (strcmp (c, VP_NOT_RECORDED) == 0)
        fallback = (int) i;
    }
  return fallback;
}

static void
count (VpReportTable *table,
       guint          var,
       gint64         client_id)
{
  if (table->client_sets[var] == NULL)
    table->client_sets[var] = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  table->value[var]++;
  g_hash_table_add (table->client_sets[var], g_memdup2 (&client_id, sizeof client_id));
}

/* One contact adds to its cell and to every total that contains the cell. */
static void
table_add (VpReportTable *table,
           const char    *row_code,
           const char    *column_code,
           gint64         client_id)
{
  int r = code_index (table->rows, row_code);
  int c = vp_report_table_is_2d (table) ? code_index (table->columns, column_code) : 0;

  if (r < 0 || c < 0)
    {
      g_warning ("Skipping a contact with a category unknown to table %s", table->def->name);
      return;
    }
  count (table, vp_report_table_cell (table, (guint) r, (guint) c), client_id);
  if (vp_report_table_is_2d (table))
    {
      count (table, vp_report_table_row_total (table, (guint) r), client_id);
      count (table, vp_report_table_column_total (table, (guint) c), client_id);
    }
  count (table, vp_report_table_grand_total (table), client_id);
}

static void
table_finish_counts (VpReportTable *table)
{
  for (guint i = 0; i < table->n_vars; i++)
    {
      table->n_clients[i] = table->client_sets[i] != NULL ? g_hash_table_size (table->client_sets[i]) : 0;
      g_clear_pointer (&table->client_sets[i], g_hash_table_unref);
    }
  g_clear_pointer (&table->client_sets, g_free);
}

/* Starts an empty report of the given month: every table of DESIGN §5 with
 * all its rows and columns. Add the month's contacts and referrals, then
 * vp_report_finish(). */
VpReport *
vp_report_new (const char *period,
               guint       k)
{
  VpReport *report = g_new0 (VpReport, 1);
  guint n_defs = 0;
  const VpReportTableDef *defs = vp_report_table_defs (&n_defs);

  report->period = g_strdup (period);
  report->k = MAX (k, VP_REPORT_MIN_K);
  report->tables = g_ptr_array_new_with_free_func ((GDestroyNotify) table_free);
  for (guint i = 0; i < n_defs; i++)
    g_ptr_array_add (report->tables, table_new (&defs[i]));
  return report;
}

/* The month's distinct clients, for the rule that a month behind fewer
 * than k of them publishes nothing. */
static void
add_month_client (VpReport *report,
                  gint64    client_id)
{
  if (report->month_clients == NULL)
    report->month_clients = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_hash_table_add (report->month_clients, g_memdup2 (&client_id, sizeof client_id));
}

static void
add_to (VpReport   *report,
        const char *table,
        const char *row_code,
        const char *column_code,
        gint64      client_id)
{
  table_add (vp_report_find_table (report, table), row_code, column_code, client_id);
}

void
vp_report_add_contact (VpReport              *report,
                       const VpReportContact *contact)
{
  g_return_if_fail (report != NULL && contact != NULL);

  add_month_client (report, contact->client_id);
  add_to (report, "contacts", contact->location_type, contact->kind, contact->client_id);
  add_to (report, "interpreter_use", contact->interpreter_mode, contact->dutch_proficiency,
          contact->client_id);
  if (g_strcmp0 (contact->kind, "first") != 0)
    return;
  add_to (report, "first_contacts_by_route", contact->location_type, contact->initiated_by,
          contact->client_id);
  add_to (report, "first_contacts_by_age_language", contact->age_band,
          contact->dutch_proficiency, contact->client_id);
  add_to (report, "early_reach", contact->stage, contact->dutch_proficiency, contact->client_id);
  add_to (report, "first_contacts_by_language", contact->language, NULL, contact->client_id);
}

void
vp_report_add_referral (VpReport               *report,
                        const VpReportReferral *referral)
{
  g_return_if_fail (report != NULL && referral != NULL);

  add_to (report, "referrals", referral->category, referral->feedback_status, referral->client_id);
  add_month_client (report, referral->client_id);
}

/* Counts the distinct clients behind every value and applies disclosure
 * control. FALSE with @error set when the report cannot be protected: then
 * it must not be queued. */
gboolean
vp_report_finish (VpReport  *report,
                  GError   **error)
{
  g_return_val_if_fail (report != NULL, FALSE);

  for (guint i = 0; i < report->tables->len; i++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, i);
      if (table->client_sets != NULL)
        table_finish_counts (table);
    }
  if (report->month_clients != NULL)
    {
      report->n_clients = g_hash_table_size (report->month_clients);
      g_clear_pointer (&report->month_clients, g_hash_table_unref);
    }
  return vp_disclosure_apply (report, error);
}
