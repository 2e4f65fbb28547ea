/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "vp-team-crypto.h"

G_BEGIN_DECLS

/* The team-sync relay's storage (#16): teams, their devices (by the
 * SHA-256 of their tokens), invitations and sealed blobs, in an SQLite
 * file of its own. Every write is one transaction; the errors say which
 * rule a request broke, and the routes turn them into HTTP answers. */

#define VP_RELAY_STORE_ERROR (vp_relay_store_error_quark ())

typedef enum {
  VP_RELAY_STORE_ERROR_FAILED,     /* the database failed */
  VP_RELAY_STORE_ERROR_INVALID,    /* the request can never be right */
  VP_RELAY_STORE_ERROR_FORBIDDEN,  /* not for this device (its role, its state) */
  VP_RELAY_STORE_ERROR_PENDING,    /* the device is not admitted yet */
  VP_RELAY_STORE_ERROR_NOT_FOUND,
  VP_RELAY_STORE_ERROR_CONFLICT,   /* against what is stored: once-only steps, sequences */
  VP_RELAY_STORE_ERROR_OLD_EPOCH,  /* a blob sealed under a key the team has replaced */
  VP_RELAY_STORE_ERROR_EXPIRED,    /* the invitation has expired */
  VP_RELAY_STORE_ERROR_QUOTA,      /* the team's storage or device limit */
} VpRelayStoreError;

typedef enum {
  VP_RELAY_DEVICE_PENDING,
  VP_RELAY_DEVICE_ACTIVE,
  VP_RELAY_DEVICE_REMOVED,
} VpRelayDeviceState;

/* Who a token belongs to. */
typedef struct {
  VpUid              team;
  VpUid              device;
  VpRelayDeviceState state;
  gboolean           admin;
} VpRelayCaller;

typedef struct {
  VpUid              device;
  VpRelayDeviceState state;
  gboolean           admin;
  gint64             last_seen;   /* Unix seconds of its last push, pull or ack; 0: never */
  guint64            acked;       /* the cursor it has applied up to */
} VpRelayDeviceInfo;

typedef struct {
  guint64 quota;        /* bytes of blobs per team */
  guint   max_devices;  /* pending and active devices per team */
  gint64  invite_lifetime;  /* seconds */
} VpRelayLimits;

#define VP_RELAY_TOKEN_BYTES 32
#define VP_RELAY_SHARE_LEN (VP_X25519_KEY_LEN + VP_ENROL_NONCE_LEN)
/* A frame of a pull: 8-byte cursor, 4-byte length (big-endian), the blob. */
#define VP_RELAY_FRAME_HEADER_LEN 12

#define VP_TYPE_RELAY_STORE (vp_relay_store_get_type ())

G_DECLARE_FINAL_TYPE (VpRelayStore, vp_relay_store, VP, RELAY_STORE, GObject)

GQuark        vp_relay_store_error_quark   (void);

VpRelayStore *vp_relay_store_open          (const char          *path,
                                            const VpRelayLimits *limits,
                                            GError             **error);
gboolean      vp_relay_store_create_team   (VpRelayStore        *self,
                                            const VpUid         *team,
                                            const char          *report_team,
                                            const VpUid         *device,
                                            char               **token,
                                            GError             **error);
gboolean      vp_relay_store_authenticate  (VpRelayStore        *self,
                                            const char          *token,
                                            VpRelayCaller       *caller,
                                            gboolean            *found,
                                            GError             **error);
gboolean      vp_relay_store_put_invite    (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            const char          *code,
                                            const guint8        *commitment,
                                            GError             **error);
gboolean      vp_relay_store_get_invite    (VpRelayStore        *self,
                                            const char          *code,
                                            VpUid               *team,
                                            guint8              *commitment,
                                            GError             **error);
gboolean      vp_relay_store_join          (VpRelayStore        *self,
                                            const char          *code,
                                            const VpUid         *device,
                                            const guint8        *share,
                                            char               **token,
                                            GError             **error);
gboolean      vp_relay_store_get_joiner    (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            const char          *code,
                                            gboolean            *present,
                                            VpUid               *device,
                                            guint8              *share,
                                            GError             **error);
gboolean      vp_relay_store_reveal        (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            const char          *code,
                                            const guint8        *share,
                                            GError             **error);
gboolean      vp_relay_store_get_reveal    (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            const char          *code,
                                            gboolean            *present,
                                            guint8              *share,
                                            GError             **error);
gboolean      vp_relay_store_put_key       (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            const VpUid         *device,
                                            guint32              epoch,
                                            const guint8        *wrapped,
                                            gsize                len,
                                            GError             **error);
GBytes       *vp_relay_store_get_keys      (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            GError             **error);
gboolean      vp_relay_store_remove_device (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            const VpUid         *device,
                                            GError             **error);
gboolean      vp_relay_store_push          (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            GBytes              *blob,
                                            guint32              snapshot,
                                            guint64             *cursor,
                                            gboolean            *already,
                                            GError             **error);
GBytes       *vp_relay_store_pull          (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            guint64              after,
                                            gsize                limit,
                                            guint64             *next,
                                            gboolean            *more,
                                            GError             **error);
gboolean      vp_relay_store_ack           (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            guint64              cursor,
                                            GError             **error);
GArray       *vp_relay_store_devices       (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            guint32             *epoch,
                                            guint64             *cursor,
                                            GError             **error);
gboolean      vp_relay_store_compact       (VpRelayStore        *self,
                                            const VpRelayCaller *caller,
                                            guint32              snapshot,
                                            guint64              covers,
                                            GError             **error);
gboolean      vp_relay_store_purge         (VpRelayStore        *self,
                                            GError             **error);

G_END_DECLS
