/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a screen reader says, where GTK 4.8 and libadwaita 1.2 say nothing,
 * a class name or a name twice (issue #15). GTK 4.8 names a widget by its
 * label property followed by what it is labelled by, else by its class: a
 * button with a mnemonic was "_Save Contact Save Contact", an icon button
 * "GtkImage", a list row or a dropdown option "". The text of an entry row
 * is no accessible of its own, so moving into it announced nothing.
 *
 * Every widget is looked at when it maps (an emission hook on
 * GtkWidget::map): rows that arrive later, dialogs and the options of a
 * popover are covered without a call in each page, and a label that
 * changes later is followed. GTK 4.8 has no getter for an accessible
 * property; its public test helpers (gtk_test_accessible_has_property()
 * and _check_property()) tell a label GTK set from one the app set on
 * purpose, which is kept. */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include "vp-a11y.h"
#include "vp-ui.h"

/* The labels that name a row: the first few it shows, none of them long
 * (a row that shows a whole report is named by the row around it). */
#define MAX_NAME_LABELS 3
#define MAX_NAME_LABEL_LENGTH 120

static GQuark quark_watched;
static GQuark quark_own_label;

static gboolean
has_label (GtkWidget *widget)
{
  return gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

static gboolean
has_labelled_by (GtkWidget *widget)
{
  return gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

/* Whether the label property is @text as written: set by GTK itself. */
static gboolean
label_is (GtkWidget  *widget,
          const char *text)
{
  g_autofree char *differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, text);
  return differs == NULL;
}

/* A label this helper set, which it may replace later. */
static gboolean
owns_label (GtkWidget *widget)
{
  return g_object_get_qdata (G_OBJECT (widget), quark_own_label) != NULL;
}

/* @text as it is said: without its mnemonic when @mnemonic. */
static void
set_own_label (GtkWidget  *widget,
               const char *text,
               gboolean    mnemonic)
{
  g_autofree char *plain = mnemonic ? vp_strip_mnemonic (text) : g_strdup (text);

  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, plain, -1);
  g_object_set_qdata (G_OBJECT (widget), quark_own_label, GINT_TO_POINTER (TRUE));
}

static void
drop_own_label (GtkWidget *widget)
{
  if (!owns_label (widget))
    return;
  gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL);
  g_object_set_qdata (G_OBJECT (widget), quark_own_label, NULL);
}

/* GTK 4.8 says the label and what the widget is labelled by one after the
 * other; a widget with a label of its own is named by that alone. */
static void
drop_second_name (GtkWidget *widget)
{
  if (has_label (widget) && has_labelled_by (widget))
    gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

static const char *
row_title (GtkWidget *row)
{
  return row != NULL ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) : "";
}

static gboolean
row_mnemonic (GtkWidget *row)
{
  return adw_preferences_row_get_use_underline (ADW_PREFERENCES_ROW (row));
}

static gboolean
is_shown (GtkWidget *widget)
{
  return gtk_widget_get_visible (widget) && gtk_widget_get_child_visible (widget);
}

static void
collect_labels (GtkWidget *widget,
                GList    **labels,
                guint     *n)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL && *n < MAX_NAME_LABELS;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!is_shown (child))
        continue;
      if (GTK_IS_LABEL (child))
        {
          const char *text = gtk_label_get_text (GTK_LABEL (child));

          if (*text != '\0' && g_utf8_strlen (text, -1) <= MAX_NAME_LABEL_LENGTH)
            {
              *labels = g_list_append (*labels, child);
              (*n)++;
            }
        }
      else
        collect_labels (child, labels, n);
    }
}

/* Names @widget by the labels it shows ("Demo GK-045 1975"); the relation
 * follows their text when a list reuses the row for another item. FALSE
 * when it shows none. */
static gboolean
name_from_labels (GtkWidget *widget)
{
  GtkAccessibleRelation relation = GTK_ACCESSIBLE_RELATION_LABELLED_BY;
  GValue value = G_VALUE_INIT;
  GList *labels = NULL;
  guint n = 0;

  collect_labels (widget, &labels, &n);
  if (labels == NULL)
    return FALSE;
  /* A list of references goes in a GValue as a GList, which GTK takes. */
  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, labels);
  gtk_accessible_update_relation_value (GTK_ACCESSIBLE (widget), 1, &relation, &value);
  g_value_unset (&value);
  return TRUE;
}

static void fix_widget (GtkWidget *widget);

static void
on_changed (GtkWidget *widget)
{
  fix_widget (widget);
}

/* Looks at @widget again when one of @signals is emitted on @source. */
static void
watch (GtkWidget  *widget,
       gpointer    source,
       const char *signals[])
{
  if (g_object_get_qdata (G_OBJECT (widget), quark_watched) != NULL)
    return;
  g_object_set_qdata (G_OBJECT (widget), quark_watched, GINT_TO_POINTER (TRUE));
  for (guint i = 0; signals[i] != NULL; i++)
    g_signal_connect_object (source, signals[i], G_CALLBACK (on_changed), widget, G_CONNECT_SWAPPED);
}

/* "_Save Contact" is said without its underscore, once; a button with a
 * child of its own by the labels it shows; an icon button by its tooltip.
 * A name the app gave on purpose stays. */
static void
fix_button (GtkButton *button)
{
  static const char *signals[] = { "notify::label", "notify::use-underline", "notify::tooltip-text",
                                   "notify::orientation", NULL };
  GtkWidget *widget = GTK_WIDGET (button);
  const char *label = gtk_button_get_label (button);
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  watch (widget, widget, signals);
  if (label != NULL)
    {
      /* GTK set the label property as the label is written, and the
       * button is labelled by its label child as well. */
      if (gtk_button_get_use_underline (button) && (!has_label (widget) || label_is (widget, label)))
        set_own_label (widget, label, TRUE);
      drop_second_name (widget);
    }
  else if (!has_label (widget) || owns_label (widget))
    {
      /* GTK 4.8 names it by its child: an image gives "GtkImage", and a
       * view switcher's button is labelled by its wide and narrow label. */
      drop_own_label (widget);
      if (!name_from_labels (widget) && tooltip != NULL)
        set_own_label (widget, tooltip, FALSE);
    }
}

/* A switch or a check box without a label is named by its row. */
static void
fix_toggle (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_ROW);

  if (GTK_IS_CHECK_BUTTON (widget) && gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)) != NULL)
    return;
  drop_second_name (widget);
  if ((!has_label (widget) || owns_label (widget)) && !has_labelled_by (widget) && *row_title (row) != '\0')
    set_own_label (widget, row_title (row), row_mnemonic (row));
}

/* A row is named by its title, else by the labels it shows, else (a row
 * that shows a whole report) by the titled row it is part of. */
static void
fix_row (GtkWidget *widget)
{
  static const char *signals[] = { "notify::title", NULL };
  GtkWidget *parent_row;

  if (!gtk_widget_get_focusable (widget))
    return;
  if (has_label (widget) && !owns_label (widget))
    {
      drop_second_name (widget);
      return;
    }
  if (has_labelled_by (widget))
    return;
  if (ADW_IS_PREFERENCES_ROW (widget))
    watch (widget, widget, signals);
  if (*row_title (ADW_IS_PREFERENCES_ROW (widget) ? widget : NULL) != '\0')
    set_own_label (widget, row_title (widget), row_mnemonic (widget));
  else if (owns_label (widget) || !name_from_labels (widget))
    {
      parent_row = gtk_widget_get_parent (widget) != NULL
                   ? gtk_widget_get_ancestor (gtk_widget_get_parent (widget), ADW_TYPE_PREFERENCES_ROW) : NULL;
      if (*row_title (parent_row) != '\0')
        set_own_label (widget, row_title (parent_row), row_mnemonic (parent_row));
    }
}

/* The text of an AdwEntryRow (1.2) has no accessible role, so GTK moves
 * its focus to its parent, a nameless "AdwGizmo", and a screen reader
 * announces nothing. As libadwaita 1.4 does, it becomes a text box named
 * by the row's title; GTK accepts a role only before it first presents
 * the widget, which for a text without a role is never before it maps. */
static void
fix_entry_text (GtkWidget *text,
                GtkWidget *row)
{
  static const char *signals[] = { "notify::title", NULL };

  if (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (text)) == GTK_ACCESSIBLE_ROLE_NONE)
    g_object_set (text, "accessible-role", GTK_ACCESSIBLE_ROLE_TEXT_BOX, NULL);
  if (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (text)) != GTK_ACCESSIBLE_ROLE_TEXT_BOX)
    return;
  watch (text, row, signals);
  set_own_label (text, row_title (row), row_mnemonic (row));
}

static void
fix_widget (GtkWidget *widget)
{
  GtkAccessibleRole role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget));
  GtkWidget *entry_row;

  if (GTK_IS_BUTTON (widget))
    fix_button (GTK_BUTTON (widget));
  else if (GTK_IS_SWITCH (widget) || GTK_IS_CHECK_BUTTON (widget))
    fix_toggle (widget);
  else if (GTK_IS_TEXT (widget) && (entry_row = gtk_widget_get_ancestor (widget, ADW_TYPE_ENTRY_ROW)) != NULL)
    fix_entry_text (widget, entry_row);
  else if (GTK_IS_LIST_BOX_ROW (widget) || GTK_IS_FLOW_BOX_CHILD (widget) ||
           role == GTK_ACCESSIBLE_ROLE_LIST_ITEM || role == GTK_ACCESSIBLE_ROLE_ROW ||
           role == GTK_ACCESSIBLE_ROLE_GRID_CELL)
    fix_row (widget);
}

static gboolean
on_map (GSignalInvocationHint *hint,
        guint                  n_params,
        const GValue          *params,
        gpointer               user_data)
{
  fix_widget (g_value_get_object (&params[0]));
  return TRUE;
}

void
vp_a11y_init (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      /* The class must exist for its signal to be found; it never goes. */
      g_type_class_ref (GTK_TYPE_WIDGET);
      quark_watched = g_quark_from_static_string ("vp-a11y-watched");
      quark_own_label = g_quark_from_static_string ("vp-a11y-own-label");
      g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0, on_map, NULL, NULL);
      g_once_init_leave (&installed, 1);
    }
}
