/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "vp-audit.h"
#include "vp-store-private.h"
#include "vp-client-cert.h"
#include "vp-team-enrol.h"
#include "vp-team-envelope.h"
#include "vp-team-error.h"
#include "vp-team-round.h"

/* A round of team sync, as docs/team-sync.md describes it:
 *
 * 1. Keys. The relay's device list says the team's newest key epoch; a
 *    newer one than this laptop holds is fetched (wrapped to this laptop's
 *    device key) before anything is sealed, because the relay refuses a
 *    blob sealed under a replaced key.
 * 2. Out. What must leave is sealed and kept in the store *before* it is
 *    sent (vp_store_team_queue_blob()), so that a lost answer is answered
 *    by sending the very same bytes under the same sequence number, which
 *    the relay recognises; only what it stored counts as sent. The team
 *    leader's laptop first finishes a key rotation that a failure left
 *    half done and publishes the roster when it changed; a laptop that
 *    joined says its name and role once.
 * 3. In. Blobs after the stored cursor, in the relay's order (the same on
 *    every laptop). Each is opened with the key of its epoch; a blob that
 *    does not open, does not parse, or carries changes of another device
 *    than its header names is refused with an audit entry and skipped:
 *    the round goes on and the store stays as it was. Changes are applied
 *    with the cursor in one transaction, so a laptop killed halfway
 *    applies the blob again.
 * 4. The cursor is acknowledged, so that the relay can compact.
 * 5. The team leader's laptop compacts the relay when it is due (see
 *    "Compaction" below).
 *
 * A failure of the network stops the round where it is; everything done
 * so far is kept and the next round carries on from there. */

#define SETTING_ROSTER_DIRTY "team_roster_dirty"
#define SETTING_ANNOUNCED "team_announced"
#define SETTING_ROTATION "team_rotation"
#define SETTING_PUBLIC_KEY_PREFIX "team_device_key:"
#define SETTING_SNAPSHOT "team_snapshot"
#define SETTING_SNAPSHOT_DONE "team_snapshot_done"
#define SETTING_SNAPSHOT_NUMBER "team_snapshot_number"
#define SETTING_SINCE_SNAPSHOT "team_since_snapshot"
#define SETTING_ERASED "team_erased"

/* ---- Small helpers ---------------------------------------------------- */

char *
_vp_team_now_iso (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

void
_vp_team_audit (VpStore    *store,
                const char *action,
                const char *detail,
                const char *outcome)
{
  g_autoptr(GError) error = NULL;

  if (!vp_audit_append_detail (store, action, "team", 0, detail, outcome, &error))
    g_warning ("A team sync event could not be written to the audit log: %s", error->message);
}

static char *
uid_hex (const VpUid *uid)
{
  char text[VP_UID_STRING_LEN + 1];

  vp_uid_to_string (uid, text);
  return g_strdup (text);
}

static gboolean
setting_is_set (VpStore    *store,
                const char *key)
{
  g_autofree char *value = vp_store_get_setting (store, key);

  return value != NULL && *value != '\0';
}

gboolean
_vp_team_roster_changed (VpStore  *store,
                         GError  **error)
{
  return vp_store_set_setting (store, SETTING_ROSTER_DIRTY, "1", error);
}

gboolean
_vp_team_save_public_key (VpStore       *store,
                          const VpUid   *device,
                          const guint8  *public_key,
                          GError       **error)
{
  g_autofree char *hex = uid_hex (device);
  g_autofree char *key = g_strconcat (SETTING_PUBLIC_KEY_PREFIX, hex, NULL);
  GString *value = g_string_sized_new (2 * VP_X25519_KEY_LEN);
  g_autofree char *text = NULL;

  for (guint i = 0; i < VP_X25519_KEY_LEN; i++)
    g_string_append_printf (value, "%02x", public_key[i]);
  text = g_string_free (value, FALSE);
  return vp_store_set_setting (store, key, text, error);
}

/* 64 hex digits into a public key. */
gboolean
_vp_team_parse_public_key (const char *text,
                           guint8      out[VP_X25519_KEY_LEN])
{
  if (text == NULL || strlen (text) != 2 * VP_X25519_KEY_LEN)
    return FALSE;
  for (guint i = 0; i < VP_X25519_KEY_LEN; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]), lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

static gboolean
load_public_key (VpStore     *store,
                 const VpUid *device,
                 guint8       out[VP_X25519_KEY_LEN])
{
  g_autofree char *hex = uid_hex (device);
  g_autofree char *key = g_strconcat (SETTING_PUBLIC_KEY_PREFIX, hex, NULL);
  g_autofree char *text = vp_store_get_setting (store, key);

  return _vp_team_parse_public_key (text, out);
}

VpDeviceKey *
_vp_team_load_device_key (VpStore  *store,
                          GError  **error)
{
  g_autoptr(GBytes) secret = vp_store_team_get_secret (store, "device-key", error);

  if (secret == NULL)
    return NULL;
  if (g_bytes_get_size (secret) != VP_X25519_KEY_LEN)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("This laptop’s team key pair in the store is damaged"));
      return NULL;
    }
  return vp_device_key_new_from_private (g_bytes_get_data (secret, NULL), error);
}

VpTeamKey *
_vp_team_load_key (VpStore      *store,
               const VpUid  *team,
               guint32       epoch,
               GError      **error)
{
  g_autoptr(GBytes) secret = vp_store_team_get_key (store, epoch, error);

  if (secret == NULL)
    return NULL;
  if (g_bytes_get_size (secret) != VP_TEAM_KEY_LEN)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("A team key in the store is damaged"));
      return NULL;
    }
  return vp_team_key_new (team, epoch, g_bytes_get_data (secret, NULL), error);
}

/* A team key into a GBytes that is wiped when freed, for the store. */
static void
wipe_key (gpointer data)
{
  OPENSSL_cleanse (data, VP_TEAM_KEY_LEN);
  g_free (data);
}

GBytes *
_vp_team_key_secret (const VpTeamKey *key)
{
  guint8 *raw = g_malloc (VP_TEAM_KEY_LEN);

  vp_team_key_copy_secret (key, raw);
  return g_bytes_new_with_free_func (raw, VP_TEAM_KEY_LEN, wipe_key, raw);
}

/* ---- The relay connection --------------------------------------------- */

static char *
secret_to_string (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strndup (data, len);
}

static void
wipe_free_string (char *text)
{
  if (text != NULL)
    OPENSSL_cleanse (text, strlen (text));
  g_free (text);
}

void
_vp_team_relay_free (VpTeamRelay *relay)
{
  if (relay == NULL)
    return;
  g_free (relay->endpoint);
  g_free (relay->ca_file);
  g_free (relay->pinned_key);
  wipe_free_string (relay->report_token);
  wipe_free_string (relay->device_token);
  g_clear_pointer (&relay->credential, vp_client_credential_free);
  g_free (relay);
}

void
_vp_team_relay_set_token (VpTeamRelay *relay,
                          const char  *token)
{
  wipe_free_string (relay->device_token);
  relay->device_token = g_strdup (token);
  relay->config.device_token = relay->device_token;
}

VpTeamRelay *
_vp_team_connect (VpStore   *store,
                  gboolean   with_token,
                  GError   **error)
{
  g_autoptr(VpTeamRelay) relay = g_new0 (VpTeamRelay, 1);

  relay->ca_file = vp_store_get_setting (store, "endpoint_ca_file");
  relay->pinned_key = vp_store_get_setting (store, "endpoint_pinned_key");
  relay->credential = vp_client_cert_load (store);
  if (with_token)
    {
      g_auto(VpTeamIdentity) identity = { 0 };
      g_autoptr(GBytes) secret = NULL;

      if (!vp_store_team_get_identity (store, &identity, error))
        return NULL;
      relay->endpoint = g_steal_pointer (&identity.relay_url);
      secret = vp_store_team_get_secret (store, "relay-token", error);
      if (secret == NULL)
        return NULL;
      relay->device_token = secret_to_string (secret);
    }
  else
    {
      relay->endpoint = vp_store_get_setting (store, "endpoint_url");
      relay->report_token = vp_store_get_setting (store, "endpoint_token");
    }
  if (relay->endpoint == NULL || *relay->endpoint == '\0')
    {
      g_set_error_literal (error, VP_RELAY_ERROR, VP_RELAY_ERROR_INVALID,
                           _("No endpoint has been set up for this team: team sync goes through the endpoint’s relay"));
      return NULL;
    }
  relay->config = (VpRelayConfig) {
    .endpoint = relay->endpoint,
    .ca_file = relay->ca_file,
    .pinned_key = relay->pinned_key,
    .client_cert = relay->credential != NULL ? relay->credential->cert_pem : NULL,
    .client_key = relay->credential != NULL ? relay->credential->key_pem : NULL,
    .report_token = relay->report_token,
    .device_token = relay->device_token,
  };
  return g_steal_pointer (&relay);
}

/* ---- Keys --------------------------------------------------------------- */

gboolean
_vp_team_fetch_keys (VpStore        *store,
                     VpTeamRelay  *relay,
                     GError        **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(VpDeviceKey) device = NULL;
  g_autoptr(GPtrArray) wrapped = NULL;
  guint8 leader_public[VP_X25519_KEY_LEN];
  VpUid leader;

  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  wrapped = vp_relay_get_keys (&relay->config, &identity.team, error);
  if (wrapped == NULL)
    return FALSE;
  device = _vp_team_load_device_key (store, error);
  if (device == NULL || !_vp_team_get_leader (store, leader_public, &leader, error))
    return FALSE;
  for (guint i = 0; i < wrapped->len; i++)
    {
      g_autoptr(GError) local = NULL;
      VpUid named;
      g_autoptr(VpTeamKey) key = vp_team_key_unwrap (device, leader_public, g_ptr_array_index (wrapped, i),
                                                     &named, &local);
      g_autoptr(GBytes) known = NULL;
      g_autoptr(GBytes) secret = NULL;

      /* A key opens only if the team leader's laptop wrapped it (its key
       * goes into the unwrapping): the relay cannot hand over keys of its
       * own, nor pass another laptop off as the leader's. */
      if (key == NULL || !vp_uid_equal (vp_team_key_get_team (key), &identity.team) ||
          !vp_uid_equal (&named, &leader))
        {
          _vp_team_audit (store, "sync_rejected", "key", "refused");
          continue;
        }
      known = vp_store_team_get_key (store, vp_team_key_get_epoch (key), NULL);
      if (known != NULL)
        continue;
      secret = _vp_team_key_secret (key);
      if (!vp_store_team_add_key (store, vp_team_key_get_epoch (key), secret, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- Out ------------------------------------------------------------------ */

static gboolean
seal_and_queue (VpStore               *store,
                const VpTeamIdentity  *identity,
                GBytes                *plaintext,
                gint64                 last_change,
                GError               **error)
{
  g_autoptr(VpTeamKey) key = _vp_team_load_key (store, &identity->team, identity->epoch, error);
  g_autoptr(GBytes) blob = NULL;
  gsize len = 0;
  const guint8 *data;

  if (key == NULL)
    return FALSE;
  data = g_bytes_get_data (plaintext, &len);
  blob = vp_team_seal (key, &identity->device, identity->next_sequence, data, len, error);
  return blob != NULL
         && vp_store_team_queue_blob (store, identity->next_sequence, blob, last_change, error);
}

/* A queued blob that the relay refused because the team key was replaced
 * since it was sealed (it was never stored: the relay refuses it whole)
 * is sealed again under the newest key with the same sequence, in place.
 * The store's interface has no call for that; this is its one row. */
static gboolean
reseal_queued (VpStore   *store,
               GBytes    *blob,
               guint64    sequence,
               GError   **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(VpTeamKey) old_key = NULL;
  g_autoptr(VpTeamKey) new_key = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GBytes) sealed = NULL;
  VpBlobHeader header;
  sqlite3_stmt *stmt = NULL;
  gsize len = 0;
  const guint8 *data;
  int rc;

  if (!vp_store_team_get_identity (store, &identity, error)
      || !vp_team_blob_read_header (blob, &header, error)
      || (old_key = _vp_team_load_key (store, &identity.team, header.epoch, error)) == NULL
      || (new_key = _vp_team_load_key (store, &identity.team, identity.epoch, error)) == NULL
      || (plaintext = vp_team_open (old_key, blob, &header, error)) == NULL)
    return FALSE;
  if (identity.epoch <= header.epoch)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_WRONG_EPOCH,
                           _("The relay asks for a newer team key than this laptop has been given"));
      return FALSE;
    }
  data = g_bytes_get_data (plaintext, &len);
  sealed = vp_team_seal (new_key, &identity.device, sequence, data, len, error);
  if (sealed == NULL)
    return FALSE;
  rc = sqlite3_prepare_v2 (vp_store_get_db (store), "UPDATE team_outbox SET blob = ? WHERE sequence = ?",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      data = g_bytes_get_data (sealed, &len);
      sqlite3_bind_blob (stmt, 1, data, (int) len, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, (gint64) sequence);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || vp_store_set_sqlite_error (store, rc, error);
}

static guint32 snapshot_part (VpStore *store, guint64 sequence);
static gboolean count_since_snapshot (VpStore *store, guint blobs, guint64 bytes, GError **error);

/* Sends what is queued, oldest first, until nothing is left. */
static gboolean
flush_queue (VpStore           *store,
             VpTeamRelay     *relay,
             const VpUid       *team,
             VpTeamRoundStats  *stats,
             GError           **error)
{
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) blob = NULL;
      g_autofree char *detail = NULL;
      guint64 sequence = 0, cursor = 0;
      guint32 snapshot;

      blob = vp_store_team_queued_blob (store, &sequence, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (blob == NULL)
        return TRUE;
      snapshot = snapshot_part (store, sequence);
      if (!vp_relay_push (&relay->config, team, blob, snapshot, &cursor, &local))
        {
          if (!g_error_matches (local, VP_RELAY_ERROR, VP_RELAY_ERROR_OLD_EPOCH))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          g_clear_error (&local);
          if (!_vp_team_fetch_keys (store, relay, error) || !reseal_queued (store, blob, sequence, error))
            return FALSE;
          continue;
        }
      if (!vp_store_team_blob_sent (store, sequence, error)
          || (snapshot == 0 && !count_since_snapshot (store, 1, g_bytes_get_size (blob), error)))
        return FALSE;
      stats->n_sent++;
      detail = g_strdup_printf ("seq:%" G_GUINT64_FORMAT, sequence);
      _vp_team_audit (store, "sync_sent", detail, "ok");
    }
}

static GPtrArray *
roster_devices (VpStore  *store,
                GError  **error)
{
  g_autoptr(GPtrArray) devices = vp_store_team_list_devices (store, error);
  g_autoptr(GPtrArray) out = NULL;

  if (devices == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_envelope_device_free);
  for (guint i = 0; i < devices->len; i++)
    {
      const VpTeamDevice *d = g_ptr_array_index (devices, i);
      guint8 key[VP_X25519_KEY_LEN];
      gboolean has_key = load_public_key (store, &d->device, key);

      g_ptr_array_add (out, vp_envelope_device_new (&d->device, d->role, d->name, d->enrolled_at,
                                                    d->removed_at, has_key ? key : NULL));
    }
  return g_steal_pointer (&out);
}

/* The team leader's roster, sealed for the others. */
static gboolean
queue_roster (VpStore  *store,
              GError  **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GBytes) plaintext = NULL;

  if (!vp_store_team_get_identity (store, &identity, error)
      || (devices = roster_devices (store, error)) == NULL
      || (plaintext = vp_team_envelope_roster (identity.epoch, devices, error)) == NULL
      || !seal_and_queue (store, &identity, plaintext, 0, error))
    return FALSE;
  return vp_store_set_setting (store, SETTING_ROSTER_DIRTY, NULL, error);
}

/* A laptop that joined says who it is, once. */
static gboolean
queue_announcement (VpStore  *store,
                    GError  **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(VpDeviceKey) key = NULL;
  g_autoptr(VpEnvelopeDevice) self = NULL;
  g_autoptr(GBytes) plaintext = NULL;

  if (!vp_store_team_get_identity (store, &identity, error)
      || (key = _vp_team_load_device_key (store, error)) == NULL)
    return FALSE;
  self = vp_envelope_device_new (&identity.device, identity.role, identity.device_name, NULL, NULL,
                                 vp_device_key_get_public (key));
  plaintext = vp_team_envelope_device (self, error);
  if (plaintext == NULL || !seal_and_queue (store, &identity, plaintext, 0, error))
    return FALSE;
  return vp_store_set_setting (store, SETTING_ANNOUNCED, "1", error);
}

static GPtrArray *
local_accounts (VpStore  *store,
                GError  **error)
{
  return vp_store_team_local_accounts (store, error);
}

/* The next batch of unsent changes as one envelope that fits the largest
 * bucket: FALSE with no error and *plaintext NULL when nothing is left. */
static gboolean note_erasures (VpStore *store, const VpTeamIdentity *identity, GPtrArray *changes,
                               GError **error);

static gboolean
next_changes (VpStore              *store,
              const VpTeamIdentity *identity,
              GPtrArray            *accounts,
              GBytes              **plaintext,
              gint64               *last,
              GError              **error)
{
  for (guint max = VP_TEAM_BATCH_CHANGES; max > 0; max /= 2)
    {
      g_autoptr(GPtrArray) changes = vp_store_team_unsent_changes (store, max, last, error);
      g_autoptr(GBytes) bytes = NULL;
      gsize size;

      if (changes == NULL)
        return FALSE;
      if (changes->len == 0)
        {
          *plaintext = NULL;
          return TRUE;
        }
      bytes = vp_team_envelope_changes ((VpChange * const *) changes->pdata, changes->len, accounts, error);
      if (bytes == NULL)
        return FALSE;
      size = vp_blob_size_for (g_bytes_get_size (bytes));
      if ((size != 0 && size <= VP_TEAM_MAX_BLOB) || max == 1)
        {
          *plaintext = g_steal_pointer (&bytes);
          return note_erasures (store, identity, changes, error);
        }
    }
  g_assert_not_reached ();
}

static gboolean
push_all (VpStore           *store,
          VpTeamRelay     *relay,
          VpTeamRoundStats  *stats,
          GError           **error)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };

  if (!vp_store_team_get_identity (store, &identity, error)
      || !flush_queue (store, relay, &identity.team, stats, error))
    return FALSE;
  if (identity.role != VP_TEAM_ROLE_TEAM_LEADER && !setting_is_set (store, SETTING_ANNOUNCED)
      && !(queue_announcement (store, error) && flush_queue (store, relay, &identity.team, stats, error)))
    return FALSE;
  if (identity.role == VP_TEAM_ROLE_TEAM_LEADER && setting_is_set (store, SETTING_ROSTER_DIRTY)
      && !(queue_roster (store, error) && flush_queue (store, relay, &identity.team, stats, error)))
    return FALSE;
  accounts = local_accounts (store, error);
  if (accounts == NULL)
    return FALSE;
  for (;;)
    {
      g_auto(VpTeamIdentity) now = { 0 };
      g_autoptr(GBytes) plaintext = NULL;
      gint64 last = 0;

      if (!next_changes (store, &identity, accounts, &plaintext, &last, error))
        return FALSE;
      if (plaintext == NULL)
        return TRUE;
      if (!vp_store_team_get_identity (store, &now, error)
          || !seal_and_queue (store, &now, plaintext, last, error)
          || !flush_queue (store, relay, &now.team, stats, error))
        return FALSE;
    }
}

/* ---- In ------------------------------------------------------------------- */

/* Why a blob was refused, as a code for the audit log. */
typedef enum {
  REJECT_NONE,
  REJECT_HEADER,
  REJECT_EPOCH,
  REJECT_SEAL,
  REJECT_FORM,
  REJECT_DEVICE,
  REJECT_ROSTER,
  REJECT_CHANGES,
  REJECT_SNAPSHOT,
} Reject;

static const char * const reject_codes[] = {
  "", "header", "epoch", "sealed", "form", "device", "roster", "changes", "snapshot",
};

static gboolean
reject (VpStore      *store,
        const VpUid  *device,
        Reject        why,
        guint64       cursor,
        GError      **error)
{
  g_autofree char *detail = NULL;

  if (device != NULL)
    {
      g_autofree char *hex = uid_hex (device);
      detail = g_strdup_printf ("%s:%s", hex, reject_codes[why]);
    }
  else
    detail = g_strdup (reject_codes[why]);
  _vp_team_audit (store, "sync_rejected", detail, "refused");
  /* Past it, so that one bad blob does not stop the team's sync; what it
   * claimed to carry reaches this laptop again in a snapshot. */
  return vp_store_team_set_cursor (store, cursor, error);
}

static gboolean
apply_changes (VpStore              *store,
               const VpTeamIdentity *identity,
               const VpBlobHeader   *header,
               VpTeamEnvelope       *envelope,
               guint64               cursor,
               gboolean              any_device,
               VpTeamRoundStats     *stats,
               Reject               *why,
               GError              **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *hex = uid_hex (&header->device);
  g_autofree char *detail = NULL;
  guint n_new = 0;

  /* The team key is shared: without this check one laptop could pass its
   * changes off as another's (docs/team-sync.md, "Known limit"). Only the
   * team leader's snapshot carries every laptop's changes. */
  for (guint i = 0; !any_device && i < envelope->changes->len; i++)
    {
      const VpChange *c = g_ptr_array_index (envelope->changes, i);

      if (!vp_uid_equal (&c->hlc.device, &header->device))
        {
          *why = REJECT_DEVICE;
          return TRUE;
        }
    }
  for (guint i = 0; i < envelope->accounts->len; i++)
    {
      const VpTeamAccount *a = g_ptr_array_index (envelope->accounts, i);

      if (!vp_store_team_set_account (store, &a->uid, &header->device, a->name, a->role, error))
        return FALSE;
    }
  /* Noted before the changes are applied: a laptop killed in between
   * notes it again when it applies the blob again. */
  if (!note_erasures (store, identity, envelope->changes, error))
    return FALSE;
  if (!vp_store_team_apply (store, (VpChange * const *) envelope->changes->pdata, envelope->changes->len,
                            cursor, &n_new, &local))
    {
      /* The store refuses changes that no honest laptop makes (a field
       * that does not exist); anything else is this laptop's failure. */
      if (local->domain == VP_TEAM_ERROR || g_error_matches (local, VP_STORE_ERROR, VP_STORE_ERROR_INVALID))
        {
          *why = REJECT_CHANGES;
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  stats->n_applied += n_new;
  _vp_team_audit (store, "sync_received", hex, "ok");
  detail = g_strdup_printf ("n:%u", n_new);
  _vp_team_audit (store, "sync_applied", detail, "ok");
  return TRUE;
}

/* Only the team leader's laptop speaks for the team (rosters, snapshots):
 * the device that made the team, as this laptop pinned it at enrolment
 * from an authenticated wrap; not any device a roster calls a leader's. */
static gboolean
is_leader_device (VpStore     *store,
                  const VpUid *device,
                  GError     **error)
{
  guint8 public_key[VP_X25519_KEY_LEN];
  VpUid leader;

  return _vp_team_get_leader (store, public_key, &leader, error) && vp_uid_equal (device, &leader);
}

/* A device's entry as the store keeps it, from what a blob says; the time
 * it was last seen stays this laptop's own. */
static gboolean
save_device (VpStore                *store,
             const VpEnvelopeDevice *d,
             const char             *enrolled_at,
             const char             *removed_at,
             GError                **error)
{
  g_autoptr(GPtrArray) known = vp_store_team_list_devices (store, error);
  VpTeamDevice entry = { .device = d->uid, .role = d->role, .name = d->name };
  g_autofree char *now = _vp_team_now_iso ();

  if (known == NULL)
    return FALSE;
  entry.enrolled_at = (char *) (enrolled_at != NULL ? enrolled_at : now);
  entry.removed_at = (char *) removed_at;
  for (guint i = 0; i < known->len; i++)
    {
      const VpTeamDevice *k = g_ptr_array_index (known, i);

      if (vp_uid_equal (&k->device, &d->uid))
        {
          entry.last_synced_at = k->last_synced_at;
          if (enrolled_at == NULL)
            entry.enrolled_at = k->enrolled_at;
          /* A roster sealed before the laptop said its name does not
           * take the name away again. */
          if ((d->name == NULL || *d->name == '\0') && k->name != NULL)
            entry.name = k->name;
        }
    }
  if (d->has_public_key && !_vp_team_save_public_key (store, &d->uid, d->public_key, error))
    return FALSE;
  return vp_store_team_set_device (store, &entry, error);
}

static gboolean
apply_roster (VpStore             *store,
              const VpBlobHeader  *header,
              VpTeamEnvelope      *envelope,
              guint64              cursor,
              Reject              *why,
              GError             **error)
{
  g_autoptr(GError) local = NULL;

  if (!is_leader_device (store, &header->device, &local))
    {
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      *why = REJECT_ROSTER;
      return TRUE;
    }
  for (guint i = 0; i < envelope->devices->len; i++)
    {
      const VpEnvelopeDevice *d = g_ptr_array_index (envelope->devices, i);

      if (!save_device (store, d, d->enrolled_at, d->removed_at, error))
        return FALSE;
    }
  return vp_store_team_set_cursor (store, cursor, error);
}

/* A laptop's word about itself: its name and its account's role. */
static gboolean
apply_announcement (VpStore             *store,
                    const VpBlobHeader  *header,
                    VpTeamEnvelope      *envelope,
                    guint64              cursor,
                    Reject              *why,
                    GError             **error)
{
  g_autoptr(GPtrArray) known = NULL;
  const VpEnvelopeDevice *d = g_ptr_array_index (envelope->devices, 0);
  g_auto(VpTeamIdentity) identity = { 0 };
  const char *removed_at = NULL;

  if (!vp_uid_equal (&d->uid, &header->device))
    {
      *why = REJECT_DEVICE;
      return TRUE;
    }
  known = vp_store_team_list_devices (store, error);
  if (known == NULL || !vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  for (guint i = 0; i < known->len; i++)
    {
      const VpTeamDevice *k = g_ptr_array_index (known, i);

      if (vp_uid_equal (&k->device, &d->uid))
        removed_at = k->removed_at;
    }
  if (!save_device (store, d, NULL, removed_at, error))
    return FALSE;
  /* The team leader's roster now knows a name it did not: the others
   * learn it from the roster too. */
  if (identity.role == VP_TEAM_ROLE_TEAM_LEADER && !_vp_team_roster_changed (store, error))
    return FALSE;
  return vp_store_team_set_cursor (store, cursor, error);
}

static gboolean
open_blob (VpStore            *store,
           VpTeamRelay      *relay,
           const VpUid        *team,
           GBytes             *blob,
           const VpBlobHeader *header,
           VpTeamEnvelope    **envelope,
           Reject             *why,
           GError            **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(VpTeamKey) key = _vp_team_load_key (store, team, header->epoch, &local);
  g_autoptr(GBytes) plaintext = NULL;
  VpBlobHeader opened;

  if (key == NULL)
    {
      /* A key this laptop has not fetched yet: from the relay, once. */
      g_clear_error (&local);
      if (!_vp_team_fetch_keys (store, relay, error))
        return FALSE;
      key = _vp_team_load_key (store, team, header->epoch, NULL);
      if (key == NULL)
        {
          g_auto(VpTeamIdentity) identity = { 0 };

          if (!vp_store_team_get_identity (store, &identity, error))
            return FALSE;
          /* A newer key on its way (the leader replaced it, and has not
           * given it to this laptop yet): stop here, cursor unmoved, and
           * read the blob again once the key has come. */
          if (header->epoch > identity.epoch)
            {
              g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_WRONG_EPOCH,
                                   _("A colleague’s changes are sealed with a new team key that has not reached this laptop yet; the team leader’s laptop must sync first"));
              return FALSE;
            }
          *why = REJECT_EPOCH;
          return TRUE;
        }
    }
  plaintext = vp_team_open (key, blob, &opened, NULL);
  if (plaintext == NULL)
    {
      *why = REJECT_SEAL;
      return TRUE;
    }
  *envelope = vp_team_envelope_parse (g_bytes_get_data (plaintext, NULL), g_bytes_get_size (plaintext), NULL);
  if (*envelope == NULL)
    *why = REJECT_FORM;
  return TRUE;
}

/* A part of the team leader's snapshot: honoured only from a laptop the
 * roster lists as a team leader's (its first part, the roster, makes the
 * leader known to a laptop that joined after a compaction). A laptop that
 * already holds what it carries finds every change a duplicate, which
 * costs a look-up per change and rewrites nothing. */
static gboolean
apply_snapshot (VpStore              *store,
                const VpTeamIdentity *identity,
                const VpBlobHeader   *header,
                VpTeamEnvelope       *envelope,
                guint64               cursor,
                VpTeamRoundStats     *stats,
                Reject               *why,
                GError              **error)
{
  g_autoptr(GError) local = NULL;

  if (!is_leader_device (store, &header->device, &local))
    {
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      *why = REJECT_SNAPSHOT;
      return TRUE;
    }
  return apply_changes (store, identity, header, envelope, cursor, TRUE, stats, why, error);
}

static gboolean
take_blob (VpStore           *store,
           VpTeamRelay     *relay,
           const VpTeamIdentity *identity,
           guint64            cursor,
           GBytes            *blob,
           VpTeamRoundStats  *stats,
           GError           **error)
{
  g_autoptr(VpTeamEnvelope) envelope = NULL;
  VpBlobHeader header;
  Reject why = REJECT_NONE;
  gboolean ok = TRUE;

  if (!vp_team_blob_read_header (blob, &header, NULL) || !vp_uid_equal (&header.team, &identity->team))
    return reject (store, NULL, REJECT_HEADER, cursor, error);
  if (vp_uid_equal (&header.device, &identity->device))
    return vp_store_team_set_cursor (store, cursor, error);
  if (!open_blob (store, relay, &identity->team, blob, &header, &envelope, &why, error))
    return FALSE;
  if (why == REJECT_NONE)
    {
      stats->n_received++;
      switch (envelope->kind)
        {
        case VP_ENVELOPE_CHANGES:
          ok = apply_changes (store, identity, &header, envelope, cursor, FALSE, stats, &why, error);
          break;
        case VP_ENVELOPE_SNAPSHOT:
          ok = apply_snapshot (store, identity, &header, envelope, cursor, stats, &why, error);
          break;
        case VP_ENVELOPE_ROSTER:
          ok = apply_roster (store, &header, envelope, cursor, &why, error);
          break;
        case VP_ENVELOPE_DEVICE:
          ok = apply_announcement (store, &header, envelope, cursor, &why, error);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (!ok)
    return FALSE;
  if (why != REJECT_NONE)
    {
      stats->n_rejected++;
      return reject (store, &header.device, why, cursor, error);
    }
  return TRUE;
}

static gboolean
pull_all (VpStore           *store,
          VpTeamRelay     *relay,
          GCancellable      *cancellable,
          VpTeamRoundStats  *stats,
          GError           **error)
{
  gboolean more = TRUE;
  guint n_blobs = 0;
  guint64 n_bytes = 0;

  while (more)
    {
      g_auto(VpTeamIdentity) identity = { 0 };
      g_autoptr(GPtrArray) frames = NULL;
      guint64 next = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error)
          || !vp_store_team_get_identity (store, &identity, error))
        return FALSE;
      frames = vp_relay_pull (&relay->config, &identity.team, identity.cursor, &next, &more, error);
      if (frames == NULL)
        return FALSE;
      for (guint i = 0; i < frames->len; i++)
        {
          const VpRelayBlob *frame = g_ptr_array_index (frames, i);
          VpBlobHeader header;

          if (frame->cursor <= identity.cursor)
            continue;
          if (!take_blob (store, relay, &identity, frame->cursor, frame->blob, stats, error))
            return FALSE;
          if (vp_team_blob_read_header (frame->blob, &header, NULL)
              && !vp_uid_equal (&header.device, &identity.device))
            {
              n_blobs++;
              n_bytes += g_bytes_get_size (frame->blob);
            }
        }
    }
  /* What other laptops sent counts towards the next snapshot (this
   * laptop's own blobs were counted as they left). */
  return count_since_snapshot (store, n_blobs, n_bytes, error);
}

/* ---- The team leader's pending work ------------------------------------- */

static gboolean rotate (VpStore *store, VpTeamRelay *relay, guint32 epoch, GError **error);

static gboolean
finish_rotation (VpStore        *store,
                 VpTeamRelay  *relay,
                 GError        **error)
{
  g_autofree char *pending = vp_store_get_setting (store, SETTING_ROTATION);
  guint64 epoch;

  if (pending == NULL || !g_ascii_string_to_unsigned (pending, 10, 2, G_MAXUINT32, &epoch, NULL))
    return TRUE;
  return rotate (store, relay, (guint32) epoch, error);
}

/* Learns the team's newest epoch and who was seen when. */
static gboolean
check_relay (VpStore        *store,
             VpTeamRelay  *relay,
             GError        **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(GPtrArray) devices = NULL;
  guint32 epoch = 0;
  guint64 last = 0;

  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  devices = vp_relay_list_devices (&relay->config, &identity.team, &epoch, &last, error);
  if (devices == NULL)
    return FALSE;
  if (epoch > identity.epoch && !_vp_team_fetch_keys (store, relay, error))
    return FALSE;
  return TRUE;
}

/* What the pull taught the team leader's laptop (a new laptop's name)
 * goes out in the same round. */
static gboolean
publish_roster (VpStore           *store,
                VpTeamRelay       *relay,
                VpTeamRoundStats  *stats,
                GError           **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };

  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  if (identity.role != VP_TEAM_ROLE_TEAM_LEADER || !setting_is_set (store, SETTING_ROSTER_DIRTY))
    return TRUE;
  return queue_roster (store, error) && flush_queue (store, relay, &identity.team, stats, error);
}

/* ---- Compaction (the team leader's laptop) ------------------------------
 *
 * The relay keeps every blob until the team leader's laptop says what a
 * snapshot covers; then it deletes, with secure_delete, every ordinary blob
 * up to that cursor and every blob of an older snapshot (docs/team-relay.md).
 * So an erased client's changes leave the relay, even sealed, and a laptop
 * that joins later pulls the snapshot and what came after.
 *
 * When. At the end of a round, when the cursor C this laptop has applied
 * up to (and acknowledged) has been acknowledged by every active laptop,
 * and since the last snapshot either VP_TEAM_COMPACT_BLOBS blobs or
 * VP_TEAM_COMPACT_BYTES bytes of ordinary blobs have passed, or a client
 * was erased (by a coach or by retention): an erasure should not linger.
 * C is what this laptop has applied, not what the others have: the relay
 * refuses the compaction while a laptop is behind, and this laptop asks
 * only once the device list shows that nobody is.
 *
 * What. Snapshot n (one more than the last number used) is the roster,
 * then every change that still counts (an erased client is its tombstone
 * alone), in parts of at most VP_TEAM_MAX_BLOB, each with every account
 * the team has named, so that a later laptop has names and roles. The
 * parts are sealed under this laptop's own sequence numbers like any blob,
 * queued in the store before they are sent, and sent as snapshot n.
 *
 * Crash safety. The snapshot under way is a setting, "n C first last",
 * written before its first part is queued (last 0 while parts are being
 * written) and completed after its last part is sent. A laptop killed
 * while it writes the parts sends what it had queued next round (as
 * snapshot n, from the setting) and gives n up: snapshot n + 1 is written
 * afresh, and the relay drops n's parts when it compacts to n + 1. A
 * laptop killed after the last part asks for the compaction next round. A
 * compaction whose answer was lost is refused as a conflict next time, as
 * is one a laptop is not ready for; the device list tells them apart.
 *
 * Refused blobs. A laptop that refused a blob (tampered with on the relay)
 * skips it for good; the snapshot brings its changes to it again, if the
 * team leader's laptop accepted them. If the leader's laptop refused a
 * blob itself, the snapshot does not hold its changes, and a laptop that
 * joins after the compaction will not get them, even if others hold
 * them: the known limit of a single laptop writing snapshots. */

typedef struct {
  guint32 number;
  guint64 covers;
  guint64 first;  /* the sequence of its first part */
  guint64 last;   /* of its last part; 0 while they are being written */
} Snapshot;

static gboolean
load_snapshot (VpStore    *store,
               const char *key,
               Snapshot   *snapshot)
{
  g_autofree char *text = vp_store_get_setting (store, key);
  g_auto(GStrv) parts = NULL;
  guint64 v[4];

  memset (snapshot, 0, sizeof *snapshot);
  if (text == NULL || *text == '\0')
    return FALSE;
  parts = g_strsplit (text, " ", -1);
  if (g_strv_length (parts) != G_N_ELEMENTS (v))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    if (!g_ascii_string_to_unsigned (parts[i], 10, 0, G_MAXUINT64, &v[i], NULL))
      return FALSE;
  if (v[0] == 0 || v[0] > G_MAXUINT32)
    return FALSE;
  *snapshot = (Snapshot) { (guint32) v[0], v[1], v[2], v[3] };
  return TRUE;
}

static gboolean
save_snapshot (VpStore        *store,
               const char     *key,
               const Snapshot *snapshot,
               GError        **error)
{
  g_autofree char *text = g_strdup_printf ("%u %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                                           snapshot->number, snapshot->covers, snapshot->first, snapshot->last);

  return vp_store_set_setting (store, key, text, error);
}

static guint64
get_number (VpStore    *store,
            const char *key,
            guint       index)
{
  g_autofree char *text = vp_store_get_setting (store, key);
  g_auto(GStrv) parts = text != NULL ? g_strsplit (text, " ", -1) : NULL;
  guint64 value = 0;

  if (parts == NULL || g_strv_length (parts) <= index
      || !g_ascii_string_to_unsigned (parts[index], 10, 0, G_MAXUINT64, &value, NULL))
    return 0;
  return value;
}

/* The snapshot a queued blob belongs to, from the one under way; 0 for an
 * ordinary blob. */
static guint32
snapshot_part (VpStore *store,
               guint64  sequence)
{
  Snapshot s;

  if (!load_snapshot (store, SETTING_SNAPSHOT, &s) || sequence < s.first
      || (s.last != 0 && sequence > s.last))
    return 0;
  return s.number;
}

/* Ordinary blobs that passed through the relay since the last snapshot:
 * "blobs bytes". Kept on the team leader's laptop only. */
static gboolean
count_since_snapshot (VpStore  *store,
                      guint     blobs,
                      guint64   bytes,
                      GError  **error)
{
  g_autofree char *text = NULL;

  if (vp_store_team_is_coach_laptop (store) || (blobs == 0 && bytes == 0))
    return TRUE;
  text = g_strdup_printf ("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                          get_number (store, SETTING_SINCE_SNAPSHOT, 0) + blobs,
                          get_number (store, SETTING_SINCE_SNAPSHOT, 1) + bytes);
  return vp_store_set_setting (store, SETTING_SINCE_SNAPSHOT, text, error);
}

/* The team leader's laptop notes that changes it sends or applies erase a
 * client, so that a snapshot follows soon. */
static gboolean
note_erasures (VpStore               *store,
               const VpTeamIdentity  *identity,
               GPtrArray             *changes,
               GError               **error)
{
  if (identity->role != VP_TEAM_ROLE_TEAM_LEADER || setting_is_set (store, SETTING_ERASED))
    return TRUE;
  for (guint i = 0; i < changes->len; i++)
    if (((const VpChange *) g_ptr_array_index (changes, i))->op == VP_CHANGE_ERASE_CLIENT)
      return vp_store_set_setting (store, SETTING_ERASED, "1", error);
  return TRUE;
}

static gboolean
snapshot_due (VpStore              *store,
              const VpTeamIdentity *identity)
{
  Snapshot done;

  load_snapshot (store, SETTING_SNAPSHOT_DONE, &done);
  if (identity->cursor == 0 || identity->cursor <= done.covers)
    return FALSE;
  return setting_is_set (store, SETTING_ERASED)
         || get_number (store, SETTING_SINCE_SNAPSHOT, 0) >= VP_TEAM_COMPACT_BLOBS
         || get_number (store, SETTING_SINCE_SNAPSHOT, 1) >= VP_TEAM_COMPACT_BYTES;
}

/* Whether every active laptop has acknowledged covers, by the relay's
 * device list (pending and removed laptops do not count, as for the
 * relay). */
static gboolean
all_acked (VpTeamRelay  *relay,
           const VpUid  *team,
           guint64       covers,
           gboolean     *acked,
           GError      **error)
{
  g_autoptr(GPtrArray) devices = vp_relay_list_devices (&relay->config, team, NULL, NULL, error);

  if (devices == NULL)
    return FALSE;
  *acked = TRUE;
  for (guint i = 0; i < devices->len; i++)
    {
      const VpRelayDevice *d = g_ptr_array_index (devices, i);

      if (d->state == VP_RELAY_MEMBER_ACTIVE && d->acked < covers)
        *acked = FALSE;
    }
  return TRUE;
}

/* The next part's changes from the change id *after on, as a snapshot
 * envelope that fits the largest bucket; *plaintext NULL at the end. */
static gboolean
next_snapshot_part (VpStore    *store,
                    GPtrArray  *accounts,
                    gint64     *after,
                    GBytes    **plaintext,
                    GError    **error)
{
  *plaintext = NULL;
  for (guint max = VP_TEAM_BATCH_CHANGES; max > 0; max /= 2)
    {
      gint64 next = *after;
      g_autoptr(GPtrArray) changes = vp_store_team_snapshot_changes (store, &next, max, error);
      g_autoptr(GBytes) bytes = NULL;
      gsize size;

      if (changes == NULL)
        return FALSE;
      if (changes->len == 0)
        return TRUE;
      bytes = vp_team_envelope_snapshot ((VpChange * const *) changes->pdata, changes->len, accounts, error);
      if (bytes == NULL)
        return FALSE;
      size = vp_blob_size_for (g_bytes_get_size (bytes));
      if ((size != 0 && size <= VP_TEAM_MAX_BLOB) || max == 1)
        {
          *after = next;
          *plaintext = g_steal_pointer (&bytes);
          return TRUE;
        }
    }
  g_assert_not_reached ();
}

static gboolean
write_snapshot (VpStore               *store,
                VpTeamRelay           *relay,
                const VpTeamIdentity  *identity,
                VpTeamRoundStats      *stats,
                guint32               *number,
                GError               **error)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *text = NULL;
  g_auto(VpTeamIdentity) end = { 0 };
  guint64 used = get_number (store, SETTING_SNAPSHOT_NUMBER, 0);
  Snapshot s = { 0 };
  gint64 after = 0;

  if (used >= G_MAXUINT32)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("The team has used up its snapshot numbers"));
      return FALSE;
    }
  s = (Snapshot) { (guint32) used + 1, identity->cursor, identity->next_sequence, 0 };
  text = g_strdup_printf ("%u", s.number);
  if (!vp_store_set_setting (store, SETTING_SNAPSHOT_NUMBER, text, error)
      || !save_snapshot (store, SETTING_SNAPSHOT, &s, error)
      || !queue_roster (store, error)
      || !flush_queue (store, relay, &identity->team, stats, error)
      || (accounts = vp_store_team_known_accounts (store, error)) == NULL)
    return FALSE;
  for (;;)
    {
      g_auto(VpTeamIdentity) now = { 0 };
      g_autoptr(GBytes) plaintext = NULL;

      if (!next_snapshot_part (store, accounts, &after, &plaintext, error))
        return FALSE;
      if (plaintext == NULL)
        break;
      /* A part marks no change of this laptop as sent (last change 0):
       * its own changes still go out as ordinary blobs too. */
      if (!vp_store_team_get_identity (store, &now, error)
          || !seal_and_queue (store, &now, plaintext, 0, error)
          || !flush_queue (store, relay, &now.team, stats, error))
        return FALSE;
    }
  if (!vp_store_team_get_identity (store, &end, error))
    return FALSE;
  s.last = end.next_sequence - 1;
  /* Complete first, then the counters start again: a laptop killed in
   * between only writes the next snapshot sooner. */
  if (!save_snapshot (store, SETTING_SNAPSHOT, &s, error)
      || !vp_store_set_setting (store, SETTING_ERASED, NULL, error)
      || !vp_store_set_setting (store, SETTING_SINCE_SNAPSHOT, NULL, error))
    return FALSE;
  *number = s.number;
  return TRUE;
}

gboolean
_vp_team_snapshot (VpStore           *store,
                   VpTeamRelay       *relay,
                   VpTeamRoundStats  *stats,
                   guint32           *number,
                   GError           **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  VpTeamRoundStats ignored = { 0 };
  Snapshot pending;
  gboolean acked = FALSE;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (relay != NULL, FALSE);
  g_return_val_if_fail (number != NULL, FALSE);

  *number = 0;
  if (stats == NULL)
    stats = &ignored;
  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  if (identity.role != VP_TEAM_ROLE_TEAM_LEADER)
    return TRUE;
  if (load_snapshot (store, SETTING_SNAPSHOT, &pending))
    {
      *number = pending.number;
      return TRUE;
    }
  if (!snapshot_due (store, &identity))
    return TRUE;
  if (!all_acked (relay, &identity.team, identity.cursor, &acked, error))
    return FALSE;
  if (!acked)
    return TRUE;
  return write_snapshot (store, relay, &identity, stats, number, error);
}

/* A snapshot whose writing was cut short: what it queued goes out (as its
 * parts), then it is given up, before anything else is sealed, so that no
 * ordinary blob is taken for one of its parts. */
static gboolean
give_up_interrupted (VpStore           *store,
                     VpTeamRelay       *relay,
                     VpTeamRoundStats  *stats,
                     GError           **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  Snapshot s;

  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  if (identity.role != VP_TEAM_ROLE_TEAM_LEADER || !load_snapshot (store, SETTING_SNAPSHOT, &s) || s.last != 0)
    return TRUE;
  return flush_queue (store, relay, &identity.team, stats, error)
         && vp_store_set_setting (store, SETTING_SNAPSHOT, NULL, error);
}

gboolean
_vp_team_compact (VpStore           *store,
                  VpTeamRelay       *relay,
                  VpTeamRoundStats  *stats,
                  GError           **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(GError) local = NULL;
  VpTeamRoundStats ignored = { 0 };
  Snapshot s;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);
  g_return_val_if_fail (relay != NULL, FALSE);

  if (stats == NULL)
    stats = &ignored;
  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  if (identity.role != VP_TEAM_ROLE_TEAM_LEADER || !load_snapshot (store, SETTING_SNAPSHOT, &s))
    return TRUE;
  /* Its parts go first, with their numbers (the setting says which). */
  if (!flush_queue (store, relay, &identity.team, stats, error))
    return FALSE;
  if (s.last == 0)
    return give_up_interrupted (store, relay, stats, error);
  if (!vp_relay_compact (&relay->config, &identity.team, s.number, s.covers, &local))
    {
      gboolean acked = FALSE;

      if (!g_error_matches (local, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      /* Either a laptop is behind (ask again next round), or this
       * snapshot was compacted already and the answer was lost. */
      if (!all_acked (relay, &identity.team, s.covers, &acked, error))
        return FALSE;
      if (!acked)
        return TRUE;
    }
  else
    stats->compacted = s.number;
  return save_snapshot (store, SETTING_SNAPSHOT_DONE, &s, error)
         && vp_store_set_setting (store, SETTING_SNAPSHOT, NULL, error);
}

gboolean
_vp_team_round (VpStore           *store,
                GCancellable      *cancellable,
                VpTeamRoundStats  *stats,
                GError           **error)
{
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  VpTeamRoundStats ignored = { 0 };
  gboolean ok;

  if (stats == NULL)
    stats = &ignored;
  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  if (identity.removed)
    {
      g_set_error_literal (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REMOVED,
                           _("This laptop was removed from the team"));
      return FALSE;
    }
  relay = _vp_team_connect (store, TRUE, error);
  if (relay == NULL)
    return FALSE;
  ok = check_relay (store, relay, &local)
       && (identity.role != VP_TEAM_ROLE_TEAM_LEADER || finish_rotation (store, relay, &local))
       && give_up_interrupted (store, relay, stats, &local)
       && push_all (store, relay, stats, &local)
       && pull_all (store, relay, cancellable, stats, &local)
       && publish_roster (store, relay, stats, &local);
  if (ok)
    {
      g_auto(VpTeamIdentity) after = { 0 };

      ok = vp_store_team_get_identity (store, &after, &local)
           && (after.cursor == 0 || vp_relay_ack (&relay->config, &after.team, after.cursor, &local));
    }
  /* The team leader's laptop finishes a compaction under way, then writes
   * a snapshot if one is due and compacts to it. */
  if (ok && identity.role == VP_TEAM_ROLE_TEAM_LEADER)
    {
      guint32 number = 0;

      ok = _vp_team_compact (store, relay, stats, &local)
           && _vp_team_snapshot (store, relay, stats, &number, &local)
           && (number == 0 || _vp_team_compact (store, relay, stats, &local));
    }
  if (!ok)
    {
      if (g_error_matches (local, VP_RELAY_ERROR, VP_RELAY_ERROR_REMOVED))
        {
          g_autoptr(GError) ignore = NULL;

          if (!vp_store_team_set_removed (store, TRUE, &ignore))
            g_warning ("Could not note that this laptop was removed: %s", ignore->message);
        }
      g_propagate_error (error, g_steal_pointer (&local));
    }
  return ok;
}

/* ---- Making the team ---------------------------------------------------- */

/* Bytes that are wiped when freed, for keys and tokens on their way into
 * the store. */
static void
wipe_bytes_data (gpointer data)
{
  GBytes *inner = data;
  gsize len = 0;
  gconstpointer p = g_bytes_get_data (inner, &len);

  OPENSSL_cleanse ((gpointer) p, len);
  g_bytes_unref (inner);
}

GBytes *
_vp_team_wiped_bytes (const void *data,
                      gsize       len)
{
  GBytes *inner = g_bytes_new (data, len);
  gsize n = 0;
  gconstpointer p = g_bytes_get_data (inner, &n);

  return g_bytes_new_with_free_func (p, n, wipe_bytes_data, inner);
}

GBytes *
_vp_team_device_private (const VpDeviceKey  *key,
                         GError            **error)
{
  guint8 raw[VP_X25519_KEY_LEN];
  GBytes *bytes;

  if (!vp_device_key_copy_private (key, raw, error))
    return NULL;
  bytes = _vp_team_wiped_bytes (raw, sizeof raw);
  OPENSSL_cleanse (raw, sizeof raw);
  return bytes;
}

gboolean
_vp_team_create (VpStore     *store,
                 const char  *device_name,
                 GError     **error)
{
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(VpDeviceKey) device_key = NULL;
  g_autoptr(VpTeamKey) team_key = NULL;
  g_autoptr(GBytes) private_key = NULL;
  g_autoptr(GBytes) team_secret = NULL;
  g_autoptr(GBytes) token_bytes = NULL;
  char *token = NULL;
  VpTeamIdentity identity = { 0 };
  gboolean ok;

  if (!vp_store_require_team_leader (store, _("Only a team leader can turn on team sync"), error))
    return FALSE;
  if (vp_store_team_is_enabled (store))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_EXISTS,
                           _("This laptop is already in a team"));
      return FALSE;
    }
  if (device_name == NULL || _vp_is_blank (device_name))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_INVALID,
                           _("Give this laptop a name, so that the team can tell the laptops apart"));
      return FALSE;
    }
  if (!vp_uid_generate (&identity.team, error) || !vp_uid_generate (&identity.device, error)
      || (device_key = vp_device_key_generate (error)) == NULL
      || (team_key = vp_team_key_generate (&identity.team, 1, error)) == NULL)
    return FALSE;
  relay = _vp_team_connect (store, FALSE, error);
  if (relay == NULL)
    return FALSE;
  /* The report credential proves to the endpoint that this is one of its
   * teams; the relay then gives this laptop a token of its own. */
  if (!vp_relay_create_team (&relay->config, vp_store_get_team_code (store), &identity.team,
                             &identity.device, &token, error))
    return FALSE;
  token_bytes = _vp_team_wiped_bytes (token, strlen (token));
  wipe_free_string (token);

  private_key = _vp_team_device_private (device_key, error);
  if (private_key == NULL)
    return FALSE;
  team_secret = _vp_team_key_secret (team_key);
  identity.role = VP_TEAM_ROLE_TEAM_LEADER;
  identity.relay_url = relay->endpoint;
  identity.device_name = (char *) device_name;
  identity.epoch = 1;
  identity.next_sequence = 1;
  identity.reporter = TRUE;
  /* The store records this laptop in the roster and audits the team's
   * creation in the same transaction. */
  ok = vp_store_team_enable (store, &identity, private_key, team_secret, error)
       && vp_store_team_set_secret (store, "relay-token", token_bytes, error)
       && _vp_team_save_public_key (store, &identity.device, vp_device_key_get_public (device_key), error)
       && _vp_team_roster_changed (store, error);
  return ok;
}

/* ---- Removing a laptop ---------------------------------------------------- */

/* Wraps the key of @epoch (made now if this laptop does not hold it yet)
 * to every laptop still enrolled but this one. A key given before (a
 * retry) is a conflict on the relay, and done. */
static gboolean
rotate (VpStore        *store,
        VpTeamRelay  *relay,
        guint32         epoch,
        GError        **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(VpTeamKey) key = NULL;
  g_autoptr(VpDeviceKey) own = NULL;
  g_autofree char *detail = NULL;

  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  own = _vp_team_load_device_key (store, error);
  if (own == NULL)
    return FALSE;
  key = _vp_team_load_key (store, &identity.team, epoch, NULL);
  if (key == NULL)
    {
      g_autoptr(GBytes) secret = NULL;

      key = vp_team_key_generate (&identity.team, epoch, error);
      if (key == NULL)
        return FALSE;
      secret = _vp_team_key_secret (key);
      if (!vp_store_team_add_key (store, epoch, secret, error))
        return FALSE;
    }
  devices = vp_store_team_list_devices (store, error);
  if (devices == NULL)
    return FALSE;
  for (guint i = 0; i < devices->len; i++)
    {
      const VpTeamDevice *d = g_ptr_array_index (devices, i);
      g_autoptr(GBytes) wrapped = NULL;
      g_autoptr(GError) local = NULL;
      guint8 public_key[VP_X25519_KEY_LEN];

      if (d->removed_at != NULL || vp_uid_equal (&d->device, &identity.device))
        continue;
      if (!load_public_key (store, &d->device, public_key))
        {
          g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                               _("The key of a laptop in the team is missing on this laptop; it cannot be given the new team key"));
          return FALSE;
        }
      wrapped = vp_team_key_wrap (key, own, &identity.device, public_key, error);
      if (wrapped == NULL)
        return FALSE;
      if (!vp_relay_put_key (&relay->config, &identity.team, &d->device, epoch, wrapped, &local)
          && !g_error_matches (local, VP_RELAY_ERROR, VP_RELAY_ERROR_CONFLICT))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  detail = g_strdup_printf ("epoch:%u", epoch);
  _vp_team_audit (store, "key_rotated", detail, "ok");
  return _vp_team_roster_changed (store, error)
         && vp_store_set_setting (store, SETTING_ROTATION, NULL, error);
}

gboolean
_vp_team_remove_device (VpStore      *store,
                        const VpUid  *device,
                        GError      **error)
{
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autofree char *pending = NULL;
  g_autofree char *hex = uid_hex (device);
  g_autofree char *now = _vp_team_now_iso ();
  const VpTeamDevice *entry = NULL;

  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  if (identity.role != VP_TEAM_ROLE_TEAM_LEADER)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("Only the team leader’s laptop can remove a laptop from the team"));
      return FALSE;
    }
  if (vp_uid_equal (device, &identity.device))
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("The team leader’s own laptop cannot be removed from the team"));
      return FALSE;
    }
  devices = vp_store_team_list_devices (store, error);
  if (devices == NULL)
    return FALSE;
  for (guint i = 0; i < devices->len; i++)
    if (vp_uid_equal (&((VpTeamDevice *) g_ptr_array_index (devices, i))->device, device))
      entry = g_ptr_array_index (devices, i);
  if (entry == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND,
                           _("This laptop is not in the team"));
      return FALSE;
    }
  relay = _vp_team_connect (store, TRUE, error);
  if (relay == NULL)
    return FALSE;
  /* The rotation is noted first: if anything below fails, the next round
   * finishes it, and the removed laptop never gets the new key. */
  pending = vp_store_get_setting (store, SETTING_ROTATION);
  if (pending == NULL)
    {
      g_autofree char *epoch = g_strdup_printf ("%u", identity.epoch + 1);

      if (!vp_store_set_setting (store, SETTING_ROTATION, epoch, error))
        return FALSE;
    }
  if (!vp_relay_remove_device (&relay->config, &identity.team, device, &local)
      && !g_error_matches (local, VP_RELAY_ERROR, VP_RELAY_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (entry->removed_at == NULL)
    {
      VpTeamDevice removed = *entry;

      removed.removed_at = now;
      if (!vp_store_team_set_device (store, &removed, error))
        return FALSE;
      _vp_team_audit (store, "device_removed", hex, "ok");
    }
  return finish_rotation (store, relay, error);
}

/* ---- The list of laptops ---------------------------------------------------- */

static char *
iso_from_unix (gint64 t)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (t);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

GPtrArray *
_vp_team_devices (VpStore   *store,
                  gboolean  *online,
                  GError   **error)
{
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(GPtrArray) seen = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  guint32 epoch = 0;
  guint64 last = 0;

  *online = FALSE;
  if (!vp_store_team_get_identity (store, &identity, error))
    return NULL;
  relay = _vp_team_connect (store, TRUE, NULL);
  if (relay != NULL)
    seen = vp_relay_list_devices (&relay->config, &identity.team, &epoch, &last, NULL);
  devices = vp_store_team_list_devices (store, error);
  if (devices == NULL || seen == NULL)
    return g_steal_pointer (&devices);
  *online = TRUE;
  for (guint i = 0; i < devices->len; i++)
    {
      VpTeamDevice *d = g_ptr_array_index (devices, i);

      for (guint j = 0; j < seen->len; j++)
        {
          const VpRelayDevice *r = g_ptr_array_index (seen, j);
          g_autofree char *when = NULL;

          if (!vp_uid_equal (&r->device, &d->device) || r->last_seen == 0)
            continue;
          when = iso_from_unix (r->last_seen);
          if (when == NULL || g_strcmp0 (when, d->last_synced_at) == 0)
            continue;
          g_free (d->last_synced_at);
          d->last_synced_at = g_steal_pointer (&when);
          if (!vp_store_team_set_device (store, d, error))
            return NULL;
        }
    }
  return g_steal_pointer (&devices);
}
