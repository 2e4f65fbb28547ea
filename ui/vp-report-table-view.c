/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-categories.h"
#include "vp-languages.h"
#include "vp-report-table-view.h"
#include "vp-report-table-view-private.h"

/* One table of the reach report as a team leader reads it: translated
 * labels, row and column totals, suppressed values marked, and the values
 * that changed since the previous revision picked out. Rows that are 0
 * throughout are left out and named below the table, so that a table of
 * thirteen location types does not bury the two that were used. */
struct _VpReportTableView
{
  GtkWidget            parent_instance;

  AdwPreferencesGroup *group;
  GtkScrolledWindow   *scroller;
  GtkGrid             *grid;
  GtkLabel            *note_label;

  char                *name;
  GHashTable          *values;  /* "row\ncolumn" -> GtkLabel in the grid */
  guint                policy_idle;
};

G_DEFINE_FINAL_TYPE (VpReportTableView, vp_report_table_view, GTK_TYPE_WIDGET)

#define SUPPRESSED_MARK "—"

/* Column 0 holds the row labels and column 1 takes the spare width, so
 * that the numbers line up at the right edge of the card. */
#define FIRST_VALUE_COLUMN 2

/* Headings and row labels are broken into lines here, at spaces only, and
 * never wrapped by Pango: a word is never split or hyphenated
 * ("Terugkoppeli-ng"), and a label's height cannot depend on the width it
 * gets (the scrolled window around the grid measures its height without
 * one). A column is as wide as its longest line, so a heading takes as
 * few lines as fit in HEADER_CHARS or its longest word. */
#define HEADER_CHARS 10
#define ROW_LABEL_CHARS 18

/* What each table of DESIGN §5 counts, in the words of a team leader. */
static const struct {
  const char *name;
  const char *title;
  const char *explanation;
} texts[] = {
  { "contacts", N_("Contacts"),
    N_("Every contact of the month, by type of location and whether it was a first contact.") },
  { "first_contacts_by_route", N_("First Contacts by Route"),
    N_("First contacts by type of location and by who took the first step.") },
  { "first_contacts_by_age_language", N_("First Contacts by Age and Dutch"),
    N_("First contacts by age band and the resident’s command of Dutch.") },
  { "early_reach", N_("Early Reach"),
    N_("First contacts by how far a problem had gone, and command of Dutch.") },
  { "interpreter_use", N_("Interpreter Use"),
    N_("Every contact by the interpreter used, and command of Dutch.") },
  { "referrals", N_("Referrals"),
    N_("Referrals made in the month, by category and by feedback on the day the month fell due.") },
  { "first_contacts_by_language", N_("First Contacts by Language"),
    N_("First contacts by the resident’s first preferred language.") },
};

/* The heading above the row labels. */
static const struct {
  const char *dimension;
  const char *label;
} dimension_labels[] = {
  { "location_type", N_("Location") },
  { "age_band", N_("Age") },
  { "stage", N_("Stage") },
  { "interpreter_mode", N_("Interpreter") },
  { "referral_category", N_("Referred to") },
  { "language", N_("Language") },
};

static const char *
dimension_label (const VpReportDimension *dim)
{
  for (guint i = 0; i < G_N_ELEMENTS (dimension_labels); i++)
    if (g_str_equal (dimension_labels[i].dimension, dim->name))
      return _(dimension_labels[i].label);
  return "";
}

static const char *
code_label (const VpReportDimension *dim,
            const char              *code)
{
  if (g_strcmp0 (code, VP_NOT_RECORDED) == 0)
    return _("Not recorded");
  if (dim->category < 0)
    return vp_language_name (code);
  return vp_category_label ((VpCategory) dim->category, code);
}

static char *
value_key (const char *row_code,
           const char *column_code)
{
  return g_strconcat (row_code != NULL ? row_code : "", "\n", column_code != NULL ? column_code : "", NULL);
}

static char *
format_value (const VpReportTable *table,
              guint                var)
{
  if (table->suppressed[var])
    return g_strdup (SUPPRESSED_MARK);
  return g_strdup_printf ("%" G_GINT64_FORMAT, table->value[var]);
}

static void
attach (VpReportTableView *self,
        GtkWidget         *label,
        int                column,
        int                row,
        const char        *css_class)
{
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_grid_attach (self->grid, label, column, row, 1, 1);
}

/* @text in lines of about @chars characters, broken at spaces only. The
 * longest word sets the column's width anyway, so lines may be a little
 * longer than it ("Huisartsenpraktijk of" / "gezondheidscentrum", not
 * "of" on a line of its own). */
static char *
break_at_spaces (const char *text,
                 guint       chars)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  GString *lines = g_string_new (NULL);
  glong longest = 0;
  glong line = 0;

  for (guint i = 0; words[i] != NULL; i++)
    longest = MAX (longest, g_utf8_strlen (words[i], -1));
  chars = MAX (chars, (guint) longest + 3);
  for (guint i = 0; words[i] != NULL; i++)
    {
      glong length = g_utf8_strlen (words[i], -1);

      if (length == 0)
        continue;
      if (line > 0 && line + 1 + length > (glong) chars)
        {
          g_string_append_c (lines, '\n');
          line = 0;
        }
      else if (line > 0)
        {
          g_string_append_c (lines, ' ');
          line++;
        }
      g_string_append (lines, words[i]);
      line += length;
    }
  return g_string_free (lines, FALSE);
}

/* A label whose lines are @text broken at spaces; screen readers get the
 * text as one line. */
static GtkWidget *
lines_label (const char *text,
             guint       chars)
{
  g_autofree char *lines = break_at_spaces (text, chars);
  GtkWidget *label = gtk_label_new (lines);

  gtk_label_set_wrap (GTK_LABEL (label), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  return label;
}

static GtkWidget *
heading (const char *text,
         float       xalign)
{
  GtkWidget *label = lines_label (text, xalign > 0.5f ? HEADER_CHARS : ROW_LABEL_CHARS);

  gtk_label_set_justify (GTK_LABEL (label), xalign > 0.5f ? GTK_JUSTIFY_RIGHT : GTK_JUSTIFY_LEFT);
  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_yalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, "column-header");
  return label;
}

/* A row's label, and the empty cell beside it that takes the spare width
 * and carries the row's look. */
static void
attach_row_label (VpReportTableView *self,
                  const char        *text,
                  int                grid_row,
                  const char        *css_class)
{
  GtkWidget *label = lines_label (text, ROW_LABEL_CHARS);
  GtkWidget *spare = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "row-header");
  gtk_widget_set_hexpand (spare, TRUE);
  attach (self, label, 0, grid_row, css_class);
  attach (self, spare, 1, grid_row, css_class);
}

/* A value that differs from the previous revision's, or is hidden in one
 * of the two but not the other. */
static gboolean
changed (const VpReportTable *table,
         const VpReportTable *previous,
         guint                var)
{
  if (previous == NULL || previous->absent || previous->n_vars != table->n_vars)
    return FALSE;
  if (table->suppressed[var] || previous->suppressed[var])
    return table->suppressed[var] != previous->suppressed[var];
  return table->value[var] != previous->value[var];
}

static GtkWidget *
value_label (VpReportTableView   *self,
             const VpReportTable *table,
             const VpReportTable *previous,
             guint                previous_revision,
             guint                var,
             const char          *row_code,
             const char          *column_code)
{
  g_autofree char *text = format_value (table, var);
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  if (table->suppressed[var])
    {
      gtk_widget_add_css_class (label, "suppressed");
      gtk_widget_set_tooltip_text (label, _("Hidden to protect residents"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Hidden"), -1);
    }
  if (changed (table, previous, var))
    {
      g_autofree char *was = format_value (previous, var);
      g_autofree char *tip = g_strdup_printf (_("Revision %u: %s"), previous_revision, was);

      gtk_widget_add_css_class (label, "changed");
      gtk_widget_set_tooltip_text (label, tip);
    }
  g_hash_table_insert (self->values, value_key (row_code, column_code), label);
  return label;
}

/* A row that is 0 throughout, with nothing hidden, says nothing that its
 * absence from the grid does not say. */
static gboolean
row_is_empty (const VpReportTable *table,
              guint                row)
{
  guint nc = table->columns->len;

  for (guint c = 0; c < nc; c++)
    {
      guint var = vp_report_table_cell (table, row, c);
      if (table->suppressed[var] || table->value[var] != 0)
        return FALSE;
    }
  if (vp_report_table_is_2d (table))
    {
      guint var = vp_report_table_row_total (table, row);
      return !table->suppressed[var] && table->value[var] == 0;
    }
  return TRUE;
}

static void
clear (VpReportTableView *self)
{
  GtkWidget *child;

  g_hash_table_remove_all (self->values);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))) != NULL)
    gtk_grid_remove (self->grid, child);
}

static void
fill_header (VpReportTableView   *self,
             const VpReportTable *table)
{
  gboolean two_d = vp_report_table_is_2d (table);
  guint nc = table->columns->len;
  GtkWidget *spare = gtk_label_new (NULL);

  attach (self, heading (dimension_label (table->def->rows), 0), 0, 0, NULL);
  gtk_widget_add_css_class (spare, "column-header");
  attach (self, spare, 1, 0, NULL);
  if (!two_d)
    {
      attach (self, heading (_("First contacts"), 1), FIRST_VALUE_COLUMN, 0, NULL);
      return;
    }
  for (guint c = 0; c < nc; c++)
    attach (self, heading (code_label (table->def->columns, g_ptr_array_index (table->columns, c)), 1),
            FIRST_VALUE_COLUMN + (int) c, 0, NULL);
  attach (self, heading (_("Total"), 1), FIRST_VALUE_COLUMN + (int) nc, 0, "total-column");
}

/* Fills the data rows; returns the labels of the rows left out. */
static GPtrArray *
fill_rows (VpReportTableView   *self,
           const VpReportTable *table,
           const VpReportTable *previous,
           guint                previous_revision,
           int                 *grid_row)
{
  g_autoptr(GPtrArray) hidden = g_ptr_array_new ();
  gboolean two_d = vp_report_table_is_2d (table);
  guint nc = table->columns->len;

  for (guint r = 0; r < table->rows->len; r++)
    {
      const char *code = g_ptr_array_index (table->rows, r);
      const char *stripe = (*grid_row % 2) == 0 ? "even" : NULL;

      if (row_is_empty (table, r))
        {
          g_ptr_array_add (hidden, (gpointer) code_label (table->def->rows, code));
          continue;
        }
      attach_row_label (self, code_label (table->def->rows, code), *grid_row, stripe);
      for (guint c = 0; c < nc; c++)
        attach (self, value_label (self, table, previous, previous_revision,
                                   vp_report_table_cell (table, r, c), code,
                                   two_d ? g_ptr_array_index (table->columns, c) : NULL),
                FIRST_VALUE_COLUMN + (int) c, *grid_row, stripe);
      if (two_d)
        {
          GtkWidget *total = value_label (self, table, previous, previous_revision,
                                          vp_report_table_row_total (table, r), code, NULL);
          attach (self, total, FIRST_VALUE_COLUMN + (int) nc, *grid_row, "total-column");
          if (stripe != NULL)
            gtk_widget_add_css_class (total, stripe);
        }
      (*grid_row)++;
    }
  return g_steal_pointer (&hidden);
}

static void
fill_totals (VpReportTableView   *self,
             const VpReportTable *table,
             const VpReportTable *previous,
             guint                previous_revision,
             int                  grid_row)
{
  gboolean two_d = vp_report_table_is_2d (table);
  guint nc = table->columns->len;
  GtkWidget *grand;

  attach_row_label (self, _("Total"), grid_row, "total-row");
  if (two_d)
    for (guint c = 0; c < nc; c++)
      attach (self, value_label (self, table, previous, previous_revision,
                                 vp_report_table_column_total (table, c), NULL,
                                 g_ptr_array_index (table->columns, c)),
              FIRST_VALUE_COLUMN + (int) c, grid_row, "total-row");
  grand = value_label (self, table, previous, previous_revision,
                       vp_report_table_grand_total (table), NULL, NULL);
  attach (self, grand, FIRST_VALUE_COLUMN + (two_d ? (int) nc : 0), grid_row, "total-row");
  if (two_d)
    gtk_widget_add_css_class (grand, "total-column");
}

static char *
describe_hidden (const VpReportTable *table,
                 GPtrArray           *hidden)
{
  g_autofree char *names = NULL;

  if (hidden->len == 0)
    return NULL;
  if (hidden->len == table->rows->len)
    return g_strdup (_("Every row is 0."));
  /* Twenty-odd languages would make a paragraph; they are 0 as a rule. */
  if (!vp_report_table_is_2d (table))
    return g_strdup (_("Every other language is 0."));
  g_ptr_array_add (hidden, NULL);
  names = g_strjoinv (", ", (char **) hidden->pdata);
  return g_strdup_printf (_("0 throughout, not shown: %s."), names);
}

void
vp_report_table_view_set_table (VpReportTableView   *self,
                                const VpReportTable *table,
                                const VpReportTable *previous,
                                guint                previous_revision)
{
  g_autoptr(GPtrArray) hidden = NULL;
  g_autofree char *note = NULL;
  int grid_row = 1;

  g_return_if_fail (VP_IS_REPORT_TABLE_VIEW (self));
  g_return_if_fail (table != NULL);

  g_free (self->name);
  self->name = g_strdup (table->def->name);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (g_str_equal (texts[i].name, table->def->name))
      {
        adw_preferences_group_set_title (self->group, _(texts[i].title));
        adw_preferences_group_set_description (self->group, _(texts[i].explanation));
      }

  clear (self);
  gtk_widget_set_visible (GTK_WIDGET (self->scroller), !table->absent);
  if (table->absent)
    {
      gtk_label_set_label (self->note_label, _("This revision does not have this table."));
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
      return;
    }

  fill_header (self, table);
  hidden = fill_rows (self, table, previous, previous_revision, &grid_row);
  fill_totals (self, table, previous, previous_revision, grid_row);

  note = describe_hidden (table, hidden);
  gtk_label_set_label (self->note_label, note != NULL ? note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), note != NULL);
}

const char *
vp_report_table_view_get_name (VpReportTableView *self)
{
  g_return_val_if_fail (VP_IS_REPORT_TABLE_VIEW (self), NULL);
  return self->name;
}

static GtkLabel *
find_value (VpReportTableView *self,
            const char        *row_code,
            const char        *column_code)
{
  g_autofree char *key = value_key (row_code, column_code);
  return g_hash_table_lookup (self->values, key);
}

const char *
_vp_report_table_view_get_text (VpReportTableView *self,
                                const char        *row_code,
                                const char        *column_code)
{
  GtkLabel *label;

  g_return_val_if_fail (VP_IS_REPORT_TABLE_VIEW (self), NULL);

  label = find_value (self, row_code, column_code);
  return label != NULL ? gtk_label_get_label (label) : NULL;
}

gboolean
_vp_report_table_view_is_marked_changed (VpReportTableView *self,
                                         const char        *row_code,
                                         const char        *column_code)
{
  GtkLabel *label;

  g_return_val_if_fail (VP_IS_REPORT_TABLE_VIEW (self), FALSE);

  label = find_value (self, row_code, column_code);
  return label != NULL && gtk_widget_has_css_class (GTK_WIDGET (label), "changed");
}

/* A table wider than its card scrolls sideways with a scrollbar that
 * stays in view, under the last row. GTK 4.8 adds a scrollbar that is not
 * an overlay to the height it asks for only when its policy is "always",
 * and with "automatic" the scrollbar would cover the totals; so the
 * policy follows whether the table is wider than its card: "always" then,
 * "automatic" (and no scrollbar) when it fits. That is known after the
 * layout, so it is decided in an idle; the width does not depend on it,
 * so it settles at once. */
static gboolean
update_policy (gpointer data)
{
  VpReportTableView *self = data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_hadjustment (self->scroller);
  gboolean wider = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) > 0.5;
  GtkPolicyType policy = wider ? GTK_POLICY_ALWAYS : GTK_POLICY_AUTOMATIC;
  GtkPolicyType now;

  self->policy_idle = 0;
  gtk_scrolled_window_get_policy (self->scroller, &now, NULL);
  if (now != policy)
    gtk_scrolled_window_set_policy (self->scroller, policy, GTK_POLICY_NEVER);
  return G_SOURCE_REMOVE;
}

static void
on_hadjustment_changed (VpReportTableView *self)
{
  if (self->policy_idle == 0)
    self->policy_idle = g_idle_add (update_policy, self);
}

static void
vp_report_table_view_dispose (GObject *object)
{
  VpReportTableView *self = VP_REPORT_TABLE_VIEW (object);
  GtkWidget *child;

  g_clear_handle_id (&self->policy_idle, g_source_remove);
  g_clear_pointer (&self->values, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_REPORT_TABLE_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vp_report_table_view_parent_class)->dispose (object);
}

static void
vp_report_table_view_finalize (GObject *object)
{
  VpReportTableView *self = VP_REPORT_TABLE_VIEW (object);

  g_free (self->name);
  G_OBJECT_CLASS (vp_report_table_view_parent_class)->finalize (object);
}

static void
vp_report_table_view_class_init (VpReportTableViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_report_table_view_dispose;
  object_class->finalize = vp_report_table_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-report-table-view.ui");
  gtk_widget_class_bind_template_child (widget_class, VpReportTableView, group);
  gtk_widget_class_bind_template_child (widget_class, VpReportTableView, scroller);
  gtk_widget_class_bind_template_child (widget_class, VpReportTableView, grid);
  gtk_widget_class_bind_template_child (widget_class, VpReportTableView, note_label);
}

static void
vp_report_table_view_init (VpReportTableView *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (gtk_scrolled_window_get_hadjustment (self->scroller), "changed",
                           G_CALLBACK (on_hadjustment_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
vp_report_table_view_new (void)
{
  return g_object_new (VP_TYPE_REPORT_TABLE_VIEW, NULL);
}
