/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vp-report-json.h"
#include "vp-report-validate.h"

/* Canonical JSON: object keys in byte order, no insignificant white space,
 * integers only. The same report always serialises to the same bytes, which
 * lets the endpoint tell a replay from a conflicting body. */

static void
add_value (JsonBuilder         *b,
           const VpReportTable *table,
           guint                var)
{
  if (table->suppressed[var])
    json_builder_add_null_value (b);
  else
    json_builder_add_int_value (b, table->value[var]);
}

static void
add_codes (JsonBuilder *b,
           const char  *key,
           GPtrArray   *codes)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (guint i = 0; i < codes->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (codes, i));
  json_builder_end_array (b);
}

static void
add_table_2d (JsonBuilder         *b,
              const VpReportTable *t)
{
  guint nr = t->rows->len;
  guint nc = t->columns->len;

  json_builder_set_member_name (b, "cells");
  json_builder_begin_array (b);
  for (guint r = 0; r < nr; r++)
    {
      json_builder_begin_array (b);
      for (guint c = 0; c < nc; c++)
        add_value (b, t, vp_report_table_cell (t, r, c));
      json_builder_end_array (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "column_totals");
  json_builder_begin_array (b);
  for (guint c = 0; c < nc; c++)
    add_value (b, t, vp_report_table_column_total (t, c));
  json_builder_end_array (b);

  add_codes (b, "columns", t->columns);

  json_builder_set_member_name (b, "dimensions");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, t->def->rows->name);
  json_builder_add_string_value (b, t->def->columns->name);
  json_builder_end_array (b);

  json_builder_set_member_name (b, "row_totals");
  json_builder_begin_array (b);
  for (guint r = 0; r < nr; r++)
    add_value (b, t, vp_report_table_row_total (t, r));
  json_builder_end_array (b);

  add_codes (b, "rows", t->rows);
}

static void
add_table_1d (JsonBuilder         *b,
              const VpReportTable *t)
{
  json_builder_set_member_name (b, "cells");
  json_builder_begin_array (b);
  for (guint r = 0; r < t->rows->len; r++)
    add_value (b, t, vp_report_table_cell (t, r, 0));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "dimensions");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, t->def->rows->name);
  json_builder_end_array (b);

  add_codes (b, "rows", t->rows);
}

static int
compare_tables (gconstpointer a,
                gconstpointer b)
{
  const VpReportTable *ta = *(const VpReportTable **) a;
  const VpReportTable *tb = *(const VpReportTable **) b;
  return strcmp (ta->def->name, tb->def->name);
}

static void
add_tables (JsonBuilder    *b,
            const VpReport *report)
{
  /* A plain copy: g_ptr_array_copy() would take over the free function. */
  g_autoptr(GPtrArray) sorted = g_ptr_array_sized_new (report->tables->len);

  for (guint i = 0; i < report->tables->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (report->tables, i));
  g_ptr_array_sort (sorted, compare_tables);
  json_builder_set_member_name (b, "tables");
  json_builder_begin_object (b);
  for (guint i = 0; i < sorted->len; i++)
    {
      const VpReportTable *t = g_ptr_array_index (sorted, i);

      json_builder_set_member_name (b, t->def->name);
      json_builder_begin_object (b);
      if (vp_report_table_is_2d (t))
        add_table_2d (b, t);
      else
        add_table_1d (b, t);
      json_builder_set_member_name (b, "total");
      add_value (b, t, vp_report_table_grand_total (t));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static char *
build (const VpReport *report,
       gboolean        full)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  if (full)
    {
      json_builder_set_member_name (b, "generated_at");
      json_builder_add_string_value (b, report->generated_at);
    }
  json_builder_set_member_name (b, "installation");
  json_builder_add_string_value (b, report->installation);
  json_builder_set_member_name (b, "k");
  json_builder_add_int_value (b, report->k);
  json_builder_set_member_name (b, "municipality");
  json_builder_add_string_value (b, report->municipality);
  json_builder_set_member_name (b, "period");
  json_builder_add_string_value (b, report->period);
  if (full)
    {
      json_builder_set_member_name (b, "revision");
      json_builder_add_int_value (b, report->revision);
    }
  json_builder_set_member_name (b, "schema");
  json_builder_add_string_value (b, VP_REPORT_SCHEMA);
  add_tables (b, report);
  json_builder_set_member_name (b, "team");
  json_builder_add_string_value (b, report->team);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* The exact bytes that leave the device. */
char *
vp_report_to_json (const VpReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return build (report, TRUE);
}

/* Everything a revision publishes, without the revision number and the
 * generation time: two reports with equal published JSON need no new
 * revision. */
char *
vp_report_published_json (const VpReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return build (report, FALSE);
}

/* Reading a report back, for the earlier revisions that the next revision
 * must respect and for the team leader's view of what was queued. Values
 * are matched by code, so a revision written by an older version with other
 * rows still lines up; whatever it did not publish counts as suppressed. */

static int
find_code (GPtrArray  *codes,
           const char *code)
{
  for (guint i = 0; i < codes->len; i++)
    if (g_strcmp0 (g_ptr_array_index (codes, i), code) == 0)
      return (int) i;
  return -1;
}

static GArray *
map_codes (JsonObject *object,
           const char *member,
           GPtrArray  *codes)
{
  JsonArray *array = json_object_has_member (object, member)
                       ? json_object_get_array_member (object, member) : NULL;
  GArray *map = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      int index = find_code (codes, json_array_get_string_element (array, i));
      g_array_append_val (map, index);
    }
  return map;
}

static void
set_value (VpReportTable *table,
           guint          var,
           JsonNode      *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return;
  table->suppressed[var] = FALSE;
  table->value[var] = json_node_get_int (node);
}

static JsonNode *
element (JsonArray *array,
         guint      i)
{
  return array != NULL && i < json_array_get_length (array) ? json_array_get_element (array, i) : NULL;
}

static JsonArray *
array_member (JsonObject *object,
              const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static void
read_table (VpReportTable *table,
            JsonObject    *object)
{
  g_autoptr(GArray) rows = map_codes (object, "rows", table->rows);
  g_autoptr(GArray) columns = NULL;
  JsonArray *cells = array_member (object, "cells");

  set_value (table, vp_report_table_grand_total (table), json_object_get_member (object, "total"));
  if (!vp_report_table_is_2d (table))
    {
      for (guint r = 0; r < rows->len; r++)
        if (g_array_index (rows, int, r) >= 0)
          set_value (table, vp_report_table_cell (table, (guint) g_array_index (rows, int, r), 0),
                     element (cells, r));
      return;
    }

  columns = map_codes (object, "columns", table->columns);
  for (guint r = 0; r < rows->len; r++)
    {
      int row = g_array_index (rows, int, r);
      JsonNode *line = element (cells, r);
      JsonArray *values = line != NULL && JSON_NODE_HOLDS_ARRAY (line) ? json_node_get_array (line) : NULL;

      if (row < 0)
        continue;
      set_value (table, vp_report_table_row_total (table, (guint) row),
                 element (array_member (object, "row_totals"), r));
      for (guint c = 0; c < columns->len; c++)
        if (g_array_index (columns, int, c) >= 0)
          set_value (table, vp_report_table_cell (table, (guint) row, (guint) g_array_index (columns, int, c)),
                     element (values, c));
    }
  for (guint c = 0; c < columns->len; c++)
    if (g_array_index (columns, int, c) >= 0)
      set_value (table, vp_report_table_column_total (table, (guint) g_array_index (columns, int, c)),
                 element (array_member (object, "column_totals"), c));
}

static char *
string_member (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
           ? g_strdup (json_node_get_string (node)) : NULL;
}

VpReport *
vp_report_new_from_json (const char  *json,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(VpReport) report = NULL;
  g_autofree char *period = NULL;
  JsonObject *root, *tables;
  JsonNode *node;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  node = json_parser_get_root (parser);
  root = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  period = root != NULL ? string_member (root, "period") : NULL;
  node = root != NULL ? json_object_get_member (root, "tables") : NULL;
  if (!vp_report_is_period (period) || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, VP_REPORT_ERROR, VP_REPORT_ERROR_INVALID,
                           _("This is not a reach report"));
      return NULL;
    }
  tables = json_node_get_object (node);

  report = vp_report_new (period, (guint) json_object_get_int_member_with_default (root, "k", VP_REPORT_MIN_K));
  report->team = string_member (root, "team");
  report->installation = string_member (root, "installation");
  report->municipality = string_member (root, "municipality");
  report->generated_at = string_member (root, "generated_at");
  report->revision = (guint) json_object_get_int_member_with_default (root, "revision", 0);

  for (guint i = 0; i < report->tables->len; i++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, i);
      JsonNode *member = json_object_get_member (tables, table->def->name);

      /* Nothing is known until read. */
      for (guint v = 0; v < table->n_vars; v++)
        table->suppressed[v] = TRUE;
      g_clear_pointer (&table->client_sets, g_free);
      if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
        table->absent = TRUE;
      else
        read_table (table, json_node_get_object (member));
    }
  return g_steal_pointer (&report);
}
