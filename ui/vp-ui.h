/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void  vp_ui_init         (void);
char *vp_strip_mnemonic (const char *text);

G_END_DECLS
