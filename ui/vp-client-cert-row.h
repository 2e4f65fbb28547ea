/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_CLIENT_CERT_ROW (vp_client_cert_row_get_type ())
G_DECLARE_FINAL_TYPE (VpClientCertRow, vp_client_cert_row, VP, CLIENT_CERT_ROW, AdwActionRow)

void      vp_client_cert_row_set_store     (VpClientCertRow *self,
                                            VpStore         *store);

/* For tests: the file chooser while it is open, and whether an import
 * is under way. */

G_END_DECLS
