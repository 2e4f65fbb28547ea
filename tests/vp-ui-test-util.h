/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the UI test programs share: finding template children, waiting on
 * the main loop, screenshots, and opening a window on a store. */
#pragma once

#include <adwaita.h>

#include "vp-window.h"

G_BEGIN_DECLS

typedef gboolean (*VpUiPredicate) (gpointer data);

gboolean  vp_ui_test_init         (int           *argc,
                                   char        ***argv);

gpointer  vp_ui_child             (gpointer       widget,
                                   GType          type,
                                   const char    *name);
void      vp_ui_wait_until        (VpUiPredicate  predicate,
                                   gpointer       data);
void      vp_ui_settle            (void);
void      vp_ui_save_screenshot   (GtkWidget     *widget,
                                   const char    *name);
gboolean  vp_ui_page_is_main      (gpointer       window);
gboolean  vp_ui_unlock_idle       (gpointer       page);
void      vp_ui_set_text          (gpointer       widget,
                                   GType          type,
                                   const char    *name,
                                   const char    *text);
void      vp_ui_select_code       (AdwComboRow   *row,
                                   guint          position);
VpWindow *vp_ui_open_window_sized (const char    *dir,
                                   int            width,
                                   int            height);
VpWindow *vp_ui_open_window       (const char    *dir);
void      vp_ui_wait_for_transitions (GtkWidget   *root);
void      vp_ui_use_language      (const char    *language);

G_END_DECLS
