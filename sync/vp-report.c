/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "vp-disclosure.h"
#include "vp-report.h"
#include "vp-sync.h"

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
  guint n = 0;
  const VpCategoryEntry *entries;

  if (dim == NULL)
    {
      g_ptr_array_add (codes, g_strdup (""));
      return;
    }
  entries = vp_category_entries ((VpCategory) dim->category, &n);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (codes, g_strdup (entries[i].code));
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

/* Each table is filled from one query that yields (row code, column code,
 * client) per contact of the month. Ages are whole years at the contact,
 * from the birth year alone. */
static const struct {
  const char *table;
  const char *sql;
} table_queries[] = {
  { "contacts",
    "SELECT c.location_type, c.kind, c.client_id FROM contact c"
    " WHERE c.occurred_at >= ?1 AND c.occurred_at < ?2" },
  { "first_contacts_by_age_language",
    "SELECT CASE WHEN cl.birth_year IS NULL THEN NULL"
    "            WHEN CAST (substr (c.occurred_at, 1, 4) AS INTEGER) - cl.birth_year < 18 THEN '0-17'"
    "            WHEN CAST (substr (c.occurred_at, 1, 4) AS INTEGER) - cl.birth_year < 25 THEN '18-24'"
    "            WHEN CAST (substr (c.occurred_at, 1, 4) AS INTEGER) - cl.birth_year < 65 THEN '25-64'"
    "            ELSE '65+' END,"
    "       ln.dutch_proficiency, c.client_id"
    " FROM contact c JOIN client cl ON cl.id = c.client_id"
    " LEFT JOIN language_need ln ON ln.client_id = c.client_id"
    " WHERE c.kind = 'first' AND c.occurred_at >= ?1 AND c.occurred_at < ?2" },
  /* Referrals made in the month, by their feedback status on the day the
   * report fell due (?3, a local calendar date; see vp_report_build()). */
  { "referrals",
    "SELECT r.category,"
    "       CASE WHEN r.feedback_received_on IS NOT NULL THEN"
    "              CASE WHEN r.feedback_received_on <= r.feedback_expected_by THEN 'in_time' ELSE 'late' END"
    "            WHEN ?3 > r.feedback_expected_by THEN 'overdue' ELSE 'awaiting' END,"
    "       r.client_id"
    " FROM referral r WHERE r.referred_on >= ?1 AND r.referred_on < ?2" },
};

static gboolean
fill_table (VpStore        *store,
            VpReportTable  *table,
            const char     *sql,
            const char     *from,
            const char     *until,
            const char     *today,
            GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, until, -1, SQLITE_STATIC);
      if (sqlite3_bind_parameter_count (stmt) >= 3)
        sqlite3_bind_text (stmt, 3, today, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        table_add (table,
                   (const char *) sqlite3_column_text (stmt, 0),
                   (const char *) sqlite3_column_text (stmt, 1),
                   sqlite3_column_int64 (stmt, 2));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  table_finish_counts (table);
  return TRUE;
}

/* Builds the month's report with disclosure control applied; revision is
 * left at 0 for the outbox to assign. */
VpReport *
vp_report_build (VpStore     *store,
                 const char  *period,
                 guint        k,
                 GDateTime   *now,
                 GError     **error)
{
  g_autoptr(VpReport) report = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;
  g_autofree char *today = NULL;
  int year, month;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  g_return_val_if_fail (now != NULL, NULL);

  if (!vp_report_is_period (period))
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                   _("“%s” is not a month (YYYY-MM)"), period);
      return NULL;
    }
  if (!vp_store_is_open (store))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return NULL;
    }

  year = atoi (period);
  month = atoi (period + 5);
  from = g_strdup_printf ("%s-01", period);
  until = month == 12 ? g_strdup_printf ("%04d-01-01", year + 1)
                      : g_strdup_printf ("%04d-%02d-01", year, month + 1);

  utc = g_date_time_to_utc (now);
  /* Statuses are taken on the day the month fell due (or today, if that
   * is earlier), so that a delivered month does not get a new revision
   * every time a referral of it turns overdue. */
  {
    g_autoptr(GDateTime) start = g_date_time_new_local (year, month, 1, 0, 0, 0);
    g_autoptr(GDateTime) next = g_date_time_add_months (start, 1);
    g_autoptr(GDateTime) due = g_date_time_add_days (next, (gint) vp_sync_get_grace_days (store));

    today = g_date_time_format (g_date_time_compare (now, due) < 0 ? now : due, "%Y-%m-%d");
  }
  report = g_new0 (VpReport, 1);
  report->team = g_strdup (vp_store_get_team_code (store));
  report->installation = g_strdup (vp_store_get_installation_id (store));
  report->municipality = g_strdup (vp_store_get_municipality_code (store));
  report->period = g_strdup (period);
  report->generated_at = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  report->k = MAX (k, VP_REPORT_MIN_K);
  report->tables = g_ptr_array_new_with_free_func ((GDestroyNotify) table_free);

  for (guint i = 0; i < G_N_ELEMENTS (table_queries); i++)
    {
      VpReportTable *table = table_new (vp_report_table_def_lookup (table_queries[i].table));

      g_ptr_array_add (report->tables, table);
      if (!fill_table (store, table, table_queries[i].sql, from, until, today, error))
        return NULL;
    }

  vp_disclosure_apply (report);
  return g_steal_pointer (&report);
}
