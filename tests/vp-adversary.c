/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glpk.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "vp-adversary.h"

/* The municipality's view of one revision: every number of the report is a
 * value; published values are constants, suppressed ones unknowns. Values
 * that the public semantics say are equal (the links between tables) share
 * one class; every other relation is an equation "sum of terms = 0". */

typedef struct {
  char     *key;
  gboolean  published;
  gboolean  hidden;    /* an unknown the relations need, in no report */
  gint64    value;     /* when published */
  guint     cls;       /* union-find parent while building, then the root */
  gint64    lo, hi;    /* the interval, once solved */
} Value;

typedef struct {
  guint n_terms;
  guint first;         /* into Revision.terms */
} Equation;

typedef struct {
  guint value;
  int   coef;
} Term;

typedef struct {
  guint      k;
  GArray    *values;    /* Value */
  GHashTable *index;    /* key -> index + 1 */
  GArray    *equations; /* Equation */
  GArray    *terms;     /* Term */
  GPtrArray *problems;  /* char *: inconsistencies found */
  GPtrArray *tables;    /* TableInfo */
} Revision;

/* Where a two-dimensional table's values are, for the checks of patterns:
 * cell r, c at cell[r * n_columns + c]. */
typedef struct {
  char   *name;
  GStrv   rows;
  GStrv   columns;
  guint  *cell;
} TableInfo;

static void
table_info_free (TableInfo *info)
{
  g_free (info->name);
  g_strfreev (info->rows);
  g_strfreev (info->columns);
  g_free (info->cell);
  g_free (info);
}

static void
value_clear (Value *v)
{
  g_free (v->key);
}

static void
revision_free (Revision *rev)
{
  if (rev == NULL)
    return;
  g_array_unref (rev->values);
  g_hash_table_unref (rev->index);
  g_array_unref (rev->equations);
  g_array_unref (rev->terms);
  g_ptr_array_unref (rev->problems);
  g_ptr_array_unref (rev->tables);
  g_free (rev);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Revision, revision_free)

char *
vp_adversary_key (const char *table,
                  const char *row,
                  const char *column)
{
  return g_strdup_printf ("%s[%s,%s]", table, row != NULL ? row : "*", column != NULL ? column : "*");
}

static G_GNUC_PRINTF (2, 3) void
set_error (GError    **error,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, format, args));
  va_end (args);
}

/* Adds a value; returns its index. */
static gboolean
add_value (Revision   *rev,
           const char *table,
           const char *row,
           const char *column,
           JsonNode   *node,
           guint      *index,
           GError    **error)
{
  Value v = { 0 };

  v.key = vp_adversary_key (table, row, column);
  if (node == NULL)
    {
      set_error (error, "%s: missing", v.key);
      g_free (v.key);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_NULL (node))
    v.published = FALSE;
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64 &&
           json_node_get_int (node) >= 0)
    {
      v.published = TRUE;
      v.value = json_node_get_int (node);
    }
  else
    {
      set_error (error, "%s: not a non-negative integer or null", v.key);
      g_free (v.key);
      return FALSE;
    }
  if (g_hash_table_contains (rev->index, v.key))
    {
      set_error (error, "%s: appears twice", v.key);
      g_free (v.key);
      return FALSE;
    }
  v.cls = rev->values->len;
  g_array_append_val (rev->values, v);
  g_hash_table_insert (rev->index, g_strdup (v.key), GUINT_TO_POINTER (rev->values->len));
  *index = rev->values->len - 1;
  return TRUE;
}

static int
lookup (Revision   *rev,
        const char *table,
        const char *row,
        const char *column)
{
  g_autofree char *key = vp_adversary_key (table, row, column);
  return (int) GPOINTER_TO_UINT (g_hash_table_lookup (rev->index, key)) - 1;
}

/* sum of @parts = @whole */
static void
add_sum (Revision    *rev,
         const guint *parts,
         guint        n_parts,
         guint        whole)
{
  Equation eq = { n_parts + 1, rev->terms->len };

  for (guint i = 0; i < n_parts; i++)
    {
      Term t = { parts[i], 1 };
      g_array_append_val (rev->terms, t);
    }
  {
    Term t = { whole, -1 };
    g_array_append_val (rev->terms, t);
  }
  g_array_append_val (rev->equations, eq);
}

static guint
find (GArray *values,
      guint   i)
{
  while (g_array_index (values, Value, i).cls != i)
    {
      Value *v = &g_array_index (values, Value, i);
      v->cls = g_array_index (values, Value, v->cls).cls;
      i = v->cls;
    }
  return i;
}

static void
link_values (Revision *rev,
             int       a,
             int       b)
{
  guint ra, rb;

  if (a < 0 || b < 0)
    return;
  ra = find (rev->values, (guint) a);
  rb = find (rev->values, (guint) b);
  if (ra != rb)
    g_array_index (rev->values, Value, MAX (ra, rb)).cls = MIN (ra, rb);
}

/* An unknown of the facts that no report shows (a count of follow-ups,
 * say), through which an inequality becomes an equation. */
static guint
add_hidden (Revision   *rev,
            const char *key)
{
  Value v = { 0 };

  v.key = g_strdup (key);
  v.hidden = TRUE;
  v.cls = rev->values->len;
  g_array_append_val (rev->values, v);
  g_hash_table_insert (rev->index, g_strdup (v.key), GUINT_TO_POINTER (rev->values->len));
  return rev->values->len - 1;
}

static gboolean
get_codes (JsonObject  *table,
           const char  *name,
           const char  *member,
           GStrv       *codes,
           GError     **error)
{
  JsonNode *node = json_object_get_member (table, member);
  JsonArray *array;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      set_error (error, "%s: no %s", name, member);
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          set_error (error, "%s: %s must be strings", name, member);
          return FALSE;
        }
      g_strv_builder_add (b, json_node_get_string (e));
    }
  *codes = g_strv_builder_end (b);
  return TRUE;
}

static JsonNode *
element (JsonNode *node,
         guint     i,
         guint     length)
{
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  if (json_array_get_length (array) != length || i >= length)
    return NULL;
  return json_array_get_element (array, i);
}

static gboolean
read_table (Revision    *rev,
            const char  *name,
            JsonObject  *table,
            GError     **error)
{
  g_auto(GStrv) rows = NULL;
  g_auto(GStrv) columns = NULL;
  g_autofree guint *cell = NULL;
  g_autofree guint *row_total = NULL;
  g_autofree guint *column_total = NULL;
  g_autofree guint *part = NULL;
  guint total, nr, nc;
  JsonNode *cells;

  if (!get_codes (table, name, "rows", &rows, error))
    return FALSE;
  nr = g_strv_length (rows);
  cells = json_object_get_member (table, "cells");
  if (cells == NULL || !JSON_NODE_HOLDS_ARRAY (cells) ||
      json_array_get_length (json_node_get_array (cells)) != nr)
    {
      set_error (error, "%s: cells do not match rows", name);
      return FALSE;
    }

  if (!json_object_has_member (table, "columns"))
    {
      /* One dimension: total = sum of cells. */
      cell = g_new (guint, nr);
      for (guint r = 0; r < nr; r++)
        if (!add_value (rev, name, rows[r], NULL, element (cells, r, nr), &cell[r], error))
          return FALSE;
      if (!add_value (rev, name, NULL, NULL, json_object_get_member (table, "total"), &total, error))
        return FALSE;
      add_sum (rev, cell, nr, total);
      {
        TableInfo *info = g_new0 (TableInfo, 1);

        info->name = g_strdup (name);
        info->rows = g_steal_pointer (&rows);
        info->columns = g_new0 (char *, 2);
        info->columns[0] = g_strdup ("*");
        info->cell = g_steal_pointer (&cell);
        g_ptr_array_add (rev->tables, info);
      }
      return TRUE;
    }

  if (!get_codes (table, name, "columns", &columns, error))
    return FALSE;
  nc = g_strv_length (columns);
  cell = g_new (guint, nr * nc);
  row_total = g_new (guint, nr);
  column_total = g_new (guint, nc);
  part = g_new (guint, MAX (nr, nc));
  for (guint r = 0; r < nr; r++)
    {
      JsonNode *line = json_array_get_element (json_node_get_array (cells), r);

      for (guint c = 0; c < nc; c++)
        if (!add_value (rev, name, rows[r], columns[c], element (line, c, nc), &cell[r * nc + c], error))
          return FALSE;
    }
  for (guint r = 0; r < nr; r++)
    if (!add_value (rev, name, rows[r], NULL, element (json_object_get_member (table, "row_totals"), r, nr), &row_total[r], error))
      return FALSE;
  for (guint c = 0; c < nc; c++)
    if (!add_value (rev, name, NULL, columns[c], element (json_object_get_member (table, "column_totals"), c, nc), &column_total[c], error))
      return FALSE;
  if (!add_value (rev, name, NULL, NULL, json_object_get_member (table, "total"), &total, error))
    return FALSE;

  for (guint r = 0; r < nr; r++)
    {
      for (guint c = 0; c < nc; c++)
        part[c] = cell[r * nc + c];
      add_sum (rev, part, nc, row_total[r]);
    }
  for (guint c = 0; c < nc; c++)
    {
      for (guint r = 0; r < nr; r++)
        part[r] = cell[r * nc + c];
      add_sum (rev, part, nr, column_total[c]);
    }
  add_sum (rev, row_total, nr, total);
  add_sum (rev, column_total, nc, total);
  {
    TableInfo *info = g_new0 (TableInfo, 1);

    info->name = g_strdup (name);
    info->rows = g_steal_pointer (&rows);
    info->columns = g_steal_pointer (&columns);
    info->cell = g_steal_pointer (&cell);
    g_ptr_array_add (rev->tables, info);
  }
  return TRUE;
}

/* The same numbers appearing twice (the public semantics of DESIGN §5),
 * matched by code. A link to a table or code the report lacks is skipped. */
static void
add_links (Revision   *rev,
           const char *prefix)
{
  g_autofree char *contacts = g_strconcat (prefix, "contacts", NULL);
  g_autofree char *route_table = g_strconcat (prefix, "first_contacts_by_route", NULL);
  g_autofree char *age = g_strconcat (prefix, "first_contacts_by_age_language", NULL);
  g_autofree char *early = g_strconcat (prefix, "early_reach", NULL);
  g_autofree char *interpreter = g_strconcat (prefix, "interpreter_use", NULL);
  g_autofree char *contacts_prefix = g_strconcat (prefix, "contacts[", NULL);
  g_autofree char *age_prefix = g_strconcat (prefix, "first_contacts_by_age_language[*,", NULL);
  static const char *const first_tables[] = {
    "first_contacts_by_route", "first_contacts_by_age_language", "early_reach",
    "first_contacts_by_language",
  };
  GHashTableIter iter;
  gpointer key;
  int anchor;

  /* contacts[lt, first] = first_contacts_by_route[lt, *] */
  g_hash_table_iter_init (&iter, rev->index);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *k = key;
      const char *start = contacts_prefix;
      const char *suffix = ",first]";
      gsize lk = strlen (k), ls = strlen (suffix);

      if (g_str_has_prefix (k, start) && lk > strlen (start) + ls &&
          strcmp (k + lk - ls, suffix) == 0 && strncmp (k + strlen (start), "*,", 2) != 0)
        {
          g_autofree char *lt = g_strndup (k + strlen (start), lk - strlen (start) - ls);
          link_values (rev, lookup (rev, contacts, lt, "first"),
                       lookup (rev, route_table, lt, NULL));
        }
    }

  /* contacts[*, first] = the total of every first-contact table (which
   * agree among themselves even when contacts is missing) */
  anchor = lookup (rev, contacts, NULL, "first");
  for (guint i = 0; i < G_N_ELEMENTS (first_tables); i++)
    {
      g_autofree char *name = g_strconcat (prefix, first_tables[i], NULL);
      int t = lookup (rev, name, NULL, NULL);
      if (anchor < 0)
        anchor = t;
      else
        link_values (rev, anchor, t);
    }

  /* first_contacts_by_age_language[*, p] = early_reach[*, p] */
  g_hash_table_iter_init (&iter, rev->index);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *k = key;
      const char *start = age_prefix;

      if (g_str_has_prefix (k, start) && g_str_has_suffix (k, "]") && strcmp (k + strlen (start), "*]") != 0)
        {
          g_autofree char *p = g_strndup (k + strlen (start), strlen (k) - strlen (start) - 1);
          link_values (rev, lookup (rev, age, NULL, p), lookup (rev, early, NULL, p));
        }
    }

  /* interpreter_use counts every contact */
  link_values (rev, lookup (rev, interpreter, NULL, NULL), lookup (rev, contacts, NULL, NULL));

  /* Every first contact is also a contact with the same proficiency:
   * interpreter_use[*, p] = first_contacts_by_age_language[*, p] + the
   * month's follow-ups with proficiency p, an unknown >= 0. */
  g_hash_table_iter_init (&iter, rev->index);
  {
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
    const char *start = age_prefix;

    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (g_str_has_prefix (key, start) && strcmp ((const char *) key + strlen (start), "*]") != 0)
        g_ptr_array_add (found, g_strndup ((const char *) key + strlen (start),
                                           strlen (key) - strlen (start) - 1));
    for (guint i = 0; i < found->len; i++)
      {
        const char *p = g_ptr_array_index (found, i);
        int first = lookup (rev, age, NULL, p);
        int all = lookup (rev, interpreter, NULL, p);
        g_autofree char *name = g_strdup_printf ("hidden:%sfollow_ups[%s]", prefix, p);

        if (first >= 0 && all >= 0)
          {
            guint parts[2] = { (guint) first, add_hidden (rev, name) };
            add_sum (rev, parts, 2, (guint) all);
          }
      }
  }
}

static Revision *
revision_new (guint k)
{
  Revision *rev = g_new0 (Revision, 1);

  rev->k = k;
  rev->values = g_array_new (FALSE, FALSE, sizeof (Value));
  g_array_set_clear_func (rev->values, (GDestroyNotify) value_clear);
  rev->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rev->equations = g_array_new (FALSE, FALSE, sizeof (Equation));
  rev->terms = g_array_new (FALSE, FALSE, sizeof (Term));
  rev->problems = g_ptr_array_new_with_free_func (g_free);
  rev->tables = g_ptr_array_new_with_free_func ((GDestroyNotify) table_info_free);
  return rev;
}

/* Reads one report into @rev, its tables named with @prefix (so that
 * several reports can share one system). */
static gboolean
revision_read (Revision    *rev,
               const char  *json,
               const char  *prefix,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object, *tables;
  g_autoptr(GList) names = NULL;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_error (error, "not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (root);
  if (rev->k == 0)
    rev->k = (guint) json_object_get_int_member_with_default (object, "k", 5);
  if (!json_object_has_member (object, "tables") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "tables")))
    {
      set_error (error, "no tables");
      return FALSE;
    }
  tables = json_object_get_object_member (object, "tables");
  names = json_object_get_members (tables);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *t = json_object_get_member (tables, l->data);
      g_autofree char *name = g_strconcat (prefix, l->data, NULL);

      if (!JSON_NODE_HOLDS_OBJECT (t))
        {
          set_error (error, "%s: not an object", (const char *) l->data);
          return FALSE;
        }
      if (!read_table (rev, name, json_node_get_object (t), error))
        return FALSE;
    }
  add_links (rev, prefix);
  return TRUE;
}

static Revision *
revision_parse (const char  *json,
                guint        k,
                GError     **error)
{
  g_autoptr(Revision) rev = revision_new (k);

  if (!revision_read (rev, json, "", error))
    return NULL;
  return g_steal_pointer (&rev);
}

/* ---- solving -------------------------------------------------------- */

static gboolean
is_integral (double x)
{
  return fabs (x - nearbyint (x)) < 1e-6;
}

/* Every integer solution met on the way is a witness: each unknown can
 * take at least the values between the smallest and the largest seen. */
typedef struct {
  gint64 *lo;  /* 1-based, like GLPK's columns */
  gint64 *hi;  /* -1: none seen yet */
} Witness;

static void
witness (Witness  *w,
         glp_prob *lp,
         gboolean  mip)
{
  int n = glp_get_num_cols (lp);

  for (int c = 1; c <= n; c++)
    {
      gint64 x = (gint64) llround (mip ? glp_mip_col_val (lp, c) : glp_get_col_prim (lp, c));
      if (w->hi[c] < 0 || x < w->lo[c])
        w->lo[c] = x;
      if (x > w->hi[c])
        w->hi[c] = x;
    }
}

/* Minimises or maximises unknown column @j of @lp over the integers.
 * Returns FALSE when the system has no solution at all. */
static gboolean
bound (glp_prob *lp,
       int       j,
       int       dir,
       Witness  *w,
       gint64   *result)
{
  glp_smcp smcp;
  glp_iocp iocp;
  int n = glp_get_num_cols (lp);
  int ret, status;

  glp_init_smcp (&smcp);
  smcp.msg_lev = GLP_MSG_OFF;
  smcp.presolve = GLP_OFF;
  glp_init_iocp (&iocp);
  iocp.msg_lev = GLP_MSG_OFF;
  iocp.presolve = GLP_OFF;

  glp_set_obj_dir (lp, dir);
  glp_set_obj_coef (lp, j, 1.0);
  ret = glp_simplex (lp, &smcp);
  if (ret != 0)
    {
      /* A basis left unusable (by the MIP search, say): start afresh. */
      glp_adv_basis (lp, 0);
      ret = glp_simplex (lp, &smcp);
    }
  glp_set_obj_coef (lp, j, 0.0);
  g_assert (ret == 0);

  status = glp_get_status (lp);
  if (status == GLP_UNBND)
    {
      g_assert (dir == GLP_MAX);
      *result = VP_ADVERSARY_UNBOUNDED;
      return TRUE;
    }
  if (status != GLP_OPT)
    return FALSE;

  for (int c = 1; c <= n; c++)
    if (!is_integral (glp_get_col_prim (lp, c)))
      {
        /* The LP vertex is fractional: the integer bound may be tighter. */
        glp_set_obj_coef (lp, j, 1.0);
        ret = glp_intopt (lp, &iocp);
        glp_set_obj_coef (lp, j, 0.0);
        g_assert (ret == 0);
        status = glp_mip_status (lp);
        if (status != GLP_OPT)
          return FALSE;
        witness (w, lp, TRUE);
        *result = (gint64) llround (glp_mip_obj_val (lp));
        return TRUE;
      }
  witness (w, lp, FALSE);
  *result = (gint64) llround (glp_get_obj_val (lp));
  return TRUE;
}

static guint
uf_find (guint *parent,
         guint  i)
{
  while (parent[i] != i)
    {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
  return i;
}

/* Solves every unknown of the revision; inconsistencies go to problems.
 * With @exact, every interval is exact; without, only those narrower than
 * k are (which is all the checks need). */
static void
revision_solve (Revision *rev,
                gboolean  exact)
{
  guint nv = rev->values->len;
  guint ne = rev->equations->len;
  g_autofree gint64 *cls_value = g_new0 (gint64, nv);
  g_autofree gboolean *cls_known = g_new0 (gboolean, nv);
  g_autofree int *unknown = g_new (int, nv);   /* class root -> unknown id, or -1 */
  g_autofree guint *comp = NULL;               /* unknown id -> component root */
  g_autofree int *col = NULL;                  /* unknown id -> GLPK column */
  g_autofree gint64 *lo = NULL;
  g_autofree gint64 *hi = NULL;
  g_autofree gint64 *rhs = g_new0 (gint64, ne);
  g_autofree int *eq_comp = g_new (int, ne);
  g_autoptr(GHashTable) per_comp = NULL;
  g_autofree int *scratch = NULL;
  guint nu = 0;
  gboolean feasible = TRUE;

  /* Classes: a published member makes the class a constant. */
  for (guint i = 0; i < nv; i++)
    g_array_index (rev->values, Value, i).cls = find (rev->values, i);
  for (guint i = 0; i < nv; i++)
    {
      Value *v = &g_array_index (rev->values, Value, i);
      if (!v->published)
        continue;
      if (cls_known[v->cls] && cls_value[v->cls] != v->value)
        {
          g_ptr_array_add (rev->problems,
                           g_strdup_printf ("inconsistent: %s = %" G_GINT64_FORMAT " but a linked value is %" G_GINT64_FORMAT,
                                            v->key, v->value, cls_value[v->cls]));
          feasible = FALSE;
        }
      cls_known[v->cls] = TRUE;
      cls_value[v->cls] = v->value;
    }
  for (guint i = 0; i < nv; i++)
    unknown[i] = -1;
  for (guint i = 0; i < nv; i++)
    {
      guint c = g_array_index (rev->values, Value, i).cls;
      if (!cls_known[c] && unknown[c] < 0)
        unknown[c] = (int) nu++;
    }

  /* Components over the equations that have unknowns. */
  comp = g_new (guint, MAX (nu, 1));
  for (guint u = 0; u < nu; u++)
    comp[u] = u;
  scratch = g_new0 (int, MAX (nu, 1));
  for (guint e = 0; e < ne; e++)
    {
      Equation *eq = &g_array_index (rev->equations, Equation, e);
      int first = -1;

      eq_comp[e] = -1;
      for (guint t = 0; t < eq->n_terms; t++)
        {
          Term *term = &g_array_index (rev->terms, Term, eq->first + t);
          guint c = g_array_index (rev->values, Value, term->value).cls;

          if (cls_known[c])
            rhs[e] -= term->coef * cls_value[c];
          else
            scratch[unknown[c]] += term->coef;
        }
      /* Coefficients that cancel (the same class on both sides) drop out. */
      for (guint t = 0; t < eq->n_terms; t++)
        {
          Term *term = &g_array_index (rev->terms, Term, eq->first + t);
          guint c = g_array_index (rev->values, Value, term->value).cls;

          if (cls_known[c])
            continue;
          if (scratch[unknown[c]] != 0)
            {
              guint a = uf_find (comp, (guint) unknown[c]);
              if (first < 0)
                first = (int) a;
              else if (a != (guint) first)
                comp[a] = (guint) first;
            }
        }
      for (guint t = 0; t < eq->n_terms; t++)
        {
          Term *term = &g_array_index (rev->terms, Term, eq->first + t);
          guint c = g_array_index (rev->values, Value, term->value).cls;
          if (!cls_known[c])
            scratch[unknown[c]] = 0;
        }
      if (first < 0 && rhs[e] != 0)
        {
          g_autoptr(GString) s = g_string_new ("inconsistent: ");
          for (guint t = 0; t < eq->n_terms; t++)
            {
              Term *term = &g_array_index (rev->terms, Term, eq->first + t);
              g_string_append_printf (s, "%s%s", t == 0 ? "" : (term->coef < 0 ? " != " : " + "),
                                      g_array_index (rev->values, Value, term->value).key);
            }
          g_string_append_printf (s, " (off by %" G_GINT64_FORMAT ")", rhs[e]);
          g_ptr_array_add (rev->problems, g_string_free (g_steal_pointer (&s), FALSE));
          feasible = FALSE;
        }
      eq_comp[e] = first;
    }
  for (guint e = 0; e < ne; e++)
    if (eq_comp[e] >= 0)
      eq_comp[e] = (int) uf_find (comp, (guint) eq_comp[e]);

  lo = g_new0 (gint64, MAX (nu, 1));
  hi = g_new0 (gint64, MAX (nu, 1));
  col = g_new0 (int, MAX (nu, 1));
  for (guint u = 0; u < nu; u++)
    hi[u] = VP_ADVERSARY_UNBOUNDED; /* an unknown in no equation at all */

  if (feasible)
    {
      /* One LP per component: columns its unknowns (integers >= 0), rows its
       * equations; only the objective changes between solves. */
      g_autofree int *members = g_new (int, MAX (nu, 1) + 1);
      g_autofree gint64 *w_lo = g_new (gint64, MAX (nu, 1) + 1);
      g_autofree gint64 *w_hi = g_new (gint64, MAX (nu, 1) + 1);
      Witness w = { w_lo, w_hi };
      g_autofree int *ind = g_new (int, MAX (nu, 1) + 1);
      g_autofree double *val = g_new (double, MAX (nu, 1) + 1);

      for (guint root = 0; root < nu && feasible; root++)
        {
          glp_prob *lp;
          int n = 0;

          if (uf_find (comp, root) != root)
            continue;
          for (guint u = 0; u < nu; u++)
            if (uf_find (comp, u) == root)
              {
                col[u] = ++n;
                members[n] = (int) u;
              }

          lp = glp_create_prob ();
          glp_add_cols (lp, n);
          for (int j = 1; j <= n; j++)
            {
              glp_set_col_bnds (lp, j, GLP_LO, 0.0, 0.0);
              glp_set_col_kind (lp, j, GLP_IV);
            }
          for (guint e = 0; e < ne; e++)
            {
              Equation *eq = &g_array_index (rev->equations, Equation, e);
              int len = 0, r;

              if (eq_comp[e] != (int) root)
                continue;
              for (guint t = 0; t < eq->n_terms; t++)
                {
                  Term *term = &g_array_index (rev->terms, Term, eq->first + t);
                  guint c = g_array_index (rev->values, Value, term->value).cls;
                  if (!cls_known[c])
                    scratch[unknown[c]] += term->coef;
                }
              for (guint t = 0; t < eq->n_terms; t++)
                {
                  Term *term = &g_array_index (rev->terms, Term, eq->first + t);
                  guint c = g_array_index (rev->values, Value, term->value).cls;
                  if (cls_known[c] || scratch[unknown[c]] == 0)
                    continue;
                  len++;
                  ind[len] = col[unknown[c]];
                  val[len] = scratch[unknown[c]];
                  scratch[unknown[c]] = 0;
                }
              r = glp_add_rows (lp, 1);
              glp_set_row_bnds (lp, r, GLP_FX, (double) rhs[e], (double) rhs[e]);
              glp_set_mat_row (lp, r, len, ind, val);
            }

          glp_adv_basis (lp, 0);
          for (int j = 1; j <= n; j++)
            w.hi[j] = -1;
          for (int j = 1; j <= n && feasible; j++)
            {
              guint u = (guint) members[j];

              /* Unless asked for exact intervals, an unknown is settled once
               * solutions k apart have been seen: its interval is then only
               * known to contain [lo, hi]. Narrower ones are always exact. */
              if (!exact && w.hi[j] >= 0 && w.hi[j] - w.lo[j] >= (gint64) rev->k)
                {
                  lo[u] = w.lo[j];
                  hi[u] = w.hi[j];
                  continue;
                }
              if (!bound (lp, j, GLP_MAX, &w, &hi[u]))
                feasible = FALSE;
              else if (!exact && (hi[u] == VP_ADVERSARY_UNBOUNDED ||
                                  (w.hi[j] >= 0 && hi[u] - w.lo[j] >= (gint64) rev->k)))
                lo[u] = w.hi[j] >= 0 ? w.lo[j] : 0;
              else if (!bound (lp, j, GLP_MIN, &w, &lo[u]))
                feasible = FALSE;
              if (!feasible)
                g_ptr_array_add (rev->problems, g_strdup ("inconsistent: the published values admit no solution"));
            }
          glp_delete_prob (lp);
        }
    }

  for (guint i = 0; i < nv; i++)
    {
      Value *v = &g_array_index (rev->values, Value, i);
      if (v->published)
        v->lo = v->hi = v->value;
      else if (cls_known[v->cls])
        v->lo = v->hi = cls_value[v->cls];
      else
        {
          v->lo = lo[unknown[v->cls]];
          v->hi = hi[unknown[v->cls]];
        }
    }
}

static char *
format_interval (gint64 lo,
                 gint64 hi)
{
  if (hi == VP_ADVERSARY_UNBOUNDED)
    return g_strdup_printf ("[%" G_GINT64_FORMAT ", +inf)", lo);
  return g_strdup_printf ("[%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]", lo, hi);
}

static void
check_one (Revision  *rev,
           guint      number,
           GPtrArray *violations)
{
  for (guint i = 0; i < rev->problems->len; i++)
    g_ptr_array_add (violations, g_strdup_printf ("revision %u: %s", number,
                                                  (const char *) g_ptr_array_index (rev->problems, i)));
  if (rev->problems->len > 0)
    return;

  for (guint i = 0; i < rev->values->len; i++)
    {
      Value *v = &g_array_index (rev->values, Value, i);

      if (v->hidden)
        continue;
      if (v->published)
        {
          if (v->value > 0 && v->value < (gint64) rev->k)
            g_ptr_array_add (violations,
                             g_strdup_printf ("revision %u: %s published as %" G_GINT64_FORMAT " (below k = %u)",
                                              number, v->key, v->value, rev->k));
        }
      else if (v->hi != VP_ADVERSARY_UNBOUNDED && v->hi - v->lo < (gint64) rev->k)
        {
          g_autofree char *iv = format_interval (v->lo, v->hi);
          g_ptr_array_add (violations,
                           g_strdup_printf ("revision %u: %s suppressed but lies in %s (width %" G_GINT64_FORMAT " < k = %u)",
                                            number, v->key, iv, v->hi - v->lo, rev->k));
        }
    }
}

static gboolean
is_sensitive (const char *table)
{
  return g_str_equal (table, "first_contacts_by_age_language") || g_str_equal (table, "early_reach") ||
         g_str_equal (table, "interpreter_use") || g_str_equal (table, "first_contacts_by_language");
}

/* A group (a row or column) of a sensitive table where someone certainly
 * has one recorded value and nobody can have another recorded value: that
 * attribute is disclosed for everyone in the group with one recorded. */
static void
check_group (Revision   *rev,
             TableInfo  *info,
             gboolean    is_row,
             guint       line,
             gboolean    exact,
             guint       number,
             GPtrArray  *violations)
{
  guint nr = g_strv_length (info->rows), nc = g_strv_length (info->columns);
  guint n = is_row ? nc : nr;
  GStrv across = is_row ? info->columns : info->rows;

  for (guint i = 0; i < n; i++)
    {
      Value *v = &g_array_index (rev->values, Value, info->cell[is_row ? line * nc + i : i * nc + line]);
      gboolean others_zero = TRUE;
      guint n_recorded = 0;

      /* Without exact intervals a lower bound may be understated: any
       * hidden cell is a candidate, to be confirmed exactly. */
      if (g_str_equal (across[i], "not_recorded") || ((v->published || exact) && v->lo < 1))
        continue;
      for (guint j = 0; j < n; j++)
        if (!g_str_equal (across[j], "not_recorded"))
          {
            Value *w = &g_array_index (rev->values, Value, info->cell[is_row ? line * nc + j : j * nc + line]);
            n_recorded++;
            if (j != i && w->hi != 0)
              others_zero = FALSE;
          }
      if (others_zero && n_recorded >= 2)
        g_ptr_array_add (violations,
                         g_strdup_printf ("revision %u: %s: everyone in %s %s with a recorded value has %s",
                                          number, info->name, is_row ? "row" : "column",
                                          is_row ? info->rows[line] : info->columns[line], across[i]));
    }
}

/* A table whose published values are all 0 and whose nulls leave room for
 * one cell only: the nulls trace where the few people are. */
static void
check_nulls (Revision   *rev,
             TableInfo  *info,
             guint       number,
             GPtrArray  *violations)
{
  guint nr = g_strv_length (info->rows), nc = g_strv_length (info->columns);
  guint n_null_cells = 0, n_null = 0, n_nonzero = 0;
  int lookup_total = lookup (rev, info->name, NULL, NULL);
  gboolean says_something = FALSE;

  for (guint i = 0; i < nr * nc; i++)
    {
      Value *v = &g_array_index (rev->values, Value, info->cell[i]);
      n_null_cells += !v->published;
      n_nonzero += v->published && v->value > 0;
      /* "Everyone: nothing recorded" tells no attribute. */
      if (!v->published)
        says_something = !g_str_equal (info->rows[i / nc], "not_recorded") ||
                         (!g_str_equal (info->columns[i % nc], "not_recorded") &&
                          !g_str_equal (info->columns[i % nc], "*"));
    }
  for (guint i = 0; i < rev->values->len; i++)
    {
      Value *v = &g_array_index (rev->values, Value, i);
      if (g_str_has_prefix (v->key, info->name) && v->key[strlen (info->name)] == '[')
        n_null += !v->published;
    }
  if (lookup_total >= 0 && n_nonzero == 0 && n_null_cells == 1 && says_something &&
      !g_array_index (rev->values, Value, lookup_total).published)
    g_ptr_array_add (violations,
                     g_strdup_printf ("revision %u: %s: %u nulls and zeros elsewhere trace a single cell",
                                      number, info->name, n_null));
}

static void
check_patterns (Revision  *rev,
                gboolean   exact,
                guint      number,
                GPtrArray *violations)
{
  for (guint t = 0; t < rev->tables->len; t++)
    {
      TableInfo *info = g_ptr_array_index (rev->tables, t);

      check_nulls (rev, info, number, violations);
      if (!is_sensitive (info->name))
        continue;
      /* Rows of a one-dimensional table are one person each at most in
       * a group of one: only its column, everyone, is a group. */
      for (guint r = 0; info->columns[1] != NULL && info->rows[r] != NULL; r++)
        check_group (rev, info, TRUE, r, exact, number, violations);
      for (guint c = 0; info->columns[c] != NULL; c++)
        check_group (rev, info, FALSE, c, exact, number, violations);
    }
}

/* Revisions have independent unknowns: a value suppressed in either may
 * have changed by anything in [lo_b - hi_a, hi_b - lo_a], an interval as
 * wide as the two intervals together (so where either is known to be at
 * least k wide, so is the change). */
static void
check_pair (Revision  *a,
            guint      na,
            Revision  *b,
            guint      nb,
            guint      k,
            GPtrArray *violations)
{
  for (guint i = 0; i < b->values->len; i++)
    {
      Value *vb = &g_array_index (b->values, Value, i);
      int ia = (int) GPOINTER_TO_UINT (g_hash_table_lookup (a->index, vb->key)) - 1;
      Value *va;
      gint64 dlo, dhi;

      if (ia < 0 || vb->hidden)
        continue;
      va = &g_array_index (a->values, Value, ia);
      if (va->published && vb->published)
        {
          gint64 d = vb->value - va->value;
          if (d != 0 && ABS (d) < (gint64) k)
            g_ptr_array_add (violations,
                             g_strdup_printf ("revisions %u -> %u: %s moves by %+" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT ", k = %u)",
                                              na, nb, vb->key, d, va->value, vb->value, k));
          continue;
        }
      if (va->hi == VP_ADVERSARY_UNBOUNDED || vb->hi == VP_ADVERSARY_UNBOUNDED)
        continue;
      dlo = vb->lo - va->hi;
      dhi = vb->hi - va->lo;
      if (dhi - dlo < (gint64) k)
        {
          g_autofree char *ia_s = format_interval (va->lo, va->hi);
          g_autofree char *ib_s = format_interval (vb->lo, vb->hi);
          g_ptr_array_add (violations,
                           g_strdup_printf ("revisions %u -> %u: %s changes by [%+" G_GINT64_FORMAT ", %+" G_GINT64_FORMAT "] (%s -> %s, width < k = %u)",
                                            na, nb, vb->key, dlo, dhi, ia_s, ib_s, k));
        }
    }
}

static gsize
quiet_once (void)
{
  glp_term_out (GLP_OFF);
  return 1;
}

static void
quiet (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    g_once_init_leave (&once, quiet_once ());
}

GPtrArray *
vp_adversary_check (const char * const *revisions,
                    guint               n_revisions,
                    guint               k,
                    GError            **error)
{
  g_autoptr(GPtrArray) revs = g_ptr_array_new_with_free_func ((GDestroyNotify) revision_free);
  g_autoptr(GPtrArray) violations = g_ptr_array_new_with_free_func (g_free);

  quiet ();
  for (guint i = 0; i < n_revisions; i++)
    {
      Revision *rev = revision_parse (revisions[i], k, error);

      if (rev == NULL)
        {
          g_prefix_error (error, "revision %u: ", i + 1);
          return NULL;
        }
      revision_solve (rev, FALSE);
      check_one (rev, i + 1, violations);
      if (rev->problems->len == 0)
        {
          g_autoptr(GPtrArray) patterns = g_ptr_array_new_with_free_func (g_free);

          check_patterns (rev, FALSE, i + 1, patterns);
          /* Lower bounds are exact only for narrow intervals: confirm. */
          if (patterns->len > 0)
            {
              g_ptr_array_set_size (patterns, 0);
              revision_solve (rev, TRUE);
              check_patterns (rev, TRUE, i + 1, patterns);
            }
          g_ptr_array_extend_and_steal (violations, g_steal_pointer (&patterns));
        }
      g_ptr_array_add (revs, rev);
    }
  for (guint b = 1; b < revs->len; b++)
    for (guint a = 0; a < b; a++)
      {
        Revision *ra = g_ptr_array_index (revs, a);
        Revision *rb = g_ptr_array_index (revs, b);

        if (ra->problems->len == 0 && rb->problems->len == 0)
          check_pair (ra, a + 1, rb, b + 1, MAX (ra->k, rb->k), violations);
      }
  return g_steal_pointer (&violations);
}

/* Two revisions of a month as one system, for a municipality that assumes
 * late registrations only add: every value of the later revision is the
 * earlier one plus an unknown >= 0. */
GPtrArray *
vp_adversary_check_monotone (const char  *earlier,
                             const char  *later,
                             guint        k,
                             GError     **error)
{
  g_autoptr(Revision) rev = revision_new (k);
  g_autoptr(GPtrArray) violations = g_ptr_array_new_with_free_func (g_free);
  guint n;

  quiet ();
  if (!revision_read (rev, earlier, "1/", error) || !revision_read (rev, later, "2/", error))
    return NULL;
  n = rev->values->len;
  for (guint i = 0; i < n; i++)
    {
      Value *v = &g_array_index (rev->values, Value, i);
      g_autofree char *before_key = NULL;
      g_autofree char *growth = NULL;
      int before;

      if (v->hidden || !g_str_has_prefix (v->key, "2/"))
        continue;
      before_key = g_strconcat ("1/", v->key + 2, NULL);
      growth = g_strconcat ("hidden:growth:", v->key + 2, NULL);
      before = (int) GPOINTER_TO_UINT (g_hash_table_lookup (rev->index, before_key)) - 1;
      if (before >= 0)
        {
          guint parts[2] = { (guint) before, add_hidden (rev, growth) };
          add_sum (rev, parts, 2, i);
        }
    }
  revision_solve (rev, FALSE);
  check_one (rev, 2, violations);
  return g_steal_pointer (&violations);
}

GHashTable *
vp_adversary_intervals (const char  *json,
                        GError     **error)
{
  g_autoptr(Revision) rev = NULL;
  g_autoptr(GHashTable) intervals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  quiet ();
  rev = revision_parse (json, 0, error);
  if (rev == NULL)
    return NULL;
  revision_solve (rev, TRUE);
  if (rev->problems->len > 0)
    {
      set_error (error, "%s", (const char *) g_ptr_array_index (rev->problems, 0));
      return NULL;
    }
  for (guint i = 0; i < rev->values->len; i++)
    {
      Value *v = &g_array_index (rev->values, Value, i);
      gint64 *pair = g_new (gint64, 2);

      if (v->hidden)
        {
          g_free (pair);
          continue;
        }
      pair[0] = v->lo;
      pair[1] = v->hi;
      g_hash_table_insert (intervals, g_strdup (v->key), pair);
    }
  return g_steal_pointer (&intervals);
}

gboolean
vp_adversary_interval (const char  *json,
                       const char  *table,
                       const char  *row,
                       const char  *column,
                       gint64      *lo,
                       gint64      *hi,
                       GError     **error)
{
  g_autoptr(Revision) rev = NULL;
  int i;

  quiet ();
  rev = revision_parse (json, 0, error);
  if (rev == NULL)
    return FALSE;
  i = lookup (rev, table, row, column);
  if (i < 0)
    {
      g_autofree char *key = vp_adversary_key (table, row, column);
      set_error (error, "%s: no such value", key);
      return FALSE;
    }
  revision_solve (rev, TRUE);
  if (rev->problems->len > 0)
    {
      set_error (error, "%s", (const char *) g_ptr_array_index (rev->problems, 0));
      return FALSE;
    }
  *lo = g_array_index (rev->values, Value, i).lo;
  *hi = g_array_index (rev->values, Value, i).hi;
  return TRUE;
}
