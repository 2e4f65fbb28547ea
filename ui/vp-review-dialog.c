/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-review-dialog.h"

/* The team leader's review of one referral: a note for the team, and
 * what the review does and does not change, in words that fit the
 * referral's status (only an overdue one "stays overdue"). The responses
 * are "cancel" and "review"; whoever presents it records the note. */
struct _VpReviewDialog
{
  AdwMessageDialog  parent_instance;

  AdwEntryRow      *note_row;

  gint64            referral_id;
};

G_DEFINE_FINAL_TYPE (VpReviewDialog, vp_review_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
vp_review_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_REVIEW_DIALOG);
  G_OBJECT_CLASS (vp_review_dialog_parent_class)->dispose (object);
}

static void
vp_review_dialog_class_init (VpReviewDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_review_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-review-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, VpReviewDialog, note_row);
}

static void
vp_review_dialog_init (VpReviewDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* What the status means for the team, and that a review does not change
 * it: feedback does. */
static char *
describe (const VpReferral *referral)
{
  char expected[16], received[16];

  g_date_strftime (expected, sizeof expected, "%Y-%m-%d", &referral->expected_by);
  if (g_date_valid (&referral->received_on))
    g_date_strftime (received, sizeof received, "%Y-%m-%d", &referral->received_on);
  switch (referral->status)
    {
    case VP_REFERRAL_OVERDUE:
      return g_strdup_printf (_("Feedback was expected by %s and has not come. Your note is for the team; "
                                "the referral stays overdue until feedback arrives."), expected);
    case VP_REFERRAL_AWAITING:
      return g_strdup_printf (_("Feedback is expected by %s, so the referral is not overdue. "
                                "Your note is for the team."), expected);
    case VP_REFERRAL_IN_TIME:
      return g_strdup_printf (_("Feedback came in time, on %s. Your note is for the team."), received);
    case VP_REFERRAL_LATE:
    default:
      return g_strdup_printf (_("Feedback came late, on %s; it was expected by %s. Your note is for the team."),
                              received, expected);
    }
}

GtkWidget *
vp_review_dialog_new (GtkWindow        *parent,
                      const VpReferral *referral)
{
  VpReviewDialog *self;
  g_autofree char *body = NULL;

  g_return_val_if_fail (referral != NULL, NULL);

  self = g_object_new (VP_TYPE_REVIEW_DIALOG, "transient-for", parent, NULL);
  self->referral_id = referral->id;
  body = describe (referral);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), referral->leader_note != NULL ? referral->leader_note : "");
  return GTK_WIDGET (self);
}

gint64
vp_review_dialog_get_referral_id (VpReviewDialog *self)
{
  g_return_val_if_fail (VP_IS_REVIEW_DIALOG (self), 0);
  return self->referral_id;
}

const char *
vp_review_dialog_get_note (VpReviewDialog *self)
{
  g_return_val_if_fail (VP_IS_REVIEW_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->note_row));
}
