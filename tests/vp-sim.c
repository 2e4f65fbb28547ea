/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "vp-categories.h"
#include "vp-language-list.h"
#include "vp-sim.h"

typedef struct {
  const char *age_band;
  const char *proficiency;
  const char *language;
  guint       laptop;
} SimClient;


/* Weights drawn so that each team favours a few categories of its own. */
static void
skew_init (Skew  *skew,
           guint  n,
           GRand *rand)
{
  skew->n = MIN (n, G_N_ELEMENTS (skew->weights));
  for (guint i = 0; i < skew->n; i++)
    {
      double u = g_rand_double_range (rand, 0.01, 1.0);
      skew->weights[i] = u * u * u;
    }
}

static guint
skew_pick (const Skew *skew,
           GRand      *rand)
{
  double total = 0, x;

  for (guint i = 0; i < skew->n; i++)
    total += skew->weights[i];
  x = g_rand_double_range (rand, 0, total);
  for (guint i = 0; i < skew->n; i++)
    if ((x -= skew->weights[i]) <= 0)
      return i;
  return skew->n - 1;
}

static const char *
pick_code (VpCategory  category,
           const Skew *skew,
           GRand      *rand)
{
  guint n = 0;
  const VpCategoryEntry *entries = vp_category_entries (category, &n);
  return entries[MIN (skew_pick (skew, rand), n - 1)].code;
}

static guint
category_size (VpCategory category)
{
  guint n = 0;
  vp_category_entries (category, &n);
  return n;
}

void
vp_sim_team_init (VpSimTeam *team,
                  GRand     *rand)
{
  guint n_languages = 0;

  vp_languages (&n_languages);
  skew_init (&team->location, category_size (VP_CATEGORY_LOCATION_TYPE), rand);
  skew_init (&team->initiator, category_size (VP_CATEGORY_INITIATED_BY), rand);
  skew_init (&team->age, category_size (VP_CATEGORY_AGE_BAND), rand);
  skew_init (&team->proficiency, category_size (VP_CATEGORY_DUTCH_PROFICIENCY), rand);
  skew_init (&team->stage, category_size (VP_CATEGORY_STAGE), rand);
  skew_init (&team->interpreter, category_size (VP_CATEGORY_INTERPRETER_MODE), rand);
  skew_init (&team->language, n_languages, rand);
  skew_init (&team->referral, category_size (VP_CATEGORY_REFERRAL_CATEGORY), rand);
  team->first_per_month = (guint) g_rand_int_range (rand, 20, 81);
  team->follow_ups = g_rand_double_range (rand, 0.5, 1.5);
  team->referrals = g_rand_double_range (rand, 0.15, 0.4);
  team->consent = g_rand_double_range (rand, 0.5, 0.9);
}

GArray *
vp_sim_clients_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (SimClient));
}

/**
 * vp_sim_month:
 * @team: the team
 * @clients: vp_sim_clients_new(), kept from month to month
 * @rand: the random numbers
 * @whole: (nullable): the team's report, fed every contact and referral
 * @laptops: one report per laptop, each fed its own clients'
 * @n_laptops: the number of laptops
 *
 * One team-month: new clients and their first contacts, follow-ups of
 * this and earlier months' clients, and referrals.
 */
void
vp_sim_month (VpSimTeam  *team,
              GArray     *clients,
              GRand      *rand,
              VpReport   *whole,
              VpReport  **laptops,
              guint       n_laptops)
{
  guint n_first = (guint) MAX (1, (int) team->first_per_month + g_rand_int_range (rand, -8, 9));
  guint n_follow = (guint) (n_first * team->follow_ups);
  guint n_referrals = (guint) (n_first * team->referrals);
  guint first_client = clients->len;
  guint n_languages = 0;
  const VpLanguage *languages = vp_languages (&n_languages);

  for (guint i = 0; i < n_first + n_follow; i++)
    {
      gboolean first = i < n_first;
      SimClient *client;
      VpReportContact contact = { 0 };
      gboolean consent;

      if (first)
        {
          SimClient c = { pick_code (VP_CATEGORY_AGE_BAND, &team->age, rand), NULL, NULL,
                          (guint) g_rand_int_range (rand, 0, n_laptops) };

          if (g_rand_double (rand) < team->consent)
            {
              c.proficiency = pick_code (VP_CATEGORY_DUTCH_PROFICIENCY, &team->proficiency, rand);
              c.language = languages[MIN (skew_pick (&team->language, rand), n_languages - 1)].code;
            }
          g_array_append_val (clients, c);
        }
      contact.client_id = first ? (gint64) clients->len - 1
                                : (gint64) g_rand_int_range (rand, first_client > 200 ? (gint32) first_client - 200 : 0,
                                                             (gint32) clients->len);
      client = &g_array_index (clients, SimClient, contact.client_id);
      consent = client->proficiency != NULL;
      contact.kind = first ? "first" : "follow_up";
      contact.location_type = pick_code (VP_CATEGORY_LOCATION_TYPE, &team->location, rand);
      contact.initiated_by = pick_code (VP_CATEGORY_INITIATED_BY, &team->initiator, rand);
      contact.age_band = client->age_band;
      contact.dutch_proficiency = client->proficiency;
      contact.language = client->language;
      contact.stage = first && g_rand_double (rand) < 0.9 ? pick_code (VP_CATEGORY_STAGE, &team->stage, rand) : NULL;
      contact.interpreter_mode = consent && g_rand_double (rand) < 0.7
                                   ? pick_code (VP_CATEGORY_INTERPRETER_MODE, &team->interpreter, rand) : NULL;
      if (whole != NULL)
        vp_report_add_contact (whole, &contact);
      vp_report_add_contact (laptops[client->laptop], &contact);
    }
  for (guint i = 0; i < n_referrals; i++)
    {
      static const char *statuses[] = { "in_time", "in_time", "late", "awaiting", "overdue" };
      gint64 id = g_rand_int_range (rand, (gint32) first_client, (gint32) clients->len);
      VpReportReferral referral = {
        id, pick_code (VP_CATEGORY_REFERRAL_CATEGORY, &team->referral, rand),
        statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))],
      };

      if (whole != NULL)
        vp_report_add_referral (whole, &referral);
      vp_report_add_referral (laptops[g_array_index (clients, SimClient, id).laptop], &referral);
    }
}

