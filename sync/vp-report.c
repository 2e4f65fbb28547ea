/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "vp-disclosure.h"
#include "vp-languages.h"
#include "vp-report.h"
#include "vp-report-json.h"
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

/* Which rows belong to the month ?1..?2: those that happened in it and were
 * entered before it fell due (?3, a local date), and those entered in it
 * that happened in a month already due when they were entered (?4: the
 * grace days). A month is released once, so a late entry counts in the
 * month it was entered, never again in its own. */
#define IN_PERIOD(happened, entered) \
  " ((" happened " >= ?1 AND " happened " < ?2 AND " entered " < ?3)" \
  "  OR (" entered " >= ?1 AND " entered " < ?2" \
  "      AND " entered " >= date (substr (" happened ", 1, 7) || '-01', '+1 month'," \
  "                               '+' || ?4 || ' days')))"

/* Ages are whole years at the contact, from the birth year alone; Dutch
 * proficiency and the first preferred language are those recorded with the
 * contact (vp-schema.c), so later changes never alter a month. */
#define CONTACTS_SQL \
  "SELECT c.client_id, c.location_type, c.kind, c.initiated_by," \
  "       CAST (substr (c.occurred_at, 1, 4) AS INTEGER) - cl.birth_year," \
  "       c.dutch_proficiency, c.stage, c.interpreter, c.language" \
  " FROM contact c JOIN client cl ON cl.id = c.client_id" \
  " WHERE" IN_PERIOD ("c.occurred_at", "c.entered_at")

/* Referrals of the month, by their feedback status on the day the report
 * fell due (?5, a local calendar date; see vp_report_build()): feedback
 * that came in later does not count. */
#define REFERRALS_SQL \
  "SELECT r.client_id, r.category," \
  "       CASE WHEN r.feedback_received_on IS NOT NULL AND r.feedback_received_on <= ?5 THEN" \
  "              CASE WHEN r.feedback_received_on <= r.feedback_expected_by THEN 'in_time' ELSE 'late' END" \
  "            WHEN ?5 > r.feedback_expected_by THEN 'overdue' ELSE 'awaiting' END" \
  " FROM referral r WHERE" IN_PERIOD ("r.referred_on", "r.entered_at")

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

static void
add_contact_row (VpReport     *report,
                 sqlite3_stmt *stmt)
{
  VpReportContact contact = {
    .client_id = sqlite3_column_int64 (stmt, 0),
    .location_type = column_text (stmt, 1),
    .kind = column_text (stmt, 2),
    .initiated_by = column_text (stmt, 3),
    .age_band = sqlite3_column_type (stmt, 4) == SQLITE_NULL
                  ? NULL : vp_age_band_for (sqlite3_column_int (stmt, 4)),
    .dutch_proficiency = column_text (stmt, 5),
    .stage = column_text (stmt, 6),
    .interpreter_mode = column_text (stmt, 7),
    .language = column_text (stmt, 8),
  };

  vp_report_add_contact (report, &contact);
}

static void
add_referral_row (VpReport     *report,
                  sqlite3_stmt *stmt)
{
  VpReportReferral referral = {
    .client_id = sqlite3_column_int64 (stmt, 0),
    .category = column_text (stmt, 1),
    .feedback_status = column_text (stmt, 2),
  };

  vp_report_add_referral (report, &referral);
}

typedef struct {
  const char *from;   /* the month's first day */
  const char *until;  /* the next month's first day */
  const char *due;    /* the day the month falls due */
  guint       grace_days;
  const char *status_day;
} PeriodBounds;

static gboolean
add_rows (VpStore            *store,
          VpReport           *report,
          const char         *sql,
          const PeriodBounds *b,
          void              (*add_row) (VpReport *, sqlite3_stmt *),
          GError            **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, b->from, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, b->until, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, b->due, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, (int) b->grace_days);
      if (sqlite3_bind_parameter_count (stmt) >= 5)
        sqlite3_bind_text (stmt, 5, b->status_day, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        add_row (report, stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (store, rc, error);
  return TRUE;
}

/* Builds the month's report from the facts as they were, with disclosure
 * control applied; revision is left at 0 for the outbox to assign. */
VpReport *
vp_report_build (VpStore     *store,
                 const char  *period,
                 guint        k,
                 GDateTime   *now,
                 GError     **error)
{
  g_autoptr(VpReport) report = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) next = NULL;
  g_autoptr(GDateTime) due = NULL;
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;
  g_autofree char *due_day = NULL;
  g_autofree char *status_day = NULL;
  PeriodBounds bounds;
  guint grace_days;

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

  grace_days = vp_sync_get_grace_days (store);
  start = g_date_time_new_local (atoi (period), atoi (period + 5), 1, 0, 0, 0);
  next = g_date_time_add_months (start, 1);
  due = g_date_time_add_days (next, (gint) grace_days);
  from = g_date_time_format (start, "%Y-%m-%d");
  until = g_date_time_format (next, "%Y-%m-%d");
  due_day = g_date_time_format (due, "%Y-%m-%d");
  /* Statuses are taken on the day the month fell due (or today, for a
   * preview of a month that is not due yet). */
  status_day = g_date_time_format (g_date_time_compare (now, due) < 0 ? now : due, "%Y-%m-%d");
  bounds = (PeriodBounds) { from, until, due_day, grace_days, status_day };

  utc = g_date_time_to_utc (now);
  report = vp_report_new (period, k);
  report->team = g_strdup (vp_store_get_team_code (store));
  report->installation = g_strdup (vp_store_get_installation_id (store));
  report->municipality = g_strdup (vp_store_get_municipality_code (store));
  report->generated_at = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");

  if (!add_rows (store, report, CONTACTS_SQL, &bounds, add_contact_row, error) ||
      !add_rows (store, report, REFERRALS_SQL, &bounds, add_referral_row, error) ||
      !vp_report_finish (report, error))
    return NULL;
  return g_steal_pointer (&report);
}
