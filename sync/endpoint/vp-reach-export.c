/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "vp-endpoint-db.h"
#include "vp-language-list.h"
#include "vp-reach-export.h"

/* GET /v1/reach as data: one line per team, month and value of a table
 * (cells and totals), added up over the team's laptops, with labels beside
 * the codes, the estimate, the guaranteed range and whether the value was
 * published exactly. The CSV is for spreadsheets: UTF-8 with a byte order
 * mark, ";" between fields in Dutch (where "," is the decimal comma) and ","
 * in English, and CRLF line ends. */

typedef struct {
  const char     *period;
  VpEndpointTeam *team;
  const char     *table;
  const char     *row;     /* NULL for a total */
  const char     *column;  /* NULL for a total, or in a 1-D table */
  VpFigure        figure;
} Line;

typedef void (*LineFunc) (const Line *line,
                          gpointer    user_data);

static int
dimension_category (const VpReportDimension *dim)
{
  return dim != NULL ? dim->category : -1;
}

/* The codes of a dimension as a report lists them. */
static GPtrArray *
dimension_codes (const VpReportDimension *dim,
                 gboolean                 not_recorded)
{
  GPtrArray *codes = g_ptr_array_new ();
  guint n = 0;

  if (dim->category < 0)
    {
      const VpLanguage *languages = vp_languages (&n);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (codes, (gpointer) languages[i].code);
    }
  else
    {
      const VpCategoryEntry *entries = vp_category_entries ((VpCategory) dim->category, &n);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (codes, (gpointer) entries[i].code);
    }
  if (not_recorded)
    g_ptr_array_add (codes, (gpointer) VP_NOT_RECORDED);
  g_ptr_array_add (codes, NULL); /* the total */
  return codes;
}

static void
table_lines (VpReach                *reach,
             const VpReachFilter    *filter,
             Line                   *line,
             const VpReportTableDef *def,
             LineFunc                func,
             gpointer                user_data)
{
  g_autoptr(GPtrArray) rows = dimension_codes (def->rows, def->rows_not_recorded);
  g_autoptr(GPtrArray) columns = def->columns != NULL ? dimension_codes (def->columns, def->columns_not_recorded) : NULL;

  line->table = def->name;
  for (guint r = 0; r < rows->len; r++)
    for (guint c = 0; c < (columns != NULL ? columns->len : 1); c++)
      {
        line->row = g_ptr_array_index (rows, r);
        line->column = columns != NULL ? g_ptr_array_index (columns, c) : NULL;
        line->figure = vp_reach_figure (reach, filter, def->name, line->row, line->column);
        /* Of some 60 languages most are certainly 0: those are left out. */
        if (def->rows->category < 0 && line->row != NULL && line->figure.hi == 0)
          continue;
        func (line, user_data);
      }
}

static void
for_each_line (VpReach                *reach,
               const VpReachSelection *selection,
               const char             *table,
               LineFunc                func,
               gpointer                user_data)
{
  guint n_defs = 0;
  const VpReportTableDef *defs = vp_report_table_defs (&n_defs);
  VpReachFilter filter = { 0 };
  VpReachFilter month = { 0 };

  for (guint m = 0; m < selection->months->len; m++)
    for (guint t = 0; t < selection->scoped_teams->len; t++)
      {
        Line line = { g_ptr_array_index (selection->months, m), g_ptr_array_index (selection->scoped_teams, t) };

        vp_reach_filter_for_month (&month, selection, line.period);
        vp_reach_filter_for_team (&filter, selection, line.team->code);
        g_strlcpy (filter.from, month.from, sizeof filter.from);
        g_strlcpy (filter.to, month.to, sizeof filter.to);
        if (vp_reach_count (reach, &filter) == 0)
          continue;
        for (guint d = 0; d < n_defs; d++)
          if (table == NULL || g_str_equal (table, defs[d].name))
            table_lines (reach, &filter, &line, &defs[d], func, user_data);
      }
  vp_reach_filter_clear (&filter);
  vp_reach_filter_clear (&month);
}

static const char *
code_label (VpLang                   lang,
            const VpReportDimension *dim,
            const char              *code)
{
  if (dim == NULL)
    return "";
  if (code == NULL)
    return vp_text (lang, N_("Total"));
  return vp_text_category (lang, dimension_category (dim), code);
}

typedef struct {
  GString *out;
  VpLang   lang;
  char     separator;
} Csv;

/* Quoted when needed; text that a spreadsheet would run as a formula gets a
 * leading apostrophe. */
static void
csv_field (Csv        *csv,
           const char *text,
           gboolean    last)
{
  gboolean formula = strchr ("=+-@\t\r", text[0]) != NULL && text[0] != '\0';
  gboolean quote = formula || strchr (text, csv->separator) != NULL || strpbrk (text, "\"\r\n") != NULL;

  if (quote)
    g_string_append_c (csv->out, '"');
  if (formula)
    g_string_append_c (csv->out, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (csv->out, '"');
      g_string_append_c (csv->out, *p);
    }
  if (quote)
    g_string_append_c (csv->out, '"');
  if (last)
    g_string_append (csv->out, "\r\n");
  else
    g_string_append_c (csv->out, csv->separator);
}

static void
csv_number (Csv    *csv,
            gint64  n,
            gboolean last)
{
  g_autofree char *text = n == VP_REPORT_UNBOUNDED ? g_strdup ("") : g_strdup_printf ("%" G_GINT64_FORMAT, n);

  csv_field (csv, text, last);
}

static void
csv_line (const Line *line,
          gpointer    user_data)
{
  Csv *csv = user_data;
  const VpReportTableDef *def = vp_report_table_def_lookup (line->table);

  csv_field (csv, line->period, FALSE);
  csv_field (csv, line->team->name, FALSE);
  csv_field (csv, line->team->group, FALSE);
  csv_field (csv, vp_text_table (csv->lang, line->table), FALSE);
  csv_field (csv, code_label (csv->lang, def->rows, line->row), FALSE);
  csv_field (csv, code_label (csv->lang, def->columns, line->column), FALSE);
  csv_number (csv, llround (line->figure.value), FALSE);
  csv_number (csv, line->figure.lo, FALSE);
  csv_number (csv, line->figure.hi, FALSE);
  csv_number (csv, line->figure.published, FALSE);
  csv_field (csv, vp_figure_is_exact (&line->figure) ? vp_text (csv->lang, N_("yes")) : vp_text (csv->lang, N_("no")), FALSE);
  csv_field (csv, line->team->code, FALSE);
  csv_field (csv, line->table, FALSE);
  csv_field (csv, line->row != NULL ? line->row : "total", FALSE);
  csv_field (csv, def->columns == NULL ? "" : line->column != NULL ? line->column : "total", TRUE);
}

/**
 * vp_reach_export_csv:
 * @reach: the reports
 * @selection: the period and teams
 * @table: (nullable): one table only
 * @length: (out): the length of the text
 *
 * Returns: (transfer full): the CSV text
 */
char *
vp_reach_export_csv (VpReach                *reach,
                     const VpReachSelection *selection,
                     const char             *table,
                     gsize                  *length)
{
  Csv csv = { g_string_new ("\xEF\xBB\xBF"), selection->lang, selection->lang == VP_LANG_NL ? ';' : ',' };
  const char *headers[] = {
    N_("Month"), N_("Team"), N_("Team group"), N_("Table"), N_("Row"), N_("Column"),
    N_("Value"), N_("Lowest possible"), N_("Highest possible"), N_("Published part"), N_("Exact"),
    N_("Team code"), N_("Table code"), N_("Row code"), N_("Column code"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    csv_field (&csv, vp_text (csv.lang, headers[i]), i + 1 == G_N_ELEMENTS (headers));
  for_each_line (reach, selection, table, csv_line, &csv);
  *length = csv.out->len;
  return g_string_free (csv.out, FALSE);
}

static void
json_labels (JsonBuilder *builder,
             const Line  *line,
             VpLang       lang)
{
  const VpReportTableDef *def = vp_report_table_def_lookup (line->table);

  json_builder_set_member_name (builder, vp_lang_code (lang));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "table");
  json_builder_add_string_value (builder, vp_text_table (lang, line->table));
  json_builder_set_member_name (builder, "row");
  json_builder_add_string_value (builder, code_label (lang, def->rows, line->row));
  if (def->columns != NULL)
    {
      json_builder_set_member_name (builder, "column");
      json_builder_add_string_value (builder, code_label (lang, def->columns, line->column));
    }
  json_builder_end_object (builder);
}

static void
json_line (const Line *line,
           gpointer    user_data)
{
  JsonBuilder *builder = user_data;
  const VpReportTableDef *def = vp_report_table_def_lookup (line->table);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "period");
  json_builder_add_string_value (builder, line->period);
  json_builder_set_member_name (builder, "team");
  json_builder_add_string_value (builder, line->team->code);
  json_builder_set_member_name (builder, "team_name");
  json_builder_add_string_value (builder, line->team->name);
  json_builder_set_member_name (builder, "team_group");
  json_builder_add_string_value (builder, line->team->group);
  json_builder_set_member_name (builder, "table");
  json_builder_add_string_value (builder, line->table);
  json_builder_set_member_name (builder, "row");
  json_builder_add_string_value (builder, line->row != NULL ? line->row : "total");
  if (def->columns != NULL)
    {
      json_builder_set_member_name (builder, "column");
      json_builder_add_string_value (builder, line->column != NULL ? line->column : "total");
    }
  json_builder_set_member_name (builder, "labels");
  json_builder_begin_object (builder);
  json_labels (builder, line, VP_LANG_NL);
  json_labels (builder, line, VP_LANG_EN);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "value");
  json_builder_add_double_value (builder, round (line->figure.value * 100) / 100);
  json_builder_set_member_name (builder, "lo");
  json_builder_add_int_value (builder, line->figure.lo);
  json_builder_set_member_name (builder, "hi");
  if (line->figure.hi == VP_REPORT_UNBOUNDED)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, line->figure.hi);
  json_builder_set_member_name (builder, "published");
  json_builder_add_int_value (builder, line->figure.published);
  json_builder_set_member_name (builder, "exact");
  json_builder_add_boolean_value (builder, vp_figure_is_exact (&line->figure));
  json_builder_end_object (builder);
}

/**
 * vp_reach_export_json:
 * @reach: the reports
 * @selection: the period and teams
 * @municipality: the municipality's code
 * @table: (nullable): one table only
 *
 * Returns: (transfer full): {"municipality", "period", "from", "to",
 *   "scope", "figures": [...]}; "hi" is null where nothing bounds a value
 */
JsonNode *
vp_reach_export_json (VpReach                *reach,
                      const VpReachSelection *selection,
                      const char             *municipality,
                      const char             *table)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "municipality");
  json_builder_add_string_value (builder, municipality);
  json_builder_set_member_name (builder, "period");
  json_builder_add_string_value (builder, selection->period);
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, selection->filter.from);
  json_builder_set_member_name (builder, "to");
  json_builder_add_string_value (builder, selection->filter.to);
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, selection->scope);
  json_builder_set_member_name (builder, "figures");
  json_builder_begin_array (builder);
  for_each_line (reach, selection, table, json_line, builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
