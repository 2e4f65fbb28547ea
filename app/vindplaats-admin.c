/* SPDX-License-Identifier: GPL-3.0-or-later */
/* vindplaats-admin: the command line for set-up and maintenance tasks that
 * need no window: a demo store with synthetic data, the endpoint settings
 * (a client certificate among them), and sending due reports. The
 * passphrase, and a PKCS#12 file's password after it, are read from
 * standard input so that they never show up in the process list. */
#define G_LOG_DOMAIN "vindplaats-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "vp-categories.h"
#include "vp-client-cert.h"
#include "vp-data-init.h"
#include "vp-endpoint-pin.h"
#include "vp-i18n.h"
#include "vp-keyslots.h"
#include "vp-outbox.h"
#include "vp-registration.h"
#include "vp-store.h"
#include "vp-sync.h"
#include "vp-synthetic.h"

static char *opt_dir;
static char *opt_endpoint;
static char *opt_token;
static char *opt_ca;
static char *opt_label;
static char *opt_client_p12;
static gboolean opt_no_client_cert;
static char *opt_month;
static char *opt_pin;
static gboolean opt_no_pin;
static int opt_clients = -1;
static int opt_contacts = -1;
static int opt_months = -1;
static int opt_expired = -1;
static gint64 opt_seed = -1;

static const GOptionEntry entries[] = {
  { "dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_dir, N_("Store folder"), N_("DIR") },
  { "endpoint", 0, 0, G_OPTION_ARG_STRING, &opt_endpoint, N_("Municipal endpoint URL"), N_("URL") },
  { "token", 0, 0, G_OPTION_ARG_STRING, &opt_token, N_("Team token for the endpoint"), N_("TOKEN") },
  { "ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, N_("CA certificate that signs the endpoint's certificate"), N_("FILE") },
  { "label", 0, 0, G_OPTION_ARG_STRING, &opt_label, N_("Name of this laptop, sent with its reports (empty: none)"), N_("TEXT") },
  { "client-p12", 0, 0, G_OPTION_ARG_FILENAME, &opt_client_p12, N_("Client certificate and key for the endpoint, from a PKCS#12 file (its password is read from standard input after the passphrase)"), N_("FILE") },
  { "no-client-cert", 0, 0, G_OPTION_ARG_NONE, &opt_no_client_cert, N_("Remove the client certificate"), NULL },
  { "pin", 0, 0, G_OPTION_ARG_STRING, &opt_pin, N_("Pin the endpoint's public key: sha256// hashes joined by ';', or a file with the key or its certificate (PEM or DER)"), N_("PIN") },
  { "no-pin", 0, 0, G_OPTION_ARG_NONE, &opt_no_pin, N_("Remove the endpoint's pinned key"), NULL },
  { "month", 0, 0, G_OPTION_ARG_STRING, &opt_month, N_("Month with demo contacts (YYYY-MM)"), N_("MONTH") },
  { "clients", 0, 0, G_OPTION_ARG_INT, &opt_clients, N_("demo-store: a large synthetic history with this many clients"), N_("N") },
  { "contacts", 0, 0, G_OPTION_ARG_INT, &opt_contacts, N_("demo-store: this many contacts in all (default: ten a client)"), N_("N") },
  { "months", 0, 0, G_OPTION_ARG_INT, &opt_months, N_("demo-store: months of history back from now (default: 36)"), N_("M") },
  { "expired", 0, 0, G_OPTION_ARG_INT, &opt_expired, N_("demo-store: clients whose last contact is older than the retention period (default: 0)"), N_("N") },
  { "seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed, N_("demo-store: seed of the synthetic history; the same seed makes the same history (default: 20261129)"), N_("S") },
  { NULL }
};

static char *
read_passphrase (void)
{
  char buffer[1024];
  size_t len;

  if (fgets (buffer, sizeof buffer, stdin) == NULL)
    return NULL;
  len = strcspn (buffer, "\r\n");
  buffer[len] = '\0';
  {
    char *result = g_strdup (buffer);
    vp_wipe (buffer, sizeof buffer);
    return result;
  }
}

/* Imports --client-p12 with the password on the next line of standard
 * input, and says which certificate it was, so that the municipality can
 * be told the subject to map. */
static gboolean
import_client_certificate (VpStore  *store,
                           GError  **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(VpClientCertInfo) info = NULL;
  g_autofree char *until = NULL;
  gsize length = 0;
  gboolean ok;

  if (!g_file_get_contents (opt_client_p12, &contents, &length, error))
    return FALSE;
  password = read_passphrase ();
  if (password == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Give the password of the PKCS#12 file on standard input, on the line after the passphrase"));
      return FALSE;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  ok = vp_client_cert_import (store, bytes, password, now, error);
  vp_wipe (password, strlen (password));
  if (!ok)
    return FALSE;
  info = vp_client_cert_get_info (store);
  until = vp_client_cert_format_date (info->not_after);
  g_print (_("Client certificate imported: %s, valid until %s\n"), info->subject, until);
  return TRUE;
}

/* The endpoint settings, the client certificate and the laptop's name,
 * each only when given; a bad endpoint or contradictory options are
 * refused before anything is changed. */
static gboolean
configure_store (VpStore  *store,
                 GError  **error)
{
  if (opt_endpoint != NULL && !g_str_has_prefix (opt_endpoint, "https://"))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("The endpoint must be an https:// address"));
      return FALSE;
    }
  if (opt_client_p12 != NULL && opt_no_client_cert)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--client-p12 and --no-client-cert cannot be used together"));
      return FALSE;
    }
  if (opt_pin != NULL && opt_no_pin)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--pin and --no-pin cannot be used together"));
      return FALSE;
    }
  /* Checked before anything is changed, so a mistyped pin changes nothing. */
  if (opt_pin != NULL)
    {
      g_autofree char *pin = vp_endpoint_pin_from_text (opt_pin, error);

      if (pin == NULL)
        return FALSE;
      g_free (opt_pin);
      opt_pin = g_steal_pointer (&pin);
    }
  if (opt_client_p12 != NULL && !import_client_certificate (store, error))
    return FALSE;
  if (opt_no_client_cert)
    {
      if (!vp_client_cert_remove (store, error))
        return FALSE;
      g_print (_("Client certificate removed\n"));
    }
  if (opt_label != NULL && !vp_sync_set_installation_label (store, opt_label, error))
    return FALSE;
  if (opt_pin != NULL || opt_no_pin)
    {
      if (!vp_endpoint_pin_set (store, opt_no_pin ? NULL : opt_pin, error))
        return FALSE;
      if (opt_no_pin)
        g_print (_("Endpoint key pin removed\n"));
      else
        g_print (_("Endpoint key pinned: %s\n"), opt_pin);
    }
  if (opt_endpoint == NULL)
    return TRUE;
  return vp_store_set_setting (store, "endpoint_url", opt_endpoint, error) &&
         (opt_token == NULL || vp_store_set_setting (store, "endpoint_token", opt_token, error)) &&
         (opt_ca == NULL || vp_store_set_setting (store, "endpoint_ca_file", opt_ca, error));
}

static const char *
pick (GRand                 *rand,
      const char * const    *codes,
      const int             *weights,
      guint                  n)
{
  int sum = 0, r;

  for (guint i = 0; i < n; i++)
    sum += weights[i];
  r = g_rand_int_range (rand, 0, sum);
  for (guint i = 0; i < n; i++)
    if ((r -= weights[i]) < 0)
      return codes[i];
  return codes[n - 1];
}

#define PICK(rand, codes, weights) pick (rand, codes, weights, G_N_ELEMENTS (codes))

static const char * const locations[] = { "school", "gp_health", "youth_health", "religious",
                                          "migrant_org", "community_centre", "walk_in", "home_visit" };
static const int location_weights[] = { 30, 18, 10, 12, 10, 10, 5, 5 };
static const char * const initiators[] = { "outreach", "school", "gp_health", "key_figure",
                                           "migrant_org", "family_network", "walk_in" };
static const int initiator_weights[] = { 30, 20, 15, 12, 10, 8, 5 };
static const char * const levels[] = { "sufficient", "limited", "little_or_none" };
static const int level_weights[] = { 40, 35, 25 };

/* Synthetic, clearly fake clients: "Demo" labels and random figures. */
static gboolean
add_demo_contact (VpStore     *store,
                  GRand       *rand,
                  guint        n,
                  GDateTime   *when,
                  GError     **error)
{
  g_autofree char *label = g_strdup_printf ("Demo %c%c-%03u",
                                            'A' + g_rand_int_range (rand, 0, 26),
                                            'A' + g_rand_int_range (rand, 0, 26), n);
  gboolean consent = g_rand_int_range (rand, 0, 10) < 7;
  VpRegistration reg = {
    .client_label = label,
    .birth_year = g_rand_int_range (rand, 0, 10) < 9 ? g_rand_int_range (rand, 1940, 2010) : 0,
    .location_type = PICK (rand, locations, location_weights),
    .kind = "first",
    .initiated_by = PICK (rand, initiators, initiator_weights),
    .language_consent = consent,
    .dutch_proficiency = consent ? PICK (rand, levels, level_weights) : NULL,
    .occurred_at = when,
    .entered_at = when, /* entered at the visit, as a coach would */
  };

  if (!vp_store_save_registration (store, &reg, NULL, error))
    return FALSE;
  if (g_rand_int_range (rand, 0, 3) == 0)
    {
      g_autoptr(GDateTime) later = g_date_time_add_days (when, 3);
      reg.kind = "follow_up";
      reg.language_consent = FALSE;
      reg.dutch_proficiency = NULL;
      reg.occurred_at = later;
      reg.entered_at = later;
      return vp_store_save_registration (store, &reg, NULL, error);
    }
  return TRUE;
}

static gboolean
fill_demo (VpStore  *store,
           GError  **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261129);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) this_month = g_date_time_new_local (g_date_time_get_year (now),
                                                           g_date_time_get_month (now), 1, 9, 0, 0);
  g_autoptr(GDateTime) month = NULL;
  guint n = 0;

  if (opt_month != NULL)
    {
      g_autofree char *iso = g_strdup_printf ("%s-01T09:00:00", opt_month);
      month = g_date_time_new_from_iso8601 (iso, g_date_time_get_timezone (now));
      if (month == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("“%s” is not a month"), opt_month);
          return FALSE;
        }
    }
  else
    month = g_date_time_add_months (this_month, -1);

  /* About forty first contacts in the closed month, like a real team. */
  for (guint i = 0; i < 42; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (month, g_rand_int_range (rand, 0, 25));
      g_autoptr(GDateTime) when = g_date_time_add_minutes (day, g_rand_int_range (rand, 0, 480));
      if (!add_demo_contact (store, rand, n++, when, error))
        return FALSE;
    }
  /* And a few from this morning, for the Today page. */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_minutes (now, -(int) (20 * (i + 1)));
      if (g_date_time_get_day_of_month (when) != g_date_time_get_day_of_month (now))
        break;
      if (!add_demo_contact (store, rand, n++, when, error))
        return FALSE;
    }
  return TRUE;
}

/* --clients and its companions: a big synthetic history (vp-synthetic.c)
 * instead of the small demo. */
static gboolean
fill_synthetic (VpStore  *store,
                GError  **error)
{
  VpSyntheticParams params = {
    .clients = (guint) opt_clients,
    .contacts = opt_contacts > 0 ? (guint) opt_contacts : 0,
    .months = opt_months > 0 ? (guint) opt_months : 36,
    .expired = opt_expired > 0 ? (guint) opt_expired : 0,
    .seed = opt_seed >= 0 ? (guint32) opt_seed : 20261129,
  };
  VpSyntheticCounts counts = { 0 };
  gint64 start = g_get_monotonic_time ();

  if (!vp_synthetic_fill (store, &params, &counts, error))
    return FALSE;
  g_print (_("Made %u clients (%u of them expired), %u contacts, %u consents (%u withdrawn), "
             "%u referrals and %u audit entries in %.1f s\n"),
           counts.clients, params.expired, counts.contacts, counts.consents, counts.withdrawn,
           counts.referrals, counts.audit_entries, (g_get_monotonic_time () - start) / 1e6);
  return TRUE;
}

/* The synthetic history's options make sense with demo-store --clients only. */
static gboolean
check_synthetic_options (const char  *command,
                         GError     **error)
{
  gboolean others = opt_contacts != -1 || opt_months != -1 || opt_expired != -1 || opt_seed != -1;

  if ((opt_clients != -1 || others) && !g_str_equal (command, "demo-store"))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--clients, --contacts, --months, --expired and --seed belong to demo-store"));
      return FALSE;
    }
  if (others && opt_clients == -1)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--contacts, --months, --expired and --seed need --clients"));
      return FALSE;
    }
  if (opt_clients == -1)
    return TRUE;
  if (opt_clients < 1 || opt_contacts < -1 || opt_months == 0 || opt_months < -1 || opt_expired < -1 ||
      opt_seed < -1 || opt_seed > G_MAXUINT32)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--clients, --contacts, --months, --expired and --seed take positive whole numbers"));
      return FALSE;
    }
  if (opt_month != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("--month and --clients cannot be used together"));
      return FALSE;
    }
  return TRUE;
}

/* The months whose latest revision is delivered. */
static GHashTable *
delivered_months (VpStore  *store,
                  GError  **error)
{
  g_autoptr(GPtrArray) items = vp_outbox_list (store, NULL, error);
  g_autoptr(GHashTable) months = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *period = NULL;

  if (items == NULL)
    return NULL;
  /* Newest revision first within each month. */
  for (guint i = 0; i < items->len; i++)
    {
      VpOutboxItem *item = g_ptr_array_index (items, i);

      if (g_strcmp0 (item->period, period) == 0)
        continue;
      period = item->period;
      if (g_str_equal (item->state, "delivered"))
        g_hash_table_add (months, g_strdup (period));
    }
  return g_steal_pointer (&months);
}

static char *
format_attempt (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);
  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

/* One month's latest revision in a line: its state and why. */
static char *
describe_month (const VpOutboxItem *item)
{
  g_autofree char *when = format_attempt (item->next_attempt_at);
  const char *reason = item->last_error != NULL ? item->last_error : _("no reason was given");

  if (g_str_equal (item->state, "delivered"))
    return g_strdup_printf (_("%s: delivered (HTTP %d)"), item->period, item->last_status);
  if (g_str_equal (item->state, "sending") && item->last_error == NULL)
    return g_strdup_printf (_("%s: may have arrived, not confirmed (no answer was recorded); sent again at the next send"),
                            item->period);
  if (g_str_equal (item->state, "sending"))
    return g_strdup_printf (_("%s: may have arrived, not confirmed: %s; sent again after %s"),
                            item->period, reason, when);
  if (g_str_equal (item->state, "retry"))
    return g_strdup_printf (_("%s: waiting, next attempt after %s: %s"), item->period, when, reason);
  if (g_str_equal (item->state, "needs_attention"))
    return g_strdup_printf (_("%s: needs attention: %s"), item->period, reason);
  return g_strdup_printf (_("%s: queued"), item->period);
}

/* Each month this run delivered or that is still not delivered, with its
 * state and reason (#13). *all_delivered: every month is delivered. */
static gboolean
print_months (VpStore     *store,
              GHashTable  *delivered_before,
              gboolean    *all_delivered,
              GError     **error)
{
  g_autoptr(GPtrArray) items = vp_outbox_list (store, NULL, error);
  const char *period = NULL;

  *all_delivered = TRUE;
  if (items == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      VpOutboxItem *item = g_ptr_array_index (items, i);
      g_autofree char *line = NULL;
      gboolean delivered;

      if (g_strcmp0 (item->period, period) == 0)
        continue;
      period = item->period;
      delivered = g_str_equal (item->state, "delivered");
      *all_delivered &= delivered;
      if (delivered && g_hash_table_contains (delivered_before, period))
        continue;
      line = describe_month (item);
      g_print ("%s\n", line);
    }
  return TRUE;
}

/* Queues the months that are due and sends what waits. Exits 0 only when
 * every month released is delivered: a run in which sends failed says so
 * in its status as well as in words. */
static int
send_reports (VpStore    *store,
              GDateTime  *now,
              GError    **error)
{
  g_autoptr(GError) queue_error = NULL;
  g_autoptr(GHashTable) before = NULL;
  guint queued = 0, delivered = 0;
  gboolean all_delivered = FALSE;

  /* A month that cannot be released does not hold up the others. */
  if (!vp_sync_queue_due_reports (store, now, &queued, &queue_error))
    g_printerr ("vindplaats-admin: %s\n", queue_error->message);
  before = delivered_months (store, error);
  if (before == NULL || !vp_sync_send_due (store, now, &delivered, error))
    return 1;
  if (!print_months (store, before, &all_delivered, error))
    return 1;
  g_print (_("%u months released, %u reports delivered\n"), queued, delivered);
  return all_delivered && queue_error == NULL ? 0 : 1;
}

static int
run (const char *command,
     GError    **error)
{
  g_autofree char *passphrase = NULL;
  g_autoptr(VpStore) store = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  int status = 0;

  if (!check_synthetic_options (command, error))
    return 2;
  if (opt_dir == NULL)
    opt_dir = vp_store_default_dir ();
  passphrase = read_passphrase ();
  if (passphrase == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Give the passphrase on standard input"));
      return 1;
    }

  if (g_str_equal (command, "demo-store"))
    {
      VpStoreSetup setup = { "demo-wijkteam", "GM0344", "Demo Teamleider", passphrase };
      g_autofree char *recovery = NULL;

      store = vp_store_create (opt_dir, &setup, &recovery, error);
      if (store != NULL)
        g_print (_("Recovery key of the demo store: %s\n"), recovery);
      /* A demo laptop has a name, as a real one gets from its team leader;
       * --label, applied next, can change it. */
      if (store == NULL || !(opt_clients != -1 ? fill_synthetic (store, error) : fill_demo (store, error)) ||
          !vp_sync_set_installation_label (store, "Demo-laptop 1", error))
        status = 1;
    }
  else
    {
      store = vp_store_open (opt_dir, passphrase, error);
      if (store == NULL)
        status = 1;
    }
  vp_wipe (passphrase, strlen (passphrase));

  if (status == 0 && !configure_store (store, error))
    status = 1;

  if (status == 0 && g_str_equal (command, "send"))
    status = send_reports (store, now, error);
  return status;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *command;
  int status;

  setlocale (LC_ALL, "");
  vp_i18n_init ();

  if (!vp_data_init (&error))
    {
      g_printerr ("vindplaats-admin: %s\n", error->message);
      return 1;
    }

  context = g_option_context_new (_("COMMAND — demo-store, configure or send"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Commands:\n"
      "  demo-store   create a store with synthetic demo contacts; with --clients,\n"
      "               a large synthetic history for benchmarks\n"
      "  configure    set the municipal endpoint, the client certificate or the laptop's name\n"
      "  send         queue the reports that are due and send them; exits 1\n"
      "               unless every month is delivered, and says why\n"
      "\nThe passphrase is read from the first line of standard input. With\n"
      "--client-p12, the PKCS#12 file's password is read from the second line."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  command = argc > 1 ? argv[1] : NULL;
  if (command == NULL ||
      !(g_str_equal (command, "demo-store") || g_str_equal (command, "configure") ||
        g_str_equal (command, "send")))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return 2;
    }

  status = run (command, &error);
  if (error != NULL)
    g_printerr ("vindplaats-admin: %s\n", error->message);
  return status;
}
