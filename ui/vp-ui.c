/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include "vp-a11y.h"
#include "vp-contact-form.h"
#include "vp-recovery-page.h"
#include "vp-report-page.h"
#include "vp-setup-page.h"
#include "vp-today-page.h"
#include "vp-ui.h"
#include "vp-ui-resources.h"
#include "vp-unlock-page.h"
#include "vp-window.h"

/* The UI lives in a static library: register its resources explicitly, since
 * a linker may drop an unreferenced constructor. */
void
vp_ui_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_resources_register (vp_ui_get_resource ());
      vp_a11y_init ();
      g_type_ensure (VP_TYPE_CONTACT_FORM);
      g_type_ensure (VP_TYPE_RECOVERY_PAGE);
      g_type_ensure (VP_TYPE_REPORT_PAGE);
      g_type_ensure (VP_TYPE_SETUP_PAGE);
      g_type_ensure (VP_TYPE_TODAY_PAGE);
      g_type_ensure (VP_TYPE_UNLOCK_PAGE);
      g_type_ensure (VP_TYPE_WINDOW);
      g_once_init_leave (&initialized, 1);
    }
}

/* @text without its mnemonic underscores ("__" stays one "_"), as a
 * screen reader should say it. */
char *
vp_strip_mnemonic (const char *text)
{
  GString *plain = g_string_new (NULL);

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          if (p[1] != '_')
            continue;
          p++;
        }
      g_string_append_c (plain, *p);
    }
  return g_string_free (plain, FALSE);
}
