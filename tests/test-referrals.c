/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "vp-audit.h"
#include "vp-consent.h"
#include "vp-referral.h"
#include "vp-test-util.h"

static GDate *
day (int y,
     int m,
     int d)
{
  return g_date_new_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

static void
test_status_rules (void)
{
  g_autoptr(GDate) expected = day (2026, 4, 7);
  g_autoptr(GDate) on_time = day (2026, 4, 7);
  g_autoptr(GDate) late = day (2026, 4, 8);

  g_assert_cmpint (vp_referral_status (expected, NULL, on_time), ==, VP_REFERRAL_AWAITING);
  g_assert_cmpint (vp_referral_status (expected, NULL, late), ==, VP_REFERRAL_OVERDUE);
  g_assert_cmpint (vp_referral_status (expected, on_time, late), ==, VP_REFERRAL_IN_TIME);
  g_assert_cmpint (vp_referral_status (expected, late, late), ==, VP_REFERRAL_LATE);
  g_assert_cmpstr (vp_referral_status_code (VP_REFERRAL_OVERDUE), ==, "overdue");
}

static gint64
referral (VpStore    *store,
          gint64      client,
          const char *category,
          const char *organisation,
          GDate      *on)
{
  VpReferralInput input = { .client_id = client, .category = category, .organisation = organisation,
                            .referred_on = on, .warm_handover = TRUE };
  g_autoptr(GError) error = NULL;
  gint64 id = vp_store_add_referral (store, &input, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
client_with_consent (VpStore    *store,
                     const char *label)
{
  gint64 id;

  vp_test_register (store, label, 1980, "school", "first", NULL, NULL);
  id = vp_test_count (store, "SELECT max (id) FROM client");
  g_assert_true (vp_store_give_consent (store, id, "referral", "verbal", "nld", "2026-1", NULL));
  return id;
}

static const VpReferral *
find (GPtrArray *list,
      gint64     id)
{
  for (guint i = 0; i < list->len; i++)
    if (((VpReferral *) g_ptr_array_index (list, i))->id == id)
      return g_ptr_array_index (list, i);
  g_assert_not_reached ();
}

/* Deadlines are calendar days: the spring daylight-saving change (29 March
 * 2026) and the year boundary move nothing. */
static void
test_dst_and_year_boundary (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDate) march = day (2026, 3, 10);
  g_autoptr(GDate) december = day (2026, 12, 15);
  g_autoptr(GDate) apr7 = day (2026, 4, 7);
  g_autoptr(GDate) apr8 = day (2026, 4, 8);
  g_autoptr(GDate) jan12 = day (2027, 1, 12);
  g_autoptr(GDate) jan13 = day (2027, 1, 13);
  g_autoptr(GPtrArray) list = NULL;
  gint64 client = client_with_consent (store, "Dates");
  gint64 spring = referral (store, client, "debt", "Schuldhulp", march);
  gint64 winter = referral (store, client, "housing", "Woningcorporatie", december);

  list = vp_store_list_referrals (store, NULL, apr7, NULL);
  g_assert_true (g_date_compare (&find (list, spring)->expected_by, apr7) == 0);
  g_assert_cmpint (find (list, spring)->status, ==, VP_REFERRAL_AWAITING);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = vp_store_list_referrals (store, NULL, apr8, NULL);
  g_assert_cmpint (find (list, spring)->status, ==, VP_REFERRAL_OVERDUE);
  g_assert_true (g_date_compare (&find (list, winter)->expected_by, jan12) == 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  g_assert_true (vp_store_record_feedback (store, winter, jan12, "started", "", NULL));
  g_assert_true (vp_store_record_feedback (store, spring, jan13, "waiting_list", "Placed on the list", NULL));
  list = vp_store_list_referrals (store, NULL, jan13, NULL);
  g_assert_cmpint (find (list, winter)->status, ==, VP_REFERRAL_IN_TIME);
  g_assert_cmpint (find (list, spring)->status, ==, VP_REFERRAL_LATE);

  vp_test_remove_dir (dir);
}

static void
test_store_rules_and_filters (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GDate) today = day (2026, 11, 29);
  g_autoptr(GDate) oct1 = day (2026, 10, 1);
  g_autoptr(GDate) nov20 = day (2026, 11, 20);
  g_autoptr(GDate) nov1 = day (2026, 11, 1);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) organisations = NULL;
  VpReferralFilter filter = { 0 };
  VpReferralInput no_consent = { .category = "debt", .organisation = "X" };
  gint64 amina, bram, overdue, awaiting;

  /* Without referral consent the store refuses, with a clear reason. */
  vp_test_register (store, "NoConsent", 1980, "school", "first", NULL, NULL);
  no_consent.client_id = vp_test_count (store, "SELECT max (id) FROM client");
  g_assert_cmpint (vp_store_add_referral (store, &no_consent, &error), ==, 0);
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED);
  g_clear_error (&error);

  amina = client_with_consent (store, "Amina");
  bram = client_with_consent (store, "Bram");
  /* A per-category period set by the team leader. */
  g_assert_true (vp_store_set_feedback_days (store, "mental_health", 14, &error));
  g_assert_cmpuint (vp_store_get_feedback_days (store, "mental_health"), ==, 14);
  g_assert_cmpuint (vp_store_get_feedback_days (store, "debt"), ==, 28);

  overdue = referral (store, amina, "debt", "Schuldhulp Noord", oct1);
  awaiting = referral (store, bram, "mental_health", "GGZ Centrum", nov20);
  referral (store, bram, "debt", "schuldhulp noord", nov1);

  list = vp_store_list_referrals (store, NULL, today, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpint (((VpReferral *) g_ptr_array_index (list, 0))->id, ==, overdue); /* overdue first */
  g_assert_cmpint (find (list, awaiting)->status, ==, VP_REFERRAL_AWAITING);
  {
    g_autoptr(GDate) dec4 = day (2026, 12, 4);
    g_assert_true (g_date_compare (&find (list, awaiting)->expected_by, dec4) == 0); /* 14 days */
  }
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Filters: category, organisation (any case), period, search. */
  filter.category = "debt";
  list = vp_store_list_referrals (store, &filter, today, NULL);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);
  filter = (VpReferralFilter) { .organisation = "SCHULDHULP NOORD" };
  list = vp_store_list_referrals (store, &filter, today, NULL);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);
  filter = (VpReferralFilter) { .from = nov1 };
  list = vp_store_list_referrals (store, &filter, today, NULL);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);
  filter = (VpReferralFilter) { .search = "amin" };
  list = vp_store_list_referrals (store, &filter, today, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  filter = (VpReferralFilter) { .account_id = vp_store_get_account_id (store) };
  list = vp_store_list_referrals (store, &filter, today, NULL);
  g_assert_cmpuint (list->len, ==, 3);
  g_clear_pointer (&list, g_ptr_array_unref);
  /* One client's, as the client page lists them, also with another filter. */
  filter = (VpReferralFilter) { .client_id = bram };
  list = vp_store_list_referrals (store, &filter, today, NULL);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);
  filter = (VpReferralFilter) { .client_id = bram, .category = "debt" };
  list = vp_store_list_referrals (store, &filter, today, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);

  g_assert_cmpuint (vp_store_count_overdue_referrals (store, today), ==, 1);
  {
    g_autoptr(GArray) counts = vp_store_feedback_counts (store, today, &error);
    VpFeedbackCounts *debt;

    /* Overdue and awaiting apart: the October debt referral is overdue,
     * the two of November await feedback; categories in DESIGN order. */
    g_assert_no_error (error);
    g_assert_cmpuint (counts->len, ==, 2);
    g_assert_cmpstr (g_array_index (counts, VpFeedbackCounts, 0).category, ==, "mental_health");
    g_assert_cmpuint (g_array_index (counts, VpFeedbackCounts, 0).awaiting, ==, 1);
    debt = &g_array_index (counts, VpFeedbackCounts, 1);
    g_assert_cmpstr (debt->category, ==, "debt");
    g_assert_cmpuint (debt->overdue, ==, 1);
    g_assert_cmpuint (debt->awaiting, ==, 1);
    g_assert_cmpuint (debt->in_time + debt->late, ==, 0);
  }
  organisations = vp_store_list_organisations (store, "Sch");
  g_assert_cmpuint (g_strv_length (organisations), ==, 1);

  /* Review: noted and audited, but overdue stays overdue. */
  g_assert_true (vp_store_review_referral (store, overdue, "Called them on Monday", &error));
  list = vp_store_list_referrals (store, NULL, today, NULL);
  g_assert_true (find (list, overdue)->reviewed);
  g_assert_cmpint (find (list, overdue)->status, ==, VP_REFERRAL_OVERDUE);
  g_assert_cmpstr (find (list, overdue)->leader_note, ==, "Called them on Monday");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Bad feedback is refused; withdrawing consent removes the referrals. */
  g_assert_false (vp_store_record_feedback (store, overdue, today, "maybe", NULL, &error));
  g_assert_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (vp_store_withdraw_consent (store, bram, "referral", NULL));
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM referral"), ==, 1);
  g_assert_cmpint (vp_test_count (store, "SELECT count(*) FROM audit_log WHERE record_type = 'referral'"), >=, 4);

  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  vp_test_init_data ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/referrals/status-rules", test_status_rules);
  g_test_add_func ("/referrals/dst-and-year-boundary", test_dst_and_year_boundary);
  g_test_add_func ("/referrals/store-rules-and-filters", test_store_rules_and_filters);

  return g_test_run ();
}
