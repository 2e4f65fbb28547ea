/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "vp-accounts.h"
#include "vp-audit.h"
#include "vp-keyslots.h"
#include "vp-store-private.h"
#include "vp-test-util.h"

#define COACH_PASSPHRASE "coach passphrase one"

static int
audit_count (VpStore    *store,
             const char *action)
{
  g_autoptr(GPtrArray) entries = vp_audit_list (store, action, 0, 0, NULL);
  return entries != NULL ? (int) entries->len : -1;
}

static void
test_roles_and_slots (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) leader = vp_test_create_store (dir);
  g_autoptr(VpStore) coach = NULL;
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 coach_id;

  coach_id = vp_store_add_account (leader, "Coach Anna", "coach", COACH_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (coach_id, >, 0);
  g_assert_cmpint (vp_store_add_account (leader, "Short", "coach", "short", &error), ==, 0);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  accounts = vp_store_list_accounts (leader, &error);
  g_assert_cmpuint (accounts->len, ==, 2);

  /* Each account unlocks with its own passphrase, and has its own role. */
  coach = vp_store_open (dir, COACH_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (vp_store_get_account_id (coach), ==, coach_id);
  g_assert_cmpstr (vp_store_get_account_role (coach), ==, "coach");

  /* A coach cannot manage accounts. */
  g_assert_cmpint (vp_store_add_account (coach, "Other", "coach", "another passphrase", &error), ==, 0);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_false (vp_store_reset_passphrase (coach, coach_id, "my own new one", &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  vp_store_close (coach);
  g_clear_object (&coach);

  /* Changing a passphrase rewrites a key slot; the database keeps its key. */
  coach = vp_store_open (dir, COACH_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_false (vp_store_change_passphrase (coach, "not my passphrase", "a new passphrase", &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  g_assert_true (vp_store_change_passphrase (coach, COACH_PASSPHRASE, "a new passphrase", &error));
  g_assert_no_error (error);
  vp_store_close (coach);
  g_clear_object (&coach);
  vp_store_close (leader);
  g_assert_null (vp_store_open (dir, COACH_PASSPHRASE, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  coach = vp_store_open (dir, "a new passphrase", &error);
  g_assert_no_error (error);
  vp_store_close (coach);
  g_clear_object (&coach);

  /* A team leader resets a forgotten passphrase, disables and removes. */
  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_true (vp_store_reset_passphrase (again, coach_id, "reset by the leader", &error));
  g_assert_no_error (error);
  g_assert_true (vp_store_set_account_active (again, coach_id, FALSE, &error));
  g_assert_false (vp_store_set_account_active (again, vp_store_get_account_id (again), FALSE, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_null (vp_store_open (dir, "reset by the leader", &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
  g_assert_nonnull (strstr (error->message, "disabled"));
  g_clear_error (&error);
  g_assert_true (vp_store_set_account_active (again, coach_id, TRUE, &error));
  coach = vp_store_open (dir, "reset by the leader", &error);
  g_assert_no_error (error);
  vp_store_close (coach);
  g_clear_object (&coach);
  g_assert_true (vp_store_remove_account (again, coach_id, &error));
  g_assert_null (vp_store_open (dir, "reset by the leader", &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);

  g_assert_cmpint (audit_count (again, "account_added"), ==, 1);
  g_assert_cmpint (audit_count (again, "passphrase_changed"), ==, 1);
  g_assert_cmpint (audit_count (again, "passphrase_reset"), ==, 1);
  g_assert_cmpint (audit_count (again, "account_removed"), ==, 1);

  vp_test_remove_dir (dir);
}

static void
test_recovery_key (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  VpStoreSetup setup = { "team", "GM0344", "Leader", VP_TEST_PASSPHRASE };
  g_autofree char *recovery = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *keys = g_build_filename (dir, "store.keys", NULL);
  g_autoptr(VpStore) store = NULL;
  g_autoptr(VpStore) recovered = NULL;
  g_autoptr(GError) error = NULL;

  store = vp_store_create (dir, &setup, &recovery, &error);
  g_assert_no_error (error);
  g_assert_nonnull (recovery);
  g_assert_cmpuint (strlen (recovery), ==, 39);
  g_assert_false (vp_test_file_contains (keys, recovery));
  vp_store_close (store);

  g_assert_null (vp_store_open_with_recovery_key (dir, "ABCD", &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);

  /* Typed sloppily: lower case, spaces instead of dashes. */
  typed = g_ascii_strdown (recovery, -1);
  g_strdelimit (typed, "-", ' ');
  recovered = vp_store_open_with_recovery_key (dir, typed, &error);
  g_assert_no_error (error);
  g_assert_true (vp_store_needs_new_passphrase (recovered));
  g_assert_cmpstr (vp_store_get_account_role (recovered), ==, "team_leader");
  g_assert_cmpint (audit_count (recovered, "recovery_key_used"), ==, 1);

  /* A new passphrase is forced; then the old one is gone. */
  g_assert_true (vp_store_reset_passphrase (recovered, vp_store_get_account_id (recovered),
                                            "after recovery passphrase", &error));
  g_assert_no_error (error);
  g_assert_false (vp_store_needs_new_passphrase (recovered));
  vp_store_close (recovered);
  g_assert_null (vp_store_open (dir, VP_TEST_PASSPHRASE, &error));
  g_clear_error (&error);
  g_clear_object (&store);
  store = vp_store_open (dir, "after recovery passphrase", &error);
  g_assert_no_error (error);

  vp_test_remove_dir (dir);
}

/* Slots made with weaker KDF parameters are strengthened on unlock. */
static void
test_kdf_upgrade (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autofree char *keys = g_build_filename (dir, "store.keys", NULL);
  g_autoptr(GPtrArray) slots = vp_key_slots_load (keys, NULL);
  g_autoptr(GPtrArray) weak = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_key_slot_free);
  g_autoptr(GPtrArray) reloaded = NULL;
  g_autoptr(VpStore) again = NULL;
  g_autoptr(GError) error = NULL;
  const VpKeySlot *first = g_ptr_array_index (slots, 0);

  g_ptr_array_add (weak, vp_key_slot_new_wrapped (_vp_store_get_key (store), first->id, "passphrase",
                                                   first->account_id, VP_TEST_PASSPHRASE, 12, NULL));
  g_assert_true (vp_key_slots_save (keys, weak, NULL));
  vp_store_close (store);

  again = vp_store_open (dir, VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  reloaded = vp_key_slots_load (keys, NULL);
  g_assert_cmpuint (((VpKeySlot *) g_ptr_array_index (reloaded, 0))->n_log2, ==, VP_SCRYPT_DEFAULT_N_LOG2);

  vp_test_remove_dir (dir);
}

static void
set_last_failure (const char *dir,
                  gint64      when)
{
  g_autofree char *keys = g_build_filename (dir, "store.keys", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_auto(GStrv) groups = NULL;

  g_assert_true (g_key_file_load_from_file (kf, keys, G_KEY_FILE_KEEP_COMMENTS, NULL));
  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (g_key_file_has_key (kf, groups[i], "last-failure", NULL))
      g_key_file_set_int64 (kf, groups[i], "last-failure", when);
  g_assert_true (g_key_file_save_to_file (kf, keys, NULL));
}

/* Wrong passphrases slow down further attempts on that account, across
 * restarts (the counter lives in the key file), and delete nothing. */
static void
test_failed_unlock_delay (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) leader = vp_test_create_store (dir);
  g_autoptr(VpStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (vp_store_add_account (leader, "Coach Bram", "coach", COACH_PASSPHRASE, &error), >, 0);
  vp_store_close (leader);
  g_assert_cmpuint (vp_store_count_accounts (dir), ==, 2);

  for (int i = 0; i < 3; i++)
    {
      g_assert_null (vp_store_open_account (dir, "Coach Bram", "guess number one", &error));
      g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);
      g_clear_error (&error);
    }
  /* Now even the right passphrase has to wait... */
  g_assert_null (vp_store_open_account (dir, "Coach Bram", COACH_PASSPHRASE, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_nonnull (strstr (error->message, "Try again"));
  g_clear_error (&error);

  /* ...but only for that account (names match in any case). */
  store = vp_store_open_account (dir, "  test leader ", VP_TEST_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  /* Time passes (the laptop may have restarted): the store opens, intact. */
  set_last_failure (dir, g_get_real_time () / G_USEC_PER_SEC - 3600);
  store = vp_store_open_account (dir, "Coach Bram", COACH_PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vp_store_get_account_role (store), ==, "coach");
  g_clear_object (&store);

  /* A success resets the counter. */
  g_assert_null (vp_store_open_account (dir, "Coach Bram", "one more wrong guess", &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE);

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/accounts/roles-and-slots", test_roles_and_slots);
  g_test_add_func ("/accounts/recovery-key", test_recovery_key);
  g_test_add_func ("/accounts/kdf-upgrade", test_kdf_upgrade);
  g_test_add_func ("/accounts/failed-unlock-delay", test_failed_unlock_delay);

  return g_test_run ();
}
