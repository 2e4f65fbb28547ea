/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include "vp-disclosure.h"

/* Disclosure control (DESIGN §5).
 *
 * 1. Threshold: a value to which 1..k-1 distinct clients contribute is
 *    suppressed, whatever its count.
 * 2. Secondary suppression: every published number takes part in linear
 *    relations — a row total is the sum of its cells, a column total likewise,
 *    the grand total is the sum of either set of totals, and totals of
 *    different tables that count the same contacts are equal. A relation with
 *    exactly one suppressed member gives that member away, so another member
 *    is suppressed too, until no relation has exactly one. The extra member is
 *    a total where possible, the grand total first (the cells carry what the
 *    municipality needs), then the smallest published value, so that as
 *    little as possible is lost.
 *
 * This closes every one-step derivation. Derivations that need several
 * relations at once are the subject of the full interval audit. */

typedef struct {
  guint table;
  guint var;
} Ref;

typedef struct {
  GArray *members; /* Ref */
} Relation;

static void
relation_clear (gpointer data)
{
  Relation *rel = data;
  g_array_unref (rel->members);
}

static Relation *
relation_add (GArray *relations)
{
  Relation rel = { g_array_new (FALSE, FALSE, sizeof (Ref)) };
  g_array_append_val (relations, rel);
  return &g_array_index (relations, Relation, relations->len - 1);
}

static void
member (Relation *rel,
        guint     table,
        guint     var)
{
  Ref ref = { table, var };
  g_array_append_val (rel->members, ref);
}

static void
add_table_relations (GArray              *relations,
                     guint                t,
                     const VpReportTable *table)
{
  guint nr = table->rows->len;
  guint nc = table->columns->len;
  Relation *rel;

  if (!vp_report_table_is_2d (table))
    {
      rel = relation_add (relations);
      member (rel, t, vp_report_table_grand_total (table));
      for (guint r = 0; r < nr; r++)
        member (rel, t, vp_report_table_cell (table, r, 0));
      return;
    }

  for (guint r = 0; r < nr; r++)
    {
      rel = relation_add (relations);
      member (rel, t, vp_report_table_row_total (table, r));
      for (guint c = 0; c < nc; c++)
        member (rel, t, vp_report_table_cell (table, r, c));
    }
  for (guint c = 0; c < nc; c++)
    {
      rel = relation_add (relations);
      member (rel, t, vp_report_table_column_total (table, c));
      for (guint r = 0; r < nr; r++)
        member (rel, t, vp_report_table_cell (table, r, c));
    }
  rel = relation_add (relations);
  member (rel, t, vp_report_table_grand_total (table));
  for (guint r = 0; r < nr; r++)
    member (rel, t, vp_report_table_row_total (table, r));
  rel = relation_add (relations);
  member (rel, t, vp_report_table_grand_total (table));
  for (guint c = 0; c < nc; c++)
    member (rel, t, vp_report_table_column_total (table, c));
}

static int
table_index (VpReport   *report,
             const char *name)
{
  for (guint i = 0; i < report->tables->len; i++)
    {
      const VpReportTable *table = g_ptr_array_index (report->tables, i);
      if (g_str_equal (table->def->name, name))
        return (int) i;
    }
  return -1;
}

static int
column_index (const VpReportTable *table,
              const char          *code)
{
  for (guint i = 0; i < table->columns->len; i++)
    if (g_str_equal (g_ptr_array_index (table->columns, i), code))
      return (int) i;
  return -1;
}

/* Tables that count the same first contacts share their totals. */
static void
add_link_relations (GArray   *relations,
                    VpReport *report)
{
  int contacts = table_index (report, "contacts");
  int by_age = table_index (report, "first_contacts_by_age_language");
  Relation *rel;

  if (contacts >= 0 && by_age >= 0)
    {
      const VpReportTable *a = g_ptr_array_index (report->tables, contacts);
      const VpReportTable *b = g_ptr_array_index (report->tables, by_age);
      int first = column_index (a, "first");

      g_return_if_fail (first >= 0);
      rel = relation_add (relations);
      member (rel, (guint) contacts, vp_report_table_column_total (a, (guint) first));
      member (rel, (guint) by_age, vp_report_table_grand_total (b));
    }
}

static VpReportTable *
table_of (VpReport  *report,
          const Ref *ref)
{
  return g_ptr_array_index (report->tables, ref->table);
}

static gboolean
is_suppressed (VpReport  *report,
               const Ref *ref)
{
  return table_of (report, ref)->suppressed[ref->var];
}

/* Grand totals rank above row and column totals, which rank above cells. */
static int
rank (const VpReportTable *table,
      guint                var)
{
  if (var == vp_report_table_grand_total (table))
    return 2;
  return vp_report_table_is_total (table, var) ? 1 : 0;
}

/* Prefer the highest-ranked member, then the smallest positive value. A
 * relation with one suppressed, positive member always has another positive
 * member. */
static const Ref *
pick_partner (VpReport       *report,
              const Relation *rel)
{
  const Ref *best = NULL;
  int best_rank = -1;
  gint64 best_value = 0;

  for (guint i = 0; i < rel->members->len; i++)
    {
      const Ref *ref = &g_array_index (rel->members, Ref, i);
      VpReportTable *table = table_of (report, ref);
      int r = rank (table, ref->var);
      gint64 value = table->value[ref->var];

      if (table->suppressed[ref->var] || value == 0)
        continue;
      if (best == NULL || r > best_rank || (r == best_rank && value < best_value))
        {
          best = ref;
          best_rank = r;
          best_value = value;
        }
    }
  return best;
}

static gboolean
secondary_pass (VpReport *report,
                GArray   *relations)
{
  gboolean changed = FALSE;

  for (guint i = 0; i < relations->len; i++)
    {
      const Relation *rel = &g_array_index (relations, Relation, i);
      const Ref *partner;
      guint unknown = 0;

      for (guint m = 0; m < rel->members->len; m++)
        unknown += is_suppressed (report, &g_array_index (rel->members, Ref, m));
      if (unknown != 1)
        continue;

      partner = pick_partner (report, rel);
      if (partner != NULL)
        {
          table_of (report, partner)->suppressed[partner->var] = TRUE;
          changed = TRUE;
        }
    }
  return changed;
}

void
vp_disclosure_apply (VpReport *report)
{
  g_autoptr(GArray) relations = g_array_new (FALSE, FALSE, sizeof (Relation));

  g_return_if_fail (report != NULL);
  g_array_set_clear_func (relations, relation_clear);

  for (guint t = 0; t < report->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, t);

      for (guint v = 0; v < table->n_vars; v++)
        table->suppressed[v] = table->n_clients[v] > 0 && table->n_clients[v] < report->k;
      add_table_relations (relations, t, table);
    }
  add_link_relations (relations, report);

  while (secondary_pass (report, relations))
    ;
}
