/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-report-build.h"
#include "vp-report-json.h"
#include "vp-report-month.h"
#include "vp-sync.h"

/* Everything the report page shows about one month, made in one go so
 * that the tables, the JSON and the delivery state always agree: whether
 * the month is due, every revision in the outbox (newest first), and,
 * until the month is released, the report that releasing it would queue.
 *
 * It is built in a worker thread on a clone of the store with a
 * connection of its own (vp_store_open_clone()), in one read transaction,
 * so the figures and the list of revisions come from the same moment; the
 * clone is closed in that thread, and its copy of the key wiped, before
 * the result comes back. A month is released once (README): after that,
 * each stored revision is shown from its own bytes, never rebuilt. */
struct _VpReportMonth
{
  GObject    parent_instance;

  char      *period;
  GDateTime *built_at;   /* the moment the figures are of */
  GPtrArray *revisions;  /* VpReportRevision, newest first */
  gboolean   due;
  guint      grace_days;
};

G_DEFINE_FINAL_TYPE (VpReportMonth, vp_report_month, G_TYPE_OBJECT)

static void
revision_free (VpReportRevision *revision)
{
  g_clear_pointer (&revision->report, vp_report_free);
  g_clear_pointer (&revision->item, vp_outbox_item_free);
  g_free (revision->json);
  g_free (revision->sha256);
  g_free (revision->unreadable);
  g_free (revision);
}

guint
vp_report_revision_get_number (const VpReportRevision *revision)
{
  g_return_val_if_fail (revision != NULL, 0);
  return revision->item != NULL ? revision->item->revision : revision->report->revision;
}

static void
vp_report_month_finalize (GObject *object)
{
  VpReportMonth *self = VP_REPORT_MONTH (object);

  g_free (self->period);
  g_clear_pointer (&self->built_at, g_date_time_unref);
  g_ptr_array_unref (self->revisions);
  G_OBJECT_CLASS (vp_report_month_parent_class)->finalize (object);
}

static void
vp_report_month_class_init (VpReportMonthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vp_report_month_finalize;
}

static void
vp_report_month_init (VpReportMonth *self)
{
  self->revisions = g_ptr_array_new_with_free_func ((GDestroyNotify) revision_free);
}

/* Until the month is released, the report just built comes first: what
 * releasing it queues, or refuses to if it changed. */
static gboolean
add_revisions (VpReportMonth  *self,
               VpStore        *store,
               VpReport      **preview,
               GError        **error)
{
  g_autoptr(GPtrArray) items = vp_outbox_list (store, self->period, error);

  if (items == NULL)
    return FALSE;
  if (items->len == 0)
    {
      VpReportRevision *revision = g_new0 (VpReportRevision, 1);

      (*preview)->revision = 1;
      revision->json = vp_report_to_json (*preview);
      revision->sha256 = vp_outbox_published_sha256 (*preview);
      revision->report = g_steal_pointer (preview);
      g_ptr_array_add (self->revisions, revision);
    }

  for (guint i = 0; i < items->len; i++)
    {
      VpReportRevision *revision = g_new0 (VpReportRevision, 1);
      g_autoptr(GError) local_error = NULL;

      revision->item = g_steal_pointer (&g_ptr_array_index (items, i));
      revision->json = g_strdup (revision->item->body);
      revision->report = vp_report_new_from_json (revision->item->body, &local_error);
      if (revision->report == NULL)
        revision->unreadable = g_strdup_printf (_("This revision could not be read: %s"), local_error->message);
      g_ptr_array_add (self->revisions, revision);
    }
  return TRUE;
}

/* Runs in the worker thread, on the clone, in one read transaction. */
static VpReportMonth *
build (VpStore       *store,
       const char    *period,
       GDateTime     *now,
       GCancellable  *cancellable,
       GError       **error)
{
  g_autoptr(VpReportMonth) self = g_object_new (VP_TYPE_REPORT_MONTH, NULL);
  g_autoptr(VpReport) preview = NULL;
  gboolean ok;

  self->period = g_strdup (period);
  self->built_at = g_date_time_ref (now);
  self->grace_days = vp_sync_get_grace_days (store);
  self->due = vp_sync_is_period_due (period, now, self->grace_days);

  if (!vp_store_begin_snapshot (store, error))
    return NULL;
  preview = vp_report_build (store, period, vp_sync_get_k (store), now, error);
  ok = preview != NULL && !g_cancellable_set_error_if_cancelled (cancellable, error) &&
       add_revisions (self, store, &preview, error);
  /* The figures shown must be one view of the store: a snapshot that ended
   * early or failed to commit makes the build fail. */
  if (!ok)
    {
      vp_store_end_snapshot (store);
      return NULL;
    }
  if (!vp_store_finish_snapshot (store, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* What a build needs; the clone is used by the worker thread alone. */
typedef struct {
  VpStore   *clone;
  char      *period;
  GDateTime *now;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->clone);
  g_free (job->period);
  g_date_time_unref (job->now);
  g_free (job);
}

static void
build_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  VpReportMonth *month = build (job->clone, job->period, job->now, cancellable, &error);

  /* The clone's connection closes here, in the thread that used it, and
   * its copy of the key is wiped. */
  g_clear_object (&job->clone);
  if (month == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, month, g_object_unref);
}

/* Builds @period as of @now from a clone of the unlocked @store, off the
 * main loop. A cancelled build finishes with G_IO_ERROR_CANCELLED. */
void
vp_report_month_build_async (VpStore             *store,
                             const char          *period,
                             GDateTime           *now,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) clone = NULL;
  Job *job;

  g_return_if_fail (VP_IS_STORE (store));
  g_return_if_fail (period != NULL && now != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, vp_report_month_build_async);
  clone = vp_store_open_clone (store, &error);
  if (clone == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  job = g_new0 (Job, 1);
  job->clone = g_steal_pointer (&clone);
  job->period = g_strdup (period);
  job->now = g_date_time_ref (now);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, build_thread);
}

VpReportMonth *
vp_report_month_build_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vp_report_month_build_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
vp_report_month_get_period (VpReportMonth *self)
{
  g_return_val_if_fail (VP_IS_REPORT_MONTH (self), NULL);
  return self->period;
}

GDateTime *
vp_report_month_get_built_at (VpReportMonth *self)
{
  g_return_val_if_fail (VP_IS_REPORT_MONTH (self), NULL);
  return self->built_at;
}

/* Closed, and its grace period over. */
gboolean
vp_report_month_is_due (VpReportMonth *self)
{
  g_return_val_if_fail (VP_IS_REPORT_MONTH (self), FALSE);
  return self->due;
}

guint
vp_report_month_get_grace_days (VpReportMonth *self)
{
  g_return_val_if_fail (VP_IS_REPORT_MONTH (self), 0);
  return self->grace_days;
}

guint
vp_report_month_get_n_revisions (VpReportMonth *self)
{
  g_return_val_if_fail (VP_IS_REPORT_MONTH (self), 0);
  return self->revisions->len;
}

/* Newest first; NULL past the end. */
const VpReportRevision *
vp_report_month_get_revision (VpReportMonth *self,
                              guint          i)
{
  g_return_val_if_fail (VP_IS_REPORT_MONTH (self), NULL);
  return i < self->revisions->len ? g_ptr_array_index (self->revisions, i) : NULL;
}

/* The revision not queued yet, while the month is not released. */
const VpReportRevision *
vp_report_month_get_preview (VpReportMonth *self)
{
  const VpReportRevision *first = vp_report_month_get_revision (self, 0);

  return first != NULL && first->item == NULL ? first : NULL;
}

/* The newest revision in the outbox, or NULL. */
const VpReportRevision *
vp_report_month_get_latest (VpReportMonth *self)
{
  return vp_report_month_get_revision (self, vp_report_month_get_preview (self) != NULL ? 1 : 0);
}
