/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-consent-sheet.h"
#include "vp-consent-texts.h"

/* The consent explanation in large type, to turn the screen towards the
 * client, in Dutch or English, and to print and hand over. */
struct _VpConsentSheet
{
  AdwWindow        parent_instance;

  GtkToggleButton *dutch_button;
  GtkToggleButton *english_button;
  GtkLabel        *text_label;

  const VpConsentText *text;
};

G_DEFINE_FINAL_TYPE (VpConsentSheet, vp_consent_sheet, ADW_TYPE_WINDOW)

static void
on_language_toggled (VpConsentSheet *self)
{
  gboolean dutch = gtk_toggle_button_get_active (self->dutch_button);

  if (self->text != NULL)
    gtk_label_set_label (self->text_label, dutch ? self->text->text_nl : self->text->text_en);
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

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (gtk_print_context_get_width (context) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
  pango_layout_set_text (layout, gtk_label_get_label (self->text_label), -1);
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
vp_consent_sheet_class_init (VpConsentSheetClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vp_consent_sheet_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-consent-sheet.ui");
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, dutch_button);
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, english_button);
  gtk_widget_class_bind_template_child (widget_class, VpConsentSheet, text_label);
  gtk_widget_class_bind_template_callback (widget_class, on_language_toggled);

  gtk_widget_class_install_action (widget_class, "sheet.print", NULL, print_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
vp_consent_sheet_init (VpConsentSheet *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

VpConsentSheet *
vp_consent_sheet_new (GtkWindow  *parent,
                      const char *category)
{
  VpConsentSheet *self = g_object_new (VP_TYPE_CONSENT_SHEET, "transient-for", parent, NULL);

  self->text = vp_consent_text_lookup (category);
  if (self->text != NULL)
    gtk_window_set_title (GTK_WINDOW (self), _(self->text->title));
  on_language_toggled (self);
  return self;
}

/* "eng" shows English; anything else the Dutch text. */
void
vp_consent_sheet_set_language (VpConsentSheet *self,
                               const char     *language)
{
  g_return_if_fail (VP_IS_CONSENT_SHEET (self));

  gtk_toggle_button_set_active (g_strcmp0 (language, "eng") == 0 ? self->english_button : self->dutch_button,
                                TRUE);
  on_language_toggled (self);
}

const char *
vp_consent_sheet_get_text (VpConsentSheet *self)
{
  g_return_val_if_fail (VP_IS_CONSENT_SHEET (self), NULL);
  return gtk_label_get_label (self->text_label);
}
