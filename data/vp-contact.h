/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_CONTACT (vp_contact_get_type ())
G_DECLARE_FINAL_TYPE (VpContact, vp_contact, VP, CONTACT, GObject)

gint64      vp_contact_get_id            (VpContact *self);
gint64      vp_contact_get_client_id     (VpContact *self);
const char *vp_contact_get_client_label  (VpContact *self);
const char *vp_contact_get_kind          (VpContact *self);
const char *vp_contact_get_location_type (VpContact *self);
const char *vp_contact_get_initiated_by  (VpContact *self);
const char *vp_contact_get_occurred_at   (VpContact *self);

GListModel *vp_store_list_contacts_on    (VpStore   *store,
                                          GDate     *day,
                                          GError   **error);
GListModel *vp_store_list_client_contacts (VpStore  *store,
                                           gint64    client_id,
                                           GError  **error);

G_END_DECLS
