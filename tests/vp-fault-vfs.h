/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A VFS shim over the default one that fails the Nth write or sync with
 * SQLITE_IOERR, to test what the store does when the disk lets it down. */
typedef enum {
  VP_FAULT_WRITE,
  VP_FAULT_SYNC,
} VpFaultKind;

void  vp_fault_vfs_install (void);
void  vp_fault_vfs_arm     (VpFaultKind kind,
                            guint       nth);
void  vp_fault_vfs_disarm  (void);
guint vp_fault_vfs_hits    (void);

G_END_DECLS
