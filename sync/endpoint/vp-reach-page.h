/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-endpoint-text.h"
#include "vp-reach-select.h"
#include "vp-reach.h"

G_BEGIN_DECLS

/* The views of the overview, by the name in ?view=. */
gboolean vp_reach_page_is_view  (const char             *view);

char    *vp_reach_page_html     (VpReach                *reach,
                                 const VpReachSelection *selection,
                                 const char             *municipality,
                                 const char             *view,
                                 GPtrArray              *installations);
char    *vp_reach_sign_in_html  (VpLang                  lang,
                                 const char             *message);
char    *vp_reach_message_html  (VpLang                  lang,
                                 const char             *title,
                                 const char             *message);

G_END_DECLS
