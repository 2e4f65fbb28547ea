/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vp-audit.h"
#include "vp-backup.h"
#include "vp-store-private.h"

/* A backup is one file: a header line, the key file (slots only, useless
 * without a passphrase or the recovery key), and a page-by-page copy of the
 * encrypted database made with SQLite's online backup. Nothing in it is
 * plaintext, so it can go on a USB stick or a network share.
 *
 *   "VINDPLAATS-BACKUP 1\n" <key file length, decimal> "\n" <key file> <database>
 *
 * The copy takes a while, so the app runs it in a worker thread
 * (vp_store_backup_async). The worker never touches the caller's store:
 * locking that store frees its key at any moment. It works on a clone taken
 * on the caller's thread, which holds its own copy of the key until the
 * backup has been written and recorded in the audit log, back on the
 * caller's thread; a backup that cannot be recorded is removed.
 */

#define MAGIC "VINDPLAATS-BACKUP 1\n"
#define PAGES_PER_STEP 64
#define CHUNK (256 * 1024)

static gboolean
io_error (GError     **error,
          const char  *what)
{
  int saved_errno = errno;
  g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED, "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int          fd,
           const void  *data,
           gsize        len,
           GError     **error)
{
  const char *p = data;

  while (len > 0)
    {
      gssize n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return io_error (error, _("The backup could not be written"));
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
step_backup (sqlite3         *src,
             sqlite3         *dst,
             VpProgressFunc   progress,
             gpointer         user_data,
             GCancellable    *cancellable,
             GError         **error)
{
  sqlite3_backup *backup = sqlite3_backup_init (dst, "main", src, "main");
  int rc;

  if (backup == NULL)
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The store could not be copied: %s"), sqlite3_errmsg (dst));
      return FALSE;
    }
  do
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          sqlite3_backup_finish (backup);
          return FALSE;
        }
      rc = sqlite3_backup_step (backup, PAGES_PER_STEP);
      if (progress != NULL && sqlite3_backup_pagecount (backup) > 0)
        progress (0.9 * (1.0 - (double) sqlite3_backup_remaining (backup) /
                               sqlite3_backup_pagecount (backup)), user_data);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        g_usleep (10000);
    }
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                   _("The store could not be copied: %s"), sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}

/* Copies the database page by page into an encrypted temporary file beside
 * the target, from a connection of its own, so that the copy never shares a
 * transaction with the caller's connection. Both connections are keyed by
 * the store without SQL text (which SQLite would copy into memory that it
 * frees unwiped) and closed for real, so that neither keeps the key. */
static gboolean
copy_database (VpStore         *store,
               const char      *tmp_path,
               VpProgressFunc   progress,
               gpointer         user_data,
               GCancellable    *cancellable,
               GError         **error)
{
  sqlite3 *src = NULL;
  sqlite3 *dst = NULL;
  gboolean ok;
  int fd;

  fd = g_open (tmp_path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return io_error (error, _("The backup file could not be created"));
  close (fd);

  src = _vp_store_open_connection (store, error);
  if (src == NULL)
    return FALSE;
  ok = sqlite3_open_v2 (tmp_path, &dst, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK;
  if (!ok)
    g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
                 _("The backup file could not be created: %s"),
                 dst != NULL ? sqlite3_errmsg (dst) : sqlite3_errstr (SQLITE_NOMEM));
  ok = ok &&
       _vp_store_apply_key (store, dst, error) &&
       step_backup (src, dst, progress, user_data, cancellable, error);

  /* Whatever happened, neither connection may stay open with the key; the
   * first error is the one to tell. */
  if (dst != NULL)
    ok = _vp_sqlite_close (dst, ok ? error : NULL) && ok;
  ok = _vp_sqlite_close (src, ok ? error : NULL) && ok;
  return ok;
}

static gboolean
append_file (int              out,
             const char      *path,
             VpProgressFunc   progress,
             gpointer         user_data,
             double           from,
             double           to,
             GError         **error)
{
  g_autofree char *buffer = g_malloc (CHUNK);
  int in = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  GStatBuf st;
  gsize done = 0;
  gssize n;

  if (in < 0 || g_stat (path, &st) != 0)
    {
      io_error (error, _("The backup could not be read"));
      if (in >= 0)
        close (in);
      return FALSE;
    }
  while ((n = read (in, buffer, CHUNK)) > 0)
    {
      if (!write_all (out, buffer, (gsize) n, error))
        {
          close (in);
          return FALSE;
        }
      done += (gsize) n;
      if (progress != NULL && st.st_size > 0)
        progress (from + (to - from) * done / st.st_size, user_data);
    }
  close (in);
  return n == 0 || io_error (error, _("The backup could not be read"));
}

/* Writes the backup file of store at path; audits nothing. Runs in any one
 * thread, with a store that no other thread uses meanwhile. */
static gboolean
write_backup (VpStore         *store,
              const char      *path,
              VpProgressFunc   progress,
              gpointer         user_data,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autofree char *keys_path = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *tmp_db = g_strconcat (path, ".db-part", NULL);
  g_autofree char *tmp_out = g_strconcat (path, ".part", NULL);
  g_autofree char *length = NULL;
  gsize keys_len = 0;
  gboolean ok;
  int out;

  keys_path = _vp_store_keys_path (store);
  if (!g_file_get_contents (keys_path, &keys, &keys_len, error) ||
      !copy_database (store, tmp_db, progress, user_data, cancellable, error))
    {
      g_unlink (tmp_db);
      return FALSE;
    }

  out = g_open (tmp_out, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
  length = g_strdup_printf ("%" G_GSIZE_FORMAT "\n", keys_len);
  ok = out >= 0 &&
       write_all (out, MAGIC, strlen (MAGIC), error) &&
       write_all (out, length, strlen (length), error) &&
       write_all (out, keys, keys_len, error) &&
       append_file (out, tmp_db, progress, user_data, 0.9, 1.0, error) &&
       (fsync (out) == 0 || io_error (error, _("The backup could not be written")));
  if (out < 0)
    ok = io_error (error, _("The backup file could not be created"));
  else if (close (out) != 0 && ok)
    ok = io_error (error, _("The backup could not be written"));
  g_unlink (tmp_db);

  if (ok && g_rename (tmp_out, path) != 0)
    ok = io_error (error, _("The backup file could not be created"));
  if (!ok)
    {
      g_unlink (tmp_out);
      return FALSE;
    }
  if (progress != NULL)
    progress (1.0, user_data);
  return TRUE;
}

/* A backup copies every record, so it must be in the audit log; one that
 * cannot be recorded there is removed again. */
static gboolean
audit_backup (VpStore     *store,
              const char  *path,
              GError     **error)
{
  if (vp_audit_append (store, "backup", NULL, 0, "ok", error))
    return TRUE;
  g_unlink (path);
  g_prefix_error (error, "%s ", _("The backup was removed because the audit log could not record it."));
  return FALSE;
}

/* In the caller's thread, start to finish: for the command line and tests.
 * The app uses vp_store_backup_async(). */
gboolean
vp_store_backup (VpStore         *store,
                 const char      *path,
                 VpProgressFunc   progress,
                 gpointer         user_data,
                 GError         **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return write_backup (store, path, progress, user_data, NULL, error) &&
         audit_backup (store, path, error);
}

typedef struct {
  VpStore        *clone;
  char           *path;
  VpProgressFunc  progress;
  gpointer        user_data;
} BackupJob;

static void
backup_job_free (BackupJob *job)
{
  g_clear_object (&job->clone);
  g_free (job->path);
  g_free (job);
}

static void
backup_thread (GTask        *copy,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  BackupJob *job = task_data;
  GError *error = NULL;

  if (write_backup (job->clone, job->path, job->progress, job->user_data, cancellable, &error))
    g_task_return_boolean (copy, TRUE);
  else
    g_task_return_error (copy, error);
}

/* Back on the caller's thread: record the backup through the clone (the
 * caller's store may have been locked meanwhile), then drop the clone's
 * key. */
static void
backup_copied (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BackupJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_task_propagate_boolean (G_TASK (result), &error) &&
       audit_backup (job->clone, job->path, &error);
  vp_store_close (job->clone);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/* Makes a backup in a worker thread. The clone is taken here, so call it on
 * the thread that owns store; progress is called from the worker. */
void
vp_store_backup_async (VpStore             *store,
                       const char          *path,
                       VpProgressFunc       progress,
                       gpointer             progress_data,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) copy = NULL;
  g_autoptr(GError) error = NULL;
  VpStore *clone;
  BackupJob *job;

  g_return_if_fail (VP_IS_STORE (store));
  g_return_if_fail (path != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, vp_store_backup_async);
  /* Once written, a backup is reported as it is, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);

  clone = vp_store_open_clone (store, &error);
  if (clone == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  job = g_new0 (BackupJob, 1);
  job->clone = clone;
  job->path = g_strdup (path);
  job->progress = progress;
  job->user_data = progress_data;

  copy = g_task_new (NULL, cancellable, backup_copied, g_steal_pointer (&task));
  g_task_set_check_cancellable (copy, FALSE);
  g_task_set_task_data (copy, job, (GDestroyNotify) backup_job_free);
  g_task_run_in_thread (copy, backup_thread);
}

gboolean
vp_store_backup_finish (VpStore       *store,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == vp_store_backup_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reads the header and the key file; leaves the stream at the database. */
static char *
read_header (FILE    *in,
             GError **error)
{
  char line[64];
  guint64 len = 0;
  char *keys;

  if (fgets (line, sizeof line, in) == NULL || strcmp (line, MAGIC) != 0 ||
      fgets (line, sizeof line, in) == NULL ||
      !g_ascii_string_to_unsigned (g_strchomp (line), 10, 1, 1 << 20, &len, NULL))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("This file is not a Vindplaats backup"));
      return NULL;
    }
  keys = g_malloc0 (len + 1);
  if (fread (keys, 1, len, in) != len)
    {
      g_free (keys);
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_DAMAGED,
                           _("The backup file is incomplete"));
      return NULL;
    }
  return keys;
}

static gboolean
write_database (FILE            *in,
                gint64           total,
                const char      *db_path,
                VpProgressFunc   progress,
                gpointer         user_data,
                GError         **error)
{
  g_autofree char *buffer = g_malloc (CHUNK);
  int out = g_open (db_path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  gint64 done = 0;
  size_t n;
  gboolean ok = TRUE;

  if (out < 0)
    return io_error (error, _("The store could not be restored"));
  while (ok && (n = fread (buffer, 1, CHUNK, in)) > 0)
    {
      ok = write_all (out, buffer, n, error);
      done += (gint64) n;
      if (progress != NULL && total > 0)
        progress (0.9 * done / total, user_data);
    }
  if (ok && fsync (out) != 0)
    ok = io_error (error, _("The store could not be restored"));
  close (out);
  return ok;
}

/* Restores into a folder that holds no store yet, then opens it with the
 * passphrase or recovery key, which must fit a slot of the backup. */
VpStore *
vp_store_restore (const char      *backup_path,
                  const char      *dir,
                  const char      *secret,
                  gboolean         secret_is_recovery_key,
                  VpProgressFunc   progress,
                  gpointer         user_data,
                  GError         **error)
{
  g_autofree char *keys = NULL;
  g_autofree char *keys_path = g_build_filename (dir, "store.keys", NULL);
  g_autofree char *db_path = g_build_filename (dir, "store.db", NULL);
  VpStore *store;
  GStatBuf st;
  FILE *in;

  g_return_val_if_fail (backup_path != NULL && dir != NULL && secret != NULL, NULL);

  if (vp_store_exists (dir))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_EXISTS,
                           _("A store already exists in this folder"));
      return NULL;
    }
  in = g_fopen (backup_path, "rbe");
  if (in == NULL || g_stat (backup_path, &st) != 0)
    {
      if (in != NULL)
        fclose (in);
      io_error (error, _("The backup could not be read"));
      return NULL;
    }
  keys = read_header (in, error);
  if (keys == NULL ||
      g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (keys_path, keys, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error) ||
      !write_database (in, st.st_size, db_path, progress, user_data, error))
    {
      fclose (in);
      g_unlink (keys_path);
      g_unlink (db_path);
      return NULL;
    }
  fclose (in);

  store = secret_is_recovery_key ? vp_store_open_with_recovery_key (dir, secret, error)
                                 : vp_store_open (dir, secret, error);
  if (store == NULL)
    {
      /* A wrong passphrase leaves nothing behind. */
      g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);
      g_unlink (keys_path);
      g_unlink (db_path);
      g_unlink (wal);
      g_unlink (shm);
      return NULL;
    }
  /* A restore nobody can see in the audit log is undone. */
  if (!vp_audit_append (store, "restore", NULL, 0, "ok", error))
    {
      g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

      g_prefix_error (error, "%s", _("The restore was undone because the audit log could not record it: "));
      g_object_unref (store);
      g_unlink (keys_path);
      g_unlink (db_path);
      g_unlink (wal);
      g_unlink (shm);
      return NULL;
    }
  if (progress != NULL)
    progress (1.0, user_data);
  return store;
}
