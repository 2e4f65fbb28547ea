/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every page in Dutch at 360 px and at 1366x768, light and dark (#15):
 * nothing sticks out of the window (what does not fit scrolls), and a
 * screenshot of each is left in the build folder to be looked at. */
#include "config.h"

#include <adwaita.h>
#include <locale.h>
#include <string.h>

#include "vp-clients-page.h"
#include "vp-test-util.h"
#include "vp-ui-test-util.h"
#include "vp-window.h"

static void
wait_for_page (VpWindow *window)
{
  vp_ui_wait_for_transitions (GTK_WIDGET (window));
}

/* Inside a scrolled window that scrolls sideways, or one that clips
 * (a list that scrolls up and down still lays its rows out to its width),
 * a widget may lie beyond the window: it is reached by scrolling. */
static gboolean
scrolls_sideways (GtkWidget *widget)
{
  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_SCROLLED_WINDOW (w))
      {
        GtkPolicyType horizontal;

        gtk_scrolled_window_get_policy (GTK_SCROLLED_WINDOW (w), &horizontal, NULL);
        if (horizontal != GTK_POLICY_NEVER)
          return TRUE;
      }
  return FALSE;
}

/* A wrapped label breaks between words, never inside one (Dutch column
 * headers came out as "Terugkoppeli-ng", a row title as "Clie-ntc-…"). */
static void
assert_no_broken_words (GtkLabel   *label,
                        const char *where)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  const char *text = pango_layout_get_text (layout);
  GSList *lines = pango_layout_get_lines_readonly (layout);

  for (GSList *l = lines != NULL ? lines->next : NULL; l != NULL; l = l->next)
    {
      PangoLayoutLine *line = l->data;
      const char *at = text + line->start_index;
      const char *before = g_utf8_find_prev_char (text, at);

      if (before != NULL && *at != '\0' &&
          g_unichar_isalnum (g_utf8_get_char (before)) && g_unichar_isalnum (g_utf8_get_char (at)))
        g_error ("%s: “%s” breaks inside a word", where, text);
    }
}

static void
assert_inside (GtkWidget  *window,
               GtkWidget  *widget,
               const char *where)
{
  graphene_rect_t bounds;

  /* Popovers are windows of their own; an overlay scrollbar's slider
   * may stand a few pixels over the edge as it fades in. */
  if (!gtk_widget_get_mapped (widget) || (GTK_IS_NATIVE (widget) && widget != window) ||
      GTK_IS_SCROLLBAR (widget))
    return;
  if (widget != window && !scrolls_sideways (widget) &&
      gtk_widget_compute_bounds (widget, window, &bounds) &&
      bounds.size.width > 0 && bounds.size.height > 0)
    {
      float right = bounds.origin.x + bounds.size.width;

      if (right > gtk_widget_get_width (window) + 1 || bounds.origin.x < -1)
        {
          for (GtkWidget *w = widget; w != NULL && w != window; w = gtk_widget_get_parent (w))
            g_test_message ("  in %s %s", G_OBJECT_TYPE_NAME (w), gtk_widget_get_css_name (w));
        }
      if (right > gtk_widget_get_width (window) + 1 || bounds.origin.x < -1)
        g_error ("%s: a %s reaches from %.0f to %.0f px in a window %d px wide",
                 where, G_OBJECT_TYPE_NAME (widget), bounds.origin.x, right,
                 gtk_widget_get_width (window));
    }
  if (GTK_IS_LABEL (widget) && gtk_label_get_wrap (GTK_LABEL (widget)))
    assert_no_broken_words (GTK_LABEL (widget), where);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    assert_inside (window, c, where);
}

static void
look_at (VpWindow   *window,
         const char *name,
         const char *variant)
{
  g_autofree char *where = g_strdup_printf ("%s (%s)", name, variant);
  g_autofree char *file = g_strdup_printf ("screen-%s-%s", variant, name);

  wait_for_page (window);
  /* The content, without the window's frame and shadow. */
  {
    GtkWidget *content = vp_ui_child (window, VP_TYPE_WINDOW, "toast_overlay");

    assert_inside (content, content, where);
  }
  vp_ui_save_screenshot (GTK_WIDGET (window), file);
}

static void
test_pages (gconstpointer data)
{
  const char *variant = data; /* "360-light", "1366-dark", … */
  gboolean narrow = g_str_has_prefix (variant, "360");
  gboolean dark = g_str_has_suffix (variant, "dark");
  const char *pages[] = { "register", "clients", "today", "report" };
  const char *team_pages[] = { "win.show-team", "win.show-audit", "win.show-referrals", "win.show-sync" };
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  AdwStyleManager *style = adw_style_manager_get_default ();
  VpWindow *window;
  gint64 client_id;

  vp_test_register (created, "Zeynep K.", 1988, "school", "first", "limited", NULL);
  vp_test_register (created, "Jan B.", 1970, "library", "first", NULL, NULL);
  client_id = vp_test_count (created, "SELECT id FROM client WHERE label = 'Zeynep K.'");
  vp_store_close (created);

  vp_ui_use_language ("nl");
  adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  window = vp_ui_open_window_sized (dir, narrow ? 360 : 1366, narrow ? 720 : 768);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", pages[i]);
      look_at (window, pages[i], variant);
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "clients");
  vp_clients_page_show_client (vp_ui_child (window, VP_TYPE_WINDOW, "clients_page"), client_id);
  look_at (window, "client", variant);
  for (guint i = 0; i < G_N_ELEMENTS (team_pages); i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), team_pages[i], NULL);
      look_at (window, team_pages[i] + strlen ("win.show-"), variant);
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL);
  look_at (window, "unlock", variant);

  gtk_window_destroy (GTK_WINDOW (window));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  vp_ui_use_language (NULL);
  vp_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (!vp_ui_test_init (&argc, &argv))
    return 0;

  g_test_add_data_func ("/screens/360-light", "360-light", test_pages);
  g_test_add_data_func ("/screens/360-dark", "360-dark", test_pages);
  g_test_add_data_func ("/screens/1366-light", "1366-light", test_pages);
  g_test_add_data_func ("/screens/1366-dark", "1366-dark", test_pages);

  return g_test_run ();
}
