/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The operations the benchmarks time, through the app's own data layer:
 * what the registration form, the clients page, the client page, the
 * report and retention call. Compiled into bench-store and bench-plain
 * alike, so that both sides run the very same code and SQL; only the
 * library under it differs. Each prints "figure NAME VALUE" lines. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-ops.h"
#include "vp-client.h"
#include "vp-consent.h"
#include "vp-contact.h"
#include "vp-audit.h"
#include "vp-languages.h"
#include "vp-referral.h"
#include "vp-registration.h"
#include "vp-report.h"
#include "vp-report-build.h"
#include "vp-retention.h"
#include "vp-store-private.h"
#include "vp-sync.h"

#define VISIBLE_ROWS 20   /* rows a list view asks for at first */
#define LIST_PAGE 100     /* VpClientList's page (data/vp-client.c) */

double
bench_now (void)
{
  return g_get_monotonic_time () / 1e6;
}

void
bench_figure (const char *name,
              double      value)
{
  printf ("figure %s %.6g\n", name, value);
  fflush (stdout);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Nearest rank. */
static double
percentile (GArray *sorted,
            double  p)
{
  guint rank = (guint) ceil (p * sorted->len);

  return g_array_index (sorted, double, MAX (rank, 1) - 1);
}

/* NAME_p50_ms and NAME_p95_ms of a set of timings in seconds. */
void
bench_percentiles (const char *name,
                   GArray     *seconds)
{
  g_autofree char *p50 = g_strdup_printf ("%s_p50_ms", name);
  g_autofree char *p95 = g_strdup_printf ("%s_p95_ms", name);

  g_array_sort (seconds, compare_doubles);
  bench_figure (p50, 1000 * percentile (seconds, 0.50));
  bench_figure (p95, 1000 * percentile (seconds, 0.95));
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW &&
      sqlite3_column_text (stmt, 0) != NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

/* The connection's settings, for the driver to check that both sides run
 * with the same ones. */
void
bench_settings (sqlite3 *db)
{
  static const char * const pragmas[] = { "journal_mode", "synchronous", "secure_delete", "temp_store",
                                          "foreign_keys", "cache_size", "page_size", "user_version" };

  for (guint i = 0; i < G_N_ELEMENTS (pragmas); i++)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA %s", pragmas[i]);
      g_autofree char *value = query_text (db, sql);

      printf ("setting %s %s\n", pragmas[i], value != NULL ? value : "?");
    }
  printf ("library sqlite %s\n", sqlite3_libversion ());
}

/* For finding out what bounds a figure: the same page cache on both sides,
 * other than the store's (0: the store's own). */
void
bench_set_cache (sqlite3 *db,
                 int      kib)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA cache_size = -%d", kib);

  if (kib > 0 && sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    g_error ("%s", sqlite3_errmsg (db));
}

static void
check (gboolean  ok,
       GError   *error,
       const char *what)
{
  if (!ok)
    g_error ("%s failed: %s", what, error != NULL ? error->message : "no reason given");
}

/* Saving a first contact as the registration form does, one transaction
 * each, fsync'd (synchronous = FULL in WAL mode). */
static void
op_save (BenchOps *ops)
{
  static const char * const names[] = { "Amal", "Bilal", "Chiara", "Dunya", "Eyerus", "Farid" };
  static const char * const levels[] = { "sufficient", "limited", "little_or_none" };
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GRand) rand = g_rand_new_with_seed (ops->seed);
  guint n = ops->quick ? 20 : 300;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *label = g_strdup_printf ("Bench %s %c.", names[i % G_N_ELEMENTS (names)],
                                                'A' + g_rand_int_range (rand, 0, 26));
      g_autofree char *phone = g_strdup_printf ("06 %08d", g_rand_int_range (rand, 10000000, 99999999));
      gboolean interpreter = i % 3 == 0;
      VpRegistration reg = {
        .client_label = label,
        .birth_year = g_rand_int_range (rand, 1945, 2008),
        .phone = i % 2 == 0 ? phone : NULL,
        .location_type = "school",
        .kind = "first",
        .initiated_by = "outreach",
        .stage = "early",
        .language_consent = TRUE,
        .dutch_proficiency = levels[i % G_N_ELEMENTS (levels)],
        .interpreter_consent = interpreter,
        .interpreter = interpreter ? "professional_phone" : NULL,
      };
      double start = bench_now ();
      gboolean ok = vp_store_save_registration (ops->store, &reg, NULL, &error);
      double t = bench_now () - start;

      check (ok, error, "Saving a registration");
      g_array_append_val (times, t);
    }
  bench_percentiles ("save", times);
}

static gint64
max_client_id (VpStore *store)
{
  g_autofree char *text = query_text (vp_store_get_db (store), "SELECT max (id) FROM client");

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

static void
add_prefixes (GPtrArray  *keys,
              const char *word,
              guint       max)
{
  for (guint len = 1; word[len - 1] != '\0' && keys->len < max; len++)
    g_ptr_array_add (keys, g_strndup (word, len));
}

/* What people type, keystroke by keystroke: a client's name, phone number
 * (digits as they come) or birth year, of clients taken at random. */
static GPtrArray *
keystrokes (BenchOps *ops,
            guint     n)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (ops->seed);
  gint64 max_id = max_client_id (ops->store);
  guint kind = 0, tries = 0;

  while (keys->len < n && max_id > 0 && tries++ < 100 * n)
    {
      g_autoptr(VpClient) client = vp_store_get_client (ops->store, g_rand_int_range (rand, 1, (gint32) max_id + 1), NULL);
      g_auto(GStrv) words = NULL;
      g_autofree char *digits = NULL;

      if (client == NULL)
        continue;
      switch (kind++ % 3)
        {
        case 0: /* "Demo Amira K.": the name */
          words = g_strsplit (vp_client_get_label (client), " ", -1);
          if (g_strv_length (words) > 1)
            add_prefixes (keys, words[1], n);
          break;
        case 1:
          if (vp_client_get_phone (client) != NULL)
            {
              GString *d = g_string_new (NULL);

              for (const char *p = vp_client_get_phone (client); *p != '\0'; p++)
                if (g_ascii_isdigit (*p))
                  g_string_append_c (d, *p);
              digits = g_string_free (d, FALSE);
              add_prefixes (keys, digits, n);
            }
          break;
        default:
          if (vp_client_get_birth_year (client) > 0)
            {
              g_autofree char *year = g_strdup_printf ("%d", vp_client_get_birth_year (client));
              add_prefixes (keys, year, n);
            }
        }
    }
  return keys;
}

/* Search as you type, as the clients page does it on each keystroke: the
 * search, the first rows the list shows, and the audit entry the page
 * writes for a search (ui/vp-clients-page.c). */
static void
op_search (BenchOps *ops)
{
  g_autoptr(GPtrArray) keys = keystrokes (ops, ops->quick ? 30 : 500);
  g_autoptr(VpClientList) list = vp_client_list_new (ops->store);
  g_autoptr(GArray) search = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) keystroke = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 found = 0;

  if (keys->len == 0)
    g_error ("No clients to search for");
  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr(GError) error = NULL;
      double start = bench_now (), searched, audited;
      guint n;

      check (vp_client_list_set_query (list, g_ptr_array_index (keys, i), &error), error, "Searching");
      n = g_list_model_get_n_items (G_LIST_MODEL (list));
      for (guint row = 0; row < MIN (n, VISIBLE_ROWS); row++)
        g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), row));
      searched = bench_now ();
      check (vp_audit_append_detail (ops->store, "search", "client", 0,
                                     vp_client_query_kind (g_ptr_array_index (keys, i)), "ok", &error),
             error, "Auditing a search");
      audited = bench_now ();
      found += n;
      g_array_append_vals (search, (double[]) { searched - start }, 1);
      g_array_append_vals (keystroke, (double[]) { audited - start }, 1);
    }
  bench_percentiles ("search", search);
  bench_percentiles ("keystroke", keystroke);
  bench_figure ("search_matches_mean", (double) found / keys->len);
}

/* Clients with (about) 50 contacts, the page's example. */
static GArray *
clients_with_contacts (BenchOps *ops,
                       guint     n_contacts,
                       guint     n,
                       double   *mean)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;
  double total = 0;

  if (sqlite3_prepare_v2 (vp_store_get_db (ops->store),
                          "SELECT client_id, count(*) FROM contact GROUP BY client_id"
                          " ORDER BY abs (count(*) - ?1), client_id LIMIT ?2", -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s", sqlite3_errmsg (vp_store_get_db (ops->store)));
  sqlite3_bind_int (stmt, 1, (int) n_contacts);
  sqlite3_bind_int (stmt, 2, (int) n);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      total += sqlite3_column_int (stmt, 1);
      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  *mean = ids->len > 0 ? total / ids->len : 0;
  return ids;
}

/* The data calls of opening a client's page (ui/vp-client-page.c): the
 * audit entry for reading, the client, language needs, consents, the
 * contacts with their labels, the referrals. */
static void
open_client_page (VpStore *store,
                  gint64   id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpClient) client = NULL;
  g_autoptr(GPtrArray) consents = NULL;
  g_autoptr(GListModel) contacts = NULL;
  g_autoptr(GPtrArray) referrals = NULL;
  g_auto(GStrv) languages = NULL;
  g_autofree char *level = NULL;
  VpReferralFilter filter = { .client_id = id };
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now), (GDateYear) g_date_time_get_year (now));
  check (vp_audit_append (store, "read", "client", id, "ok", &error), error, "Auditing a read");
  client = vp_store_get_client (store, id, &error);
  check (client != NULL, error, "Reading a client");
  level = vp_store_get_dutch_proficiency (store, id);
  languages = vp_store_get_preferred_languages (store, id);
  for (guint i = 0; languages != NULL && languages[i] != NULL; i++)
    vp_language_name (languages[i]);
  vp_store_has_consent (store, id, "language");
  consents = vp_store_list_consents (store, id, &error);
  check (consents != NULL, error, "Listing consents");
  contacts = vp_store_list_client_contacts (store, id, &error);
  check (contacts != NULL, error, "Listing contacts");
  for (guint i = 0; i < g_list_model_get_n_items (contacts); i++)
    {
      g_autoptr(VpContact) contact = g_list_model_get_item (contacts, i);

      vp_category_label (VP_CATEGORY_CONTACT_KIND, vp_contact_get_kind (contact));
      vp_category_label (VP_CATEGORY_LOCATION_TYPE, vp_contact_get_location_type (contact));
    }
  referrals = vp_store_list_referrals (store, &filter, &today, &error);
  check (referrals != NULL, error, "Listing referrals");
  vp_store_has_consent (store, id, "referral");
  vp_store_has_consent (store, id, "referral");
}

static void
op_client_page (BenchOps *ops)
{
  double mean = 0;
  g_autoptr(GArray) ids = clients_with_contacts (ops, 50, ops->quick ? 3 : 40, &mean);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  if (ids->len == 0)
    g_error ("No clients to open");
  for (guint i = 0; i < ids->len; i++)
    {
      double start = bench_now (), t;

      open_client_page (ops->store, g_array_index (ids, gint64, i));
      t = bench_now () - start;
      g_array_append_val (times, t);
    }
  bench_percentiles ("client_page", times);
  bench_figure ("client_page_contacts_mean", mean);
}

/* Scrolling the clients page's list from the top: each page of rows is one
 * query of the paged model (vp_client_list, data/vp-client.c). */
static void
op_scroll (BenchOps *ops)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpClientList) list = vp_client_list_new (ops->store);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  double start = bench_now ();
  guint n, pages;

  check (vp_client_list_set_query (list, "", &error), error, "Listing every client");
  bench_figure ("client_list_open_ms", 1000 * (bench_now () - start));
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  pages = MIN (ops->quick ? 3 : 200, (n + LIST_PAGE - 1) / LIST_PAGE);
  for (guint p = 0; p < pages; p++)
    {
      double t;

      start = bench_now ();
      g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), p * LIST_PAGE));
      t = bench_now () - start;
      g_array_append_val (times, t);
    }
  bench_percentiles ("scroll_page", times);
  bench_figure ("clients", n);
}

/* The month that closed last. */
static char *
last_month (GDateTime *now)
{
  g_autoptr(GDateTime) month = g_date_time_add_months (now, -1);

  return g_date_time_format (month, "%Y-%m");
}

/* The whole report with disclosure control, built once as after unlocking
 * (the app's page cache still cold). */
static void
op_report (BenchOps *ops)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *period = last_month (now);
  double start = bench_now ();
  g_autoptr(VpReport) report = vp_report_build (ops->store, period, 5, now, &error);

  check (report != NULL, error, "Building the report");
  bench_figure ("report_ms", 1000 * (bench_now () - start));
}

/* The aggregation query alone: the rows of the month as vp_report_build()
 * selects them (a copy of its SQL, sync/vp-report-build.c). */
#define IN_PERIOD(happened, entered) \
  " ((" happened " >= ?1 AND " happened " < ?2 AND " entered " < ?3)" \
  "  OR (" entered " >= ?1 AND " entered " < ?2" \
  "      AND " entered " >= date (substr (" happened ", 1, 7) || '-01', '+1 month'," \
  "                               '+' || ?4 || ' days')))"

static const char * const aggregation_sql[] = {
  "SELECT c.client_id, c.location_type, c.kind, c.initiated_by,"
  "       CAST (substr (c.occurred_at, 1, 4) AS INTEGER) - cl.birth_year,"
  "       c.dutch_proficiency, c.stage, c.interpreter, c.language"
  " FROM contact c JOIN client cl ON cl.id = c.client_id"
  " WHERE" IN_PERIOD ("c.occurred_at", "c.entered_at"),
  "SELECT r.client_id, r.category,"
  "       CASE WHEN r.feedback_received_on IS NOT NULL AND r.feedback_received_on <= ?5 THEN"
  "              CASE WHEN r.feedback_received_on <= r.feedback_expected_by THEN 'in_time' ELSE 'late' END"
  "            WHEN ?5 > r.feedback_expected_by THEN 'overdue' ELSE 'awaiting' END"
  " FROM referral r WHERE" IN_PERIOD ("r.referred_on", "r.entered_at"),
};

static void
op_aggregate (BenchOps *ops)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) month = g_date_time_add_months (now, -1);
  g_autoptr(GDateTime) start_day = g_date_time_new_local (g_date_time_get_year (month),
                                                          g_date_time_get_month (month), 1, 0, 0, 0);
  g_autoptr(GDateTime) next = g_date_time_add_months (start_day, 1);
  guint grace = vp_sync_get_grace_days (ops->store);
  g_autoptr(GDateTime) due = g_date_time_add_days (next, (gint) grace);
  g_autofree char *from = g_date_time_format (start_day, "%Y-%m-%d");
  g_autofree char *until = g_date_time_format (next, "%Y-%m-%d");
  g_autofree char *due_day = g_date_time_format (due, "%Y-%m-%d");
  sqlite3 *db = vp_store_get_db (ops->store);
  guint rows = 0;
  double start = bench_now ();

  for (guint i = 0; i < G_N_ELEMENTS (aggregation_sql); i++)
    {
      sqlite3_stmt *stmt = NULL;
      int rc = sqlite3_prepare_v2 (db, aggregation_sql[i], -1, &stmt, NULL);

      if (rc != SQLITE_OK)
        g_error ("The aggregation query failed: %s", sqlite3_errmsg (db));
      sqlite3_bind_text (stmt, 1, from, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, until, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, due_day, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, (int) grace);
      if (sqlite3_bind_parameter_count (stmt) >= 5)
        sqlite3_bind_text (stmt, 5, due_day, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        rows++;
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        g_error ("The aggregation query failed: %s", sqlite3_errmsg (db));
    }
  bench_figure ("aggregate_ms", 1000 * (bench_now () - start));
  bench_figure ("aggregate_rows", rows);
}

/* Retention as on unlock: clients without contact for the period go, with
 * everything of theirs, each erasure audited. */
static void
op_retention (BenchOps *ops)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  guint erased = 0;
  double start = bench_now ();

  check (vp_store_apply_retention (ops->store, now, &erased, &error), error, "Retention");
  bench_figure ("retention_s", bench_now () - start);
  bench_figure ("retention_erased", erased);
}

gboolean
bench_run_op (BenchOps   *ops,
              const char *op)
{
  static const struct { const char *name; void (*run) (BenchOps *); } table[] = {
    { "save", op_save },
    { "search", op_search },
    { "client-page", op_client_page },
    { "scroll", op_scroll },
    { "report", op_report },
    { "aggregate", op_aggregate },
    { "retention", op_retention },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (op, table[i].name))
      {
        table[i].run (ops);
        return TRUE;
      }
  return FALSE;
}
