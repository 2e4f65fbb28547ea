/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-dialogs.h"
#include "vp-team-invite.h"
#include "vp-team-join.h"
#include "vp-team-sync-page.h"

/* Team sync (#16), for every account: how this laptop's sync goes; for a
 * team leader's account with no team yet, turning it on; for any other
 * laptop, joining with the code on the team leader's screen; and, in a
 * team, its laptops and (for the team leader) inviting and removing them.
 * Enrolment shows the same safety number on both screens; the team leader
 * admits the new laptop only when the two match. */
struct _VpTeamSyncPage
{
  GtkWidget     parent_instance;

  AdwActionRow *status_row;
  GtkWidget    *sync_now_button;
  GtkWidget    *start_group;
  GtkWidget    *start_buttons;
  GtkWidget    *turn_on_button;
  AdwEntryRow  *name_row;
  AdwEntryRow  *code_row;
  GtkWidget    *enrol_box;
  GtkLabel     *enrol_heading;
  GtkLabel     *enrol_number;
  GtkLabel     *enrol_text;
  GtkWidget    *confirm_button;
  GtkWidget    *devices_group;
  GtkListBox   *devices_list;
  GtkWidget    *invite_button;
  GtkLabel     *error_label;

  VpTeamSync   *sync;
  VpTeamInvite *invite;
  VpTeamJoin   *join;
  GCancellable *cancellable;
  gboolean      turning_on;
};

G_DEFINE_FINAL_TYPE (VpTeamSyncPage, vp_team_sync_page, GTK_TYPE_WIDGET)

static void update (VpTeamSyncPage *self);
static void refresh_devices (VpTeamSyncPage *self);

static void
show_error (VpTeamSyncPage *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static gboolean
is_leader_account (VpTeamSyncPage *self)
{
  return self->sync != NULL &&
         g_strcmp0 (vp_store_get_account_role (vp_team_sync_get_store (self->sync)), "team_leader") == 0;
}

/* The team leader's laptop: enrolled as the leader's, with a leader's
 * account unlocked on it. */
static gboolean
is_leader_laptop (VpTeamSyncPage *self)
{
  VpStore *store;

  if (self->sync == NULL || !vp_team_sync_get_enabled (self->sync))
    return FALSE;
  store = vp_team_sync_get_store (self->sync);
  return vp_store_is_open (store) && !vp_store_team_is_coach_laptop (store) && is_leader_account (self);
}

static char *
format_time (GDateTime *when)
{
  g_autoptr(GDateTime) local = NULL;

  if (when == NULL)
    return NULL;
  local = g_date_time_to_local (when);
  /* TRANSLATORS: a date and time, as g_date_time_format() takes it */
  return g_date_time_format (local, _("%e %B %Y, %H:%M"));
}

static void
update_status (VpTeamSyncPage *self)
{
  gboolean enabled = self->sync != NULL && vp_team_sync_get_enabled (self->sync);
  g_autofree char *last = NULL;
  g_autofree char *subtitle = NULL;

  if (!enabled)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row),
                                     _("This laptop is not in a team"));
      adw_action_row_set_subtitle (self->status_row,
                                   _("Its records stay on this laptop alone."));
      return;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row),
                                 vp_team_sync_get_status_text (self->sync));
  last = format_time (vp_team_sync_get_last_sync (self->sync));
  subtitle = last != NULL ? g_strdup_printf (_("Last synchronised %s"), last)
                          : g_strdup (_("Not synchronised yet"));
  adw_action_row_set_subtitle (self->status_row, subtitle);
}

static void
update (VpTeamSyncPage *self)
{
  gboolean enabled = self->sync != NULL && vp_team_sync_get_enabled (self->sync);
  gboolean enrolling = self->invite != NULL || self->join != NULL;
  gboolean busy = self->sync == NULL || vp_team_sync_get_busy (self->sync) || self->turning_on;

  update_status (self);
  /* A removed laptop has nothing left to sync with. */
  gtk_widget_set_visible (self->sync_now_button,
                          enabled && vp_team_sync_get_state (self->sync) != VP_TEAM_SYNC_REMOVED);
  gtk_widget_set_visible (self->start_group, !enabled && !enrolling);
  gtk_widget_set_visible (self->start_buttons, !enabled && !enrolling);
  gtk_widget_set_visible (self->turn_on_button, is_leader_account (self));
  gtk_widget_set_visible (self->devices_group, enabled);
  gtk_widget_set_visible (self->invite_button, is_leader_laptop (self) && !enrolling);
  gtk_widget_set_visible (self->enrol_box, enrolling);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "team-sync.sync-now",
                                 enabled && !busy && vp_team_sync_get_state (self->sync) != VP_TEAM_SYNC_REMOVED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "team-sync.turn-on", !enabled && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "team-sync.join", !enabled && !busy);
}

/* ---- Enrolment, on both screens ---------------------------------------- */

static void
set_enrol (VpTeamSyncPage *self,
           const char     *heading,
           const char     *number,
           const char     *text,
           gboolean        can_confirm)
{
  gtk_label_set_text (self->enrol_heading, heading);
  gtk_label_set_text (self->enrol_number, number != NULL ? number : "");
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_number), number != NULL);
  gtk_label_set_text (self->enrol_text, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->enrol_text), text != NULL);
  gtk_widget_set_visible (self->confirm_button, can_confirm);
}

static void
end_enrolment (VpTeamSyncPage *self)
{
  if (self->invite != NULL)
    g_signal_handlers_disconnect_by_data (self->invite, self);
  if (self->join != NULL)
    g_signal_handlers_disconnect_by_data (self->join, self);
  g_clear_object (&self->invite);
  g_clear_object (&self->join);
  update (self);
}

static void
on_invite_changed (VpTeamSyncPage *self)
{
  VpTeamInvite *invite = self->invite;

  switch (vp_team_invite_get_state (invite))
    {
    case VP_TEAM_INVITE_STARTING:
      set_enrol (self, _("Inviting a laptop…"), NULL, NULL, FALSE);
      break;
    case VP_TEAM_INVITE_WAITING:
      set_enrol (self, _("Type this code on the new laptop"), vp_team_invite_get_code (invite),
                 _("On the new laptop, open Team Sync, give the laptop a name, type the code and press Join the Team. The code works for 15 minutes, for one laptop."),
                 FALSE);
      break;
    case VP_TEAM_INVITE_COMPARE:
      set_enrol (self, _("Compare the numbers"), vp_team_invite_get_safety_number (invite),
                 _("The new laptop now shows a number too. Press The Numbers Match only if both screens show the same number. If they differ, cancel: someone may be between the two laptops."),
                 TRUE);
      gtk_widget_grab_focus (self->confirm_button);
      break;
    case VP_TEAM_INVITE_CONFIRMING:
      set_enrol (self, _("Admitting the laptop…"), vp_team_invite_get_safety_number (invite), NULL, FALSE);
      break;
    case VP_TEAM_INVITE_DONE:
      vp_toast (GTK_WIDGET (self), _("The laptop is in the team"));
      end_enrolment (self);
      refresh_devices (self);
      return;
    case VP_TEAM_INVITE_FAILED:
    default:
      show_error (self, vp_team_invite_get_error_text (invite));
      end_enrolment (self);
      return;
    }
  update (self);
}

static void
on_join_changed (VpTeamSyncPage *self)
{
  VpTeamJoin *join = self->join;

  switch (vp_team_join_get_state (join))
    {
    case VP_TEAM_JOIN_CONNECTING:
      set_enrol (self, _("Joining the team…"), NULL, NULL, FALSE);
      break;
    case VP_TEAM_JOIN_WAITING:
      set_enrol (self, _("Waiting for the team leader’s laptop…"), NULL,
                 _("Keep this screen open until the team leader has admitted this laptop."), FALSE);
      break;
    case VP_TEAM_JOIN_COMPARE:
      set_enrol (self, _("Compare the numbers"), vp_team_join_get_safety_number (join),
                 _("The team leader’s screen shows a number too. Tell the team leader whether both are the same: only then does the team leader admit this laptop."),
                 FALSE);
      break;
    case VP_TEAM_JOIN_DONE:
      vp_toast (GTK_WIDGET (self), _("This laptop is in the team; its first sync brings the team’s caseload"));
      end_enrolment (self);
      refresh_devices (self);
      return;
    case VP_TEAM_JOIN_FAILED:
    default:
      show_error (self, vp_team_join_get_error_text (join));
      end_enrolment (self);
      return;
    }
  update (self);
}

static char *
laptop_name (VpTeamSyncPage *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  if (*name == '\0')
    {
      show_error (self, _("Give this laptop a name the team will recognise, such as “Laptop wijkteam Noord 2”"));
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return NULL;
    }
  return g_steal_pointer (&name);
}

static void
join_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  VpTeamSyncPage *self = VP_TEAM_SYNC_PAGE (widget);
  g_autofree char *code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));
  g_autofree char *name = NULL;

  show_error (self, NULL);
  if (self->sync == NULL || self->join != NULL || self->invite != NULL)
    return;
  if (*code == '\0')
    {
      show_error (self, _("Type the invite code that the team leader’s screen shows"));
      gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
      return;
    }
  name = laptop_name (self);
  if (name == NULL)
    return;
  self->join = vp_team_join_new (self->sync, code, name);
  g_signal_connect_swapped (self->join, "notify::state", G_CALLBACK (on_join_changed), self);
  g_signal_connect_swapped (self->join, "notify::safety-number", G_CALLBACK (on_join_changed), self);
  on_join_changed (self);
}

static void
on_code_activated (VpTeamSyncPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "team-sync.join", NULL);
}

static void
invite_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpTeamSyncPage *self = VP_TEAM_SYNC_PAGE (widget);

  show_error (self, NULL);
  if (self->sync == NULL || self->invite != NULL || self->join != NULL || !is_leader_laptop (self))
    return;
  self->invite = vp_team_invite_new (self->sync);
  g_signal_connect_swapped (self->invite, "notify::state", G_CALLBACK (on_invite_changed), self);
  g_signal_connect_swapped (self->invite, "notify::code", G_CALLBACK (on_invite_changed), self);
  g_signal_connect_swapped (self->invite, "notify::safety-number", G_CALLBACK (on_invite_changed), self);
  on_invite_changed (self);
}

static void
confirm_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  VpTeamSyncPage *self = VP_TEAM_SYNC_PAGE (widget);

  if (self->invite != NULL && vp_team_invite_get_state (self->invite) == VP_TEAM_INVITE_COMPARE)
    vp_team_invite_confirm (self->invite);
}

static void
cancel_enrolment_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  VpTeamSyncPage *self = VP_TEAM_SYNC_PAGE (widget);

  if (self->invite != NULL)
    vp_team_invite_cancel (self->invite);
  if (self->join != NULL)
    vp_team_join_cancel (self->join);
  end_enrolment (self);
}

/* ---- Turning on ----------------------------------------------------------- */

static void
turned_on (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(VpTeamSyncPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->turning_on = FALSE;
  if (!vp_team_sync_turn_on_finish (VP_TEAM_SYNC (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
    }
  else
    {
      vp_toast (GTK_WIDGET (self), _("Team sync is on; invite the team’s laptops"));
      refresh_devices (self);
    }
  update (self);
}

static void
turn_on_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  VpTeamSyncPage *self = VP_TEAM_SYNC_PAGE (widget);
  g_autofree char *name = NULL;

  show_error (self, NULL);
  if (self->sync == NULL || self->turning_on)
    return;
  name = laptop_name (self);
  if (name == NULL)
    return;
  self->turning_on = TRUE;
  vp_team_sync_turn_on_async (self->sync, name, self->cancellable, turned_on, g_object_ref (self));
  update (self);
}

static void
sync_now_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  VpTeamSyncPage *self = VP_TEAM_SYNC_PAGE (widget);

  show_error (self, NULL);
  if (self->sync != NULL)
    vp_team_sync_sync_now (self->sync);
}

/* ---- The laptops ---------------------------------------------------------- */

static GtkWidget *
device_row (VpTeamSyncPage     *self,
            const VpTeamMember *member)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *when = format_time (member->last_synced);
  const char *role = member->role == VP_TEAM_ROLE_TEAM_LEADER ? _("Team leader’s laptop") : _("Coach’s laptop");
  g_autofree char *subtitle = NULL;
  const char *name = member->name != NULL && *member->name != '\0' ? member->name
                                                                   : _("A laptop that has not given its name yet");

  if (member->removed)
    subtitle = g_strdup_printf ("%s · %s", role, _("removed from the team"));
  else if (when != NULL)
    /* TRANSLATORS: a laptop's role, and when it last synchronised */
    subtitle = g_strdup_printf (_("%s · last synchronised %s"), role, when);
  else
    subtitle = g_strdup_printf ("%s · %s", role, _("not synchronised yet"));
  if (member->is_self)
    {
      g_autofree char *self_name = g_strdup_printf (_("%s (this laptop)"), name);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), self_name);
    }
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (is_leader_laptop (self) && !member->is_self && !member->removed)
    {
      GtkWidget *remove = gtk_button_new_with_label (_("Remove"));
      char uid[VP_UID_STRING_LEN + 1];
      g_autofree char *label = g_strdup_printf (_("Remove %s from the team"), name);

      vp_uid_to_string (&member->device, uid);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "team-sync.remove");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", uid);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_widget_add_css_class (remove, "destructive-action");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
    }
  return row;
}

static void
devices_listed (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(VpTeamSyncPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = NULL;
  GtkWidget *child;
  const char *description = NULL;
  gboolean online = FALSE;

  members = vp_team_sync_list_devices_finish (VP_TEAM_SYNC (object), result, &online, &error);
  if (members == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("The team's laptops could not be listed: %s", error->message);
      return;
    }
  if (self->sync == NULL)
    return;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->devices_list))) != NULL)
    gtk_list_box_remove (self->devices_list, child);
  for (guint i = 0; i < members->len; i++)
    gtk_list_box_append (self->devices_list, device_row (self, g_ptr_array_index (members, i)));
  if (vp_team_sync_get_state (self->sync) == VP_TEAM_SYNC_REMOVED)
    description = _("As this laptop last heard, before it was removed from the team.");
  else if (!online)
    description = _("The relay cannot be reached: the times are those this laptop last heard.");
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->devices_group), description);
}

static void
refresh_devices (VpTeamSyncPage *self)
{
  if (self->sync == NULL || !vp_team_sync_get_enabled (self->sync))
    return;
  vp_team_sync_list_devices_async (self->sync, self->cancellable, devices_listed, g_object_ref (self));
}

typedef struct {
  GWeakRef page;
  VpUid    device;
} Removal;

static void
removal_free (gpointer  data,
              GClosure *closure)
{
  Removal *removal = data;

  g_weak_ref_clear (&removal->page);
  g_free (removal);
}

static void
removed (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(VpTeamSyncPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!vp_team_sync_remove_device_finish (VP_TEAM_SYNC (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  vp_toast (GTK_WIDGET (self), _("Laptop removed; the team key was replaced"));
  refresh_devices (self);
}

static void
remove_response (AdwMessageDialog *dialog,
                 const char       *response,
                 Removal          *removal)
{
  g_autoptr(VpTeamSyncPage) self = g_weak_ref_get (&removal->page);

  if (self == NULL || self->sync == NULL || !g_str_equal (response, "remove"))
    return;
  show_error (self, NULL);
  vp_team_sync_remove_device_async (self->sync, &removal->device, self->cancellable, removed,
                                    g_object_ref (self));
}

static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  VpTeamSyncPage *self = VP_TEAM_SYNC_PAGE (widget);
  AdwMessageDialog *dialog;
  Removal *removal = g_new0 (Removal, 1);

  if (!vp_uid_parse (g_variant_get_string (param, NULL), &removal->device, NULL) || !is_leader_laptop (self))
    {
      g_free (removal);
      return;
    }
  g_weak_ref_init (&removal->page, self);
  dialog = vp_dialog_new (widget, _("Remove Laptop from the Team?"),
                          _("It can no longer reach the relay, and the team key is replaced, so it cannot read anything written afterwards. What it holds now stays on it: if it was lost or stolen, its store is still encrypted with its passphrases."),
                          "remove", _("_Remove"), ADW_RESPONSE_DESTRUCTIVE);
  /* Return and Escape keep the laptop. */
  adw_message_dialog_set_default_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (remove_response), removal, removal_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- The object ----------------------------------------------------------- */

static void
on_round_finished (VpTeamSyncPage *self)
{
  update (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh_devices (self);
}

/**
 * vp_team_sync_page_set_sync:
 *
 * Shows @sync (NULL while the store is locked: the page forgets the team's
 * laptops and stops an enrolment under way).
 */
void
vp_team_sync_page_set_sync (VpTeamSyncPage *self,
                            VpTeamSync     *sync)
{
  GtkWidget *child;

  g_return_if_fail (VP_IS_TEAM_SYNC_PAGE (self));

  if (self->sync == sync)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->turning_on = FALSE;
  if (self->invite != NULL)
    vp_team_invite_cancel (self->invite);
  if (self->join != NULL)
    vp_team_join_cancel (self->join);
  end_enrolment (self);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_set_object (&self->sync, sync);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->devices_list))) != NULL)
    gtk_list_box_remove (self->devices_list, child);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  show_error (self, NULL);
  if (sync != NULL)
    {
      g_signal_connect_swapped (sync, "notify::enabled", G_CALLBACK (on_round_finished), self);
      g_signal_connect_swapped (sync, "notify::state", G_CALLBACK (update), self);
      g_signal_connect_swapped (sync, "notify::status-text", G_CALLBACK (update), self);
      g_signal_connect_swapped (sync, "notify::last-sync", G_CALLBACK (update), self);
      g_signal_connect_swapped (sync, "notify::busy", G_CALLBACK (update), self);
      g_signal_connect_swapped (sync, "round-finished", G_CALLBACK (on_round_finished), self);
    }
  update (self);
}

/* Called when the page is shown: the laptops' last sync times again. */
void
vp_team_sync_page_refresh (VpTeamSyncPage *self)
{
  g_return_if_fail (VP_IS_TEAM_SYNC_PAGE (self));
  update (self);
  refresh_devices (self);
}

static void
vp_team_sync_page_dispose (GObject *object)
{
  VpTeamSyncPage *self = VP_TEAM_SYNC_PAGE (object);
  GtkWidget *child;

  vp_team_sync_page_set_sync (self, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), VP_TYPE_TEAM_SYNC_PAGE);
  /* The template's root is not a bound child. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (vp_team_sync_page_parent_class)->dispose (object);
}

static void
vp_team_sync_page_class_init (VpTeamSyncPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_team_sync_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-team-sync-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, sync_now_button);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, start_group);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, start_buttons);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, turn_on_button);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, code_row);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, enrol_box);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, enrol_heading);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, enrol_number);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, enrol_text);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, confirm_button);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, devices_group);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, devices_list);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, invite_button);
  gtk_widget_class_bind_template_child (widget_class, VpTeamSyncPage, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_code_activated);

  gtk_widget_class_install_action (widget_class, "team-sync.sync-now", NULL, sync_now_activated);
  gtk_widget_class_install_action (widget_class, "team-sync.turn-on", NULL, turn_on_activated);
  gtk_widget_class_install_action (widget_class, "team-sync.join", NULL, join_activated);
  gtk_widget_class_install_action (widget_class, "team-sync.invite", NULL, invite_activated);
  gtk_widget_class_install_action (widget_class, "team-sync.confirm", NULL, confirm_activated);
  gtk_widget_class_install_action (widget_class, "team-sync.cancel-enrolment", NULL, cancel_enrolment_activated);
  gtk_widget_class_install_action (widget_class, "team-sync.remove", "s", remove_activated);
}

static void
vp_team_sync_page_init (VpTeamSyncPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  update (self);
}
