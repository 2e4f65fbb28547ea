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
