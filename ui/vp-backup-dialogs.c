/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vp-backup.h"
#include "vp-backup-dialogs.h"
#include "vp-dialogs.h"
#include "vp-keyslots.h"

/* Backup and restore from the UI: choose a file, then copy in a worker
 * thread while a dialog shows the progress. */

typedef struct {
  GtkWindow        *parent;
  AdwMessageDialog *dialog;
  GtkProgressBar   *bar;
  VpStore          *store;
  char             *path;
  char             *dir;
  char             *secret;
  gboolean          recovery;
  VpRestoredFunc    restored;
  gpointer          user_data;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->parent);
  g_clear_object (&job->store);
  g_free (job->path);
  g_free (job->dir);
  if (job->secret != NULL)
    vp_wipe (job->secret, strlen (job->secret));
  g_free (job->secret);
  g_free (job);
}

typedef struct {
  GtkProgressBar *bar;
  double          fraction;
} ProgressUpdate;

static gboolean
apply_progress (gpointer data)
{
  ProgressUpdate *update = data;

  gtk_progress_bar_set_fraction (update->bar, update->fraction);
  g_object_unref (update->bar);
  g_free (update);
  return G_SOURCE_REMOVE;
}

/* Runs in the worker thread: hand the fraction to the main loop. */
static void
on_progress (double   fraction,
             gpointer user_data)
{
  Job *job = user_data;
  ProgressUpdate *update = g_new (ProgressUpdate, 1);

  update->bar = g_object_ref (job->bar);
  update->fraction = fraction;
  g_idle_add (apply_progress, update);
}

static void
show_progress (Job        *job,
               const char *heading)
{
  GtkWidget *bar = gtk_progress_bar_new ();

  job->dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (job->parent, heading, NULL));
  job->bar = GTK_PROGRESS_BAR (bar);
  gtk_progress_bar_set_show_text (job->bar, TRUE);
  adw_message_dialog_set_extra_child (job->dialog, bar);
  gtk_window_present (GTK_WINDOW (job->dialog));
}

static void
finish (Job        *job,
        const char *heading,
        const char *body)
{
  AdwMessageDialog *done = ADW_MESSAGE_DIALOG (adw_message_dialog_new (job->parent, heading, body));

  gtk_window_destroy (GTK_WINDOW (job->dialog));
  adw_message_dialog_add_response (done, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (done));
}

/* The backup runs on a clone of the store that vp_store_backup_async()
 * takes now, on the main thread: locking the window's store meanwhile
 * (Ctrl+L or the idle timeout) frees only that store's key. */
static void
backup_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;

  if (vp_store_backup_finish (VP_STORE (object), result, &error))
    finish (job, _("Backup Saved"),
            _("The backup is encrypted. It opens only with a passphrase of this store or its recovery key."));
  else
    finish (job, _("Backup Failed"), error->message);
  job_free (job);
}

static void
backup_file_chosen (GtkNativeDialog *chooser,
                    int              response,
                    Job             *job)
{
  job->path = vp_chooser_take_path (chooser, response);
  if (job->path == NULL)
    {
      job_free (job);
      return;
    }

  show_progress (job, _("Making a Backup…"));
  vp_store_backup_async (job->store, job->path, on_progress, job, NULL, backup_done, job);
}

void
vp_backup_dialogs_backup (GtkWindow *parent,
                          VpStore   *store)
{
  Job *job = g_new0 (Job, 1);
  GtkFileChooserNative *chooser;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "vindplaats-%Y-%m-%d.vpbackup");

  g_return_if_fail (VP_IS_STORE (store));

  job->parent = g_object_ref (parent);
  job->store = g_object_ref (store);
  chooser = vp_save_chooser_new (GTK_WIDGET (parent), _("Save Backup"), _("_Save"), name);
  g_signal_connect (chooser, "response", G_CALLBACK (backup_file_chosen), job);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
restore_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  VpStore *store = vp_store_restore (job->path, job->dir, job->secret, job->recovery,
                                     on_progress, job, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
restore_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = g_task_propagate_pointer (G_TASK (result), &error);

  if (store == NULL)
    {
      finish (job, _("Restore Failed"), error->message);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (job->dialog));
  job->restored (store, job->user_data);
}

/* A recovery key is recognised by its shape; anything else is taken as a
 * passphrase. */
static void
secret_response (AdwMessageDialog *dialog,
                 const char       *response,
                 Job              *job)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autofree char *normalized = NULL;
  g_autoptr(GTask) task = NULL;

  if (!g_str_equal (response, "restore"))
    {
      job_free (job);
      return;
    }
  job->secret = g_strdup (gtk_editable_get_text (entry));
  normalized = vp_recovery_key_normalize (job->secret);
  job->recovery = normalized != NULL;

  show_progress (job, _("Restoring the Store…"));
  task = g_task_new (NULL, NULL, restore_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, restore_thread);
}

static void
restore_file_chosen (GtkNativeDialog *chooser,
                     int              response,
                     Job             *job)
{
  AdwMessageDialog *dialog;
  GtkWidget *list, *entry;

  job->path = vp_chooser_take_path (chooser, response);
  if (job->path == NULL)
    {
      job_free (job);
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (job->parent, _("Restore from Backup"),
                                                       _("Enter a passphrase of the backed-up store, or its recovery key.")));
  list = gtk_list_box_new ();
  entry = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), _("Passphrase or recovery key"));
  gtk_list_box_append (GTK_LIST_BOX (list), entry);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_message_dialog_set_extra_child (dialog, list);
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, "restore", _("_Restore"));
  adw_message_dialog_set_response_appearance (dialog, "restore", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "restore");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (secret_response), job);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
vp_backup_dialogs_restore (GtkWindow      *parent,
                           const char     *store_dir,
                           VpRestoredFunc  restored,
                           gpointer        user_data)
{
  Job *job = g_new0 (Job, 1);
  GtkFileChooserNative *chooser;

  job->parent = g_object_ref (parent);
  job->dir = g_strdup (store_dir);
  job->restored = restored;
  job->user_data = user_data;
  chooser = vp_open_chooser_new (GTK_WIDGET (parent), _("Open Backup"), _("_Open"));
  g_signal_connect (chooser, "response", G_CALLBACK (restore_file_chosen), job);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
