/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fills a reference endpoint's database with a synthetic municipality, so
 * that the overview shows real-looking figures at first sight: five teams
 * in three groups, 2 to 5 laptops each, a year of monthly reports built
 * and protected by the app's own report code (vp_report_finish()), and
 * stored as the endpoint stores a report it receives. Prints a read token
 * for the municipality. Seeded and reproducible; clearly nobody's data.
 *
 *   vp-demo-municipality --db FILE [--municipality GM0363] [--months 12]
 *                        [--last YYYY-MM] [--seed N]
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "vp-endpoint-db.h"
#include "vp-report-json.h"
#include "vp-report-validate.h"
#include "vp-sim.h"

typedef struct {
  const char *code;
  const char *name;
  const char *group;
  guint       laptops;
  guint       first_per_month; /* across its laptops */
} DemoTeam;

static const DemoTeam demo_teams[] = {
  { "centrum", "Wijkteam Centrum", "Centrum", 3, 45 },
  { "noord", "Wijkteam Noord", "Noord", 5, 70 },
  { "noord-west", "Wijkteam Noord-West", "Noord", 2, 25 },
  { "zuid", "Wijkteam Zuid", "Zuid", 4, 55 },
  { "zuidoost", "Wijkteam Zuidoost", "Zuid", 3, 35 },
};

static char *
installation_id (GRand *rand)
{
  GString *id = g_string_new (NULL);

  for (guint i = 0; i < 32; i++)
    g_string_append_c (id, "0123456789abcdef"[g_rand_int_range (rand, 0, 16)]);
  return g_string_free (id, FALSE);
}

static char *
month_text (int number)
{
  return g_strdup_printf ("%04d-%02d", number / 12, number % 12 + 1);
}

/* Builds, validates and stores one laptop's month. */
static gboolean
store_month (VpEndpointDb  *db,
             VpReport      *report,
             const char    *team,
             const char    *installation,
             const char    *municipality,
             int            month,
             GError       **error)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  VpStoreOutcome outcome;

  report->team = g_strdup (team);
  report->installation = g_strdup (installation);
  report->municipality = g_strdup (municipality);
  /* Released on the 8th of the next month, after the grace period. */
  report->generated_at = g_strdup_printf ("%04d-%02d-08T09:00:00Z", (month + 1) / 12, (month + 1) % 12 + 1);
  report->revision = 1;
  if (!vp_report_finish (report, error))
    return FALSE;
  json = vp_report_to_json (report);
  root = json_from_string (json, error);
  if (root == NULL || !vp_report_validate (root, team, installation, report->period, error))
    return FALSE;
  return vp_endpoint_db_store_report (db, team, installation, report->period, 1, municipality,
                                      json, strlen (json), &outcome, NULL, error);
}

static gboolean
fill_team (VpEndpointDb    *db,
           const DemoTeam  *demo,
           const char      *municipality,
           int              first_month,
           int              n_months,
           GRand           *rand,
           GError         **error)
{
  g_autoptr(GArray) clients = vp_sim_clients_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  VpSimTeam team;

  vp_sim_team_init (&team, rand);
  team.first_per_month = demo->first_per_month;
  if (!vp_endpoint_db_set_team (db, demo->code, demo->name, municipality, demo->group, error))
    return FALSE;
  for (guint l = 0; l < demo->laptops; l++)
    {
      char *id = installation_id (rand);
      g_autofree char *label = g_strdup_printf ("%s %u", demo->name, l + 1);

      g_ptr_array_add (ids, id);
      /* One laptop of each team was never named by its team leader. */
      if (!vp_endpoint_db_note_installation (db, demo->code, id, l + 1 < demo->laptops ? label : NULL, error))
        return FALSE;
    }
  for (int m = first_month; m < first_month + n_months; m++)
    {
      g_autofree char *period = month_text (m);
      g_autofree VpReport **laptops = g_new0 (VpReport *, demo->laptops);

      for (guint l = 0; l < demo->laptops; l++)
        laptops[l] = vp_report_new (period, VP_REPORT_MIN_K);
      vp_sim_month (&team, clients, rand, NULL, laptops, demo->laptops);
      for (guint l = 0; l < demo->laptops; l++)
        {
          gboolean ok = store_month (db, laptops[l], demo->code, g_ptr_array_index (ids, l),
                                     municipality, m, error);

          vp_report_free (laptops[l]);
          if (!ok)
            {
              for (guint rest = l + 1; rest < demo->laptops; rest++)
                vp_report_free (laptops[rest]);
              return FALSE;
            }
        }
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *db_path = NULL;
  g_autofree char *municipality = g_strdup ("GM0363");
  g_autofree char *last = NULL;
  int n_months = 12;
  int seed = 363;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "The endpoint's database", "FILE" },
    { "municipality", 0, 0, G_OPTION_ARG_STRING, &municipality, "The municipality (GMxxxx)", "CODE" },
    { "months", 0, 0, G_OPTION_ARG_INT, &n_months, "How many months (default 12)", "N" },
    { "last", 0, 0, G_OPTION_ARG_STRING, &last, "The last month (default: last month)", "YYYY-MM" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "The random seed", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VpEndpointDb) db = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autofree char *token = NULL;
  int year = 0, month = 0, last_month;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || db_path == NULL ||
      n_months < 1 || n_months > 120 || !vp_report_is_municipality (municipality))
    {
      g_printerr ("vp-demo-municipality: %s\n", error != NULL ? error->message : "--db is required; see --help");
      return 2;
    }
  if (last != NULL && (!vp_report_is_period (last) || sscanf (last, "%4d-%2d", &year, &month) != 2))
    {
      g_printerr ("vp-demo-municipality: --last must be YYYY-MM\n");
      return 2;
    }
  if (last == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      year = g_date_time_get_year (now);
      month = g_date_time_get_month (now) - 1;
      if (month == 0)
        year--, month = 12;
    }
  last_month = year * 12 + month - 1;

  db = vp_endpoint_db_open (db_path, &error);
  rand = g_rand_new_with_seed ((guint32) seed);
  for (guint t = 0; db != NULL && t < G_N_ELEMENTS (demo_teams); t++)
    if (!fill_team (db, &demo_teams[t], municipality, last_month - n_months + 1, n_months, rand, &error))
      break;
  if (error == NULL)
    token = vp_endpoint_db_issue_token (db, VP_TOKEN_READ, municipality, &error);
  if (token == NULL)
    {
      g_printerr ("vp-demo-municipality: %s\n", error->message);
      return 1;
    }
  printf ("%s\n", token);
  return 0;
}
