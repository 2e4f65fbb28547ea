/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-consent-sheet.h"
#include "vp-consent-texts.h"

/* The consent explanation in large type, to turn the screen towards the
 * client in their own language, and to print and hand over. The version
 * and review state are for the coach, in the app's language; a draft also
 * says so to the client, in the text's language, so that they know to
 * ask when something reads wrong. */
struct _VpConsentSheet
{
  AdwWindow       parent_instance;

  GtkDropDown    *language_dropdown;
  GtkStringList  *language_names;
  GtkLabel       *version_label;
  GtkWidget      *draft_badge;
  GtkLabel       *draft_label;
  GtkLabel       *draft_notice_label;
  GtkLabel       *text_label;

  char           *category;
  guint           retention_months;
  /* Kept apart from the widgets: still there while the sheet is destroyed. */
  const VpConsentTranslation *shown;
};

G_DEFINE_FINAL_TYPE (VpConsentSheet, vp_consent_sheet, ADW_TYPE_WINDOW)

static char *
version_text (const VpConsentTranslation *t)
{
  if (vp_consent_translation_is_reviewed (t))
    /* Translators: a consent text's version, who reviewed it, and the date (YYYY-MM-DD) */
    return g_strdup_printf (_("Text version %s, reviewed by %s on %s"), t->version, t->reviewer, t->reviewed_on);
  /* Translators: a consent text's version, such as 2026-2 */
  return g_strdup_printf (_("Text version %s"), t->version);
}

static void
show_translation (VpConsentSheet             *self,
                  const VpConsentTranslation *t)
{
  GtkTextDirection direction = t->rtl ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR;
  gboolean draft = !vp_consent_translation_is_reviewed (t);
  g_autofree char *version = version_text (t);
  g_autofree char *text = vp_consent_translation_format (t, self->category, self->retention_months);

  self->shown = t;
  gtk_label_set_label (self->version_label, version);
  gtk_widget_set_visible (self->draft_badge, draft);
  gtk_label_set_label (self->draft_label, t->translated_from != NULL ? _("Draft translation, not yet reviewed")
                                                                     : _("Draft text, not yet reviewed"));
  gtk_widget_set_visible (GTK_WIDGET (self->draft_notice_label), draft && t->draft_notice != NULL);
  gtk_label_set_label (self->draft_notice_label, t->draft_notice != NULL ? t->draft_notice : "");
  /* A label's xalign and justification follow its direction. */
  gtk_widget_set_direction (GTK_WIDGET (self->draft_notice_label), direction);
  gtk_widget_set_direction (GTK_WIDGET (self->text_label), direction);
  gtk_label_set_label (self->text_label, text);
}

static void
on_language_selected (VpConsentSheet *self)
{
  guint n;
  const VpConsentTranslation *const *all = vp_consent_translations (&n);
  guint selected = gtk_drop_down_get_selected (self->language_dropdown);

  if (self->category != NULL && selected < n)
    show_translation (self, all[selected]);
}

/* What goes on paper: the notice, the text, and which text it was. */
static char *
printed_text (VpConsentSheet *self)
{
  GString *page = g_string_new (NULL);

  if (gtk_widget_get_visible (GTK_WIDGET (self->draft_notice_label)))
    g_string_append_printf (page, "%s\n\n", gtk_label_get_label (self->draft_notice_label));
  g_string_append (page, gtk_label_get_label (self->text_label));
  if (self->shown != NULL)
    g_string_append_printf (page, "\n\n(%s %s)", self->shown->language, self->shown->version);
  return g_string_free (page, FALSE);
}

static void
draw_page (GtkPrintOperation *operation,
           GtkPrintContext   *context,
           int                page_nr,
           VpConsentSheet    *self)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  g_autoptr(PangoLayout) layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans 16");
  g_autofree char *text = printed_text (self);

  /* Pango takes each paragraph's direction from its text, and aligns a
   * right-to-left paragraph to the right. */
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (gtk_print_context_get_width (context) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, 0, 0);
  pango_cairo_show_layout (cr, layout);
}

static void
print_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  VpConsentSheet *self = VP_CONSENT_SHEET (widget);
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GError) error = NULL;

  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_job_name (operation, _("Consent explanation"));
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page), self);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               GTK_WINDOW (self), &error) == GTK_PRINT_OPERATION_RESULT_ERROR)
    g_warning ("Printing failed: %s", error->message);
}

static void
vp_consent_sheet_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_CONSENT_SHEET);
  G_OBJECT_CLASS (vp_consent_sheet_parent_class)->dispose (object);
}

static void
vp_consent_sheet_finalize (GObject *object)
{
  g_free (VP_CONSENT_SHEET (object)->category);
  G_OBJECT_CLASS (vp_consent_sheet_parent_class)->finalize (object);
}

static void
vp_consent_sheet_class_init (VpConsentSheetClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vp_consent_sheet_dispose;
  G_OBJECT_CLASS (klass)->finalize = vp_consent_sheet_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-consent-sheet.ui");
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, language_dropdown);
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, language_names);
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, version_label);
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, draft_badge);
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, draft_label);
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, draft_notice_label);
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, text_label);
  gtk_widget_class_bind_template_callback (widget_class, on_language_selected);

  gtk_widget_class_install_action (widget_class, "sheet.print", NULL, print_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
vp_consent_sheet_init (VpConsentSheet *self)
{
  guint n;
  const VpConsentTranslation *const *all = vp_consent_translations (&n);

  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (self->language_names, all[i]->name);
}

/* Opens on the source text; retention_months fills in how long the
 * information is kept. */
VpConsentSheet *
vp_consent_sheet_new (GtkWindow  *parent,
                      const char *category,
                      guint       retention_months)
{
  VpConsentSheet *self = g_object_new (VP_TYPE_CONSENT_SHEET, "transient-for", parent, NULL);
  const VpConsentText *text = vp_consent_text_lookup (category);

  g_return_val_if_fail (text != NULL, self);
  self->category = g_strdup (category);
  self->retention_months = retention_months;
  gtk_window_set_title (GTK_WINDOW (self), _(text->title));
  gtk_drop_down_set_selected (self->language_dropdown, 0);
  on_language_selected (self);
  return self;
}

/* An ISO 639-3 code; a language without a text shows the source text. */
void
vp_consent_sheet_set_language (VpConsentSheet *self,
                               const char     *language)
{
  guint n, position = 0;
  const VpConsentTranslation *const *all = vp_consent_translations (&n);

  g_return_if_fail (VP_IS_CONSENT_SHEET (self));

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (all[i]->language, language) == 0)
      position = i;
  gtk_drop_down_set_selected (self->language_dropdown, position);
  on_language_selected (self);
}

/* The language and version on screen: what the client was shown. */
const char *
vp_consent_sheet_get_language (VpConsentSheet *self)
{
  g_return_val_if_fail (VP_IS_CONSENT_SHEET (self), NULL);
  return self->shown != NULL ? self->shown->language : NULL;
}

const char *
vp_consent_sheet_get_version (VpConsentSheet *self)
{
  g_return_val_if_fail (VP_IS_CONSENT_SHEET (self), NULL);
  return self->shown != NULL ? self->shown->version : NULL;
}

const char *
vp_consent_sheet_get_text (VpConsentSheet *self)
{
  g_return_val_if_fail (VP_IS_CONSENT_SHEET (self), NULL);
  return gtk_label_get_label (self->text_label);
}
