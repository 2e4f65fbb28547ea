/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-categories.h"
#include "vp-feedback-chart.h"
#include "vp-referral.h"

/* One bar per referral category: the share of referrals of the last 12
 * months with feedback within the expected time. Drawn with the theme's
 * colours, so it reads in light and dark; the same numbers are the chart's
 * accessible description. */
struct _VpFeedbackChart
{
  GtkWidget  parent_instance;

  GArray    *shares;  /* VpFeedbackShare */
  char      *summary;
};

G_DEFINE_FINAL_TYPE (VpFeedbackChart, vp_feedback_chart, GTK_TYPE_WIDGET)

#define ROW_HEIGHT 28
#define LABEL_WIDTH 190
#define VALUE_WIDTH 120

static GdkRGBA
theme_color (GtkWidget  *widget,
             const char *name,
             const char *fallback)
{
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, &color))
    gdk_rgba_parse (&color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return color;
}

static void
draw_text (GtkSnapshot   *snapshot,
           GtkWidget     *widget,
           const char    *text,
           float          x,
           float          y,
           int            width,
           const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int text_height;

  pango_layout_set_width (layout, width * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, NULL, &text_height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y + (ROW_HEIGHT - text_height) / 2.0f));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
vp_feedback_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  VpFeedbackChart *self = VP_FEEDBACK_CHART (widget);
  int width = gtk_widget_get_width (widget);
  float bar_width = MAX (width - LABEL_WIDTH - VALUE_WIDTH, 40);
  GdkRGBA fg = theme_color (widget, "window_fg_color", "#303030");
  GdkRGBA fill = theme_color (widget, "accent_bg_color", "#3584e4");
  GdkRGBA track = fg;

  track.alpha = 0.12f;
  for (guint i = 0; self->shares != NULL && i < self->shares->len; i++)
    {
      const VpFeedbackShare *share = &g_array_index (self->shares, VpFeedbackShare, i);
      float y = i * ROW_HEIGHT;
      float share_of = share->due > 0 ? (float) share->in_time / share->due : 0.0f;
      g_autofree char *value = g_strdup_printf (_("%u of %u (%d%%)"), share->in_time, share->due,
                                                (int) (share_of * 100 + 0.5f));

      draw_text (snapshot, widget, vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, share->category),
                 0, y, LABEL_WIDTH - 8, &fg);
      gtk_snapshot_append_color (snapshot, &track,
                                 &GRAPHENE_RECT_INIT (LABEL_WIDTH, y + 7, bar_width, ROW_HEIGHT - 14));
      gtk_snapshot_append_color (snapshot, &fill,
                                 &GRAPHENE_RECT_INIT (LABEL_WIDTH, y + 7, bar_width * share_of, ROW_HEIGHT - 14));
      draw_text (snapshot, widget, value, LABEL_WIDTH + bar_width + 8, y, VALUE_WIDTH - 8, &fg);
    }
}

static void
vp_feedback_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  VpFeedbackChart *self = VP_FEEDBACK_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = LABEL_WIDTH + VALUE_WIDTH + 40;
  else
    *minimum = *natural = (self->shares != NULL ? (int) self->shares->len : 0) * ROW_HEIGHT;
}

static void
vp_feedback_chart_finalize (GObject *object)
{
  VpFeedbackChart *self = VP_FEEDBACK_CHART (object);

  g_clear_pointer (&self->shares, g_array_unref);
  g_free (self->summary);
  G_OBJECT_CLASS (vp_feedback_chart_parent_class)->finalize (object);
}

static void
vp_feedback_chart_class_init (VpFeedbackChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vp_feedback_chart_finalize;
  widget_class->snapshot = vp_feedback_chart_snapshot;
  widget_class->measure = vp_feedback_chart_measure;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vp_feedback_chart_init (VpFeedbackChart *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Feedback in time per category, last 12 months"), -1);
}

/* Takes a reference to shares. */
void
vp_feedback_chart_set_shares (VpFeedbackChart *self,
                              GArray          *shares)
{
  GString *summary = g_string_new (NULL);

  g_return_if_fail (VP_IS_FEEDBACK_CHART (self));

  g_clear_pointer (&self->shares, g_array_unref);
  self->shares = shares != NULL ? g_array_ref (shares) : NULL;
  for (guint i = 0; shares != NULL && i < shares->len; i++)
    {
      const VpFeedbackShare *share = &g_array_index (shares, VpFeedbackShare, i);
      g_string_append_printf (summary, _("%s: %u of %u in time. "),
                              vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, share->category),
                              share->in_time, share->due);
    }
  if (summary->len == 0)
    g_string_append (summary, _("No referrals were due in the last 12 months."));
  g_free (self->summary);
  self->summary = g_string_free (summary, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->summary, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const char *
vp_feedback_chart_get_summary (VpFeedbackChart *self)
{
  g_return_val_if_fail (VP_IS_FEEDBACK_CHART (self), NULL);
  return self->summary;
}
