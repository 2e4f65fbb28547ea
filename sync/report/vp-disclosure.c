/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vp-disclosure.h"

/* Disclosure control (DESIGN §5), applied before anything is queued. A
 * month is released once (vp-sync.c), so there are no revisions to guard.
 *
 * 1. Small groups publish nothing, zeros included, so that the pattern of
 *    nulls says nothing: a month behind 1..k-1 distinct clients is null
 *    whole; so is a table, and a row or column of a table, behind 1..k-1.
 * 2. Threshold: a value to which 1..k-1 distinct clients contribute is
 *    suppressed, whatever its count.
 * 3. Group attributes: in the sensitive tables (proficiency, stage,
 *    interpreter, preferred language) a row or column of k or more clients
 *    (in the language table: the whole table) whose recorded values all lie
 *    in one cell would tell that attribute of everyone in it. That cell and the group's other recorded cells (its zeros) are
 *    suppressed; step 4 then gives each of them a range of k, so no
 *    solution forces "all in one cell". Hiding the total alone would not
 *    do: the zeros beside the cell still say "if anyone, then all".
 * 4. Secondary suppression, so that no suppressed value can be narrowed to
 *    an interval of fewer than k values from everything the report
 *    publishes and every relation the data implies.
 *
 * The relations, table by table (audited pair by pair):
 *   contacts x route: contacts[lt, first] = route[lt, *]; the first-contact
 *     total is shared.
 *   contacts, route, age, early_reach, language: one first-contact total.
 *   age x early_reach: the Dutch proficiency column totals are equal.
 *   contacts x interpreter_use: the all-contacts total is shared, and the
 *     follow-up total is the sum of the gaps below.
 *   interpreter_use x age (and so early_reach): every first contact is a
 *     contact with the same proficiency, so interpreter_use[*, p] >=
 *     age[*, p], with equality when there are no follow-ups.
 *   route, age, early_reach, language among themselves: the total only
 *     (initiator, age, stage and language are recorded independently;
 *     proficiency and language are both optional under one consent, so
 *     neither "not recorded" bounds the other).
 *   referrals: nothing (a referral's client need not be met that month).
 *
 * Every equation is flow conservation in one circulation network; every
 * published number of the six contact tables is the flow on one arc. The
 * chain, in flow order:
 *
 *   hub -> interpreter mode rows -> cells -> proficiency columns
 *       -> [all contacts] -> location type rows of `contacts`
 *          -> follow-up cells -> follow-up total -> hub
 *          -> first-contact cells (= route row totals) -> route cells
 *             -> initiator columns -> [first contacts]
 *             -> age bands -> cells -> proficiency totals (shared with
 *                early_reach) -> stage cells -> stage totals -> languages -> hub
 *
 * `referrals` is a circulation of its own (grand total -> rows -> cells ->
 * columns -> grand total). Network matrices are totally unimodular, so the
 * exact integer range of a suppressed value x on arc u->v, with all
 * published arcs fixed, is [x - down, x + up] where
 *
 *   up   = max flow from v to u,
 *   down = min (x, max flow from u to v),
 *
 * in the residual graph of the other suppressed arcs (an arc a = p->q may
 * grow without bound, p->q, or shrink by at most its value, q->p).
 *
 * The inequality interpreter_use[*, p] >= age[*, p] is no network relation
 * (it joins two points of the chain), so a range from the network alone
 * could be too wide. Every range is therefore proved by a witness: the max
 * flow is a concrete other table set, which counts only if it keeps every
 * inequality (witness_holds). When it does not, it is mended by a
 * circulation that moves the bigger side of each broken pair up (a
 * proficiency swapped in interpreter_use to match one swapped in the
 * first-contact tables: repair()); failing that, flows that cannot break a
 * pair are tried (each gap split between its two arcs: boxed_move(); or
 * cycles through the sides of pairs in safe directions: chain_move()). A
 * range is only ever as wide as a witness shows, so it never overstates
 * the protection.
 *
 * Secondary suppression walks a work list of suppressed arcs. While an arc
 * has up + down < k, it takes the cheapest path that closes the gap: from v
 * back to u over arcs whose residual capacity covers what is missing, or
 * the other way round when x itself is large enough; arcs already
 * suppressed cost nothing, a published arc costs the number of places it
 * appears in the report (a shared total hides more than a cell), then its
 * value; when no plain cycle gives a valid witness, the cheapest chain
 * through the sides of a pair is hidden instead (widen_coupled()). A last
 * pass publishes again, costliest first, every secondary suppression that
 * a later path made unnecessary; values joined through a pair are
 * rechecked with it. Should no path close a gap, the six contact tables
 * are suppressed whole: then any number of contacts with the value's
 * categories could be added without changing anything published, so every
 * value is safe. The check in tests/ (test-adversary) recomputes every
 * range independently with a general LP/MIP solver over the report's
 * linear system, the inequality included. */

#define INFINITE_FLOW G_MAXINT64
#define MAX_APPEARANCES 5

typedef struct {
  guint table;
  guint var;
} Appearance;

typedef struct {
  guint      tail;
  guint      head;
  gint64     value;
  guint      n_clients;
  gboolean   suppressed;
  gboolean   linked;      /* in the six contact tables */
  gboolean   pinned;      /* suppressed by a rule, never published again */
  guint      n_appearances;
  Appearance appearances[MAX_APPEARANCES];
} Arc;

/* value (big) >= value (small), a relation outside the network. */
typedef struct {
  guint big;
  guint small;
} Side;

typedef struct {
  VpReport *report;
  GArray   *arcs;   /* Arc */
  GArray   *sides;  /* Side */
  guint     n_nodes;
  guint   **var_arc;  /* per table, per value: its arc */
  const char *inconsistent; /* a table that disagrees with a linked one */
} Network;

static guint
node_new (Network *net)
{
  return net->n_nodes++;
}

static VpReportTable *
table_at (Network *net,
          guint    t)
{
  return g_ptr_array_index (net->report->tables, t);
}

static void
arc_share (Network *net,
           guint    a,
           guint    t,
           guint    var)
{
  Arc *arc = &g_array_index (net->arcs, Arc, a);
  VpReportTable *table = table_at (net, t);

  g_return_if_fail (arc->n_appearances < MAX_APPEARANCES);
  if (arc->n_appearances > 0 && table->value[var] != arc->value)
    net->inconsistent = table->def->name;
  arc->appearances[arc->n_appearances++] = (Appearance) { t, var };
  net->var_arc[t][var] = a;
  arc->value = table->value[var];
  arc->n_clients = MAX (arc->n_clients, table->n_clients[var]);
}

static guint
arc_add (Network *net,
         guint    tail,
         guint    head,
         guint    t,
         guint    var)
{
  Arc arc = { .tail = tail, .head = head };

  g_array_append_val (net->arcs, arc);
  arc_share (net, net->arcs->len - 1, t, var);
  return net->arcs->len - 1;
}

static int
table_index (VpReport   *report,
             const char *name)
{
  for (guint i = 0; i < report->tables->len; i++)
    if (g_str_equal (((VpReportTable *) g_ptr_array_index (report->tables, i))->def->name, name))
      return (int) i;
  return -1;
}

/* Where code is in codes; a code that is missing (tables that do not fit
 * together) makes the network inconsistent, so that nothing is published. */
static guint
code_index (Network    *net,
            GPtrArray  *codes,
            const char *code)
{
  for (guint i = 0; i < codes->len; i++)
    if (g_str_equal (g_ptr_array_index (codes, i), code))
      return i;
  net->inconsistent = code;
  return 0;
}


/* A table that shares nothing: grand total -> rows -> cells -> columns ->
 * grand total. */
static void
add_standalone (Network *net,
                guint    t)
{
  VpReportTable *table = table_at (net, t);
  guint spread = node_new (net);
  guint gather = node_new (net);
  g_autofree guint *columns = g_new (guint, table->columns->len);

  arc_add (net, gather, spread, t, vp_report_table_grand_total (table));
  if (!vp_report_table_is_2d (table))
    {
      for (guint r = 0; r < table->rows->len; r++)
        arc_add (net, spread, gather, t, vp_report_table_cell (table, r, 0));
      return;
    }
  for (guint c = 0; c < table->columns->len; c++)
    {
      columns[c] = node_new (net);
      arc_add (net, columns[c], gather, t, vp_report_table_column_total (table, c));
    }
  for (guint r = 0; r < table->rows->len; r++)
    {
      guint row = node_new (net);

      arc_add (net, spread, row, t, vp_report_table_row_total (table, r));
      for (guint c = 0; c < table->columns->len; c++)
        arc_add (net, row, columns[c], t, vp_report_table_cell (table, r, c));
    }
}

typedef struct {
  guint contacts, route, age, early, interpreter, language;
} ContactTables;

/* hub -> interpreter modes -> proficiency columns -> all contacts. Returns
 * the node where all contacts arrive. */
static guint
add_interpreter_use (Network             *net,
                     const ContactTables *t,
                     guint                hub)
{
  VpReportTable *table = table_at (net, t->interpreter);
  g_autofree guint *columns = g_new (guint, table->columns->len);
  guint gather = node_new (net);
  guint all = node_new (net);
  guint arc;

  for (guint c = 0; c < table->columns->len; c++)
    {
      columns[c] = node_new (net);
      arc_add (net, columns[c], gather, t->interpreter, vp_report_table_column_total (table, c));
    }
  for (guint r = 0; r < table->rows->len; r++)
    {
      guint mode = node_new (net);

      arc_add (net, hub, mode, t->interpreter, vp_report_table_row_total (table, r));
      for (guint c = 0; c < table->columns->len; c++)
        arc_add (net, mode, columns[c], t->interpreter, vp_report_table_cell (table, r, c));
    }
  arc = arc_add (net, gather, all, t->interpreter, vp_report_table_grand_total (table));
  arc_share (net, arc, t->contacts, vp_report_table_grand_total (table_at (net, t->contacts)));
  return all;
}

/* all contacts -> location types -> follow-ups -> hub, and first contacts ->
 * route rows -> initiators. Returns the node where first contacts arrive. */
static guint
add_contacts_and_route (Network             *net,
                        const ContactTables *t,
                        guint                all,
                        guint                hub)
{
  VpReportTable *contacts = table_at (net, t->contacts);
  VpReportTable *route = table_at (net, t->route);
  g_autofree guint *kinds = g_new (guint, contacts->columns->len);
  g_autofree guint *initiators = g_new (guint, route->columns->len);
  guint first = code_index (net, contacts->columns, "first");
  guint gather = node_new (net);

  for (guint c = 0; c < contacts->columns->len; c++)
    if (c != first)
      {
        kinds[c] = node_new (net);
        arc_add (net, kinds[c], hub, t->contacts, vp_report_table_column_total (contacts, c));
      }
  for (guint c = 0; c < route->columns->len; c++)
    {
      initiators[c] = node_new (net);
      arc_add (net, initiators[c], gather, t->route, vp_report_table_column_total (route, c));
    }
  for (guint r = 0; r < contacts->rows->len; r++)
    {
      guint place = node_new (net);
      guint route_row = node_new (net);
      guint rr = code_index (net, route->rows, g_ptr_array_index (contacts->rows, r));
      guint arc;

      arc_add (net, all, place, t->contacts, vp_report_table_row_total (contacts, r));
      for (guint c = 0; c < contacts->columns->len; c++)
        if (c != first)
          arc_add (net, place, kinds[c], t->contacts, vp_report_table_cell (contacts, r, c));
      arc = arc_add (net, place, route_row, t->contacts, vp_report_table_cell (contacts, r, first));
      arc_share (net, arc, t->route, vp_report_table_row_total (route, rr));
      for (guint c = 0; c < route->columns->len; c++)
        arc_add (net, route_row, initiators[c], t->route, vp_report_table_cell (route, rr, c));
    }
  return gather;
}

/* first contacts -> age bands -> proficiency (shared with early_reach) ->
 * stages -> languages -> hub. */
static void
add_first_contact_tables (Network             *net,
                          const ContactTables *t,
                          guint                gather,
                          guint                hub)
{
  VpReportTable *age = table_at (net, t->age);
  VpReportTable *early = table_at (net, t->early);
  VpReportTable *language = table_at (net, t->language);
  g_autofree guint *by_age = g_new (guint, age->columns->len);
  g_autofree guint *by_stage = g_new (guint, early->columns->len);
  guint spread = node_new (net);
  guint stages = node_new (net);
  guint first;

  first = arc_add (net, gather, spread, t->contacts,
                   vp_report_table_column_total (table_at (net, t->contacts),
                                                 code_index (net, table_at (net, t->contacts)->columns, "first")));
  arc_share (net, first, t->route, vp_report_table_grand_total (table_at (net, t->route)));
  arc_share (net, first, t->age, vp_report_table_grand_total (age));
  arc_share (net, first, t->early, vp_report_table_grand_total (early));
  arc_share (net, first, t->language, vp_report_table_grand_total (language));

  for (guint c = 0; c < early->columns->len; c++)
    by_stage[c] = node_new (net);
  for (guint c = 0; c < age->columns->len; c++)
    {
      guint ec = code_index (net, early->columns, g_ptr_array_index (age->columns, c));
      guint arc;

      by_age[c] = node_new (net);
      arc = arc_add (net, by_age[c], by_stage[ec], t->age, vp_report_table_column_total (age, c));
      arc_share (net, arc, t->early, vp_report_table_column_total (early, ec));
    }
  for (guint r = 0; r < age->rows->len; r++)
    {
      guint band = node_new (net);

      arc_add (net, spread, band, t->age, vp_report_table_row_total (age, r));
      for (guint c = 0; c < age->columns->len; c++)
        arc_add (net, band, by_age[c], t->age, vp_report_table_cell (age, r, c));
    }
  for (guint r = 0; r < early->rows->len; r++)
    {
      guint stage = node_new (net);

      for (guint c = 0; c < early->columns->len; c++)
        arc_add (net, by_stage[c], stage, t->early, vp_report_table_cell (early, r, c));
      arc_add (net, stage, stages, t->early, vp_report_table_row_total (early, r));
    }
  for (guint r = 0; r < language->rows->len; r++)
    arc_add (net, stages, hub, t->language, vp_report_table_cell (language, r, 0));
}

static gboolean
find_contact_tables (VpReport      *report,
                     ContactTables *t,
                     gboolean      *partial)
{
  int indices[6] = {
    table_index (report, "contacts"),
    table_index (report, "first_contacts_by_route"),
    table_index (report, "first_contacts_by_age_language"),
    table_index (report, "early_reach"),
    table_index (report, "interpreter_use"),
    table_index (report, "first_contacts_by_language"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (indices); i++)
    if (indices[i] < 0)
      {
        /* Some of the linked tables without the others cannot be
         * protected as independent tables: refuse them. */
        for (guint j = 0; j < G_N_ELEMENTS (indices); j++)
          if (indices[j] >= 0)
            *partial = TRUE;
        return FALSE;
      }
  *t = (ContactTables) { indices[0], indices[1], indices[2], indices[3], indices[4], indices[5] };
  return TRUE;
}

static guint
arc_of (Network *net,
        guint    t,
        guint    var)
{
  return net->var_arc[t][var];
}

/* interpreter_use[*, p] >= first_contacts_by_age_language[*, p]: every
 * first contact is also a contact, with the same proficiency. */
static void
add_sides (Network             *net,
           const ContactTables *t)
{
  VpReportTable *interpreter = table_at (net, t->interpreter);
  VpReportTable *age = table_at (net, t->age);

  for (guint c = 0; c < age->columns->len; c++)
    {
      guint ic = code_index (net, interpreter->columns, g_ptr_array_index (age->columns, c));
      Side side = {
        arc_of (net, t->interpreter, vp_report_table_column_total (interpreter, ic)),
        arc_of (net, t->age, vp_report_table_column_total (age, c)),
      };

      g_array_append_val (net->sides, side);
    }
}

static void
network_build (Network  *net,
               VpReport *report)
{
  ContactTables t = { 0 };
  gboolean partial = FALSE;
  gboolean linked = find_contact_tables (report, &t, &partial);

  net->report = report;
  net->arcs = g_array_new (FALSE, TRUE, sizeof (Arc));
  net->sides = g_array_new (FALSE, FALSE, sizeof (Side));
  net->n_nodes = 0;
  net->var_arc = g_new0 (guint *, report->tables->len + 1);
  for (guint i = 0; i < report->tables->len; i++)
    net->var_arc[i] = g_new0 (guint, table_at (net, i)->n_vars);
  net->inconsistent = partial ? "contacts" : NULL;

  if (linked)
    {
      guint hub = node_new (net);
      guint all = add_interpreter_use (net, &t, hub);
      guint first = add_contacts_and_route (net, &t, all, hub);

      add_first_contact_tables (net, &t, first, hub);
      for (guint a = 0; a < net->arcs->len; a++)
        g_array_index (net->arcs, Arc, a).linked = TRUE;
      add_sides (net, &t);
    }
  for (guint i = 0; i < report->tables->len; i++)
    if (!linked || (i != t.contacts && i != t.route && i != t.age && i != t.early &&
                    i != t.interpreter && i != t.language))
      add_standalone (net, i);
}

/* An arc is hidden where any table that shows its number hides it. */
static gboolean
hidden_in_a_table (Network   *net,
                   const Arc *arc)
{
  for (guint i = 0; i < arc->n_appearances; i++)
    if (table_at (net, arc->appearances[i].table)->suppressed[arc->appearances[i].var])
      return TRUE;
  return FALSE;
}

static void
network_clear (Network *net)
{
  g_array_unref (net->arcs);
  g_array_unref (net->sides);
  for (guint i = 0; net->var_arc[i] != NULL; i++)
    g_free (net->var_arc[i]);
  g_free (net->var_arc);
}

/* Max flow (up to limit) from source to sink in the residual graph of the
 * suppressed arcs other than those in skip; breadth-first augmenting paths
 * over adjacency lists kept in flat arrays (this runs thousands of times a
 * report). An arc may grow by up to grow[a] and shrink by up to shrink[a]
 * (by default without bound and by its value). With delta, the flow found
 * is returned as the change of every arc: a witness. */
typedef struct {
  guint  to;
  int    next;  /* the next edge out of the same node, or -1 */
  gint64 cap;
  gint64 flow;
} Edge;

typedef struct {
  const gint64   *grow;    /* NULL: without bound */
  const gint64   *shrink;  /* NULL: down to zero */
  guint           skip[2];
  guint           n_skip;
  const gboolean *frozen;  /* NULL, or arcs that may not move at all */
} Residual;

static void
edge_add (Edge  *edges,
          guint *n_edges,
          int   *first,
          guint  from,
          guint  to,
          gint64 cap)
{
  edges[*n_edges] = (Edge) { to, first[from], cap, 0 };
  first[from] = (int) (*n_edges)++;
}

static gboolean
skipped (const Residual *res,
         guint           a)
{
  for (guint i = 0; i < res->n_skip; i++)
    if (res->skip[i] == a)
      return TRUE;
  return res->frozen != NULL && res->frozen[a];
}

/* An edge beyond the network's arcs, between its nodes or the two extra
 * nodes n_nodes (a super source) and n_nodes + 1 (a super sink). */
typedef struct {
  guint  from;
  guint  to;
  gint64 cap;
} Extra;

/* The flow graph behind max_flow(), with arcs already moved by base (NULL:
 * none) and extra edges. */
static gint64
flow_graph (Network        *net,
            const Residual *res,
            const gint64   *base,
            const Extra    *extra,
            guint           n_extra,
            guint           source,
            guint           sink,
            gint64          limit,
            gint64         *delta)
{
  guint n_nodes = net->n_nodes + 2;
  g_autofree Edge *edges = g_new (Edge, 2 * (net->arcs->len + n_extra));
  g_autofree int *edge_of = g_new (int, net->arcs->len);
  g_autofree int *first = g_new (int, n_nodes);
  g_autofree int *parent_edge = g_new (int, n_nodes);
  g_autofree guint *queue = g_new (guint, n_nodes);
  guint n_edges = 0;
  gint64 flow = 0;

  /* Edges come in pairs: an edge's partner is its index ^ 1. */
  for (guint n = 0; n < n_nodes; n++)
    first[n] = -1;
  for (guint a = 0; a < net->arcs->len; a++)
    {
      const Arc *arc = &g_array_index (net->arcs, Arc, a);
      gint64 now = arc->value + (base != NULL ? base[a] : 0);

      edge_of[a] = -1;
      if (!arc->suppressed || skipped (res, a))
        continue;
      edge_of[a] = (int) n_edges;
      edge_add (edges, &n_edges, first, arc->tail, arc->head,
                res->grow != NULL ? res->grow[a] : INFINITE_FLOW);
      edge_add (edges, &n_edges, first, arc->head, arc->tail,
                res->shrink != NULL ? MIN (res->shrink[a], now) : now);
    }
  for (guint i = 0; i < n_extra; i++)
    {
      edge_add (edges, &n_edges, first, extra[i].from, extra[i].to, extra[i].cap);
      edge_add (edges, &n_edges, first, extra[i].to, extra[i].from, 0);
    }

  while (flow < limit)
    {
      guint head = 0, tail = 0;
      gint64 push = limit - flow;

      for (guint n = 0; n < n_nodes; n++)
        parent_edge[n] = -1;
      parent_edge[source] = -2;
      queue[tail++] = source;
      while (head < tail && parent_edge[sink] == -1)
        {
          guint n = queue[head++];

          for (int e = first[n]; e >= 0; e = edges[e].next)
            if (edges[e].cap > 0 && parent_edge[edges[e].to] == -1)
              {
                parent_edge[edges[e].to] = e;
                queue[tail++] = edges[e].to;
              }
        }
      if (parent_edge[sink] == -1)
        break;
      for (guint n = sink; n != source; n = edges[parent_edge[n] ^ 1].to)
        push = MIN (push, edges[parent_edge[n]].cap);
      for (guint n = sink; n != source; n = edges[parent_edge[n] ^ 1].to)
        {
          Edge *edge = &edges[parent_edge[n]];
          Edge *partner = &edges[parent_edge[n] ^ 1];

          if (edge->cap != INFINITE_FLOW)
            edge->cap -= push;
          if (partner->cap != INFINITE_FLOW)
            partner->cap += push;
          edge->flow += push;
          partner->flow -= push;
        }
      flow += push;
    }
  if (delta != NULL)
    for (guint a = 0; a < net->arcs->len; a++)
      delta[a] = edge_of[a] >= 0 ? edges[edge_of[a]].flow : 0;
  return flow;
}

static gint64
max_flow (Network        *net,
          const Residual *res,
          guint           source,
          guint           sink,
          gint64          limit,
          gint64         *delta)
{
  return flow_graph (net, res, NULL, NULL, 0, source, sink, limit, delta);
}

/* Whether moving arc a by move, with every other arc changed by delta,
 * gives a table set that keeps every relation outside the network (the
 * network's own relations hold for any flow). */
static gboolean
witness_holds (Network      *net,
               guint         a,
               gint64        move,
               const gint64 *delta)
{
  for (guint i = 0; i < net->sides->len; i++)
    {
      const Side *side = &g_array_index (net->sides, Side, i);
      const Arc *big = &g_array_index (net->arcs, Arc, side->big);
      const Arc *small = &g_array_index (net->arcs, Arc, side->small);
      gint64 db = side->big == a ? move : delta[side->big];
      gint64 ds = side->small == a ? move : delta[side->small];

      if (big->value + db < small->value + ds)
        return FALSE;
    }
  for (guint b = 0; b < net->arcs->len; b++)
    if (g_array_index (net->arcs, Arc, b).value + (b == a ? move : delta[b]) < 0)
      return FALSE;
  return TRUE;
}

/* Where a move of arc a in direction dir (+1 grows, -1 shrinks) starts and
 * ends: the rest of the cycle runs from its end back to its start. */
static guint
move_start (const Arc *arc,
            int        dir)
{
  return dir > 0 ? arc->tail : arc->head;
}

static guint
move_end (const Arc *arc,
          int        dir)
{
  return dir > 0 ? arc->head : arc->tail;
}

/* The pair's other arc, if arc a is one side of an inequality. */
static const Side *
side_of (Network *net,
         guint    a)
{
  for (guint i = 0; i < net->sides->len; i++)
    {
      const Side *side = &g_array_index (net->sides, Side, i);
      if (side->big == a || side->small == a)
        return side;
    }
  return NULL;
}

/* Capacities that limit nothing yet: every arc may grow without bound and
 * shrink to zero. */
static void
residual_open (Network *net,
               gint64  *grow,
               gint64  *shrink)
{
  for (guint b = 0; b < net->arcs->len; b++)
    {
      grow[b] = INFINITE_FLOW;
      shrink[b] = G_MAXINT64;
    }
}

/* A flow that cannot break an inequality: each pair's gap is split between
 * the smaller side growing and the bigger one shrinking, all of it towards
 * a when a is on a side. */
static gint64
boxed_move (Network *net,
            guint    a,
            int      dir,
            gint64   limit,
            gint64  *delta)
{
  g_autofree gint64 *grow = g_new (gint64, net->arcs->len);
  g_autofree gint64 *shrink = g_new (gint64, net->arcs->len);
  Residual res = { grow, shrink, { a }, 1, NULL };
  const Arc *arc = &g_array_index (net->arcs, Arc, a);

  residual_open (net, grow, shrink);
  for (guint i = 0; i < net->sides->len; i++)
    {
      const Side *side = &g_array_index (net->sides, Side, i);
      gint64 gap = g_array_index (net->arcs, Arc, side->big).value -
                   g_array_index (net->arcs, Arc, side->small).value;

      if (side->small == a)
        {
          shrink[side->big] = 0;
          if (dir > 0)
            limit = MIN (limit, gap);
          else
            shrink[side->big] = gap;
        }
      else if (side->big == a)
        {
          grow[side->small] = 0;
          if (dir < 0)
            limit = MIN (limit, gap);
          else
            grow[side->small] = gap;
        }
      else
        {
          grow[side->small] = gap / 2;
          shrink[side->big] = gap - gap / 2;
        }
    }
  if (limit <= 0)
    return 0;
  return max_flow (net, &res, move_end (arc, dir), move_start (arc, dir), limit, delta);
}

/* Arcs a cycle must pass, each in its own direction: the target first. */
typedef struct {
  guint arcs[3];
  int   dirs[3];
  guint n;
} Chain;

static void
freeze_sides (Network  *net,
              gboolean *frozen)
{
  for (guint i = 0; i < net->sides->len; i++)
    {
      const Side *side = &g_array_index (net->sides, Side, i);
      frozen[side->big] = frozen[side->small] = TRUE;
    }
}

/* A cycle through every arc of the chain in its direction: from each arc's
 * end to the next one's start. No other side of a pair moves, so the chain
 * decides which pairs change: moving a bigger side up, a smaller side down,
 * or both sides of a pair together can never break that pair. */
static gint64
chain_move (Network     *net,
            const Chain *chain,
            gint64       limit,
            gint64      *delta)
{
  g_autofree gint64 *leg = g_new0 (gint64, net->arcs->len);
  g_autofree gboolean *frozen = g_new0 (gboolean, net->arcs->len);
  Residual res = { NULL, NULL, { 0 }, 0, frozen };
  gint64 f = limit;
  gboolean stable = FALSE;

  freeze_sides (net, frozen);
  for (guint i = 0; i < chain->n; i++)
    {
      const Arc *arc = &g_array_index (net->arcs, Arc, chain->arcs[i]);

      if (i > 0 && !arc->suppressed)
        return 0;
      if (chain->dirs[i] < 0)
        f = MIN (f, arc->value);
      frozen[chain->arcs[i]] = TRUE;
    }
  /* Every leg must carry the same amount: lower it until they do. */
  for (guint round = 0; round < 4 && f > 0 && !stable; round++)
    {
      gint64 least = f;

      memset (delta, 0, sizeof (gint64) * net->arcs->len);
      stable = TRUE;
      for (guint i = 0; i < chain->n; i++)
        {
          const Arc *from = &g_array_index (net->arcs, Arc, chain->arcs[i]);
          const Arc *to = &g_array_index (net->arcs, Arc, chain->arcs[(i + 1) % chain->n]);
          gint64 got = max_flow (net, &res, move_end (from, chain->dirs[i]),
                                 move_start (to, chain->dirs[(i + 1) % chain->n]), f, leg);

          stable = stable && got == f;
          least = MIN (least, got);
          for (guint b = 0; b < net->arcs->len; b++)
            delta[b] += leg[b];
        }
      f = least;
    }
  if (!stable || f <= 0)
    return 0;
  for (guint i = 1; i < chain->n; i++)
    delta[chain->arcs[i]] = chain->dirs[i] * f;
  return f;
}

/* The chains worth trying for arc a in direction dir, at most 4 * sides + 1:
 * a's partner along with a; a bigger side up or a smaller side down; both
 * sides of a pair together, either way round. */
static guint
chains_for (Network *net,
            guint    a,
            int      dir,
            Chain   *chains)
{
  const Side *own = side_of (net, a);
  guint n = 0;

  if (own != NULL)
    chains[n++] = (Chain) { { a, own->big == a ? own->small : own->big }, { dir, dir }, 2 };
  for (guint i = 0; i < net->sides->len; i++)
    {
      const Side *side = &g_array_index (net->sides, Side, i);

      if (side == own)
        continue;
      chains[n++] = (Chain) { { a, side->big }, { dir, +1 }, 2 };
      chains[n++] = (Chain) { { a, side->small }, { dir, -1 }, 2 };
      chains[n++] = (Chain) { { a, side->small, side->big }, { dir, dir, dir }, 3 };
      chains[n++] = (Chain) { { a, side->big, side->small }, { dir, dir, dir }, 3 };
    }
  return n;
}

/* Mends a witness that breaks pairs: for each broken pair it forces the
 * bigger side up by what is missing (or, when a is that side, the smaller
 * one down), and looks for a circulation that carries the forced amounts
 * back, with the smaller sides not growing and the bigger ones not
 * shrinking below their partners (a proficiency swapped in
 * interpreter_use, say, to match one swapped in the first-contact
 * tables). TRUE with delta mended when it succeeds. */
static gboolean
repair (Network *net,
        guint    a,
        gint64   move,
        gint64  *delta)
{
  guint n = net->arcs->len;
  guint source = net->n_nodes, sink = net->n_nodes + 1;
  g_autofree gint64 *grow = g_new (gint64, n);
  g_autofree gint64 *shrink = g_new (gint64, n);
  g_autofree gboolean *frozen = g_new0 (gboolean, n);
  g_autofree Extra *extra = g_new (Extra, 2 * net->sides->len);
  g_autofree gint64 *forced = g_new0 (gint64, n);
  g_autofree gint64 *mend = g_new0 (gint64, n);
  Residual res = { grow, shrink, { a }, 1, frozen };
  g_autofree gint64 *now = g_memdup2 (delta, sizeof (gint64) * n);
  guint n_extra = 0;
  gint64 needed = 0;

  now[a] = move;
  residual_open (net, grow, shrink);
  for (guint i = 0; i < net->sides->len; i++)
    {
      const Side *side = &g_array_index (net->sides, Side, i);
      const Arc *big = &g_array_index (net->arcs, Arc, side->big);
      const Arc *small = &g_array_index (net->arcs, Arc, side->small);
      gint64 margin = big->value + now[side->big] - small->value - now[side->small];
      guint x;

      grow[side->small] = 0;
      shrink[side->big] = MAX (margin, 0);
      if (margin >= 0)
        continue;
      x = side->big != a ? side->big : side->small;
      if (x == a || !g_array_index (net->arcs, Arc, x).suppressed)
        return FALSE;
      frozen[x] = TRUE;
      forced[x] = x == side->big ? -margin : margin;
      needed -= margin;
      if (x == side->big)
        {
          extra[n_extra++] = (Extra) { source, big->head, -margin };
          extra[n_extra++] = (Extra) { big->tail, sink, -margin };
        }
      else
        {
          extra[n_extra++] = (Extra) { source, small->tail, -margin };
          extra[n_extra++] = (Extra) { small->head, sink, -margin };
        }
    }
  if (needed == 0 ||
      flow_graph (net, &res, now, extra, n_extra, source, sink, needed, mend) < needed)
    return FALSE;
  for (guint b = 0; b < n; b++)
    delta[b] += mend[b] + forced[b];
  return witness_holds (net, a, move, delta);
}

/* How far arc a can move in direction dir (capped at limit), as far as a
 * witness keeping every relation shows. */
static gint64
proven_move (Network *net,
             guint    a,
             int      dir,
             gint64   limit)
{
  const Arc *arc = &g_array_index (net->arcs, Arc, a);
  g_autofree gint64 *delta = g_new0 (gint64, net->arcs->len);
  Residual res = { NULL, NULL, { a }, 1, NULL };
  gint64 best, f;

  if (limit <= 0)
    return 0;
  best = max_flow (net, &res, move_end (arc, dir), move_start (arc, dir), limit, delta);
  if (best == 0 || witness_holds (net, a, dir * best, delta) || repair (net, a, dir * best, delta))
    return best;

  f = boxed_move (net, a, dir, limit, delta);
  best = f > 0 && witness_holds (net, a, dir * f, delta) ? f : 0;

  /* Cycles through sides of pairs in directions that keep the pairs. */
  {
    g_autofree Chain *chains = g_new (Chain, 4 * net->sides->len + 1);
    guint n = chains_for (net, a, dir, chains);

    for (guint i = 0; i < n && best < limit; i++)
      {
        f = chain_move (net, &chains[i], limit, delta);
        if (f > best && witness_holds (net, a, dir * f, delta))
          best = f;
      }
  }
  return best;
}

/* How far the value on arc a can move, in both directions, capped at k. */
static void
protection (Network *net,
            guint    a,
            guint    k,
            gint64  *up,
            gint64  *down)
{
  const Arc *arc = &g_array_index (net->arcs, Arc, a);

  *up = proven_move (net, a, +1, k);
  *down = proven_move (net, a, -1, MIN (arc->value, (gint64) k));
}

/* What hiding a published value loses: fewer numbers first, then smaller
 * values. */
static gint64
published_cost (const Arc *arc)
{
  return (gint64) arc->n_appearances * 1000000 + arc->value + 1;
}

/* What a path pays for an arc: nothing if it is hidden already. */
static gint64
arc_cost (const Arc *arc)
{
  return arc->suppressed ? 0 : published_cost (arc);
}

/* The cheapest path from source to sink over arcs other than skip, each
 * used forward (always possible) or backward (only if its value is at
 * least need); returns the arcs on it, or NULL. Dijkstra over a few hundred
 * arcs. */
static GArray *
cheapest_path (Network        *net,
               guint           skip,
               guint           skip2,
               const gboolean *frozen,
               guint           source,
               guint    sink,
               gint64   need)
{
  g_autofree gint64 *dist = g_new (gint64, net->n_nodes);
  g_autofree int *via = g_new (int, net->n_nodes);
  g_autofree gboolean *done = g_new0 (gboolean, net->n_nodes);
  GArray *path;

  for (guint n = 0; n < net->n_nodes; n++)
    {
      dist[n] = G_MAXINT64;
      via[n] = -1;
    }
  dist[source] = 0;
  for (;;)
    {
      guint best = G_MAXUINT;

      for (guint n = 0; n < net->n_nodes; n++)
        if (!done[n] && dist[n] != G_MAXINT64 && (best == G_MAXUINT || dist[n] < dist[best]))
          best = n;
      if (best == G_MAXUINT || best == sink)
        break;
      done[best] = TRUE;
      for (guint a = 0; a < net->arcs->len; a++)
        {
          const Arc *arc = &g_array_index (net->arcs, Arc, a);
          guint to;

          if (a == skip || a == skip2 || (frozen != NULL && frozen[a]))
            continue;
          if (arc->tail == best)
            to = arc->head;
          else if (arc->head == best && arc->value >= need)
            to = arc->tail;
          else
            continue;
          if (!done[to] && dist[best] + arc_cost (arc) < dist[to])
            {
              dist[to] = dist[best] + arc_cost (arc);
              via[to] = (int) a;
            }
        }
    }
  if (dist[sink] == G_MAXINT64)
    return NULL;

  path = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint n = sink; n != source;)
    {
      const Arc *arc = &g_array_index (net->arcs, Arc, via[n]);
      guint a = (guint) via[n];

      g_array_append_val (path, a);
      n = arc->head == n ? arc->tail : arc->head;
    }
  return path;
}

static gint64
path_cost (Network *net,
           GArray  *path)
{
  gint64 cost = 0;

  for (guint i = 0; path != NULL && i < path->len; i++)
    cost += arc_cost (&g_array_index (net->arcs, Arc, g_array_index (path, guint, i)));
  return path != NULL ? cost : G_MAXINT64;
}

/* Hides arc a, adding it to the work list if it was published. */
static void
suppress_arc (Network *net,
              guint    a,
              GArray  *work)
{
  Arc *arc = &g_array_index (net->arcs, Arc, a);

  if (!arc->suppressed)
    {
      arc->suppressed = TRUE;
      g_array_append_val (work, a);
    }
}

static void
suppress_path (Network *net,
               GArray  *path,
               GArray  *work)
{
  for (guint i = 0; path != NULL && i < path->len; i++)
    suppress_arc (net, g_array_index (path, guint, i), work);
}

/* Suppresses the arcs of the cheaper of the two ways to widen arc a's range
 * to k, adding the newly suppressed arcs to the work list. */
static void
widen (Network *net,
       guint    a,
       guint    k,
       gint64   up,
       gint64   down,
       GArray  *work)
{
  const Arc *arc = &g_array_index (net->arcs, Arc, a);
  g_autoptr(GArray) raise = cheapest_path (net, a, G_MAXUINT, NULL, arc->head, arc->tail, (gint64) k - down);
  g_autoptr(GArray) lower = NULL;
  GArray *path;

  if (arc->value >= (gint64) k - up)
    lower = cheapest_path (net, a, G_MAXUINT, NULL, arc->tail, arc->head, (gint64) k - up);
  path = path_cost (net, lower) < path_cost (net, raise) ? lower : raise;
  suppress_path (net, path, work);
}

/* When no cycle of the network alone protects arc a (the inequalities rule
 * out the moves it offers), suppresses the cheapest chain of chains_for()
 * that is not hidden whole already. */
static void
widen_coupled (Network *net,
               guint    a,
               guint    k,
               gint64   up,
               gint64   down,
               GArray  *work)
{
  const Arc *arc = &g_array_index (net->arcs, Arc, a);
  g_autofree Chain *chains = g_new (Chain, 4 * net->sides->len + 1);
  g_autofree gboolean *frozen = g_new0 (gboolean, net->arcs->len);
  g_autoptr(GPtrArray) best = NULL;
  gint64 best_cost = G_MAXINT64;

  freeze_sides (net, frozen);
  for (int dir = -1; dir <= 1; dir += 2)
    {
      gint64 need = dir > 0 ? (gint64) k - down : (gint64) k - up;
      guint n = chains_for (net, a, dir, chains);

      if (dir < 0 && arc->value < need)
        continue;
      for (guint c = 0; c < n; c++)
        {
          const Chain *chain = &chains[c];
          g_autoptr(GPtrArray) legs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
          gint64 cost = 0;

          for (guint i = 1; i < chain->n && cost != G_MAXINT64; i++)
            {
              const Arc *p = &g_array_index (net->arcs, Arc, chain->arcs[i]);
              if (chain->dirs[i] < 0 && p->value < need)
                cost = G_MAXINT64;
              else
                cost += arc_cost (p);
            }
          for (guint i = 0; i < chain->n; i++)
            frozen[chain->arcs[i]] = TRUE;
          for (guint i = 0; i < chain->n && cost != G_MAXINT64; i++)
            {
              const Arc *from = &g_array_index (net->arcs, Arc, chain->arcs[i]);
              const Arc *to = &g_array_index (net->arcs, Arc, chain->arcs[(i + 1) % chain->n]);
              GArray *path = cheapest_path (net, G_MAXUINT, G_MAXUINT, frozen,
                                            move_end (from, chain->dirs[i]),
                                            move_start (to, chain->dirs[(i + 1) % chain->n]), need);

              if (path == NULL)
                cost = G_MAXINT64;
              else
                {
                  cost += path_cost (net, path);
                  g_ptr_array_add (legs, path);
                }
            }
          freeze_sides (net, frozen);
          for (guint i = 0; i < chain->n; i++)
            if (side_of (net, chain->arcs[i]) == NULL)
              frozen[chain->arcs[i]] = FALSE;
          /* A chain hidden whole already was tried by proven_move(). */
          if (cost == G_MAXINT64 || cost == 0 || cost >= best_cost)
            continue;
          best_cost = cost;
          for (guint i = 1; i < chain->n; i++)
            {
              GArray *one = g_array_new (FALSE, FALSE, sizeof (guint));
              g_array_append_val (one, chain->arcs[i]);
              g_ptr_array_add (legs, one);
            }
          g_clear_pointer (&best, g_ptr_array_unref);
          best = g_steal_pointer (&legs);
        }
    }
  for (guint i = 0; best != NULL && i < best->len; i++)
    suppress_path (net, g_ptr_array_index (best, i), work);
}

static int
compare_cost_desc (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  Network *net = user_data;
  gint64 ca = published_cost (&g_array_index (net->arcs, Arc, *(const guint *) a));
  gint64 cb = published_cost (&g_array_index (net->arcs, Arc, *(const guint *) b));

  return ca < cb ? 1 : ca > cb ? -1 : 0;
}

static guint
find_root (guint *parent,
           guint  n)
{
  while (parent[n] != n)
    n = parent[n] = parent[parent[n]];
  return n;
}

/* Whether every suppressed value that arc a could have helped still has a
 * range of k: only values joined to a through suppressed arcs (or through
 * the pairs of an inequality) can have used it. */
static gboolean
all_protected (Network *net,
               GArray  *work,
               guint    a,
               guint    k)
{
  g_autofree guint *parent = g_new (guint, net->n_nodes);
  const Arc *released = &g_array_index (net->arcs, Arc, a);

  for (guint n = 0; n < net->n_nodes; n++)
    parent[n] = n;
  for (guint i = 0; i < work->len; i++)
    {
      const Arc *arc = &g_array_index (net->arcs, Arc, g_array_index (work, guint, i));
      if (arc->suppressed || arc == released)
        parent[find_root (parent, arc->tail)] = find_root (parent, arc->head);
    }
  /* A witness may mend a pair with a circulation elsewhere (repair(),
   * chain_move()): the sides of every pair count as joined. */
  for (guint i = 0; i < net->sides->len; i++)
    {
      const Side *side = &g_array_index (net->sides, Side, i);
      const Side *first = &g_array_index (net->sides, Side, 0);
      const Arc *big = &g_array_index (net->arcs, Arc, side->big);
      const Arc *small = &g_array_index (net->arcs, Arc, side->small);
      guint anchor = find_root (parent, g_array_index (net->arcs, Arc, first->big).tail);

      parent[find_root (parent, big->tail)] = anchor;
      parent[find_root (parent, small->tail)] = find_root (parent, anchor);
    }

  for (guint i = 0; i < work->len; i++)
    {
      guint b = g_array_index (work, guint, i);
      const Arc *arc = &g_array_index (net->arcs, Arc, b);
      gint64 up, down;

      if (!arc->suppressed || find_root (parent, arc->tail) != find_root (parent, released->tail))
        continue;
      protection (net, b, k, &up, &down);
      if (up + down < (gint64) k)
        return FALSE;
    }
  return TRUE;
}

/* A cheapest path chosen for one value can make an earlier choice
 * unnecessary: each secondary suppression, the costliest first, is
 * published again if every suppressed value keeps a range of k without it. */
static void
release_redundant (Network *net,
                   GArray  *work,
                   guint    n_primary,
                   guint    k,
                   gboolean escalated)
{
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));

  if (work->len > n_primary)
    g_array_append_vals (order, &g_array_index (work, guint, n_primary), work->len - n_primary);
  g_array_sort_with_data (order, compare_cost_desc, net);
  for (guint i = 0; i < order->len; i++)
    {
      guint a = g_array_index (order, guint, i);
      Arc *arc = &g_array_index (net->arcs, Arc, a);

      if (!arc->suppressed || (escalated && arc->linked) || arc->pinned)
        continue;
      arc->suppressed = FALSE;
      if (!all_protected (net, work, a, k))
        arc->suppressed = TRUE;
    }
}

static void
suppress_table (VpReportTable *table)
{
  for (guint i = 0; i < table->n_vars; i++)
    table->suppressed[i] = TRUE;
}

static gboolean
is_small (guint n_clients,
          guint k)
{
  return n_clients > 0 && n_clients < k;
}

static gboolean
is_not_recorded (GPtrArray *codes,
                 guint      i)
{
  return g_str_equal (g_ptr_array_index (codes, i), VP_NOT_RECORDED);
}

/* A row (or, transposed, a column) of 1..k-1 clients is null whole; one of
 * k or more whose recorded values all lie in one cell hides that cell and
 * its recorded zeros, in the sensitive tables. */
static void
mark_line (VpReportTable *table,
           guint          line,
           gboolean       is_row,
           gboolean       sensitive,
           guint          k)
{
  GPtrArray *across = is_row ? table->columns : table->rows;
  guint total = is_row ? vp_report_table_row_total (table, line) : vp_report_table_column_total (table, line);
  guint n_recorded = 0, n_nonzero = 0;

  if (is_small (table->n_clients[total], k))
    {
      table->suppressed[total] = TRUE;
      for (guint i = 0; i < across->len; i++)
        table->suppressed[is_row ? vp_report_table_cell (table, line, i) : vp_report_table_cell (table, i, line)] = TRUE;
      return;
    }
  if (!sensitive || table->n_clients[total] == 0)
    return;
  for (guint i = 0; i < across->len; i++)
    if (!is_not_recorded (across, i))
      {
        guint cell = is_row ? vp_report_table_cell (table, line, i) : vp_report_table_cell (table, i, line);
        n_recorded++;
        n_nonzero += table->value[cell] > 0;
      }
  if (n_recorded < 2 || n_nonzero != 1)
    return;
  for (guint i = 0; i < across->len; i++)
    if (!is_not_recorded (across, i))
      table->suppressed[is_row ? vp_report_table_cell (table, line, i) : vp_report_table_cell (table, i, line)] = TRUE;
}

/* Proficiency, stage and interpreter use, and the preferred language (a
 * proxy for origin) are attributes a group must not be seen to share. */
static gboolean
is_sensitive (const VpReportTable *table)
{
  return g_str_equal (table->def->name, "first_contacts_by_age_language") ||
         g_str_equal (table->def->name, "early_reach") ||
         g_str_equal (table->def->name, "interpreter_use") ||
         g_str_equal (table->def->name, "first_contacts_by_language");
}

/* A one-dimensional table is one group: everyone in it. */
static void
mark_single_group (VpReportTable *table)
{
  guint n_recorded = 0, n_nonzero = 0;

  for (guint r = 0; r < table->rows->len; r++)
    if (!is_not_recorded (table->rows, r))
      {
        n_recorded++;
        n_nonzero += table->value[r] > 0;
      }
  if (n_recorded < 2 || n_nonzero != 1)
    return;
  for (guint r = 0; r < table->rows->len; r++)
    if (!is_not_recorded (table->rows, r))
      table->suppressed[r] = TRUE;
}

/* Steps 1 to 3 of the header comment, on the tables' own values. Returns
 * TRUE when the whole month is null. */
static gboolean
mark_primary (VpReport *report,
              guint     k)
{
  gboolean whole_month = is_small (report->n_clients, k);

  for (guint t = 0; t < report->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (report->tables, t);

      if (whole_month || is_small (table->n_clients[vp_report_table_grand_total (table)], k))
        {
          suppress_table (table);
          continue;
        }
      for (guint i = 0; i < table->n_vars; i++)
        table->suppressed[i] = is_small (table->n_clients[i], k);
      if (!vp_report_table_is_2d (table))
        {
          if (is_sensitive (table))
            mark_single_group (table);
          continue;
        }
      for (guint r = 0; r < table->rows->len; r++)
        mark_line (table, r, TRUE, is_sensitive (table), k);
      for (guint c = 0; c < table->columns->len; c++)
        mark_line (table, c, FALSE, is_sensitive (table), k);
    }
  return whole_month;
}

/* Protects every suppressed arc of the work list from index from on,
 * adding what secondary suppression hides to the list. */
static gboolean
protect_work (Network   *net,
              GArray    *work,
              guint      from,
              guint      k,
              gboolean  *escalated,
              GError   **error)
{
  for (guint i = from; i < work->len; i++)
    {
      guint a = g_array_index (work, guint, i);
      const Arc *arc = &g_array_index (net->arcs, Arc, a);
      gint64 up, down;

      if (*escalated && arc->linked)
        continue;
      protection (net, a, k, &up, &down);
      while (up + down < (gint64) k)
        {
          guint before = work->len;

          widen (net, a, k, up, down, work);
          if (work->len == before)
            widen_coupled (net, a, k, up, down, work);
          protection (net, a, k, &up, &down);
          if (work->len == before && up + down < (gint64) k)
            break;
        }
      if (up + down >= (gint64) k)
        continue;
      if (!arc->linked)
        {
          g_set_error_literal (error, VP_REPORT_ERROR, VP_REPORT_ERROR_UNPROTECTED,
                               _("The report cannot be protected: a suppressed value could be worked out"));
          return FALSE;
        }
      g_debug ("No cycle protects a value of table %s: the contact tables are suppressed whole",
               table_at (net, arc->appearances[0].table)->def->name);
      *escalated = TRUE;
    }
  return TRUE;
}

static void
pin (Network *net,
     guint    a,
     GArray  *work)
{
  suppress_arc (net, a, work);
  g_array_index (net->arcs, Arc, a).pinned = TRUE;
}

/* Whether table t publishes only zeros beside one hidden cell with a
 * recorded category ("if anyone, then there"); that cell in lone. */
static gboolean
lone_null (Network *net,
           guint    t,
           guint   *lone)
{
  VpReportTable *table = table_at (net, t);
  guint nr = table->rows->len, nc = table->columns->len;
  guint n_null = 0, n_nonzero = 0;

  for (guint cell = 0; cell < nr * nc; cell++)
    {
      const Arc *arc = &g_array_index (net->arcs, Arc, arc_of (net, t, cell));

      if (arc->suppressed)
        {
          n_null++;
          *lone = cell;
        }
      else
        n_nonzero += arc->value > 0;
    }
  return n_null == 1 && n_nonzero == 0 &&
         g_array_index (net->arcs, Arc, arc_of (net, t, vp_report_table_grand_total (table))).suppressed &&
         !(is_not_recorded (table->rows, *lone / nc) &&
           (nc == 1 || is_not_recorded (table->columns, *lone % nc)));
}

/* A lone null gets its row and column zeros hidden too (step 3 of the
 * header comment, for patterns that secondary suppression made). Returns
 * how many arcs it hid. */
static guint
hide_lone_nulls (Network *net,
                 GArray  *work)
{
  guint before = work->len;

  for (guint t = 0; t < net->report->tables->len; t++)
    {
      VpReportTable *table = table_at (net, t);
      guint nc = table->columns->len, lone = 0;

      if (!lone_null (net, t, &lone))
        continue;
      for (guint cell = 0; cell < table->rows->len * nc; cell++)
        if (cell / nc == lone / nc || cell % nc == lone % nc)
          pin (net, arc_of (net, t, cell), work);
    }
  return work->len - before;
}

static void
hide_lone_tables (Network *net)
{
  for (guint t = 0; t < net->report->tables->len; t++)
    {
      guint lone = 0;

      if (!lone_null (net, t, &lone))
        continue;
      for (guint v = 0; v < table_at (net, t)->n_vars; v++)
        g_array_index (net->arcs, Arc, arc_of (net, t, v)).suppressed = TRUE;
    }
}

gboolean
vp_disclosure_apply (VpReport  *report,
                     GError   **error)
{
  Network net;
  g_autoptr(GArray) work = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean escalated = FALSE;
  gboolean ok;
  guint n_primary, k;

  g_return_val_if_fail (report != NULL, FALSE);
  k = MAX (report->k, VP_REPORT_MIN_K);

  if (mark_primary (report, k))
    return TRUE;

  network_build (&net, report);
  if (net.inconsistent != NULL)
    {
      g_set_error (error, VP_REPORT_ERROR, VP_REPORT_ERROR_UNPROTECTED,
                   _("The report cannot be protected: table %s disagrees with a linked table"),
                   net.inconsistent);
      network_clear (&net);
      return FALSE;
    }

  for (guint a = 0; a < net.arcs->len; a++)
    {
      Arc *arc = &g_array_index (net.arcs, Arc, a);

      arc->suppressed = hidden_in_a_table (&net, arc);
      arc->pinned = arc->suppressed;
      if (arc->suppressed)
        g_array_append_val (work, a);
    }

  n_primary = work->len;
  ok = protect_work (&net, work, 0, k, &escalated, error);
  if (ok)
    release_redundant (&net, work, n_primary, k, escalated);
  /* Hiding the zeros beside a lone null may need more protection, which
   * may leave another lone null elsewhere: a few rounds settle it. */
  for (guint round = 0; ok && !escalated && round < 4; round++)
    {
      guint from = work->len;

      if (hide_lone_nulls (&net, work) == 0)
        break;
      ok = protect_work (&net, work, from, k, &escalated, error);
      if (ok)
        release_redundant (&net, work, n_primary, k, escalated);
    }
  /* Should a lone null remain, its table is hidden whole: hiding more
   * never narrows a range, and nothing is released after this. */
  if (ok && !escalated)
    hide_lone_tables (&net);
  if (!ok)
    {
      network_clear (&net);
      return FALSE;
    }

  for (guint a = 0; a < net.arcs->len; a++)
    {
      Arc *arc = &g_array_index (net.arcs, Arc, a);

      if (escalated && arc->linked)
        arc->suppressed = TRUE;
      for (guint i = 0; i < arc->n_appearances; i++)
        table_at (&net, arc->appearances[i].table)->suppressed[arc->appearances[i].var] = arc->suppressed;
    }
  network_clear (&net);
  return TRUE;
}

/* The big number a flow without bound stops at; ranges wider than this are
 * reported as unbounded. */
#define RANGE_LIMIT ((gint64) 1 << 40)

/* Adds the completion moved by delta, with arc a moved by move, to the
 * running sum of completions. */
static void
add_point (Network      *net,
           double       *center,
           const gint64 *delta,
           guint         a,
           gint64        move,
           guint        *n_points)
{
  for (guint b = 0; b < net->arcs->len; b++)
    {
      const Arc *arc = &g_array_index (net->arcs, Arc, b);

      if (arc->suppressed)
        center[b] += (double) (arc->value + (b == a ? move : delta[b]));
    }
  (*n_points)++;
}

/* For a report as the endpoint sees it (published values and nulls, from
 * vp_report_new_from_json()): the range [lo, hi] of every value given
 * everything it publishes and the network's relations, and one estimate
 * per value that keeps every sum. It is post-processing of what was
 * published, so it costs no privacy.
 *
 * First a completion: the nulls as a flow that balances every node given
 * the published arcs (a super source feeds each node's surplus), found by
 * max flow; then each null's range by max flows from that point, as on the
 * device. The inequality interpreter_use[*, p] >= age[*, p] is no network
 * relation and is left out here, so a range always contains the true value
 * (it may be wider than the tightest one) and the estimate keeps every sum
 * but may not keep that inequality. FALSE when the published values admit
 * no completion at all.
 *
 * The estimate is the mean of the completions that reach each end of each
 * bounded range: a point inside every range, away from the corners a single
 * max flow lands on, and since each completion keeps every sum, so does
 * their mean (a fraction, to be rounded only where it is shown). Values
 * without an upper bound get no upward completion, so their estimate leans
 * low. */
gboolean
vp_disclosure_ranges (VpReport  *report,
                      GError   **error)
{
  Network net;
  guint n;
  g_autofree gint64 *balance = NULL;
  g_autofree Extra *extra = NULL;
  g_autofree gint64 *completion = NULL;
  Residual res = { NULL, NULL, { 0 }, 0, NULL };
  guint n_extra = 0;
  gint64 needed = 0;
  g_autofree gint64 *lo = NULL;
  g_autofree gint64 *hi = NULL;
  g_autofree double *center = NULL;
  g_autofree gint64 *delta = NULL;
  guint n_points = 0;

  g_return_val_if_fail (report != NULL, FALSE);

  network_build (&net, report);
  if (net.inconsistent != NULL)
    {
      g_set_error (error, VP_REPORT_ERROR, VP_REPORT_ERROR_INVALID,
                   _("Table %s disagrees with a linked table"), net.inconsistent);
      network_clear (&net);
      return FALSE;
    }
  n = net.arcs->len;
  balance = g_new0 (gint64, net.n_nodes);
  extra = g_new (Extra, net.n_nodes);
  completion = g_new0 (gint64, n);
  for (guint a = 0; a < n; a++)
    {
      Arc *arc = &g_array_index (net.arcs, Arc, a);

      arc->suppressed = hidden_in_a_table (&net, arc);
      if (arc->suppressed)
        arc->value = 0;
      else
        {
          balance[arc->head] += arc->value;
          balance[arc->tail] -= arc->value;
        }
    }
  for (guint v = 0; v < net.n_nodes; v++)
    if (balance[v] > 0)
      {
        extra[n_extra++] = (Extra) { net.n_nodes, v, balance[v] };
        needed += balance[v];
      }
    else if (balance[v] < 0)
      extra[n_extra++] = (Extra) { v, net.n_nodes + 1, -balance[v] };
  if (flow_graph (&net, &res, NULL, extra, n_extra, net.n_nodes, net.n_nodes + 1,
                  needed, completion) < needed)
    {
      g_set_error_literal (error, VP_REPORT_ERROR, VP_REPORT_ERROR_INVALID,
                           _("The published values contradict each other"));
      network_clear (&net);
      return FALSE;
    }

  for (guint a = 0; a < n; a++)
    if (g_array_index (net.arcs, Arc, a).suppressed)
      g_array_index (net.arcs, Arc, a).value = completion[a];

  for (guint t = 0; t < report->tables->len; t++)
    {
      VpReportTable *table = table_at (&net, t);

      g_free (table->lo);
      g_free (table->hi);
      g_free (table->estimate);
      table->lo = g_new0 (gint64, table->n_vars);
      table->hi = g_new0 (gint64, table->n_vars);
      table->estimate = g_new0 (double, table->n_vars);
    }
  lo = g_new (gint64, n);
  hi = g_new (gint64, n);
  center = g_new0 (double, n);
  delta = g_new (gint64, n);
  for (guint a = 0; a < n; a++)
    {
      const Arc *arc = &g_array_index (net.arcs, Arc, a);
      Residual own = { NULL, NULL, { a }, 1, NULL };
      gint64 up, down;

      lo[a] = hi[a] = arc->value;
      if (!arc->suppressed)
        continue;
      /* Each end of the range is a completion of its own: the completion
       * moved along the cycle the flow found. */
      down = max_flow (&net, &own, arc->tail, arc->head, arc->value, delta);
      lo[a] = arc->value - down;
      add_point (&net, center, delta, a, -down, &n_points);
      up = max_flow (&net, &own, arc->head, arc->tail, RANGE_LIMIT, delta);
      if (up >= RANGE_LIMIT)
        hi[a] = VP_REPORT_UNBOUNDED;
      else
        {
          hi[a] = arc->value + up;
          add_point (&net, center, delta, a, up, &n_points);
        }
    }
  for (guint a = 0; a < n; a++)
    {
      const Arc *arc = &g_array_index (net.arcs, Arc, a);
      double estimate = arc->suppressed && n_points > 0 ? center[a] / n_points : (double) arc->value;

      for (guint i = 0; i < arc->n_appearances; i++)
        {
          VpReportTable *table = table_at (&net, arc->appearances[i].table);
          guint var = arc->appearances[i].var;

          table->lo[var] = lo[a];
          table->hi[var] = hi[a];
          table->estimate[var] = estimate;
        }
    }
  network_clear (&net);
  return TRUE;
}
