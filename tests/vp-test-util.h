/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vp-registration.h"
#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TEST_PASSPHRASE "correct horse battery staple"

void      vp_test_init_data         (void);
char     *vp_test_make_dir          (void);
void      vp_test_remove_dir        (const char *dir);
VpStore  *vp_test_create_store      (const char *dir);
gint64    vp_test_register          (VpStore    *store,
                                     const char *label,
                                     int         birth_year,
                                     const char *location_type,
                                     const char *kind,
                                     const char *proficiency,
                                     GDateTime  *when);
int       vp_test_count             (VpStore    *store,
                                     const char *sql);
gboolean  vp_test_file_contains     (const char *path,
                                     const char *needle);
gboolean  vp_test_store_files_contain (const char *dir,
                                       const char *needle);

G_END_DECLS
