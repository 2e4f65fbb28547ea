/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/rand.h>
#include <string.h>

#include "vp-team-error.h"
#include "vp-uid.h"

gboolean
vp_uid_generate (VpUid   *uid,
                 GError **error)
{
  g_return_val_if_fail (uid != NULL, FALSE);

  if (RAND_bytes (uid->bytes, VP_UID_LEN) != 1)
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_FAILED,
                           _("The system could not provide random numbers"));
      return FALSE;
    }
  return TRUE;
}

void
vp_uid_to_string (const VpUid *uid,
                  char         out[VP_UID_STRING_LEN + 1])
{
  static const char hex[] = "0123456789abcdef";

  for (guint i = 0; i < VP_UID_LEN; i++)
    {
      out[2 * i] = hex[uid->bytes[i] >> 4];
      out[2 * i + 1] = hex[uid->bytes[i] & 15];
    }
  out[VP_UID_STRING_LEN] = '\0';
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Only the canonical form (lower case, exactly 32 digits): an id has one
 * spelling, so the same change always has the same bytes. */
gboolean
vp_uid_parse (const char  *text,
              VpUid       *uid,
              GError     **error)
{
  VpUid parsed;

  g_return_val_if_fail (uid != NULL, FALSE);

  if (text == NULL || strlen (text) != VP_UID_STRING_LEN)
    goto invalid;
  for (guint i = 0; i < VP_UID_LEN; i++)
    {
      int hi = hex_value (text[2 * i]), lo = hex_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        goto invalid;
      parsed.bytes[i] = (guint8) (hi << 4 | lo);
    }
  *uid = parsed;
  return TRUE;

invalid:
  g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                       _("An id is not 32 lower-case hexadecimal digits"));
  return FALSE;
}

gboolean
vp_uid_is_nil (const VpUid *uid)
{
  static const VpUid nil;

  return memcmp (uid->bytes, nil.bytes, VP_UID_LEN) == 0;
}

int
vp_uid_compare (const VpUid *a,
                const VpUid *b)
{
  return memcmp (a->bytes, b->bytes, VP_UID_LEN);
}

guint
vp_uid_hash (gconstpointer uid)
{
  const guint8 *b = ((const VpUid *) uid)->bytes;
  guint32 h = 2166136261u;

  /* FNV-1a over all bytes: ids made by a test's seeded generator need not
   * be as random as those from vp_uid_generate(). */
  for (guint i = 0; i < VP_UID_LEN; i++)
    h = (h ^ b[i]) * 16777619u;
  return h;
}

gboolean
vp_uid_equal (gconstpointer a,
              gconstpointer b)
{
  return vp_uid_compare (a, b) == 0;
}

VpUid *
vp_uid_dup (const VpUid *uid)
{
  return g_memdup2 (uid, sizeof *uid);
}
