/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-language-list.h"
#include "vp-language-picker.h"

/* The client's preferred languages, in order (#15: the old grid of check
 * boxes took about 50 Tab stops and did not show which language came
 * first). A search entry filters the app's language list as one types;
 * Return in it chooses the first match. The chosen languages stay at the
 * top, in the order they were chosen, numbered, the first marked as
 * preferred. Each language is one row and one Tab stop at most: the whole
 * list is a single stop (arrows move inside it), and its check box only
 * shows the state. Activating a row (Space, Return, a click) chooses or
 * removes it. */
typedef struct {
  const char     *code;
  const char     *english;    /* the untranslated name */
  GtkWidget      *row;
  GtkCheckButton *check;
} Language;

struct _VpLanguagePicker
{
  GtkWidget       parent_instance;

  GtkSearchEntry *search_entry;
  GtkListBox     *list;
  GtkLabel       *hint_label;

  GArray         *languages;  /* Language, in the order of vp_languages() */
  GPtrArray      *chosen;     /* static codes, in order of preference */
};

G_DEFINE_FINAL_TYPE (VpLanguagePicker, vp_language_picker, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static int
chosen_index (VpLanguagePicker *self,
              const char       *code)
{
  for (guint i = 0; i < self->chosen->len; i++)
    if (g_str_equal (g_ptr_array_index (self->chosen, i), code))
      return (int) i;
  return -1;
}

static const Language *
language_of_row (VpLanguagePicker *self,
                 GtkListBoxRow    *row)
{
  for (guint i = 0; i < self->languages->len; i++)
    if (g_array_index (self->languages, Language, i).row == GTK_WIDGET (row))
      return &g_array_index (self->languages, Language, i);
  return NULL;
}

static guint
language_position (VpLanguagePicker *self,
                   const Language   *language)
{
  return (guint) (language - &g_array_index (self->languages, Language, 0));
}

/* The chosen first, in order of preference; then the app's list order,
 * which has the languages most asked for first. */
static int
sort_rows (GtkListBoxRow *a,
           GtkListBoxRow *b,
           gpointer       data)
{
  VpLanguagePicker *self = data;
  const Language *la = language_of_row (self, a);
  const Language *lb = language_of_row (self, b);
  int ca = chosen_index (self, la->code);
  int cb = chosen_index (self, lb->code);

  if (ca >= 0 || cb >= 0)
    return ca < 0 ? 1 : cb < 0 ? -1 : ca - cb;
  return (int) language_position (self, la) - (int) language_position (self, lb);
}

/* Typed text matches the start of a word of the name as shown, of the
 * English name, or the code: "far", "perz" and "pes" all find Persian. */
static gboolean
matches (const Language *language,
         const char     *search)
{
  if (search == NULL || *search == '\0')
    return TRUE;
  return g_str_match_string (search, vp_language_name (language->code), TRUE) ||
         g_str_match_string (search, language->english, TRUE) ||
         g_str_has_prefix (language->code, search);
}

/* The chosen stay in sight whatever is typed. */
static gboolean
filter_row (GtkListBoxRow *row,
            gpointer       data)
{
  VpLanguagePicker *self = data;
  const Language *language = language_of_row (self, row);

  return chosen_index (self, language->code) >= 0 ||
         matches (language, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
update_rows (VpLanguagePicker *self)
{
  for (guint i = 0; i < self->languages->len; i++)
    {
      Language *language = &g_array_index (self->languages, Language, i);
      int index = chosen_index (self, language->code);
      g_autofree char *subtitle = NULL;

      if (index == 0)
        subtitle = g_strdup (_("Preferred language"));
      else if (index > 0)
        /* Translators: the place of a language in the client's order of preference. */
        subtitle = g_strdup_printf (_("Choice %d"), index + 1);
      gtk_check_button_set_active (language->check, index >= 0);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (language->row), subtitle != NULL ? subtitle : "");
    }
  gtk_list_box_invalidate_sort (self->list);
  gtk_list_box_invalidate_filter (self->list);
}

/* Chooses @code as the next preference, or removes it when chosen. */
void
vp_language_picker_toggle (VpLanguagePicker *self,
                           const char       *code)
{
  int index;

  g_return_if_fail (VP_IS_LANGUAGE_PICKER (self));
  g_return_if_fail (vp_is_language_code (code));

  index = chosen_index (self, code);
  if (index >= 0)
    g_ptr_array_remove_index (self->chosen, (guint) index);
  else
    for (guint i = 0; i < self->languages->len; i++)
      if (g_str_equal (g_array_index (self->languages, Language, i).code, code))
        g_ptr_array_add (self->chosen, (gpointer) g_array_index (self->languages, Language, i).code);
  update_rows (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_row_activated (VpLanguagePicker *self,
                  GtkListBoxRow    *row)
{
  const Language *language = language_of_row (self, row);

  if (language != NULL)
    vp_language_picker_toggle (self, language->code);
}

static void
on_search_changed (VpLanguagePicker *self)
{
  gtk_list_box_invalidate_filter (self->list);
}

/* Return chooses the first language not chosen yet that matches, and
 * clears the search for the next one; with nothing typed it is the
 * window's default (Save, in a dialog). */
static void
on_search_activated (VpLanguagePicker *self)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (*search == '\0')
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "default.activate", NULL);
      return;
    }
  for (guint i = 0; i < self->languages->len; i++)
    {
      const Language *language = &g_array_index (self->languages, Language, i);

      if (chosen_index (self, language->code) < 0 && matches (language, search))
        {
          vp_language_picker_toggle (self, language->code);
          gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
          return;
        }
    }
  gtk_widget_error_bell (GTK_WIDGET (self->search_entry));
}

static gboolean
focus_first_row (VpLanguagePicker *self)
{
  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list, i);

      if (row == NULL)
        return FALSE;
      if (gtk_widget_get_child_visible (GTK_WIDGET (row)))
        return gtk_widget_grab_focus (GTK_WIDGET (row));
    }
}

/* Tab stops: the search entry, then the list as one stop. GtkListBox
 * would stop at every row; this keeps the dialog's Save a few Tabs away.
 * GTK moves focus through this for Tab as well as for
 * gtk_widget_child_focus(). */
static gboolean
vp_language_picker_focus (GtkWidget        *widget,
                          GtkDirectionType  direction)
{
  VpLanguagePicker *self = VP_LANGUAGE_PICKER (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean in_list = focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list));
  gboolean in_search = focus != NULL && (focus == GTK_WIDGET (self->search_entry) ||
                                         gtk_widget_is_ancestor (focus, GTK_WIDGET (self->search_entry)));

  switch (direction)
    {
    case GTK_DIR_TAB_FORWARD:
      if (in_list)
        return FALSE;
      if (in_search)
        return focus_first_row (self);
      return gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    case GTK_DIR_TAB_BACKWARD:
      if (in_list)
        return gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
      if (in_search)
        return FALSE;
      return focus_first_row (self) || gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    default:
      return GTK_WIDGET_CLASS (vp_language_picker_parent_class)->focus (widget, direction);
    }
}

static gboolean
vp_language_picker_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (VP_LANGUAGE_PICKER (widget)->search_entry));
}

static void
build_rows (VpLanguagePicker *self)
{
  guint n = 0;
  const VpLanguage *all = vp_languages (&n);

  for (guint i = 0; i < n; i++)
    {
      Language language = { all[i].code, all[i].name, adw_action_row_new (), GTK_CHECK_BUTTON (gtk_check_button_new ()) };

      /* The check only shows the state: the row is what takes focus and
       * clicks, so that a language is one Tab stop, not two. */
      gtk_widget_set_focusable (GTK_WIDGET (language.check), FALSE);
      gtk_widget_set_can_target (GTK_WIDGET (language.check), FALSE);
      gtk_widget_set_valign (GTK_WIDGET (language.check), GTK_ALIGN_CENTER);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (language.row), vp_language_name (all[i].code));
      adw_action_row_add_prefix (ADW_ACTION_ROW (language.row), GTK_WIDGET (language.check));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (language.row), TRUE);
      gtk_list_box_append (self->list, language.row);
      g_array_append_val (self->languages, language);
    }
  gtk_list_box_set_sort_func (self->list, sort_rows, self, NULL);
  gtk_list_box_set_filter_func (self->list, filter_row, self, NULL);
}

static void
vp_language_picker_dispose (GObject *object)
{
  VpLanguagePicker *self = VP_LANGUAGE_PICKER (object);
  GtkWidget *child;

  if (self->list != NULL)
    {
      gtk_list_box_set_sort_func (self->list, NULL, NULL, NULL);
      gtk_list_box_set_filter_func (self->list, NULL, NULL, NULL);
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_LANGUAGE_PICKER);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vp_language_picker_parent_class)->dispose (object);
}

static void
vp_language_picker_finalize (GObject *object)
{
  VpLanguagePicker *self = VP_LANGUAGE_PICKER (object);

  g_array_unref (self->languages);
  g_ptr_array_unref (self->chosen);
  G_OBJECT_CLASS (vp_language_picker_parent_class)->finalize (object);
}

static void
vp_language_picker_class_init (VpLanguagePickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_language_picker_dispose;
  object_class->finalize = vp_language_picker_finalize;
  widget_class->focus = vp_language_picker_focus;
  widget_class->grab_focus = vp_language_picker_grab_focus;

  /* The chosen languages or their order changed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-language-picker.ui");
  gtk_widget_class_bind_template_child (widget_class, VpLanguagePicker, search_entry);
  gtk_widget_class_bind_template_child (widget_class, VpLanguagePicker, list);
  gtk_widget_class_bind_template_child (widget_class, VpLanguagePicker, hint_label);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activated);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
vp_language_picker_init (VpLanguagePicker *self)
{
  self->languages = g_array_new (FALSE, TRUE, sizeof (Language));
  self->chosen = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  build_rows (self);
  update_rows (self);
}

GtkWidget *
vp_language_picker_new (void)
{
  return g_object_new (VP_TYPE_LANGUAGE_PICKER, NULL);
}

/* @codes: (nullable): ISO 639-3 codes in order of preference; codes the
 * app does not know are left out. */
void
vp_language_picker_set_chosen (VpLanguagePicker   *self,
                               const char * const *codes)
{
  g_return_if_fail (VP_IS_LANGUAGE_PICKER (self));

  g_ptr_array_set_size (self->chosen, 0);
  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    for (guint j = 0; j < self->languages->len; j++)
      {
        const char *code = g_array_index (self->languages, Language, j).code;
        if (g_str_equal (code, codes[i]) && chosen_index (self, code) < 0)
          g_ptr_array_add (self->chosen, (gpointer) code);
      }
  update_rows (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The chosen codes, the preferred one first. */
GStrv
vp_language_picker_dup_chosen (VpLanguagePicker *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (VP_IS_LANGUAGE_PICKER (self), NULL);
  for (guint i = 0; i < self->chosen->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->chosen, i));
  return g_strv_builder_end (builder);
}
