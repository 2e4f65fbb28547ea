/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp-categories.h"
#include "vp-language-list.h"
#include "vp-referral.h"
#include "vp-retention.h"
#include "vp-store-private.h"
#include "vp-synthetic.h"

/* A made-up team's history, written straight into the store with prepared
 * statements in one transaction, in the order a team would have entered it
 * (rows of a month lie together on disk, as in a real store). Every row
 * passes the schema's triggers (consent, the facts frozen on a contact, the
 * full-text index) and the audit log's hash chain holds. Times are local
 * wall-clock seconds without a zone, as the store keeps them. */

#define HOUR 3600
#define DAY (24 * HOUR)
/* Clients kept are seen at least this long after the retention cut-off, so
 * that a store made today still has exactly the expired clients asked for
 * when a benchmark applies retention some days later. */
#define KEEP_MARGIN (14 * DAY)
/* The share of kept clients with more than one contact still followed. */
#define ONGOING 0.15
#define CONSENT_TEXT_VERSION "2026-1"
#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

enum { LANGUAGE, INTERPRETER, REFERRAL, N_CONSENTS };
enum { CONSENT_NONE, CONSENT_STANDING, CONSENT_WITHDRAWN };

static const char * const consent_categories[N_CONSENTS] = { "language", "interpreter", "referral" };

/* Clearly fake: every label starts with "Demo". */
static const char * const first_names[] = {
  "Amira", "Youssef", "Fatima", "Mohammed", "Aisha", "Omar", "Layla", "Ibrahim", "Noor", "Hamza",
  "Elif", "Mehmet", "Zeynep", "Emre", "Ayse", "Burak", "Selin", "Mustafa", "Hatice", "Kerem",
  "Semhar", "Yonas", "Helen", "Dawit", "Senait", "Filmon", "Ruta", "Tesfay", "Aster", "Biniam",
  "Agnieszka", "Piotr", "Katarzyna", "Tomasz", "Olena", "Andriy", "Iryna", "Mykola", "Elena", "Ion",
  "Hodan", "Abdi", "Farah", "Ahmad", "Zahra", "Reza", "Shirin", "Navid", "Priya", "Wei",
  "Sanne", "Daan", "Emma", "Lucas", "Fleur", "Bram", "Anouk", "Jesse", "Maud", "Thijs",
};

static const char * const districts[] = { "Noord", "Oost", "Zuid", "West" };

static const char * const notes[] = {
  "Demo: asked about the language class schedule",
  "Demo: will come back with the letters from the tax office",
  "Demo: met at the school gate, prefers a call in the afternoon",
  "Demo: brought a neighbour along, who interpreted",
  "Demo: follow up after the holidays",
};

/* Each team favours a few categories of its own (as tests/vp-sim.c). */
typedef struct {
  double weights[32];
  guint  n;
} Skew;

typedef struct {
  Skew location, initiator, stage, proficiency, interpreter, language, referral, outcome, age;
  double consent;
} Team;

typedef struct {
  gint64  first;                 /* the first contact, entered at once */
  gint64  end;                   /* no contact or withdrawal after this */
  gint64  withdrawn[N_CONSENTS];
  guint32 id;
  guint32 n_contacts;
  guint32 phone;                 /* the eight digits after 06 */
  guint16 birth_year;            /* 0: not given */
  guint8  name;
  guint8  initial;
  guint8  phone_style;           /* 0: no phone */
  guint8  consent[N_CONSENTS];
  guint8  proficiency;           /* what is true, 1 + index */
  guint8  has_needs;             /* language needs recorded */
  guint8  languages[2];          /* 1 + index; 0: none */
} Client;

typedef struct {
  gint64  occurred;
  gint64  entered;
  guint32 client;                /* index into the clients */
  guint32 seq;                   /* order of making, for equal times */
  guint8  first;
  guint8  referral;              /* a referral was made at this contact */
} Contact;

typedef struct {
  VpStore      *store;
  sqlite3      *db;
  GRand        *rand;
  Team          team;
  Client       *clients;
  guint         n_clients;
  guint        *order;           /* client indices by id */
  Contact      *contacts;
  guint         n_contacts;
  gint64        until;
  gint64        utc_offset;      /* seconds, for the audit log's UTC times */
  guint         feedback_days[32];
  gint64        audit_id;
  char          prev_hash[65];
  gint64        account_id;
  const char   *role;
  GChecksum    *checksum;
  sqlite3_stmt *client_stmt, *consent_stmt, *needs_stmt, *contact_stmt, *referral_stmt, *audit_stmt;
  VpSyntheticCounts counts;
} Fill;

/* Days since 1970-01-01 and back (H. Hinnant's civil calendar algorithms). */
static gint64
days_from_civil (gint64 y,
                 int    m,
                 int    d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 int    *y,
                 int    *m,
                 int    *d)
{
  gint64 era, doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int) (doy - (153 * mp + 2) / 5 + 1);
  *m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *y = (int) (yoe + era * 400 + (*m <= 2));
}

/* Wall-clock seconds of a local time, as if it were UTC. */
static gint64
wall_clock (GDateTime *time)
{
  return days_from_civil (g_date_time_get_year (time), g_date_time_get_month (time),
                          g_date_time_get_day_of_month (time)) * DAY +
         g_date_time_get_hour (time) * HOUR + g_date_time_get_minute (time) * 60 +
         g_date_time_get_second (time);
}

static void
format_time (gint64  t,
             char   *out,
             gsize   size,
             gboolean utc)
{
  gint64 day = t / DAY, s = t % DAY;
  int y, m, d;

  civil_from_days (day, &y, &m, &d);
  g_snprintf (out, size, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, m, d,
              (int) (s / HOUR), (int) (s % HOUR / 60), (int) (s % 60), utc ? "Z" : "");
}

static void
format_date (gint64  day,
             char   *out,
             gsize   size)
{
  int y, m, d;

  civil_from_days (day, &y, &m, &d);
  g_snprintf (out, size, "%04d-%02d-%02d", y, m, d);
}

static gint64
uniform (GRand  *rand,
         gint64  lo,
         gint64  hi)
{
  return hi <= lo ? lo : lo + (gint64) (g_rand_double (rand) * (double) (hi - lo));
}

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

static guint
category_size (VpCategory category)
{
  guint n = 0;

  vp_category_entries (category, &n);
  return n;
}

static const char *
category_code (VpCategory category,
               guint      index)
{
  guint n = 0;
  const VpCategoryEntry *entries = vp_category_entries (category, &n);

  return entries[MIN (index, n - 1)].code;
}

static const char *
pick_code (Fill       *fill,
           VpCategory  category,
           const Skew *skew)
{
  return category_code (category, skew_pick (skew, fill->rand));
}

static void
team_init (Team  *team,
           GRand *rand)
{
  guint n_languages = 0;

  vp_languages (&n_languages);
  skew_init (&team->location, category_size (VP_CATEGORY_LOCATION_TYPE), rand);
  skew_init (&team->initiator, category_size (VP_CATEGORY_INITIATED_BY), rand);
  skew_init (&team->stage, category_size (VP_CATEGORY_STAGE), rand);
  skew_init (&team->proficiency, category_size (VP_CATEGORY_DUTCH_PROFICIENCY), rand);
  skew_init (&team->interpreter, category_size (VP_CATEGORY_INTERPRETER_MODE), rand);
  /* Dutch, last in the list, is nobody's first preferred language here. */
  skew_init (&team->language, n_languages - 1, rand);
  skew_init (&team->referral, category_size (VP_CATEGORY_REFERRAL_CATEGORY), rand);
  skew_init (&team->outcome, category_size (VP_CATEGORY_REFERRAL_OUTCOME), rand);
  skew_init (&team->age, category_size (VP_CATEGORY_AGE_BAND), rand);
  team->consent = g_rand_double_range (rand, 0.55, 0.85);
}

/* Most clients are met once or a few times; a few are followed for years. */
static double
follow_up_weight (GRand *rand)
{
  double u = g_rand_double (rand);

  if (u < 0.35)
    return 0;
  if (u < 0.75)
    return g_rand_double_range (rand, 1, 9);
  if (u < 0.95)
    return g_rand_double_range (rand, 9, 31);
  return g_rand_double_range (rand, 31, 121);
}

/* Follow-ups per client adding up to exactly n_follow_ups. */
static guint32 *
share_follow_ups (GRand *rand,
                  guint  n_clients,
                  guint  n_follow_ups)
{
  g_autofree double *weights = g_new (double, n_clients);
  guint32 *counts = g_new0 (guint32, n_clients);
  double total = 0;
  guint given = 0;

  for (guint i = 0; i < n_clients; i++)
    total += weights[i] = follow_up_weight (rand);
  for (guint i = 0; total > 0 && i < n_clients; i++)
    given += counts[i] = (guint32) (weights[i] * n_follow_ups / total);
  while (given < n_follow_ups)
    {
      guint i = (guint) g_rand_int_range (rand, 0, (gint32) n_clients);

      if (weights[i] > 0 || total == 0)
        {
          counts[i]++;
          given++;
        }
    }
  return counts;
}

/* A time of day in office hours on a day between lo and hi, within them. */
static gint64
visit_time (GRand  *rand,
            gint64  lo,
            gint64  hi)
{
  gint64 t = uniform (rand, lo, hi);
  gint64 day = t - t % DAY;

  t = day + 8 * HOUR + uniform (rand, 0, 10 * HOUR);
  return CLAMP (t, lo, hi);
}

static gint64
withdrawal_time (Fill   *fill,
                 Client *client)
{
  return uniform (fill->rand, client->first + DAY, client->end);
}

/* Who the client is and what they agreed to, decided once. */
static void
make_client (Fill   *fill,
             Client *client)
{
  GRand *rand = fill->rand;
  guint n_languages = 0;
  static const int ages[][2] = { { 12, 17 }, { 18, 24 }, { 25, 64 }, { 65, 90 } };
  int year, month, day;

  vp_languages (&n_languages);
  client->name = (guint8) g_rand_int_range (rand, 0, G_N_ELEMENTS (first_names));
  client->initial = (guint8) g_rand_int_range (rand, 0, 26);
  if (g_rand_double (rand) < 0.6)
    {
      client->phone_style = (guint8) g_rand_int_range (rand, 1, 5);
      client->phone = (guint32) g_rand_int_range (rand, 10000000, 99999999);
    }
  civil_from_days (client->first / DAY, &year, &month, &day);
  if (g_rand_double (rand) < 0.92)
    {
      guint band = skew_pick (&fill->team.age, rand);
      client->birth_year = (guint16) (year - g_rand_int_range (rand, ages[band][0], ages[band][1] + 1));
    }
  client->proficiency = (guint8) (1 + skew_pick (&fill->team.proficiency, rand));

  if (g_rand_double (rand) < fill->team.consent)
    {
      client->consent[LANGUAGE] = CONSENT_STANDING;
      client->has_needs = g_rand_double (rand) < 0.9;
      client->languages[0] = (guint8) (1 + skew_pick (&fill->team.language, rand));
      if (client->proficiency == 1 && g_rand_double (rand) < 0.5)
        client->languages[0] = 0; /* sufficient Dutch: often no other language asked */
      else if (g_rand_double (rand) < 0.35)
        client->languages[1] = (guint8) (1 + skew_pick (&fill->team.language, rand));
      if (client->languages[1] == client->languages[0])
        client->languages[1] = (guint8) n_languages; /* Dutch as the second */
    }
  if (g_rand_double (rand) < (client->proficiency > 1 ? 0.6 : 0.1))
    client->consent[INTERPRETER] = CONSENT_STANDING;
  if (g_rand_double (rand) < 0.35)
    client->consent[REFERRAL] = CONSENT_STANDING;

  /* Some take their consent back later. */
  for (guint c = 0; c < N_CONSENTS; c++)
    if (client->consent[c] == CONSENT_STANDING && g_rand_double (rand) < (c == LANGUAGE ? 0.04 : 0.03) &&
        client->end > client->first + 2 * DAY)
      {
        client->consent[c] = CONSENT_WITHDRAWN;
        client->withdrawn[c] = withdrawal_time (fill, client);
      }
  if (client->consent[LANGUAGE] == CONSENT_WITHDRAWN)
    client->has_needs = FALSE;
}

/* When a client's contacts happen: an expired client's all before the
 * cut-off, a kept client's last one after it. */
static void
make_history (Fill    *fill,
              guint    index,
              gboolean expired,
              gint64   start,
              gint64   cutoff,
              Contact *contacts)
{
  Client *client = &fill->clients[index];
  GRand *rand = fill->rand;
  guint n = client->n_contacts;
  /* The last contact decides retention: an expired client's lies before
   * the cut-off, a kept client's after it. Last contacts spread evenly
   * over that time and the follow-ups some days to weeks apart before it,
   * so that no month is crowded. */
  gint64 lo = expired ? start : MAX (start, cutoff + KEEP_MARGIN);
  gint64 hi = expired ? cutoff - DAY : fill->until - HOUR;
  gint64 gap = uniform (rand, 3, 45) * DAY;
  gint64 span = MIN ((gint64) (n - 1) * gap, hi - start - DAY);
  gint64 last = visit_time (rand, MAX (lo, start + span), hi);

  /* Some kept clients are still being followed: their last contact is
   * recent, which keeps the last months as full as the others. */
  if (!expired && n > 1 && g_rand_double (rand) < ONGOING)
    {
      last = visit_time (rand, MAX (lo, hi - gap), hi);
      span = MIN (span, last - start);
    }

  client->first = last - span;
  client->end = expired ? cutoff - DAY : fill->until;

  for (guint i = 0; i < n; i++)
    {
      Contact *contact = &contacts[i];
      double u = g_rand_double (rand);

      contact->client = index;
      contact->first = i == 0;
      /* The last follow-up is the one that keeps (or lets go of) the client. */
      contact->occurred = i == 0 ? client->first : i == n - 1 ? last : visit_time (rand, client->first + HOUR, last);
      /* Mostly entered at the visit; some the next days, a few weeks late. */
      if (i == 0 || u < 0.88)
        contact->entered = contact->occurred + uniform (rand, 60, 30 * 60);
      else if (u < 0.98)
        contact->entered = contact->occurred + uniform (rand, HOUR, 72 * HOUR);
      else
        contact->entered = contact->occurred + uniform (rand, 10 * DAY, 40 * DAY);
      contact->entered = MIN (contact->entered, fill->until);
    }
  client->first = contacts[0].entered; /* the client is created when it is entered */
  make_client (fill, client);

  /* Referrals, only with consent (the store refuses others). */
  if (client->consent[REFERRAL] == CONSENT_STANDING && g_rand_double (rand) < 0.5)
    {
      guint n_referrals = 1 + (g_rand_double (rand) < 0.3) + (g_rand_double (rand) < 0.1);

      for (guint r = 0; r < n_referrals; r++)
        contacts[g_rand_int_range (rand, 0, (gint32) n)].referral = TRUE;
    }
}

static int
compare_contacts (const void *a,
                  const void *b)
{
  const Contact *ca = a, *cb = b;

  if (ca->entered != cb->entered)
    return ca->entered < cb->entered ? -1 : 1;
  return ca->seq < cb->seq ? -1 : ca->seq > cb->seq;
}

static int
compare_clients (const void *a,
                 const void *b,
                 gpointer    data)
{
  const Client *clients = data;
  guint ia = *(const guint *) a, ib = *(const guint *) b;

  if (clients[ia].first != clients[ib].first)
    return clients[ia].first < clients[ib].first ? -1 : 1;
  return ia < ib ? -1 : ia > ib;
}

/* Everything decided before anything is written, so that the rows can go
 * in the order they would have been entered. */
static void
make_team (Fill                    *fill,
           const VpSyntheticParams *params,
           guint                    n_contacts,
           gint64                   start,
           gint64                   cutoff,
           gint64                   first_id)
{
  g_autofree guint32 *follow_ups = share_follow_ups (fill->rand, params->clients, n_contacts - params->clients);
  guint *order = fill->order = g_new (guint, params->clients);
  guint expired_left = params->expired;
  guint next = 0;

  fill->n_clients = params->clients;
  fill->n_contacts = n_contacts;
  fill->clients = g_new0 (Client, params->clients);
  fill->contacts = g_new0 (Contact, n_contacts);
  for (guint i = 0; i < params->clients; i++)
    {
      /* Exactly the number asked for, spread over the clients. */
      gboolean expired = g_rand_double (fill->rand) * (params->clients - i) < expired_left;

      expired_left -= expired;
      fill->clients[i].n_contacts = 1 + follow_ups[i];
      make_history (fill, i, expired, start, cutoff, &fill->contacts[next]);
      next += fill->clients[i].n_contacts;
    }
  for (guint i = 0; i < n_contacts; i++)
    fill->contacts[i].seq = i;
  qsort (fill->contacts, n_contacts, sizeof (Contact), compare_contacts);

  for (guint i = 0; i < params->clients; i++)
    order[i] = i;
  g_qsort_with_data (order, (gint) params->clients, sizeof (guint), compare_clients, fill->clients);
  for (guint i = 0; i < params->clients; i++)
    fill->clients[order[i]].id = (guint32) (first_id + i);
}

static gboolean
prepare (Fill          *fill,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  int rc = sqlite3_prepare_v2 (fill->db, sql, -1, stmt, NULL);

  if (rc != SQLITE_OK)
    return vp_store_set_sqlite_error (fill->store, rc, error);
  return TRUE;
}

static gboolean
run (Fill          *fill,
     sqlite3_stmt  *stmt,
     GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return vp_store_set_sqlite_error (fill->store, rc, error);
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
}

/* The same entry, and the same hash, as vp_audit_append() would make at
 * that time (vp-audit.c; vp_audit_verify() checks the chain in the tests). */
static gboolean
audit (Fill        *fill,
       gint64       t,
       const char  *action,
       const char  *record_type,
       gint64       record_id,
       GError     **error)
{
  char at[32], text[512];
  const char *hash;

  format_time (t - fill->utc_offset, at, sizeof at, TRUE);
  fill->audit_id++;
  g_snprintf (text, sizeof text,
              "vindplaats-audit/1\n%s\n%" G_GINT64_FORMAT "\n%s\n%" G_GINT64_FORMAT "\n%s\n%s\n%s\n%" G_GINT64_FORMAT "\n%s",
              fill->prev_hash, fill->audit_id, at, fill->account_id, fill->role != NULL ? fill->role : "",
              action, record_type, record_id, "ok");
  g_checksum_reset (fill->checksum);
  g_checksum_update (fill->checksum, (const guchar *) text, -1);
  hash = g_checksum_get_string (fill->checksum);

  sqlite3_bind_int64 (fill->audit_stmt, 1, fill->audit_id);
  bind_text (fill->audit_stmt, 2, at);
  sqlite3_bind_int64 (fill->audit_stmt, 3, fill->account_id);
  bind_text (fill->audit_stmt, 4, fill->role);
  bind_text (fill->audit_stmt, 5, action);
  bind_text (fill->audit_stmt, 6, record_type);
  sqlite3_bind_int64 (fill->audit_stmt, 7, record_id);
  bind_text (fill->audit_stmt, 8, fill->prev_hash);
  bind_text (fill->audit_stmt, 9, hash);
  g_strlcpy (fill->prev_hash, hash, sizeof fill->prev_hash);
  fill->counts.audit_entries++;
  return run (fill, fill->audit_stmt, error);
}

static void
format_phone (const Client *client,
              char         *out,
              gsize         size)
{
  guint32 p = client->phone;

  switch (client->phone_style)
    {
    case 1:
      g_snprintf (out, size, "06%08u", p);
      break;
    case 2:
      g_snprintf (out, size, "06-%08u", p);
      break;
    case 3:
      g_snprintf (out, size, "06 %04u %04u", p / 10000, p % 10000);
      break;
    default:
      g_snprintf (out, size, "+31 6 %08u", p);
    }
}

static gboolean
write_consent (Fill        *fill,
               Client      *client,
               guint        c,
               GError     **error)
{
  sqlite3_stmt *stmt = fill->consent_stmt;
  guint n_languages = 0;
  const VpLanguage *languages = vp_languages (&n_languages);
  char given[32], withdrawn[32];
  const char *explained = "nld";

  format_time (client->first, given, sizeof given, FALSE);
  if (g_rand_double (fill->rand) < 0.3)
    explained = client->languages[0] > 0 ? languages[client->languages[0] - 1].code : "eng";
  sqlite3_bind_int64 (stmt, 1, client->id);
  bind_text (stmt, 2, consent_categories[c]);
  bind_text (stmt, 3, given);
  bind_text (stmt, 4, g_rand_double (fill->rand) < 0.85 ? "verbal" : "written");
  bind_text (stmt, 5, explained);
  bind_text (stmt, 6, CONSENT_TEXT_VERSION);
  if (client->consent[c] == CONSENT_WITHDRAWN)
    {
      format_time (client->withdrawn[c], withdrawn, sizeof withdrawn, FALSE);
      bind_text (stmt, 7, withdrawn);
      fill->counts.withdrawn++;
    }
  fill->counts.consents++;
  return run (fill, stmt, error);
}

/* The client, what they consented to, and their language needs. */
static gboolean
write_client (Fill     *fill,
              Client   *client,
              GError  **error)
{
  guint n_languages = 0;
  const VpLanguage *languages = vp_languages (&n_languages);
  g_autofree char *label = g_strdup_printf ("Demo %s %c.", first_names[client->name], 'A' + client->initial);
  char created[32], phone[32];

  format_time (client->first, created, sizeof created, FALSE);
  sqlite3_bind_int64 (fill->client_stmt, 1, client->id);
  bind_text (fill->client_stmt, 2, label);
  if (client->birth_year > 0)
    sqlite3_bind_int (fill->client_stmt, 3, client->birth_year);
  if (client->phone_style > 0)
    {
      format_phone (client, phone, sizeof phone);
      bind_text (fill->client_stmt, 4, phone);
    }
  bind_text (fill->client_stmt, 5, created);
  if (!run (fill, fill->client_stmt, error))
    return FALSE;
  fill->counts.clients++;

  for (guint c = 0; c < N_CONSENTS; c++)
    if (client->consent[c] != CONSENT_NONE && !write_consent (fill, client, c, error))
      return FALSE;

  if (client->has_needs)
    {
      g_autofree char *list = NULL;

      if (client->languages[0] > 0 && client->languages[1] > 0)
        list = g_strdup_printf ("%s,%s", languages[client->languages[0] - 1].code,
                                languages[client->languages[1] - 1].code);
      else if (client->languages[0] > 0)
        list = g_strdup (languages[client->languages[0] - 1].code);
      sqlite3_bind_int64 (fill->needs_stmt, 1, client->id);
      bind_text (fill->needs_stmt, 2, category_code (VP_CATEGORY_DUTCH_PROFICIENCY, client->proficiency - 1));
      bind_text (fill->needs_stmt, 3, list);
      if (!run (fill, fill->needs_stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* A referral at a contact, with the feedback that came back (in time, late
 * or not at all) by the end of the history. */
static gboolean
write_referral (Fill           *fill,
                const Contact  *contact,
                gint64          contact_id,
                GError        **error)
{
  sqlite3_stmt *stmt = fill->referral_stmt;
  const Client *client = &fill->clients[contact->client];
  guint category = skew_pick (&fill->team.referral, fill->rand);
  gint64 on = contact->occurred / DAY, by = on + fill->feedback_days[category], today = fill->until / DAY;
  gint64 received = 0;
  double u = g_rand_double (fill->rand);
  char referred[16], expected[16], got[16], entered[32];
  g_autofree char *organisation = NULL;
  guint n = 0;
  const VpCategoryEntry *entries = vp_category_entries (VP_CATEGORY_REFERRAL_CATEGORY, &n);

  organisation = g_strdup_printf ("Demo %s %s", entries[MIN (category, n - 1)].label,
                                  districts[g_rand_int_range (fill->rand, 0, G_N_ELEMENTS (districts))]);
  if (by < today ? u < 0.55 : u < 0.3)
    received = uniform (fill->rand, on, MIN (by, today) + 1);
  else if (by < today && u < 0.75)
    received = uniform (fill->rand, by + 1, MIN (by + 30, today) + 1);

  format_date (on, referred, sizeof referred);
  format_date (by, expected, sizeof expected);
  format_time (contact->entered, entered, sizeof entered, FALSE);
  fill->counts.referrals++;
  sqlite3_bind_int64 (stmt, 1, client->id);
  sqlite3_bind_int64 (stmt, 2, contact_id);
  sqlite3_bind_int64 (stmt, 3, fill->account_id);
  bind_text (stmt, 4, category_code (VP_CATEGORY_REFERRAL_CATEGORY, category));
  bind_text (stmt, 5, organisation);
  bind_text (stmt, 6, referred);
  sqlite3_bind_int (stmt, 7, g_rand_double (fill->rand) < 0.3);
  bind_text (stmt, 8, expected);
  if (received > 0)
    {
      format_date (received, got, sizeof got);
      bind_text (stmt, 9, got);
      bind_text (stmt, 10, pick_code (fill, VP_CATEGORY_REFERRAL_OUTCOME, &fill->team.outcome));
    }
  bind_text (stmt, 11, entered);
  return run (fill, stmt, error) &&
         audit (fill, contact->entered, "create", "referral", sqlite3_last_insert_rowid (fill->db), error);
}

/* A contact with the facts as they were recorded with it (vp-schema.c,
 * migration 5), and what the app audits when it is saved. */
static gboolean
write_contact (Fill           *fill,
               const Contact  *contact,
               gint64          id,
               GError        **error)
{
  sqlite3_stmt *stmt = fill->contact_stmt;
  const Client *client = &fill->clients[contact->client];
  guint n_languages = 0;
  const VpLanguage *languages = vp_languages (&n_languages);
  char occurred[32], entered[32];
  double interpreter = client->proficiency > 1 ? 0.65 : 0.1;

  if (contact->first && !audit (fill, contact->entered, "create", "client", client->id, error))
    return FALSE;
  format_time (contact->occurred, occurred, sizeof occurred, FALSE);
  format_time (contact->entered, entered, sizeof entered, FALSE);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, client->id);
  sqlite3_bind_int64 (stmt, 3, fill->account_id);
  bind_text (stmt, 4, pick_code (fill, VP_CATEGORY_LOCATION_TYPE, &fill->team.location));
  bind_text (stmt, 5, occurred);
  bind_text (stmt, 6, contact->first ? "first" : "follow_up");
  bind_text (stmt, 7, pick_code (fill, VP_CATEGORY_INITIATED_BY, &fill->team.initiator));
  if (contact->first && g_rand_double (fill->rand) < 0.85)
    bind_text (stmt, 8, pick_code (fill, VP_CATEGORY_STAGE, &fill->team.stage));
  if (client->consent[INTERPRETER] == CONSENT_STANDING && g_rand_double (fill->rand) < interpreter)
    bind_text (stmt, 9, pick_code (fill, VP_CATEGORY_INTERPRETER_MODE, &fill->team.interpreter));
  if (g_rand_double (fill->rand) < 0.12)
    bind_text (stmt, 10, notes[g_rand_int_range (fill->rand, 0, G_N_ELEMENTS (notes))]);
  bind_text (stmt, 11, entered);
  if (client->has_needs)
    {
      bind_text (stmt, 12, category_code (VP_CATEGORY_DUTCH_PROFICIENCY, client->proficiency - 1));
      if (client->languages[0] > 0)
        bind_text (stmt, 13, languages[client->languages[0] - 1].code);
    }
  if (!run (fill, stmt, error) || !audit (fill, contact->entered, "create", "contact", id, error))
    return FALSE;
  fill->counts.contacts++;
  return !contact->referral || write_referral (fill, contact, id, error);
}

static gboolean
prepare_all (Fill    *fill,
             GError **error)
{
  return prepare (fill, "INSERT INTO client (id, label, birth_year, phone, created_at) VALUES (?, ?, ?, ?, ?)",
                  &fill->client_stmt, error) &&
         prepare (fill, "INSERT INTO consent (client_id, category, given_at, method, explanation_language,"
                        " text_version, withdrawn_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  &fill->consent_stmt, error) &&
         prepare (fill, "INSERT INTO language_need (client_id, dutch_proficiency, preferred_languages)"
                        " VALUES (?, ?, ?)", &fill->needs_stmt, error) &&
         prepare (fill, "INSERT INTO contact (id, client_id, account_id, location_type, occurred_at, kind,"
                        " initiated_by, stage, interpreter, notes, entered_at, dutch_proficiency, language)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &fill->contact_stmt, error) &&
         prepare (fill, "INSERT INTO referral (client_id, contact_id, account_id, category, organisation,"
                        " referred_on, warm_handover, feedback_expected_by, feedback_received_on, outcome,"
                        " entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &fill->referral_stmt, error) &&
         prepare (fill, "INSERT INTO audit_log (id, at, account_id, role, action, record_type, record_id,"
                        " outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, 'ok', ?, ?)",
                  &fill->audit_stmt, error);
}

static void
finalize_all (Fill *fill)
{
  sqlite3_stmt **stmts[] = { &fill->client_stmt, &fill->consent_stmt, &fill->needs_stmt,
                             &fill->contact_stmt, &fill->referral_stmt, &fill->audit_stmt };

  for (guint i = 0; i < G_N_ELEMENTS (stmts); i++)
    g_clear_pointer (stmts[i], sqlite3_finalize);
}

static gint64
query_int (sqlite3    *db,
           const char *sql,
           char       *text,
           gsize       size)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = 0;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    {
      value = sqlite3_column_int64 (stmt, 0);
      if (text != NULL && sqlite3_column_text (stmt, 1) != NULL)
        g_strlcpy (text, (const char *) sqlite3_column_text (stmt, 1), size);
    }
  sqlite3_finalize (stmt);
  return value;
}

/* Clients in the order they were created, then contacts (with their
 * referrals and audit entries) in the order they were entered. */
static gboolean
write_team (Fill    *fill,
            gint64   first_contact_id,
            GError **error)
{
  if (!prepare_all (fill, error))
    return FALSE;
  for (guint i = 0; i < fill->n_clients; i++)
    if (!write_client (fill, &fill->clients[fill->order[i]], error))
      return FALSE;
  for (guint i = 0; i < fill->n_contacts; i++)
    if (!write_contact (fill, &fill->contacts[i], first_contact_id + i, error))
      return FALSE;
  return TRUE;
}

static void
fill_clear (Fill *fill)
{
  finalize_all (fill);
  g_clear_pointer (&fill->clients, g_free);
  g_clear_pointer (&fill->contacts, g_free);
  g_clear_pointer (&fill->order, g_free);
  g_clear_pointer (&fill->rand, g_rand_free);
  g_clear_pointer (&fill->checksum, g_checksum_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fill, fill_clear)

static gboolean
check_params (const VpSyntheticParams  *params,
              guint                     n_contacts,
              guint                     retention_months,
              GError                  **error)
{
  if (params->clients == 0 || params->months == 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("A synthetic history needs at least one client and one month"));
      return FALSE;
    }
  if (n_contacts < params->clients)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("Every client needs a first contact: give at least as many contacts as clients"));
      return FALSE;
    }
  if (params->expired > params->clients)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("There cannot be more expired clients than clients"));
      return FALSE;
    }
  if (params->expired > 0 && params->months < retention_months + 2)
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                   _("Expired clients need a history longer than the retention period: at least %u months"),
                   retention_months + 2);
      return FALSE;
    }
  return TRUE;
}

/* Reads the team's settings that the rows must follow. */
static void
fill_init (Fill                    *fill,
           VpStore                 *store,
           const VpSyntheticParams *params,
           GDateTime               *until)
{
  guint n = 0;
  const VpCategoryEntry *categories = vp_category_entries (VP_CATEGORY_REFERRAL_CATEGORY, &n);

  fill->store = store;
  fill->db = vp_store_get_db (store);
  fill->rand = g_rand_new_with_seed (params->seed);
  fill->until = wall_clock (until);
  fill->utc_offset = g_date_time_get_utc_offset (until) / G_TIME_SPAN_SECOND;
  fill->account_id = vp_store_get_account_id (store);
  fill->role = vp_store_get_account_role (store);
  fill->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  for (guint i = 0; i < MIN (n, G_N_ELEMENTS (fill->feedback_days)); i++)
    fill->feedback_days[i] = vp_store_get_feedback_days (store, categories[i].code);
  team_init (&fill->team, fill->rand);
}

/**
 * vp_synthetic_fill:
 * @store: an open store
 * @params: how big a history, and its seed
 * @counts: (out) (optional): what was made
 * @error: return location for an error
 *
 * Adds a made-up team's history to @store in one transaction: all of it or
 * nothing.
 */
gboolean
vp_synthetic_fill (VpStore                  *store,
                   const VpSyntheticParams  *params,
                   VpSyntheticCounts        *counts,
                   GError                  **error)
{
  g_auto(Fill) fill = { 0 };
  g_autoptr(GDateTime) until = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) cutoff = NULL;
  guint n_contacts, retention_months;
  gint64 first_client, first_contact, cache_size;
  g_autofree char *pragma = NULL;
  gboolean ok;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  n_contacts = params->contacts != 0 ? params->contacts : 10 * params->clients;
  retention_months = vp_store_get_retention_months (store);
  if (!check_params (params, n_contacts, retention_months, error))
    return FALSE;
  if (vp_store_get_db (store) == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED, _("The store is locked"));
      return FALSE;
    }

  until = params->until != NULL ? g_date_time_ref (params->until) : g_date_time_new_now_local ();
  start = g_date_time_add_months (until, -(int) params->months);
  cutoff = g_date_time_add_months (until, -(int) retention_months);
  fill_init (&fill, store, params, until);

  /* A larger page cache while the indexes grow; the store's own after. */
  cache_size = query_int (fill.db, "PRAGMA cache_size", NULL, 0);
  if (!vp_store_exec (store, "PRAGMA cache_size = -131072", error) ||
      !vp_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  first_client = query_int (fill.db, "SELECT coalesce (max (id), 0) + 1 FROM client", NULL, 0);
  first_contact = query_int (fill.db, "SELECT coalesce (max (id), 0) + 1 FROM contact", NULL, 0);
  g_strlcpy (fill.prev_hash, GENESIS_HASH, sizeof fill.prev_hash);
  fill.audit_id = query_int (fill.db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
                             fill.prev_hash, sizeof fill.prev_hash);

  make_team (&fill, params, n_contacts, wall_clock (start), wall_clock (cutoff), first_client);
  ok = write_team (&fill, first_contact, error);
  finalize_all (&fill);
  ok = ok && vp_store_exec (store, "COMMIT", error);
  if (!ok)
    vp_store_exec (store, "ROLLBACK", NULL);
  pragma = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT, cache_size);
  vp_store_exec (store, pragma, NULL);
  /* The write-ahead log grew as large as the history; give the space back. */
  if (ok)
    vp_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
  if (ok && counts != NULL)
    *counts = fill.counts;
  return ok;
}
