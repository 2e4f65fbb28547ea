/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "vp-client-cert-row.h"
#include "vp-outbox.h"
#include "vp-report.h"
#include "vp-report-month.h"
#include "vp-report-page.h"
#include "vp-report-page-private.h"
#include "vp-report-table-view.h"
#include "vp-sync.h"

#define N_MONTHS 13

/* The team leader's view of one month's report: its delivery state, every
 * revision, and each revision as readable tables and as the exact JSON
 * that leaves. The month is built by VpReportMonth (in a worker thread, on
 * a clone of the store), only while the page is on screen. */
struct _VpReportPage
{
  GtkWidget            parent_instance;

  GtkScrolledWindow   *scroller;
  AdwComboRow         *month_row;
  AdwPreferencesGroup *label_group;
  AdwEntryRow         *label_row;
  GtkLabel            *label_error;
  VpClientCertRow     *cert_row;
  AdwActionRow        *status_row;
  GtkImage            *status_icon;
  GtkSpinner          *spinner;
  GtkButton           *send_button;
  GtkStack            *content_stack;
  GtkLabel            *error_label;
  GtkListBox          *revisions_list;
  AdwPreferencesGroup *shown_group;
  GtkLabel            *legend_label;
  GtkLabel            *unreadable_label;
  GtkBox              *tables_box;
  AdwExpanderRow      *json_row;
  GtkLabel            *json_label;

  VpStore             *store;
  GPtrArray           *periods;      /* YYYY-MM, newest first */
  GPtrArray           *table_views;  /* VpReportTableView, in report order */
  GCancellable        *cancellable;  /* of the build in progress */
  VpReportMonth       *build;        /* the last one finished */
  guint                shown;        /* index of the revision shown */
  char                *json;         /* of the entry shown */
  gboolean             dirty;        /* build again when next mapped */
  gboolean             sending;
};

G_DEFINE_FINAL_TYPE (VpReportPage, vp_report_page, GTK_TYPE_WIDGET)

enum {
  SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const VpReportRevision *
entry_at (VpReportMonth *build,
          guint          i)
{
  return build != NULL ? vp_report_month_get_revision (build, i) : NULL;
}

static const VpReportRevision *
build_preview (VpReportMonth *build)
{
  return build != NULL ? vp_report_month_get_preview (build) : NULL;
}

static const VpReportRevision *
build_latest (VpReportMonth *build)
{
  return build != NULL ? vp_report_month_get_latest (build) : NULL;
}

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
format_local (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);
  /* Translators: a date and time, as in "29 November 2026 at 09:00";
   * see g_date_time_format() for the codes. */
  g_autofree char *text = g_date_time_format (local, _("%e %B %Y at %H:%M"));

  return g_strdup (g_strstrip (text));
}

static char *
format_generated (const VpReportRevision *entry)
{
  g_autoptr(GDateTime) time = NULL;

  if (entry->report != NULL && entry->report->generated_at != NULL)
    time = g_date_time_new_from_iso8601 (entry->report->generated_at, NULL);
  return time != NULL ? format_local (time) : g_strdup (_("an unknown time"));
}

static char *
format_next_attempt (const VpOutboxItem *item)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (item->next_attempt_at);
  return format_local (time);
}

/* Why a revision was not delivered, as the uploader recorded it. */
static char *
reason_text (const VpOutboxItem *item)
{
  if (item->last_error != NULL && item->last_status > 0)
    return g_strdup_printf (_("%s (HTTP %d)"), item->last_error, item->last_status);
  if (item->last_error != NULL)
    return g_strdup (item->last_error);
  if (item->last_status > 0)
    return g_strdup_printf (_("HTTP %d"), item->last_status);
  return g_strdup (_("no reason was given"));
}

/* A revision in "sending" went out and no answer was recorded: the
 * endpoint may have stored it (#13). It is never called "not sent"; the
 * next try, which the endpoint answers with "already stored" if it has
 * it, settles it. */
static char *
describe_unconfirmed (const VpOutboxItem *item)
{
  g_autofree char *reason = NULL;
  g_autofree char *when = NULL;

  if (item->last_error == NULL)
    return g_strdup (_("May have arrived: sent, and no answer has come yet"));
  reason = reason_text (item);
  when = format_next_attempt (item);
  /* Translators: why no answer came, then when it is sent again. */
  return g_strdup_printf (_("May have arrived: %s. Next attempt %s"), reason, when);
}

/* The state of one revision, in a few words. */
static char *
describe_state (const VpReportRevision *entry,
                gboolean                due)
{
  const VpOutboxItem *item = entry->item;
  g_autofree char *reason = NULL;
  g_autofree char *when = NULL;

  if (item == NULL)
    return g_strdup (due ? _("Not queued yet") : _("Not due yet"));
  if (g_str_equal (item->state, "delivered"))
    return g_strdup (_("Delivered"));
  if (g_str_equal (item->state, "sending"))
    return describe_unconfirmed (item);
  /* Only stores from before each month was released once (#10) have
   * these; whether one left before it was superseded is not known. */
  if (g_str_equal (item->state, "superseded"))
    return g_strdup (_("Superseded by a newer revision before its delivery was confirmed; it may have arrived"));
  reason = reason_text (item);
  if (g_str_equal (item->state, "needs_attention"))
    return g_strdup_printf (_("Needs attention: %s"), reason);
  if (g_str_equal (item->state, "retry"))
    {
      when = format_next_attempt (item);
      return g_strdup_printf (_("Queued, next attempt %s: %s"), when, reason);
    }
  return g_strdup (_("Queued"));
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
set_status (VpReportPage *self,
            const char   *icon_name,
            const char   *title,
            const char   *detail)
{
  const char *tone[] = { NULL, NULL };

  if (g_str_equal (icon_name, "dialog-warning-symbolic"))
    tone[0] = "warning";
  else if (g_str_equal (icon_name, "emblem-ok-symbolic"))
    tone[0] = "success";
  gtk_widget_set_css_classes (GTK_WIDGET (self->status_icon), tone);
  gtk_image_set_from_icon_name (self->status_icon, icon_name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  adw_action_row_set_subtitle (self->status_row, detail);
}

static char *
describe_unconfirmed_status (const VpOutboxItem *item)
{
  g_autofree char *reason = NULL;
  g_autofree char *when = NULL;

  if (item->last_error == NULL)
    return g_strdup_printf (_("Revision %u was sent and no answer has come yet, so it may have arrived. "
                              "Without an answer it is sent again; the municipality stores it only once."),
                            item->revision);
  reason = reason_text (item);
  when = format_next_attempt (item);
  return g_strdup_printf (_("Revision %u may have been stored: %s. Sending it again settles that: "
                            "next attempt %s, or now with Send Now; the municipality stores it only once."),
                          item->revision, reason, when);
}

/* The month at a glance: the six states a team leader needs to tell apart. */
static void
update_status (VpReportPage *self)
{
  VpReportMonth *build = self->build;
  const VpReportRevision *preview = build_preview (build);
  const VpReportRevision *latest = build_latest (build);
  g_autofree char *detail = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *title = NULL;
  const char *state;

  /* In a team, another laptop reports for all (#16): nothing to send here. */
  if (preview != NULL && self->store != NULL && !vp_sync_reports_here (self->store))
    {
      set_status (self, "system-users-symbolic", _("Sent by the team leader’s laptop"),
                  _("In a team one laptop reports for the whole team, so that no contact is counted twice. The figures below are what this laptop holds of the team’s month."));
      return;
    }
  if (preview != NULL && !vp_report_month_is_due (build))
    {
      detail = describe_not_due (vp_report_month_get_period (build), vp_report_month_get_grace_days (build));
      set_status (self, "appointment-soon-symbolic", _("Not due yet"), detail);
      return;
    }
  if (preview != NULL)
    {
      set_status (self, "document-send-symbolic", _("Due — will be queued"),
                  _("The month is released once, by Send Now or by itself at the next unlock. Contacts entered after that count in the month they are entered."));
      return;
    }
  if (latest == NULL)
    return;

  state = latest->item->state;
  if (g_str_equal (state, "delivered"))
    {
      detail = g_strdup_printf (_("The municipality stored revision %u."), latest->item->revision);
      set_status (self, "emblem-ok-symbolic", _("Delivered"), detail);
    }
  else if (g_str_equal (state, "sending"))
    {
      detail = describe_unconfirmed_status (latest->item);
      set_status (self, "network-transmit-symbolic", _("May have arrived"), detail);
    }
  else if (g_str_equal (state, "needs_attention"))
    {
      reason = reason_text (latest->item);
      title = g_strdup_printf (_("Needs attention: %s"), reason);
      detail = g_strdup_printf (_("Revision %u was refused. Once the cause is fixed, Send Now tries again."),
                                latest->item->revision);
      set_status (self, "dialog-warning-symbolic", title, detail);
    }
  else if (g_str_equal (state, "retry"))
    {
      reason = reason_text (latest->item);
      title = format_next_attempt (latest->item);
      /* Only the last attempt is known to have failed: an earlier one
       * may have arrived before the revision needed attention. */
      detail = g_strdup_printf (_("The last attempt to send revision %u failed (%s). Next attempt %s, or now with Send Now."),
                                latest->item->revision, reason, title);
      set_status (self, "mail-send-symbolic", _("Queued"), detail);
    }
  else
    {
      detail = g_strdup_printf (_("Revision %u waits to be sent."), latest->item->revision);
      set_status (self, "mail-send-symbolic", _("Queued"), detail);
    }
}

static gboolean
can_send (VpReportPage *self)
{
  const VpReportRevision *latest = build_latest (self->build);

  if (self->build == NULL || !vp_report_month_is_due (self->build) || self->cancellable != NULL || self->sending)
    return FALSE;
  if (self->store != NULL && !vp_sync_reports_here (self->store))
    return FALSE;
  if (build_preview (self->build) != NULL)
    return TRUE;
  return latest != NULL && !g_str_equal (latest->item->state, "delivered") &&
         !g_str_equal (latest->item->state, "superseded");
}

static void
update_actions (VpReportPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "report.send", can_send (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "report.copy-json", self->json != NULL);
  gtk_spinner_set_spinning (self->spinner, self->cancellable != NULL || self->sending);
}

static GtkWidget *
revision_row (VpReportPage *self,
              guint         i)
{
  const VpReportRevision *entry = vp_report_month_get_revision (self->build, i);
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = NULL;
  g_autofree char *state = describe_state (entry, vp_report_month_is_due (self->build));
  g_autofree char *generated = format_generated (entry);
  g_autofree char *subtitle = NULL;
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  title = entry->item != NULL ? g_strdup_printf (_("Revision %u"), entry->item->revision)
                              : g_strdup_printf (_("Revision %u, not queued yet"), entry->report->revision);
  /* Translators: a revision's delivery state, then when it was made. */
  subtitle = g_strdup_printf (_("%s · generated %s"), state, generated);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "report.show-revision");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "u", vp_report_revision_get_number (entry));

  gtk_widget_set_visible (check, i == self->shown);
  gtk_widget_set_tooltip_text (check, _("Shown above"));
  g_object_set_data (G_OBJECT (row), "check", check);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
  if (entry->item != NULL && g_str_equal (entry->item->state, "needs_attention"))
    gtk_widget_add_css_class (row, "needs-attention");
  return row;
}

static void
fill_revisions (VpReportPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->revisions_list))) != NULL)
    gtk_list_box_remove (self->revisions_list, child);
  for (guint i = 0; i < vp_report_month_get_n_revisions (self->build); i++)
    gtk_list_box_append (self->revisions_list, revision_row (self, i));
}

static void
set_json (VpReportPage *self,
          const char   *json)
{
  g_free (self->json);
  self->json = g_strdup (json);
  gtk_label_set_label (self->json_label, json != NULL ? json : "");
}

static void
describe_shown (VpReportPage           *self,
                const VpReportRevision *entry,
                const VpReportRevision *previous)
{
  g_autofree char *title = NULL;
  g_autofree char *generated = format_generated (entry);
  g_autofree char *description = NULL;
  g_autofree char *legend = NULL;
  g_autofree char *json_title = NULL;
  guint revision = vp_report_revision_get_number (entry);

  title = entry->item != NULL ? g_strdup_printf (_("Revision %u"), revision)
                              : g_strdup_printf (_("Revision %u, Not Queued Yet"), revision);
  description = g_strdup_printf (_("Generated %s."), generated);
  adw_preferences_group_set_title (self->shown_group, title);
  adw_preferences_group_set_description (self->shown_group, description);

  if (entry->report != NULL && previous != NULL && previous->report != NULL)
    legend = g_strdup_printf (_("— is hidden to protect residents: fewer than %u people, or it would reveal such a value. "
                                "Values in blue changed since revision %u; hover over one to see what it was."),
                              entry->report->k, vp_report_revision_get_number (previous));
  else if (entry->report != NULL)
    legend = g_strdup_printf (_("— is hidden to protect residents: fewer than %u people, or it would reveal such a value."),
                              entry->report->k);
  gtk_label_set_label (self->legend_label, legend != NULL ? legend : "");
  gtk_widget_set_visible (GTK_WIDGET (self->legend_label), legend != NULL);

  json_title = g_strdup_printf (_("JSON of Revision %u"), revision);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->json_row), json_title);
}

/* Shows one revision: its tables, marked where they differ from the
 * revision before it, and its exact bytes. */
static void
show_entry (VpReportPage *self,
            guint         i)
{
  const VpReportRevision *entry = entry_at (self->build, i);
  const VpReportRevision *previous = entry_at (self->build, i + 1);
  GtkWidget *row;

  g_return_if_fail (entry != NULL);

  self->shown = i;
  describe_shown (self, entry, previous);
  set_json (self, entry->json);

  gtk_label_set_label (self->unreadable_label, entry->unreadable != NULL ? entry->unreadable : "");
  gtk_widget_set_visible (GTK_WIDGET (self->unreadable_label), entry->report == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->tables_box), entry->report != NULL);
  for (guint t = 0; entry->report != NULL && t < self->table_views->len; t++)
    {
      VpReportTableView *view = g_ptr_array_index (self->table_views, t);
      VpReportTable *table = g_ptr_array_index (entry->report->tables, t);
      VpReportTable *before = previous != NULL && previous->report != NULL
                                ? g_ptr_array_index (previous->report->tables, t) : NULL;

      vp_report_table_view_set_table (view, table, before, previous != NULL ? vp_report_revision_get_number (previous) : 0);
    }

  /* Move the check mark without rebuilding the list. */
  row = gtk_widget_get_first_child (GTK_WIDGET (self->revisions_list));
  for (guint r = 0; row != NULL; r++, row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");
      if (check != NULL)
        gtk_widget_set_visible (check, r == i);
    }
  update_actions (self);
}

/* After a rebuild, stay on the revision the team leader was looking at;
 * a new month starts on its newest revision. */
static guint
entry_to_show (VpReportPage  *self,
               VpReportMonth *old)
{
  gboolean same_month = old != NULL && g_str_equal (vp_report_month_get_period (old),
                                                    vp_report_month_get_period (self->build));
  const VpReportRevision *was = same_month ? entry_at (old, self->shown) : NULL;

  if (was == NULL || self->shown == 0)
    return 0;
  for (guint i = 0; i < vp_report_month_get_n_revisions (self->build); i++)
    {
      const VpReportRevision *entry = entry_at (self->build, i);
      if (entry != NULL && entry->item != NULL && was->item != NULL && entry->item->id == was->item->id)
        return i;
    }
  return 0;
}

/* Takes @build. */
static void
show_build (VpReportPage  *self,
            VpReportMonth *build)
{
  g_autoptr(VpReportMonth) old = g_steal_pointer (&self->build);

  self->build = build;
  self->shown = entry_to_show (self, old);
  gtk_label_set_label (self->error_label, "");
  update_status (self);
  fill_revisions (self);
  show_entry (self, self->shown);
  gtk_stack_set_visible_child_name (self->content_stack, "report");
}

static void
show_nothing (VpReportPage *self,
              const char   *stack_page)
{
  g_clear_object (&self->build);
  set_json (self, NULL);
  set_status (self, "content-loading-symbolic", _("Delivery"), NULL);
  gtk_stack_set_visible_child_name (self->content_stack, stack_page);
  update_actions (self);
}

static void
cancel_build (VpReportPage *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
build_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VpReportPage) self = user_data;
  g_autoptr(GError) error = NULL;
  VpReportMonth *build = vp_report_month_build_finish (result, &error);

  /* A cancelled build belongs to a month or a store that is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  if (build == NULL)
    {
      gtk_label_set_label (self->error_label, error->message);
      show_nothing (self, "error");
      return;
    }
  show_build (self, build);
}

static void
start_build (VpReportPage *self)
{
  const char *period = selected_period (self);
  g_autoptr(GDateTime) now = NULL;

  self->dirty = FALSE;
  cancel_build (self);
  if (self->store == NULL || !vp_store_is_open (self->store) || period == NULL)
    {
      show_nothing (self, "building");
      return;
    }
  /* Another month: nothing of the old one may stay on screen. */
  if (self->build != NULL && !g_str_equal (vp_report_month_get_period (self->build), period))
    show_nothing (self, "building");

  /* The page stays alive until the build has let go of it. */
  now = g_date_time_new_now_local ();
  self->cancellable = g_cancellable_new ();
  vp_report_month_build_async (self->store, period, now, self->cancellable, build_done, g_object_ref (self));
  update_actions (self);
}

/* Builds only while the page is on screen: the window refreshes it after
 * every saved contact, and a hidden page need not keep up. */
void
vp_report_page_refresh (VpReportPage *self)
{
  g_return_if_fail (VP_IS_REPORT_PAGE (self));

  self->dirty = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_build (self);
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

/* Queues exactly the revision the page showed, or makes the one waiting due
 * again, then sends everything due. */
static void
send_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VpReportPage *self = VP_REPORT_PAGE (widget);
  const VpReportRevision *preview = build_preview (self->build);
  const VpReportRevision *latest = build_latest (self->build);
  g_autoptr(GError) error = NULL;
  gboolean queued = FALSE;

  if (!can_send (self))
    return;

  if (preview != NULL)
    /* Built again and queued in one transaction, as of the moment the
     * page's figures are of (so with the same stamp), and only if it
     * still publishes what the page shows: the very bytes shown. */
    vp_sync_release_period (self->store, vp_report_month_get_period (self->build),
                            vp_report_month_get_built_at (self->build),
                            preview->sha256, &queued, &error);
  else if (!g_str_equal (latest->item->state, "queued"))
    /* On demand, a refused or waiting release is due again at once, and
     * one that may have arrived is sent again to settle it. */
    vp_outbox_make_due (self->store, latest->item->id, &error);
  if (error != NULL)
    {
      adw_action_row_set_subtitle (self->status_row, error->message);
      return;
    }
  if (preview != NULL && !queued)
    {
      vp_report_page_refresh (self);
      return;
    }

  self->sending = TRUE;
  vp_sync_send_due_async (self->store, NULL, send_done, g_object_ref (self));
  vp_report_page_refresh (self);
}

/* The list of revisions is below the tables: bring the chosen one's up. */
static void
scroll_to_shown (VpReportPage *self)
{
  GtkWidget *content = gtk_scrolled_window_get_child (self->scroller);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  graphene_point_t top;

  if (gtk_widget_compute_point (GTK_WIDGET (self->shown_group), content,
                                &GRAPHENE_POINT_INIT (0, 0), &top))
    gtk_adjustment_set_value (adjustment, MAX (top.y - 12, 0));
}

static void
show_revision_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  VpReportPage *self = VP_REPORT_PAGE (widget);
  guint revision = g_variant_get_uint32 (param);

  for (guint i = 0; self->build != NULL && i < vp_report_month_get_n_revisions (self->build); i++)
    if (vp_report_revision_get_number (entry_at (self->build, i)) == revision)
      {
        show_entry (self, i);
        scroll_to_shown (self);
      }
}

static void
copy_json_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  VpReportPage *self = VP_REPORT_PAGE (widget);

  if (self->json != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->json);
}

static void
on_month_selected (VpReportPage *self)
{
  vp_report_page_refresh (self);
}

/* The laptop's name is the team leader's to set, as the endpoint settings
 * are (coaches see the report but not this row). */
static gboolean
may_name_laptop (VpReportPage *self)
{
  return self->store != NULL && vp_store_is_open (self->store) &&
         g_strcmp0 (vp_store_get_account_role (self->store), "team_leader") == 0;
}

/* Marks the row, for the eye and for a screen reader, and says why. */
static void
show_label_error (VpReportPage *self,
                  const char   *message)
{
  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->label_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->label_row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->label_row), GTK_ACCESSIBLE_STATE_INVALID,
                               message != NULL ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
  gtk_label_set_label (self->label_error, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->label_error), message != NULL);
}

/* Shows the name as stored. The apply button is off meanwhile, or a text
 * set while the row has focus would offer to apply it again. */
static void
show_stored_label (VpReportPage *self)
{
  g_autofree char *label = may_name_laptop (self) ? vp_sync_get_installation_label (self->store) : NULL;

  adw_entry_row_set_show_apply_button (self->label_row, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->label_row), label != NULL ? label : "");
  adw_entry_row_set_show_apply_button (self->label_row, TRUE);
  show_label_error (self, NULL);
}

/* The laptop's name and its client certificate (#12), both the team
 * leader's; a coach's store never reaches the certificate row. */
static void
load_label (VpReportPage *self)
{
  show_stored_label (self);
  vp_client_cert_row_set_store (self->cert_row, may_name_laptop (self) ? self->store : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->label_group), may_name_laptop (self));
}

/* A refused name stays in the row, marked, so that it can be corrected;
 * the store keeps the name it had. */
static void
on_label_apply (VpReportPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!may_name_laptop (self))
    return;
  if (vp_sync_set_installation_label (self->store, gtk_editable_get_text (GTK_EDITABLE (self->label_row)),
                                      &error))
    {
      show_stored_label (self);  /* trimmed, as it is sent */
      return;
    }
  /* Translators: the reason a laptop name was refused follows. */
  message = g_strdup_printf (_("Not saved: %s"), error->message);
  show_label_error (self, message);
}

static void
on_label_changed (VpReportPage *self)
{
  show_label_error (self, NULL);
}

static void
vp_report_page_map (GtkWidget *widget)
{
  VpReportPage *self = VP_REPORT_PAGE (widget);

  GTK_WIDGET_CLASS (vp_report_page_parent_class)->map (widget);
  if (self->dirty)
    start_build (self);
}

static void
vp_report_page_dispose (GObject *object)
{
  VpReportPage *self = VP_REPORT_PAGE (object);
  GtkWidget *child;

  cancel_build (self);
  g_clear_object (&self->store);
  g_clear_object (&self->build);
  g_clear_pointer (&self->table_views, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_REPORT_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
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
  widget_class->map = vp_report_page_map;

  /* (delivered count, error message or NULL) */
  signals[SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  g_type_ensure (VP_TYPE_REPORT_TABLE_VIEW);
  g_type_ensure (VP_TYPE_CLIENT_CERT_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-report-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, month_row);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, label_group);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, label_row);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, label_error);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, cert_row);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, revisions_list);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, shown_group);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, legend_label);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, unreadable_label);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, tables_box);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, json_row);
  gtk_widget_class_bind_template_child (widget_class, VpReportPage, json_label);
  gtk_widget_class_bind_template_callback (widget_class, on_month_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_label_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_label_changed);

  gtk_widget_class_install_action (widget_class, "report.send", NULL, send_activated);
  gtk_widget_class_install_action (widget_class, "report.show-revision", "u", show_revision_activated);
  gtk_widget_class_install_action (widget_class, "report.copy-json", NULL, copy_json_activated);
}

/* One view per table of DESIGN §5, in report order, made once. */
static void
add_table_views (VpReportPage *self)
{
  guint n_defs = 0;

  vp_report_table_defs (&n_defs);
  self->table_views = g_ptr_array_new ();
  for (guint i = 0; i < n_defs; i++)
    {
      GtkWidget *view = vp_report_table_view_new ();

      gtk_box_append (self->tables_box, view);
      g_ptr_array_add (self->table_views, view);
    }
}

static void
vp_report_page_init (VpReportPage *self)
{
  self->periods = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  add_table_views (self);

  /* Wrapped JSON must show the exact bytes: no hyphens at line breaks. */
  {
    g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
    pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
    gtk_label_set_attributes (self->json_label, attrs);
  }
  fill_months (self);
  /* The month that closed last is the one a team leader looks at. */
  adw_combo_row_set_selected (self->month_row, 1);
  show_nothing (self, "building");
}

void
vp_report_page_set_store (VpReportPage *self,
                          VpStore      *store)
{
  g_return_if_fail (VP_IS_REPORT_PAGE (self));

  /* Locking cancels a build and clears what was shown. */
  cancel_build (self);
  show_nothing (self, "building");
  g_set_object (&self->store, store);
  load_label (self);
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

/* A build or a send is in progress. */
gboolean
vp_report_page_is_busy (VpReportPage *self)
{
  g_return_val_if_fail (VP_IS_REPORT_PAGE (self), FALSE);
  return self->cancellable != NULL || self->sending;
}

VpReportTableView *
_vp_report_page_get_table_view (VpReportPage *self,
                                const char   *name)
{
  g_return_val_if_fail (VP_IS_REPORT_PAGE (self), NULL);

  for (guint i = 0; i < self->table_views->len; i++)
    {
      VpReportTableView *view = g_ptr_array_index (self->table_views, i);
      if (g_strcmp0 (vp_report_table_view_get_name (view), name) == 0)
        return view;
    }
  return NULL;
}
