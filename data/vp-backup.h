/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* Called now and then with the fraction done (0..1), from the thread that
 * runs the backup or restore. */
typedef void (*VpProgressFunc) (double   fraction,
                                gpointer user_data);

gboolean vp_store_backup        (VpStore              *store,
                                 const char           *path,
                                 VpProgressFunc        progress,
                                 gpointer              user_data,
                                 GError              **error);
void     vp_store_backup_async  (VpStore              *store,
                                 const char           *path,
                                 VpProgressFunc        progress,
                                 gpointer              progress_data,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
gboolean vp_store_backup_finish (VpStore              *store,
                                 GAsyncResult         *result,
                                 GError              **error);
VpStore *vp_store_restore       (const char           *backup_path,
                                 const char           *dir,
                                 const char           *secret,
                                 gboolean              secret_is_recovery_key,
                                 VpProgressFunc        progress,
                                 gpointer              user_data,
                                 GError              **error);

G_END_DECLS
