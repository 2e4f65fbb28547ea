/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "vp-report-schema.h"
#include "vp-report-validate.h"

/* The endpoint's check of an incoming report (DESIGN §5 and §7). It trusts
 * nothing the sender claims: every field, code and number is checked, and a
 * published count below k is refused even though a device never sends one
 * (defence in depth: fewer than k contacts means fewer than k clients). */

#define MAX_K 100
#define MAX_REVISION G_MAXINT32
/* No team counts a billion contacts in a month; the bound keeps every sum
 * far from overflowing. */
#define MAX_COUNT G_GINT64_CONSTANT (1000000000)
#define UNPUBLISHED G_GINT64_CONSTANT (-1)
/* Names and codes from the sender are cut to this length in messages. */
#define MAX_SHOWN 40
/* A report nests four deep; the JSON parser recurses once per level. */
#define MAX_DEPTH 16

G_DEFINE_QUARK (vp-report-error-quark, vp_report_error)

static const char * const report_fields[] = {
  "generated_at", "installation", "k", "municipality", "period",
  "revision", "schema", "tables", "team", NULL
};

static const char * const table_fields_2d[] = {
  "cells", "column_totals", "columns", "dimensions", "row_totals", "rows", "total", NULL
};

static const char * const table_fields_1d[] = {
  "cells", "dimensions", "rows", "total", NULL
};

/* One table as read from the JSON; UNPUBLISHED stands for null. */
typedef struct {
  const VpReportTableDef *def;
  char                   *where;         /* "tables.<name>" */
  guint                   k;
  guint                   n_rows;
  guint                   n_columns;     /* 1 for one-dimensional tables */
  gint64                 *cells;         /* n_rows * n_columns, row by row */
  gint64                 *row_totals;    /* two-dimensional tables only */
  gint64                 *column_totals; /* two-dimensional tables only */
  gint64                  total;
} Table;

static void
table_clear (Table *t)
{
  g_clear_pointer (&t->where, g_free);
  g_clear_pointer (&t->cells, g_free);
  g_clear_pointer (&t->row_totals, g_free);
  g_clear_pointer (&t->column_totals, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Table, table_clear)

typedef gboolean (*FormatCheck) (const char *text);

typedef enum {
  PARTS_ROW_CELLS,
  PARTS_COLUMN_CELLS,
  PARTS_ROW_TOTALS,
  PARTS_COLUMN_TOTALS,
  PARTS_ALL_CELLS,
} Parts;

static gboolean invalid (GError     **error,
                         const char  *format,
                         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (VP_REPORT_ERROR, VP_REPORT_ERROR_INVALID,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* Text from the sender, made safe to show: escaped and cut short. */
static char *
shown (const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);

  if (strlen (escaped) <= MAX_SHOWN)
    return g_steal_pointer (&escaped);
  escaped[MAX_SHOWN] = '\0';
  return g_strconcat (escaped, "…", NULL);
}

static gboolean
node_holds (JsonNode *node,
            GType     type)
{
  return node != NULL &&
         JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == type;
}

gboolean
vp_report_is_team_code (const char *team)
{
  gsize len;

  if (team == NULL)
    return FALSE;
  len = strlen (team);
  if (len < 1 || len > 32)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (team[i]) && team[i] != '-' && team[i] != '_')
      return FALSE;
  return TRUE;
}

gboolean
vp_report_is_installation_id (const char *installation)
{
  if (installation == NULL || strlen (installation) != 32)
    return FALSE;
  for (gsize i = 0; i < 32; i++)
    if (!g_ascii_isdigit (installation[i]) && !(installation[i] >= 'a' && installation[i] <= 'f'))
      return FALSE;
  return TRUE;
}

gboolean
vp_report_is_municipality (const char *municipality)
{
  if (municipality == NULL || strlen (municipality) != 6 || !g_str_has_prefix (municipality, "GM"))
    return FALSE;
  for (gsize i = 2; i < 6; i++)
    if (!g_ascii_isdigit (municipality[i]))
      return FALSE;
  return TRUE;
}

static gboolean
check_fields (JsonObject          *object,
              const char          *prefix,
              const char * const  *fields,
              GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (fields, l->data))
      {
        g_autofree char *name = shown (l->data);
        /* Translators: the first %s is a path such as "tables.contacts.",
         * the second a field name. */
        return invalid (error, _("%s%s: unknown field"), prefix, name);
      }
  for (guint i = 0; fields[i] != NULL; i++)
    if (!json_object_has_member (object, fields[i]))
      return invalid (error, _("%s%s: missing field"), prefix, fields[i]);
  return TRUE;
}

static const char *
string_field (JsonObject  *report,
              const char  *field,
              GError     **error)
{
  JsonNode *node = json_object_get_member (report, field);

  if (!node_holds (node, G_TYPE_STRING))
    {
      invalid (error, _("%s: must be a string"), field);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
check_schema (JsonObject  *report,
              GError     **error)
{
  const char *schema = string_field (report, "schema", error);
  g_autofree char *text = NULL;

  if (schema == NULL)
    return FALSE;
  if (strcmp (schema, VP_REPORT_SCHEMA) == 0)
    return TRUE;
  text = shown (schema);
  return invalid (error, _("schema: “%s” is not supported (expected “%s”)"), text, VP_REPORT_SCHEMA);
}

/* A code-like field: checked for its form and, when the request's address
 * names it too (expected != NULL), for being the same. */
static gboolean
check_code_field (JsonObject   *report,
                  const char   *field,
                  FormatCheck   is_valid,
                  const char   *description,
                  const char   *expected,
                  GError      **error)
{
  const char *value = string_field (report, field, error);
  g_autofree char *text = NULL;

  if (value == NULL)
    return FALSE;
  text = shown (value);
  if (!is_valid (value))
    /* Translators: the last %s describes the expected form, for example
     * "a month (YYYY-MM)". */
    return invalid (error, _("%s: “%s” is not %s"), field, text, description);
  if (expected != NULL && strcmp (value, expected) != 0)
    {
      g_autofree char *wanted = shown (expected);
      return invalid (error, _("%s: “%s” does not match “%s” in the address of the request"),
                      field, text, wanted);
    }
  return TRUE;
}

static gboolean
check_int_field (JsonObject  *report,
                 const char  *field,
                 gint64       min,
                 gint64       max,
                 gint64      *value,
                 GError     **error)
{
  JsonNode *node = json_object_get_member (report, field);
  gint64 v;

  if (!node_holds (node, G_TYPE_INT64))
    return invalid (error, _("%s: must be a whole number"), field);
  v = json_node_get_int (node);
  if (v < min || v > max)
    return invalid (error, _("%s: must be between %d and %d"), field, (int) min, (int) max);
  if (value != NULL)
    *value = v;
  return TRUE;
}

static gboolean
check_generated_at (JsonObject  *report,
                    GError     **error)
{
  const char *value = string_field (report, "generated_at", error);
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *text = NULL;

  if (value == NULL)
    return FALSE;
  when = g_date_time_new_from_iso8601 (value, NULL);
  if (when != NULL)
    return TRUE;
  text = shown (value);
  return invalid (error, _("generated_at: “%s” is not an ISO 8601 date and time"), text);
}

static gboolean
check_dimensions (const Table  *t,
                  JsonNode     *node,
                  GError      **error)
{
  const char *expected[2] = { t->def->rows->name, t->def->columns ? t->def->columns->name : NULL };
  guint n_expected = t->def->columns != NULL ? 2 : 1;
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _("%s.dimensions: must be a list"), t->where);
  array = json_node_get_array (node);
  if (json_array_get_length (array) != n_expected)
    return invalid (error, _("%s.dimensions: must have %u entries"), t->where, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!node_holds (element, G_TYPE_STRING) ||
          strcmp (json_node_get_string (element), expected[i]) != 0)
        return invalid (error, _("%s.dimensions[%u]: must be “%s”"), t->where, i, expected[i]);
    }
  return TRUE;
}

static gboolean
check_code (const Table              *t,
            const char               *member,
            guint                     i,
            JsonNode                 *element,
            const VpReportDimension  *dim,
            GHashTable               *seen,
            GError                  **error)
{
  const char *code;
  g_autofree char *text = NULL;

  if (!node_holds (element, G_TYPE_STRING))
    return invalid (error, _("%s.%s[%u]: must be a string"), t->where, member, i);
  code = json_node_get_string (element);
  text = shown (code);
  if (!vp_report_dimension_accepts (dim, code))
    return invalid (error, _("%s.%s[%u]: “%s” is not a %s code"), t->where, member, i, text, dim->name);
  if (!g_hash_table_add (seen, (gpointer) code))
    return invalid (error, _("%s.%s[%u]: “%s” appears more than once"), t->where, member, i, text);
  return TRUE;
}

static gboolean
read_codes (const Table              *t,
            JsonObject               *object,
            const char               *member,
            const VpReportDimension  *dim,
            guint                    *n,
            GError                  **error)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _("%s.%s: must be a list"), t->where, member);
  array = json_node_get_array (node);
  *n = json_array_get_length (array);
  if (*n == 0)
    return invalid (error, _("%s.%s: must not be empty"), t->where, member);
  for (guint i = 0; i < *n; i++)
    if (!check_code (t, member, i, json_array_get_element (array, i), dim, seen, error))
      return FALSE;
  return TRUE;
}

static gboolean
read_count (const Table  *t,
            JsonNode     *node,
            const char   *where,
            gint64       *value,
            GError      **error)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *value = UNPUBLISHED;
      return TRUE;
    }
  if (!node_holds (node, G_TYPE_INT64))
    return invalid (error, _("%s: must be a whole number or null"), where);
  *value = json_node_get_int (node);
  if (*value < 0)
    return invalid (error, _("%s: a count cannot be negative"), where);
  if (*value > MAX_COUNT)
    return invalid (error, _("%s: the count is implausibly large"), where);
  if (*value > 0 && *value < t->k)
    return invalid (error, _("%s: published count %d is below k = %u"), where, (int) *value, t->k);
  return TRUE;
}

static gboolean
read_counts (const Table  *t,
             JsonNode     *node,
             const char   *where,
             guint         n,
             gint64       *values,
             GError      **error)
{
  JsonArray *array;
  guint len;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _("%s: must be a list"), where);
  array = json_node_get_array (node);
  len = json_array_get_length (array);
  if (len != n)
    return invalid (error, _("%s: must have %u entries, not %u"), where, n, len);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *at = g_strdup_printf ("%s[%u]", where, i);

      if (!read_count (t, json_array_get_element (array, i), at, &values[i], error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_cells (Table       *t,
            JsonNode    *node,
            GError     **error)
{
  g_autofree char *where = g_strconcat (t->where, ".cells", NULL);
  JsonArray *array;
  guint len;

  t->cells = g_new (gint64, (gsize) t->n_rows * t->n_columns);
  if (t->def->columns == NULL)
    return read_counts (t, node, where, t->n_rows, t->cells, error);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _("%s: must be a list"), where);
  array = json_node_get_array (node);
  len = json_array_get_length (array);
  if (len != t->n_rows)
    return invalid (error, _("%s: must have %u entries, not %u"), where, t->n_rows, len);
  for (guint r = 0; r < t->n_rows; r++)
    {
      g_autofree char *at = g_strdup_printf ("%s[%u]", where, r);

      if (!read_counts (t, json_array_get_element (array, r), at, t->n_columns,
                        t->cells + (gsize) r * t->n_columns, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_totals (Table       *t,
             JsonObject  *object,
             GError     **error)
{
  g_autofree char *total = g_strconcat (t->where, ".total", NULL);
  g_autofree char *row_totals = g_strconcat (t->where, ".row_totals", NULL);
  g_autofree char *column_totals = g_strconcat (t->where, ".column_totals", NULL);

  if (!read_count (t, json_object_get_member (object, "total"), total, &t->total, error))
    return FALSE;
  if (t->def->columns == NULL)
    return TRUE;

  t->row_totals = g_new (gint64, t->n_rows);
  t->column_totals = g_new (gint64, t->n_columns);
  return read_counts (t, json_object_get_member (object, "row_totals"), row_totals,
                      t->n_rows, t->row_totals, error) &&
         read_counts (t, json_object_get_member (object, "column_totals"), column_totals,
                      t->n_columns, t->column_totals, error);
}

static gboolean
read_table (Table       *t,
            JsonObject  *object,
            GError     **error)
{
  gboolean two_d = t->def->columns != NULL;
  g_autofree char *prefix = g_strconcat (t->where, ".", NULL);

  if (!check_fields (object, prefix, two_d ? table_fields_2d : table_fields_1d, error) ||
      !check_dimensions (t, json_object_get_member (object, "dimensions"), error) ||
      !read_codes (t, object, "rows", t->def->rows, &t->n_rows, error))
    return FALSE;

  t->n_columns = 1;
  if (two_d && !read_codes (t, object, "columns", t->def->columns, &t->n_columns, error))
    return FALSE;

  return read_cells (t, json_object_get_member (object, "cells"), error) &&
         read_totals (t, object, error);
}

/* The sum of n values, step apart; UNPUBLISHED unless all are published. */
static gint64
sum_published (const gint64 *values,
               guint         n,
               guint         step)
{
  gint64 sum = 0;

  for (guint i = 0; i < n; i++)
    {
      if (values[(gsize) i * step] == UNPUBLISHED)
        return UNPUBLISHED;
      sum += values[(gsize) i * step];
    }
  return sum;
}

static gboolean
check_sum (gint64       total,
           gint64       sum,
           Parts        parts,
           const char  *where,
           GError     **error)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (total == UNPUBLISHED || sum == UNPUBLISHED || total == sum)
    return TRUE;

  a = g_strdup_printf ("%" G_GINT64_FORMAT, total);
  b = g_strdup_printf ("%" G_GINT64_FORMAT, sum);
  switch (parts)
    {
    case PARTS_ROW_CELLS:
      return invalid (error, _("%s: row total %s is not the sum of the row’s cells (%s)"), where, a, b);
    case PARTS_COLUMN_CELLS:
      return invalid (error, _("%s: column total %s is not the sum of the column’s cells (%s)"), where, a, b);
    case PARTS_ROW_TOTALS:
      return invalid (error, _("%s: total %s is not the sum of the row totals (%s)"), where, a, b);
    case PARTS_COLUMN_TOTALS:
      return invalid (error, _("%s: total %s is not the sum of the column totals (%s)"), where, a, b);
    case PARTS_ALL_CELLS:
      return invalid (error, _("%s: total %s is not the sum of the cells (%s)"), where, a, b);
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* Every contact falls in exactly one cell of a two-dimensional table, so
 * wherever all the parts are published they add up to their total. */
static gboolean
check_sums_2d (const Table  *t,
               GError      **error)
{
  guint nr = t->n_rows;
  guint nc = t->n_columns;
  g_autofree char *total = g_strconcat (t->where, ".total", NULL);

  for (guint r = 0; r < nr; r++)
    {
      g_autofree char *at = g_strdup_printf ("%s.row_totals[%u]", t->where, r);

      if (!check_sum (t->row_totals[r], sum_published (t->cells + (gsize) r * nc, nc, 1),
                      PARTS_ROW_CELLS, at, error))
        return FALSE;
    }
  for (guint c = 0; c < nc; c++)
    {
      g_autofree char *at = g_strdup_printf ("%s.column_totals[%u]", t->where, c);

      if (!check_sum (t->column_totals[c], sum_published (t->cells + c, nr, nc),
                      PARTS_COLUMN_CELLS, at, error))
        return FALSE;
    }
  return check_sum (t->total, sum_published (t->row_totals, nr, 1), PARTS_ROW_TOTALS, total, error) &&
         check_sum (t->total, sum_published (t->column_totals, nc, 1), PARTS_COLUMN_TOTALS, total, error) &&
         check_sum (t->total, sum_published (t->cells, nr * nc, 1), PARTS_ALL_CELLS, total, error);
}

/* In the one-dimensional language table a client may prefer several
 * languages, so the cells can add up to more than the total; never less. */
static gboolean
check_sums_1d (const Table  *t,
               GError      **error)
{
  gint64 sum = sum_published (t->cells, t->n_rows, 1);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (t->total == UNPUBLISHED || sum == UNPUBLISHED || t->total <= sum)
    return TRUE;
  a = g_strdup_printf ("%" G_GINT64_FORMAT, t->total);
  b = g_strdup_printf ("%" G_GINT64_FORMAT, sum);
  return invalid (error, _("%s.total: total %s is more than the sum of the cells (%s)"), t->where, a, b);
}

static gboolean
check_table (JsonObject  *tables,
             const char  *name,
             guint        k,
             GError     **error)
{
  const VpReportTableDef *def = vp_report_table_def_lookup (name);
  JsonNode *node = json_object_get_member (tables, name);
  g_auto(Table) t = { 0, };

  if (def == NULL)
    {
      g_autofree char *text = shown (name);
      return invalid (error, _("tables.%s: unknown table"), text);
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("tables.%s: must be an object"), name);

  t.def = def;
  t.k = k;
  t.where = g_strconcat ("tables.", name, NULL);
  if (!read_table (&t, json_node_get_object (node), error))
    return FALSE;
  return def->columns != NULL ? check_sums_2d (&t, error) : check_sums_1d (&t, error);
}

static gboolean
check_tables (JsonObject  *report,
              guint        k,
              GError     **error)
{
  JsonNode *node = json_object_get_member (report, "tables");
  JsonObject *tables;
  g_autoptr(GList) names = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, _("tables: must be an object"));
  tables = json_node_get_object (node);
  names = json_object_get_members (tables);
  if (names == NULL)
    return invalid (error, _("tables: the report has no tables"));
  for (const GList *l = names; l != NULL; l = l->next)
    if (!check_table (tables, l->data, k, error))
      return FALSE;
  return TRUE;
}

/**
 * vp_report_validate:
 * @root: the parsed report
 * @team: (nullable): the team code from the request's address
 * @installation: (nullable): the installation id from the request's address
 * @period: (nullable): the month from the request's address
 * @error: return location for a #VP_REPORT_ERROR
 *
 * Checks a report against schema vindplaats.reach/1: exactly the known
 * fields, codes and tables, the shapes of the tables, counts that are null or
 * at least k, and totals that agree with the published parts. The error
 * message names the first offending field.
 *
 * Returns: %TRUE when the report is valid
 */
gboolean
vp_report_validate (JsonNode    *root,
                    const char  *team,
                    const char  *installation,
                    const char  *period,
                    GError     **error)
{
  JsonObject *report;
  gint64 k = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, _("The report is not a JSON object"));
  report = json_node_get_object (root);

  return check_fields (report, "", report_fields, error) &&
         check_schema (report, error) &&
         check_code_field (report, "team", vp_report_is_team_code,
                           _("a team code (1 to 32 letters, digits, “-” or “_”)"), team, error) &&
         check_code_field (report, "installation", vp_report_is_installation_id,
                           _("an installation id (32 lower-case hexadecimal digits)"), installation, error) &&
         check_code_field (report, "period", vp_report_is_period,
                           _("a month (YYYY-MM)"), period, error) &&
         check_code_field (report, "municipality", vp_report_is_municipality,
                           _("a CBS municipality code (GM and four digits)"), NULL, error) &&
         check_int_field (report, "k", VP_REPORT_MIN_K, MAX_K, &k, error) &&
         check_int_field (report, "revision", 1, MAX_REVISION, NULL, error) &&
         check_generated_at (report, error) &&
         check_tables (report, (guint) k, error);
}

/* Outside strings, plain JSON has only these characters. The JSON parser
 * also takes comments, single quotes and "var x =" assignments; refusing
 * them keeps the depth count below exact and the stored text plain. */
static gboolean
is_plain_json_char (char c)
{
  return c != '\0' && strchr ("{}[],:-+.0123456789eEtrufalsn \t\r\n", c) != NULL;
}

/**
 * vp_report_check_text:
 * @data: the report as received
 * @len: the length of @data
 * @error: return location for a #VP_REPORT_ERROR
 *
 * Checks the raw text before it is parsed: UTF-8, one plain JSON value,
 * nested no deeper than a report needs. This keeps a hostile body from
 * driving the recursive parser arbitrarily deep.
 *
 * Returns: %TRUE when the text may be parsed
 */
gboolean
vp_report_check_text (const char  *data,
                      gsize        len,
                      GError     **error)
{
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  gboolean ended = FALSE;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len == 0)
    return invalid (error, _("The report is empty"));
  if (!g_utf8_validate_len (data, len, NULL))
    return invalid (error, _("The report is not UTF-8 text"));

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (ended && !g_ascii_isspace (c))
        return invalid (error, _("The report holds more than one JSON value"));
      if (c == '"')
        in_string = TRUE;
      else if ((c == '{' || c == '[') && ++depth > MAX_DEPTH)
        return invalid (error, _("The report nests deeper than %d levels"), MAX_DEPTH);
      else if ((c == '}' || c == ']') && depth > 0)
        ended = --depth == 0;
      else if (!is_plain_json_char (c) || c == '}' || c == ']')
        return invalid (error, _("The report is not plain JSON (unexpected character at byte %lu)"),
                        (unsigned long) i);
    }
  return TRUE;
}

static gboolean
keys_sorted (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);
      const char *previous = NULL;

      for (const GList *l = members; l != NULL; l = l->next)
        {
          if (previous != NULL && strcmp (previous, l->data) >= 0)
            return FALSE;
          if (!keys_sorted (json_object_get_member (object, l->data)))
            return FALSE;
          previous = l->data;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!keys_sorted (json_array_get_element (array, i)))
          return FALSE;
    }
  return TRUE;
}

/**
 * vp_report_check_canonical:
 * @root: the parsed report
 * @data: the text it was parsed from
 * @len: the length of @data
 * @error: return location for a #VP_REPORT_ERROR
 *
 * Checks that @data is the canonical form of @root, as devices write it:
 * compact, object keys in byte order, each key once. Stored bodies then say
 * exactly what was validated, to any JSON reader, and a replay of the same
 * report is recognised by its bytes.
 *
 * Returns: %TRUE when @data is canonical
 */
gboolean
vp_report_check_canonical (JsonNode    *root,
                           const char  *data,
                           gsize        len,
                           GError     **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *canonical = NULL;
  gsize canonical_len = 0;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  json_generator_set_root (generator, root);
  canonical = json_generator_to_data (generator, &canonical_len);
  if (canonical_len == len && memcmp (canonical, data, len) == 0 && keys_sorted (root))
    return TRUE;
  return invalid (error, _("The report is not canonical JSON (compact, keys in sorted order, each key once)"));
}
