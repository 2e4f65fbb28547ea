/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-choice-row.h"
#include "vp-combo-typeahead.h"

/* A combo row that says what its choices mean (#15: "Early" and
 * "Escalated" were offered without a word). The open list shows each
 * choice with its meaning; the row's subtitle shows the meaning of the
 * one chosen, so a screen reader hears it as the row's description. The
 * choices are a category of DESIGN §6 (settable from a template by the
 * category's name) or a table of the caller's, optionally after a first
 * "none" choice whose code is NULL. */

typedef struct {
  VpCategory  category;
  const char *code;
  const char *description;
} Meaning;

/* What the codes mean, in the words of DOMAIN.md where it has them: a
 * resident "reached late" is one whose problems were already large. */
static const Meaning meanings[] = {
  { VP_CATEGORY_STAGE, "prevention", N_("No problems yet: getting acquainted, informing, preventing") },
  { VP_CATEGORY_STAGE, "early", N_("Problems have begun but are still small; help now keeps them from growing") },
  { VP_CATEGORY_STAGE, "escalated", N_("Problems were already large when help started: reached late") },
  { VP_CATEGORY_STAGE, "crisis", N_("Acute danger or an urgent need that cannot wait") },
  { VP_CATEGORY_DUTCH_PROFICIENCY, "sufficient", N_("Holds this conversation in Dutch without help") },
  { VP_CATEGORY_DUTCH_PROFICIENCY, "limited", N_("Gets by in simple Dutch; forms and letters need help") },
  { VP_CATEGORY_DUTCH_PROFICIENCY, "little_or_none", N_("Cannot hold this conversation in Dutch") },
  { VP_CATEGORY_INTERPRETER_MODE, "none", N_("The conversation needed no interpreting") },
  { VP_CATEGORY_INTERPRETER_MODE, "professional_phone", N_("A professional interpreter, by phone or video") },
  { VP_CATEGORY_INTERPRETER_MODE, "professional_in_person", N_("A professional interpreter, present") },
  { VP_CATEGORY_INTERPRETER_MODE, "informal_adult", N_("Family, a friend or a volunteer aged 18 or over") },
  { VP_CATEGORY_INTERPRETER_MODE, "informal_child", N_("A child under 18 interpreted") },
  { VP_CATEGORY_INITIATED_BY, "outreach", N_("The team approached the resident at the location") },
  { VP_CATEGORY_INITIATED_BY, "walk_in", N_("The resident came by themselves") },
  { VP_CATEGORY_INITIATED_BY, "key_figure", N_("A trusted person in the resident’s community") },
  { VP_CATEGORY_REFERRAL_CATEGORY, "youth_care", N_("Help for children and parents under the Youth Act") },
  { VP_CATEGORY_REFERRAL_CATEGORY, "debt", N_("Debt counselling and budgeting help") },
  { VP_CATEGORY_REFERRAL_CATEGORY, "income", N_("Benefits, allowances and income support") },
  { VP_CATEGORY_REFERRAL_CATEGORY, "wmo_support", N_("Support under the Social Support Act: home help, aids, day care") },
  { VP_CATEGORY_REFERRAL_CATEGORY, "language_education", N_("Dutch lessons or learning to read and write") },
  { VP_CATEGORY_REFERRAL_CATEGORY, "refugee_support", N_("Support for refugees and status holders") },
  { VP_CATEGORY_REFERRAL_OUTCOME, "started", N_("The help has begun") },
  { VP_CATEGORY_REFERRAL_OUTCOME, "waiting_list", N_("Accepted, waiting for a place") },
  { VP_CATEGORY_REFERRAL_OUTCOME, "declined_by_org", N_("The organisation did not take the client on") },
  { VP_CATEGORY_REFERRAL_OUTCOME, "client_declined", N_("The client did not want to go ahead") },
  { VP_CATEGORY_REFERRAL_OUTCOME, "no_show", N_("The client did not come to the appointment") },
};

/* What a code of a category means, translated, or NULL. */
const char *
vp_choice_description (VpCategory  category,
                       const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (meanings); i++)
    if (meanings[i].category == category && g_strcmp0 (meanings[i].code, code) == 0)
      return _(meanings[i].description);
  return NULL;
}

typedef struct {
  char *code;        /* NULL: the "none" choice */
  char *description; /* translated, or NULL */
} Entry;

struct _VpChoiceRow
{
  AdwComboRow  parent_instance;

  GArray      *entries;
  char        *none_label;
  char        *category_name;
};

G_DEFINE_FINAL_TYPE (VpChoiceRow, vp_choice_row, ADW_TYPE_COMBO_ROW)

enum {
  PROP_0,
  PROP_CATEGORY,
  PROP_NONE_LABEL,
  PROP_CODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
entry_clear (Entry *entry)
{
  g_free (entry->code);
  g_free (entry->description);
}

static const Entry *
selected_entry (VpChoiceRow *self)
{
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self));

  return selected < self->entries->len ? &g_array_index (self->entries, Entry, selected) : NULL;
}

static void
on_selected (VpChoiceRow *self)
{
  const Entry *entry = selected_entry (self);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self),
                               entry != NULL && entry->description != NULL ? entry->description : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODE]);
}

/* The open list: each choice over its meaning. */
static void
setup_item (GtkSignalListItemFactory *factory,
            GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *meaning = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_xalign (GTK_LABEL (meaning), 0);
  gtk_label_set_wrap (GTK_LABEL (meaning), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (meaning), 40);
  gtk_widget_add_css_class (meaning, "dim-label");
  gtk_widget_add_css_class (meaning, "caption");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), meaning);
  gtk_list_item_set_child (item, box);
}

static void
bind_item (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           VpChoiceRow              *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *label = gtk_widget_get_first_child (box);
  GtkWidget *meaning = gtk_widget_get_next_sibling (label);
  GtkStringObject *string = gtk_list_item_get_item (item);
  guint position = gtk_list_item_get_position (item);
  const char *description = position < self->entries->len
                            ? g_array_index (self->entries, Entry, position).description : NULL;

  gtk_label_set_label (GTK_LABEL (label), gtk_string_object_get_string (string));
  gtk_label_set_label (GTK_LABEL (meaning), description != NULL ? description : "");
  gtk_widget_set_visible (meaning, description != NULL);
}

static void
rebuild (VpChoiceRow    *self,
         const VpChoice *choices,
         guint           n_choices,
         gboolean        is_category,
         VpCategory      category)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  g_array_set_size (self->entries, 0);
  if (self->none_label != NULL)
    {
      Entry none = { NULL, NULL };

      gtk_string_list_append (labels, self->none_label);
      g_array_append_val (self->entries, none);
    }
  for (guint i = 0; i < n_choices; i++)
    {
      Entry entry = {
        g_strdup (choices[i].code),
        is_category ? g_strdup (vp_choice_description (category, choices[i].code))
                    : g_strdup (choices[i].description != NULL ? _(choices[i].description) : NULL),
      };

      gtk_string_list_append (labels, is_category ? vp_category_label (category, choices[i].code)
                                                  : _(choices[i].label));
      g_array_append_val (self->entries, entry);
    }
  adw_combo_row_set_model (ADW_COMBO_ROW (self), G_LIST_MODEL (labels));
  adw_combo_row_set_selected (ADW_COMBO_ROW (self), 0);
  on_selected (self);
}

/* The category's codes, labelled and explained by the shared tables. */
void
vp_choice_row_set_category (VpChoiceRow *self,
                            VpCategory   category)
{
  const VpCategoryEntry *codes;
  g_autofree VpChoice *choices = NULL;
  guint n = 0;

  g_return_if_fail (VP_IS_CHOICE_ROW (self));
  g_return_if_fail (category < VP_N_CATEGORIES);

  codes = vp_category_entries (category, &n);
  choices = g_new0 (VpChoice, n);
  for (guint i = 0; i < n; i++)
    choices[i].code = codes[i].code;
  g_free (self->category_name);
  self->category_name = g_strdup (vp_category_name (category));
  rebuild (self, choices, n, TRUE, category);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATEGORY]);
}

void
vp_choice_row_set_choices (VpChoiceRow    *self,
                           const VpChoice *choices,
                           guint           n_choices)
{
  g_return_if_fail (VP_IS_CHOICE_ROW (self));
  g_clear_pointer (&self->category_name, g_free);
  rebuild (self, choices, n_choices, FALSE, VP_N_CATEGORIES);
}

static void
set_category_name (VpChoiceRow *self,
                   const char  *name)
{
  for (VpCategory c = 0; c < VP_N_CATEGORIES; c++)
    if (g_strcmp0 (vp_category_name (c), name) == 0)
      {
        vp_choice_row_set_category (self, c);
        return;
      }
  g_critical ("No category named %s", name);
}

/* The chosen code; NULL for the "none" choice. */
const char *
vp_choice_row_get_code (VpChoiceRow *self)
{
  const Entry *entry;

  g_return_val_if_fail (VP_IS_CHOICE_ROW (self), NULL);
  entry = selected_entry (self);
  return entry != NULL ? entry->code : NULL;
}

/* Chooses @code, or the first choice when no choice has it. */
void
vp_choice_row_set_code (VpChoiceRow *self,
                        const char  *code)
{
  guint position = 0;

  g_return_if_fail (VP_IS_CHOICE_ROW (self));
  for (guint i = 0; i < self->entries->len; i++)
    if (g_strcmp0 (g_array_index (self->entries, Entry, i).code, code) == 0)
      position = i;
  adw_combo_row_set_selected (ADW_COMBO_ROW (self), position);
}

static void
vp_choice_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  VpChoiceRow *self = VP_CHOICE_ROW (object);

  switch (prop_id)
    {
    case PROP_CATEGORY:
      g_value_set_string (value, self->category_name);
      break;
    case PROP_NONE_LABEL:
      g_value_set_string (value, self->none_label);
      break;
    case PROP_CODE:
      g_value_set_string (value, vp_choice_row_get_code (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vp_choice_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  VpChoiceRow *self = VP_CHOICE_ROW (object);

  switch (prop_id)
    {
    case PROP_CATEGORY:
      if (g_value_get_string (value) != NULL)
        set_category_name (self, g_value_get_string (value));
      break;
    case PROP_NONE_LABEL:
      /* Set before the category in a template: the choices are built then. */
      g_free (self->none_label);
      self->none_label = g_value_dup_string (value);
      if (self->category_name != NULL)
        set_category_name (self, self->category_name);
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_CODE:
      vp_choice_row_set_code (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vp_choice_row_finalize (GObject *object)
{
  VpChoiceRow *self = VP_CHOICE_ROW (object);

  g_array_unref (self->entries);
  g_free (self->none_label);
  g_free (self->category_name);
  G_OBJECT_CLASS (vp_choice_row_parent_class)->finalize (object);
}

static void
vp_choice_row_class_init (VpChoiceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vp_choice_row_get_property;
  object_class->set_property = vp_choice_row_set_property;
  object_class->finalize = vp_choice_row_finalize;

  /* The category's name in DESIGN §6 ("stage", "referral_outcome", …). */
  properties[PROP_CATEGORY] =
    g_param_spec_string ("category", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The label of a first choice meaning "nothing chosen", or NULL. */
  properties[PROP_NONE_LABEL] =
    g_param_spec_string ("none-label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vp_choice_row_init (VpChoiceRow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  self->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (self->entries, (GDestroyNotify) entry_clear);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), self);
  adw_combo_row_set_list_factory (ADW_COMBO_ROW (self), factory);
  g_signal_connect (self, "notify::selected", G_CALLBACK (on_selected), NULL);
  vp_combo_typeahead_attach (ADW_COMBO_ROW (self));
}

GtkWidget *
vp_choice_row_new (void)
{
  return g_object_new (VP_TYPE_CHOICE_ROW, NULL);
}
