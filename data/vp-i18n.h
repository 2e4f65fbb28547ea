/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *vp_i18n_locale_dir (void);
void        vp_i18n_init       (void);

G_END_DECLS
