/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* Languages by ISO 639-3 code, the ones most spoken by residents with a
 * migration background in the Netherlands first. */
typedef struct {
  const char *code;
  const char *name; /* untranslated; vp_language_name() translates */
} VpLanguage;

const VpLanguage *vp_languages          (guint        *n_languages);
const char       *vp_language_name      (const char   *code);
gboolean          vp_is_language_code   (const char   *code);

gboolean          vp_store_set_language_needs (VpStore            *store,
                                               gint64              client_id,
                                               const char         *dutch_proficiency,
                                               const char * const *languages,
                                               GError            **error);
GStrv             vp_store_get_preferred_languages (VpStore *store,
                                                    gint64   client_id);
char             *vp_store_get_dutch_proficiency   (VpStore *store,
                                                    gint64   client_id);

G_END_DECLS
