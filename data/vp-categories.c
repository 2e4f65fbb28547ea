/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vp-categories.h"

static const VpCategoryEntry location_types[] = {
  { "school", N_("School") },
  { "gp_health", N_("GP practice or health centre") },
  { "youth_health", N_("Youth health clinic") },
  { "religious", N_("Place of worship") },
  { "migrant_org", N_("Migrant organisation") },
  { "community_centre", N_("Community centre") },
  { "library", N_("Library") },
  { "language_class", N_("Language class") },
  { "walk_in", N_("Walk-in desk") },
  { "home_visit", N_("Home visit") },
  { "street", N_("Street") },
  { "refugee_support", N_("Refugee support") },
  { "other", N_("Other") },
};

static const VpCategoryEntry initiated_by[] = {
  { "outreach", N_("Outreach by the team") },
  { "walk_in", N_("Walked in") },
  { "school", N_("School") },
  { "gp_health", N_("GP or health care") },
  { "key_figure", N_("Key figure") },
  { "migrant_org", N_("Migrant organisation") },
  { "family_network", N_("Family or network") },
  { "other_professional", N_("Other professional") },
  { "other", N_("Other") },
};

static const VpCategoryEntry stages[] = {
  { "prevention", N_("Prevention") },
  { "early", N_("Early") },
  { "escalated", N_("Escalated") },
  { "crisis", N_("Crisis") },
};

static const VpCategoryEntry proficiency[] = {
  { "sufficient", N_("Sufficient") },
  { "limited", N_("Limited") },
  { "little_or_none", N_("Little or none") },
};

static const VpCategoryEntry interpreter_modes[] = {
  { "none", N_("No interpreter") },
  { "professional_phone", N_("Professional, by phone") },
  { "professional_in_person", N_("Professional, in person") },
  { "informal_adult", N_("Informal, adult") },
  { "informal_child", N_("Informal, child") },
};

static const VpCategoryEntry referral_categories[] = {
  { "youth_care", N_("Youth care") },
  { "mental_health", N_("Mental health") },
  { "gp_health", N_("GP or health care") },
  { "debt", N_("Debt") },
  { "income", N_("Income") },
  { "housing", N_("Housing") },
  { "wmo_support", N_("Wmo support") },
  { "social_work", N_("Social work") },
  { "language_education", N_("Language education") },
  { "work", N_("Work") },
  { "migrant_org", N_("Migrant organisation") },
  { "refugee_support", N_("Refugee support") },
  { "other", N_("Other") },
};

static const VpCategoryEntry referral_outcomes[] = {
  { "started", N_("Started") },
  { "waiting_list", N_("Waiting list") },
  { "declined_by_org", N_("Declined by the organisation") },
  { "client_declined", N_("Declined by the client") },
  { "no_show", N_("Did not show up") },
  { "other", N_("Other") },
};

static const VpCategoryEntry contact_kinds[] = {
  { "first", N_("First contact") },
  { "follow_up", N_("Follow-up") },
};

static const VpCategoryEntry age_bands[] = {
  { "0-17", N_("0–17") },
  { "18-24", N_("18–24") },
  { "25-64", N_("25–64") },
  { "65+", N_("65 and over") },
};

static const VpCategoryEntry feedback_statuses[] = {
  { "in_time", N_("Feedback in time") },
  { "late", N_("Feedback late") },
  { "awaiting", N_("Awaiting feedback") },
  { "overdue", N_("Feedback overdue") },
};

static const struct {
  const char *name;
  const VpCategoryEntry *entries;
  guint n_entries;
} categories[VP_N_CATEGORIES] = {
#define ENTRY(n, a) { n, a, G_N_ELEMENTS (a) }
  [VP_CATEGORY_LOCATION_TYPE] = ENTRY ("location_type", location_types),
  [VP_CATEGORY_INITIATED_BY] = ENTRY ("initiated_by", initiated_by),
  [VP_CATEGORY_STAGE] = ENTRY ("stage", stages),
  [VP_CATEGORY_DUTCH_PROFICIENCY] = ENTRY ("dutch_proficiency", proficiency),
  [VP_CATEGORY_INTERPRETER_MODE] = ENTRY ("interpreter_mode", interpreter_modes),
  [VP_CATEGORY_REFERRAL_CATEGORY] = ENTRY ("referral_category", referral_categories),
  [VP_CATEGORY_REFERRAL_OUTCOME] = ENTRY ("referral_outcome", referral_outcomes),
  [VP_CATEGORY_CONTACT_KIND] = ENTRY ("contact_kind", contact_kinds),
  [VP_CATEGORY_AGE_BAND] = ENTRY ("age_band", age_bands),
  [VP_CATEGORY_FEEDBACK_STATUS] = ENTRY ("feedback_status", feedback_statuses),
#undef ENTRY
};

const VpCategoryEntry *
vp_category_entries (VpCategory  category,
                     guint      *n_entries)
{
  g_return_val_if_fail (category < VP_N_CATEGORIES, NULL);

  if (n_entries != NULL)
    *n_entries = categories[category].n_entries;
  return categories[category].entries;
}

int
vp_category_index (VpCategory  category,
                   const char *code)
{
  g_return_val_if_fail (category < VP_N_CATEGORIES, -1);

  if (code == NULL)
    return -1;
  for (guint i = 0; i < categories[category].n_entries; i++)
    if (strcmp (categories[category].entries[i].code, code) == 0)
      return (int) i;
  return -1;
}

gboolean
vp_category_has_code (VpCategory  category,
                      const char *code)
{
  return vp_category_index (category, code) >= 0;
}

const char *
vp_category_label (VpCategory  category,
                   const char *code)
{
  int i = vp_category_index (category, code);

  if (i < 0)
    return g_dgettext (GETTEXT_PACKAGE, "Not recorded");
  return g_dgettext (GETTEXT_PACKAGE, categories[category].entries[i].label);
}

const char *
vp_category_name (VpCategory category)
{
  g_return_val_if_fail (category < VP_N_CATEGORIES, NULL);
  return categories[category].name;
}

const char *
vp_age_band_for (int age)
{
  if (age < 0)
    return NULL;
  if (age <= 17)
    return "0-17";
  if (age <= 24)
    return "18-24";
  if (age <= 64)
    return "25-64";
  return "65+";
}
