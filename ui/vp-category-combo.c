/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Combo rows over the category codes of DESIGN §6 and the team's
 * locations, shared by the registration form and the correction dialog.
 * With a leading "not recorded" entry, position 0 stands for NULL. */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include "vp-category-combo.h"
#include "vp-location.h"

void
vp_category_combo_fill (AdwComboRow *row,
                        VpCategory   category,
                        const char  *none_label)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  const VpCategoryEntry *entries;
  guint n = 0;

  if (none_label != NULL)
    gtk_string_list_append (model, none_label);
  entries = vp_category_entries (category, &n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (model, vp_category_label (category, entries[i].code));
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
}

const char *
vp_category_combo_get (AdwComboRow *row,
                       VpCategory   category,
                       gboolean     has_none)
{
  const VpCategoryEntry *entries;
  guint n = 0;
  guint selected = adw_combo_row_get_selected (row);

  entries = vp_category_entries (category, &n);
  if (has_none)
    {
      if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
        return NULL;
      selected--;
    }
  return selected < n ? entries[selected].code : NULL;
}

void
vp_category_combo_set (AdwComboRow *row,
                       VpCategory   category,
                       gboolean     has_none,
                       const char  *code)
{
  int index = code != NULL ? vp_category_index (category, code) : -1;

  if (index >= 0)
    adw_combo_row_set_selected (row, (guint) index + (has_none ? 1 : 0));
  else if (has_none)
    adw_combo_row_set_selected (row, 0);
}

/* The team's named locations first, then the bare types for places
 * without a name (a street, a home visit). Returns the key of each
 * position: "id:N" for a named location, "type:CODE" for a bare type. */
GPtrArray *
vp_location_combo_fill (AdwComboRow *row,
                        VpStore     *store)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) locations = NULL;
  const VpCategoryEntry *types;
  guint n = 0;

  if (store != NULL && vp_store_is_open (store))
    locations = vp_store_list_locations (store, TRUE, NULL);
  for (guint i = 0; locations != NULL && i < locations->len; i++)
    {
      VpLocation *location = g_ptr_array_index (locations, i);
      g_autofree char *label = g_strdup_printf ("%s (%s)", location->name,
                                                vp_category_label (VP_CATEGORY_LOCATION_TYPE, location->type));
      gtk_string_list_append (model, label);
      g_ptr_array_add (keys, g_strdup_printf ("id:%" G_GINT64_FORMAT, location->id));
    }
  types = vp_category_entries (VP_CATEGORY_LOCATION_TYPE, &n);
  for (guint i = 0; i < n; i++)
    {
      gtk_string_list_append (model, vp_category_label (VP_CATEGORY_LOCATION_TYPE, types[i].code));
      g_ptr_array_add (keys, g_strdup_printf ("type:%s", types[i].code));
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  return g_steal_pointer (&keys);
}

void
vp_location_combo_select (AdwComboRow *row,
                          GPtrArray   *keys,
                          const char  *key)
{
  for (guint i = 0; i < keys->len; i++)
    if (g_strcmp0 (g_ptr_array_index (keys, i), key) == 0)
      adw_combo_row_set_selected (row, i);
}

/* The chosen location's type, and its id (0 for a bare type); NULL when
 * nothing is chosen. A named location's type is looked up by the caller
 * through the store, so only bare types return their code here. */
const char *
vp_location_combo_get (AdwComboRow *row,
                       GPtrArray   *keys,
                       gint64      *location_id)
{
  guint place = adw_combo_row_get_selected (row);
  const char *key = place < keys->len ? g_ptr_array_index (keys, place) : "";

  *location_id = g_str_has_prefix (key, "id:") ? g_ascii_strtoll (key + 3, NULL, 10) : 0;
  return g_str_has_prefix (key, "type:") ? key + 5 : NULL;
}
