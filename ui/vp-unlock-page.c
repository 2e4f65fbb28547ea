/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vp-accounts.h"
#include "vp-keyslots.h"
#include "vp-store.h"
#include "vp-unlock-page.h"

/* Opens the store off the main loop, with a passphrase or, when every
 * passphrase is forgotten, the recovery key. A recovery-key unlock must end
 * with a new passphrase before the store is handed on. */
typedef enum {
  MODE_PASSPHRASE,
  MODE_RECOVERY,
  MODE_NEW_PASSPHRASE,
} Mode;

struct _VpUnlockPage
{
  GtkWidget      parent_instance;

  AdwStatusPage *status_page;
  AdwEntryRow   *name_row;
  AdwEntryRow   *passphrase_row;
  AdwEntryRow   *repeat_row;
  GtkLabel      *error_label;
  GtkSpinner    *spinner;
  GtkButton     *unlock_button;
  GtkButton     *mode_button;
  GtkLabel      *mode_label;

  char          *store_dir;
  VpStore       *recovered;
  Mode           mode;
  gboolean       busy;
};

G_DEFINE_FINAL_TYPE (VpUnlockPage, vp_unlock_page, GTK_TYPE_WIDGET)

enum {
  STORE_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (VpUnlockPage *self,
          gboolean      busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  /* Not insensitive: that would pull the focus away mid-typing. */
  gtk_editable_set_editable (GTK_EDITABLE (self->passphrase_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "unlock.unlock", !busy);
}

static void
show_error (VpUnlockPage *self,
            const char   *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_mode (VpUnlockPage *self,
          Mode          mode)
{
  gboolean several = self->store_dir != NULL && vp_store_count_accounts (self->store_dir) > 1;

  self->mode = mode;
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->repeat_row), "");
  show_error (self, NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->name_row), mode == MODE_PASSPHRASE && several);
  gtk_widget_set_visible (GTK_WIDGET (self->repeat_row), mode == MODE_NEW_PASSPHRASE);
  gtk_widget_set_visible (GTK_WIDGET (self->mode_button), mode != MODE_NEW_PASSPHRASE);

  switch (mode)
    {
    case MODE_PASSPHRASE:
      adw_status_page_set_title (self->status_page, _("Store Locked"));
      adw_status_page_set_description (self->status_page, _("Enter your passphrase to open the team's contacts."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->passphrase_row), _("Passphrase"));
      gtk_label_set_label (self->mode_label, _("Forgot the passphrase? Use the _recovery key"));
      gtk_button_set_label (self->unlock_button, _("_Unlock"));
      break;
    case MODE_RECOVERY:
      adw_status_page_set_title (self->status_page, _("Use the Recovery Key"));
      adw_status_page_set_description (self->status_page, _("Type the recovery key that was printed or saved when the store was set up. Its use is recorded in the audit log."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->passphrase_row), _("Recovery key"));
      gtk_label_set_label (self->mode_label, _("Use a _passphrase instead"));
      gtk_button_set_label (self->unlock_button, _("_Unlock"));
      break;
    case MODE_NEW_PASSPHRASE:
      adw_status_page_set_title (self->status_page, _("Choose a New Passphrase"));
      adw_status_page_set_description (self->status_page, _("The recovery key opened the store. Choose a new passphrase for your account before you go on."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->passphrase_row), _("New passphrase (at least 10 characters)"));
      gtk_button_set_label (self->unlock_button, _("_Save Passphrase"));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
hand_on (VpUnlockPage *self,
         VpStore      *store)
{
  g_autoptr(VpStore) ready = g_object_ref (store);

  g_clear_object (&self->recovered);
  set_mode (self, MODE_PASSPHRASE);
  g_signal_emit (self, signals[STORE_READY], 0, ready);
}

static void
open_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VpUnlockPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = g_task_propagate_pointer (G_TASK (result), &error);

  set_busy (self, FALSE);
  if (store == NULL)
    {
      show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
      return;
    }
  if (vp_store_needs_new_passphrase (store))
    {
      g_set_object (&self->recovered, store);
      set_mode (self, MODE_NEW_PASSPHRASE);
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
      return;
    }
  hand_on (self, store);
}

typedef struct {
  char     *dir;
  char     *name;
  char     *secret;
  gboolean  recovery;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->dir);
  g_free (data->name);
  vp_wipe (data->secret, strlen (data->secret));
  g_free (data->secret);
  g_free (data);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  VpStore *store = data->recovery
    ? vp_store_open_with_recovery_key (data->dir, data->secret, &error)
    : vp_store_open_account (data->dir, data->name, data->secret, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
start_open (VpUnlockPage *self,
            const char   *secret)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data = g_new0 (OpenData, 1);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  data->dir = g_strdup (self->store_dir);
  data->name = gtk_widget_get_visible (GTK_WIDGET (self->name_row)) && *name != '\0'
               ? g_steal_pointer (&name) : NULL;
  data->secret = g_strdup (secret);
  data->recovery = self->mode == MODE_RECOVERY;

  show_error (self, NULL);
  set_busy (self, TRUE);
  task = g_task_new (NULL, NULL, open_done, g_object_ref (self));
  g_task_set_source_tag (task, start_open);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

/* Writes the new passphrase's key slot (a fraction of a second). */
static void
save_new_passphrase (VpUnlockPage *self,
                     const char   *passphrase)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (passphrase, gtk_editable_get_text (GTK_EDITABLE (self->repeat_row))) != 0)
    {
      show_error (self, _("The two passphrases differ"));
      return;
    }
  if (!vp_store_reset_passphrase (self->recovered, vp_store_get_account_id (self->recovered),
                                  passphrase, &error))
    {
      show_error (self, error->message);
      return;
    }
  hand_on (self, self->recovered);
}

static void
unlock_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpUnlockPage *self = VP_UNLOCK_PAGE (widget);
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));

  if (self->busy || self->store_dir == NULL)
    return;
  if (*secret == '\0')
    {
      show_error (self, self->mode == MODE_RECOVERY ? _("Enter the recovery key")
                                                    : _("Enter your passphrase"));
      return;
    }
  if (self->mode == MODE_NEW_PASSPHRASE)
    save_new_passphrase (self, secret);
  else
    start_open (self, secret);
}

static void
toggle_recovery_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  VpUnlockPage *self = VP_UNLOCK_PAGE (widget);

  if (!self->busy && self->mode != MODE_NEW_PASSPHRASE)
    set_mode (self, self->mode == MODE_PASSPHRASE ? MODE_RECOVERY : MODE_PASSPHRASE);
  gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
}

static void
on_entry_activated (VpUnlockPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "unlock.unlock", NULL);
}

static gboolean
vp_unlock_page_grab_focus (GtkWidget *widget)
{
  VpUnlockPage *self = VP_UNLOCK_PAGE (widget);

  if (gtk_widget_get_visible (GTK_WIDGET (self->name_row)) &&
      *gtk_editable_get_text (GTK_EDITABLE (self->name_row)) == '\0')
    return gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  return gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
}

static void
vp_unlock_page_dispose (GObject *object)
{
  g_clear_object (&VP_UNLOCK_PAGE (object)->recovered);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_UNLOCK_PAGE);
  G_OBJECT_CLASS (vp_unlock_page_parent_class)->dispose (object);
}

static void
vp_unlock_page_finalize (GObject *object)
{
  g_free (VP_UNLOCK_PAGE (object)->store_dir);
  G_OBJECT_CLASS (vp_unlock_page_parent_class)->finalize (object);
}

static void
vp_unlock_page_class_init (VpUnlockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_unlock_page_dispose;
  object_class->finalize = vp_unlock_page_finalize;
  widget_class->grab_focus = vp_unlock_page_grab_focus;

  signals[STORE_READY] =
    g_signal_new ("store-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VP_TYPE_STORE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-unlock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, repeat_row);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, mode_button);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, mode_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "unlock.unlock", NULL, unlock_activated);
  gtk_widget_class_install_action (widget_class, "unlock.toggle-recovery", NULL, toggle_recovery_activated);
}

static void
vp_unlock_page_init (VpUnlockPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
vp_unlock_page_set_store_dir (VpUnlockPage *self,
                              const char   *store_dir)
{
  g_return_if_fail (VP_IS_UNLOCK_PAGE (self));

  g_free (self->store_dir);
  self->store_dir = g_strdup (store_dir);
  set_mode (self, MODE_PASSPHRASE);
}

/* A store opened with the recovery key elsewhere (a restore) still needs
 * its new passphrase before it is handed on. */
void
vp_unlock_page_require_new_passphrase (VpUnlockPage *self,
                                       VpStore      *store)
{
  g_return_if_fail (VP_IS_UNLOCK_PAGE (self));
  g_return_if_fail (VP_IS_STORE (store));

  g_set_object (&self->recovered, store);
  set_mode (self, MODE_NEW_PASSPHRASE);
}

/* Back to a clean passphrase prompt; the accounts may have changed. */
void
vp_unlock_page_reset (VpUnlockPage *self)
{
  g_return_if_fail (VP_IS_UNLOCK_PAGE (self));

  g_clear_object (&self->recovered);
  set_mode (self, MODE_PASSPHRASE);
}
