/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-accounts-page.h"
#include "vp-accounts.h"
#include "vp-audit-page.h"
#include "vp-backup-dialogs.h"
#include "vp-bench-marks.h"
#include "vp-clients-page.h"
#include "vp-clock.h"
#include "vp-contact-form.h"
#include "vp-dialogs.h"
#include "vp-idle-monitor.h"
#include "vp-recovery-page.h"
#include "vp-referral.h"
#include "vp-referrals-page.h"
#include "vp-registration.h"
#include "vp-report-page.h"
#include "vp-retention.h"
#include "vp-setup-page.h"
#include "vp-sync.h"
#include "vp-team-sync-page.h"
#include "vp-today-page.h"
#include "vp-unlock-page.h"
#include "vp-window-private.h"

/* The main window: set-up on first run, the unlock page while locked, and
 * the work pages once the store is open. */
struct _VpWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwViewStack         *view_stack;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  VpSetupPage          *setup_page;
  VpUnlockPage         *unlock_page;
  VpRecoveryPage       *recovery_page;
  VpContactForm        *contact_form;
  VpTodayPage          *today_page;
  VpReportPage         *report_page;
  VpAccountsPage       *accounts_page;
  VpClientsPage        *clients_page;
  VpAuditPage          *audit_page;
  VpReferralsPage      *referrals_page;
  VpTeamSyncPage       *team_sync_page;

  char                 *store_dir;
  VpStore              *store;
  VpTeamSync           *team_sync;  /* while unlocked */
  GSettings            *settings;
  VpIdleMonitor        *idle;
  gboolean              discarded_input;
  guint                 retention_source;
  int                   retention_day;
};

G_DEFINE_FINAL_TYPE (VpWindow, vp_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (VpWindow   *self,
       const char *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

/* Team leaders also see the account and audit pages. */
static void
set_pages_store (VpWindow *self,
                 VpStore  *store)
{
  gboolean leader = store != NULL && g_strcmp0 (vp_store_get_account_role (store), "team_leader") == 0;

  vp_contact_form_set_store (self->contact_form, store);
  vp_today_page_set_store (self->today_page, store);
  vp_clients_page_set_store (self->clients_page, store);
  vp_report_page_set_store (self->report_page, store);
  vp_accounts_page_set_store (self->accounts_page, leader ? store : NULL);
  vp_audit_page_set_store (self->audit_page, leader ? store : NULL);
  /* The referral review builds a row for every referral: it gets the store
   * when it is shown (show_team_activated), not on every unlock. */
  vp_referrals_page_set_store (self->referrals_page, NULL);
}

static void
on_page_changed (VpWindow *self)
{
  if (self->store != NULL &&
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "register") == 0)
    vp_contact_form_refresh_locations (self->contact_form);
}

static gboolean
is_team_leader (VpWindow *self)
{
  return self->store != NULL && g_strcmp0 (vp_store_get_account_role (self->store), "team_leader") == 0;
}

/* The team leader's pages sit beside the work pages, not in the page
 * switcher, so that four buttons fit a 360 px wide screen. */
static void
show_team_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  VpWindow *self = VP_WINDOW (widget);

  if (!is_team_leader (self))
    return;
  if (g_str_equal (action_name, "win.show-audit"))
    {
      vp_audit_page_refresh (self->audit_page);
      gtk_stack_set_visible_child_name (self->stack, "audit");
    }
  else if (g_str_equal (action_name, "win.show-referrals"))
    {
      /* Again, so that new organisations and coaches show in the filters. */
      vp_referrals_page_set_store (self->referrals_page, self->store);
      gtk_stack_set_visible_child_name (self->stack, "referrals");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "team");
  gtk_widget_child_focus (gtk_stack_get_visible_child (self->stack), GTK_DIR_TAB_FORWARD);
}

/* Team sync is every account's: a coach's laptop joins from here. */
static void
show_sync_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  VpWindow *self = VP_WINDOW (widget);

  if (self->store == NULL)
    return;
  vp_team_sync_page_refresh (self->team_sync_page);
  gtk_stack_set_visible_child_name (self->stack, "sync");
  gtk_widget_child_focus (gtk_stack_get_visible_child (self->stack), GTK_DIR_TAB_FORWARD);
}

static void
update_actions (VpWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-page", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.find", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.change-passphrase", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-sync", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-team", is_team_leader (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-audit", is_team_leader (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-referrals", is_team_leader (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.backup",
                                 self->store != NULL &&
                                 g_strcmp0 (vp_store_get_account_role (self->store), "team_leader") == 0);
}

static void
send_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VpWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint delivered = 0;

  if (!vp_sync_send_due_finish (VP_STORE (object), result, &delivered, &error))
    {
      /* No endpoint yet is normal for a new team; reports wait in the outbox. */
      if (!g_error_matches (error, VP_SYNC_ERROR, VP_SYNC_ERROR_NOT_CONFIGURED) &&
          !g_error_matches (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED))
        toast (self, _("Reports could not be sent; they wait in the outbox"));
      return;
    }
  if (delivered > 0)
    {
      g_autofree char *title =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u report delivered to the municipality",
                                      "%u reports delivered to the municipality", delivered),
                         delivered);
      toast (self, title);
    }
  if (self->store != NULL)
    vp_report_page_refresh (self->report_page);
}

/* Retention runs on unlock and then once a day while the store is open. */
static void
run_retention (VpWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GError) error = NULL;
  guint erased = 0;

  if (self->store == NULL || g_date_time_get_day_of_year (now) == self->retention_day)
    return;
  if (!vp_store_apply_retention (self->store, now, &erased, &error))
    {
      g_warning ("Retention could not run: %s", error->message);
      return;
    }
  self->retention_day = g_date_time_get_day_of_year (now);
  if (erased > 0)
    vp_today_page_refresh (self->today_page);
}

static gboolean
retention_tick (gpointer user_data)
{
  run_retention (user_data);
  return G_SOURCE_CONTINUE;
}

static void
queue_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(VpWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!vp_sync_queue_due_reports_finish (VP_STORE (object), result, NULL, &error))
    {
      if (!g_error_matches (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED))
        g_warning ("Could not queue due reports: %s", error->message);
      return;
    }
  /* The store may have been locked, or another opened, meanwhile. */
  if (self->store == VP_STORE (object) && vp_store_is_open (self->store))
    vp_sync_send_due_async (self->store, NULL, send_done, g_object_ref (self));
}

/* Months that have closed are queued and sent as soon as the store opens;
 * the reports are built in a worker thread. */
static void
sync_due_reports (VpWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  vp_sync_queue_due_reports_async (self->store, now, NULL, queue_done, g_object_ref (self));
}

/* A team leader hears at unlock how many referrals wait for feedback
 * past their date; the notification holds a count, nothing personal. */
static void
notify_overdue (VpWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GNotification) notification = NULL;
  GDate today;
  g_autofree char *title = NULL;
  guint overdue;

  if (app == NULL || !is_team_leader (self))
    return;
  vp_clock_today (&today);
  overdue = vp_store_count_overdue_referrals (self->store, &today);
  if (overdue == 0)
    return;
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u referral is overdue",
                                        "%u referrals are overdue", overdue), overdue);
  notification = g_notification_new (title);
  g_notification_set_body (notification, _("Feedback has not come back by the expected date."));
  g_application_send_notification (G_APPLICATION (app), "overdue-referrals", notification);
}

/* What a colleague's laptop sent shows on the pages that list records. */
static void
on_team_round_finished (VpWindow *self,
                        gboolean  ok)
{
  if (self->store == NULL)
    return;
  vp_today_page_refresh (self->today_page);
  vp_report_page_refresh (self->report_page);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "referrals") == 0)
    vp_referrals_page_set_store (self->referrals_page, self->store);
}

static void
start_team_sync (VpWindow *self)
{
  self->team_sync = vp_team_sync_new (self->store);
  g_signal_connect_object (self->team_sync, "round-finished", G_CALLBACK (on_team_round_finished),
                           self, G_CONNECT_SWAPPED);
  vp_team_sync_page_set_sync (self->team_sync_page, self->team_sync);
  vp_team_sync_start (self->team_sync);
}

static void
stop_team_sync (VpWindow *self)
{
  if (self->team_sync == NULL)
    return;
  vp_team_sync_page_set_sync (self->team_sync_page, NULL);
  vp_team_sync_stop (self->team_sync);
  g_signal_handlers_disconnect_by_data (self->team_sync, self);
  g_clear_object (&self->team_sync);
}

static void
on_store_ready (VpWindow *self,
                VpStore  *store)
{
  g_set_object (&self->store, store);
  set_pages_store (self, store);
  update_actions (self);
  gtk_stack_set_visible_child_name (self->stack, "main");
  adw_view_stack_set_visible_child_name (self->view_stack, "register");
  vp_bench_marks_next_frame (GTK_WIDGET (self->stack), "main");
  gtk_widget_grab_focus (GTK_WIDGET (self->contact_form));
  vp_idle_monitor_poke (self->idle);
  self->retention_day = -1;
  run_retention (self);
  if (self->retention_source == 0)
    self->retention_source = g_timeout_add_seconds (3600, retention_tick, self);
  if (self->discarded_input)
    {
      self->discarded_input = FALSE;
      toast (self, _("Unsaved input was discarded when the store locked"));
    }
  notify_overdue (self);
  sync_due_reports (self);
  start_team_sync (self);
}

/* A new store first shows its recovery key, once. */
static void
on_store_created (VpWindow   *self,
                  VpStore    *store,
                  const char *recovery_key)
{
  if (recovery_key != NULL)
    {
      vp_recovery_page_show_key (self->recovery_page, store, recovery_key);
      gtk_stack_set_visible_child_name (self->stack, "recovery");
    }
  else if (vp_store_needs_new_passphrase (store))
    {
      /* Restored with the recovery key. */
      vp_unlock_page_require_new_passphrase (self->unlock_page, store);
      gtk_stack_set_visible_child_name (self->stack, "unlock");
    }
  else
    on_store_ready (self, store);
}

static void
on_follow_up (VpWindow   *self,
              gint64      client_id,
              const char *label)
{
  vp_contact_form_set_client (self->contact_form, client_id, label);
  adw_view_stack_set_visible_child_name (self->view_stack, "register");
  gtk_widget_grab_focus (GTK_WIDGET (self->contact_form));
}

static void
on_open_client (VpWindow *self,
                gint64    client_id)
{
  gtk_stack_set_visible_child_name (self->stack, "main");
  adw_view_stack_set_visible_child_name (self->view_stack, "clients");
  vp_clients_page_show_client (self->clients_page, client_id);
}

static void
on_contact_saved (VpWindow *self,
                  gint64    contact_id)
{
  AdwToast *saved = adw_toast_new (_("Contact saved"));

  adw_toast_set_button_label (saved, _("_Undo"));
  adw_toast_set_action_name (saved, "win.undo-contact");
  adw_toast_set_action_target_value (saved, g_variant_new_int64 (contact_id));
  adw_toast_overlay_add_toast (self->toast_overlay, saved);
  vp_today_page_refresh (self->today_page);
  vp_report_page_refresh (self->report_page);
}

/* A contact corrected or deleted from the Today page. */
static void
on_today_changed (VpWindow *self)
{
  vp_report_page_refresh (self->report_page);
}

static void
on_report_sent (VpWindow   *self,
                guint       delivered,
                const char *error_message)
{
  if (error_message != NULL)
    toast (self, error_message);
  else if (delivered > 0)
    toast (self, _("Report delivered to the municipality"));
  else
    toast (self, _("Nothing was delivered; see the delivery state"));
}

/* Locking wipes the key and replaces every page that shows personal data
 * with the unlock page. Unsaved form input is discarded, never written
 * anywhere in plaintext; the coach is told after unlocking. */
static void
lock_store (VpWindow *self)
{
  if (self->store == NULL)
    return;
  self->discarded_input = vp_contact_form_has_input (self->contact_form);
  g_clear_handle_id (&self->retention_source, g_source_remove);
  stop_team_sync (self);
  set_pages_store (self, NULL);
  vp_store_close (self->store);
  g_clear_object (&self->store);
  update_actions (self);
  vp_unlock_page_reset (self->unlock_page);
  gtk_stack_set_visible_child_name (self->stack, "unlock");
  gtk_widget_grab_focus (GTK_WIDGET (self->unlock_page));
}

static void
lock_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  lock_store (VP_WINDOW (widget));
}

static void
on_idle (VpWindow *self)
{
  lock_store (self);
}

static void
on_idle_setting_changed (VpWindow *self)
{
  vp_idle_monitor_set_timeout (self->idle, g_settings_get_uint (self->settings, "idle-lock-minutes"));
}

static void
undo_contact_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  VpWindow *self = VP_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;
  if (!vp_store_undo_registration (self->store, g_variant_get_int64 (param), &error))
    toast (self, error->message);
  else
    toast (self, _("Registration undone"));
  vp_today_page_refresh (self->today_page);
  vp_report_page_refresh (self->report_page);
}

static void
backup_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpWindow *self = VP_WINDOW (widget);

  if (self->store != NULL)
    vp_backup_dialogs_backup (GTK_WINDOW (self), self->store);
}

static void
change_passphrase_response (AdwMessageDialog *dialog,
                            const char       *response,
                            VpWindow         *self)
{
  GtkEditable *current = g_object_get_data (G_OBJECT (dialog), "current");
  GtkEditable *fresh = g_object_get_data (G_OBJECT (dialog), "new");
  GtkEditable *repeat = g_object_get_data (G_OBJECT (dialog), "repeat");
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "change") || self->store == NULL)
    return;
  if (g_strcmp0 (gtk_editable_get_text (fresh), gtk_editable_get_text (repeat)) != 0)
    toast (self, _("The two passphrases differ; nothing was changed"));
  else if (!vp_store_change_passphrase (self->store, gtk_editable_get_text (current),
                                       gtk_editable_get_text (fresh), &error))
    toast (self, error->message);
  else
    toast (self, _("Passphrase changed"));
}

static GtkWidget *
password_row (AdwMessageDialog *dialog,
              GtkWidget        *list,
              const char       *key,
              const char       *title)
{
  GtkWidget *row = adw_password_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  g_object_set_data (G_OBJECT (dialog), key, row);
  return row;
}

/* Changing a passphrase rewrites one key slot, never the database. */
static void
change_passphrase_activated (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  VpWindow *self = VP_WINDOW (widget);
  AdwMessageDialog *dialog =
    vp_dialog_new (widget, _("Change Passphrase"), _("The new passphrase must be at least 10 characters long."),
                   "change", _("C_hange"), ADW_RESPONSE_SUGGESTED);
  GtkWidget *list = gtk_list_box_new ();

  password_row (dialog, list, "current", _("Current passphrase"));
  password_row (dialog, list, "new", _("New passphrase"));
  password_row (dialog, list, "repeat", _("Repeat new passphrase"));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_message_dialog_set_extra_child (dialog, list);
  g_signal_connect_object (dialog, "response", G_CALLBACK (change_passphrase_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* After a page switch the next keystroke belongs to the page shown: its
 * first field, never a widget left focused on a hidden page. */
static void
focus_page (VpWindow *self)
{
  GtkWidget *page = adw_view_stack_get_visible_child (self->view_stack);

  if (page != NULL && !gtk_widget_grab_focus (page))
    gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD);
}

static void
show_page_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  VpWindow *self = VP_WINDOW (widget);

  if (self->store == NULL)
    return;
  gtk_stack_set_visible_child_name (self->stack, "main");
  adw_view_stack_set_visible_child_name (self->view_stack, g_variant_get_string (param, NULL));
  if (g_str_equal (g_variant_get_string (param, NULL), "register"))
    vp_contact_form_refresh_locations (self->contact_form);
  focus_page (self);
}

static void
find_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VpWindow *self = VP_WINDOW (widget);

  if (self->store == NULL)
    return;
  gtk_stack_set_visible_child_name (self->stack, "main");
  adw_view_stack_set_visible_child_name (self->view_stack, "clients");
  vp_clients_page_focus_search (self->clients_page);
}

static void
vp_window_constructed (GObject *object)
{
  VpWindow *self = VP_WINDOW (object);

  G_OBJECT_CLASS (vp_window_parent_class)->constructed (object);

  if (self->store_dir == NULL)
    self->store_dir = vp_store_default_dir ();
  vp_setup_page_set_store_dir (self->setup_page, self->store_dir);
  vp_unlock_page_set_store_dir (self->unlock_page, self->store_dir);
  gtk_stack_set_visible_child_name (self->stack,
                                    vp_store_exists (self->store_dir) ? "unlock" : "setup");
  update_actions (self);
  vp_bench_marks_next_frame (GTK_WIDGET (self), "window");
}

static void
vp_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  VpWindow *self = VP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE_DIR:
      g_free (self->store_dir);
      self->store_dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vp_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  VpWindow *self = VP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE_DIR:
      g_value_set_string (value, self->store_dir);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vp_window_dispose (GObject *object)
{
  VpWindow *self = VP_WINDOW (object);

  stop_team_sync (self);
  if (self->store != NULL)
    vp_store_close (self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->idle);
  g_clear_handle_id (&self->retention_source, g_source_remove);
  g_clear_object (&self->settings);

  /* libadwaita 1.2 trips over switchers whose stack is torn down first. */
  adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_WINDOW);
  G_OBJECT_CLASS (vp_window_parent_class)->dispose (object);
}

static void
vp_window_finalize (GObject *object)
{
  g_free (VP_WINDOW (object)->store_dir);
  G_OBJECT_CLASS (vp_window_parent_class)->finalize (object);
}

static void
vp_window_class_init (VpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = vp_window_constructed;
  object_class->set_property = vp_window_set_property;
  object_class->get_property = vp_window_get_property;
  object_class->dispose = vp_window_dispose;
  object_class->finalize = vp_window_finalize;

  properties[PROP_STORE_DIR] =
    g_param_spec_string ("store-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (VP_TYPE_SETUP_PAGE);
  g_type_ensure (VP_TYPE_UNLOCK_PAGE);
  g_type_ensure (VP_TYPE_RECOVERY_PAGE);
  g_type_ensure (VP_TYPE_CONTACT_FORM);
  g_type_ensure (VP_TYPE_TODAY_PAGE);
  g_type_ensure (VP_TYPE_REPORT_PAGE);
  g_type_ensure (VP_TYPE_ACCOUNTS_PAGE);
  g_type_ensure (VP_TYPE_CLIENTS_PAGE);
  g_type_ensure (VP_TYPE_REFERRALS_PAGE);
  g_type_ensure (VP_TYPE_AUDIT_PAGE);
  g_type_ensure (VP_TYPE_TEAM_SYNC_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, VpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, setup_page);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, unlock_page);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, recovery_page);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, contact_form);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, today_page);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, report_page);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, accounts_page);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, clients_page);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, audit_page);
  gtk_widget_class_bind_template_callback (widget_class, on_page_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_follow_up);
  gtk_widget_class_bind_template_callback (widget_class, on_open_client);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, referrals_page);
  gtk_widget_class_bind_template_child (widget_class, VpWindow, team_sync_page);
  gtk_widget_class_bind_template_callback (widget_class, on_store_ready);
  gtk_widget_class_bind_template_callback (widget_class, on_store_created);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_saved);
  gtk_widget_class_bind_template_callback (widget_class, on_report_sent);
  gtk_widget_class_bind_template_callback (widget_class, on_today_changed);

  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_activated);
  gtk_widget_class_install_action (widget_class, "win.backup", NULL, backup_activated);
  gtk_widget_class_install_action (widget_class, "win.undo-contact", "x", undo_contact_activated);
  gtk_widget_class_install_action (widget_class, "win.change-passphrase", NULL, change_passphrase_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lock", NULL);

  /* Alt+1..7 and Ctrl+F reach the pages from the keyboard alone; each is
   * listed in vp-shortcuts.ui, which /keyboard/shortcuts-listed checks. */
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_activated);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-page", "s", "register");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-page", "s", "clients");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-page", "s", "today");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.show-page", "s", "report");
  gtk_widget_class_install_action (widget_class, "win.show-team", NULL, show_team_activated);
  gtk_widget_class_install_action (widget_class, "win.show-sync", NULL, show_sync_activated);
  gtk_widget_class_install_action (widget_class, "win.show-audit", NULL, show_team_activated);
  gtk_widget_class_install_action (widget_class, "win.show-referrals", NULL, show_team_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_ALT_MASK, "win.show-team", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_6, GDK_ALT_MASK, "win.show-audit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_7, GDK_ALT_MASK, "win.show-referrals", NULL);
}

static void
vp_window_init (VpWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->idle = vp_idle_monitor_new (GTK_WIDGET (self));
  g_signal_connect_object (self->idle, "idle", G_CALLBACK (on_idle), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::idle-lock-minutes",
                           G_CALLBACK (on_idle_setting_changed), self, G_CONNECT_SWAPPED);
  on_idle_setting_changed (self);
}

VpIdleMonitor *
_vp_window_get_idle_monitor (VpWindow *self)
{
  g_return_val_if_fail (VP_IS_WINDOW (self), NULL);
  return self->idle;
}

VpWindow *
vp_window_new (AdwApplication *application,
               const char     *store_dir)
{
  return g_object_new (VP_TYPE_WINDOW,
                       "application", application,
                       "store-dir", store_dir,
                       NULL);
}

VpStore *
vp_window_get_store (VpWindow *self)
{
  g_return_val_if_fail (VP_IS_WINDOW (self), NULL);
  return self->store;
}

const char *
vp_window_get_page_name (VpWindow *self)
{
  g_return_val_if_fail (VP_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}
