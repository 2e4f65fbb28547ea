/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The consent explanation in the client's language (#15): one text per
 * language with its version and review state, right to left where the
 * script is, fonts that draw every script, and a consent record that holds
 * the language and version the client was shown. */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "vp-client-page.h"
#include "vp-clients-page.h"
#include "vp-consent.h"
#include "vp-consent-sheet.h"
#include "vp-consent-texts.h"
#include "vp-test-util.h"
#include "vp-ui.h"
#include "vp-ui-test-util.h"
#include "vp-window.h"

/* The source text, English, then the first languages of the app's list. */
static const struct {
  const char   *code;
  GUnicodeScript script;
  gboolean      rtl;
} expected[] = {
  { "nld", G_UNICODE_SCRIPT_LATIN, FALSE },
  { "eng", G_UNICODE_SCRIPT_LATIN, FALSE },
  { "ara", G_UNICODE_SCRIPT_ARABIC, TRUE },
  { "tur", G_UNICODE_SCRIPT_LATIN, FALSE },
  { "tir", G_UNICODE_SCRIPT_ETHIOPIC, FALSE },
  { "pol", G_UNICODE_SCRIPT_LATIN, FALSE },
  { "ukr", G_UNICODE_SCRIPT_CYRILLIC, FALSE },
  { "som", G_UNICODE_SCRIPT_LATIN, FALSE },
  { "pes", G_UNICODE_SCRIPT_ARABIC, TRUE },
};

/* The script of the first letter. */
static GUnicodeScript
script_of (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)))
      return g_unichar_get_script (g_utf8_get_char (p));
  return G_UNICODE_SCRIPT_INVALID_CODE;
}

static void
test_texts (void)
{
  guint n, n_categories;
  const VpConsentTranslation *const *all = vp_consent_translations (&n);
  const VpConsentText *categories = vp_consent_texts (&n_categories);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n; i++)
    {
      const VpConsentTranslation *t = all[i];

      g_assert_cmpstr (t->language, ==, expected[i].code);
      g_assert_true (vp_consent_translation_lookup (expected[i].code) == t);
      g_assert_cmpint (t->rtl, ==, expected[i].rtl);
      g_assert_nonnull (t->version);
      g_assert_cmpstr (vp_consent_text_version (t->language), ==, t->version);
      g_assert_cmpuint (script_of (t->name), ==, expected[i].script);
      /* No text has a reviewer yet: each is shown as a draft, and each
       * translation tells the client so in its own language. */
      g_assert_false (vp_consent_translation_is_reviewed (t));
      if (t->translated_from != NULL)
        g_assert_cmpuint (script_of (t->draft_notice), ==, expected[i].script);
      else
        g_assert_cmpstr (t->language, ==, "nld");

      for (guint c = 0; c < n_categories; c++)
        {
          g_autofree char *text = vp_consent_translation_format (t, categories[c].category, 17);

          g_assert_cmpuint (script_of (text), ==, expected[i].script);
          g_assert_nonnull (strstr (text, "17"));
          g_assert_null (strstr (text, "{months}"));
          /* Its own text, not another language's. */
          g_assert_false (g_hash_table_contains (seen, text));
          g_hash_table_add (seen, g_steal_pointer (&text));
        }
    }
  /* A language without a text of its own records the source's version. */
  g_assert_cmpstr (vp_consent_text_version ("rif"), ==, vp_consent_translation_lookup ("nld")->version);
}

#define VALID_TEXT \
  "[Text]\nlanguage=L {months}\ninterpreter=I\nreferral=R\ncommon=C\n"

static VpConsentTranslation *
parse (const char  *data,
       GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, strlen (data));
  return vp_consent_translation_parse (bytes, error);
}

/* A reviewer is recorded with a date, or the text stays a draft; a file
 * that breaks the rules is refused with the reason. */
static void
test_text_file_rules (void)
{
  static const char *const refused[] = {
    "[Consent]\nLanguage=ara\nName=A\nVersion=1\nDirection=rtl\nTranslatedFrom=nld\nDraftNotice=D\n"
    "Reviewer=R. Reviewer\nReviewedOn=\n" VALID_TEXT,
    "[Consent]\nLanguage=ara\nName=A\nVersion=1\nDirection=rtl\nTranslatedFrom=nld\nDraftNotice=D\n"
    "Reviewer=\nReviewedOn=2026-12-01\n" VALID_TEXT,
    "[Consent]\nLanguage=ara\nName=A\nVersion=1\nDirection=rtl\nTranslatedFrom=nld\nDraftNotice=D\n"
    "Reviewer=R. Reviewer\nReviewedOn=2026-02-30\n" VALID_TEXT,
    "[Consent]\nLanguage=ara\nName=A\nVersion=1\nDirection=up\nTranslatedFrom=nld\nDraftNotice=D\n" VALID_TEXT,
    "[Consent]\nLanguage=ara\nName=A\nVersion=1\nDirection=rtl\nTranslatedFrom=nld\n" VALID_TEXT,
    "[Consent]\nLanguage=xx\nName=A\nVersion=1\nDirection=ltr\n" VALID_TEXT,
    "[Consent]\nLanguage=ara\nName=A\nDirection=rtl\nTranslatedFrom=nld\nDraftNotice=D\n" VALID_TEXT,
    "[Consent]\nLanguage=ara\nName=A\nVersion=1\nDirection=rtl\nTranslatedFrom=nld\nDraftNotice=D\n"
    "[Text]\nlanguage=L\ninterpreter=I\ncommon=C\n",
  };
  g_autoptr(VpConsentTranslation) draft = NULL;
  g_autoptr(VpConsentTranslation) reviewed = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) refusal = NULL;
      g_autoptr(VpConsentTranslation) t = parse (refused[i], &refusal);

      g_assert_null (t);
      g_assert_error (refusal, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
    }

  draft = parse ("[Consent]\nLanguage=ara\nName=A\nVersion=1\nDirection=rtl\nTranslatedFrom=nld\n"
                 "DraftNotice=D\nReviewer=\nReviewedOn=\n" VALID_TEXT, &error);
  g_assert_no_error (error);
  g_assert_false (vp_consent_translation_is_reviewed (draft));
  g_assert_true (draft->rtl);
  text = vp_consent_translation_format (draft, "language", 24);
  g_assert_cmpstr (text, ==, "L 24\n\nC");

  reviewed = parse ("[Consent]\nLanguage=ara\nName=A\nVersion=1\nDirection=rtl\nTranslatedFrom=nld\n"
                    "DraftNotice=D\nReviewer=R. Reviewer\nReviewedOn=2026-12-01\n" VALID_TEXT, &error);
  g_assert_no_error (error);
  g_assert_true (vp_consent_translation_is_reviewed (reviewed));
}

/* The first paragraph's lines sit against the start edge of the text's
 * direction: the left for LTR, the right for RTL. */
static void
assert_aligned (GtkLabel *label,
                gboolean  rtl)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  g_autoptr(PangoLayoutIter) iter = pango_layout_get_iter (layout);
  int width = pango_layout_get_width (layout);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (pango_layout_get_line_count (layout), >, 2);
  do
    {
      PangoRectangle logical;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      if (logical.width == 0)
        break; /* the empty line between the paragraphs */
      if (rtl)
        g_assert_cmpint (ABS (logical.x + logical.width - width), <, PANGO_SCALE);
      else
        g_assert_cmpint (logical.x, ==, 0);
    }
  while (pango_layout_iter_next_line (iter));
}

/* A font is found for every character, so nothing shows as boxes. */
static void
assert_drawable (GtkWidget  *widget,
                 const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);

  g_assert_cmpint (pango_layout_get_unknown_glyphs_count (layout), ==, 0);
}

static gboolean
sheet_drawn (gpointer sheet)
{
  return gtk_widget_get_mapped (sheet) && gtk_widget_get_width (sheet) > 0;
}

/* Each language, chosen in the sheet's own list: its text, its version, the
 * draft badge, its direction, and fonts for its script. */
static void
test_sheet_languages (void)
{
  guint n;
  const VpConsentTranslation *const *all = vp_consent_translations (&n);
  VpConsentSheet *sheet = vp_consent_sheet_new (NULL, "language", 24);
  GtkDropDown *dropdown = vp_ui_child (sheet, VP_TYPE_CONSENT_SHEET, "language_dropdown");
  GtkLabel *text_label = vp_ui_child (sheet, VP_TYPE_CONSENT_SHEET, "text_label");
  GtkLabel *notice_label = vp_ui_child (sheet, VP_TYPE_CONSENT_SHEET, "draft_notice_label");
  GtkLabel *draft_label = vp_ui_child (sheet, VP_TYPE_CONSENT_SHEET, "draft_label");
  GtkWidget *badge = vp_ui_child (sheet, VP_TYPE_CONSENT_SHEET, "draft_badge");
  GListModel *names = gtk_drop_down_get_model (dropdown);

  gtk_window_set_default_size (GTK_WINDOW (sheet), 720, 560);
  gtk_window_present (GTK_WINDOW (sheet));
  vp_ui_wait_until (sheet_drawn, sheet);
  g_assert_cmpstr (vp_consent_sheet_get_language (sheet), ==, "nld");
  g_assert_cmpuint (g_list_model_get_n_items (names), ==, n);

  for (guint i = 0; i < n; i++)
    {
      const VpConsentTranslation *t = all[i];
      g_autofree char *text = vp_consent_translation_format (t, "language", 24);
      GtkTextDirection direction = t->rtl ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR;
      int unknown;

      gtk_drop_down_set_selected (dropdown, i);
      vp_ui_settle ();
      g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (names), i), ==, t->name);
      g_assert_cmpstr (vp_consent_sheet_get_language (sheet), ==, t->language);
      g_assert_cmpstr (vp_consent_sheet_get_version (sheet), ==, t->version);
      g_assert_cmpstr (vp_consent_sheet_get_text (sheet), ==, text);
      g_assert_nonnull (strstr (gtk_label_get_label (vp_ui_child (sheet, VP_TYPE_CONSENT_SHEET, "version_label")),
                                t->version));

      g_assert_true (gtk_widget_get_visible (badge));
      g_assert_cmpstr (gtk_label_get_label (draft_label), ==,
                       t->translated_from != NULL ? "Draft translation, not yet reviewed"
                                                  : "Draft text, not yet reviewed");
      g_assert_cmpint (gtk_widget_get_visible (GTK_WIDGET (notice_label)), ==, t->draft_notice != NULL);
      if (t->draft_notice != NULL)
        g_assert_cmpstr (gtk_label_get_label (notice_label), ==, t->draft_notice);

      g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (text_label)), ==, direction);
      g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (notice_label)), ==, direction);
      assert_aligned (text_label, t->rtl);

      unknown = pango_layout_get_unknown_glyphs_count (gtk_label_get_layout (text_label));
      if (unknown != 0)
        g_test_message ("%s: %d characters without a font", t->language, unknown);
      g_assert_cmpint (unknown, ==, 0);
      assert_drawable (GTK_WIDGET (notice_label), gtk_label_get_label (notice_label));
      assert_drawable (GTK_WIDGET (dropdown), t->name);

      if (g_str_equal (t->language, "tir") || g_str_equal (t->language, "ara") || g_str_equal (t->language, "pes"))
        {
          g_autofree char *shot = g_strdup_printf ("test-ui-consent-%s", t->language);
          vp_ui_save_screenshot (GTK_WIDGET (sheet), shot);
        }
    }

  /* The programmatic choice lands on the same list entry. */
  vp_consent_sheet_set_language (sheet, "pes");
  g_assert_cmpstr (vp_consent_sheet_get_language (sheet), ==, "pes");
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, n - 1);
  gtk_window_destroy (GTK_WINDOW (sheet));
  vp_ui_settle ();
}

/* Finding the controls a user would use. */

typedef gboolean (*WidgetTest) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find_widget (GtkWidget     *root,
             WidgetTest     test,
             gconstpointer  data)
{
  if (test (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, test, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_give_button (GtkWidget     *widget,
                gconstpointer  category)
{
  GVariant *target;

  if (!GTK_IS_BUTTON (widget) ||
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "client.give-consent") != 0)
    return FALSE;
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));
  return target != NULL && g_str_equal (g_variant_get_string (target, NULL), category);
}

static gboolean
is_labelled_button (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
is_titled_combo (GtkWidget     *widget,
                 gconstpointer  title)
{
  return ADW_IS_COMBO_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

/* Clicked as by a user, so that the button's own wiring is what runs. */
static void
click (GtkWidget     *root,
       WidgetTest     test,
       gconstpointer  data)
{
  GtkWidget *button = find_widget (root, test, data);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  vp_ui_settle ();
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i - 1);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
consent_dialog_open (gpointer data)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static AdwComboRow *
explained_in (GtkWindow *dialog)
{
  GtkWidget *row = find_widget (GTK_WIDGET (dialog), is_titled_combo, "_Explained in");

  g_assert_nonnull (row);
  return ADW_COMBO_ROW (row);
}

static guint
position_of (AdwComboRow *row,
             const char  *name)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), name))
      return i;
  g_assert_not_reached ();
}

static const VpConsent *
standing_consent (GPtrArray  *consents,
                  const char *category)
{
  for (guint i = 0; i < consents->len; i++)
    {
      const VpConsent *c = g_ptr_array_index (consents, i);
      if (g_str_equal (c->category, category) && c->withdrawn_at == NULL)
        return c;
    }
  g_assert_not_reached ();
}

/* Give consent for category: explained in the named language, shown to
 * the client (who may choose another language in the sheet), and given
 * after the sheet is closed. Returns the language the dialog came back
 * with. */
static char *
give_after_showing (VpClientPage *page,
                    const char   *category,
                    const char   *explained,
                    const char   *chosen_in_sheet)
{
  GtkWindow *dialog;
  VpConsentSheet *sheet;
  AdwComboRow *row;
  GListModel *model;
  char *back;

  click (GTK_WIDGET (page), is_give_button, category);
  vp_ui_wait_until (consent_dialog_open, NULL);
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  row = explained_in (dialog);
  adw_combo_row_set_selected (row, position_of (row, explained));
  vp_ui_save_screenshot (GTK_WIDGET (dialog), "test-ui-consent-dialog");
  click (GTK_WIDGET (dialog), is_labelled_button, "_Show to the Client");

  sheet = VP_CONSENT_SHEET (find_toplevel (VP_TYPE_CONSENT_SHEET));
  g_assert_nonnull (sheet);
  if (chosen_in_sheet != NULL)
    vp_consent_sheet_set_language (sheet, chosen_in_sheet);
  gtk_window_close (GTK_WINDOW (sheet));
  vp_ui_wait_until (consent_dialog_open, NULL);

  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  row = explained_in (dialog);
  model = adw_combo_row_get_model (row);
  back = g_strdup (gtk_string_list_get_string (GTK_STRING_LIST (model), adw_combo_row_get_selected (row)));
  click (GTK_WIDGET (dialog), is_labelled_button, "Consent _Given");
  return back;
}

/* "Explained in" keeps the coach's choice after the client has been shown
 * the text, and the consent record holds the language and version shown. */
static void
test_explained_in_kept (void)
{
  g_autofree char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) created = vp_test_create_store (dir);
  g_autoptr(GPtrArray) consents = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const VpConsent *given;
  VpWindow *window;
  VpClientsPage *clients;
  VpClientPage *page;
  VpStore *store;
  gint64 client;

  vp_test_register (created, "Amal", 1990, "school", "first", NULL, NULL);
  client = vp_test_count (created, "SELECT id FROM client WHERE label = 'Amal'");
  vp_store_close (created);

  window = vp_ui_open_window (dir);
  store = vp_window_get_store (window);
  clients = vp_ui_child (window, VP_TYPE_WINDOW, "clients_page");
  page = vp_ui_child (clients, VP_TYPE_CLIENTS_PAGE, "client_page");
  adw_view_stack_set_visible_child_name (vp_ui_child (window, VP_TYPE_WINDOW, "view_stack"), "clients");
  vp_clients_page_show_client (clients, client);
  vp_ui_settle ();

  /* Arabic, shown, and back: still Arabic. */
  first = give_after_showing (page, "interpreter", "Arabic", NULL);
  g_assert_cmpstr (first, ==, "Arabic");
  /* Turkish, but the client read it in Persian: the dialog and the record
   * say Persian, the language on screen last. */
  second = give_after_showing (page, "referral", "Turkish", "pes");
  g_assert_cmpstr (second, ==, "Persian (Farsi)");

  consents = vp_store_list_consents (store, client, NULL);
  g_assert_nonnull (consents);
  given = standing_consent (consents, "interpreter");
  g_assert_cmpstr (given->explanation_language, ==, "ara");
  g_assert_cmpstr (given->text_version, ==, vp_consent_translation_lookup ("ara")->version);
  given = standing_consent (consents, "referral");
  g_assert_cmpstr (given->explanation_language, ==, "pes");
  g_assert_cmpstr (given->text_version, ==, vp_consent_translation_lookup ("pes")->version);

  gtk_window_destroy (GTK_WINDOW (window));
  vp_ui_settle ();
  vp_test_remove_dir (dir);
}

static gboolean
has_env (const char *name)
{
  const char *value = g_getenv (name);
  return value != NULL && *value != '\0';
}

int
main (int   argc,
      char *argv[])
{
  /* As test-ui: build-aux/test always provides a display. */
  if (!has_env ("DISPLAY") && !has_env ("WAYLAND_DISPLAY"))
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  vp_test_init_data ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  vp_ui_init ();
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
    gtk_css_provider_load_from_resource (css, "/io/github/vindplaats/Vindplaats/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add_func ("/ui/consent/texts", test_texts);
  g_test_add_func ("/ui/consent/text-file-rules", test_text_file_rules);
  g_test_add_func ("/ui/consent/sheet-languages", test_sheet_languages);
  g_test_add_func ("/ui/consent/explained-in-kept", test_explained_in_kept);

  return g_test_run ();
}
