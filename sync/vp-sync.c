/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-client-cert.h"
#include "vp-outbox.h"
#include "vp-report-build.h"
#include "vp-team-store.h"
#include "vp-report-schema.h"
#include "vp-retention.h"
#include "vp-store-private.h"
#include "vp-sync.h"
#include "vp-team-store.h"
#include "vp-uploader.h"

G_DEFINE_QUARK (vp-sync-error-quark, vp_sync_error)

#define DEFAULT_GRACE_DAYS 7

static guint
setting_uint (VpStore    *store,
              const char *key,
              guint       fallback)
{
  g_autofree char *text = vp_store_get_setting (store, key);
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, 365, &value, NULL))
    return fallback;
  return (guint) value;
}

/* k can be raised by the municipality, never lowered below the floor. */
guint
vp_sync_get_k (VpStore *store)
{
  return MAX (setting_uint (store, "report_k", VP_REPORT_MIN_K), VP_REPORT_MIN_K);
}

guint
vp_sync_get_grace_days (VpStore *store)
{
  return setting_uint (store, "report_grace_days", DEFAULT_GRACE_DAYS);
}

/* The installation label (#11): a name the team leader gives this laptop,
 * sent beside its reports so that the municipality can tell a team's
 * laptops apart. It is kept in the store like the endpoint settings. */
#define INSTALLATION_LABEL_KEY "installation_label"

/* Characters that would break or disguise the label where the municipality
 * shows it: control characters, line breaks, and the bidirectional
 * embeddings, overrides and isolates that reorder the text around them. */
static gboolean
is_forbidden_in_label (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_SURROGATE:
      return TRUE;
    default:
      return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    }
}

/* Unicode white space off both ends (no-break spaces too, which a pasted
 * name may carry); @text is valid UTF-8. */
static char *
strip_unicode_space (const char *text)
{
  const char *start = text;
  const char *end = text + strlen (text);

  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);
      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }
  return g_strndup (start, (gsize) (end - start));
}

/* The one check of an installation label, for the window, the command line
 * and the uploader alike. Returns the label to keep (trimmed, in NFC so
 * that the same name typed twice is the same bytes), "" for no label, or
 * NULL with @error set. */
char *
vp_sync_check_installation_label (const char  *text,
                                  GError     **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *label = NULL;

  if (text == NULL)
    return g_strdup ("");
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, VP_SYNC_ERROR, VP_SYNC_ERROR_INVALID_LABEL,
                           _("The name of this laptop is not valid text"));
      return NULL;
    }
  stripped = strip_unicode_space (text);
  label = g_utf8_normalize (stripped, -1, G_NORMALIZE_NFC);
  for (const char *p = label; *p != '\0'; p = g_utf8_next_char (p))
    if (is_forbidden_in_label (g_utf8_get_char (p)))
      {
        g_set_error_literal (error, VP_SYNC_ERROR, VP_SYNC_ERROR_INVALID_LABEL,
                             _("The name of this laptop cannot contain line breaks, tabs or other control characters"));
        return NULL;
      }
  if (g_utf8_strlen (label, -1) > VP_INSTALLATION_LABEL_MAX_CHARS)
    {
      g_set_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_INVALID_LABEL,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The name of this laptop can be at most %u character long",
                                "The name of this laptop can be at most %u characters long",
                                VP_INSTALLATION_LABEL_MAX_CHARS),
                   (guint) VP_INSTALLATION_LABEL_MAX_CHARS);
      return NULL;
    }
  return g_steal_pointer (&label);
}

/* The label to send, or NULL for none. A stored value that does not pass
 * the check (written by hand, or by an older rule) is not sent. */
char *
vp_sync_get_installation_label (VpStore *store)
{
  g_autofree char *stored = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  stored = vp_store_get_setting (store, INSTALLATION_LABEL_KEY);
  label = vp_sync_check_installation_label (stored, NULL);
  if (label == NULL || *label == '\0')
    return NULL;
  return g_steal_pointer (&label);
}

/* Keeps @text as this installation's label after the check, or removes
 * the label when @text is empty. A refused label leaves the old one. */
gboolean
vp_sync_set_installation_label (VpStore     *store,
                                const char  *text,
                                GError     **error)
{
  g_autofree char *label = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  label = vp_sync_check_installation_label (text, error);
  if (label == NULL)
    return FALSE;
  return vp_store_set_setting (store, INSTALLATION_LABEL_KEY, *label != '\0' ? label : NULL, error);
}

/* A month is due once it has closed and the grace period has passed, in
 * local calendar days. */
gboolean
vp_sync_is_period_due (const char *period,
                       GDateTime  *now,
                       guint       grace_days)
{
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) next = NULL;
  g_autoptr(GDateTime) due = NULL;

  if (!vp_report_is_period (period))
    return FALSE;
  start = g_date_time_new_local (atoi (period), atoi (period + 5), 1, 0, 0, 0);
  next = g_date_time_add_months (start, 1);
  due = g_date_time_add_days (next, (gint) grace_days);
  return g_date_time_compare (now, due) >= 0;
}

/* Every month from the first contact on that is due now. */
GPtrArray *
vp_sync_due_periods (VpStore    *store,
                     GDateTime  *now,
                     GError    **error)
{
  g_autoptr(GPtrArray) periods = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *first = NULL;
  int rc, year, month;

  /* The first month anything counts in: a contact entered after its own
   * month fell due counts in the month it was entered (vp-report-build.c),
   * so a back-dated entry does not open empty old months. The earliest
   * contact entered in time, by the occurred_at index, and the earliest
   * late one entered before that month, by the entered_at index: this runs
   * at every unlock, and a scan of a large store would not do. */
#define DUE_DAY "date (substr (occurred_at, 1, 7) || '-01', '+1 month', '+' || ?1 || ' days')"
  rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                           "WITH on_time (m) AS (SELECT substr (occurred_at, 1, 7) FROM contact"
                           "   WHERE entered_at < " DUE_DAY " ORDER BY occurred_at LIMIT 1)"
                           " SELECT min (m) FROM (SELECT m FROM on_time UNION ALL SELECT * FROM ("
                           "   SELECT substr (entered_at, 1, 7) FROM contact WHERE entered_at >= " DUE_DAY
                           "     AND entered_at < coalesce ((SELECT m FROM on_time), '9999-12') || '-01'"
                           "   ORDER BY entered_at LIMIT 1))", -1, &stmt, NULL);
#undef DUE_DAY
  if (rc == SQLITE_OK)
    sqlite3_bind_int (stmt, 1, (int) vp_sync_get_grace_days (store));
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (sqlite3_column_text (stmt, 0) != NULL)
        first = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      rc = SQLITE_DONE;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  if (first == NULL || !vp_report_is_period (first))
    return g_steal_pointer (&periods);

  year = atoi (first);
  month = atoi (first + 5);

  /* Months older than the retention period are closed for good: erasing
   * their clients must not send them again as new revisions. */
  {
    g_autoptr(GDateTime) oldest = g_date_time_add_months (now, -(int) vp_store_get_retention_months (store));
    int oldest_year = g_date_time_get_year (oldest);
    int oldest_month = g_date_time_get_month (oldest);

    if (year < oldest_year || (year == oldest_year && month < oldest_month))
      {
        year = oldest_year;
        month = oldest_month;
      }
  }
  for (;;)
    {
      g_autofree char *period = g_strdup_printf ("%04d-%02d", year, month);

      if (!vp_sync_is_period_due (period, now, vp_sync_get_grace_days (store)))
        break;
      g_ptr_array_add (periods, g_steal_pointer (&period));
      if (++month > 12)
        {
          month = 1;
          year++;
        }
    }
  return g_steal_pointer (&periods);
}

/* Builds a due month's report and queues it, once: in one write
 * transaction that first checks that nothing was queued for the month, so
 * that two builders (the window and the report page, say) never both
 * release it. Disclosure control runs inside vp_report_build(); when it
 * fails, nothing is queued. With @expected_sha256, the release happens only
 * if it publishes exactly what the team leader was shown. */
gboolean
vp_sync_release_period (VpStore     *store,
                        const char  *period,
                        GDateTime   *now,
                        const char  *expected_sha256,
                        gboolean    *released,
                        GError     **error)
{
  g_autoptr(VpReport) report = NULL;
  gboolean exists = FALSE;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  *released = FALSE;
  if (!vp_sync_reports_here (store))
    {
      g_set_error_literal (error, VP_SYNC_ERROR, VP_SYNC_ERROR_NOT_REPORTER,
                           _("In a team, the team’s monthly report is sent from the team leader’s laptop, once for the whole team"));
      return FALSE;
    }
  if (!vp_sync_is_period_due (period, now, vp_sync_get_grace_days (store)))
    {
      g_set_error (error, VP_SYNC_ERROR, VP_SYNC_ERROR_NOT_DUE,
                   _("The report for %s is not due yet"), period);
      return FALSE;
    }
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!vp_outbox_has_period (store, period, &exists, error))
    goto rollback;
  if (exists)
    {
      if (!vp_store_exec (store, "COMMIT", error))
        goto rollback;
      return TRUE;
    }

  report = vp_report_build (store, period, vp_sync_get_k (store), now, error);
  if (report == NULL)
    goto rollback;
  if (expected_sha256 != NULL)
    {
      g_autofree char *sha = vp_outbox_published_sha256 (report);

      if (!g_str_equal (sha, expected_sha256))
        {
          g_set_error_literal (error, VP_SYNC_ERROR, VP_SYNC_ERROR_CHANGED,
                               _("The figures changed since they were shown: look at them again before sending"));
          goto rollback;
        }
    }
  if (!vp_outbox_insert_release (store, report, error) || !vp_store_exec (store, "COMMIT", error))
    goto rollback;
  *released = TRUE;
  return TRUE;

rollback:
  vp_store_exec (store, "ROLLBACK", NULL);
  return FALSE;
}

/* In a team every laptop holds the team's records, so one of them (the
 * team leader's, unless another was chosen) reports for all: the others
 * would count the same contacts again. */
gboolean
vp_sync_reports_here (VpStore *store)
{
  VpTeamIdentity identity = { 0 };
  gboolean reporter;

  if (!vp_store_team_is_enabled (store))
    return TRUE;
  if (!vp_store_team_get_identity (store, &identity, NULL))
    return FALSE;
  reporter = identity.reporter;
  vp_team_identity_clear (&identity);
  return reporter;
}

/* Releases every due month that was not released yet; on a team laptop
 * that does not report for the team, none. */
gboolean
vp_sync_queue_due_reports (VpStore    *store,
                           GDateTime  *now,
                           guint      *n_queued,
                           GError    **error)
{
  g_autoptr(GPtrArray) periods = NULL;
  guint queued_count = 0;

  if (n_queued != NULL)
    *n_queued = 0;
  if (!vp_sync_reports_here (store))
    return TRUE;
  periods = vp_sync_due_periods (store, now, error);
  if (periods == NULL)
    return FALSE;
  /* A month that cannot be released does not hold up the months after
   * it; the first failure is reported once all were tried. */
  g_autoptr(GError) first_error = NULL;

  for (guint i = 0; i < periods->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean released = FALSE;

      if (!vp_sync_release_period (store, g_ptr_array_index (periods, i), now, NULL, &released, &local_error) &&
          first_error == NULL)
        first_error = g_steal_pointer (&local_error);
      queued_count += released;
    }
  if (n_queued != NULL)
    *n_queued = queued_count;
  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  VpStore   *clone;
  GDateTime *now;
} QueueData;

static void
queue_data_free (QueueData *data)
{
  g_clear_object (&data->clone);
  g_date_time_unref (data->now);
  g_free (data);
}

static void
queue_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueueData *data = task_data;
  GError *error = NULL;
  guint queued = 0;
  gboolean ok = vp_sync_queue_due_reports (data->clone, data->now, &queued, &error);

  g_clear_object (&data->clone);
  if (ok)
    g_task_return_int (task, queued);
  else
    g_task_return_error (task, error);
}

/* vp_sync_queue_due_reports() in a worker thread on a clone of the store,
 * so that building the reports never blocks the window. */
void
vp_sync_queue_due_reports_async (VpStore             *store,
                                 GDateTime           *now,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);
  GError *error = NULL;
  QueueData *data;
  VpStore *clone;

  g_return_if_fail (VP_IS_STORE (store));
  g_task_set_source_tag (task, vp_sync_queue_due_reports_async);

  clone = vp_store_open_clone (store, &error);
  if (clone == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (QueueData, 1);
  data->clone = clone;
  data->now = g_date_time_ref (now);
  g_task_set_task_data (task, data, (GDestroyNotify) queue_data_free);
  g_task_run_in_thread (task, queue_thread);
}

gboolean
vp_sync_queue_due_reports_finish (VpStore       *store,
                                  GAsyncResult  *result,
                                  guint         *n_queued,
                                  GError       **error)
{
  gssize queued;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  queued = g_task_propagate_int (G_TASK (result), error);
  if (queued < 0)
    return FALSE;
  if (n_queued != NULL)
    *n_queued = (guint) queued;
  return TRUE;
}

typedef struct {
  char *endpoint;
  char *token;
  char *ca_file;
  char *pinned_key;
  char *team;
  char *installation;
  char *label;
  VpClientCredential *credential;  /* NULL: none kept */
  gint64 credential_expires;       /* Unix time; 0 without a credential */
} Target;

static void
target_free (Target *t)
{
  g_free (t->endpoint);
  if (t->token != NULL)
    OPENSSL_cleanse (t->token, strlen (t->token));
  g_free (t->token);
  g_free (t->ca_file);
  g_free (t->pinned_key);
  g_free (t->team);
  g_free (t->installation);
  g_free (t->label);
  g_clear_pointer (&t->credential, vp_client_credential_free);  /* wiped */
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Target, target_free)

static Target *
target_load (VpStore  *store,
             GError  **error)
{
  g_autoptr(Target) t = g_new0 (Target, 1);

  t->endpoint = vp_store_get_setting (store, "endpoint_url");
  t->token = vp_store_get_setting (store, "endpoint_token");
  t->ca_file = vp_store_get_setting (store, "endpoint_ca_file");
  t->pinned_key = vp_store_get_setting (store, "endpoint_pinned_key");
  t->team = g_strdup (vp_store_get_team_code (store));
  t->installation = g_strdup (vp_store_get_installation_id (store));
  t->label = vp_sync_get_installation_label (store);
  t->credential = vp_client_cert_load (store);
  if (t->credential != NULL)
    {
      g_autoptr(VpClientCertInfo) info = vp_client_cert_info_from_pem (t->credential->cert_pem, NULL);
      t->credential_expires = info != NULL ? info->not_after : 0;
    }
  /* A token, a client certificate or both, as the endpoint asks. */
  if (t->endpoint == NULL || (t->token == NULL && t->credential == NULL))
    {
      g_set_error_literal (error, VP_SYNC_ERROR, VP_SYNC_ERROR_NOT_CONFIGURED,
                           _("No municipal endpoint has been set up for this team"));
      return NULL;
    }
  return g_steal_pointer (&t);
}

/* An endpoint that refuses an expired client certificate can only say
 * that it wants a valid one; the laptop knows why it was not, and says so
 * beside the endpoint's answer. Both clocks may differ, so the upload is
 * tried all the same. */
static void
explain_expired_certificate (const Target  *t,
                             char         **reason)
{
  g_autofree char *date = NULL;
  g_autofree char *answer = NULL;

  if (t->credential == NULL || t->credential_expires > g_get_real_time () / G_USEC_PER_SEC)
    return;
  date = vp_client_cert_format_date (t->credential_expires);
  answer = g_steal_pointer (reason);
  /* Translators: the endpoint's answer, then the date the certificate expired. */
  *reason = g_strdup_printf (_("%s — this laptop’s client certificate expired on %s; import a new one on the report page"),
                             answer != NULL ? answer : "", date);
}

static void
upload (const Target       *t,
        const VpOutboxItem *item,
        VpUploadResult     *result)
{
  VpUploadConfig config = {
    .endpoint = t->endpoint,
    .token = t->token,
    .ca_file = t->ca_file,
    .pinned_key = t->pinned_key,
    .label = t->label,
    .client_cert = t->credential != NULL ? t->credential->cert_pem : NULL,
    .client_key = t->credential != NULL ? t->credential->key_pem : NULL,
  };
  static gsize curl_ready = 0;

  if (g_once_init_enter (&curl_ready))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&curl_ready, 1);
    }
  if (vp_upload_report (&config, t->team, t->installation, item->period, item->body,
                        result) == VP_UPLOAD_NEEDS_ATTENTION)
    explain_expired_certificate (t, &result->reason);
}

/* A try begins. From here until an answer is recorded the report may
 * reach the endpoint, so the row says "sending" first, on both paths: a
 * crash, a lock or a lost answer then leaves it marked as one that may
 * have arrived (#13), never as one that was not sent. Another sender (the
 * window's and the report page's sends can overlap) may have delivered
 * it since it was read: then *skip is set and there is nothing to send. */
static gboolean
begin_attempt (VpStore             *store,
               const VpOutboxItem  *item,
               gboolean            *skip,
               GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  *skip = FALSE;
  if (vp_outbox_mark (store, item->id, "sending", 0, NULL, 0, &local_error))
    return TRUE;
  if (g_error_matches (local_error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID))
    {
      *skip = TRUE;
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Whether an earlier try of @item may have reached the endpoint: the row
 * was still "sending" when this try began, so that try's answer never
 * came. */
static gboolean
was_unconfirmed (const VpOutboxItem *item)
{
  return g_strcmp0 (item->state, "sending") == 0;
}

static gboolean
write_outcome (VpStore               *store,
               const VpOutboxItem    *item,
               const VpUploadResult  *result,
               GError               **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 next = now + vp_outbox_retry_delay (item->attempts + 1, result->retry_after);
  int status = (int) result->http_status;
  g_autofree char *reason = NULL;

  switch (result->outcome)
    {
    case VP_UPLOAD_DELIVERED:
      return vp_outbox_mark (store, item->id, "delivered", status, NULL, 0, error) &&
             /* The month, which is codes only ("2026-10"); a period that
              * is not must not keep a delivery from being recorded. */
             vp_audit_append_detail (store, "report_sent", "report", item->id,
                                     vp_audit_detail_is_valid (item->period) ? item->period : NULL, "ok", error);
    case VP_UPLOAD_UNCONFIRMED:
      return vp_outbox_mark_unconfirmed (store, item->id, status, result->reason, next, error);
    case VP_UPLOAD_RETRY:
      /* A try that surely did not arrive says nothing about an earlier
       * one that may have: that stays unsettled until an answer comes. */
      if (was_unconfirmed (item))
        return vp_outbox_mark_unconfirmed (store, item->id, status, result->reason, next, error);
      return vp_outbox_mark (store, item->id, "retry", status, result->reason, next, error);
    case VP_UPLOAD_NEEDS_ATTENTION:
    default:
      if (was_unconfirmed (item))
        /* Translators: the reason a report was refused comes first. */
        reason = g_strdup_printf (_("%s. An earlier attempt may have arrived; sending it again settles that"),
                                  result->reason);
      return vp_outbox_mark (store, item->id, "needs_attention", status,
                             reason != NULL ? reason : result->reason, 0, error);
    }
}

/* The outcome of a try and, for a delivery, its audit entry: one
 * transaction, as every other action (two commits let a kill between
 * them leave deliveries unaudited). */
static gboolean
record_outcome (VpStore               *store,
                const VpOutboxItem    *item,
                const VpUploadResult  *result,
                GError               **error)
{
  if (!vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (write_outcome (store, item, result, error) && vp_store_exec (store, "COMMIT", error))
    return TRUE;
  vp_store_exec (store, "ROLLBACK", NULL);
  return FALSE;
}

/* Sends every due outbox entry in turn, in the calling thread. Used by the
 * tests and the admin command line; the app uses the async variant. */
gboolean
vp_sync_send_due (VpStore    *store,
                  GDateTime  *now,
                  guint      *n_delivered,
                  GError    **error)
{
  g_autoptr(Target) target = target_load (store, error);
  g_autoptr(GHashTable) tried = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint delivered = 0;

  if (target == NULL)
    return FALSE;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(VpOutboxItem) item = vp_outbox_next_due (store, g_date_time_to_unix (now), &local_error);
      VpUploadResult result = { 0 };
      gboolean recorded, skip;

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (item == NULL || g_hash_table_contains (tried, &item->id))
        break;
      g_hash_table_add (tried, g_memdup2 (&item->id, sizeof item->id));

      if (!begin_attempt (store, item, &skip, error))
        return FALSE;
      if (skip)
        continue;
      upload (target, item, &result);
      recorded = record_outcome (store, item, &result, error);
      delivered += recorded && result.outcome == VP_UPLOAD_DELIVERED;
      vp_upload_result_clear (&result);
      if (!recorded)
        return FALSE;
    }
  if (n_delivered != NULL)
    *n_delivered = delivered;
  return TRUE;
}

/* The async variant keeps every store access on the calling (main) thread
 * and runs only the network exchange in a worker thread. */
typedef struct {
  VpStore       *store;
  Target        *target;
  VpOutboxItem  *item;
  GHashTable    *tried;
  guint          delivered;
  VpUploadResult result;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->target, target_free);
  g_clear_pointer (&data->item, vp_outbox_item_free);
  g_clear_pointer (&data->tried, g_hash_table_unref);
  vp_upload_result_clear (&data->result);
  g_free (data);
}

static void send_next (GTask *task);

static void
upload_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SendData *data = task_data;

  upload (data->target, data->item, &data->result);
  g_task_return_boolean (task, TRUE);
}

static void
upload_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  GError *error = NULL;

  /* Locked while the report was on its way: its row stays "sending", one
   * that may have arrived, and is sent again after the next unlock. */
  if (!vp_store_is_open (data->store))
    {
      g_task_return_new_error (task, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return;
    }
  if (!record_outcome (data->store, data->item, &data->result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data->delivered += data->result.outcome == VP_UPLOAD_DELIVERED;
  g_clear_pointer (&data->item, vp_outbox_item_free);
  vp_upload_result_clear (&data->result);
  send_next (g_steal_pointer (&task));
}

static void
send_next (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GTask) upload_task = NULL;
  GError *error = NULL;
  gboolean skip;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (!vp_store_is_open (data->store))
    {
      g_task_return_new_error (task, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      g_object_unref (task);
      return;
    }

  data->item = vp_outbox_next_due (data->store, g_get_real_time () / G_USEC_PER_SEC, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (data->item == NULL || g_hash_table_contains (data->tried, &data->item->id))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_hash_table_add (data->tried, g_memdup2 (&data->item->id, sizeof data->item->id));
  if (!begin_attempt (data->store, data->item, &skip, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (skip)
    {
      g_clear_pointer (&data->item, vp_outbox_item_free);
      send_next (task);
      return;
    }

  upload_task = g_task_new (NULL, g_task_get_cancellable (task), upload_done, task);
  g_task_set_task_data (upload_task, data, NULL);
  g_task_run_in_thread (upload_task, upload_thread);
}

void
vp_sync_send_due_async (VpStore             *store,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendData *data;
  GError *error = NULL;

  g_return_if_fail (VP_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, vp_sync_send_due_async);

  data = g_new0 (SendData, 1);
  data->store = g_object_ref (store);
  data->tried = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  data->target = target_load (store, &error);
  if (data->target == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  send_next (g_steal_pointer (&task));
}

gboolean
vp_sync_send_due_finish (VpStore       *store,
                         GAsyncResult  *result,
                         guint         *n_delivered,
                         GError       **error)
{
  SendData *data;

  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (n_delivered != NULL)
    *n_delivered = data->delivered;
  return g_task_propagate_boolean (G_TASK (result), error);
}
