/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The errors of team sync's core: sealing, keys, enrolment codes, changes. */
#define VP_TEAM_ERROR (vp_team_error_quark ())

typedef enum {
  VP_TEAM_ERROR_FAILED,            /* the system failed (random numbers, OpenSSL) */
  VP_TEAM_ERROR_NO_SECURE_MEMORY,  /* OpenSSL's secure heap is used up */
  VP_TEAM_ERROR_INVALID,           /* malformed input: not a blob, key, code or change */
  VP_TEAM_ERROR_TOO_LARGE,         /* more than a blob may hold */
  VP_TEAM_ERROR_WRONG_TEAM,        /* sealed for another team */
  VP_TEAM_ERROR_WRONG_EPOCH,       /* sealed under another epoch of the team key */
  VP_TEAM_ERROR_TAMPERED,          /* authentication failed: changed, or another key */
  VP_TEAM_ERROR_BAD_PADDING,       /* authentic, but its inner length or padding is wrong */
} VpTeamError;

GQuark vp_team_error_quark (void);

G_END_DECLS
