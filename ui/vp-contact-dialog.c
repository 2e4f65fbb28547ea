/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Correcting or deleting a saved contact, opened from a row of the Today
 * page (#15). Deleting asks first, naming what goes. The dialog emits
 * "changed" once the store holds the correction or the deletion. It hides
 * rather than closes on a response, so that a correction the store
 * refuses comes back with what was typed, and the question about deleting
 * can be answered before it goes. */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vp-category-combo.h"
#include "vp-combo-typeahead.h"
#include "vp-contact-dialog.h"
#include "vp-contact-edit.h"
#include "vp-dialogs.h"

struct _VpContactDialog
{
  AdwMessageDialog  parent_instance;

  AdwComboRow      *location_row;
  AdwComboRow      *initiated_row;
  AdwComboRow      *stage_row;
  AdwComboRow      *interpreter_row;
  AdwEntryRow      *notes_row;

  VpStore          *store;
  VpContactRecord  *record;
  GPtrArray        *location_keys;
};

G_DEFINE_FINAL_TYPE (VpContactDialog, vp_contact_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (VpContactDialog *self,
            const GError    *error)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  GtkWidget *message = adw_message_dialog_new (parent, _("The Contact Was Not Changed"), error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (message), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (message));
}

/* The store takes a named location's type from the location itself. */
static gboolean
read_location (VpContactDialog *self,
               VpContactRecord *record)
{
  gint64 location_id = 0;
  const char *type = vp_location_combo_get (self->location_row, self->location_keys, &location_id);

  record->location_id = location_id;
  if (type != NULL)
    {
      g_free (record->location_type);
      record->location_type = g_strdup (type);
    }
  return location_id != 0 || type != NULL;
}

static void
save (VpContactDialog *self)
{
  g_autoptr(GError) error = NULL;
  VpContactRecord *record = self->record;

  if (!read_location (self, record))
    g_set_error_literal (&error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID, _("Choose the type of location"));
  else
    {
      g_free (record->initiated_by);
      record->initiated_by = g_strdup (vp_category_combo_get (self->initiated_row, VP_CATEGORY_INITIATED_BY, FALSE));
      g_free (record->stage);
      record->stage = g_strcmp0 (record->kind, "first") == 0
                      ? g_strdup (vp_category_combo_get (self->stage_row, VP_CATEGORY_STAGE, TRUE)) : NULL;
      g_free (record->interpreter);
      record->interpreter = record->interpreter_consent
                            ? g_strdup (vp_category_combo_get (self->interpreter_row, VP_CATEGORY_INTERPRETER_MODE, TRUE))
                            : NULL;
      g_free (record->notes);
      record->notes = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->notes_row)));
    }
  if (error != NULL || !vp_store_update_contact (self->store, record, &error))
    {
      /* Nothing typed is lost: the dialog comes back over the message. */
      gtk_window_present (GTK_WINDOW (self));
      show_error (self, error);
      return;
    }
  g_signal_emit (self, signals[CHANGED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_delete_confirmed (AdwMessageDialog *confirm,
                     const char       *response,
                     VpContactDialog  *self)
{
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "delete"))
    {
      gtk_window_present (GTK_WINDOW (self));
      return;
    }
  if (!vp_store_delete_contact (self->store, self->record->id, &error))
    show_error (self, error);
  else
    g_signal_emit (self, signals[CHANGED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Deleting cannot be undone: asked for separately, naming what goes. A
 * first contact takes a client without other contacts with it. */
static void
ask_delete (VpContactDialog *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autofree char *body = g_strdup_printf (_("The contact with %s is removed from this laptop, with the client if they have no other contacts. This cannot be undone."),
                                           self->record->client_label);
  AdwMessageDialog *confirm = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Delete Contact?"), body));

  adw_message_dialog_add_response (confirm, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (confirm, "delete", _("Delete"));
  adw_message_dialog_set_response_appearance (confirm, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (confirm, "cancel");
  adw_message_dialog_set_close_response (confirm, "cancel");
  g_signal_connect_object (confirm, "response", G_CALLBACK (on_delete_confirmed), self, 0);
  gtk_window_present (GTK_WINDOW (confirm));
}

static void
on_response (VpContactDialog *self,
             const char      *response)
{
  if (g_str_equal (response, "save"))
    save (self);
  else if (g_str_equal (response, "delete"))
    ask_delete (self);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_notes_activated (VpContactDialog *self)
{
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), "save");
}

static void
vp_contact_dialog_dispose (GObject *object)
{
  VpContactDialog *self = VP_CONTACT_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->record, vp_contact_record_free);
  g_clear_pointer (&self->location_keys, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_CONTACT_DIALOG);
  G_OBJECT_CLASS (vp_contact_dialog_parent_class)->dispose (object);
}

static void
vp_contact_dialog_class_init (VpContactDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_contact_dialog_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-contact-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VpContactDialog, location_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactDialog, initiated_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactDialog, stage_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactDialog, interpreter_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactDialog, notes_row);
  gtk_widget_class_bind_template_callback (widget_class, on_response);
  gtk_widget_class_bind_template_callback (widget_class, on_notes_activated);
}

static void
vp_contact_dialog_init (VpContactDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  AdwComboRow *rows[] = { self->location_row, self->initiated_row, self->stage_row, self->interpreter_row };

  vp_category_combo_fill (self->initiated_row, VP_CATEGORY_INITIATED_BY, NULL);
  vp_category_combo_fill (self->stage_row, VP_CATEGORY_STAGE, _("Not recorded"));
  vp_category_combo_fill (self->interpreter_row, VP_CATEGORY_INTERPRETER_MODE, _("Not recorded"));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    vp_combo_typeahead_attach (rows[i]);
}

static void
show_record (VpContactDialog *self)
{
  VpContactRecord *record = self->record;
  g_autofree char *key = record->location_id != 0
                         ? g_strdup_printf ("id:%" G_GINT64_FORMAT, record->location_id)
                         : g_strdup_printf ("type:%s", record->location_type);
  g_autofree char *heading = NULL;
  g_autofree char *time = NULL;

  self->location_keys = vp_location_combo_fill (self->location_row, self->store);
  vp_location_combo_select (self->location_row, self->location_keys, key);
  vp_category_combo_set (self->initiated_row, VP_CATEGORY_INITIATED_BY, FALSE, record->initiated_by);
  vp_category_combo_set (self->stage_row, VP_CATEGORY_STAGE, TRUE, record->stage);
  vp_category_combo_set (self->interpreter_row, VP_CATEGORY_INTERPRETER_MODE, TRUE, record->interpreter);
  gtk_editable_set_text (GTK_EDITABLE (self->notes_row), record->notes != NULL ? record->notes : "");
  /* The stage is asked at a first contact only, interpreter use only with consent. */
  gtk_widget_set_visible (GTK_WIDGET (self->stage_row), g_strcmp0 (record->kind, "first") == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->interpreter_row), record->interpreter_consent);
  /* Translators: the client's label and the time of the contact (HH:MM). */
  time = record->occurred_at != NULL && strlen (record->occurred_at) >= 16
         ? g_strndup (record->occurred_at + 11, 5) : g_strdup ("");
  heading = g_strdup_printf (_("Correct Contact with %s at %s"), record->client_label, time);
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
}

/* Reads the contact (an audited read) and fills the dialog with it. */
VpContactDialog *
vp_contact_dialog_new (GtkWindow  *parent,
                       VpStore    *store,
                       gint64      contact_id,
                       GError    **error)
{
  g_autoptr(VpContactRecord) record = NULL;
  VpContactDialog *self;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  record = vp_store_get_contact (store, contact_id, error);
  if (record == NULL)
    return NULL;
  self = g_object_new (VP_TYPE_CONTACT_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
  self->store = g_object_ref (store);
  self->record = g_steal_pointer (&record);
  show_record (self);
  return self;
}
