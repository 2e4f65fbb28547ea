/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Type-to-select for combo rows. libadwaita 1.2's AdwComboRow has no
 * search (enable-search came in 1.4), so choosing "Key figure" took Down
 * four times. With this, letters typed while the row has focus select the
 * first choice that starts with them, as a file list does: typing within a
 * second extends the prefix, and the same letter again moves on to the
 * next choice with that letter. Case and accents are ignored. */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <string.h>

#include "vp-combo-typeahead.h"

#define TYPEAHEAD_TIMEOUT_US (1 * G_USEC_PER_SEC)

typedef struct {
  GString *typed;
  gint64   last_key;
} Typeahead;

static void
typeahead_free (gpointer  data,
                GClosure *closure)
{
  Typeahead *state = data;

  g_string_free (state->typed, TRUE);
  g_free (state);
}

/* Lower case without accents, so "e" finds "É" and "é". */
static char *
fold (const char *text)
{
  g_autofree char *decomposed = g_utf8_normalize (text, -1, G_NORMALIZE_NFD);
  g_autofree char *folded = g_utf8_casefold (decomposed, -1);
  GString *plain = g_string_new (NULL);

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_type (c) != G_UNICODE_NON_SPACING_MARK)
        g_string_append_unichar (plain, c);
    }
  return g_string_free (plain, FALSE);
}

static char *
item_text (AdwComboRow *row,
           gpointer     item)
{
  GtkExpression *expression = adw_combo_row_get_expression (row);
  GValue value = G_VALUE_INIT;
  char *text = NULL;

  if (expression != NULL && gtk_expression_evaluate (expression, item, &value))
    {
      text = g_value_dup_string (&value);
      g_value_unset (&value);
    }
  else if (GTK_IS_STRING_OBJECT (item))
    text = g_strdup (gtk_string_object_get_string (item));
  return text;
}

/* The first choice at or after @start (wrapping) whose text starts with
 * @prefix, or GTK_INVALID_LIST_POSITION. */
static guint
find_prefix (AdwComboRow *row,
             const char  *prefix,
             guint        start)
{
  GListModel *model = adw_combo_row_get_model (row);
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

  for (guint k = 0; k < n; k++)
    {
      guint i = (start + k) % n;
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *text = item_text (row, item);
      g_autofree char *folded = text != NULL ? fold (text) : NULL;

      if (folded != NULL && g_str_has_prefix (folded, prefix))
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                Typeahead             *typeahead)
{
  AdwComboRow *row = ADW_COMBO_ROW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
  gunichar c = gdk_keyval_to_unicode (keyval);
  gint64 now = g_get_monotonic_time ();
  guint selected = adw_combo_row_get_selected (row);
  g_autofree char *letter = NULL;
  g_autofree char *folded = NULL;
  guint found;

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0 ||
      c == 0 || !g_unichar_isgraph (c))
    return FALSE;
  if (now - typeahead->last_key > TYPEAHEAD_TIMEOUT_US)
    g_string_truncate (typeahead->typed, 0);
  typeahead->last_key = now;

  letter = g_ucs4_to_utf8 (&c, 1, NULL, NULL, NULL);
  folded = fold (letter);
  /* The same letter again moves on to the next choice with it; anything
   * else extends the prefix, searched from the top. */
  if (g_str_equal (typeahead->typed->str, folded))
    found = find_prefix (row, folded, selected + 1);
  else
    {
      g_string_append (typeahead->typed, folded);
      found = find_prefix (row, typeahead->typed->str, 0);
    }
  if (found != GTK_INVALID_LIST_POSITION)
    adw_combo_row_set_selected (row, found);
  else
    gtk_widget_error_bell (GTK_WIDGET (row));
  return TRUE;
}

void
vp_combo_typeahead_attach (AdwComboRow *row)
{
  GtkEventController *controller = gtk_event_controller_key_new ();
  Typeahead *typeahead = g_new0 (Typeahead, 1);

  g_return_if_fail (ADW_IS_COMBO_ROW (row));

  typeahead->typed = g_string_new (NULL);
  g_signal_connect_data (controller, "key-pressed", G_CALLBACK (on_key_pressed), typeahead,
                         typeahead_free, 0);
  gtk_widget_add_controller (GTK_WIDGET (row), controller);
}
