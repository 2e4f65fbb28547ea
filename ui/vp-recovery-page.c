/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-dialogs.h"
#include "vp-keyslots.h"
#include "vp-recovery-page.h"

/* Shown once, right after set-up: the recovery key, with print and save.
 * The key lives only in this page until "I Have Stored It". */
struct _VpRecoveryPage
{
  GtkWidget  parent_instance;

  GtkLabel  *key_label;

  VpStore   *store;
  char      *key;
};

G_DEFINE_FINAL_TYPE (VpRecoveryPage, vp_recovery_page, GTK_TYPE_WIDGET)

enum {
  DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
sheet_text (VpRecoveryPage *self)
{
  return g_strdup_printf (_("Vindplaats recovery key\n\n"
                            "Team: %s\n\n"
                            "%s\n\n"
                            "This key opens the team's store when every passphrase is forgotten.\n"
                            "Keep it locked away, apart from the laptop. Whoever has it can read the store.\n"),
                          vp_store_get_team_code (self->store), self->key);
}

static void
draw_page (GtkPrintOperation *operation,
           GtkPrintContext   *context,
           int                page_nr,
           VpRecoveryPage    *self)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  g_autoptr(PangoLayout) layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Monospace 12");
  g_autofree char *text = sheet_text (self);

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (gtk_print_context_get_width (context) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, 0, 0);
  pango_cairo_show_layout (cr, layout);
  vp_wipe (text, strlen (text));
}

static void
print_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  VpRecoveryPage *self = VP_RECOVERY_PAGE (widget);
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GError) error = NULL;
  GtkPrintOperationResult result;

  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_job_name (operation, _("Vindplaats recovery key"));
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page), self);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                    GTK_WINDOW (gtk_widget_get_root (widget)), &error);
  if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    vp_audit_append (self->store, "print", "recovery_key", 0, "ok", NULL);
  else if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    g_warning ("Printing failed: %s", error->message);
}

static void
save_response (GtkNativeDialog *dialog,
               int              response,
               VpRecoveryPage  *self)
{
  g_autofree char *path = vp_chooser_take_path (dialog, response);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  text = sheet_text (self);
  if (vp_write_private_file (path, text, &error))
    vp_audit_append (self->store, "export", "recovery_key", 0, "ok", NULL);
  else
    g_warning ("Could not save the recovery key: %s", error->message);
  vp_wipe (text, strlen (text));
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VpRecoveryPage *self = VP_RECOVERY_PAGE (widget);
  GtkFileChooserNative *dialog;

  dialog = vp_save_chooser_new (widget, _("Save Recovery Key"), _("_Save"), "vindplaats-recovery-key.txt");
  g_signal_connect (dialog, "response", G_CALLBACK (save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
done_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VpRecoveryPage *self = VP_RECOVERY_PAGE (widget);
  g_autoptr(VpStore) store = self->store != NULL ? g_object_ref (self->store) : NULL;

  vp_recovery_page_clear (self);
  if (store != NULL)
    g_signal_emit (self, signals[DONE], 0, store);
}

void
vp_recovery_page_clear (VpRecoveryPage *self)
{
  g_return_if_fail (VP_IS_RECOVERY_PAGE (self));

  if (self->key != NULL)
    vp_wipe (self->key, strlen (self->key));
  g_clear_pointer (&self->key, g_free);
  g_clear_object (&self->store);
  gtk_label_set_label (self->key_label, "");
}

void
vp_recovery_page_show_key (VpRecoveryPage *self,
                           VpStore        *store,
                           const char     *recovery_key)
{
  g_return_if_fail (VP_IS_RECOVERY_PAGE (self));
  g_return_if_fail (VP_IS_STORE (store));

  vp_recovery_page_clear (self);
  self->store = g_object_ref (store);
  self->key = g_strdup (recovery_key);
  gtk_label_set_label (self->key_label, recovery_key);
}

static void
vp_recovery_page_dispose (GObject *object)
{
  GtkWidget *child;

  vp_recovery_page_clear (VP_RECOVERY_PAGE (object));
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_RECOVERY_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vp_recovery_page_parent_class)->dispose (object);
}

static void
vp_recovery_page_class_init (VpRecoveryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_recovery_page_dispose;

  signals[DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VP_TYPE_STORE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-recovery-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpRecoveryPage, key_label);

  gtk_widget_class_install_action (widget_class, "recovery.print", NULL, print_activated);
  gtk_widget_class_install_action (widget_class, "recovery.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "recovery.done", NULL, done_activated);
}

static void
vp_recovery_page_init (VpRecoveryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
