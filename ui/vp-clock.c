/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include "vp-clock-private.h"

static GDate fixed;
static gboolean is_fixed;

void
vp_clock_today (GDate *date)
{
  g_autoptr(GDateTime) now = NULL;

  g_return_if_fail (date != NULL);

  if (is_fixed)
    {
      *date = fixed;
      return;
    }
  now = g_date_time_new_now_local ();
  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) g_date_time_get_day_of_month (now),
                  (GDateMonth) g_date_time_get_month (now), (GDateYear) g_date_time_get_year (now));
}

void
_vp_clock_set_today (const GDate *date)
{
  is_fixed = date != NULL && g_date_valid (date);
  if (is_fixed)
    fixed = *date;
}
