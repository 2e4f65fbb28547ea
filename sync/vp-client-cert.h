/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_CLIENT_CERT_ERROR (vp_client_cert_error_quark ())

typedef enum {
  VP_CLIENT_CERT_ERROR_NOT_PKCS12,
  VP_CLIENT_CERT_ERROR_WRONG_PASSWORD,
  VP_CLIENT_CERT_ERROR_UNSUPPORTED,
  VP_CLIENT_CERT_ERROR_NO_KEY,
  VP_CLIENT_CERT_ERROR_NO_CERTIFICATE,
  VP_CLIENT_CERT_ERROR_KEY_MISMATCH,
  VP_CLIENT_CERT_ERROR_NOT_FOR_CLIENTS,
  VP_CLIENT_CERT_ERROR_EXPIRED,
} VpClientCertError;

/* What the team leader sees of a client certificate; nothing secret. */
typedef struct {
  char   *subject;     /* RFC 4514, UTF-8, as the endpoint maps it */
  char   *issuer;      /* RFC 4514, UTF-8 */
  gint64  not_before;  /* Unix time */
  gint64  not_after;   /* Unix time */
} VpClientCertInfo;

/* A certificate (with any chain) and its private key, both PEM, as they
 * are kept in the store and handed to libcurl. Wiped when freed. */
typedef struct {
  char *cert_pem;
  char *key_pem;
} VpClientCredential;

GQuark              vp_client_cert_error_quark       (void);

void                vp_client_cert_info_free         (VpClientCertInfo         *info);
VpClientCertInfo   *vp_client_cert_info_from_pem     (const char               *cert_pem,
                                                      GError                  **error);
char               *vp_client_cert_format_date       (gint64                    unix_time);

void                vp_client_credential_free        (VpClientCredential       *credential);
VpClientCredential *vp_client_credential_from_pkcs12 (const guint8             *data,
                                                      gsize                     length,
                                                      const char               *password,
                                                      GError                  **error);

gboolean            vp_client_cert_save              (VpStore                  *store,
                                                      const VpClientCredential *credential,
                                                      GDateTime                *now,
                                                      GError                  **error);
gboolean            vp_client_cert_import            (VpStore                  *store,
                                                      GBytes                   *pkcs12,
                                                      const char               *password,
                                                      GDateTime                *now,
                                                      GError                  **error);
void                vp_client_cert_import_async      (VpStore                  *store,
                                                      GBytes                   *pkcs12,
                                                      const char               *password,
                                                      GCancellable             *cancellable,
                                                      GAsyncReadyCallback       callback,
                                                      gpointer                  user_data);
gboolean            vp_client_cert_import_finish     (VpStore                  *store,
                                                      GAsyncResult             *result,
                                                      GError                  **error);
gboolean            vp_client_cert_remove            (VpStore                  *store,
                                                      GError                  **error);
VpClientCertInfo   *vp_client_cert_get_info          (VpStore                  *store);
VpClientCredential *vp_client_cert_load              (VpStore                  *store);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpClientCertInfo, vp_client_cert_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpClientCredential, vp_client_credential_free)

G_END_DECLS
