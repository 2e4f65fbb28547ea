/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "vp-endpoint-db.h"
#include "vp-reach-select.h"

G_DEFINE_QUARK (vp-reach-select-error-quark, vp_reach_select_error)

void
vp_choice_free (VpChoice *choice)
{
  g_free (choice->value);
  g_free (choice->label);
  g_free (choice);
}

static VpChoice *
choice_new (char *value,
            char *label)
{
  VpChoice *choice = g_new (VpChoice, 1);

  choice->value = value;
  choice->label = label;
  return choice;
}

/* Months as numbers since year 0, for stepping. */
static int
month_number (const char *period)
{
  int year = 0, month = 0;

  if (period == NULL || sscanf (period, "%4d-%2d", &year, &month) != 2)
    return -1;
  return year * 12 + month - 1;
}

static void
month_text (int   number,
            char  out[8])
{
  g_snprintf (out, 8, "%04d-%02d", number / 12, number % 12 + 1);
}

/**
 * vp_reach_last_months:
 * @reach: the reports
 * @last: (nullable): the last month, or %NULL for the newest with reports
 * @n: how many months
 *
 * Returns: (transfer full) (element-type utf8): @n calendar months up to
 *   @last, oldest first; empty when nothing was received
 */
GPtrArray *
vp_reach_last_months (VpReach    *reach,
                      const char *last,
                      guint       n)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) months = vp_reach_months (reach);
  int end;

  if (last == NULL && months->len > 0)
    last = g_ptr_array_index (months, months->len - 1);
  end = month_number (last);
  if (end < 0)
    return list;
  for (int m = end - (int) n + 1; m <= end; m++)
    {
      char text[8];

      month_text (m, text);
      g_ptr_array_add (list, g_strdup (text));
    }
  return list;
}

static char *
quarter_label (VpLang lang,
               int    year,
               int    quarter)
{
  /* TRANSLATORS: a quarter of a year, such as "Q3 2026" */
  return g_strdup_printf (vp_text (lang, N_("Q%d %d")), quarter, year);
}

/**
 * vp_reach_period_choices:
 * @reach: the reports
 * @lang: the language of the labels
 *
 * Returns: (transfer full) (element-type VpChoice): the periods that have
 *   reports, newest first within each kind: the last 12 months, years,
 *   quarters, months
 */
GPtrArray *
vp_reach_period_choices (VpReach *reach,
                         VpLang   lang)
{
  GPtrArray *choices = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_choice_free);
  g_autoptr(GPtrArray) months = vp_reach_months (reach);
  g_autoptr(GHashTable) years = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) quarters = g_hash_table_new (g_direct_hash, g_direct_equal);

  g_ptr_array_add (choices, choice_new (g_strdup ("last12"), g_strdup (vp_text (lang, N_("Last 12 months")))));
  for (guint i = months->len; i-- > 0;)
    {
      int year = month_number (g_ptr_array_index (months, i)) / 12;

      if (g_hash_table_add (years, GINT_TO_POINTER (year)))
        g_ptr_array_add (choices, choice_new (g_strdup_printf ("%04d", year), g_strdup_printf ("%d", year)));
    }
  for (guint i = months->len; i-- > 0;)
    {
      int number = month_number (g_ptr_array_index (months, i));
      int year = number / 12, quarter = number % 12 / 3 + 1;

      if (g_hash_table_add (quarters, GINT_TO_POINTER (year * 4 + quarter)))
        g_ptr_array_add (choices, choice_new (g_strdup_printf ("%04d-Q%d", year, quarter),
                                              quarter_label (lang, year, quarter)));
    }
  for (guint i = months->len; i-- > 0;)
    {
      const char *month = g_ptr_array_index (months, i);

      g_ptr_array_add (choices, choice_new (g_strdup (month), vp_text_month (lang, month)));
    }
  return choices;
}

static gboolean
invalid (GError    **error,
         const char *message)
{
  g_set_error_literal (error, VP_REACH_SELECT_ERROR, VP_REACH_SELECT_ERROR_INVALID, message);
  return FALSE;
}

/* The first and last month of a period, and its label. */
static gboolean
resolve_period (VpReach           *reach,
                VpReachSelection  *selection,
                GError           **error)
{
  const char *period = selection->period;
  VpLang lang = selection->lang;
  int year = 0, part = 0, first, last;
  char tail = 0;

  if (g_str_equal (period, "last12"))
    {
      g_autoptr(GPtrArray) months = vp_reach_last_months (reach, NULL, 12);
      g_autofree char *from = NULL, *to = NULL;

      if (months->len == 0)
        {
          selection->period_label = g_strdup (vp_text (lang, N_("Last 12 months")));
          return TRUE;
        }
      from = vp_text_month (lang, g_ptr_array_index (months, 0));
      to = vp_text_month (lang, g_ptr_array_index (months, months->len - 1));
      first = month_number (g_ptr_array_index (months, 0));
      last = first + 11;
      /* TRANSLATORS: the last 12 months, from the first to the last */
      selection->period_label = g_strdup_printf (vp_text (lang, N_("Last 12 months (%s to %s)")), from, to);
    }
  else if (strlen (period) == 4 && sscanf (period, "%4d%c", &year, &tail) == 1 && year > 1900)
    {
      first = year * 12;
      last = first + 11;
      selection->period_label = g_strdup (period);
    }
  else if (strlen (period) == 7 && sscanf (period, "%4d-Q%1d%c", &year, &part, &tail) == 2 &&
           year > 1900 && part >= 1 && part <= 4)
    {
      first = year * 12 + (part - 1) * 3;
      last = first + 2;
      selection->period_label = quarter_label (lang, year, part);
    }
  else if (vp_report_is_period (period))
    {
      first = last = month_number (period);
      selection->period_label = vp_text_month (lang, period);
    }
  else
    return invalid (error, vp_text (lang, N_("The period must be last12, a year (2026), a quarter (2026-Q3) or a month (2026-10)")));

  month_text (first, selection->filter.from);
  month_text (last, selection->filter.to);
  for (int m = first; m <= last; m++)
    {
      char text[8];

      month_text (m, text);
      g_ptr_array_add (selection->months, g_strdup (text));
    }
  return TRUE;
}

static gboolean
resolve_scope (VpReachSelection  *selection,
               GError           **error)
{
  const char *scope = selection->scope;
  VpLang lang = selection->lang;

  if (g_str_equal (scope, "all"))
    {
      g_ptr_array_extend (selection->scoped_teams, selection->teams, NULL, NULL);
      selection->scope_label = g_strdup (vp_text (lang, N_("The whole municipality")));
      return TRUE;
    }
  selection->filter.teams = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < selection->teams->len; i++)
    {
      VpEndpointTeam *team = g_ptr_array_index (selection->teams, i);

      if ((g_str_has_prefix (scope, "team:") && g_str_equal (scope + 5, team->code)) ||
          (g_str_has_prefix (scope, "group:") && *team->group != '\0' && g_str_equal (scope + 6, team->group)))
        {
          g_hash_table_add (selection->filter.teams, team->code);
          g_ptr_array_add (selection->scoped_teams, team);
          if (selection->scope_label == NULL)
            selection->scope_label = g_str_has_prefix (scope, "team:")
                                       ? g_strdup (team->name)
                                       : g_strdup_printf (vp_text (lang, N_("Group %s")), team->group);
        }
    }
  if (selection->scoped_teams->len == 0)
    return invalid (error, vp_text (lang, N_("There is no such team or group in this municipality")));
  return TRUE;
}

/**
 * vp_reach_select:
 * @reach: the municipality's reports
 * @teams: (element-type VpEndpointTeam): its teams; kept until the
 *   selection is freed
 * @lang: the reader's language
 * @period: (nullable): the period asked for, "last12" when %NULL
 * @scope: (nullable): the teams asked for, "all" when %NULL
 * @error: return location for an error, in @lang
 *
 * Returns: (transfer full): the selection, or %NULL for an unknown period
 *   or scope
 */
VpReachSelection *
vp_reach_select (VpReach     *reach,
                 GPtrArray   *teams,
                 VpLang       lang,
                 const char  *period,
                 const char  *scope,
                 GError     **error)
{
  g_autoptr(VpReachSelection) selection = g_new0 (VpReachSelection, 1);

  selection->lang = lang;
  selection->period = g_strdup (period != NULL && *period != '\0' ? period : "last12");
  selection->scope = g_strdup (scope != NULL && *scope != '\0' ? scope : "all");
  selection->teams = g_ptr_array_ref (teams);
  selection->scoped_teams = g_ptr_array_new ();
  selection->months = g_ptr_array_new_with_free_func (g_free);
  if (!resolve_period (reach, selection, error) || !resolve_scope (selection, error))
    return NULL;
  return g_steal_pointer (&selection);
}

void
vp_reach_selection_free (VpReachSelection *selection)
{
  if (selection == NULL)
    return;
  g_free (selection->period);
  g_free (selection->scope);
  g_free (selection->period_label);
  g_free (selection->scope_label);
  vp_reach_filter_clear (&selection->filter);
  g_clear_pointer (&selection->teams, g_ptr_array_unref);
  g_clear_pointer (&selection->scoped_teams, g_ptr_array_unref);
  g_clear_pointer (&selection->months, g_ptr_array_unref);
  g_free (selection);
}

void
vp_reach_filter_clear (VpReachFilter *filter)
{
  g_clear_pointer (&filter->teams, g_hash_table_unref);
}

/* The selection's period, for one team. */
void
vp_reach_filter_for_team (VpReachFilter          *filter,
                          const VpReachSelection *selection,
                          const char             *team)
{
  vp_reach_filter_clear (filter);
  *filter = selection->filter;
  filter->teams = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_add (filter->teams, (gpointer) team);
}

/* The selection's period, for the teams of a group in scope. */
void
vp_reach_filter_for_group (VpReachFilter          *filter,
                           const VpReachSelection *selection,
                           const char             *group)
{
  vp_reach_filter_clear (filter);
  *filter = selection->filter;
  filter->teams = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < selection->scoped_teams->len; i++)
    {
      VpEndpointTeam *team = g_ptr_array_index (selection->scoped_teams, i);

      if (g_str_equal (team->group, group))
        g_hash_table_add (filter->teams, team->code);
    }
}

/* The selection's teams, for one month. */
void
vp_reach_filter_for_month (VpReachFilter          *filter,
                           const VpReachSelection *selection,
                           const char             *month)
{
  vp_reach_filter_clear (filter);
  *filter = selection->filter;
  filter->teams = selection->filter.teams != NULL ? g_hash_table_ref (selection->filter.teams) : NULL;
  g_strlcpy (filter->from, month, sizeof filter->from);
  g_strlcpy (filter->to, month, sizeof filter->to);
}
