/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vp-hlc.h"
#include "vp-team-error.h"

int
vp_hlc_compare (const VpHlc *a,
                const VpHlc *b)
{
  if (a->ms != b->ms)
    return a->ms < b->ms ? -1 : 1;
  if (a->counter != b->counter)
    return a->counter < b->counter ? -1 : 1;
  return vp_uid_compare (&a->device, &b->device);
}

void
vp_hlc_to_string (const VpHlc *hlc,
                  char         out[VP_HLC_STRING_LEN + 1])
{
  static const char hex[] = "0123456789abcdef";
  guint64 ms = (guint64) CLAMP (hlc->ms, 0, VP_HLC_MAX_MS);

  for (int i = 11; i >= 0; i--, ms >>= 4)
    out[i] = hex[ms & 15];
  out[12] = '.';
  for (int i = 7; i >= 0; i--)
    out[13 + 7 - i] = hex[(hlc->counter >> (4 * i)) & 15];
  out[21] = '.';
  vp_uid_to_string (&hlc->device, out + 22);
}

static gboolean
parse_hex (const char *text,
           guint       len,
           guint64    *out)
{
  guint64 v = 0;

  for (guint i = 0; i < len; i++)
    {
      char c = text[i];

      if (c >= '0' && c <= '9')
        v = v << 4 | (guint64) (c - '0');
      else if (c >= 'a' && c <= 'f')
        v = v << 4 | (guint64) (c - 'a' + 10);
      else
        return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
vp_hlc_parse (const char  *text,
              VpHlc       *hlc,
              GError     **error)
{
  guint64 ms, counter;
  VpHlc parsed;

  if (text == NULL || strlen (text) != VP_HLC_STRING_LEN
      || text[12] != '.' || text[21] != '.'
      || !parse_hex (text, 12, &ms) || !parse_hex (text + 13, 8, &counter)
      || !vp_uid_parse (text + 22, &parsed.device, NULL))
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("A clock stamp is not in its canonical form"));
      return FALSE;
    }
  parsed.ms = (gint64) ms;
  parsed.counter = (guint32) counter;
  *hlc = parsed;
  return TRUE;
}

void
vp_hlc_clock_init (VpHlcClock  *clock,
                   const VpUid *device)
{
  memset (clock, 0, sizeof *clock);
  clock->last.device = *device;
}

void
vp_hlc_clock_restore (VpHlcClock  *clock,
                      const VpUid *device,
                      const VpHlc *last)
{
  clock->last = *last;
  clock->last.device = *device;
}

/* The next counter at a millisecond; at the counter's end the clock moves
 * one millisecond on instead, which keeps the order. */
static void
advance (VpHlc   *last,
         gint64   ms,
         guint32  counter_floor)
{
  if (ms > last->ms)
    {
      last->ms = ms;
      last->counter = counter_floor;
    }
  else if (last->counter == G_MAXUINT32)
    {
      last->ms++;
      last->counter = 0;
    }
  else
    last->counter++;
}

void
vp_hlc_clock_now (VpHlcClock *clock,
                  gint64      wall_ms,
                  VpHlc      *out)
{
  advance (&clock->last, CLAMP (wall_ms, 0, VP_HLC_MAX_MS), 0);
  *out = clock->last;
}

void
vp_hlc_clock_receive (VpHlcClock  *clock,
                      const VpHlc *remote,
                      gint64       wall_ms,
                      VpHlc       *out)
{
  gint64 wall = CLAMP (wall_ms, 0, VP_HLC_MAX_MS);
  VpHlc *last = &clock->last;

  if (remote->ms > last->ms && remote->ms >= wall)
    {
      /* The remote stamp is the latest time known: continue after it. */
      last->ms = remote->ms;
      last->counter = remote->counter;
      advance (last, last->ms, 0);
    }
  else if (remote->ms == last->ms && wall <= last->ms)
    {
      last->counter = MAX (last->counter, remote->counter);
      advance (last, last->ms, 0);
    }
  else
    advance (last, wall, 0);
  if (out != NULL)
    *out = *last;
}

gint64
vp_hlc_wall_ms (void)
{
  return g_get_real_time () / 1000;
}
