/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "vp-report-build.h"
#include "vp-store-private.h"
#include "vp-sync.h"

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
