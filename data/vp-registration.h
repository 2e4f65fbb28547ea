/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_REGISTRATION_ERROR (vp_registration_error_quark ())

/* The error code names the field at fault, so the form can show the message
 * next to it. */
typedef enum {
  VP_REGISTRATION_ERROR_CLIENT,
  VP_REGISTRATION_ERROR_BIRTH_YEAR,
  VP_REGISTRATION_ERROR_LOCATION,
  VP_REGISTRATION_ERROR_KIND,
  VP_REGISTRATION_ERROR_INITIATED_BY,
  VP_REGISTRATION_ERROR_STAGE,
  VP_REGISTRATION_ERROR_PROFICIENCY,
  VP_REGISTRATION_ERROR_INTERPRETER,
} VpRegistrationError;

GQuark vp_registration_error_quark (void);

/* One outreach contact as the form collects it. */
typedef struct {
  gint64      client_id;         /* an existing client, or 0 */
  const char *client_label;      /* pseudonymous: initials or a first name */
  int         birth_year;        /* 0 when not given */
  const char *phone;             /* optional */
  const char *location_type;     /* ignored when location_id is set */
  gint64      location_id;       /* 0 when none */
  const char *kind;              /* "first" or "follow_up" */
  const char *initiated_by;
  const char *stage;             /* first contacts only; NULL when not given */
  gboolean    language_consent;
  const char *dutch_proficiency; /* stored only with language consent */
  const char *preferred_language; /* ISO 639-3; only with language consent */
  gboolean    interpreter_consent;
  const char *interpreter;       /* stored only with interpreter consent */
  const char *notes;
  const char *consent_text_version; /* of the Dutch explanation shown; NULL: the current one */
  GDateTime  *occurred_at;       /* NULL for now */
  GDateTime  *entered_at;        /* when it was typed in; NULL for now */
} VpRegistration;

gboolean vp_registration_validate   (const VpRegistration *reg,
                                     int                   current_year,
                                     GError              **error);
gboolean vp_store_save_registration (VpStore              *store,
                                     const VpRegistration *reg,
                                     gint64               *contact_id,
                                     GError              **error);

gboolean vp_store_undo_registration (VpStore              *store,
                                     gint64                contact_id,
                                     GError              **error);

G_END_DECLS
