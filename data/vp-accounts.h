/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64    id;
  char     *name;
  char     *role;     /* "coach" or "team_leader" */
  gboolean  active;
  gboolean  removed;
} VpAccount;

void       vp_account_free              (VpAccount   *account);

gboolean   vp_store_check_passphrase    (const char  *passphrase,
                                         GError     **error);
GPtrArray *vp_store_list_colleagues     (VpStore     *store,
                                         GError     **error);
GPtrArray *vp_store_list_accounts       (VpStore     *store,
                                         GError     **error);
gint64     vp_store_add_account         (VpStore     *store,
                                         const char  *name,
                                         const char  *role,
                                         const char  *passphrase,
                                         GError     **error);
gboolean   vp_store_set_account_active  (VpStore     *store,
                                         gint64       account_id,
                                         gboolean     active,
                                         GError     **error);
gboolean   vp_store_remove_account      (VpStore     *store,
                                         gint64       account_id,
                                         GError     **error);
gboolean   vp_store_reset_passphrase    (VpStore     *store,
                                         gint64       account_id,
                                         const char  *new_passphrase,
                                         GError     **error);
gboolean   vp_store_change_passphrase   (VpStore     *store,
                                         const char  *old_passphrase,
                                         const char  *new_passphrase,
                                         GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpAccount, vp_account_free)

G_END_DECLS
