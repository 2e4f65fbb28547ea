/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_WINDOW (vp_window_get_type ())
G_DECLARE_FINAL_TYPE (VpWindow, vp_window, VP, WINDOW, AdwApplicationWindow)

VpWindow   *vp_window_new            (AdwApplication *application,
                                      const char     *store_dir);
VpStore    *vp_window_get_store      (VpWindow       *self);
const char *vp_window_get_page_name  (VpWindow       *self);

G_END_DECLS
