/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-sync"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vp-report-schema.h"

static const VpReportDimension location_type = { "location_type", VP_CATEGORY_LOCATION_TYPE };
static const VpReportDimension contact_kind = { "contact_kind", VP_CATEGORY_CONTACT_KIND };
static const VpReportDimension initiated_by = { "initiated_by", VP_CATEGORY_INITIATED_BY };
static const VpReportDimension age_band = { "age_band", VP_CATEGORY_AGE_BAND };
static const VpReportDimension proficiency = { "dutch_proficiency", VP_CATEGORY_DUTCH_PROFICIENCY };
static const VpReportDimension stage = { "stage", VP_CATEGORY_STAGE };
static const VpReportDimension interpreter = { "interpreter_mode", VP_CATEGORY_INTERPRETER_MODE };
static const VpReportDimension referral = { "referral_category", VP_CATEGORY_REFERRAL_CATEGORY };
static const VpReportDimension feedback = { "feedback_status", VP_CATEGORY_FEEDBACK_STATUS };
static const VpReportDimension language = { "language", -1 };

/* The tables of DESIGN §5, in report order. */
static const VpReportTableDef defs[] = {
  { "contacts", &location_type, &contact_kind, FALSE, FALSE },
  { "first_contacts_by_route", &location_type, &initiated_by, FALSE, FALSE },
  { "first_contacts_by_age_language", &age_band, &proficiency, TRUE, TRUE },
  { "early_reach", &stage, &proficiency, TRUE, TRUE },
  { "interpreter_use", &interpreter, &proficiency, TRUE, TRUE },
  { "referrals", &referral, &feedback, FALSE, FALSE },
  { "first_contacts_by_language", &language, NULL, TRUE, FALSE },
};

const VpReportTableDef *
vp_report_table_defs (guint *n_defs)
{
  if (n_defs != NULL)
    *n_defs = G_N_ELEMENTS (defs);
  return defs;
}

const VpReportTableDef *
vp_report_table_def_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (defs); i++)
    if (g_strcmp0 (defs[i].name, name) == 0)
      return &defs[i];
  return NULL;
}

gboolean
vp_report_dimension_accepts (const VpReportDimension *dim,
                             const char              *code)
{
  if (code == NULL)
    return FALSE;
  if (strcmp (code, VP_NOT_RECORDED) == 0)
    return TRUE;
  if (dim->category >= 0)
    return vp_category_has_code ((VpCategory) dim->category, code);

  /* ISO 639-3: three lower-case ASCII letters. */
  return strlen (code) == 3 &&
         g_ascii_islower (code[0]) && g_ascii_islower (code[1]) && g_ascii_islower (code[2]);
}

gboolean
vp_report_is_period (const char *period)
{
  int year, month;

  if (period == NULL || strlen (period) != 7 || period[4] != '-')
    return FALSE;
  for (guint i = 0; i < 7; i++)
    if (i != 4 && !g_ascii_isdigit (period[i]))
      return FALSE;
  year = atoi (period);
  month = atoi (period + 5);
  return year >= 2000 && year <= 2999 && month >= 1 && month <= 12;
}
