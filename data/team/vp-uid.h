/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 128 random bits naming a team, a device or a synced record. Written as
 * 32 lower-case hex digits, so the text sorts as the bytes do. */
#define VP_UID_LEN 16
#define VP_UID_STRING_LEN (2 * VP_UID_LEN)

typedef struct {
  guint8 bytes[VP_UID_LEN];
} VpUid;

gboolean vp_uid_generate  (VpUid       *uid,
                           GError     **error);
void     vp_uid_to_string (const VpUid *uid,
                           char         out[VP_UID_STRING_LEN + 1]);
gboolean vp_uid_parse     (const char  *text,
                           VpUid       *uid,
                           GError     **error);
gboolean vp_uid_is_nil    (const VpUid *uid);
int      vp_uid_compare   (const VpUid *a,
                           const VpUid *b);
/* For GHashTable keys that are VpUid pointers. */
guint    vp_uid_hash      (gconstpointer uid);
gboolean vp_uid_equal     (gconstpointer a,
                           gconstpointer b);
VpUid   *vp_uid_dup       (const VpUid *uid);

G_END_DECLS
