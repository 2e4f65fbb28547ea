/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An independent adversary for the reach report's disclosure control
 * (DESIGN §5): it plays the municipality, which knows the public semantics
 * of the tables (every total is the sum of its cells, and the same numbers
 * appear in several tables) and nothing else. For every suppressed value it
 * computes, with GLPK, the interval of integers consistent with everything a
 * revision publishes. It deliberately shares no code with sync/: it reads
 * only the canonical JSON.
 *
 * A value is named by its table and codes: a cell by (row, column), a row
 * total by (row, NULL), a column total by (NULL, column), the grand total by
 * (NULL, NULL); in the one-dimensional table a cell is (row, NULL). */

#define VP_ADVERSARY_UNBOUNDED G_MAXINT64

/* Checks one month's revisions (canonical JSON, in revision order) and
 * returns the violations found (char *, human readable), an empty array
 * when there are none. k == 0 takes k from each report. NULL with @error
 * set when a revision is not a report at all. */
GPtrArray *vp_adversary_check    (const char * const *revisions,
                                  guint               n_revisions,
                                  guint               k,
                                  GError            **error);

/* The same checks on two revisions of one month taken together, by a
 * municipality that assumes counts only grow between them (late entries):
 * violations name values "1/table[...]" and "2/table[...]". */
GPtrArray *vp_adversary_check_monotone (const char         *earlier,
                                        const char         *later,
                                        guint               k,
                                        GError            **error);

/* The interval [lo, hi] of integer values one value can take given
 * everything @json publishes (hi = VP_ADVERSARY_UNBOUNDED when there is no
 * upper bound). A published value gives lo == hi == the value. FALSE with
 * @error set when the value does not exist or the report is infeasible. */
gboolean   vp_adversary_interval (const char         *json,
                                  const char         *table,
                                  const char         *row,
                                  const char         *column,
                                  gint64             *lo,
                                  gint64             *hi,
                                  GError            **error);

/* Every value's exact interval at once: key (as vp_adversary_key()) ->
 * gint64[2] { lo, hi }. NULL with @error set when the report is not
 * consistent. */
GHashTable *vp_adversary_intervals (const char     *json,
                                    GError        **error);

/* The key vp_adversary_check() uses in its messages and for matching a
 * value across revisions: "table[row,column]" with "*" for a total. */
char      *vp_adversary_key      (const char         *table,
                                  const char         *row,
                                  const char         *column);

G_END_DECLS
