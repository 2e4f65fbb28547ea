/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "vp-choice-row.h"
#include "vp-clock.h"
#include "vp-feedback-dialog.h"

/* Feedback from the organisation a client was referred to: the outcome,
 * the day it came (today unless it came earlier) and a short note. The
 * date is typed, or chosen on a calendar beside it (#15). A date that is
 * not one, lies ahead, or comes before the referral is explained under
 * the field and Save waits; nothing typed is lost. The answer is handed
 * back through ::submitted; the dialog stores nothing. */
struct _VpFeedbackDialog
{
  AdwMessageDialog  parent_instance;

  VpChoiceRow      *outcome_row;
  AdwEntryRow      *date_row;
  GtkMenuButton    *calendar_button;
  GtkPopover       *calendar_popover;
  GtkCalendar      *calendar;
  AdwEntryRow      *note_row;
  GtkLabel         *error_label;

  gint64            referral_id;
  GDate             referred_on;
  gboolean          syncing;
};

G_DEFINE_FINAL_TYPE (VpFeedbackDialog, vp_feedback_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  SUBMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A calendar date as typed: year-month-day (2026-11-29), or day-month-year
 * as it is written in the Netherlands (29-11-2026, 29/11/2026, 29.11.2026). */
static gboolean
parse_date (const char *text,
            GDate      *date)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_auto(GStrv) parts = NULL;
  guint64 n[3];
  gboolean year_first;

  g_date_clear (date, 1);
  parts = g_strsplit_set (trimmed, "-/.", -1);
  if (g_strv_length (parts) != 3)
    return FALSE;
  for (guint i = 0; i < 3; i++)
    if (!g_ascii_string_to_unsigned (parts[i], 10, 1, 9999, &n[i], NULL))
      return FALSE;
  year_first = strlen (parts[0]) == 4;
  if (!year_first && strlen (parts[2]) != 4)
    return FALSE;
  if (!g_date_valid_dmy ((GDateDay) n[year_first ? 2 : 0], (GDateMonth) n[1], (GDateYear) n[year_first ? 0 : 2]))
    return FALSE;
  g_date_set_dmy (date, (GDateDay) n[year_first ? 2 : 0], (GDateMonth) n[1], (GDateYear) n[year_first ? 0 : 2]);
  return TRUE;
}

/* Why the typed date cannot be saved, or NULL. */
static char *
date_problem (VpFeedbackDialog *self,
              GDate            *received)
{
  GDate today;

  vp_clock_today (&today);
  if (!parse_date (gtk_editable_get_text (GTK_EDITABLE (self->date_row)), received))
    return g_strdup (_("Enter the date as year-month-day, for example 2026-11-29, or choose it on the calendar"));
  if (g_date_compare (received, &today) > 0)
    return g_strdup (_("Feedback cannot have arrived in the future"));
  if (g_date_valid (&self->referred_on) && g_date_compare (received, &self->referred_on) < 0)
    {
      char on[16];

      g_date_strftime (on, sizeof on, "%Y-%m-%d", &self->referred_on);
      /* Translators: %s is the date of the referral, e.g. 2026-06-01. */
      return g_strdup_printf (_("Feedback cannot have arrived before the referral on %s"), on);
    }
  return NULL;
}

static void
on_date_changed (VpFeedbackDialog *self)
{
  GDate received;
  g_autofree char *problem = date_problem (self, &received);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "save", problem == NULL);
  gtk_label_set_label (self->error_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), problem != NULL);
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->date_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->date_row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->date_row), GTK_ACCESSIBLE_STATE_INVALID,
                               problem != NULL ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

static void
on_entry_activated (VpFeedbackDialog *self)
{
  if (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (self), "save"))
    gtk_widget_activate_action (GTK_WIDGET (self), "default.activate", NULL);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->date_row));
}

/* The calendar opens on the typed date, or on today. */
static void
on_calendar_shown (VpFeedbackDialog *self)
{
  g_autoptr(GDateTime) day = NULL;
  GDate date;

  if (!parse_date (gtk_editable_get_text (GTK_EDITABLE (self->date_row)), &date))
    vp_clock_today (&date);
  day = g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date), 0, 0, 0);
  self->syncing = TRUE;
  gtk_calendar_select_day (self->calendar, day);
  self->syncing = FALSE;
}

static void
on_day_selected (VpFeedbackDialog *self)
{
  g_autoptr(GDateTime) day = NULL;
  g_autofree char *text = NULL;

  if (self->syncing)
    return;
  day = gtk_calendar_get_date (self->calendar);
  text = g_date_time_format (day, "%Y-%m-%d");
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), text);
  gtk_popover_popdown (self->calendar_popover);
}

static void
vp_feedback_dialog_response (AdwMessageDialog *dialog,
                             const char       *response)
{
  VpFeedbackDialog *self = VP_FEEDBACK_DIALOG (dialog);
  g_autofree char *problem = NULL;
  GDate received;

  if (!g_str_equal (response, "save"))
    return;
  problem = date_problem (self, &received);
  if (problem == NULL)
    g_signal_emit (self, signals[SUBMITTED], 0, self->referral_id, &received,
                   vp_choice_row_get_code (self->outcome_row),
                   gtk_editable_get_text (GTK_EDITABLE (self->note_row)));
}

static void
vp_feedback_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_FEEDBACK_DIALOG);
  G_OBJECT_CLASS (vp_feedback_dialog_parent_class)->dispose (object);
}

static void
vp_feedback_dialog_class_init (VpFeedbackDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = vp_feedback_dialog_dispose;
  dialog_class->response = vp_feedback_dialog_response;

  /**
   * VpFeedbackDialog::submitted:
   * @referral_id: the referral the feedback is about
   * @received_on: (type GDate): a valid date, not ahead, not before the referral
   * @outcome: the referral outcome's code
   * @note: the short note, possibly empty
   */
  signals[SUBMITTED] = g_signal_new ("submitted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                     G_TYPE_INT64, G_TYPE_DATE | G_SIGNAL_TYPE_STATIC_SCOPE,
                                     G_TYPE_STRING, G_TYPE_STRING);

  g_type_ensure (VP_TYPE_CHOICE_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-feedback-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VpFeedbackDialog, outcome_row);
  gtk_widget_class_bind_template_child (widget_class, VpFeedbackDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, VpFeedbackDialog, calendar_button);
  gtk_widget_class_bind_template_child (widget_class, VpFeedbackDialog, calendar_popover);
  gtk_widget_class_bind_template_child (widget_class, VpFeedbackDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, VpFeedbackDialog, note_row);
  gtk_widget_class_bind_template_child (widget_class, VpFeedbackDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_date_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_calendar_shown);
  gtk_widget_class_bind_template_callback (widget_class, on_day_selected);
}

static void
vp_feedback_dialog_init (VpFeedbackDialog *self)
{
  g_date_clear (&self->referred_on, 1);
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Dated today to begin with. */
GtkWidget *
vp_feedback_dialog_new (GtkWindow        *parent,
                        const VpReferral *referral)
{
  VpFeedbackDialog *self = g_object_new (VP_TYPE_FEEDBACK_DIALOG,
                                         "transient-for", parent,
                                         NULL);
  char text[16];
  GDate today;

  g_return_val_if_fail (referral != NULL, NULL);

  self->referral_id = referral->id;
  self->referred_on = referral->referred_on;
  vp_clock_today (&today);
  g_date_strftime (text, sizeof text, "%Y-%m-%d", &today);
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), text);
  on_date_changed (self);
  return GTK_WIDGET (self);
}
