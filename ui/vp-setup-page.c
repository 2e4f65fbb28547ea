/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vp-backup-dialogs.h"
#include "vp-keyslots.h"
#include "vp-setup-page.h"
#include "vp-store.h"

/* First run: creates the team's store. Key derivation runs in a worker
 * thread, so the window stays responsive. */
struct _VpSetupPage
{
  AdwBin        parent_instance;

  AdwEntryRow  *team_row;
  AdwEntryRow  *municipality_row;
  AdwEntryRow  *name_row;
  AdwEntryRow  *passphrase_row;
  AdwEntryRow  *repeat_row;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;

  char         *store_dir;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (VpSetupPage, vp_setup_page, ADW_TYPE_BIN)

enum {
  STORE_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  char *dir;
  char *team;
  char *municipality;
  char *name;
  char *passphrase;
  char *recovery_key;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->dir);
  g_free (data->team);
  g_free (data->municipality);
  g_free (data->name);
  if (data->passphrase != NULL)
    vp_wipe (data->passphrase, strlen (data->passphrase));
  g_free (data->passphrase);
  if (data->recovery_key != NULL)
    vp_wipe (data->recovery_key, strlen (data->recovery_key));
  g_free (data->recovery_key);
  g_free (data);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CreateData *data = task_data;
  VpStoreSetup setup = { data->team, data->municipality, data->name, data->passphrase };
  GError *error = NULL;
  VpStore *store = vp_store_create (data->dir, &setup, &data->recovery_key, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
set_busy (VpSetupPage *self,
          gboolean     busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.create", !busy);
}

static void
show_error (VpSetupPage *self,
            const char  *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
create_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VpSetupPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = g_task_propagate_pointer (G_TASK (result), &error);
  CreateData *data = g_task_get_task_data (G_TASK (result));

  set_busy (self, FALSE);
  if (store == NULL)
    {
      show_error (self, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->repeat_row), "");
  g_signal_emit (self, signals[STORE_READY], 0, store, data->recovery_key);
}

static char *
row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
create_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpSetupPage *self = VP_SETUP_PAGE (widget);
  const char *passphrase = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));
  const char *repeat = gtk_editable_get_text (GTK_EDITABLE (self->repeat_row));
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CreateData *data;
  VpStoreSetup setup;

  if (self->busy)
    return;

  data = g_new0 (CreateData, 1);
  data->dir = g_strdup (self->store_dir);
  data->team = row_text (self->team_row);
  data->municipality = g_ascii_strup (gtk_editable_get_text (GTK_EDITABLE (self->municipality_row)), -1);
  g_strstrip (data->municipality);
  data->name = row_text (self->name_row);
  data->passphrase = g_strdup (passphrase);

  setup = (VpStoreSetup) { data->team, data->municipality, data->name, data->passphrase };
  if (!vp_store_validate_setup (&setup, &error) || g_strcmp0 (passphrase, repeat) != 0)
    {
      show_error (self, error != NULL ? error->message : _("The two passphrases differ"));
      create_data_free (data);
      return;
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  task = g_task_new (NULL, NULL, create_done, g_object_ref (self));
  g_task_set_source_tag (task, create_activated);
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);
  g_task_run_in_thread (task, create_thread);
}

static void
on_restored (VpStore  *store,
             gpointer  user_data)
{
  /* No recovery key to show: it was made when the store was set up. */
  g_signal_emit (VP_SETUP_PAGE (user_data), signals[STORE_READY], 0, store, NULL);
}

static void
restore_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  VpSetupPage *self = VP_SETUP_PAGE (widget);

  vp_backup_dialogs_restore (GTK_WINDOW (gtk_widget_get_root (widget)), self->store_dir,
                             on_restored, self);
}

static void
on_entry_activated (VpSetupPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "setup.create", NULL);
}

static void
vp_setup_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_SETUP_PAGE);
  G_OBJECT_CLASS (vp_setup_page_parent_class)->dispose (object);
}

static void
vp_setup_page_finalize (GObject *object)
{
  g_free (VP_SETUP_PAGE (object)->store_dir);
  G_OBJECT_CLASS (vp_setup_page_parent_class)->finalize (object);
}

static void
vp_setup_page_class_init (VpSetupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_setup_page_dispose;
  object_class->finalize = vp_setup_page_finalize;

  signals[STORE_READY] =
    g_signal_new ("store-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, VP_TYPE_STORE, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-setup-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpSetupPage, team_row);
  gtk_widget_class_bind_template_child (widget_class, VpSetupPage, municipality_row);
  gtk_widget_class_bind_template_child (widget_class, VpSetupPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, VpSetupPage, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, VpSetupPage, repeat_row);
  gtk_widget_class_bind_template_child (widget_class, VpSetupPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VpSetupPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "setup.create", NULL, create_activated);
  gtk_widget_class_install_action (widget_class, "setup.restore", NULL, restore_activated);
}

static void
vp_setup_page_init (VpSetupPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
vp_setup_page_set_store_dir (VpSetupPage *self,
                             const char  *store_dir)
{
  g_return_if_fail (VP_IS_SETUP_PAGE (self));
  g_free (self->store_dir);
  self->store_dir = g_strdup (store_dir);
}
