/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-dialogs.h"

/* A question with Cancel and one answer, over the window of widget. The
 * caller connects "response" and presents it. */
AdwMessageDialog *
vp_dialog_new (GtkWidget             *widget,
               const char            *heading,
               const char            *body,
               const char            *response_id,
               const char            *response_label,
               AdwResponseAppearance  appearance)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog =
    ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body));

  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, response_id, response_label);
  adw_message_dialog_set_response_appearance (dialog, response_id, appearance);
  adw_message_dialog_set_default_response (dialog, response_id);
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

/* A short message in the window's toast overlay, if it has one. */
void
vp_toast (GtkWidget  *widget,
          const char *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (title));
}

static GtkFileChooserNative *
chooser_new (GtkWidget            *widget,
             GtkFileChooserAction  action,
             const char           *title,
             const char           *accept)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         action, accept, _("_Cancel"));
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  return chooser;
}

/* A modal "save as" chooser over the widget's window. GtkFileChooserNative
 * is what GTK 4.8 offers; GtkFileDialog comes only with 4.10. */
GtkFileChooserNative *
vp_save_chooser_new (GtkWidget  *widget,
                     const char *title,
                     const char *accept,
                     const char *current_name)
{
  GtkFileChooserNative *chooser = chooser_new (widget, GTK_FILE_CHOOSER_ACTION_SAVE, title, accept);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), current_name);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return chooser;
}

/* A modal chooser of an existing file, over the widget's window. */
GtkFileChooserNative *
vp_open_chooser_new (GtkWidget  *widget,
                     const char *title,
                     const char *accept)
{
  return chooser_new (widget, GTK_FILE_CHOOSER_ACTION_OPEN, title, accept);
}

/* GTK's own file chooser adds every file that it accepts, with its full
 * path, to the account's list of recently used files (recently-used.xbel),
 * which any program can read. The files chosen here are exports, backups
 * and a recovery key: their names and places must not be kept there. GTK
 * 4.8 has no switch for one chooser, and turning the list off
 * (gtk-recent-files-enabled) would empty it for every application, so the
 * entry is taken out again. GTK adds it asynchronously after the response
 * and writes the list 250 ms after a change; polling every 20 ms removes it
 * before that write, or right after it if the main loop was held up. */
#define FORGET_POLL_MS 20
#define FORGET_POLLS 500

typedef struct {
  char  *uri;
  guint  polls;
} ForgetRecent;

static void
forget_recent_free (ForgetRecent *forget)
{
  g_free (forget->uri);
  g_free (forget);
}

static gboolean
forget_recent_poll (gpointer data)
{
  ForgetRecent *forget = data;
  GtkRecentManager *recent = gtk_recent_manager_get_default ();

  if (gtk_recent_manager_has_item (recent, forget->uri))
    {
      gtk_recent_manager_remove_item (recent, forget->uri, NULL);
      return G_SOURCE_REMOVE;
    }
  return ++forget->polls < FORGET_POLLS ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
forget_recent_file (GFile *file)
{
  ForgetRecent *forget = g_new0 (ForgetRecent, 1);

  forget->uri = g_file_get_uri (file);
  g_timeout_add_full (G_PRIORITY_DEFAULT, FORGET_POLL_MS, forget_recent_poll, forget,
                      (GDestroyNotify) forget_recent_free);
}

/* Ends a file chooser: the chosen local path on accept, NULL otherwise.
 * The chooser is destroyed and released either way. */
char *
vp_chooser_take_path (GtkNativeDialog *chooser,
                      int              response)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  if (file == NULL)
    return NULL;
  forget_recent_file (file);
  return g_file_get_path (file);
}

/* Exports leave the encrypted store: readable by their owner only. */
gboolean
vp_write_private_file (const char  *path,
                       const char  *contents,
                       GError     **error)
{
  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
