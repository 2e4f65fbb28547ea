/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VP_STORE_ERROR (vp_store_error_quark ())

typedef enum {
  VP_STORE_ERROR_WRONG_PASSPHRASE,
  VP_STORE_ERROR_DAMAGED,
  VP_STORE_ERROR_KEYS_MISSING,
  VP_STORE_ERROR_WEAK_CIPHER,
  VP_STORE_ERROR_NOT_FOUND,
  VP_STORE_ERROR_EXISTS,
  VP_STORE_ERROR_INVALID,
  VP_STORE_ERROR_LOCKED,
  VP_STORE_ERROR_FAILED,
  VP_STORE_ERROR_NOT_ALLOWED,
  VP_STORE_ERROR_TOO_MANY_ATTEMPTS,
  VP_STORE_ERROR_BUSY,
  VP_STORE_ERROR_UNPROTECTED,
} VpStoreError;

GQuark vp_store_error_quark (void);

/* What the first run asks for. */
typedef struct {
  const char *team_code;
  const char *municipality_code; /* CBS code, GMxxxx */
  const char *account_name;      /* the first account, a team leader */
  const char *passphrase;
} VpStoreSetup;

#define VP_TYPE_STORE (vp_store_get_type ())
G_DECLARE_FINAL_TYPE (VpStore, vp_store, VP, STORE, GObject)

char       *vp_store_default_dir           (void);
gboolean    vp_store_exists                (const char    *dir);
gboolean    vp_store_validate_setup        (const VpStoreSetup *setup,
                                            GError       **error);
VpStore    *vp_store_create                (const char    *dir,
                                            const VpStoreSetup *setup,
                                            char         **recovery_key,
                                            GError       **error);
VpStore    *vp_store_open                  (const char    *dir,
                                            const char    *passphrase,
                                            GError       **error);
VpStore    *vp_store_open_with_recovery_key (const char  *dir,
                                             const char  *recovery_key,
                                             GError     **error);
gboolean    vp_store_needs_new_passphrase  (VpStore       *self);
VpStore    *vp_store_open_account          (const char    *dir,
                                            const char    *name,
                                            const char    *passphrase,
                                            GError       **error);
guint       vp_store_count_accounts        (const char    *dir);
VpStore    *vp_store_open_clone            (VpStore       *self,
                                            GError       **error);
void        vp_store_close                 (VpStore       *self);
gboolean    vp_store_is_open               (VpStore       *self);

const char *vp_store_get_dir               (VpStore       *self);
const char *vp_store_get_team_code         (VpStore       *self);
const char *vp_store_get_municipality_code (VpStore       *self);
const char *vp_store_get_installation_id   (VpStore       *self);
gint64      vp_store_get_account_id        (VpStore       *self);
const char *vp_store_get_account_role      (VpStore       *self);
gboolean    vp_store_require_team_leader   (VpStore       *self,
                                            const char    *refusal,
                                            GError       **error);

gboolean    vp_store_read_setting          (VpStore       *self,
                                            const char    *key,
                                            char         **value,
                                            GError       **error);
char       *vp_store_get_setting           (VpStore       *self,
                                            const char    *key);
gboolean    vp_store_set_setting           (VpStore       *self,
                                            const char    *key,
                                            const char    *value,
                                            GError       **error);

gboolean    vp_store_begin_snapshot        (VpStore       *self,
                                            GError       **error);
gboolean    vp_store_finish_snapshot       (VpStore       *self,
                                            GError       **error);
void        vp_store_end_snapshot          (VpStore       *self);

G_END_DECLS
