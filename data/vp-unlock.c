/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-keyslots.h"
#include "vp-store-private.h"

/* Unlocking: which key slot opens the store, and how fast guesses may come.
 *
 * Each slot of the kind (passphrase or recovery; of the named account, when
 * a name is given) is tried in turn; the GCM tag tells a wrong passphrase
 * apart from a damaged database. Failed attempts are counted per slot in
 * the key file, so a restart does not reset them, and an attempt without a
 * name counts for every candidate slot.
 *
 * Fail closed: an attempt is counted in the key file *before* the secret is
 * tried, and a success takes the count back. An attempt whose count cannot
 * be written is not made at all, so a full disk or a read-only key file
 * gives no free guesses, and killing the app during the key derivation
 * does not undo the count either.
 *
 * The schedule: the first FREE_ATTEMPTS failures cost nothing; after that
 * each attempt waits 5 s, doubling up to 15 minutes, counted from the last
 * failure. The wall clock can jump. A failure time in the future (typed
 * while the clock was ahead, or the clock set back since) is moved to now
 * and saved, so it costs one step of the schedule and then runs down like
 * any other; it never waits until the clock reaches it. The first attempts
 * stay free whatever the clock says. Moving the clock forward shortens a
 * wait: whoever controls the clock could as well copy the files and guess
 * offline, where scrypt is the defence. */

#define FREE_ATTEMPTS 3
#define FIRST_DELAY_SECONDS 5
#define MAX_DELAY_SECONDS (15 * 60)

static gint64 fixed_now;

/* For tests: the time the schedule takes for now (unix seconds); 0 returns
 * to the real clock. */
void
_vp_store_set_now (gint64 unix_time)
{
  fixed_now = unix_time;
}

static gint64
now_seconds (void)
{
  return fixed_now != 0 ? fixed_now : g_get_real_time () / G_USEC_PER_SEC;
}

/* The schedule's step after this many failures. */
static gint64
retry_delay (guint failures)
{
  if (failures < FREE_ATTEMPTS)
    return 0;
  return MIN ((gint64) FIRST_DELAY_SECONDS << MIN (failures - FREE_ATTEMPTS, 10), MAX_DELAY_SECONDS);
}

/* Seconds left to wait; the slot's failure time is never after now. */
static gint64
slot_wait (const VpKeySlot *slot,
           gint64           now)
{
  gint64 delay = retry_delay (slot->failures);
  gint64 elapsed = now - slot->last_failure;

  return elapsed < delay ? delay - elapsed : 0;
}

static void
set_wait_error (gint64   seconds,
                GError **error)
{
  if (seconds < 60)
    g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_TOO_MANY_ATTEMPTS,
                 g_dngettext (GETTEXT_PACKAGE,
                              "Too many wrong attempts. Try again in %d second.",
                              "Too many wrong attempts. Try again in %d seconds.", (gulong) seconds),
                 (int) seconds);
  else
    g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_TOO_MANY_ATTEMPTS,
                 g_dngettext (GETTEXT_PACKAGE,
                              "Too many wrong attempts. Try again in %d minute.",
                              "Too many wrong attempts. Try again in %d minutes.", (gulong) ((seconds + 59) / 60)),
                 (int) ((seconds + 59) / 60));
}

static gboolean
save_counts (const char  *keys_path,
             GPtrArray   *slots,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (vp_key_slots_save (keys_path, slots, &local_error))
    return TRUE;
  g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_FAILED,
               _("The attempt could not be recorded in the key file, so it was not made: %s"),
               local_error->message);
  return FALSE;
}

static gboolean
is_candidate (const VpKeySlot *slot,
              const char      *kind,
              const char      *name)
{
  return g_strcmp0 (slot->kind, kind) == 0 && (name == NULL || vp_key_slot_has_name (slot, name));
}

/* The longest wait among the candidates, after moving failure times in
 * the future to now (saved, or the wait would start again at every
 * attempt). */
static gboolean
check_wait (const char  *keys_path,
            GPtrArray   *slots,
            const char  *kind,
            const char  *name,
            gint64       now,
            GError     **error)
{
  gboolean moved = FALSE;
  gint64 wait = 0;

  for (guint i = 0; i < slots->len; i++)
    {
      VpKeySlot *slot = g_ptr_array_index (slots, i);

      if (!is_candidate (slot, kind, name))
        continue;
      if (slot->failures > 0 && slot->last_failure > now)
        {
          slot->last_failure = now;
          moved = TRUE;
        }
      wait = MAX (wait, slot_wait (slot, now));
    }
  if (moved && !save_counts (keys_path, slots, error))
    return FALSE;
  if (wait > 0)
    {
      set_wait_error (wait, error);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  guint  failures;
  gint64 last_failure;
} Count;

/* Counts the attempt against every candidate and saves that before the
 * secret is tried; returns the counts as they were, to restore on success. */
static GArray *
count_attempt (const char  *keys_path,
               GPtrArray   *slots,
               const char  *kind,
               const char  *name,
               gint64       now,
               GError     **error)
{
  g_autoptr(GArray) before = g_array_sized_new (FALSE, FALSE, sizeof (Count), slots->len);
  guint candidates = 0;

  for (guint i = 0; i < slots->len; i++)
    {
      VpKeySlot *slot = g_ptr_array_index (slots, i);
      Count count = { slot->failures, slot->last_failure };

      g_array_append_val (before, count);
      if (is_candidate (slot, kind, name))
        {
          slot->failures++;
          slot->last_failure = now;
          candidates++;
        }
    }
  if (candidates > 0 && !save_counts (keys_path, slots, error))
    return NULL;
  return g_steal_pointer (&before);
}

/* Slots made with weaker KDF parameters than today's default are rewrapped
 * on a successful unlock; the database is not touched. */
static void
upgrade_slot (GPtrArray    *slots,
              guint         index,
              const guint8 *key,
              const char   *secret)
{
  VpKeySlot *old = g_ptr_array_index (slots, index);
  g_autoptr(GError) error = NULL;
  VpKeySlot *slot;

  if (old->n_log2 >= VP_SCRYPT_DEFAULT_N_LOG2 && old->r >= VP_SCRYPT_DEFAULT_R)
    return;
  slot = vp_key_slot_new_wrapped (key, old->id, old->kind, old->account_id, secret,
                                  VP_SCRYPT_DEFAULT_N_LOG2, &error);
  if (slot == NULL)
    {
      g_warning ("Could not strengthen a key slot: %s", error->message);
      return;
    }
  slot->name_hash = g_strdup (old->name_hash);
  slot->failures = old->failures;
  slot->last_failure = old->last_failure;
  g_ptr_array_index (slots, index) = slot;
  vp_key_slot_free (old);
}

/* A success takes back the attempt it was counted as, and clears the
 * slot's own failures. If that cannot be saved the count stays higher
 * than it should, which only errs on the side of waiting. */
static void
settle_success (const char  *keys_path,
                GPtrArray   *slots,
                GArray      *before,
                guint        index,
                const guint8 *key,
                const char  *secret)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < slots->len; i++)
    {
      VpKeySlot *slot = g_ptr_array_index (slots, i);
      const Count *count = &g_array_index (before, Count, i);

      slot->failures = i == index ? 0 : count->failures;
      slot->last_failure = i == index ? 0 : count->last_failure;
    }
  upgrade_slot (slots, index, key, secret);
  if (!vp_key_slots_save (keys_path, slots, &error))
    g_warning ("Could not reset the failed-attempt counter: %s", error->message);
}

gboolean
_vp_store_unlock_key (const char  *dir,
                      const char  *kind,
                      const char  *name,
                      const char  *secret,
                      guint8      *key,
                      gint64      *account_id,
                      GError     **error)
{
  g_autofree char *keys_path = g_build_filename (dir, VP_STORE_KEYS_NAME, NULL);
  g_autoptr(GPtrArray) slots = vp_key_slots_load (keys_path, error);
  g_autoptr(GArray) before = NULL;
  gint64 now = now_seconds ();

  if (slots == NULL ||
      !check_wait (keys_path, slots, kind, name, now, error))
    return FALSE;
  before = count_attempt (keys_path, slots, kind, name, now, error);
  if (before == NULL)
    return FALSE;

  for (guint i = 0; i < slots->len; i++)
    {
      VpKeySlot *slot = g_ptr_array_index (slots, i);

      if (!is_candidate (slot, kind, name) || !vp_key_slot_unwrap (slot, secret, key, NULL))
        continue;
      *account_id = slot->account_id;
      settle_success (keys_path, slots, before, i, key, secret);
      return TRUE;
    }

  if (g_str_equal (kind, "recovery"))
    g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE,
                         _("The recovery key is not correct"));
  else
    g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_WRONG_PASSPHRASE,
                         _("The passphrase is not correct"));
  return FALSE;
}

/* How many accounts can unlock: the unlock page asks for a name only when
 * there is more than one. */
guint
vp_store_count_accounts (const char *dir)
{
  g_autofree char *keys_path = g_build_filename (dir, VP_STORE_KEYS_NAME, NULL);
  g_autoptr(GPtrArray) slots = vp_key_slots_load (keys_path, NULL);
  guint n = 0;

  for (guint i = 0; slots != NULL && i < slots->len; i++)
    n += g_str_equal (((VpKeySlot *) g_ptr_array_index (slots, i))->kind, "passphrase");
  return n;
}
