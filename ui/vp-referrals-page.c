/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-accounts.h"
#include "vp-audit.h"
#include "vp-categories.h"
#include "vp-clock.h"
#include "vp-dialogs.h"
#include "vp-feedback-chart.h"
#include "vp-referral.h"
#include "vp-referrals-page.h"
#include "vp-review-dialog.h"

/* The team leader's review of referrals: overdue first, counts per status,
 * filters, a note per referral, and a CSV for the team meeting. */
struct _VpReferralsPage
{
  GtkWidget    parent_instance;

  GtkLabel    *counts_label;
  AdwComboRow *category_row;
  AdwComboRow *period_row;
  AdwEntryRow *search_row;
  GtkListBox  *list;

  AdwComboRow *organisation_row;
  VpFeedbackChart *chart;
  AdwComboRow *coach_row;

  VpStore     *store;
  GPtrArray   *shown; /* VpReferral, as listed */
  GStrv        organisations;
  GArray      *coach_ids;
};

G_DEFINE_FINAL_TYPE (VpReferralsPage, vp_referrals_page, GTK_TYPE_WIDGET)

enum {
  OPEN_CLIENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Periods offered: all, the last 3 and 12 months. */
static const int period_months[] = { 0, 3, 12 };

static const char *
status_label (VpReferralStatus status)
{
  return vp_category_label (VP_CATEGORY_FEEDBACK_STATUS, vp_referral_status_code (status));
}

static GtkWidget *
referral_row (const VpReferral *r)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *review = gtk_button_new_with_mnemonic (r->reviewed ? _("_Note…") : _("Re_view…"));
  GtkWidget *open = gtk_button_new_from_icon_name ("go-next-symbolic");
  g_autofree char *title = g_strdup_printf ("%s · %s · %s", r->client_label,
                                            vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, r->category),
                                            r->organisation);
  char expected[16];
  g_autofree char *subtitle = NULL;

  g_date_strftime (expected, sizeof expected, "%Y-%m-%d", &r->expected_by);
  subtitle = g_strdup_printf (_("%s · expected by %s%s%s"), status_label (r->status), expected,
                              r->leader_note != NULL ? " · " : "", r->leader_note != NULL ? r->leader_note : "");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (r->status == VP_REFERRAL_OVERDUE)
    gtk_widget_add_css_class (row, "overdue");

  gtk_actionable_set_action_name (GTK_ACTIONABLE (review), "referrals.review");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (review), "x", r->id);
  gtk_widget_set_valign (review, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), review);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "referrals.open-client");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (open), "x", r->client_id);
  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (open, "flat");
  gtk_widget_set_tooltip_text (open, _("Open the Client"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open the Client"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
  return row;
}

/* Every referral of the last 12 months, whatever the filters say: the
 * chart is the team's picture, the list below is the search. */
static void
refresh_chart (VpReferralsPage *self,
               const GDate     *today)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) counts = vp_store_feedback_counts (self->store, today, &error);

  if (counts != NULL)
    vp_feedback_chart_set_counts (self->chart, counts);
  else
    vp_feedback_chart_set_error (self->chart, error->message);
}

void
vp_referrals_page_refresh (VpReferralsPage *self)
{
  const VpCategoryEntry *categories = vp_category_entries (VP_CATEGORY_REFERRAL_CATEGORY, NULL);
  guint category = adw_combo_row_get_selected (self->category_row);
  guint period = adw_combo_row_get_selected (self->period_row);
  guint counts[4] = { 0 };
  g_autofree char *counts_text = NULL;
  VpReferralFilter filter = { 0 };
  GDate today, from;
  GtkWidget *child;

  g_return_if_fail (VP_IS_REFERRALS_PAGE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->shown, g_ptr_array_unref);
  if (self->store == NULL || !vp_store_is_open (self->store))
    return;

  vp_clock_today (&today);
  filter.category = category > 0 ? categories[category - 1].code : NULL;
  {
    guint organisation = adw_combo_row_get_selected (self->organisation_row);
    guint coach = adw_combo_row_get_selected (self->coach_row);

    if (organisation > 0 && self->organisations != NULL && organisation <= g_strv_length (self->organisations))
      filter.organisation = self->organisations[organisation - 1];
    if (coach > 0 && coach < self->coach_ids->len)
      filter.account_id = g_array_index (self->coach_ids, gint64, coach);
  }
  filter.search = gtk_editable_get_text (GTK_EDITABLE (self->search_row));
  if (period < G_N_ELEMENTS (period_months) && period_months[period] > 0)
    {
      from = today;
      g_date_subtract_months (&from, (guint) period_months[period]);
      filter.from = &from;
    }

  self->shown = vp_store_list_referrals (self->store, &filter, &today, NULL);
  for (guint i = 0; self->shown != NULL && i < self->shown->len; i++)
    {
      VpReferral *r = g_ptr_array_index (self->shown, i);
      counts[r->status]++;
      gtk_list_box_append (self->list, referral_row (r));
    }
  refresh_chart (self, &today);
  counts_text = g_strdup_printf (_("%u overdue · %u awaiting · %u in time · %u late"),
                                 counts[VP_REFERRAL_OVERDUE], counts[VP_REFERRAL_AWAITING],
                                 counts[VP_REFERRAL_IN_TIME], counts[VP_REFERRAL_LATE]);
  gtk_label_set_label (self->counts_label, counts_text);
}

static void
on_filter_changed (VpReferralsPage *self)
{
  vp_referrals_page_refresh (self);
}

static void
open_client_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  g_signal_emit (widget, signals[OPEN_CLIENT], 0, g_variant_get_int64 (param));
}

static void
review_response (VpReviewDialog  *dialog,
                 const char      *response,
                 VpReferralsPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "review"))
    return;
  if (!vp_store_review_referral (self->store, vp_review_dialog_get_referral_id (dialog),
                                 vp_review_dialog_get_note (dialog), &error))
    vp_toast (GTK_WIDGET (self), error->message);
  vp_referrals_page_refresh (self);
}

static const VpReferral *
shown_referral (VpReferralsPage *self,
                gint64           id)
{
  for (guint i = 0; self->shown != NULL && i < self->shown->len; i++)
    {
      const VpReferral *r = g_ptr_array_index (self->shown, i);
      if (r->id == id)
        return r;
    }
  return NULL;
}

static void
review_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpReferralsPage *self = VP_REFERRALS_PAGE (widget);
  const VpReferral *referral = shown_referral (self, g_variant_get_int64 (param));
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (referral == NULL)
    return;
  dialog = vp_review_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, referral);
  g_signal_connect_object (dialog, "response", G_CALLBACK (review_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
csv_field (GString    *out,
           const char *value)
{
  g_autoptr(GString) quoted = g_string_new (value != NULL ? value : "");

  g_string_replace (quoted, "\"", "\"\"", 0);
  g_string_append_printf (out, "\"%s\"", quoted->str);
}

/* Labels and categories only: never phone numbers or notes. */
char *
vp_referrals_page_to_csv (VpReferralsPage *self)
{
  GString *out = g_string_new ("client,category,organisation,referred_on,expected_by,status,outcome,reviewed\n");

  g_return_val_if_fail (VP_IS_REFERRALS_PAGE (self), NULL);

  for (guint i = 0; self->shown != NULL && i < self->shown->len; i++)
    {
      VpReferral *r = g_ptr_array_index (self->shown, i);
      char on[16], by[16];

      g_date_strftime (on, sizeof on, "%Y-%m-%d", &r->referred_on);
      g_date_strftime (by, sizeof by, "%Y-%m-%d", &r->expected_by);
      csv_field (out, r->client_label);
      g_string_append_printf (out, ",%s,", r->category);
      csv_field (out, r->organisation);
      g_string_append_printf (out, ",%s,%s,%s,%s,%s\n", on, by, vp_referral_status_code (r->status),
                              r->outcome != NULL ? r->outcome : "", r->reviewed ? "yes" : "no");
    }
  return g_string_free (out, FALSE);
}

static void
export_file_chosen (GtkNativeDialog *chooser,
                    int              response,
                    VpReferralsPage *self)
{
  g_autofree char *path = vp_chooser_take_path (chooser, response);
  g_autofree char *csv = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;

  csv = vp_referrals_page_to_csv (self);
  if (!vp_write_private_file (path, csv, &error) ||
      !vp_audit_append (self->store, "export", "referral", 0, "ok", &error))
    vp_toast (GTK_WIDGET (self), error->message);
  else
    vp_toast (GTK_WIDGET (self), _("Referrals exported"));
}

static void
export_response (AdwMessageDialog *dialog,
                 const char       *response,
                 VpReferralsPage  *self)
{
  GtkFileChooserNative *chooser;

  if (!g_str_equal (response, "export"))
    return;
  chooser = vp_save_chooser_new (GTK_WIDGET (self), _("Export Referrals"), _("_Export"), "referrals.csv");
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_file_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  AdwMessageDialog *dialog =
    vp_dialog_new (widget, _("Export Unencrypted?"),
                   _("The file lists the referrals shown, with client labels and categories (no phone numbers or notes). It is not encrypted: delete it after the meeting."),
                   "export", _("_Export…"), ADW_RESPONSE_DESTRUCTIVE);

  g_signal_connect_object (dialog, "response", G_CALLBACK (export_response), widget, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
vp_referrals_page_dispose (GObject *object)
{
  VpReferralsPage *self = VP_REFERRALS_PAGE (object);
  GtkWidget *child;

  g_clear_object (&self->store);
  g_clear_pointer (&self->shown, g_ptr_array_unref);
  g_clear_pointer (&self->organisations, g_strfreev);
  g_clear_pointer (&self->coach_ids, g_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_REFERRALS_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vp_referrals_page_parent_class)->dispose (object);
}

static void
vp_referrals_page_class_init (VpReferralsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_referrals_page_dispose;

  signals[OPEN_CLIENT] = g_signal_new ("open-client", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (VP_TYPE_FEEDBACK_CHART);
  g_type_ensure (VP_TYPE_REVIEW_DIALOG);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-referrals-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpReferralsPage, counts_label);
  gtk_widget_class_bind_template_child (widget_class, VpReferralsPage, category_row);
  gtk_widget_class_bind_template_child (widget_class, VpReferralsPage, period_row);
  gtk_widget_class_bind_template_child (widget_class, VpReferralsPage, search_row);
  gtk_widget_class_bind_template_child (widget_class, VpReferralsPage, organisation_row);
  gtk_widget_class_bind_template_child (widget_class, VpReferralsPage, coach_row);
  gtk_widget_class_bind_template_child (widget_class, VpReferralsPage, chart);
  gtk_widget_class_bind_template_child (widget_class, VpReferralsPage, list);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);

  gtk_widget_class_install_action (widget_class, "referrals.review", "x", review_activated);
  gtk_widget_class_install_action (widget_class, "referrals.open-client", "x", open_client_activated);
  gtk_widget_class_install_action (widget_class, "referrals.export", NULL, export_activated);
}

static void
vp_referrals_page_init (VpReferralsPage *self)
{
  g_autoptr(GtkStringList) categories = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) periods = gtk_string_list_new (NULL);
  const VpCategoryEntry *entries;
  guint n = 0;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->coach_ids = g_array_new (FALSE, TRUE, sizeof (gint64));

  gtk_string_list_append (categories, _("Every category"));
  entries = vp_category_entries (VP_CATEGORY_REFERRAL_CATEGORY, &n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (categories, vp_category_label (VP_CATEGORY_REFERRAL_CATEGORY, entries[i].code));
  adw_combo_row_set_model (self->category_row, G_LIST_MODEL (categories));

  gtk_string_list_append (periods, _("Any time"));
  gtk_string_list_append (periods, _("In the last 3 months"));
  gtk_string_list_append (periods, _("In the last 12 months"));
  adw_combo_row_set_model (self->period_row, G_LIST_MODEL (periods));
}

/* The organisations and coaches to filter on, from the store. */
static void
fill_filters (VpReferralsPage *self)
{
  g_autoptr(GtkStringList) organisations = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) coaches = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) accounts = NULL;
  gint64 none = 0;

  g_clear_pointer (&self->organisations, g_strfreev);
  g_array_set_size (self->coach_ids, 0);
  gtk_string_list_append (organisations, _("Every organisation"));
  gtk_string_list_append (coaches, _("Everyone"));
  g_array_append_val (self->coach_ids, none);
  if (self->store != NULL && vp_store_is_open (self->store))
    {
      self->organisations = vp_store_list_organisations (self->store, NULL);
      for (guint i = 0; self->organisations[i] != NULL; i++)
        gtk_string_list_append (organisations, self->organisations[i]);
      accounts = vp_store_list_colleagues (self->store, NULL);
      for (guint i = 0; accounts != NULL && i < accounts->len; i++)
        {
          VpAccount *account = g_ptr_array_index (accounts, i);
          gtk_string_list_append (coaches, account->name);
          g_array_append_val (self->coach_ids, account->id);
        }
    }
  adw_combo_row_set_model (self->organisation_row, G_LIST_MODEL (organisations));
  adw_combo_row_set_model (self->coach_row, G_LIST_MODEL (coaches));
}

void
vp_referrals_page_set_store (VpReferralsPage *self,
                             VpStore         *store)
{
  g_return_if_fail (VP_IS_REFERRALS_PAGE (self));

  g_set_object (&self->store, store);
  fill_filters (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_row), "");
  vp_referrals_page_refresh (self);
}

guint
vp_referrals_page_get_n_shown (VpReferralsPage *self)
{
  g_return_val_if_fail (VP_IS_REFERRALS_PAGE (self), 0);
  return self->shown != NULL ? self->shown->len : 0;
}
