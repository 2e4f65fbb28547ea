/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-categories.h"
#include "vp-category-combo.h"
#include "vp-combo-typeahead.h"
#include "vp-consent-texts.h"
#include "vp-contact-form.h"
#include "vp-language-list.h"
#include "vp-location.h"
#include "vp-registration.h"
#include "vp-ui.h"

/* The registration form. Location and initiator stay as they were after
 * a save (a coach registers several people at one place); the client's own
 * fields are cleared and the kind goes back to a first contact, since a
 * follow-up is only ever started from a client's page. */
struct _VpContactForm
{
  AdwBin        parent_instance;

  AdwComboRow  *location_row;
  AdwComboRow  *kind_row;
  AdwComboRow  *initiated_row;
  AdwEntryRow  *label_row;
  AdwEntryRow  *birth_year_row;
  GtkSwitch    *consent_switch;
  AdwComboRow  *proficiency_row;
  AdwComboRow  *preferred_language_row;
  AdwComboRow  *stage_row;
  GtkSwitch    *interpreter_switch;
  AdwComboRow  *interpreter_row;
  AdwEntryRow  *notes_row;
  AdwEntryRow  *phone_row;
  GtkLabel     *contact_error;
  GtkLabel     *client_error;
  GtkLabel     *language_error;
  AdwActionRow *client_row;
  AdwActionRow *consent_row;
  AdwActionRow *interpreter_consent_row;
  GtkButton    *save_button;

  VpStore      *store;
  gint64        client_id;
  GPtrArray    *location_ids; /* per location_row position: "id:N" or "type:CODE" */
  GSettings    *settings;
};

G_DEFINE_FINAL_TYPE (VpContactForm, vp_contact_form, ADW_TYPE_BIN)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fill_locations (VpContactForm *self)
{
  g_clear_pointer (&self->location_ids, g_ptr_array_unref);
  self->location_ids = vp_location_combo_fill (self->location_row, self->store);
}

/* The last place and initiator are offered again: a coach registers many
 * people at one place in a row, and across days at the same places. */
static void
restore_choices (VpContactForm *self)
{
  g_autofree char *location = g_settings_get_string (self->settings, "last-location");
  g_autofree char *initiated = g_settings_get_string (self->settings, "last-initiated-by");
  int index = vp_category_index (VP_CATEGORY_INITIATED_BY, initiated);

  vp_location_combo_select (self->location_row, self->location_ids, location);
  if (index >= 0)
    adw_combo_row_set_selected (self->initiated_row, (guint) index);
}

/* The app's language list, the languages most spoken first, after "Not
 * recorded". */
static void
fill_languages (AdwComboRow *row)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  const VpLanguage *languages;
  guint n = 0;

  gtk_string_list_append (model, _("Not recorded"));
  languages = vp_languages (&n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (model, vp_language_name (languages[i].code));
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
}

static const char *
preferred_language_code (VpContactForm *self)
{
  guint selected = adw_combo_row_get_selected (self->preferred_language_row);
  const VpLanguage *languages;
  guint n = 0;

  languages = vp_languages (&n);
  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected > n)
    return NULL;
  return languages[selected - 1].code;
}

static void
clear_errors (VpContactForm *self)
{
  GtkLabel *labels[] = { self->contact_error, self->client_error, self->language_error };
  GtkWidget *rows[] = { GTK_WIDGET (self->label_row), GTK_WIDGET (self->birth_year_row),
                        GTK_WIDGET (self->proficiency_row) };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    gtk_widget_set_visible (GTK_WIDGET (labels[i]), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_widget_remove_css_class (rows[i], "error");
}

/* Puts the message next to the field it is about and moves focus there. */
static void
show_error (VpContactForm *self,
            const GError  *error)
{
  GtkLabel *label = self->contact_error;
  GtkWidget *field = NULL;

  if (error->domain == VP_REGISTRATION_ERROR)
    switch ((VpRegistrationError) error->code)
      {
      case VP_REGISTRATION_ERROR_CLIENT:
        label = self->client_error;
        field = GTK_WIDGET (self->label_row);
        break;
      case VP_REGISTRATION_ERROR_BIRTH_YEAR:
        label = self->client_error;
        field = GTK_WIDGET (self->birth_year_row);
        break;
      case VP_REGISTRATION_ERROR_PROFICIENCY:
        label = self->language_error;
        field = GTK_WIDGET (self->proficiency_row);
        break;
      case VP_REGISTRATION_ERROR_LOCATION:
        field = GTK_WIDGET (self->location_row);
        break;
      case VP_REGISTRATION_ERROR_KIND:
      case VP_REGISTRATION_ERROR_STAGE:
        field = GTK_WIDGET (self->kind_row);
        break;
      case VP_REGISTRATION_ERROR_INITIATED_BY:
        field = GTK_WIDGET (self->initiated_row);
        break;
      default:
        break;
      }

  gtk_label_set_label (label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
  if (field != NULL)
    {
      gtk_widget_add_css_class (field, "error");
      gtk_widget_grab_focus (field);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message, -1);
}

/* Empty means "not given"; anything else must be a whole number. */
static gboolean
parse_birth_year (const char  *text,
                  int         *year,
                  GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  gint64 value = 0;

  *year = 0;
  if (*trimmed == '\0')
    return TRUE;
  if (!g_ascii_string_to_signed (trimmed, 10, 0, 9999, &value, NULL))
    {
      g_set_error_literal (error, VP_REGISTRATION_ERROR, VP_REGISTRATION_ERROR_BIRTH_YEAR,
                           _("Enter the birth year as four digits, for example 1984"));
      return FALSE;
    }
  *year = (int) value;
  return TRUE;
}

/* A follow-up for a client found by search: the label and birth year rows
 * give way to the chosen client. */
void
vp_contact_form_set_client (VpContactForm *self,
                            gint64         client_id,
                            const char    *label)
{
  g_return_if_fail (VP_IS_CONTACT_FORM (self));

  self->client_id = client_id;
  gtk_widget_set_visible (GTK_WIDGET (self->client_row), client_id != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->label_row), client_id == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->birth_year_row), client_id == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->phone_row), client_id == 0);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->client_row), client_id != 0 ? label : "");
  if (client_id != 0)
    adw_combo_row_set_selected (self->kind_row,
                                (guint) vp_category_index (VP_CATEGORY_CONTACT_KIND, "follow_up"));
}

static void
reset_client_fields (VpContactForm *self)
{
  vp_contact_form_set_client (self, 0, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->label_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->birth_year_row), "");
  gtk_switch_set_active (self->consent_switch, FALSE);
  adw_combo_row_set_selected (self->proficiency_row, 0);
  adw_combo_row_set_selected (self->preferred_language_row, 0);
  adw_combo_row_set_selected (self->kind_row, (guint) vp_category_index (VP_CATEGORY_CONTACT_KIND, "first"));
  gtk_switch_set_active (self->interpreter_switch, FALSE);
  adw_combo_row_set_selected (self->interpreter_row, 0);
  adw_combo_row_set_selected (self->stage_row, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->notes_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->phone_row), "");
}

static void
save_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VpContactForm *self = VP_CONTACT_FORM (widget);
  g_autoptr(GError) error = NULL;
  gboolean consent = gtk_switch_get_active (self->consent_switch);
  gboolean interpreter = gtk_switch_get_active (self->interpreter_switch);
  guint place = adw_combo_row_get_selected (self->location_row);
  const char *location_key = place < self->location_ids->len ? g_ptr_array_index (self->location_ids, place) : "";
  VpRegistration reg = {
    .client_id = self->client_id,
    .client_label = self->client_id == 0 ? gtk_editable_get_text (GTK_EDITABLE (self->label_row)) : NULL,
    .location_type = g_str_has_prefix (location_key, "type:") ? location_key + 5 : NULL,
    .location_id = g_str_has_prefix (location_key, "id:") ? g_ascii_strtoll (location_key + 3, NULL, 10) : 0,
    .kind = vp_category_combo_get (self->kind_row, VP_CATEGORY_CONTACT_KIND, FALSE),
    .initiated_by = vp_category_combo_get (self->initiated_row, VP_CATEGORY_INITIATED_BY, FALSE),
    .language_consent = consent,
    /* Without consent the field is not even read. */
    .dutch_proficiency = consent ? vp_category_combo_get (self->proficiency_row, VP_CATEGORY_DUTCH_PROFICIENCY, TRUE) : NULL,
    .preferred_language = consent ? preferred_language_code (self) : NULL,
    .interpreter_consent = interpreter,
    .interpreter = interpreter ? vp_category_combo_get (self->interpreter_row, VP_CATEGORY_INTERPRETER_MODE, TRUE) : NULL,
    .notes = gtk_editable_get_text (GTK_EDITABLE (self->notes_row)),
    /* The form's switches record verbal consent explained in Dutch. */
    .consent_text_version = vp_consent_text_version ("nld"),
    .phone = self->client_id == 0 ? gtk_editable_get_text (GTK_EDITABLE (self->phone_row)) : NULL,
  };
  gint64 contact_id = 0;

  g_return_if_fail (self->store != NULL);

  if (g_strcmp0 (reg.kind, "first") == 0)
    reg.stage = vp_category_combo_get (self->stage_row, VP_CATEGORY_STAGE, TRUE);
  clear_errors (self);
  if ((self->client_id == 0 &&
       !parse_birth_year (gtk_editable_get_text (GTK_EDITABLE (self->birth_year_row)),
                          &reg.birth_year, &error)) ||
      !vp_store_save_registration (self->store, &reg, &contact_id, &error))
    {
      show_error (self, error);
      return;
    }

  g_settings_set_string (self->settings, "last-location", location_key);
  g_settings_set_string (self->settings, "last-initiated-by", reg.initiated_by);
  reset_client_fields (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->label_row));
  g_signal_emit (self, signals[SAVED], 0, contact_id);
}

static void
clear_client_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  VpContactForm *self = VP_CONTACT_FORM (widget);

  vp_contact_form_set_client (self, 0, NULL);
  adw_combo_row_set_selected (self->kind_row, (guint) vp_category_index (VP_CATEGORY_CONTACT_KIND, "first"));
  gtk_widget_grab_focus (GTK_WIDGET (self->label_row));
}

/* The stage is asked at a first contact only. */
static void
on_kind_changed (VpContactForm *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->stage_row),
                          g_strcmp0 (vp_category_combo_get (self->kind_row, VP_CATEGORY_CONTACT_KIND, FALSE), "first") == 0);
}

/* The row toggles its switch at once: the fields behind consent appear
 * before the next Tab, which a switch's own activation (it slides over
 * first) was too slow for when a coach types quickly. */
static void
on_consent_row_activated (VpContactForm *self,
                          AdwActionRow  *row)
{
  GtkSwitch *toggle = row == self->consent_row ? self->consent_switch : self->interpreter_switch;

  gtk_switch_set_active (toggle, !gtk_switch_get_active (toggle));
}

static void
on_entry_activated (VpContactForm *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "form.save", NULL);
}

static gboolean
vp_contact_form_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (VP_CONTACT_FORM (widget)->location_row));
}

static void
vp_contact_form_dispose (GObject *object)
{
  VpContactForm *self = VP_CONTACT_FORM (object);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->location_ids, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_CONTACT_FORM);
  G_OBJECT_CLASS (vp_contact_form_parent_class)->dispose (object);
}

static void
vp_contact_form_class_init (VpContactFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_contact_form_dispose;
  widget_class->grab_focus = vp_contact_form_grab_focus;

  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-contact-form.ui");
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, location_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, kind_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, initiated_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, label_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, birth_year_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, consent_switch);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, proficiency_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, preferred_language_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, consent_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, save_button);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, interpreter_consent_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, contact_error);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, client_error);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, language_error);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, client_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, stage_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, interpreter_switch);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, interpreter_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, notes_row);
  gtk_widget_class_bind_template_child (widget_class, VpContactForm, phone_row);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_consent_row_activated);

  gtk_widget_class_install_action (widget_class, "form.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "form.clear-client", NULL, clear_client_activated);
}

static void
attach_typeahead (VpContactForm *self)
{
  AdwComboRow *rows[] = { self->location_row, self->kind_row, self->initiated_row, self->stage_row,
                          self->proficiency_row, self->preferred_language_row, self->interpreter_row };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    vp_combo_typeahead_attach (rows[i]);
}

/* A switch is not a Tab stop of its own (its row toggles it), but a
 * screen reader that meets it must hear what it is for: GTK 4.8 does not
 * name it from the row it is labelled by. */
static void
name_switches (VpContactForm *self)
{
  struct { GtkSwitch *toggle; AdwActionRow *row; } pairs[] = {
    { self->consent_switch, self->consent_row },
    { self->interpreter_switch, self->interpreter_consent_row },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (pairs[i].row));
      g_autofree char *name = vp_strip_mnemonic (title);

      gtk_accessible_update_property (GTK_ACCESSIBLE (pairs[i].toggle),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (pairs[i].row),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
}

static void
vp_contact_form_init (VpContactForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->kind_row, "notify::selected", G_CALLBACK (on_kind_changed), self, G_CONNECT_SWAPPED);
  fill_locations (self);
  vp_category_combo_fill (self->stage_row, VP_CATEGORY_STAGE, _("Not recorded"));
  vp_category_combo_fill (self->interpreter_row, VP_CATEGORY_INTERPRETER_MODE, _("Not recorded"));
  vp_category_combo_fill (self->kind_row, VP_CATEGORY_CONTACT_KIND, NULL);
  vp_category_combo_fill (self->initiated_row, VP_CATEGORY_INITIATED_BY, NULL);
  vp_category_combo_fill (self->proficiency_row, VP_CATEGORY_DUTCH_PROFICIENCY, _("Not recorded"));
  fill_languages (self->preferred_language_row);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "form.save", FALSE);
  attach_typeahead (self);
  name_switches (self);
}

/* Locations may have changed on the team page; keep the current choice. */
void
vp_contact_form_refresh_locations (VpContactForm *self)
{
  guint place;
  g_autofree char *current = NULL;

  g_return_if_fail (VP_IS_CONTACT_FORM (self));

  place = adw_combo_row_get_selected (self->location_row);
  current = place < self->location_ids->len ? g_strdup (g_ptr_array_index (self->location_ids, place)) : NULL;
  fill_locations (self);
  vp_location_combo_select (self->location_row, self->location_ids, current);
}

/* Whether the coach typed something about a client that is not saved. */
gboolean
vp_contact_form_has_input (VpContactForm *self)
{
  g_return_val_if_fail (VP_IS_CONTACT_FORM (self), FALSE);

  return self->client_id != 0 ||
         *gtk_editable_get_text (GTK_EDITABLE (self->label_row)) != '\0' ||
         *gtk_editable_get_text (GTK_EDITABLE (self->birth_year_row)) != '\0' ||
         *gtk_editable_get_text (GTK_EDITABLE (self->phone_row)) != '\0' ||
         gtk_switch_get_active (self->consent_switch);
}

void
vp_contact_form_set_store (VpContactForm *self,
                           VpStore       *store)
{
  g_return_if_fail (VP_IS_CONTACT_FORM (self));
  g_return_if_fail (store == NULL || VP_IS_STORE (store));

  g_set_object (&self->store, store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "form.save", store != NULL);
  fill_locations (self);
  restore_choices (self);
  if (store == NULL)
    {
      /* Locking must not leave a half-typed client on screen. */
      reset_client_fields (self);
      clear_errors (self);
    }
}
