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

/* A modal "save as" chooser over the widget's window. GtkFileChooserNative
 * is what GTK 4.8 offers; GtkFileDialog comes only with 4.10. */
GtkFileChooserNative *
vp_save_chooser_new (GtkWidget  *widget,
                     const char *title,
                     const char *accept,
                     const char *current_name)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, accept, _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), current_name);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  return chooser;
}
