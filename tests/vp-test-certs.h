/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Test material for client certificates (#12), made with the openssl
 * command in a folder of the test's own: CAs, certificates signed with
 * `openssl ca` (so that any validity period can be given, past ones
 * included) and PKCS#12 files. All keys are P-256, which is quick. */

void    vp_test_cert_make_ca      (const char *dir,
                                   const char *ca);
char   *vp_test_cert_make_leaf    (const char *dir,
                                   const char *ca,
                                   const char *name,
                                   const char *subject,
                                   const char *usage,
                                   GDateTime  *not_before,
                                   GDateTime  *not_after);
char   *vp_test_cert_make_server  (const char *dir,
                                   const char *ca,
                                   const char *name,
                                   const char *san,
                                   GDateTime  *not_before,
                                   GDateTime  *not_after);
char   *vp_test_cert_make_pkcs12  (const char *dir,
                                   const char *ca,
                                   const char *name,
                                   const char *password,
                                   const char *option);
char   *vp_test_cert_make_client  (const char *dir,
                                   const char *ca,
                                   const char *name,
                                   const char *subject,
                                   int         from_days,
                                   int         to_days,
                                   const char *password);
GBytes *vp_test_read_bytes        (const char *path);

G_END_DECLS
