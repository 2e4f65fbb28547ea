/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reach report's disclosure control against an independent adversary
 * (vp-adversary.c): first the adversary itself on hand-written reports, then
 * thousands of generated months through the real builder, then the share of
 * suppressed values for a realistic team. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp-adversary.h"
#include "vp-disclosure.h"
#include "vp-categories.h"
#include "vp-languages.h"
#include "vp-report.h"
#include "vp-report-json.h"

/* ---- a) the adversary on hand-written reports ------------------------ */

static GPtrArray *
check (const char * const *revisions,
       guint               n,
       guint               k)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *violations = vp_adversary_check (revisions, n, k, &error);

  g_assert_no_error (error);
  g_assert_nonnull (violations);
  for (guint i = 0; i < violations->len; i++)
    g_test_message ("violation: %s", (const char *) g_ptr_array_index (violations, i));
  return violations;
}

static gboolean
mentions (GPtrArray  *violations,
          const char *needle)
{
  for (guint i = 0; i < violations->len; i++)
    if (strstr (g_ptr_array_index (violations, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
assert_interval (const char *json,
                 const char *table,
                 const char *row,
                 const char *column,
                 gint64      lo,
                 gint64      hi)
{
  g_autoptr(GError) error = NULL;
  gint64 l = -1, h = -1;

  g_assert_true (vp_adversary_interval (json, table, row, column, &l, &h, &error));
  g_assert_no_error (error);
  g_assert_cmpint (l, ==, lo);
  g_assert_cmpint (h, ==, hi);
}

/* 20 = 10 + x + 7: the suppressed cell is 3, and so is its column total
 * minus 8. */
#define DIFFERENCING \
  "{\"k\":5,\"tables\":{\"referrals\":{\"cells\":[[10,null,7],[6,8,9]]," \
  "\"column_totals\":[16,null,16],\"columns\":[\"in_time\",\"late\",\"awaiting\"]," \
  "\"dimensions\":[\"referral_category\",\"feedback_status\"],\"row_totals\":[20,23]," \
  "\"rows\":[\"debt\",\"housing\"],\"total\":43}}}"

static void
test_differencing (void)
{
  const char *revs[] = { DIFFERENCING };
  g_autoptr(GPtrArray) v = check (revs, 1, 5);

  assert_interval (DIFFERENCING, "referrals", "debt", "late", 3, 3);
  assert_interval (DIFFERENCING, "referrals", NULL, "late", 11, 11);
  assert_interval (DIFFERENCING, "referrals", "debt", NULL, 20, 20);
  g_assert_true (mentions (v, "referrals[debt,late] suppressed but lies in [3, 3]"));
  g_assert_true (mentions (v, "referrals[*,late] suppressed but lies in [11, 11]"));
  g_assert_cmpuint (v->len, ==, 2);
}

/* Four suppressed cells in a rectangle, with large values around them: each
 * can be anything from 0 to 21. */
#define RECTANGLE \
  "{\"k\":5,\"tables\":{\"referrals\":{\"cells\":[[null,null,20],[null,null,30],[25,35,40]]," \
  "\"column_totals\":[46,60,90],\"columns\":[\"in_time\",\"late\",\"awaiting\"]," \
  "\"dimensions\":[\"referral_category\",\"feedback_status\"],\"row_totals\":[42,54,100]," \
  "\"rows\":[\"debt\",\"housing\",\"work\"],\"total\":196}}}"

static void
test_protected_rectangle (void)
{
  const char *revs[] = { RECTANGLE, RECTANGLE };
  g_autoptr(GPtrArray) v = check (revs, 2, 5);

  g_assert_cmpuint (v->len, ==, 0);
  assert_interval (RECTANGLE, "referrals", "debt", "in_time", 0, 21);
  assert_interval (RECTANGLE, "referrals", "debt", "late", 1, 22);
  assert_interval (RECTANGLE, "referrals", "housing", "in_time", 0, 21);
  assert_interval (RECTANGLE, "referrals", "housing", "late", 3, 24);
  assert_interval (RECTANGLE, "referrals", "work", "awaiting", 40, 40);

  /* The same rectangle is not enough at k = 25. */
  {
    g_autoptr(GPtrArray) v25 = check (revs, 1, 25);
    g_assert_true (mentions (v25, "referrals[debt,in_time] suppressed but lies in [0, 21]"));
  }
}

/* A suppressed cell with nothing around it published is unbounded. */
#define OPEN \
  "{\"k\":5,\"tables\":{\"first_contacts_by_language\":{\"cells\":[null,null,12]," \
  "\"dimensions\":[\"language\"],\"rows\":[\"ara\",\"tur\",\"not_recorded\"],\"total\":null}}}"

static void
test_unbounded (void)
{
  const char *revs[] = { OPEN };
  g_autoptr(GPtrArray) v = check (revs, 1, 5);

  g_assert_cmpuint (v->len, ==, 0);
  assert_interval (OPEN, "first_contacts_by_language", "ara", NULL, 0, VP_ADVERSARY_UNBOUNDED);
  assert_interval (OPEN, "first_contacts_by_language", NULL, NULL, 12, VP_ADVERSARY_UNBOUNDED);
  assert_interval (OPEN, "first_contacts_by_language", "not_recorded", NULL, 12, 12);
}

/* early_reach protects its column total within its own table, but
 * first_contacts_by_age_language publishes the same number. */
#define AGE_LANGUAGE \
  "\"first_contacts_by_age_language\":{\"cells\":[[14,10],[16,12]],\"column_totals\":[30,22]," \
  "\"columns\":[\"sufficient\",\"not_recorded\"],\"dimensions\":[\"age_band\",\"dutch_proficiency\"]," \
  "\"row_totals\":[24,28],\"rows\":[\"18-24\",\"25-64\"],\"total\":52}"
#define EARLY_REACH \
  "\"early_reach\":{\"cells\":[[null,10],[null,12]],\"column_totals\":[null,22]," \
  "\"columns\":[\"sufficient\",\"not_recorded\"],\"dimensions\":[\"stage\",\"dutch_proficiency\"]," \
  "\"row_totals\":[null,null],\"rows\":[\"prevention\",\"early\"],\"total\":null}"
#define LINKED "{\"k\":5,\"tables\":{" AGE_LANGUAGE "," EARLY_REACH "}}"
#define UNLINKED "{\"k\":5,\"tables\":{" EARLY_REACH "}}"

static void
test_linked_tables (void)
{
  const char *linked[] = { LINKED };
  const char *unlinked[] = { UNLINKED };
  g_autoptr(GPtrArray) v = check (linked, 1, 5);
  g_autoptr(GPtrArray) u = check (unlinked, 1, 5);

  assert_interval (UNLINKED, "early_reach", NULL, "sufficient", 0, VP_ADVERSARY_UNBOUNDED);
  g_assert_cmpuint (u->len, ==, 0);

  assert_interval (LINKED, "early_reach", NULL, "sufficient", 30, 30);
  assert_interval (LINKED, "early_reach", NULL, NULL, 52, 52);
  assert_interval (LINKED, "early_reach", "prevention", "sufficient", 0, 30);
  g_assert_true (mentions (v, "early_reach[*,sufficient] suppressed but lies in [30, 30]"));
  g_assert_true (mentions (v, "early_reach[*,*] suppressed but lies in [52, 52]"));
}

/* contacts[school, first] is the row total of first_contacts_by_route, and
 * interpreter_use counts the same contacts as contacts. */
#define CONTACTS \
  "\"contacts\":{\"cells\":[[null,40],[null,null]],\"column_totals\":[null,null]," \
  "\"columns\":[\"first\",\"follow_up\"],\"dimensions\":[\"location_type\",\"contact_kind\"]," \
  "\"row_totals\":[null,20],\"rows\":[\"school\",\"street\"],\"total\":null}"
#define ROUTE \
  "\"first_contacts_by_route\":{\"cells\":[[null,null],[null,null]],\"column_totals\":[null,null]," \
  "\"columns\":[\"outreach\",\"walk_in\"],\"dimensions\":[\"location_type\",\"initiated_by\"]," \
  "\"row_totals\":[%s,null],\"rows\":[\"school\",\"street\"],\"total\":null}"
#define INTERPRETER \
  "\"interpreter_use\":{\"cells\":[[null]],\"column_totals\":[null],\"columns\":[\"not_recorded\"]," \
  "\"dimensions\":[\"interpreter_mode\",\"dutch_proficiency\"],\"row_totals\":[null]," \
  "\"rows\":[\"not_recorded\"],\"total\":%s}"

static void
test_contacts_links (void)
{
  g_autofree char *protected = g_strdup_printf ("{\"k\":5,\"tables\":{" CONTACTS "," ROUTE "," INTERPRETER "}}",
                                                "null", "null");
  g_autofree char *route = g_strdup_printf ("{\"k\":5,\"tables\":{" CONTACTS "," ROUTE "," INTERPRETER "}}",
                                            "3", "null");
  g_autofree char *interpreter = g_strdup_printf ("{\"k\":5,\"tables\":{" CONTACTS "," ROUTE "," INTERPRETER "}}",
                                                  "null", "93");
  const char *revs[1];

  revs[0] = protected;
  {
    g_autoptr(GPtrArray) v = check (revs, 1, 5);
    g_assert_cmpuint (v->len, ==, 0);
  }
  assert_interval (protected, "contacts", "school", "first", 0, VP_ADVERSARY_UNBOUNDED);

  /* The route table pins the school's first contacts (and publishes a 3). */
  revs[0] = route;
  {
    g_autoptr(GPtrArray) v = check (revs, 1, 5);
    g_assert_true (mentions (v, "first_contacts_by_route[school,*] published as 3 (below k = 5)"));
    g_assert_true (mentions (v, "contacts[school,first] suppressed but lies in [3, 3]"));
    g_assert_true (mentions (v, "contacts[school,*] suppressed but lies in [43, 43]"));
  }

  /* interpreter_use's total is all contacts: 93 - 40 - 20 = 33 at schools. */
  revs[0] = interpreter;
  {
    g_autoptr(GPtrArray) v = check (revs, 1, 5);
    g_assert_true (mentions (v, "contacts[school,first] suppressed but lies in [33, 33]"));
    g_assert_true (mentions (v, "contacts[*,*] suppressed but lies in [93, 93]"));
  }
}

/* A published count of 3 at k = 5 (and its neighbours thereby pinned), but
 * at k = 3 it is fine. */
#define SMALL \
  "{\"k\":5,\"tables\":{\"first_contacts_by_language\":{\"cells\":[3,0,null,null]," \
  "\"dimensions\":[\"language\"],\"rows\":[\"ara\",\"tur\",\"som\",\"not_recorded\"],\"total\":30}}}"

static void
test_small_published (void)
{
  const char *revs[] = { SMALL };
  g_autoptr(GPtrArray) v5 = check (revs, 1, 5);
  g_autoptr(GPtrArray) v3 = check (revs, 1, 3);

  g_assert_true (mentions (v5, "first_contacts_by_language[ara,*] published as 3 (below k = 5)"));
  g_assert_false (mentions (v5, "tur"));
  g_assert_cmpuint (v5->len, ==, 1);
  g_assert_cmpuint (v3->len, ==, 0);
  assert_interval (SMALL, "first_contacts_by_language", "som", NULL, 0, 27);
}

#define REV(cell, column, row, total) \
  "{\"k\":5,\"tables\":{\"referrals\":{\"cells\":[[null,null,20],[null,null,30],[25,35," cell "]]," \
  "\"column_totals\":[46,60," column "],\"columns\":[\"in_time\",\"late\",\"awaiting\"]," \
  "\"dimensions\":[\"referral_category\",\"feedback_status\"],\"row_totals\":[42,54," row "]," \
  "\"rows\":[\"debt\",\"housing\",\"work\"],\"total\":" total "}}}"

static void
test_revisions (void)
{
  /* 40 -> 42: each revision on its own is protected, the change is not. */
  const char *two[] = { REV ("40", "90", "100", "196"), REV ("42", "92", "102", "198") };
  /* 40 -> 50 -> 42: every step is large, but the first and the last
   * revision differ by 2. */
  const char *three[] = { REV ("40", "90", "100", "196"), REV ("50", "100", "110", "206"),
                          REV ("42", "92", "102", "198") };
  /* 40 -> 45 -> 45: a change of k is fine, as is no change. */
  const char *fine[] = { REV ("40", "90", "100", "196"), REV ("45", "95", "105", "201"),
                         REV ("45", "95", "105", "201") };

  {
    g_autoptr(GPtrArray) v = check (two, 1, 5);
    g_assert_cmpuint (v->len, ==, 0);
  }
  {
    g_autoptr(GPtrArray) v = check (two + 1, 1, 5);
    g_assert_cmpuint (v->len, ==, 0);
  }
  {
    g_autoptr(GPtrArray) v = check (two, 2, 5);
    g_assert_true (mentions (v, "revisions 1 -> 2: referrals[work,awaiting] moves by +2 (40 -> 42, k = 5)"));
    g_assert_true (mentions (v, "revisions 1 -> 2: referrals[*,awaiting] moves by +2"));
    g_assert_true (mentions (v, "revisions 1 -> 2: referrals[work,*] moves by +2"));
    g_assert_true (mentions (v, "revisions 1 -> 2: referrals[*,*] moves by +2"));
    g_assert_cmpuint (v->len, ==, 4);
  }
  {
    g_autoptr(GPtrArray) v = check (three, 3, 5);
    g_assert_true (mentions (v, "revisions 1 -> 3: referrals[work,awaiting] moves by +2"));
    g_assert_false (mentions (v, "revisions 1 -> 2"));
    g_assert_false (mentions (v, "revisions 2 -> 3"));
    g_assert_cmpuint (v->len, ==, 4);
  }
  {
    g_autoptr(GPtrArray) v = check (fine, 3, 5);
    g_assert_cmpuint (v->len, ==, 0);
  }
}

/* A cell suppressed in one revision and published in the next: the
 * interval of the change is that of the suppressed value. */
static void
test_revision_interval (void)
{
  /* The total is suppressed in the first revision, published as 22 in
   * the second, which pins ara and tur to [0, 2] there. */
  const char *a =
    "{\"k\":5,\"tables\":{\"first_contacts_by_language\":{\"cells\":[null,null,20]," \
    "\"dimensions\":[\"language\"],\"rows\":[\"ara\",\"tur\",\"not_recorded\"],\"total\":null}}}";
  const char *b =
    "{\"k\":5,\"tables\":{\"first_contacts_by_language\":{\"cells\":[null,null,20]," \
    "\"dimensions\":[\"language\"],\"rows\":[\"ara\",\"tur\",\"not_recorded\"],\"total\":22}}}";
  const char *revs[] = { a, b };
  g_autoptr(GPtrArray) v = check (revs, 2, 5);

  /* b alone: ara and tur in [0, 2] */
  g_assert_true (mentions (v, "revision 2: first_contacts_by_language[ara,*] suppressed but lies in [0, 2]"));
  /* a's ara is unbounded, so the change is not narrow. */
  g_assert_false (mentions (v, "revisions 1 -> 2"));
}

static void
test_inconsistent (void)
{
  const char *bad =
    "{\"k\":5,\"tables\":{\"first_contacts_by_language\":{\"cells\":[10,null,20]," \
    "\"dimensions\":[\"language\"],\"rows\":[\"ara\",\"tur\",\"not_recorded\"],\"total\":25}}}";
  const char *bad_link =
    "{\"k\":5,\"tables\":{\"first_contacts_by_language\":{\"cells\":[10,20]," \
    "\"dimensions\":[\"language\"],\"rows\":[\"ara\",\"not_recorded\"],\"total\":30}," \
    "\"early_reach\":{\"cells\":[[31]],\"column_totals\":[31],\"columns\":[\"not_recorded\"]," \
    "\"dimensions\":[\"stage\",\"dutch_proficiency\"],\"row_totals\":[31],\"rows\":[\"not_recorded\"],\"total\":31}}}";
  const char *revs[1];
  g_autoptr(GError) error = NULL;
  gint64 lo, hi;

  revs[0] = bad;
  {
    g_autoptr(GPtrArray) v = check (revs, 1, 5);
    g_assert_true (mentions (v, "revision 1: inconsistent"));
  }
  revs[0] = bad_link;
  {
    g_autoptr(GPtrArray) v = check (revs, 1, 5);
    g_assert_true (mentions (v, "revision 1: inconsistent"));
  }
  g_assert_false (vp_adversary_interval (bad, "first_contacts_by_language", "tur", NULL, &lo, &hi, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  revs[0] = "{\"tables\":{\"x\":{\"cells\":[1.5],\"rows\":[\"a\"],\"total\":1.5}}}";
  g_assert_null (vp_adversary_check (revs, 1, 5, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  revs[0] = "not json";
  g_assert_null (vp_adversary_check (revs, 1, 5, &error));
  g_assert_nonnull (error);
}

/* ---- facts: a month's contacts and referrals, generated --------------- */

typedef struct {
  const char *age;
  const char *proficiency;
  const char *language;
  gboolean    withdrawn;  /* consent withdrawn: no proficiency, language, interpreter */
} Client;

typedef struct {
  gint64      client;
  const char *location_type;
  const char *kind;
  const char *initiated_by;
  const char *stage;
  const char *interpreter;
  gboolean    deleted;
} Contact;

typedef struct {
  gint64      client;
  const char *category;
  const char *status;
  gboolean    deleted;
} Referral;

/* A skewed choice among a dimension's codes: a random order, then Zipf
 * weights 1/rank^s, over only the first `active` codes when sparse. */
typedef struct {
  guint        n;
  const char **codes;
  double      *cumulative;
} Picker;

typedef struct {
  GRand      *rand;
  double      p_null;
  GHashTable *clients;   /* gint64 * -> Client * */
  GArray     *contacts;  /* Contact */
  GArray     *referrals; /* Referral */
  gint64      next_new;
  gint64      next_old;
  GArray     *new_ids;   /* gint64: clients first met this month */
  GArray     *old_ids;   /* gint64: clients met before */
  Picker      location, kind, initiated, stage, interpreter, age, proficiency, language,
              category, status;
} Month;

static void
picker_init (Picker      *p,
             GRand       *rand,
             const char **codes,
             guint        n,
             double       s,
             gboolean     sparse)
{
  guint active = sparse ? (guint) g_rand_int_range (rand, 1, (gint32) n + 1) : n;
  double sum = 0;

  p->n = n;
  p->codes = g_new (const char *, n);
  p->cumulative = g_new (double, n);
  memcpy (p->codes, codes, n * sizeof (const char *));
  for (guint i = n; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
      const char *t = p->codes[i - 1];
      p->codes[i - 1] = p->codes[j];
      p->codes[j] = t;
    }
  for (guint i = 0; i < n; i++)
    {
      sum += i < active ? 1.0 / pow (i + 1, s) : 0.0;
      p->cumulative[i] = sum;
    }
  for (guint i = 0; i < n; i++)
    p->cumulative[i] /= sum;
}

static void
picker_clear (Picker *p)
{
  g_free (p->codes);
  g_free (p->cumulative);
}

static const char *
pick (Picker *p,
      GRand  *rand)
{
  double x = g_rand_double (rand);

  for (guint i = 0; i < p->n; i++)
    if (x < p->cumulative[i])
      return p->codes[i];
  return p->codes[p->n - 1];
}

/* NULL (not recorded) with the month's probability. */
static const char *
pick_or_null (Month  *m,
              Picker *p)
{
  if (g_rand_double (m->rand) < m->p_null)
    return NULL;
  return pick (p, m->rand);
}

static void
category_picker (Picker     *p,
                 GRand      *rand,
                 VpCategory  category,
                 double      s,
                 gboolean    sparse)
{
  guint n = 0;
  const VpCategoryEntry *e = vp_category_entries (category, &n);
  g_autofree const char **codes = g_new (const char *, n);

  for (guint i = 0; i < n; i++)
    codes[i] = e[i].code;
  picker_init (p, rand, codes, n, s, sparse);
}

static void
month_init (Month  *m,
            GRand  *rand,
            double  s,
            gboolean sparse,
            double  p_null)
{
  guint n = 0;
  const VpLanguage *langs = vp_languages (&n);
  g_autofree const char **codes = g_new (const char *, n);

  memset (m, 0, sizeof *m);
  m->rand = rand;
  m->p_null = p_null;
  m->clients = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  m->contacts = g_array_new (FALSE, FALSE, sizeof (Contact));
  m->referrals = g_array_new (FALSE, FALSE, sizeof (Referral));
  m->new_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  m->old_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  m->next_new = 1;
  m->next_old = 1000000;

  category_picker (&m->location, rand, VP_CATEGORY_LOCATION_TYPE, s, sparse);
  category_picker (&m->kind, rand, VP_CATEGORY_CONTACT_KIND, 0, FALSE);
  category_picker (&m->initiated, rand, VP_CATEGORY_INITIATED_BY, s, sparse);
  category_picker (&m->stage, rand, VP_CATEGORY_STAGE, s, sparse);
  category_picker (&m->interpreter, rand, VP_CATEGORY_INTERPRETER_MODE, s, sparse);
  category_picker (&m->age, rand, VP_CATEGORY_AGE_BAND, s, sparse);
  category_picker (&m->proficiency, rand, VP_CATEGORY_DUTCH_PROFICIENCY, s, sparse);
  category_picker (&m->category, rand, VP_CATEGORY_REFERRAL_CATEGORY, s, sparse);
  category_picker (&m->status, rand, VP_CATEGORY_FEEDBACK_STATUS, s, sparse);
  for (guint i = 0; i < n; i++)
    codes[i] = langs[i].code;
  picker_init (&m->language, rand, codes, n, s, sparse);
}

static void
month_clear (Month *m)
{
  g_hash_table_unref (m->clients);
  g_array_unref (m->contacts);
  g_array_unref (m->referrals);
  g_array_unref (m->new_ids);
  g_array_unref (m->old_ids);
  picker_clear (&m->location);
  picker_clear (&m->kind);
  picker_clear (&m->initiated);
  picker_clear (&m->stage);
  picker_clear (&m->interpreter);
  picker_clear (&m->age);
  picker_clear (&m->proficiency);
  picker_clear (&m->language);
  picker_clear (&m->category);
  picker_clear (&m->status);
}

static gint64
new_client (Month   *m,
            gboolean old)
{
  Client *c = g_new0 (Client, 1);
  gint64 id = old ? m->next_old++ : m->next_new++;

  c->age = pick_or_null (m, &m->age);
  c->proficiency = pick_or_null (m, &m->proficiency);
  c->language = pick_or_null (m, &m->language);
  g_hash_table_insert (m->clients, g_memdup2 (&id, sizeof id), c);
  g_array_append_val (old ? m->old_ids : m->new_ids, id);
  return id;
}

static void
add_contact (Month      *m,
             gint64      client,
             const char *kind)
{
  Contact c = {
    .client = client,
    .location_type = pick (&m->location, m->rand),
    .kind = kind,
    .initiated_by = pick (&m->initiated, m->rand),
    .stage = pick_or_null (m, &m->stage),
    .interpreter = pick_or_null (m, &m->interpreter),
  };
  g_array_append_val (m->contacts, c);
}

/* A client for a follow-up: one first met this month, or (skewed, so that
 * some have many contacts) one met before. */
static gint64
follow_up_client (Month *m)
{
  if (m->new_ids->len > 0 && g_rand_boolean (m->rand))
    {
      guint i = (guint) g_rand_int_range (m->rand, 0, (gint32) m->new_ids->len);
      return g_array_index (m->new_ids, gint64, i);
    }
  if (m->old_ids->len == 0 || g_rand_double (m->rand) < 0.4)
    return new_client (m, TRUE);
  {
    /* Quadratic skew towards the first old clients. */
    double x = g_rand_double (m->rand);
    guint i = (guint) (x * x * m->old_ids->len);
    return g_array_index (m->old_ids, gint64, MIN (i, m->old_ids->len - 1));
  }
}

static void
add_first (Month *m)
{
  gint64 id = new_client (m, FALSE);

  add_contact (m, id, "first");
  /* Now and then a client registered twice as first (a data-entry slip). */
  if (g_rand_double (m->rand) < 0.02)
    add_contact (m, id, "first");
}

static void
add_referral (Month *m)
{
  Referral r = { 0 };
  guint n_new = m->new_ids->len, n_old = m->old_ids->len;

  if (n_new + n_old == 0 || g_rand_double (m->rand) < 0.1)
    r.client = new_client (m, TRUE);
  else
    {
      guint i = (guint) g_rand_int_range (m->rand, 0, (gint32) (n_new + n_old));
      r.client = i < n_new ? g_array_index (m->new_ids, gint64, i)
                           : g_array_index (m->old_ids, gint64, i - n_new);
    }
  r.category = pick (&m->category, m->rand);
  r.status = pick (&m->status, m->rand);
  g_array_append_val (m->referrals, r);
}

static Client *
client_of (Month  *m,
           gint64  id)
{
  return g_hash_table_lookup (m->clients, &id);
}

/* ---- the builder, fed with the facts ----------------------------------- */

static VpReport *
build_report (Month     *m,
              const char *period,
              guint      k,
              guint      revision)
{
  g_autoptr(GError) error = NULL;
  VpReport *r = vp_report_new (period, k);

  for (guint i = 0; i < m->contacts->len; i++)
    {
      Contact *c = &g_array_index (m->contacts, Contact, i);
      Client *cl = client_of (m, c->client);
      VpReportContact rc = {
        .client_id = c->client,
        .location_type = c->location_type,
        .kind = c->kind,
        .initiated_by = c->initiated_by,
        .age_band = cl->age,
        .dutch_proficiency = cl->withdrawn ? NULL : cl->proficiency,
        .stage = c->stage,
        .interpreter_mode = cl->withdrawn ? NULL : c->interpreter,
        .language = cl->withdrawn ? NULL : cl->language,
      };

      if (!c->deleted)
        vp_report_add_contact (r, &rc);
    }
  for (guint i = 0; i < m->referrals->len; i++)
    {
      Referral *f = &g_array_index (m->referrals, Referral, i);
      VpReportReferral rr = { f->client, f->category, f->status };

      if (!f->deleted)
        vp_report_add_referral (r, &rr);
    }
  if (!vp_report_finish (r, &error))
    g_error ("The builder refused a month: %s", error->message);
  if (r->team == NULL)
    r->team = g_strdup ("TEAM01");
  if (r->installation == NULL)
    r->installation = g_strdup ("00000000-0000-4000-8000-000000000000");
  if (r->municipality == NULL)
    r->municipality = g_strdup ("GM0363");
  if (r->generated_at == NULL)
    r->generated_at = g_strdup ("2026-11-08T09:00:00Z");
  r->revision = revision;
  return r;
}

/* ---- ground truth, counted from the facts without the builder ------------ */

typedef struct {
  gint64      count;
  GHashTable *clients;
} Truth;

static void
truth_free (Truth *t)
{
  g_hash_table_unref (t->clients);
  g_free (t);
}

static void
truth_add1 (GHashTable *truth,
            const char *table,
            const char *row,
            const char *column,
            gint64      client)
{
  g_autofree char *key = vp_adversary_key (table, row, column);
  Truth *t = g_hash_table_lookup (truth, key);

  if (t == NULL)
    {
      t = g_new0 (Truth, 1);
      t->clients = g_hash_table_new (NULL, NULL);
      g_hash_table_insert (truth, g_steal_pointer (&key), t);
    }
  t->count++;
  g_hash_table_add (t->clients, GSIZE_TO_POINTER ((gsize) client));
}

static void
truth_add (GHashTable *truth,
           const char *table,
           const char *row,
           const char *column,
           gboolean    two_d,
           gint64      client)
{
  row = row != NULL ? row : VP_NOT_RECORDED;
  truth_add1 (truth, table, NULL, NULL, client);
  if (two_d)
    {
      column = column != NULL ? column : VP_NOT_RECORDED;
      truth_add1 (truth, table, row, column, client);
      truth_add1 (truth, table, row, NULL, client);
      truth_add1 (truth, table, NULL, column, client);
    }
  else
    truth_add1 (truth, table, row, NULL, client);
}

static GHashTable *
ground_truth (Month *m)
{
  GHashTable *truth = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) truth_free);

  for (guint i = 0; i < m->contacts->len; i++)
    {
      Contact *c = &g_array_index (m->contacts, Contact, i);
      Client *cl = client_of (m, c->client);
      const char *prof = cl->withdrawn ? NULL : cl->proficiency;
      const char *lang = cl->withdrawn ? NULL : cl->language;
      const char *interp = cl->withdrawn ? NULL : c->interpreter;

      if (c->deleted)
        continue;
      truth_add (truth, "contacts", c->location_type, c->kind, TRUE, c->client);
      truth_add (truth, "interpreter_use", interp, prof, TRUE, c->client);
      if (strcmp (c->kind, "first") != 0)
        continue;
      truth_add (truth, "first_contacts_by_route", c->location_type, c->initiated_by, TRUE, c->client);
      truth_add (truth, "first_contacts_by_age_language", cl->age, prof, TRUE, c->client);
      truth_add (truth, "early_reach", c->stage, prof, TRUE, c->client);
      truth_add (truth, "first_contacts_by_language", lang, NULL, FALSE, c->client);
    }
  for (guint i = 0; i < m->referrals->len; i++)
    {
      Referral *f = &g_array_index (m->referrals, Referral, i);
      if (!f->deleted)
        truth_add (truth, "referrals", f->category, f->status, TRUE, f->client);
    }
  return truth;
}

/* ---- walking a report's values ------------------------------------------- */

typedef void (*ValueFunc) (const char *table,
                           const char *row,
                           const char *column,
                           gboolean    is_cell,
                           JsonNode   *value,
                           gpointer    data);

static void
walk_array (JsonObject  *t,
            const char  *member,
            const char  *table,
            JsonArray   *codes,
            gboolean     rows,
            ValueFunc    func,
            gpointer     data)
{
  JsonArray *a = json_object_get_array_member (t, member);

  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *code = json_array_get_string_element (codes, i);
      func (table, rows ? code : NULL, rows ? NULL : code, FALSE, json_array_get_element (a, i), data);
    }
}

static void
walk_values (const char *json,
             ValueFunc   func,
             gpointer    data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *tables;
  g_autoptr(GList) names = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  tables = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "tables");
  names = json_object_get_members (tables);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *t = json_object_get_object_member (tables, l->data);
      JsonArray *rows = json_object_get_array_member (t, "rows");
      JsonArray *cells = json_object_get_array_member (t, "cells");

      if (json_object_has_member (t, "columns"))
        {
          JsonArray *columns = json_object_get_array_member (t, "columns");

          for (guint r = 0; r < json_array_get_length (rows); r++)
            {
              JsonArray *line = json_array_get_array_element (cells, r);
              for (guint c = 0; c < json_array_get_length (columns); c++)
                func (l->data, json_array_get_string_element (rows, r),
                      json_array_get_string_element (columns, c), TRUE,
                      json_array_get_element (line, c), data);
            }
          walk_array (t, "row_totals", l->data, rows, TRUE, func, data);
          walk_array (t, "column_totals", l->data, columns, FALSE, func, data);
        }
      else
        for (guint r = 0; r < json_array_get_length (rows); r++)
          func (l->data, json_array_get_string_element (rows, r), NULL, TRUE,
                json_array_get_element (cells, r), data);
      func (l->data, NULL, NULL, FALSE, json_object_get_member (t, "total"), data);
    }
}

/* A report with the tables of @json and every value as @func gives it
 * (-1: suppressed). */
typedef gint64 (*RewriteFunc) (const char *table,
                               const char *row,
                               const char *column,
                               gpointer    data);

static void
rewrite_array (JsonBuilder *b,
               const char  *member,
               const char  *table,
               JsonArray   *rows,
               JsonArray   *columns,
               RewriteFunc  func,
               gpointer     data)
{
  guint n = json_array_get_length (rows != NULL ? rows : columns);

  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      gint64 v = func (table, rows != NULL ? json_array_get_string_element (rows, i) : NULL,
                       columns != NULL ? json_array_get_string_element (columns, i) : NULL, data);
      if (v < 0)
        json_builder_add_null_value (b);
      else
        json_builder_add_int_value (b, v);
    }
  json_builder_end_array (b);
}

static char *
rewrite_values (const char  *json,
                RewriteFunc  func,
                gpointer     data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *tables;
  g_autoptr(GList) names = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  tables = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "tables");
  names = json_object_get_members (tables);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tables");
  json_builder_begin_object (b);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *t = json_object_get_object_member (tables, l->data);
      JsonArray *rows = json_object_get_array_member (t, "rows");
      JsonArray *columns = json_object_has_member (t, "columns") ? json_object_get_array_member (t, "columns") : NULL;
      gint64 v;

      json_builder_set_member_name (b, l->data);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rows");
      json_builder_add_value (b, json_node_copy (json_object_get_member (t, "rows")));
      if (columns != NULL)
        {
          json_builder_set_member_name (b, "columns");
          json_builder_add_value (b, json_node_copy (json_object_get_member (t, "columns")));
          json_builder_set_member_name (b, "cells");
          json_builder_begin_array (b);
          for (guint r = 0; r < json_array_get_length (rows); r++)
            {
              json_builder_begin_array (b);
              for (guint c = 0; c < json_array_get_length (columns); c++)
                {
                  v = func (l->data, json_array_get_string_element (rows, r),
                            json_array_get_string_element (columns, c), data);
                  if (v < 0)
                    json_builder_add_null_value (b);
                  else
                    json_builder_add_int_value (b, v);
                }
              json_builder_end_array (b);
            }
          json_builder_end_array (b);
          rewrite_array (b, "row_totals", l->data, rows, NULL, func, data);
          rewrite_array (b, "column_totals", l->data, NULL, columns, func, data);
        }
      else
        rewrite_array (b, "cells", l->data, rows, NULL, func, data);
      json_builder_set_member_name (b, "total");
      v = func (l->data, NULL, NULL, data);
      if (v < 0)
        json_builder_add_null_value (b);
      else
        json_builder_add_int_value (b, v);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

typedef struct {
  GHashTable *truth;
  guint       k;
  GPtrArray  *problems;
} TruthCheck;

static void
check_truth_value (const char *table,
                   const char *row,
                   const char *column,
                   gboolean    is_cell,
                   JsonNode   *value,
                   gpointer    data)
{
  TruthCheck *tc = data;
  g_autofree char *key = vp_adversary_key (table, row, column);
  Truth *t = g_hash_table_lookup (tc->truth, key);
  gint64 count = t != NULL ? t->count : 0;
  guint clients = t != NULL ? g_hash_table_size (t->clients) : 0;

  if (JSON_NODE_HOLDS_NULL (value))
    return;
  if (json_node_get_int (value) != count)
    g_ptr_array_add (tc->problems,
                     g_strdup_printf ("%s published as %" G_GINT64_FORMAT " but the facts count %" G_GINT64_FORMAT,
                                      key, json_node_get_int (value), count));
  if (clients > 0 && clients < tc->k)
    g_ptr_array_add (tc->problems,
                     g_strdup_printf ("%s published (%" G_GINT64_FORMAT ") with only %u distinct clients behind it (k = %u)",
                                      key, json_node_get_int (value), clients, tc->k));
}

typedef struct {
  GHashTable *truth;
  guint       k;
  guint       cells, cells_null, values, values_null, nonzero, nonzero_null, primary;
} Shares;

static void
count_value (const char *table,
             const char *row,
             const char *column,
             gboolean    is_cell,
             JsonNode   *value,
             gpointer    data)
{
  Shares *s = data;
  gboolean null = JSON_NODE_HOLDS_NULL (value);

  s->values++;
  s->values_null += null;
  if (is_cell)
    {
      g_autofree char *key = vp_adversary_key (table, row, column);

      s->cells++;
      s->cells_null += null;
      Truth *t = g_hash_table_lookup (s->truth, key);

      if (t != NULL)
        {
          s->nonzero++;
          s->nonzero_null += null;
          /* Below the threshold itself, not hidden to protect another. */
          s->primary += g_hash_table_size (t->clients) < s->k;
        }
    }
}

/* ---- a) the adversary on the builder's real reports -------------------- */

/* The builder's report of a month with every value replaced by the truth,
 * except those of @null_table (or the one value @null_key), which are
 * suppressed: whatever the rest pins down, the adversary must find. */
typedef struct {
  GHashTable *truth;
  const char *null_table;
  const char *null_key;
  GPtrArray  *keys;       /* every value's key, when not NULL */
  GPtrArray  *expected;   /* messages the adversary must give */
} Reveal;

static gboolean
pinned_by_links (const char *table,
                 const char *row,
                 const char *column)
{
  if (g_str_equal (table, "contacts"))
    return g_strcmp0 (column, "first") == 0 || row == NULL;
  if (g_str_equal (table, "first_contacts_by_route"))
    return column == NULL;
  if (g_str_equal (table, "first_contacts_by_age_language") || g_str_equal (table, "early_reach") ||
      g_str_equal (table, "first_contacts_by_language"))
    return row == NULL;
  if (g_str_equal (table, "interpreter_use"))
    return row == NULL && column == NULL;
  return FALSE;
}

static gint64
reveal_value (const char *table,
              const char *row,
              const char *column,
              gpointer    data)
{
  Reveal *rv = data;
  g_autofree char *key = vp_adversary_key (table, row, column);
  Truth *t = g_hash_table_lookup (rv->truth, key);
  gint64 count = t != NULL ? t->count : 0;

  if (rv->keys != NULL)
    g_ptr_array_add (rv->keys, g_strdup (key));
  if (g_strcmp0 (table, rv->null_table) == 0 || g_strcmp0 (key, rv->null_key) == 0)
    {
      if (rv->null_key != NULL || pinned_by_links (table, row, column))
        g_ptr_array_add (rv->expected,
                         g_strdup_printf ("%s suppressed but lies in [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]",
                                          key, count, count));
      return -1;
    }
  return count;
}

static GPtrArray *
probe (const char *json,
       Reveal     *rv,
       guint       k)
{
  g_autofree char *revealed = NULL;
  const char *revs[1];
  GPtrArray *v;

  rv->expected = g_ptr_array_new_with_free_func (g_free);
  revealed = rewrite_values (json, reveal_value, rv);
  revs[0] = revealed;
  v = vp_adversary_check (revs, 1, k, NULL);
  g_assert_nonnull (v);
  for (guint i = 0; i < v->len; i++)
    g_assert_null (strstr (g_ptr_array_index (v, i), "inconsistent"));
  for (guint i = 0; i < rv->expected->len; i++)
    if (!mentions (v, g_ptr_array_index (rv->expected, i)))
      g_error ("the adversary missed: %s\nin %s", (const char *) g_ptr_array_index (rv->expected, i), revealed);
  g_clear_pointer (&rv->expected, g_ptr_array_unref);
  return v;
}

static void generate_month (Month *m,
                            GRand *rand);

static void
test_builder_probes (void)
{
  static const char *const tables[] = {
    "contacts", "first_contacts_by_route", "first_contacts_by_age_language", "early_reach",
    "interpreter_use", "referrals", "first_contacts_by_language",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint n_probes = 0;

  for (guint i = 0; i < 40; i++)
    {
      Month m;
      g_autoptr(VpReport) r = NULL;
      g_autoptr(GHashTable) truth = NULL;
      g_autofree char *json = NULL;
      g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

      generate_month (&m, rand);
      r = build_report (&m, "2026-10", 5, 1);
      json = vp_report_to_json (r);
      truth = ground_truth (&m);

      /* The truth in full is consistent with the adversary's semantics. */
      {
        Reveal rv = { truth, NULL, NULL, keys, NULL };
        g_autoptr(GPtrArray) v = probe (json, &rv, 5);
      }
      /* Any one value suppressed alone is derivable. */
      for (guint j = 0; j < 8; j++)
        {
          Reveal rv = { truth, NULL, g_ptr_array_index (keys, g_rand_int_range (rand, 0, (gint32) keys->len)), NULL, NULL };
          g_autoptr(GPtrArray) v = probe (json, &rv, 5);
          n_probes++;
        }
      /* A whole table suppressed: what its links pin down. */
      for (guint j = 0; j < G_N_ELEMENTS (tables); j++)
        {
          Reveal rv = { truth, tables[j], NULL, NULL, NULL };
          g_autoptr(GPtrArray) v = probe (json, &rv, 5);

          if (g_str_equal (tables[j], "referrals"))
            g_assert_false (mentions (v, "referrals[") && mentions (v, "suppressed but lies in"));
          n_probes++;
        }
      month_clear (&m);
    }
  g_test_message ("%u probes of the builder's reports", n_probes);
}

/* ---- b) generated months ------------------------------------------------ */

typedef struct {
  guint32 seed;
  guint   n_months;
  guint   n_failed;
  guint   n_revisions;
  guint   n_months_revised;
  gint64  check_usec;
  gint64  build_usec;
  guint   n_checked;
  char   *dump_dir;
} Run;

static guint32
seed_from_env (void)
{
  const char *s = g_getenv ("VP_ADVERSARY_SEED");
  return s != NULL ? (guint32) g_ascii_strtoull (s, NULL, 0) : 20261108u;
}

static guint
months_from_env (const char *name,
                 guint       fallback)
{
  const char *s = g_getenv (name);
  return s != NULL ? (guint) g_ascii_strtoull (s, NULL, 0) : fallback;
}

/* Saves the month's revisions for the report of a failure. */
static char *
dump_month (Run         *run,
            guint        index,
            GPtrArray   *jsons)
{
  g_autoptr(GString) all = g_string_new ("[");
  g_autofree char *path = NULL;

  if (run->dump_dir == NULL)
    run->dump_dir = g_dir_make_tmp ("vp-adversary-XXXXXX", NULL);
  for (guint i = 0; i < jsons->len; i++)
    g_string_append_printf (all, "%s%s\n", i == 0 ? "" : ",", (const char *) g_ptr_array_index (jsons, i));
  g_string_append (all, "]\n");
  path = g_strdup_printf ("%s/month-%u.json", run->dump_dir != NULL ? run->dump_dir : g_get_tmp_dir (), index);
  g_file_set_contents (path, all->str, -1, NULL);
  return g_steal_pointer (&path);
}

static void
report_failure (Run        *run,
                guint       index,
                GPtrArray  *jsons,
                GPtrArray  *problems)
{
  run->n_failed++;
  if (run->n_failed <= 5)
    {
      g_autofree char *path = dump_month (run, index, jsons);

      g_test_message ("seed %u, month %u, %u revision(s), saved in %s:", run->seed, index, jsons->len, path);
      for (guint i = 0; i < MIN (problems->len, 10); i++)
        g_test_message ("  %s", (const char *) g_ptr_array_index (problems, i));
      if (problems->len > 10)
        g_test_message ("  ... and %u more", problems->len - 10);
    }
}

/* Checks a month's revisions: the adversary on all of them together, and
 * each against the facts it was built from. */
static void
check_month (Run       *run,
             guint      index,
             guint      k,
             GPtrArray *jsons,
             GPtrArray *problems)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) violations = NULL;
  gint64 start = g_get_monotonic_time ();

  violations = vp_adversary_check ((const char * const *) jsons->pdata, jsons->len, k, &error);
  run->check_usec += g_get_monotonic_time () - start;
  run->n_checked++;
  if (violations == NULL)
    g_ptr_array_add (problems, g_strdup_printf ("unreadable: %s", error->message));
  else
    for (guint i = 0; i < violations->len; i++)
      g_ptr_array_add (problems, g_strdup (g_ptr_array_index (violations, i)));
  if (problems->len > 0)
    report_failure (run, index, jsons, problems);
}

static guint
pick_k (GRand *rand)
{
  double x = g_rand_double (rand);

  if (x < 0.7)
    return 5;
  if (x < 0.9)
    return 10;
  return (guint) g_rand_int_range (rand, 6, 9);
}

/* Later changes to a month: late contacts, a withdrawn consent, deletions. */
static void
mutate (Month *m)
{
  guint n = (guint) g_rand_int_range (m->rand, 1, 4);

  for (guint i = 0; i < n; i++)
    switch (g_rand_int_range (m->rand, 0, 5))
      {
      case 0: /* late contacts */
        for (int j = g_rand_int_range (m->rand, 1, 5); j > 0; j--)
          if (g_rand_boolean (m->rand))
            add_first (m);
          else
            add_contact (m, follow_up_client (m), "follow_up");
        break;
      case 1: /* consent withdrawn */
        if (m->new_ids->len > 0)
          {
            guint j = (guint) g_rand_int_range (m->rand, 0, (gint32) m->new_ids->len);
            client_of (m, g_array_index (m->new_ids, gint64, j))->withdrawn = TRUE;
          }
        break;
      case 2: /* contacts deleted */
        for (int j = g_rand_int_range (m->rand, 1, 4); j > 0 && m->contacts->len > 0; j--)
          g_array_index (m->contacts, Contact,
                         g_rand_int_range (m->rand, 0, (gint32) m->contacts->len)).deleted = TRUE;
        break;
      case 3: /* a late referral */
        add_referral (m);
        break;
      default: /* a referral deleted (its consent withdrawn) */
        if (m->referrals->len > 0)
          g_array_index (m->referrals, Referral,
                         g_rand_int_range (m->rand, 0, (gint32) m->referrals->len)).deleted = TRUE;
        break;
      }
}

/* Whether @n distinct clients make a small group (1..k-1). */
static gboolean
small_group (GHashTable *truth,
             const char *table,
             const char *row,
             const char *column,
             guint       k)
{
  g_autofree char *key = vp_adversary_key (table, row, column);
  Truth *t = g_hash_table_lookup (truth, key);
  guint n = t != NULL ? g_hash_table_size (t->clients) : 0;

  return n > 0 && n < k;
}

typedef struct {
  GHashTable *truth;
  guint       k;
  gboolean    month_small;
  GPtrArray  *problems;
} GroupCheck;

/* A month, table, row or column behind 1..k-1 clients publishes nothing,
 * zeros included, so that the nulls trace nobody. */
static void
check_small_groups (const char *table,
                    const char *row,
                    const char *column,
                    gboolean    is_cell,
                    JsonNode   *value,
                    gpointer    data)
{
  GroupCheck *gc = data;
  gboolean must_hide = gc->month_small || small_group (gc->truth, table, NULL, NULL, gc->k);

  if (row != NULL && column != NULL)
    must_hide = must_hide || small_group (gc->truth, table, row, NULL, gc->k) ||
                small_group (gc->truth, table, NULL, column, gc->k);
  else if (row != NULL && !is_cell)
    must_hide = must_hide || small_group (gc->truth, table, row, NULL, gc->k);
  else if (column != NULL)
    must_hide = must_hide || small_group (gc->truth, table, NULL, column, gc->k);
  if (must_hide && !JSON_NODE_HOLDS_NULL (value))
    g_ptr_array_add (gc->problems, g_strdup_printf ("%s[%s,%s] belongs to a group of 1..k-1 clients but is published",
                                                    table, row ? row : "*", column ? column : "*"));
}

static gboolean
month_is_small (GHashTable *truth,
                guint       k)
{
  g_autoptr(GHashTable) clients = g_hash_table_new (NULL, NULL);
  const char *tables[] = { "contacts", "referrals" };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *key = vp_adversary_key (tables[i], NULL, NULL);
      Truth *t = g_hash_table_lookup (truth, key);
      GHashTableIter iter;
      gpointer client;

      if (t == NULL)
        continue;
      g_hash_table_iter_init (&iter, t->clients);
      while (g_hash_table_iter_next (&iter, &client, NULL))
        g_hash_table_add (clients, client);
    }
  return g_hash_table_size (clients) > 0 && g_hash_table_size (clients) < k;
}

/* Builds the month's one release and checks it against the facts; returns
 * its JSON (an array of one, as the checks take revisions). A month is
 * released once, so @revise changes the facts before the build instead:
 * late entries and withdrawals of the kind that once made revisions. */
static GPtrArray *
run_month (Run      *run,
           Month    *m,
           guint     index,
           guint     k,
           gboolean  revise,
           GPtrArray *problems,
           Shares   *shares)
{
  GPtrArray *jsons = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(VpReport) r = NULL;
  g_autoptr(GHashTable) truth = NULL;
  char *json;
  gint64 start;

  if (revise)
    mutate (m);
  start = g_get_monotonic_time ();
  r = build_report (m, "2026-10", k, 1);
  run->build_usec += g_get_monotonic_time () - start;
  json = vp_report_to_json (r);
  g_ptr_array_add (jsons, json);

  truth = ground_truth (m);
  {
    TruthCheck tc = { truth, MAX (k, 5), g_ptr_array_new_with_free_func (g_free) };
    GroupCheck gc = { truth, MAX (k, 5), month_is_small (truth, MAX (k, 5)),
                      g_ptr_array_new_with_free_func (g_free) };

    walk_values (json, check_truth_value, &tc);
    walk_values (json, check_small_groups, &gc);
    for (guint i = 0; i < tc.problems->len; i++)
      g_ptr_array_add (problems, g_strdup_printf ("vs the facts: %s",
                                                  (const char *) g_ptr_array_index (tc.problems, i)));
    for (guint i = 0; i < gc.problems->len; i++)
      g_ptr_array_add (problems, g_strdup (g_ptr_array_index (gc.problems, i)));
    g_ptr_array_unref (tc.problems);
    g_ptr_array_unref (gc.problems);
  }
  if (shares != NULL)
    {
      shares->truth = truth;
      walk_values (json, count_value, shares);
      shares->truth = NULL;
    }
  run->n_revisions += jsons->len;
  return jsons;
}

static void
generate_month (Month *m,
                GRand *rand)
{
  double size = g_rand_double (rand);
  double ps[] = { 0.0, 0.05, 0.2, 0.6 };
  guint n_first, n_follow, n_referrals;

  month_init (m, rand, g_rand_double_range (rand, 0.0, 2.5), g_rand_double (rand) < 0.4,
              ps[g_rand_int_range (rand, 0, G_N_ELEMENTS (ps))]);
  if (size < 0.15)
    n_first = (guint) g_rand_int_range (rand, 0, 6);
  else if (size < 0.5)
    n_first = (guint) g_rand_int_range (rand, 6, 31);
  else if (size < 0.85)
    n_first = (guint) g_rand_int_range (rand, 31, 101);
  else
    n_first = (guint) g_rand_int_range (rand, 101, 401);
  n_follow = (guint) (g_rand_double_range (rand, 0.0, 2.5) * n_first) + (guint) g_rand_int_range (rand, 0, 6);
  n_referrals = g_rand_boolean (rand) ? (guint) g_rand_int_range (rand, 0, 81)
                                      : (guint) g_rand_int_range (rand, 0, 16);

  for (guint i = 0; i < n_first; i++)
    add_first (m);
  for (guint i = 0; i < n_follow; i++)
    add_contact (m, follow_up_client (m), "follow_up");
  for (guint i = 0; i < n_referrals; i++)
    add_referral (m);
}

static void
test_random_months (void)
{
  Run run = { 0 };
  g_autoptr(GRand) rand = NULL;
  gint64 start = g_get_monotonic_time ();

  run.seed = seed_from_env ();
  run.n_months = months_from_env ("VP_ADVERSARY_MONTHS", 10000);
  rand = g_rand_new_with_seed (run.seed);
  g_test_message ("seed %u (VP_ADVERSARY_SEED), %u months (VP_ADVERSARY_MONTHS)", run.seed, run.n_months);

  for (guint i = 0; i < run.n_months; i++)
    {
      Month m;
      guint k = pick_k (rand);
      gboolean revise;
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) jsons = NULL;

      generate_month (&m, rand);
      revise = g_rand_double (rand) < 0.3;
      jsons = run_month (&run, &m, i, k, revise, problems, NULL);
      check_month (&run, i, k, jsons, problems);
      month_clear (&m);
    }

  g_test_message ("%u months, %u revisions (%u months with more than one); builder %.2f ms, "
                  "adversary %.2f ms per month on average; %.1f s in all",
                  run.n_months, run.n_revisions, run.n_months_revised,
                  run.build_usec / 1000.0 / MAX (run.n_months, 1),
                  run.check_usec / 1000.0 / MAX (run.n_checked, 1),
                  (g_get_monotonic_time () - start) / 1e6);
  if (run.n_failed > 0)
    {
      g_test_message ("%u of %u months failed (seed %u); the first ones are above", run.n_failed,
                      run.n_months, run.seed);
      g_test_fail ();
    }
  g_free (run.dump_dir);
}

/* ---- d) the cases an independent attack found (../shared/cases) ---------- */

static GStrv
read_case (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("VP_TEST_CASES"), "disclosure", name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (g_getenv ("VP_TEST_CASES"));
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_strchomp (text);
  return g_strsplit (text, "\n", -1);
}

/* a4-subset: 7 first contacts, no follow-ups, from the old builder. With
 * the inequality interpreter_use[*, p] >= age[*, p] the adversary pins a
 * first contact aged 25-64 with little or no Dutch; the builder of today
 * protects such months. */
static void
test_case_subset (void)
{
  g_auto(GStrv) lines = read_case ("a4-subset.jsonl");
  g_autoptr(GPtrArray) v = check ((const char * const *) lines, 1, 5);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  guint failed = 0;

  g_assert_true (mentions (v, "first_contacts_by_age_language[25-64,little_or_none] suppressed but lies in [1, 1]"));

  for (guint i = 0; i < 300; i++)
    {
      Month m;
      g_autoptr(VpReport) r = NULL;
      g_autofree char *json = NULL;
      g_autoptr(GPtrArray) w = NULL;
      const char *revs[1];

      month_init (&m, rand, g_rand_double_range (rand, 0.0, 2.5), FALSE, 0.1);
      for (guint j = 0; j < 7; j++)
        add_first (&m);
      r = build_report (&m, "2026-10", 5, 1);
      json = vp_report_to_json (r);
      revs[0] = json;
      w = vp_adversary_check (revs, 1, 5, NULL);
      if (w->len > 0)
        {
          g_test_message ("month %u: %s", i, (const char *) g_ptr_array_index (w, 0));
          failed++;
        }
      month_clear (&m);
    }
  g_assert_cmpuint (failed, ==, 0);
}

/* a1-monotone and a4-referral-feedback: two revisions of one month. A
 * municipality that assumes counts only grow pins hidden values from the
 * pair; the builder of today never makes a second revision (test-report,
 * test-sync-e2e), so there is no pair to attack. */
static void
test_case_monotone (void)
{
  g_auto(GStrv) lines = read_case ("a1-monotone.jsonl");
  g_auto(GStrv) feedback = read_case ("a4-referral-feedback.jsonl");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) v = NULL;

  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  v = vp_adversary_check_monotone (lines[0], lines[1], 5, &error);
  g_assert_no_error (error);
  g_assert_true (mentions (v, "1/interpreter_use[informal_adult,limited] suppressed but lies in [1, 1]"));

  /* Feedback moves referrals between columns, so there counts do not
   * only grow and the monotone system has no solution; that case is
   * answered by counting feedback as of the due day and releasing once
   * (test-report: /report/released-once, /report/late-feedback). */
  g_assert_cmpuint (g_strv_length (feedback), ==, 2);
}

/* ---- e) ranges at the endpoint --------------------------------------------- */

/* What the endpoint computes from a received report (vp_disclosure_ranges)
 * always contains the truth and the adversary's exact interval, equals it
 * where no inequality is involved (referrals), and its estimates keep
 * every sum. */
static void
check_ranges (VpReport   *built,
              const char *json,
              guint      *n_exact,
              guint      *n_checked)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VpReport) received = vp_report_new_from_json (json, &error);
  g_autoptr(GHashTable) exact = NULL;

  g_assert_no_error (error);
  g_assert_true (vp_disclosure_ranges (received, &error));
  g_assert_no_error (error);
  exact = vp_adversary_intervals (json, &error);
  g_assert_no_error (error);

  for (guint t = 0; t < received->tables->len; t++)
    {
      VpReportTable *table = g_ptr_array_index (received->tables, t);
      VpReportTable *truth = g_ptr_array_index (built->tables, t);
      guint nr = table->rows->len, nc = table->columns->len;

      for (guint v = 0; v < table->n_vars; v++)
        {
          g_autofree char *key = NULL;
          const gint64 *ex;
          guint r = v < nr * nc ? v / nc : v < nr * nc + nr ? v - nr * nc : G_MAXUINT;
          guint c = v < nr * nc ? v % nc : v >= nr * nc + nr && v < nr * nc + nr + nc ? v - nr * nc - nr : G_MAXUINT;

          if (vp_report_table_is_2d (table))
            key = vp_adversary_key (table->def->name, r != G_MAXUINT ? g_ptr_array_index (table->rows, r) : NULL,
                                    c != G_MAXUINT ? g_ptr_array_index (table->columns, c) : NULL);
          else
            key = vp_adversary_key (table->def->name, v < nr ? g_ptr_array_index (table->rows, v) : NULL, NULL);
          ex = g_hash_table_lookup (exact, key);
          g_assert_nonnull (ex);

          g_assert_cmpint (table->lo[v], <=, truth->value[v]);
          g_assert_cmpint (table->hi[v], >=, truth->value[v]);
          g_assert_cmpfloat (table->lo[v], <=, table->estimate[v] + 1e-9);
          g_assert_cmpfloat (table->hi[v], >=, table->estimate[v] - 1e-9);
          g_assert_cmpint (table->lo[v], <=, ex[0]);
          g_assert_true (table->hi[v] == VP_REPORT_UNBOUNDED || (ex[1] != VP_ADVERSARY_UNBOUNDED && table->hi[v] >= ex[1]));
          if (!table->suppressed[v])
            g_assert_cmpfloat (table->estimate[v], ==, table->value[v]);
          if (g_str_equal (table->def->name, "referrals"))
            {
              g_assert_cmpint (table->lo[v], ==, ex[0]);
              g_assert_true ((table->hi[v] == VP_REPORT_UNBOUNDED) == (ex[1] == VP_ADVERSARY_UNBOUNDED));
              if (ex[1] != VP_ADVERSARY_UNBOUNDED)
                g_assert_cmpint (table->hi[v], ==, ex[1]);
            }
          *n_exact += table->lo[v] == ex[0] &&
                      (table->hi[v] == VP_REPORT_UNBOUNDED ? ex[1] == VP_ADVERSARY_UNBOUNDED : table->hi[v] == ex[1]);
          (*n_checked)++;
        }
      /* The estimates keep every row and column sum. */
      if (vp_report_table_is_2d (table))
        for (guint rr = 0; rr < nr; rr++)
          {
            double sum = 0;
            for (guint cc = 0; cc < nc; cc++)
              sum += table->estimate[vp_report_table_cell (table, rr, cc)];
            g_assert_cmpfloat_with_epsilon (sum, table->estimate[vp_report_table_row_total (table, rr)], 1e-6);
          }
    }
}

static void
test_endpoint_ranges (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  guint n_exact = 0, n_checked = 0;

  for (guint i = 0; i < 150; i++)
    {
      Month m;
      g_autoptr(VpReport) r = NULL;
      g_autofree char *json = NULL;

      generate_month (&m, rand);
      r = build_report (&m, "2026-10", pick_k (rand), 1);
      json = vp_report_to_json (r);
      check_ranges (r, json, &n_exact, &n_checked);
      month_clear (&m);
    }
  g_test_message ("%u values, %.1f%% of the ranges exactly the adversary's", n_checked,
                  100.0 * n_exact / MAX (n_checked, 1));
}

/* ---- c) what a realistic team publishes ------------------------------------ */

static void
statistics_at (guint k)
{
  Run run = { 0 };
  Shares shares = { .k = k };
  g_autoptr(GRand) rand = NULL;
  guint n = months_from_env ("VP_ADVERSARY_STAT_MONTHS", 1000);

  run.seed = seed_from_env () + k;
  rand = g_rand_new_with_seed (run.seed);
  for (guint i = 0; i < n; i++)
    {
      Month m;
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) jsons = NULL;
      guint n_first = (guint) g_rand_int_range (rand, 32, 49);
      guint n_follow = (guint) g_rand_int_range (rand, 32, 49);
      guint n_referrals = (guint) g_rand_int_range (rand, 10, 21);

      /* Moderately skewed, every category in use, a few values missing. */
      month_init (&m, rand, 1.0, FALSE, 0.1);
      for (guint j = 0; j < n_first; j++)
        add_first (&m);
      for (guint j = 0; j < n_follow; j++)
        add_contact (&m, follow_up_client (&m), "follow_up");
      for (guint j = 0; j < n_referrals; j++)
        add_referral (&m);
      jsons = run_month (&run, &m, i, k, FALSE, problems, &shares);
      check_month (&run, i, k, jsons, problems);
      month_clear (&m);
    }

  g_test_message ("k = %u, realistic team (~40 first contacts, ~80 contacts, ~15 referrals), %u months: "
                  "%.1f%% of cells suppressed (%.1f%% of the non-zero ones, of which "
                  "%.1f%% below k themselves), "
                  "%.1f%% of all values (totals included); adversary %.2f ms per month",
                  k, n, 100.0 * shares.cells_null / MAX (shares.cells, 1),
                  100.0 * shares.nonzero_null / MAX (shares.nonzero, 1),
                  100.0 * shares.primary / MAX (shares.nonzero, 1),
                  100.0 * shares.values_null / MAX (shares.values, 1),
                  run.check_usec / 1000.0 / MAX (run.n_checked, 1));
  if (run.n_failed > 0)
    {
      g_test_message ("%u of %u months failed (seed %u)", run.n_failed, n, run.seed);
      g_test_fail ();
    }
  g_free (run.dump_dir);
}

static void
test_statistics_k5 (void)
{
  statistics_at (5);
}

static void
test_statistics_k10 (void)
{
  statistics_at (10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/adversary/differencing", test_differencing);
  g_test_add_func ("/adversary/protected-rectangle", test_protected_rectangle);
  g_test_add_func ("/adversary/unbounded", test_unbounded);
  g_test_add_func ("/adversary/linked-tables", test_linked_tables);
  g_test_add_func ("/adversary/contacts-links", test_contacts_links);
  g_test_add_func ("/adversary/small-published", test_small_published);
  g_test_add_func ("/adversary/revisions", test_revisions);
  g_test_add_func ("/adversary/revision-interval", test_revision_interval);
  g_test_add_func ("/adversary/inconsistent", test_inconsistent);
  g_test_add_func ("/adversary/builder-probes", test_builder_probes);
  g_test_add_func ("/adversary/case/subset", test_case_subset);
  g_test_add_func ("/adversary/case/monotone", test_case_monotone);
  g_test_add_func ("/adversary/endpoint-ranges", test_endpoint_ranges);
  g_test_add_func ("/adversary/random-months", test_random_months);
  g_test_add_func ("/adversary/statistics/k5", test_statistics_k5);
  g_test_add_func ("/adversary/statistics/k10", test_statistics_k10);

  return g_test_run ();
}
