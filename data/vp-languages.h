/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-language-list.h"
#include "vp-store.h"

G_BEGIN_DECLS

/* A client's language needs, consent-bound. */
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
