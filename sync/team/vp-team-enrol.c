/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "vp-store-private.h"
#include "vp-team-enrol.h"
#include "vp-team-error.h"
#include "vp-team-round.h"

/* Enrolment, both sides. The order of the steps is the protocol's
 * (docs/team-sync.md): the leader commits, the joiner sends its share, the
 * leader reveals once, both compute the number, and only the leader's
 * confirmation wraps the team key to the joiner. The relay enforces one
 * joiner per code and one reveal; the leader's laptop never reveals twice
 * because VpInviteSteps keeps whether it has. */

#define SETTING_INVITER_KEY "team_inviter_key"
#define SETTING_LEADER_DEVICE "team_leader_device"

static char *
hex_of (const guint8 *data,
        gsize         len)
{
  GString *s = g_string_sized_new (2 * len);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

/* ---- The team leader's side ------------------------------------------- */

gboolean
_vp_invite_open (VpStore        *store,
                 VpInviteSteps  *steps,
                 GError        **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(VpDeviceKey) key = NULL;
  g_autofree char *code = NULL;
  guint8 commitment[VP_ENROL_COMMITMENT_LEN];

  memset (steps, 0, sizeof *steps);
  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  if (identity.role != VP_TEAM_ROLE_TEAM_LEADER)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_ALLOWED,
                           _("Only the team leader’s laptop can invite a laptop into the team"));
      return FALSE;
    }
  key = _vp_team_load_device_key (store, error);
  relay = key != NULL ? _vp_team_connect (store, TRUE, error) : NULL;
  code = relay != NULL ? vp_invite_code_generate (error) : NULL;
  if (code == NULL || !vp_enrol_share_init (&steps->share, vp_device_key_get_public (key), error))
    return FALSE;
  steps->team = identity.team;
  g_strlcpy (steps->code, code, sizeof steps->code);
  vp_enrol_commitment (&identity.team, &steps->share, commitment);
  return vp_relay_put_invite (&relay->config, &identity.team, steps->code, commitment, error);
}

gboolean
_vp_invite_poll (VpStore        *store,
                 VpInviteSteps  *steps,
                 GError        **error)
{
  g_autoptr(VpTeamRelay) relay = NULL;
  gboolean present = FALSE;

  if (steps->joined)
    return TRUE;
  relay = _vp_team_connect (store, TRUE, error);
  if (relay == NULL
      || !vp_relay_get_joiner (&relay->config, &steps->team, steps->code, &present, &steps->joiner,
                               &steps->joiner_share, error))
    return FALSE;
  if (!present)
    return TRUE;
  if (!vp_relay_reveal (&relay->config, &steps->team, steps->code, &steps->share, error))
    return FALSE;
  vp_safety_number (&steps->team, &steps->share, &steps->joiner_share, steps->safety_number);
  steps->joined = TRUE;
  return TRUE;
}

gboolean
_vp_invite_confirm (VpStore        *store,
                    VpInviteSteps  *steps,
                    GError        **error)
{
  g_autoptr(VpDeviceKey) leader = NULL;
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autofree char *now = _vp_team_now_iso ();
  char hex[VP_UID_STRING_LEN + 1];
  VpTeamDevice joiner = { 0 };

  g_return_val_if_fail (steps->joined, FALSE);

  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  leader = _vp_team_load_device_key (store, error);
  relay = leader != NULL ? _vp_team_connect (store, TRUE, error) : NULL;
  if (relay == NULL)
    return FALSE;
  /* Every epoch: blobs sealed before the last rotation are still on the
   * relay until the next compaction, and the new laptop must open them. */
  for (guint32 epoch = 1; epoch <= identity.epoch; epoch++)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(VpTeamKey) key = _vp_team_load_key (store, &identity.team, epoch, &local);
      g_autoptr(GBytes) wrapped = NULL;

      if (key == NULL)
        {
          if (g_error_matches (local, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      wrapped = vp_team_key_wrap (key, leader, &identity.device, steps->joiner_share.public_key, error);
      if (wrapped == NULL
          || !vp_relay_put_key (&relay->config, &identity.team, &steps->joiner, epoch, wrapped, error))
        return FALSE;
    }
  joiner.device = steps->joiner;
  joiner.role = VP_TEAM_ROLE_COACH;
  joiner.name = (char *) "";
  joiner.enrolled_at = now;
  if (!vp_store_team_set_device (store, &joiner, error)
      || !_vp_team_save_public_key (store, &steps->joiner, steps->joiner_share.public_key, error)
      || !_vp_team_roster_changed (store, error))
    return FALSE;
  vp_uid_to_string (&steps->joiner, hex);
  _vp_team_audit (store, "device_enrolled", hex, "ok");
  return TRUE;
}

/* ---- The new laptop's side -------------------------------------------- */

void
_vp_join_steps_clear (VpJoinSteps *steps)
{
  g_clear_pointer (&steps->key, vp_device_key_free);
  g_clear_pointer (&steps->device_name, g_free);
  if (steps->token != NULL)
    OPENSSL_cleanse (steps->token, strlen (steps->token));
  g_clear_pointer (&steps->token, g_free);
}

/* The relay, as a laptop not (yet) in a team reaches it: the endpoint's
 * address and TLS settings, with the joiner's token once it has one and
 * never the report token. */
static VpTeamRelay *
joiner_relay (VpStore      *store,
              VpJoinSteps  *steps,
              GError      **error)
{
  VpTeamRelay *relay = _vp_team_connect (store, FALSE, error);

  if (relay == NULL)
    return NULL;
  if (relay->report_token != NULL)
    OPENSSL_cleanse (relay->report_token, strlen (relay->report_token));
  g_clear_pointer (&relay->report_token, g_free);
  relay->config.report_token = NULL;
  _vp_team_relay_set_token (relay, steps->token);
  return relay;
}

gboolean
_vp_join_open (VpStore      *store,
               VpJoinSteps  *steps,
               const char   *code,
               const char   *device_name,
               GError      **error)
{
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autofree char *normal = NULL;

  memset (steps, 0, sizeof *steps);
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
  normal = vp_invite_code_normalize (code, error);
  if (normal == NULL)
    return FALSE;
  g_strlcpy (steps->code, normal, sizeof steps->code);
  steps->device_name = g_strdup (device_name);
  relay = joiner_relay (store, steps, error);
  if (relay == NULL
      || !vp_relay_get_invite (&relay->config, steps->code, &steps->team, steps->commitment, error)
      || !vp_uid_generate (&steps->device, error)
      || (steps->key = vp_device_key_generate (error)) == NULL
      || !vp_enrol_share_init (&steps->share, vp_device_key_get_public (steps->key), error))
    return FALSE;
  return vp_relay_join (&relay->config, steps->code, &steps->device, &steps->share, &steps->token, error);
}

gboolean
_vp_join_poll_reveal (VpStore      *store,
                      VpJoinSteps  *steps,
                      GError      **error)
{
  g_autoptr(VpTeamRelay) relay = NULL;
  gboolean present = FALSE;

  if (steps->revealed)
    return TRUE;
  relay = joiner_relay (store, steps, error);
  if (relay == NULL || !vp_relay_get_reveal (&relay->config, steps->code, &present, &steps->inviter, error))
    return FALSE;
  if (!present)
    return TRUE;
  /* A share that does not match what was committed before this laptop
   * sent its own: someone in the middle chose it afterwards. */
  if (!vp_enrol_check_commitment (&steps->team, &steps->inviter, steps->commitment, error))
    return FALSE;
  vp_safety_number (&steps->team, &steps->inviter, &steps->share, steps->safety_number);
  steps->revealed = TRUE;
  return TRUE;
}

static gboolean
join_store (VpStore      *store,
            VpJoinSteps  *steps,
            GPtrArray    *keys,
            GError      **error)
{
  g_autoptr(GBytes) private_key = _vp_team_device_private (steps->key, error);
  g_autoptr(GBytes) token = NULL;
  g_autofree char *inviter = NULL;
  char leader[VP_UID_STRING_LEN + 1];
  g_autofree char *url = vp_store_get_setting (store, "endpoint_url");
  VpTeamKey *newest = NULL;
  VpTeamIdentity identity = { 0 };

  if (private_key == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    {
      VpTeamKey *k = g_ptr_array_index (keys, i);

      if (newest == NULL || vp_team_key_get_epoch (k) > vp_team_key_get_epoch (newest))
        newest = k;
    }
  identity.team = steps->team;
  identity.device = steps->device;
  /* The team leader's laptop is the one that made the team; a laptop
   * that joins is a coach's, whoever's account joined it. */
  identity.role = VP_TEAM_ROLE_COACH;
  identity.relay_url = url;
  identity.device_name = steps->device_name;
  identity.epoch = vp_team_key_get_epoch (newest);
  identity.next_sequence = 1;
  {
    g_autoptr(GBytes) secret = _vp_team_key_secret (newest);

    if (!vp_store_team_enable (store, &identity, private_key, secret, error))
      return FALSE;
  }
  for (guint i = 0; i < keys->len; i++)
    {
      VpTeamKey *k = g_ptr_array_index (keys, i);
      g_autoptr(GBytes) secret = NULL;

      if (k == newest)
        continue;
      secret = _vp_team_key_secret (k);
      if (!vp_store_team_add_key (store, vp_team_key_get_epoch (k), secret, error))
        return FALSE;
    }
  token = _vp_team_wiped_bytes (steps->token, strlen (steps->token));
  inviter = hex_of (steps->inviter.public_key, VP_X25519_KEY_LEN);
  vp_uid_to_string (&steps->leader, leader);
  return vp_store_team_set_secret (store, "relay-token", token, error)
         && _vp_team_save_public_key (store, &steps->device, vp_device_key_get_public (steps->key), error)
         && vp_store_set_setting (store, SETTING_INVITER_KEY, inviter, error)
         && vp_store_set_setting (store, SETTING_LEADER_DEVICE, leader, error);
}

gboolean
_vp_join_poll_key (VpStore      *store,
                   VpJoinSteps  *steps,
                   gboolean     *done,
                   GError      **error)
{
  g_autoptr(VpTeamRelay) relay = NULL;
  g_autoptr(GPtrArray) wrapped = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_team_key_free);

  g_return_val_if_fail (steps->revealed, FALSE);

  *done = FALSE;
  relay = joiner_relay (store, steps, error);
  if (relay == NULL)
    return FALSE;
  wrapped = vp_relay_get_keys (&relay->config, &steps->team, error);
  if (wrapped == NULL)
    return FALSE;
  for (guint i = 0; i < wrapped->len; i++)
    {
      VpUid leader;
      VpTeamKey *key = vp_team_key_unwrap (steps->key, steps->inviter.public_key, g_ptr_array_index (wrapped, i),
                                           &leader, error);

      if (key == NULL)
        return FALSE;
      /* Wrapped by the laptop whose key both screens vouched for; which
       * device that is comes with the wrap, authenticated. */
      if (i > 0 && !vp_uid_equal (&leader, &steps->leader))
        {
          vp_team_key_free (key);
          g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_TAMPERED,
                               _("The team’s keys name different team leaders’ laptops"));
          return FALSE;
        }
      steps->leader = leader;
      if (!vp_uid_equal (vp_team_key_get_team (key), &steps->team))
        {
          vp_team_key_free (key);
          g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_WRONG_TEAM,
                               _("The relay handed over a key of another team"));
          return FALSE;
        }
      g_ptr_array_add (keys, key);
    }
  if (keys->len == 0)
    return TRUE;
  if (!join_store (store, steps, keys, error))
    return FALSE;
  *done = TRUE;
  return TRUE;
}

/* The team leader's laptop: its public key and device id. On the laptop
 * that made the team, itself; on the others, as enrolment pinned them
 * (the key both screens vouched for, the device its wraps named). */
gboolean
_vp_team_get_leader (VpStore  *store,
                     guint8    public_key[VP_X25519_KEY_LEN],
                     VpUid    *device,
                     GError  **error)
{
  g_autofree char *key_hex = vp_store_get_setting (store, SETTING_INVITER_KEY);
  g_autofree char *device_hex = vp_store_get_setting (store, SETTING_LEADER_DEVICE);
  g_auto(VpTeamIdentity) identity = { 0 };

  if (!vp_store_team_get_identity (store, &identity, error))
    return FALSE;
  if (key_hex == NULL && identity.role == VP_TEAM_ROLE_TEAM_LEADER)
    {
      g_autoptr(VpDeviceKey) own = _vp_team_load_device_key (store, error);

      if (own == NULL)
        return FALSE;
      memcpy (public_key, vp_device_key_get_public (own), VP_X25519_KEY_LEN);
      *device = identity.device;
      return TRUE;
    }
  if (key_hex == NULL || device_hex == NULL || !_vp_team_parse_public_key (key_hex, public_key) ||
      !vp_uid_parse (device_hex, device, NULL))
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("This laptop does not know its team leader’s laptop; it must be invited again"));
      return FALSE;
    }
  return TRUE;
}
