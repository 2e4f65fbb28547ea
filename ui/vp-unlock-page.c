/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-store.h"
#include "vp-unlock-page.h"

/* Asks for the passphrase and opens the store off the main loop. */
struct _VpUnlockPage
{
  AdwBin        parent_instance;

  AdwEntryRow  *passphrase_row;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;

  char         *store_dir;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (VpUnlockPage, vp_unlock_page, ADW_TYPE_BIN)

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
open_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VpUnlockPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VpStore) store = vp_store_open_finish (result, &error);

  set_busy (self, FALSE);
  if (store == NULL)
    {
      show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
      return;
    }
  vp_unlock_page_reset (self);
  g_signal_emit (self, signals[STORE_READY], 0, store);
}

static void
unlock_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpUnlockPage *self = VP_UNLOCK_PAGE (widget);
  const char *passphrase = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));

  if (self->busy || self->store_dir == NULL)
    return;
  if (*passphrase == '\0')
    {
      show_error (self, _("Enter your passphrase"));
      return;
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  vp_store_open_async (self->store_dir, passphrase, NULL, open_done, g_object_ref (self));
}

static void
on_entry_activated (VpUnlockPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "unlock.unlock", NULL);
}

static gboolean
vp_unlock_page_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (VP_UNLOCK_PAGE (widget)->passphrase_row));
}

static void
vp_unlock_page_dispose (GObject *object)
{
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
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VpUnlockPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "unlock.unlock", NULL, unlock_activated);
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
}

/* The passphrase never outlives the unlock attempt in the entry. */
void
vp_unlock_page_reset (VpUnlockPage *self)
{
  g_return_if_fail (VP_IS_UNLOCK_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  show_error (self, NULL);
}
