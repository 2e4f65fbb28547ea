/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Finding returning clients among 100,000, in any script. Correctness
 * only: how fast belongs in tests/bench. */
#include "config.h"

#include "vp-client.h"
#include "vp-registration.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

static VpStore *
store_with_many_clients (const char *dir)
{
  VpStore *store = vp_test_create_store (dir);

  /* 100,000 generated clients, then a few that the searches look for. */
  g_assert_true (vp_store_exec (store,
    "BEGIN;"
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)"
    "  INSERT INTO client (label, birth_year, phone, created_at)"
    "  SELECT 'Gen' || i || ' ' || char (65 + i % 26) || '.', 1930 + i % 80,"
    "         CASE WHEN i % 3 = 0 THEN '06' || (10000000 + i) END, '2026-01-01T00:00:00' FROM n;"
    "INSERT INTO client (label, birth_year, phone, created_at) VALUES"
    "  ('Zeynep K.', 1988, '0612345678', '2026-02-01T00:00:00'),"
    "  ('Zeynep Ö.', 1990, NULL, '2026-02-01T00:00:00'),"
    "  ('فاطمة', 1975, NULL, '2026-02-01T00:00:00'),"
    "  ('ሰላም', 1999, NULL, '2026-02-01T00:00:00'),"
    "  ('Łucja W.', 1966, '0687654321', '2026-02-01T00:00:00'),"
    "  ('Ayşe \"Ay\" T.', 2003, NULL, '2026-02-01T00:00:00');"
    "COMMIT;", NULL));
  return store;
}

static guint
n_found (VpStore    *store,
         const char *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = vp_store_search_clients (store, query, &error);

  g_assert_no_error (error);
  return ids != NULL ? ids->len : 0;
}

static void
test_search (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = store_with_many_clients (dir);

  g_assert_cmpuint (n_found (store, ""), ==, 100006);
  g_assert_cmpuint (n_found (store, "zeynep"), ==, 2);       /* any case */
  g_assert_cmpuint (n_found (store, "Zey"), ==, 2);          /* as you type */
  g_assert_cmpuint (n_found (store, "zeynep o"), ==, 1);     /* Ö without the dots */
  g_assert_cmpuint (n_found (store, "فاطمة"), ==, 1);         /* Arabic */
  g_assert_cmpuint (n_found (store, "ሰላም"), ==, 1);          /* Ge'ez script (Tigrinya) */
  g_assert_cmpuint (n_found (store, "łucja"), ==, 1);        /* Polish */
  g_assert_cmpuint (n_found (store, "0612345678"), ==, 1);   /* phone */
  g_assert_cmpuint (n_found (store, "06 12 34"), ==, 1);     /* as typed, by its digits */
  g_assert_cmpuint (n_found (store, "06-1234-5678"), ==, 1);
  g_assert_cmpuint (n_found (store, "1988"), ==, 1 + 100000 / 80); /* birth year */
  g_assert_cmpuint (n_found (store, "Gen99999"), ==, 1);
  g_assert_cmpuint (n_found (store, "\"Ay\""), ==, 1);       /* quotes are text */
  g_assert_cmpuint (n_found (store, "AND OR NOT *"), ==, 0); /* no FTS syntax */
  g_assert_cmpuint (n_found (store, "nobody-here"), ==, 0);

  vp_test_remove_dir (dir);
}

static void
test_paged_model (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = store_with_many_clients (dir);
  g_autoptr(VpClientList) list = vp_client_list_new (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpClient) first = NULL;
  g_autoptr(VpClient) last = NULL;
  g_autoptr(VpClient) middle = NULL;
  guint changed = 0;

  g_assert_true (vp_client_list_set_query (list, "", &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 100006);

  /* Newest first; any position can be reached without loading the rest. */
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (vp_client_get_label (first), ==, "Ayşe \"Ay\" T.");
  last = g_list_model_get_item (G_LIST_MODEL (list), 100005);
  g_assert_cmpstr (vp_client_get_label (last), ==, "Gen1 B.");
  middle = g_list_model_get_item (G_LIST_MODEL (list), 50006);
  g_assert_cmpstr (vp_client_get_label (middle), ==, "Gen50000 C.");
  g_assert_cmpint (vp_client_get_birth_year (middle), ==, 1930 + 50000 % 80);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 100006));

  /* Walking the whole list gives every client once. */
  for (guint i = 0; i < 100006; i += 997)
    {
      g_autoptr(VpClient) c = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_assert_nonnull (c);
      changed++;
    }
  g_assert_cmpuint (changed, >, 100);

  g_assert_true (vp_client_list_set_query (list, "zeynep", &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);

  vp_test_remove_dir (dir);
}

/* A follow-up without a chosen client is attached to the existing client
 * of that label and birth year (in any case), never to a new one. */
static void
test_follow_up_attaches (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;
  VpRegistration reg = {
    .client_label = "jan",
    .birth_year = 1990,
    .location_type = "school",
    .kind = "follow_up",
    .initiated_by = "walk_in",
  };
  g_autofree char *sql = NULL;
  gint64 jan, other, contact = 0;

  vp_test_register (store, "Jan", 1990, "library", "first", NULL, NULL);
  vp_test_register (store, "Jan", 1991, "library", "first", NULL, NULL);
  jan = vp_test_count (store, "SELECT id FROM client WHERE label = 'Jan' AND birth_year = 1990");
  other = vp_test_count (store, "SELECT id FROM client WHERE label = 'Jan' AND birth_year = 1991");

  g_assert_true (vp_store_save_registration (store, &reg, &contact, &error));
  g_assert_no_error (error);
  g_assert_cmpint (contact, >, 0);
  sql = g_strdup_printf ("SELECT client_id FROM contact WHERE id = %" G_GINT64_FORMAT, contact);
  g_assert_cmpint (vp_test_count (store, sql), ==, jan);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client"), ==, 2);

  /* A client chosen from the list wins over label and birth year. */
  reg.client_id = other;
  g_assert_true (vp_store_save_registration (store, &reg, &contact, &error));
  g_assert_no_error (error);
  g_free (sql);
  sql = g_strdup_printf ("SELECT client_id FROM contact WHERE id = %" G_GINT64_FORMAT, contact);
  g_assert_cmpint (vp_test_count (store, sql), ==, other);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM client"), ==, 2);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM contact WHERE kind = 'follow_up'"), ==, 2);

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/clients/search", test_search);
  g_test_add_func ("/clients/paged-model", test_paged_model);
  g_test_add_func ("/clients/follow-up-attaches", test_follow_up_attaches);

  return g_test_run ();
}
