/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Child programs for tests: one run for its output, or a server that
 * prints "listening on https://127.0.0.1:PORT" once it is ready. */
char        *vp_test_run_capture     (const char * const *argv);
void         vp_test_die_with_parent (gpointer            user_data);
GSubprocess *vp_test_spawn_listening (const char * const *argv,
                                      char              **url);

G_END_DECLS
