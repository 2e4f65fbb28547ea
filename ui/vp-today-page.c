/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-clock.h"
#include "vp-contact.h"
#include "vp-contact-dialog.h"
#include "vp-dialogs.h"
#include "vp-today-page.h"

/* Today's contacts of this device, newest first. A day holds dozens of
 * contacts at most, so a list box over a list store is enough here. A row
 * opens with Return or a click, to correct or delete its contact once the
 * Undo toast is gone (#15); "changed" tells the window. The rows exist only
 * while the page is shown: the page is one of the window's tabs, filled at
 * unlock, and rows behind another tab would be built and measured for
 * nothing (#14). */
struct _VpTodayPage
{
  GtkWidget   parent_instance;

  GtkStack   *stack;
  GtkLabel   *heading;
  GtkListBox *list;

  VpStore    *store;
  GListModel *contacts;
};

G_DEFINE_FINAL_TYPE (VpTodayPage, vp_today_page, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  VpContact *contact = item;
  g_autofree char *time = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *location = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();

  g_object_get (contact, "time", &time, "kind-label", &kind, "location-label", &location, NULL);
  subtitle = g_strdup_printf ("%s · %s · %s", time, kind, location);

  /* Labels are typed by coaches: never parse them as markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), vp_contact_get_client_label (contact));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Correct or delete this contact"));
  return row;
}

static void
bind_rows (VpTodayPage *self)
{
  gboolean shown = gtk_widget_get_mapped (GTK_WIDGET (self));

  gtk_list_box_bind_model (self->list, shown ? self->contacts : NULL, create_row, NULL, NULL);
}

void
vp_today_page_refresh (VpTodayPage *self)
{
  g_autoptr(GError) error = NULL;
  GDate today;
  g_autofree char *heading = NULL;
  guint n;

  g_return_if_fail (VP_IS_TODAY_PAGE (self));

  vp_clock_today (&today);
  g_clear_object (&self->contacts);
  if (self->store != NULL && vp_store_is_open (self->store))
    {
      self->contacts = vp_store_list_contacts_on (self->store, &today, &error);
      if (error != NULL)
        g_warning ("Could not list today's contacts: %s", error->message);
    }
  if (self->contacts == NULL)
    self->contacts = G_LIST_MODEL (g_list_store_new (VP_TYPE_CONTACT));

  bind_rows (self);
  n = g_list_model_get_n_items (self->contacts);
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u contact today", "%u contacts today", n), n);
  gtk_label_set_label (self->heading, heading);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

guint
vp_today_page_get_n_items (VpTodayPage *self)
{
  g_return_val_if_fail (VP_IS_TODAY_PAGE (self), 0);
  return self->contacts != NULL ? g_list_model_get_n_items (self->contacts) : 0;
}

void
vp_today_page_set_store (VpTodayPage *self,
                         VpStore     *store)
{
  g_return_if_fail (VP_IS_TODAY_PAGE (self));

  g_set_object (&self->store, store);
  vp_today_page_refresh (self);
}

static void
on_contact_changed (VpTodayPage *self)
{
  vp_today_page_refresh (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_row_activated (VpTodayPage   *self,
                  GtkListBoxRow *row)
{
  g_autoptr(VpContact) contact = NULL;
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  VpContactDialog *dialog;

  contact = g_list_model_get_item (self->contacts, (guint) gtk_list_box_row_get_index (row));
  if (contact == NULL || self->store == NULL)
    return;
  dialog = vp_contact_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                                  vp_contact_get_id (contact), &error);
  if (dialog == NULL)
    {
      vp_toast (GTK_WIDGET (self), error->message);
      vp_today_page_refresh (self);
      return;
    }
  g_signal_connect_object (dialog, "changed", G_CALLBACK (on_contact_changed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
vp_today_page_dispose (GObject *object)
{
  VpTodayPage *self = VP_TODAY_PAGE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->contacts);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_TODAY_PAGE);
  G_OBJECT_CLASS (vp_today_page_parent_class)->dispose (object);
}

static void
vp_today_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (vp_today_page_parent_class)->map (widget);
  bind_rows (VP_TODAY_PAGE (widget));
}

static void
vp_today_page_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (vp_today_page_parent_class)->unmap (widget);
  bind_rows (VP_TODAY_PAGE (widget));
}

static void
vp_today_page_class_init (VpTodayPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_today_page_dispose;
  widget_class->map = vp_today_page_map;
  widget_class->unmap = vp_today_page_unmap;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-today-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpTodayPage, stack);
  gtk_widget_class_bind_template_child (widget_class, VpTodayPage, heading);
  gtk_widget_class_bind_template_child (widget_class, VpTodayPage, list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
vp_today_page_init (VpTodayPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
