/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

typedef void (*VpRestoredFunc) (VpStore  *store,
                                gpointer  user_data);

void vp_backup_dialogs_backup  (GtkWindow      *parent,
                                VpStore        *store);
void vp_backup_dialogs_restore (GtkWindow      *parent,
                                const char     *store_dir,
                                VpRestoredFunc  restored,
                                gpointer        user_data);

G_END_DECLS
