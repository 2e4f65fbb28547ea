/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vindplaats"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "vp-application.h"
#include "vp-data-init.h"
#include "vp-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(VpApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  vp_i18n_init ();

  /* Before any thread or SQLite use. Should it fail, the window still
   * opens, and unlocking says why the store stays closed. */
  if (!vp_data_init (&error))
    g_printerr ("vindplaats: %s\n", error->message);

  app = vp_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
