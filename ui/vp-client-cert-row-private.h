/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For the tests only: hooks that the app itself never calls. */
#pragma once

#include "vp-client-cert-row.h"

G_BEGIN_DECLS

GtkNativeDialog *_vp_client_cert_row_get_chooser (VpClientCertRow *self);
gboolean         _vp_client_cert_row_is_busy     (VpClientCertRow *self);

G_END_DECLS
