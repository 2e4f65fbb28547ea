/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>

#include "vp-i18n.h"
#include "vp-test-util.h"
#include "vp-ui.h"
#include "vp-ui-test-util.h"
#include "vp-unlock-page.h"

/* The store's memory protection, GTK, libadwaita, the app's resources,
 * style and translations, as the app sets them up. FALSE, after printing a TAP skip, when there is no
 * display: build-aux/test always provides one, a Flatpak build sandbox
 * has none. */
gboolean
vp_ui_test_init (int    *argc,
                 char ***argv)
{
  g_autoptr(GtkCssProvider) css = NULL;
  const char *x11 = g_getenv ("DISPLAY");
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");

  if ((x11 == NULL || *x11 == '\0') && (wayland == NULL || *wayland == '\0'))
    {
      g_print ("1..0 # SKIP no display\n");
      return FALSE;
    }
  vp_test_init_data ();
  gtk_test_init (argc, argv, NULL);
  vp_i18n_init ();
  adw_init ();
  vp_ui_init ();
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/vindplaats/Vindplaats/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  return TRUE;
}

gpointer
vp_ui_child (gpointer    widget,
             GType       type,
             const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);
  g_assert_nonnull (object);
  return object;
}

void
vp_ui_wait_until (VpUiPredicate predicate,
                  gpointer      data)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!predicate (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

void
vp_ui_settle (void)
{
  for (int i = 0; i < 50; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

/* Saves what the window shows, so a failing run can be looked at. */
void
vp_ui_save_screenshot (GtkWidget  *widget,
                       const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_strdup_printf ("%s.png", name);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  gint64 until = g_get_monotonic_time () + 300 * 1000;

  /* Let a page switch finish its layout and transition first. */
  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL || renderer == NULL)
    {
      g_test_message ("no screenshot for %s: nothing drawn yet", name);
      return;
    }
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_texture_save_to_png (texture, path);
}

gboolean
vp_ui_page_is_main (gpointer window)
{
  return g_strcmp0 (vp_window_get_page_name (window), "main") == 0;
}

gboolean
vp_ui_unlock_idle (gpointer page)
{
  return !gtk_spinner_get_spinning (vp_ui_child (page, VP_TYPE_UNLOCK_PAGE, "spinner"));
}

void
vp_ui_set_text (gpointer    widget,
                GType       type,
                const char *name,
                const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (vp_ui_child (widget, type, name)), text);
}

void
vp_ui_select_code (AdwComboRow *row,
                   guint        position)
{
  adw_combo_row_set_selected (row, position);
}

VpWindow *
vp_ui_open_window_sized (const char *dir,
                         int         width,
                         int         height)
{
  VpWindow *window = vp_window_new (NULL, dir);
  VpUnlockPage *unlock = vp_ui_child (window, VP_TYPE_WINDOW, "unlock_page");
  GtkLabel *error_label = vp_ui_child (unlock, VP_TYPE_UNLOCK_PAGE, "error_label");

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "unlock");

  /* A wrong passphrase is refused with a message, off the main loop. */
  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", "wrong passphrase");
  gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
  g_assert_false (vp_ui_unlock_idle (unlock));
  vp_ui_wait_until (vp_ui_unlock_idle, unlock);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "unlock");

  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", VP_TEST_PASSPHRASE);
  gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
  vp_ui_wait_until (vp_ui_page_is_main, window);
  vp_ui_settle ();
  return window;
}

VpWindow *
vp_ui_open_window (const char *dir)
{
  return vp_ui_open_window_sized (dir, 900, 760);
}


/* No stack under @widget is still sliding or fading between pages. */
static gboolean
transitions_done (gpointer widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (widget))
    return FALSE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (!transitions_done (c))
      return FALSE;
  return TRUE;
}

/* While pages cross-fade, both are mapped and measured. */
void
vp_ui_wait_for_transitions (GtkWidget *root)
{
  vp_ui_settle ();
  vp_ui_wait_until (transitions_done, root);
  vp_ui_settle ();
}

/* The UI language for the windows made next ("nl", "en"), or the
 * environment's again with NULL. setlocale() again, or gettext keeps what
 * it cached in the language before. */
void
vp_ui_use_language (const char *language)
{
  if (language != NULL)
    g_setenv ("LANGUAGE", language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
}
