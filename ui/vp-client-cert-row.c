/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-cert-password-dialog.h"
#include "vp-client-cert.h"
#include "vp-client-cert-row-private.h"
#include "vp-dialogs.h"

/* The team leader's row for this laptop's client certificate (#12): what
 * is kept (subject and dates) or "None", Import… (a file chooser, then
 * the password) and Remove. The file is read and kept by
 * vp_client_cert_import_async(); this row only asks and shows. Failures
 * are explained in a dialog, as each one needs the team leader to do
 * something (another file, another password, a new certificate). */
struct _VpClientCertRow
{
  AdwActionRow          parent_instance;

  GtkSpinner           *spinner;
  GtkButton            *import_button;
  GtkButton            *remove_button;

  VpStore              *store;
  GtkFileChooserNative *chooser;      /* while it is open */
  GCancellable         *cancellable;  /* of the import in progress */
};

G_DEFINE_FINAL_TYPE (VpClientCertRow, vp_client_cert_row, ADW_TYPE_ACTION_ROW)

/* A file on its way in: kept while its password is asked, so that a
 * wrong password can be asked again without choosing the file again. */
typedef struct {
  VpClientCertRow *row;
  GBytes          *contents;
  char            *file_name;
  GCancellable    *cancellable;
} Pending;

static Pending *
pending_new (VpClientCertRow *row,
             GBytes          *contents,
             const char      *file_name)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->row = g_object_ref (row);
  pending->contents = g_bytes_ref (contents);
  pending->file_name = g_strdup (file_name);
  return pending;
}

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->row);
  g_bytes_unref (pending->contents);
  g_free (pending->file_name);
  g_clear_object (&pending->cancellable);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static gboolean
is_busy (VpClientCertRow *self)
{
  return self->cancellable != NULL;
}

static void
update_actions (VpClientCertRow *self,
                gboolean         kept)
{
  gboolean ready = self->store != NULL && vp_store_is_open (self->store) && !is_busy (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "client-cert.import", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "client-cert.remove", ready && kept);
  gtk_spinner_set_spinning (self->spinner, is_busy (self));
}

static char *
describe (const VpClientCertInfo *info)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *until = vp_client_cert_format_date (info->not_after);
  g_autofree char *from = NULL;

  if (info->not_after <= now)
    /* Translators: a certificate's subject, then the day it expired. */
    return g_strdup_printf (_("%s\nExpired on %s; reports are refused until a new one is imported"),
                            info->subject, until);
  if (info->not_before > now)
    {
      from = vp_client_cert_format_date (info->not_before);
      /* Translators: a certificate's subject, then the days it is valid. */
      return g_strdup_printf (_("%s\nValid from %s until %s"), info->subject, from, until);
    }
  /* Translators: a certificate's subject, then the day it expires. */
  return g_strdup_printf (_("%s\nValid until %s"), info->subject, until);
}

/* Shows what the store keeps. */
static void
refresh (VpClientCertRow *self)
{
  g_autoptr(VpClientCertInfo) info = NULL;
  g_autofree char *text = NULL;

  if (self->store != NULL && vp_store_is_open (self->store))
    info = vp_client_cert_get_info (self->store);
  text = info != NULL ? describe (info) : g_strdup (_("None"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), text);
  update_actions (self, info != NULL);
}

static GtkWindow *
parent_window (VpClientCertRow *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
show_failure (VpClientCertRow *self,
              const char      *heading,
              const char      *message)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent_window (self), heading, message));

  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void ask_password (VpClientCertRow *self,
                          GBytes          *contents,
                          const char      *file_name,
                          const char      *error_message);

static void
import_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  VpClientCertRow *self = pending->row;
  g_autoptr(GError) error = NULL;
  gboolean ok = vp_client_cert_import_finish (VP_STORE (object), result, &error);

  /* The store was locked or changed meanwhile: nothing here to show. */
  if (g_cancellable_is_cancelled (pending->cancellable))
    return;
  g_clear_object (&self->cancellable);
  refresh (self);
  if (ok)
    vp_toast (GTK_WIDGET (self), _("Client certificate imported"));
  else if (g_error_matches (error, VP_CLIENT_CERT_ERROR, VP_CLIENT_CERT_ERROR_WRONG_PASSWORD))
    ask_password (self, pending->contents, pending->file_name, error->message);
  else
    show_failure (self, _("Certificate Not Imported"), error->message);
}

/* The password goes straight from the entry to the import, which keeps
 * its own copy only until the file is read; the entry is cleared. */
static void
password_response (VpCertPasswordDialog *dialog,
                   const char           *response,
                   Pending              *request)
{
  VpClientCertRow *self = request->row;
  Pending *pending;

  if (g_strcmp0 (response, "import") != 0 || self->store == NULL || is_busy (self))
    {
      vp_cert_password_dialog_clear (dialog);
      return;
    }
  pending = pending_new (self, request->contents, request->file_name);
  pending->cancellable = g_cancellable_new ();
  self->cancellable = g_object_ref (pending->cancellable);
  vp_client_cert_import_async (self->store, request->contents, vp_cert_password_dialog_get_password (dialog),
                               pending->cancellable, import_done, pending);
  vp_cert_password_dialog_clear (dialog);
  update_actions (self, FALSE);
}

static void
pending_closure_notify (gpointer  data,
                        GClosure *closure)
{
  pending_free (data);
}

static void
ask_password (VpClientCertRow *self,
              GBytes          *contents,
              const char      *file_name,
              const char      *error_message)
{
  GtkWidget *dialog = vp_cert_password_dialog_new (parent_window (self), file_name, error_message);

  g_signal_connect_data (dialog, "response", G_CALLBACK (password_response),
                         pending_new (self, contents, file_name), pending_closure_notify, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
file_loaded (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(VpClientCertRow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *path = g_file_get_path (G_FILE (object));
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &length, NULL, &error))
    {
      show_failure (self, _("Certificate Not Imported"), error->message);
      return;
    }
  if (self->store == NULL)
    return;
  name = path != NULL ? g_filename_display_basename (path) : g_file_get_basename (G_FILE (object));
  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  ask_password (self, bytes, name, NULL);
}

static void
close_chooser (VpClientCertRow *self)
{
  GtkFileChooserNative *chooser = g_steal_pointer (&self->chooser);

  if (chooser == NULL)
    return;
  g_signal_handlers_disconnect_by_data (chooser, self);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_object_unref (chooser);
}

/* The certificate file's path is kept out of the recent-files list, as
 * every file the app reads or writes (vp_chooser_take_path()). */
static void
file_chosen (GtkNativeDialog *chooser,
             int              response,
             VpClientCertRow *self)
{
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  g_signal_handlers_disconnect_by_data (chooser, self);
  self->chooser = NULL;
  path = vp_chooser_take_path (chooser, response);
  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  g_file_load_contents_async (file, NULL, file_loaded, g_object_ref (self));
}

/* GtkFileChooserNative is what GTK 4.8 offers (GtkFileDialog is 4.10). */
static void
import_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  VpClientCertRow *self = VP_CLIENT_CERT_ROW (widget);
  g_autoptr(GtkFileFilter) certificates = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  close_chooser (self);
  gtk_file_filter_set_name (certificates, _("Certificate files (.p12, .pfx)"));
  gtk_file_filter_add_suffix (certificates, "p12");
  gtk_file_filter_add_suffix (certificates, "pfx");
  gtk_file_filter_add_mime_type (certificates, "application/x-pkcs12");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");

  self->chooser = gtk_file_chooser_native_new (_("Import Client Certificate"), parent_window (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), certificates);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), certificates);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (file_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
remove_response (AdwMessageDialog *dialog,
                 const char       *response,
                 VpClientCertRow  *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "remove") != 0 || self->store == NULL)
    return;
  if (!vp_client_cert_remove (self->store, &error))
    {
      show_failure (self, _("Certificate Not Removed"), error->message);
      return;
    }
  refresh (self);
  vp_toast (GTK_WIDGET (self), _("Client certificate removed"));
}

static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  VpClientCertRow *self = VP_CLIENT_CERT_ROW (widget);
  AdwMessageDialog *dialog =
    vp_dialog_new (widget, _("Remove the Client Certificate?"),
                   _("Reports are then sent without it. An endpoint that requires one refuses them until a certificate is imported again."),
                   "remove", _("_Remove"), ADW_RESPONSE_DESTRUCTIVE);

  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
cancel_import (VpClientCertRow *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
vp_client_cert_row_dispose (GObject *object)
{
  VpClientCertRow *self = VP_CLIENT_CERT_ROW (object);

  close_chooser (self);
  cancel_import (self);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_CLIENT_CERT_ROW);
  G_OBJECT_CLASS (vp_client_cert_row_parent_class)->dispose (object);
}

static void
vp_client_cert_row_class_init (VpClientCertRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_client_cert_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-client-cert-row.ui");
  gtk_widget_class_bind_template_child (widget_class, VpClientCertRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, VpClientCertRow, import_button);
  gtk_widget_class_bind_template_child (widget_class, VpClientCertRow, remove_button);

  gtk_widget_class_install_action (widget_class, "client-cert.import", NULL, import_activated);
  gtk_widget_class_install_action (widget_class, "client-cert.remove", NULL, remove_activated);
}

static void
vp_client_cert_row_init (VpClientCertRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  refresh (self);
}

/* @store: (nullable): the unlocked store of a team leader, or NULL (locked,
 * or a coach), which also stops an import under way. */
void
vp_client_cert_row_set_store (VpClientCertRow *self,
                              VpStore         *store)
{
  g_return_if_fail (VP_IS_CLIENT_CERT_ROW (self));
  g_return_if_fail (store == NULL || VP_IS_STORE (store));

  close_chooser (self);
  cancel_import (self);
  g_set_object (&self->store, store);
  refresh (self);
}

gboolean
_vp_client_cert_row_is_busy (VpClientCertRow *self)
{
  g_return_val_if_fail (VP_IS_CLIENT_CERT_ROW (self), FALSE);
  return is_busy (self);
}

GtkNativeDialog *
_vp_client_cert_row_get_chooser (VpClientCertRow *self)
{
  g_return_val_if_fail (VP_IS_CLIENT_CERT_ROW (self), NULL);
  return self->chooser != NULL ? GTK_NATIVE_DIALOG (self->chooser) : NULL;
}
