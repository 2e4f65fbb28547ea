/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vindplaats"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-application.h"
#include "vp-ui.h"
#include "vp-window.h"

struct _VpApplication
{
  AdwApplication  parent_instance;

  char           *store_dir;
};

G_DEFINE_FINAL_TYPE (VpApplication, vp_application, ADW_TYPE_APPLICATION)

static void
vp_application_activate (GApplication *app)
{
  VpApplication *self = VP_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (vp_window_new (ADW_APPLICATION (app), self->store_dir));
  gtk_window_present (window);
}

static int
vp_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  VpApplication *self = VP_APPLICATION (app);
  const char *dir = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("vindplaats %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "store-dir", "^&ay", &dir))
    {
      g_free (self->store_dir);
      self->store_dir = g_canonicalize_filename (dir, NULL);
    }
  return -1;
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Vindplaats team", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Vindplaats"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Register outreach contacts; share only anonymised reach figures"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Destroying the windows closes (and so locks) the store before exit. */
  while (windows != NULL)
    {
      GList *next = windows->next;
      gtk_window_destroy (windows->data);
      windows = next;
    }
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_activated },
  { .name = "quit", .activate = quit_activated },
};

static void
vp_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (vp_application_parent_class)->startup (app);

  vp_ui_init ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", help_accels);
}

static void
vp_application_finalize (GObject *object)
{
  g_free (VP_APPLICATION (object)->store_dir);
  G_OBJECT_CLASS (vp_application_parent_class)->finalize (object);
}

static void
vp_application_class_init (VpApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vp_application_finalize;
  app_class->activate = vp_application_activate;
  app_class->startup = vp_application_startup;
  app_class->handle_local_options = vp_application_handle_local_options;
}

static const GOptionEntry options[] = {
  { "store-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Use the store in DIR instead of the default one"), N_("DIR") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
  { NULL }
};

static void
vp_application_init (VpApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

VpApplication *
vp_application_new (void)
{
  return g_object_new (VP_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/vindplaats/Vindplaats",
                       NULL);
}
