/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vindplaats"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "vp-application.h"
#include "vp-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VpApplication) app = NULL;

  setlocale (LC_ALL, "");
  vp_i18n_init ();

  app = vp_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
