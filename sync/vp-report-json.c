/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <string.h>

#include "vp-report-json.h"

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
