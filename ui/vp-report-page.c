/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "vp-outbox.h"
#include "vp-report.h"
#include "vp-report-json.h"
#include "vp-report-page.h"
#include "vp-sync.h"

#define N_MONTHS 13

/* Shows one month's report exactly as it leaves: the queued or delivered
 * bytes when this revision already exists, otherwise the bytes that "Send
 * Now" will queue. */
struct _VpReportPage
{
  AdwBin        parent_instance;

  AdwComboRow  *month_row;
  AdwActionRow *status_row;
  GtkSpinner   *spinner;
  GtkLabel     *json_label;

  VpStore      *store;
  GPtrArray    *periods;  /* YYYY-MM, newest first */
  VpReport     *report;   /* the unqueued revision on display, if any */
  char         *json;
  gboolean      sending;
};

G_DEFINE_FINAL_TYPE (VpReportPage, vp_report_page, ADW_TYPE_BIN)

enum {
  SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
selected_period (VpReportPage *self)
{
  guint i = adw_combo_row_get_selected (self->month_row);
  return i < self->periods->len ? g_ptr_array_index (self->periods, i) : NULL;
}

static void
fill_months (VpReportPage *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) month = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now), 1, 0, 0, 0);

  for (guint i = 0; i < N_MONTHS; i++)
    {
      g_autoptr(GDateTime) m = g_date_time_add_months (month, -(int) i);
      g_autofree char *label = g_date_time_format (m, "%B %Y");

      g_ptr_array_add (self->periods, g_date_time_format (m, "%Y-%m"));
      gtk_string_list_append (labels, label);
    }
  adw_combo_row_set_model (self->month_row, G_LIST_MODEL (labels));
}

static char *
describe_item (const VpOutboxItem *item)
{
  if (g_str_equal (item->state, "delivered"))
    return g_strdup_printf (_("Delivered (revision %u)"), item->revision);
  if (g_str_equal (item->state, "needs_attention"))
    return g_strdup_printf (_("Needs attention (revision %u): %s"), item->revision,
                            item->last_error != NULL ? item->last_error : "");
  if (g_str_equal (item->state, "retry"))
    return g_strdup_printf (_("Waiting to retry (revision %u): %s"), item->revision,
                            item->last_error != NULL ? item->last_error : "");
  if (g_str_equal (item->state, "sending"))
    return g_strdup_printf (_("Sending (revision %u)"), item->revision);
  return g_strdup_printf (_("Queued (revision %u)"), item->revision);
}

static char *
describe_not_due (const char *period,
                  guint       grace_days)
{
  g_autoptr(GDateTime) start = g_date_time_new_local (atoi (period), atoi (period + 5), 1, 0, 0, 0);
  g_autoptr(GDateTime) next = g_date_time_add_months (start, 1);
  g_autoptr(GDateTime) due = g_date_time_add_days (next, (gint) grace_days);
  g_autofree char *date = g_date_time_format (due, "%e %B %Y");

  return g_strdup_printf (_("Can be sent from %s, once the month has closed"), g_strstrip (date));
}

static void
show_json (VpReportPage *self,
           const char   *json)
{
  g_free (self->json);
  self->json = g_strdup (json);
  gtk_label_set_label (self->json_label, json != NULL ? json : "");
}

static void
update_actions (VpReportPage *self,
                gboolean      can_send)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "report.send", can_send && !self->sending);
  gtk_spinner_set_spinning (self->spinner, self->sending);
}

void
vp_report_page_refresh (VpReportPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *status = NULL;
  const char *period = selected_period (self);
  VpOutboxItem *latest = NULL;
  gboolean due;

  g_return_if_fail (VP_IS_REPORT_PAGE (self));

  g_clear_pointer (&self->report, vp_report_free);
  if (self->store == NULL || !vp_store_is_open (self->store) || period == NULL)
    {
      show_json (self, NULL);
      update_actions (self, FALSE);
      return;
    }

  self->report = vp_report_build (self->store, period, vp_sync_get_k (self->store), now, &error);
  items = vp_outbox_list (self->store, period, error == NULL ? &error : NULL);
  if (self->report == NULL || items == NULL)
    {
      adw_action_row_set_subtitle (self->status_row, error->message);
      show_json (self, NULL);
      update_actions (self, FALSE);
      return;
    }

  latest = items->len > 0 ? g_ptr_array_index (items, 0) : NULL;
  sha = vp_outbox_published_sha256 (self->report);
  due = vp_sync_is_period_due (period, now, vp_sync_get_grace_days (self->store));

  if (latest != NULL && g_strcmp0 (latest->published_sha256, sha) == 0)
    {
      /* Already queued: show the stored bytes, not a rebuild. */
      g_clear_pointer (&self->report, vp_report_free);
      show_json (self, latest->body);
      status = describe_item (latest);
    }
  else
    {
      g_autofree char *json = NULL;

      self->report->revision = latest != NULL ? latest->revision + 1 : 1;
      json = vp_report_to_json (self->report);
      show_json (self, json);
      status = due ? g_strdup (_("Not sent yet"))
                   : describe_not_due (period, vp_sync_get_grace_days (self->store));
    }

  adw_action_row_set_subtitle (self->status_row, status);
  update_actions (self, due && (self->report != NULL ||
                                (latest != NULL && !g_str_equal (latest->state, "delivered"))));
}

static void
send_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VpReportPage) self = user_data;
  g_autoptr(GError) error = NULL;
  guint delivered = 0;

  self->sending = FALSE;
  vp_sync_send_due_finish (VP_STORE (object), result, &delivered, &error);
  vp_report_page_refresh (self);
  g_signal_emit (self, signals[SENT], 0, delivered, error != NULL ? error->message : NULL);
}

static void
send_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VpReportPage *self = VP_REPORT_PAGE (widget);
  g_autoptr(GError) error = NULL;
  gboolean queued = FALSE;

  if (self->store == NULL || self->sending)
    return;

  /* Queue exactly the revision on display, then send everything due. */
  if (self->report != NULL && !vp_outbox_enqueue (self->store, self->report, &queued, &error))
    {
      adw_action_row_set_subtitle (self->status_row, error->message);
      return;
    }
  g_clear_pointer (&self->report, vp_report_free);

  /* Whatever was waiting for a retry goes out now, on demand. */
  vp_store_exec (self->store, "UPDATE outbox SET next_attempt_at = 0 WHERE state = 'retry'", NULL);
  self->sending = TRUE;
  update_actions (self, FALSE);
  vp_sync_send_due_async (self->store, NULL, send_done, g_object_ref (self));
}

static void
on_month_selected (VpReportPage *self)
{
  vp_report_page_refresh (self);
}

static void
vp_report_page_dispose (GObject *object)
{
  VpReportPage *self = VP_REPORT_PAGE (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->report, vp_report_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_REPORT_PAGE);
  G_OBJECT_CLASS (vp_report_page_parent_class)->dispose (object);
}

static void
vp_report_page_finalize (GObject *object)
{
  VpReportPage *self = VP_REPORT_PAGE (object);

  g_ptr_array_unref (self->periods);
  g_free (self->json);
  G_OBJECT_CLASS (vp_report_page_parent_class)->finalize (object);
}

static void
vp_report_page_class_init (VpReportPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_report_page_dispose;
  object_class->finalize = vp_report_page_finalize;

  /* (delivered count, error message or NULL) */
  signals[SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-report-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, month_row);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, json_label);
  gtk_widget_class_bind_template_callback (widget_class, on_month_selected);

  gtk_widget_class_install_action (widget_class, "report.send", NULL, send_activated);
}

static void
vp_report_page_init (VpReportPage *self)
{
  self->periods = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Wrapped JSON must show the exact bytes: no hyphens at line breaks. */
  {
    g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
    pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
    gtk_label_set_attributes (self->json_label, attrs);
  }
  fill_months (self);
  /* The month that closed last is the one a team leader looks at. */
  adw_combo_row_set_selected (self->month_row, 1);
}

void
vp_report_page_set_store (VpReportPage *self,
                          VpStore      *store)
{
  g_return_if_fail (VP_IS_REPORT_PAGE (self));

  g_set_object (&self->store, store);
  vp_report_page_refresh (self);
}

void
vp_report_page_set_period (VpReportPage *self,
                           const char   *period)
{
  g_return_if_fail (VP_IS_REPORT_PAGE (self));

  for (guint i = 0; i < self->periods->len; i++)
    if (g_str_equal (g_ptr_array_index (self->periods, i), period))
      adw_combo_row_set_selected (self->month_row, i);
}

const char *
vp_report_page_get_json (VpReportPage *self)
{
  g_return_val_if_fail (VP_IS_REPORT_PAGE (self), NULL);
  return self->json;
}
