/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-categories.h"
#include "vp-feedback-chart.h"

/* One bar per referral category over the referrals of the last 12 months,
 * split by their status today: feedback in time, feedback late, overdue
 * (no feedback, and the expected day has passed) and awaiting (none
 * expected yet). Overdue and awaiting are kept apart from late and from
 * each other: an overdue referral asks the team to act, an awaiting one
 * does not, and neither is "0% in time".
 *
 * Under each bar the counts are written out, each behind a swatch of its
 * colour, so the colours are never the only way to tell them apart; the
 * same words are the chart's accessible description. Drawn with the
 * theme's colours, so it reads in light and dark. With no referrals, a
 * sentence says there is nothing to show yet. */
struct _VpFeedbackChart
{
  GtkWidget  parent_instance;

  GtkWidget *empty_label;
  GArray    *counts;  /* VpFeedbackCounts */
  char      *summary;
};

G_DEFINE_FINAL_TYPE (VpFeedbackChart, vp_feedback_chart, GTK_TYPE_WIDGET)

#define BAR_HEIGHT 12
#define LINE_GAP 4
#define ROW_GAP 14
#define SWATCH 10
#define ITEM_GAP 14

typedef enum {
  PART_IN_TIME,
  PART_LATE,
  PART_OVERDUE,
  PART_AWAITING,
  N_PARTS
} Part;

static guint
part_count (const VpFeedbackCounts *c,
            Part                    part)
{
  switch (part)
    {
    case PART_IN_TIME:
      return c->in_time;
    case PART_LATE:
      return c->late;
    case PART_OVERDUE:
      return c->overdue;
    case PART_AWAITING:
    case N_PARTS:
    default:
      return c->awaiting;
    }
}

static char *
part_text (Part  part,
           guint n)
{
  switch (part)
    {
    case PART_IN_TIME:
      /* Translators: a number of referrals with feedback in time. */
      return g_strdup_printf (_("%u in time"), n);
    case PART_LATE:
      /* Translators: a number of referrals whose feedback came late. */
      return g_strdup_printf (_("%u late"), n);
    case PART_OVERDUE:
      /* Translators: a number of referrals past their day without feedback. */
      return g_strdup_printf (_("%u overdue"), n);
    case PART_AWAITING:
    case N_PARTS:
    default:
      /* Translators: a number of referrals whose feedback is not due yet. */
      return g_strdup_printf (_("%u awaiting"), n);
    }
}

static guint
total (const VpFeedbackCounts *c)
{
  return c->in_time + c->late + c->overdue + c->awaiting;
}

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

static GdkRGBA
part_color (GtkWidget *widget,
            Part       part)
{
  GdkRGBA color;

  switch (part)
    {
    case PART_IN_TIME:
      return theme_color (widget, "success_bg_color", "#26a269");
    case PART_LATE:
      return theme_color (widget, "warning_bg_color", "#e5a50a");
    case PART_OVERDUE:
      return theme_color (widget, "error_bg_color", "#c01c28");
    case PART_AWAITING:
    case N_PARTS:
    default:
      color = theme_color (widget, "window_fg_color", "#303030");
      color.alpha = 0.3f;
      return color;
    }
}

static PangoLayout *
make_layout (GtkWidget  *widget,
             const char *text,
             gboolean    small)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);

  if (small)
    {
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_scale_new (0.9));
      pango_layout_set_attributes (layout, attrs);
    }
  return layout;
}

static void
draw_layout (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             float          x,
             float          y,
             const GdkRGBA *color)
{
  if (snapshot == NULL)
    return;
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* The bar: each status a segment in proportion, in the order of the
 * counts below it. */
static void
draw_bar (GtkWidget              *widget,
          GtkSnapshot            *snapshot,
          const VpFeedbackCounts *c,
          int                     width,
          float                   y)
{
  float x = 0;

  for (Part part = 0; part < N_PARTS && total (c) > 0; part++)
    {
      float w = (float) width * part_count (c, part) / total (c);
      GdkRGBA color = part_color (widget, part);

      if (w <= 0)
        continue;
      gtk_snapshot_append_color (snapshot, &color,
                                 &GRAPHENE_RECT_INIT (x, y, MAX (w - 1, 1), BAR_HEIGHT));
      x += w;
    }
}

/* The counts that are not 0, each behind its swatch, wrapped onto as many
 * lines as the width needs. Returns the height used. */
static int
lay_out_counts (GtkWidget              *widget,
                GtkSnapshot            *snapshot,
                const VpFeedbackCounts *c,
                int                     width,
                float                   top,
                const GdkRGBA          *fg)
{
  int x = 0, y = 0, line_height = 0;

  for (Part part = 0; part < N_PARTS; part++)
    {
      guint n = part_count (c, part);
      g_autofree char *text = NULL;
      g_autoptr(PangoLayout) layout = NULL;
      GdkRGBA color;
      int w, h;

      if (n == 0)
        continue;
      text = part_text (part, n);
      layout = make_layout (widget, text, TRUE);
      pango_layout_get_pixel_size (layout, &w, &h);
      if (x > 0 && x + SWATCH + 4 + w > width)
        {
          x = 0;
          y += line_height + 2;
        }
      line_height = MAX (line_height, h);
      color = part_color (widget, part);
      if (snapshot != NULL)
        gtk_snapshot_append_color (snapshot, &color,
                                   &GRAPHENE_RECT_INIT (x, top + y + (h - SWATCH) / 2.0f, SWATCH, SWATCH));
      draw_layout (snapshot, layout, x + SWATCH + 4, top + y, fg);
      x += SWATCH + 4 + w + ITEM_GAP;
    }
  return y + line_height;
}

/* Lays the rows out at @width, drawing them when @snapshot is given;
 * measuring and drawing share this, so they never disagree. */
static int
lay_out (VpFeedbackChart *self,
         GtkSnapshot     *snapshot,
         int              width)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA fg = theme_color (widget, "window_fg_color", "#303030");
  GdkRGBA dim = fg;
  int y = 0;

  dim.alpha = 0.8f;
  for (guint i = 0; self->counts != NULL && i < self->counts->len; i++)
    {
      const VpFeedbackCounts *c = &g_array_index (self->counts, VpFeedbackCounts, i);
      g_autoptr(PangoLayout) title = make_layout (widget, vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY,
                                                                             c->category), FALSE);
      int title_height;

      if (i > 0)
        y += ROW_GAP;
      pango_layout_set_width (title, MAX (width, 1) * PANGO_SCALE);
      pango_layout_set_ellipsize (title, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (title, NULL, &title_height);
      draw_layout (snapshot, title, 0, y, &fg);
      y += title_height + LINE_GAP;
      if (snapshot != NULL)
        draw_bar (widget, snapshot, c, width, y);
      y += BAR_HEIGHT + LINE_GAP;
      y += lay_out_counts (widget, snapshot, c, width, y, &dim);
    }
  return y;
}

static gboolean
is_empty (VpFeedbackChart *self)
{
  return self->counts == NULL || self->counts->len == 0;
}

static void
vp_feedback_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  VpFeedbackChart *self = VP_FEEDBACK_CHART (widget);

  if (is_empty (self))
    gtk_widget_snapshot_child (widget, self->empty_label, snapshot);
  else
    lay_out (self, snapshot, gtk_widget_get_width (widget));
}

static GtkSizeRequestMode
vp_feedback_chart_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

#define MIN_WIDTH 200
#define NATURAL_WIDTH 480

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

  if (is_empty (self))
    {
      gtk_widget_measure (self->empty_label, orientation, for_size, minimum, natural, NULL, NULL);
      return;
    }
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN_WIDTH;
      *natural = NATURAL_WIDTH;
    }
  else
    *minimum = *natural = lay_out (self, NULL, for_size > 0 ? for_size : NATURAL_WIDTH);
}

static void
vp_feedback_chart_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  VpFeedbackChart *self = VP_FEEDBACK_CHART (widget);

  if (gtk_widget_get_visible (self->empty_label))
    gtk_widget_allocate (self->empty_label, width, height, baseline, NULL);
}

static void
vp_feedback_chart_dispose (GObject *object)
{
  VpFeedbackChart *self = VP_FEEDBACK_CHART (object);

  g_clear_pointer (&self->empty_label, gtk_widget_unparent);
  G_OBJECT_CLASS (vp_feedback_chart_parent_class)->dispose (object);
}

static void
vp_feedback_chart_finalize (GObject *object)
{
  VpFeedbackChart *self = VP_FEEDBACK_CHART (object);

  g_clear_pointer (&self->counts, g_array_unref);
  g_free (self->summary);
  G_OBJECT_CLASS (vp_feedback_chart_parent_class)->finalize (object);
}

static void
vp_feedback_chart_class_init (VpFeedbackChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_feedback_chart_dispose;
  object_class->finalize = vp_feedback_chart_finalize;
  widget_class->snapshot = vp_feedback_chart_snapshot;
  widget_class->get_request_mode = vp_feedback_chart_get_request_mode;
  widget_class->measure = vp_feedback_chart_measure;
  widget_class->size_allocate = vp_feedback_chart_size_allocate;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
vp_feedback_chart_init (VpFeedbackChart *self)
{
  self->empty_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->empty_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->empty_label), 0);
  gtk_widget_add_css_class (self->empty_label, "dim-label");
  gtk_widget_set_parent (self->empty_label, GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Feedback on referrals per category, last 12 months"), -1);
  vp_feedback_chart_set_counts (self, NULL);
}

/* One sentence per category, as the counts under its bar say it. */
static char *
describe (GArray *counts)
{
  GString *summary = g_string_new (NULL);

  for (guint i = 0; counts != NULL && i < counts->len; i++)
    {
      const VpFeedbackCounts *c = &g_array_index (counts, VpFeedbackCounts, i);
      g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *joined = NULL;

      for (Part part = 0; part < N_PARTS; part++)
        if (part_count (c, part) > 0)
          g_ptr_array_add (parts, part_text (part, part_count (c, part)));
      g_ptr_array_add (parts, NULL);
      joined = g_strjoinv (", ", (char **) parts->pdata);
      if (summary->len > 0)
        g_string_append_c (summary, ' ');
      /* Translators: a referral category, then its counts, e.g.
       * "Housing: 2 in time, 1 overdue." */
      g_string_append_printf (summary, _("%s: %s."),
                              vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, c->category), joined);
    }
  if (summary->len == 0)
    g_string_append (summary, _("No referrals were made in the last 12 months, so there is nothing to show yet."));
  return g_string_free (summary, FALSE);
}

/* Takes a reference to @counts (VpFeedbackCounts); NULL or empty shows
 * that there is nothing to show yet. */
void
vp_feedback_chart_set_counts (VpFeedbackChart *self,
                              GArray          *counts)
{
  g_return_if_fail (VP_IS_FEEDBACK_CHART (self));

  g_clear_pointer (&self->counts, g_array_unref);
  self->counts = counts != NULL ? g_array_ref (counts) : NULL;
  g_free (self->summary);
  self->summary = describe (counts);
  gtk_label_set_label (GTK_LABEL (self->empty_label), is_empty (self) ? self->summary : "");
  gtk_widget_set_visible (self->empty_label, is_empty (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->summary, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* When the counts cannot be read, the chart says why instead. */
void
vp_feedback_chart_set_error (VpFeedbackChart *self,
                             const char      *message)
{
  g_return_if_fail (VP_IS_FEEDBACK_CHART (self));

  vp_feedback_chart_set_counts (self, NULL);
  g_free (self->summary);
  self->summary = g_strdup (message);
  gtk_label_set_label (GTK_LABEL (self->empty_label), message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
}

const char *
vp_feedback_chart_get_summary (VpFeedbackChart *self)
{
  g_return_val_if_fail (VP_IS_FEEDBACK_CHART (self), NULL);
  return self->summary;
}

gboolean
vp_feedback_chart_is_empty (VpFeedbackChart *self)
{
  g_return_val_if_fail (VP_IS_FEEDBACK_CHART (self), TRUE);
  return is_empty (self);
}
