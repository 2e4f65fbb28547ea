/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

/* One contact as it can be corrected after it was saved: where, who
 * started it, the stage (first contacts only), interpreter use (with
 * consent) and the notes. The client, the kind and the time stay. */
typedef struct {
  gint64    id;
  gint64    client_id;
  char     *client_label;
  char     *kind;
  char     *occurred_at;
  gint64    location_id;   /* 0 when none */
  char     *location_type;
  char     *initiated_by;
  char     *stage;         /* NULL when not recorded */
  char     *interpreter;   /* NULL when not recorded */
  char     *notes;
  gboolean  interpreter_consent;
} VpContactRecord;

void             vp_contact_record_free  (VpContactRecord        *record);
VpContactRecord *vp_store_get_contact    (VpStore                *store,
                                          gint64                  contact_id,
                                          GError                **error);
gboolean         vp_store_update_contact (VpStore                *store,
                                          const VpContactRecord  *record,
                                          GError                **error);
gboolean         vp_store_delete_contact (VpStore                *store,
                                          gint64                  contact_id,
                                          GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpContactRecord, vp_contact_record_free)

G_END_DECLS
