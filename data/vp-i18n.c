/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where the translations are. An installed program reads them from
 * LOCALEDIR; one started from the build tree (build-aux/run, the tests,
 * a developer) reads the build's own, which would otherwise never be
 * found: nothing is installed there, so a Dutch desktop showed English.
 * VINDPLAATS_LOCALEDIR overrides both. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

#include "vp-i18n.h"

static gboolean
running_from_build_tree (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL && g_str_has_prefix (exe, BUILD_ROOT "/");
}

const char *
vp_i18n_locale_dir (void)
{
  const char *dir = g_getenv ("VINDPLAATS_LOCALEDIR");

  if (dir != NULL && *dir != '\0')
    return dir;
  return running_from_build_tree () ? BUILD_ROOT "/po" : LOCALEDIR;
}

/* Binds the program's text domain; setlocale() comes first, in main(). */
void
vp_i18n_init (void)
{
  bindtextdomain (GETTEXT_PACKAGE, vp_i18n_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
