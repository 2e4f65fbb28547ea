/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* Consent per category (DESIGN §4): "language", "interpreter", "referral". */
typedef struct {
  gint64  id;
  char   *category;
  char   *given_at;
  char   *method;               /* "verbal" or "written" */
  char   *explanation_language; /* ISO 639-3 */
  char   *text_version;
  char   *withdrawn_at;         /* NULL while it stands */
} VpConsent;

void       vp_consent_free            (VpConsent   *consent);

gboolean   vp_store_give_consent      (VpStore     *store,
                                       gint64       client_id,
                                       const char  *category,
                                       const char  *method,
                                       const char  *explanation_language,
                                       const char  *text_version,
                                       GError     **error);
gboolean   vp_store_withdraw_consent  (VpStore     *store,
                                       gint64       client_id,
                                       const char  *category,
                                       GError     **error);
gboolean   vp_store_has_consent       (VpStore     *store,
                                       gint64       client_id,
                                       const char  *category);
GPtrArray *vp_store_list_consents     (VpStore     *store,
                                       gint64       client_id,
                                       GError     **error);
gboolean   vp_store_erase_client      (VpStore     *store,
                                       gint64       client_id,
                                       GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpConsent, vp_consent_free)

G_END_DECLS
