/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-uid.h"

G_BEGIN_DECLS

/* A hybrid logical clock stamp (Kulkarni et al., 2014): wall-clock
 * milliseconds, a counter for events within one millisecond (or while the
 * wall clock lags behind a stamp already seen), and the device that made
 * it. Stamps compare in that order, so every change has one place in a
 * total order that all devices agree on; no two devices share an id, so
 * no two stamps of different devices are equal. */
typedef struct {
  gint64  ms;       /* 0 .. VP_HLC_MAX_MS */
  guint32 counter;
  VpUid   device;
} VpHlc;

#define VP_HLC_MAX_MS G_GINT64_CONSTANT (0xffffffffffff) /* 48 bits: the year 10889 */

/* "mmmmmmmmmmmm.cccccccc.<device>": fixed-width lower-case hex, so the
 * text sorts exactly as vp_hlc_compare() orders the stamps. */
#define VP_HLC_STRING_LEN (12 + 1 + 8 + 1 + VP_UID_STRING_LEN)

int      vp_hlc_compare   (const VpHlc *a,
                           const VpHlc *b);
void     vp_hlc_to_string (const VpHlc *hlc,
                           char         out[VP_HLC_STRING_LEN + 1]);
gboolean vp_hlc_parse     (const char  *text,
                           VpHlc       *hlc,
                           GError     **error);

/* One device's clock: the latest stamp it made or received. Kept in the
 * store, so that a restart does not go back either. */
typedef struct {
  VpHlc last;
} VpHlcClock;

void  vp_hlc_clock_init    (VpHlcClock  *clock,
                            const VpUid *device);
void  vp_hlc_clock_restore (VpHlcClock  *clock,
                            const VpUid *device,
                            const VpHlc *last);
/* A stamp for a local event, later than every stamp this clock made or
 * received, whatever the wall clock (wall_ms) says. */
void  vp_hlc_clock_now     (VpHlcClock  *clock,
                            gint64       wall_ms,
                            VpHlc       *out);
/* Takes in a remote stamp: the clock moves past it, and out (may be NULL)
 * is a stamp later than both. */
void  vp_hlc_clock_receive (VpHlcClock  *clock,
                            const VpHlc *remote,
                            gint64       wall_ms,
                            VpHlc       *out);
/* The wall clock in milliseconds since 1970 (UTC). */
gint64 vp_hlc_wall_ms      (void);

G_END_DECLS
