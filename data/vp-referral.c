/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-categories.h"
#include "vp-referral.h"
#include "vp-team-store.h"
#include "vp-store-private.h"

/* Referrals and their feedback (DOMAIN: "make sure there is feedback after
 * referral"). Dates are local calendar dates (GDate), never times, so a
 * daylight-saving change or a year boundary cannot move a deadline. */

const char *
vp_referral_status_code (VpReferralStatus status)
{
  static const char *codes[] = { "awaiting", "overdue", "in_time", "late" };

  g_return_val_if_fail (status <= VP_REFERRAL_LATE, NULL);
  return codes[status];
}

/* Feedback on the expected day itself is in time; without feedback, the
 * referral is overdue from the day after. */
VpReferralStatus
vp_referral_status (const GDate *expected_by,
                    const GDate *received_on,
                    const GDate *today)
{
  g_return_val_if_fail (g_date_valid (expected_by), VP_REFERRAL_AWAITING);

  if (received_on != NULL && g_date_valid (received_on))
    return g_date_compare (received_on, expected_by) <= 0 ? VP_REFERRAL_IN_TIME : VP_REFERRAL_LATE;
  return g_date_compare (today, expected_by) <= 0 ? VP_REFERRAL_AWAITING : VP_REFERRAL_OVERDUE;
}

void
vp_referral_free (VpReferral *referral)
{
  if (referral == NULL)
    return;
  g_free (referral->client_label);
  g_free (referral->category);
  g_free (referral->organisation);
  g_free (referral->outcome);
  g_free (referral->feedback_note);
  g_free (referral->leader_note);
  g_free (referral);
}

static char *
date_text (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date), g_date_get_day (date));
}

static void
parse_date (const unsigned char *text,
            GDate               *date)
{
  unsigned y = 0, m = 0, d = 0;

  g_date_clear (date, 1);
  if (text != NULL && sscanf ((const char *) text, "%4u-%2u-%2u", &y, &m, &d) == 3 &&
      g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    g_date_set_dmy (date, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

static void
today_local (GDate *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now), (GDateYear) g_date_time_get_year (now));
}

/* The category's feedback period; the default when none is set, FALSE when
 * it cannot be read (a deadline from the default would be stored). */
static gboolean
read_feedback_days (VpStore     *store,
                    const char  *category,
                    guint       *days,
                    GError     **error)
{
  g_autofree char *key = g_strdup_printf ("feedback_days:%s", category);
  g_autofree char *text = NULL;
  guint64 value;

  if (!vp_store_read_setting (store, key, &text, error))
    return FALSE;
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, 365, &value, NULL))
    value = VP_FEEDBACK_DEFAULT_DAYS;
  *days = (guint) value;
  return TRUE;
}

/* For showing: the default also when the setting cannot be read. */
guint
vp_store_get_feedback_days (VpStore    *store,
                            const char *category)
{
  guint days = VP_FEEDBACK_DEFAULT_DAYS;

  read_feedback_days (store, category, &days, NULL);
  return days;
}

gboolean
vp_store_set_feedback_days (VpStore     *store,
                            const char  *category,
                            guint        days,
                            GError     **error)
{
  g_autofree char *key = g_strdup_printf ("feedback_days:%s", category);
  g_autofree char *value = g_strdup_printf ("%u", days);

  if (g_strcmp0 (vp_store_get_account_role (store), "team_leader") != 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("Only a team leader can change feedback periods"));
      return FALSE;
    }
  if (!vp_category_has_code (VP_CATEGORY_REFERRAL_CATEGORY, category) || days < 1 || days > 365)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("A feedback period is between 1 and 365 days"));
      return FALSE;
    }
  return vp_store_set_setting (store, key, value, error);
}

/* @detail: for a change, what kind ("correction", "feedback", "review"),
 * without the values themselves. */
static gboolean
commit_with_audit (VpStore     *store,
                   int          rc,
                   const char  *action,
                   gint64       id,
                   const char  *detail,
                   GError     **error)
{
  if (rc != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CONSTRAINT && strstr (sqlite3_errmsg (vp_store_get_db (store)), "consent") != NULL)
        g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                             _("A referral can only be recorded with the client’s consent"));
      else
        vp_store_set_sqlite_error (store, rc, error);
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  if (!vp_audit_append_detail (store, action, "referral", id, detail, "ok", error) ||
      !vp_store_commit (store, error))
    {
      vp_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

gint64
vp_store_add_referral (VpStore               *store,
                       const VpReferralInput *input,
                       GError               **error)
{
  g_autofree char *organisation = g_strstrip (g_strdup (input->organisation != NULL ? input->organisation : ""));
  g_autofree char *referred = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *entered = NULL;
  sqlite3_stmt *stmt = NULL;
  GDate on, by;
  guint days;
  gint64 id;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), 0);

  if (!vp_category_has_code (VP_CATEGORY_REFERRAL_CATEGORY, input->category))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("Choose what the referral is for"));
      return 0;
    }
  if (*organisation == '\0')
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("Enter the organisation the client is referred to"));
      return 0;
    }

  if (input->referred_on != NULL)
    on = *input->referred_on;
  else
    today_local (&on);
  if (input->expected_by != NULL)
    by = *input->expected_by;
  else
    {
      if (!read_feedback_days (store, input->category, &days, error))
        return 0;
      by = on;
      g_date_add_days (&by, days);
    }
  if (g_date_compare (&by, &on) < 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("Feedback cannot be expected before the referral"));
      return 0;
    }
  referred = date_text (&on);
  expected = date_text (&by);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    entered = g_date_time_format (input->entered_at != NULL ? input->entered_at : now, "%Y-%m-%dT%H:%M:%S");
  }

  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return 0;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "INSERT INTO referral (client_id, contact_id, account_id, category, organisation,"
                           "                      referred_on, warm_handover, feedback_expected_by, entered_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, input->client_id);
      if (input->contact_id != 0)
        sqlite3_bind_int64 (stmt, 2, input->contact_id);
      sqlite3_bind_int64 (stmt, 3, vp_store_get_account_id (store));
      sqlite3_bind_text (stmt, 4, input->category, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, organisation, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, referred, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 7, input->warm_handover ? 1 : 0);
      sqlite3_bind_text (stmt, 8, expected, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 9, entered, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  id = sqlite3_last_insert_rowid (vp_store_get_db (store));
  return commit_with_audit (store, rc, "create", id, NULL, error) ? id : 0;
}

static gboolean
update_one (VpStore     *store,
            const char  *sql,
            gint64       id,
            const char  *a,
            const char  *b,
            const char  *c,
            const char  *action,
            const char  *detail,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, a, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, b, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, c, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE && sqlite3_changes (vp_store_get_db (store)) == 0)
    {
      vp_store_exec (store, "ROLLBACK", NULL);
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND, _("There is no such referral"));
      return FALSE;
    }
  return commit_with_audit (store, rc, action, id, detail, error);
}

/* A correction of what was recorded; the dates stay as they were. */
gboolean
vp_store_update_referral (VpStore     *store,
                          gint64       referral_id,
                          const char  *category,
                          const char  *organisation,
                          gboolean     warm_handover,
                          GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (organisation != NULL ? organisation : ""));

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (!vp_category_has_code (VP_CATEGORY_REFERRAL_CATEGORY, category))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("Choose what the referral is for"));
      return FALSE;
    }
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("Enter the organisation the client is referred to"));
      return FALSE;
    }
  return update_one (store, "UPDATE referral SET category = ?2, organisation = ?3,"
                            " warm_handover = CAST (?4 AS INTEGER) WHERE id = ?1",
                     referral_id, category, trimmed, warm_handover ? "1" : "0", "change", "correction", error);
}

/* Undo right after recording, or a correction: audited like any deletion. */
gboolean
vp_store_delete_referral (VpStore  *store,
                          gint64    referral_id,
                          GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  /* update_one() binds ?2..?4 as NULL; a DELETE simply does not use them. */
  return update_one (store, "DELETE FROM referral WHERE id = ?1 AND coalesce (?2, ?3, ?4) IS NULL",
                     referral_id, NULL, NULL, NULL, "delete", NULL, error);
}

gboolean
vp_store_record_feedback (VpStore      *store,
                          gint64        referral_id,
                          const GDate  *received_on,
                          const char   *outcome,
                          const char   *note,
                          GError      **error)
{
  g_autofree char *received = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (received_on != NULL && g_date_valid (received_on), FALSE);

  if (!vp_category_has_code (VP_CATEGORY_REFERRAL_OUTCOME, outcome))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("Choose the outcome of the referral"));
      return FALSE;
    }
  received = date_text (received_on);
  return update_one (store,
                     "UPDATE referral SET feedback_received_on = ?2, outcome = ?3,"
                     " feedback_note = nullif (trim (?4), '') WHERE id = ?1",
                     referral_id, received, outcome, note, "change", "feedback", error);
}

/* Marks the referral as seen by the team leader; a reviewed overdue
 * referral stays overdue until feedback arrives. */
gboolean
vp_store_review_referral (VpStore     *store,
                          gint64       referral_id,
                          const char  *leader_note,
                          GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *by = g_strdup_printf ("%" G_GINT64_FORMAT, vp_store_get_account_id (store));

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (g_strcmp0 (vp_store_get_account_role (store), "team_leader") != 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("Only a team leader can review referrals"));
      return FALSE;
    }
  /* In a team, only reviews from the team leader's laptop count (the
   * merge's rule 5): refused here rather than lost there. */
  if (vp_store_team_is_coach_laptop (store))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("Referrals are reviewed on the team leader's laptop; this laptop is a coach's in the team"));
      return FALSE;
    }
  return update_one (store,
                     "UPDATE referral SET leader_note = nullif (trim (?2), ''), reviewed_at = ?3,"
                     " reviewed_by = CAST (?4 AS INTEGER) WHERE id = ?1",
                     referral_id, leader_note, at, by, "change", "review", error);
}

static VpReferral *
referral_from_row (sqlite3_stmt *stmt,
                   const GDate  *today)
{
  VpReferral *r = g_new0 (VpReferral, 1);

  r->id = sqlite3_column_int64 (stmt, 0);
  r->client_id = sqlite3_column_int64 (stmt, 1);
  r->client_label = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  r->account_id = sqlite3_column_int64 (stmt, 3);
  r->category = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  r->organisation = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  parse_date (sqlite3_column_text (stmt, 6), &r->referred_on);
  r->warm_handover = sqlite3_column_int (stmt, 7);
  parse_date (sqlite3_column_text (stmt, 8), &r->expected_by);
  parse_date (sqlite3_column_text (stmt, 9), &r->received_on);
  r->outcome = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
  r->feedback_note = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
  r->leader_note = g_strdup ((const char *) sqlite3_column_text (stmt, 12));
  r->reviewed = sqlite3_column_type (stmt, 13) != SQLITE_NULL;
  r->status = vp_referral_status (&r->expected_by, &r->received_on, today);
  return r;
}

/* Overdue first (longest overdue on top), then awaiting by deadline, then
 * the ones with feedback, newest first. */
static int
compare_referrals (gconstpointer a,
                   gconstpointer b)
{
  const VpReferral *ra = *(VpReferral **) a;
  const VpReferral *rb = *(VpReferral **) b;
  static const int rank[] = { [VP_REFERRAL_OVERDUE] = 0, [VP_REFERRAL_AWAITING] = 1,
                              [VP_REFERRAL_LATE] = 2, [VP_REFERRAL_IN_TIME] = 2 };

  if (rank[ra->status] != rank[rb->status])
    return rank[ra->status] - rank[rb->status];
  if (rank[ra->status] < 2)
    return g_date_compare (&ra->expected_by, &rb->expected_by);
  return g_date_compare (&rb->referred_on, &ra->referred_on);
}

#define LIST_REFERRALS_SQL \
  "SELECT r.id, r.client_id, cl.label, r.account_id, r.category, r.organisation," \
  "       r.referred_on, r.warm_handover, r.feedback_expected_by," \
  "       r.feedback_received_on, r.outcome, r.feedback_note, r.leader_note, r.reviewed_at" \
  " FROM referral r JOIN client cl ON cl.id = r.client_id" \
  " WHERE (?1 IS NULL OR r.category = ?1)" \
  "   AND (?2 IS NULL OR r.organisation = ?2 COLLATE NOCASE)" \
  "   AND (?3 = 0 OR r.account_id = ?3)" \
  "   AND (?4 IS NULL OR r.referred_on >= ?4)" \
  "   AND (?5 IS NULL OR r.referred_on <= ?5)" \
  "   AND (?6 IS NULL OR instr (lower (cl.label), lower (?6)) > 0" \
  "        OR instr (lower (r.organisation), lower (?6)) > 0)"

GPtrArray *
vp_store_list_referrals (VpStore                *store,
                         const VpReferralFilter *filter,
                         const GDate            *today,
                         GError                **error)
{
  g_autoptr(GPtrArray) referrals = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_referral_free);
  g_autofree char *from = filter != NULL && filter->from != NULL ? date_text (filter->from) : NULL;
  g_autofree char *until = filter != NULL && filter->until != NULL ? date_text (filter->until) : NULL;
  gint64 client_id = filter != NULL ? filter->client_id : 0;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  g_return_val_if_fail (today != NULL && g_date_valid (today), NULL);

  /* One client's referrals (the client page) through referral_client: as
   * "(?7 = 0 OR r.client_id = ?7)" the index could not be used, and every
   * referral was read to show a client's few (#14, bench-store client-page). */
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           client_id != 0 ? LIST_REFERRALS_SQL " AND r.client_id = ?7" : LIST_REFERRALS_SQL,
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (filter != NULL)
        {
          sqlite3_bind_text (stmt, 1, filter->category, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 2, filter->organisation, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (stmt, 3, filter->account_id);
          sqlite3_bind_text (stmt, 6, filter->search != NULL && *filter->search != '\0' ? filter->search : NULL,
                             -1, SQLITE_TRANSIENT);
        }
      else
        sqlite3_bind_int64 (stmt, 3, 0);
      if (client_id != 0)
        sqlite3_bind_int64 (stmt, 7, client_id);
      sqlite3_bind_text (stmt, 4, from, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, until, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (referrals, referral_from_row (stmt, today));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  g_ptr_array_sort (referrals, compare_referrals);
  return g_steal_pointer (&referrals);
}

/* Suggestions for the organisation field, from earlier referrals. */
GStrv
vp_store_list_organisations (VpStore    *store,
                             const char *prefix)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  if (sqlite3_prepare_v2 (vp_store_get_db (store),
                          "SELECT organisation FROM referral WHERE ?1 IS NULL OR organisation LIKE ?1 || '%'"
                          " GROUP BY organisation COLLATE NOCASE ORDER BY count(*) DESC, organisation LIMIT 20",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, prefix, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  return g_strv_builder_end (builder);
}

guint
vp_store_count_overdue_referrals (VpStore     *store,
                                  const GDate *today)
{
  g_autofree char *day = date_text (today);
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  g_return_val_if_fail (VP_IS_STORE (store), 0);

  if (sqlite3_prepare_v2 (vp_store_get_db (store),
                          "SELECT count(*) FROM referral WHERE feedback_received_on IS NULL"
                          " AND feedback_expected_by < ?", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, day, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        n = (guint) sqlite3_column_int (stmt, 0);
    }
  sqlite3_finalize (stmt);
  return n;
}

static guint *
count_of (VpFeedbackCounts *counts,
          VpReferralStatus  status)
{
  switch (status)
    {
    case VP_REFERRAL_IN_TIME:
      return &counts->in_time;
    case VP_REFERRAL_LATE:
      return &counts->late;
    case VP_REFERRAL_OVERDUE:
      return &counts->overdue;
    case VP_REFERRAL_AWAITING:
    default:
      return &counts->awaiting;
    }
}

/* Each referral of the last 12 months under its status today, by the one
 * rule of vp_referral_status(); categories without referrals are left
 * out, the others come in the order of DESIGN §6. */
GArray *
vp_store_feedback_counts (VpStore      *store,
                          const GDate  *today,
                          GError      **error)
{
  g_autoptr(GArray) counts = g_array_new (FALSE, TRUE, sizeof (VpFeedbackCounts));
  g_autoptr(GArray) by_category = NULL;
  g_autofree char *from = NULL;
  const VpCategoryEntry *categories;
  sqlite3_stmt *stmt = NULL;
  GDate start;
  guint n = 0;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  g_return_val_if_fail (today != NULL && g_date_valid (today), NULL);

  start = *today;
  g_date_subtract_months (&start, 12);
  from = date_text (&start);
  categories = vp_category_entries (VP_CATEGORY_REFERRAL_CATEGORY, &n);
  by_category = g_array_new (FALSE, TRUE, sizeof (VpFeedbackCounts));
  g_array_set_size (by_category, n);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "SELECT category, feedback_expected_by, feedback_received_on"
                           " FROM referral WHERE referred_on > ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, from, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          int index = vp_category_index (VP_CATEGORY_REFERRAL_CATEGORY, (const char *) sqlite3_column_text (stmt, 0));
          GDate expected, received;

          parse_date (sqlite3_column_text (stmt, 1), &expected);
          parse_date (sqlite3_column_text (stmt, 2), &received);
          if (index < 0 || !g_date_valid (&expected))
            continue;
          (*count_of (&g_array_index (by_category, VpFeedbackCounts, index),
                      vp_referral_status (&expected, &received, today)))++;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }

  for (guint i = 0; i < n; i++)
    {
      VpFeedbackCounts *c = &g_array_index (by_category, VpFeedbackCounts, i);

      if (c->in_time + c->late + c->overdue + c->awaiting == 0)
        continue;
      c->category = categories[i].code;
      g_array_append_val (counts, *c);
    }
  return g_steal_pointer (&counts);
}
