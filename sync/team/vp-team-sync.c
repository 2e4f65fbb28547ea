/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-relay-client.h"
#include "vp-team-round.h"
#include "vp-team-store-private.h"
#include "vp-team-sync.h"

/* VpTeamSync runs the blocking work of vp-team-round.c one operation at a
 * time, each in a worker thread on a clone of the store (its own SQLite
 * connection), and turns the outcome into a state the window can show.
 * Operations queue: a round asked for while another runs is merged into
 * one that follows it. The schedule: every VP_TEAM_SYNC_INTERVAL seconds
 * while started, VP_TEAM_SYNC_AFTER_WRITE seconds after a local write, and
 * while the relay cannot be reached from VP_TEAM_SYNC_RETRY_FIRST doubling
 * up to VP_TEAM_SYNC_RETRY_MAX. */

#define SETTING_LAST_SYNC "team_last_sync"

G_DEFINE_ENUM_TYPE (VpTeamSyncState, vp_team_sync_state,
                    G_DEFINE_ENUM_VALUE (VP_TEAM_SYNC_OFF, "off"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_SYNC_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_SYNC_SYNCING, "syncing"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_SYNC_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_SYNC_REMOVED, "removed"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_SYNC_NEEDS_ATTENTION, "needs-attention"))

typedef enum {
  OP_ROUND,
  OP_TURN_ON,
  OP_REMOVE,
  OP_DEVICES,
} OpKind;

typedef struct {
  OpKind     kind;
  VpStore   *clone;
  char      *device_name;
  VpUid      device;
  GPtrArray *members;
  gboolean   online;
  gboolean   round_after;  /* the operation is followed by a round */
} OpData;

struct _VpTeamSync
{
  GObject          parent_instance;

  VpStore         *store;
  gboolean         enabled;
  VpTeamSyncState  state;
  char            *status_text;
  GDateTime       *last_sync;

  GQueue           ops;          /* GTask, waiting */
  GTask           *running;
  gboolean         round_wanted;
  GCancellable    *cancellable;  /* of the started schedule */
  gboolean         started;
  guint            timer;
  guint            retry;        /* seconds of the last backoff; 0: none */
};

G_DEFINE_FINAL_TYPE (VpTeamSync, vp_team_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ENABLED,
  PROP_STATE,
  PROP_STATUS_TEXT,
  PROP_LAST_SYNC,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ROUND_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void run_next (VpTeamSync *self);
static void schedule (VpTeamSync *self, guint seconds);

void
vp_team_member_free (VpTeamMember *member)
{
  if (member == NULL)
    return;
  g_free (member->name);
  g_clear_pointer (&member->last_synced, g_date_time_unref);
  g_free (member);
}

static void
op_data_free (OpData *data)
{
  g_clear_object (&data->clone);
  g_free (data->device_name);
  g_clear_pointer (&data->members, g_ptr_array_unref);
  g_free (data);
}

/* ---- State ------------------------------------------------------------ */

static const char *
text_for_state (VpTeamSyncState state)
{
  switch (state)
    {
    case VP_TEAM_SYNC_OFF:
      return _("Team sync is off");
    case VP_TEAM_SYNC_IDLE:
      return _("Up to date with the team");
    case VP_TEAM_SYNC_SYNCING:
      return _("Synchronising with the team…");
    case VP_TEAM_SYNC_OFFLINE:
      return _("The team’s relay cannot be reached; trying again later");
    case VP_TEAM_SYNC_REMOVED:
      return _("This laptop was removed from the team");
    case VP_TEAM_SYNC_NEEDS_ATTENTION:
    default:
      return _("Team sync needs attention");
    }
}

static void
set_state (VpTeamSync      *self,
           VpTeamSyncState  state,
           const char      *reason)
{
  g_autofree char *text = NULL;

  if (state == VP_TEAM_SYNC_NEEDS_ATTENTION && reason != NULL)
    /* Translators: the reason is a sentence from the relay or the store. */
    text = g_strdup_printf (_("Team sync needs attention: %s"), reason);
  else
    text = g_strdup (text_for_state (state));
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (g_strcmp0 (self->status_text, text) != 0)
    {
      g_free (self->status_text);
      self->status_text = g_steal_pointer (&text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
    }
}

static void
load_last_sync (VpTeamSync *self)
{
  g_autofree char *text = vp_store_is_open (self->store) ? vp_store_get_setting (self->store, SETTING_LAST_SYNC) : NULL;
  GDateTime *when = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  g_clear_pointer (&self->last_sync, g_date_time_unref);
  self->last_sync = when;
}

/* The team was joined or made on a worker's connection: this one must
 * start noting local writes as changes too (the store does that when it
 * opens, and for clones). */
void
_vp_team_sync_store_joined (VpTeamSync *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (VP_IS_TEAM_SYNC (self));

  if (!vp_store_team_reload (self->store, &error))
    g_warning ("Team sync: this window's store connection could not join the team: %s", error->message);
  _vp_team_sync_refresh (self);
}

/* Reads what the store says now: in a team, removed, last sync. */
void
_vp_team_sync_refresh (VpTeamSync *self)
{
  gboolean enabled = vp_store_is_open (self->store) && vp_store_team_is_enabled (self->store);

  g_return_if_fail (VP_IS_TEAM_SYNC (self));

  if (enabled != self->enabled)
    {
      self->enabled = enabled;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
    }
  load_last_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
  if (!enabled)
    set_state (self, VP_TEAM_SYNC_OFF, NULL);
  else
    {
      g_auto(VpTeamIdentity) identity = { 0 };

      if (vp_store_team_get_identity (self->store, &identity, NULL) && identity.removed)
        set_state (self, VP_TEAM_SYNC_REMOVED, NULL);
      else if (self->state == VP_TEAM_SYNC_OFF || self->state == VP_TEAM_SYNC_REMOVED)
        set_state (self, VP_TEAM_SYNC_IDLE, NULL);
    }
}

static gboolean
is_offline_error (const GError *error)
{
  return g_error_matches (error, VP_RELAY_ERROR, VP_RELAY_ERROR_NETWORK)
         || g_error_matches (error, VP_RELAY_ERROR, VP_RELAY_ERROR_UNCONFIRMED)
         || g_error_matches (error, VP_RELAY_ERROR, VP_RELAY_ERROR_SERVER)
         || g_error_matches (error, VP_RELAY_ERROR, VP_RELAY_ERROR_QUOTA)
         || g_error_matches (error, VP_STORE_ERROR, VP_STORE_ERROR_BUSY);
}

static void
round_outcome (VpTeamSync   *self,
               const GError *error)
{
  if (error == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *text = g_date_time_format_iso8601 (now);

      self->retry = 0;
      if (vp_store_is_open (self->store))
        vp_store_set_setting (self->store, SETTING_LAST_SYNC, text, NULL);
      g_clear_pointer (&self->last_sync, g_date_time_unref);
      self->last_sync = g_date_time_ref (now);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
      set_state (self, VP_TEAM_SYNC_IDLE, NULL);
      schedule (self, VP_TEAM_SYNC_INTERVAL);
    }
  else if (g_error_matches (error, VP_RELAY_ERROR, VP_RELAY_ERROR_REMOVED))
    set_state (self, VP_TEAM_SYNC_REMOVED, NULL);
  else if (g_error_matches (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED)
           || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_state (self, self->enabled ? VP_TEAM_SYNC_IDLE : VP_TEAM_SYNC_OFF, NULL);
  else if (is_offline_error (error))
    {
      self->retry = self->retry == 0 ? VP_TEAM_SYNC_RETRY_FIRST : MIN (self->retry * 2, VP_TEAM_SYNC_RETRY_MAX);
      set_state (self, VP_TEAM_SYNC_OFFLINE, NULL);
      schedule (self, self->retry);
    }
  else
    {
      set_state (self, VP_TEAM_SYNC_NEEDS_ATTENTION, error->message);
      schedule (self, VP_TEAM_SYNC_INTERVAL);
    }
}

/* ---- Operations --------------------------------------------------------- */

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  OpData *data = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (data->kind)
    {
    case OP_ROUND:
      ok = _vp_team_round (data->clone, cancellable, NULL, &error);
      break;
    case OP_TURN_ON:
      ok = _vp_team_create (data->clone, data->device_name, &error);
      break;
    case OP_REMOVE:
      ok = _vp_team_remove_device (data->clone, &data->device, &error);
      break;
    case OP_DEVICES:
      data->members = _vp_team_devices (data->clone, &data->online, &error);
      ok = data->members != NULL;
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Queues an operation; its task's callback runs on this object's
 * context when it is done. */
static void
queue_op (VpTeamSync *self,
          GTask      *task)
{
  g_queue_push_tail (&self->ops, g_object_ref (task));
  run_next (self);
}

static void
round_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  VpTeamSync *self = VP_TEAM_SYNC (object);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  round_outcome (self, error);
  g_signal_emit (self, signals[ROUND_FINISHED], 0, ok);
}

static GTask *
new_op (VpTeamSync          *self,
        OpKind               kind,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  OpData *data = g_new0 (OpData, 1);

  data->kind = kind;
  g_task_set_task_data (task, data, (GDestroyNotify) op_data_free);
  return task;
}

static void
queue_round (VpTeamSync *self)
{
  g_autoptr(GTask) task = NULL;

  /* One round waiting is enough: it sends and fetches everything. */
  for (GList *l = self->ops.head; l != NULL; l = l->next)
    if (((OpData *) g_task_get_task_data (l->data))->kind == OP_ROUND)
      return;
  task = new_op (self, OP_ROUND, self->cancellable, round_done, NULL);
  g_task_set_source_tag (task, queue_round);
  queue_op (self, task);
}

static void
op_finished (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  VpTeamSync *self = g_task_get_source_object (outer);
  OpData *data = g_task_get_task_data (outer);
  GError *error = NULL;
  gboolean ok;

  g_clear_object (&self->running);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  /* The outer task's own callback sees the result. */
  ok = g_task_propagate_boolean (G_TASK (result), &error);
  /* Also when cancelled or failed: the worker may have joined the store
   * before that, and this connection must know. */
  if (data->kind == OP_TURN_ON)
    _vp_team_sync_store_joined (self);
  else if (data->kind != OP_ROUND && data->kind != OP_DEVICES)
    _vp_team_sync_refresh (self);
  if (ok)
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
  if (data->round_after && self->enabled && ok)
    queue_round (self);
  run_next (self);
}

static void
run_next (VpTeamSync *self)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  g_autoptr(GError) error = NULL;
  OpData *data;

  if (self->running != NULL || g_queue_is_empty (&self->ops))
    return;
  outer = g_queue_pop_head (&self->ops);
  data = g_task_get_task_data (outer);
  if (g_task_return_error_if_cancelled (outer))
    {
      run_next (self);
      return;
    }
  data->clone = vp_store_open_clone (self->store, &error);
  if (data->clone == NULL)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      run_next (self);
      return;
    }
  if (data->kind == OP_ROUND)
    set_state (self, VP_TEAM_SYNC_SYNCING, NULL);
  self->running = g_object_ref (outer);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  /* The work runs in an inner task, whose data is the outer's; the outer
   * one returns after the object has noted that nothing runs any more. */
  inner = g_task_new (self, g_task_get_cancellable (outer), op_finished, g_object_ref (outer));
  g_task_set_task_data (inner, data, NULL);
  g_task_run_in_thread (inner, op_thread);
}

/* ---- The schedule ----------------------------------------------------------- */

static gboolean
on_timer (gpointer user_data)
{
  VpTeamSync *self = user_data;

  self->timer = 0;
  if (self->started && self->enabled && self->state != VP_TEAM_SYNC_REMOVED)
    queue_round (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (VpTeamSync *self,
          guint       seconds)
{
  if (!self->started || !self->enabled || self->state == VP_TEAM_SYNC_REMOVED)
    return;
  g_clear_handle_id (&self->timer, g_source_remove);
  self->timer = g_timeout_add_seconds (seconds, on_timer, self);
}

void
vp_team_sync_start (VpTeamSync *self)
{
  g_return_if_fail (VP_IS_TEAM_SYNC (self));

  _vp_team_sync_refresh (self);
  if (self->started)
    return;
  self->started = TRUE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->enabled && self->state != VP_TEAM_SYNC_REMOVED)
    queue_round (self);
}

void
vp_team_sync_stop (VpTeamSync *self)
{
  g_return_if_fail (VP_IS_TEAM_SYNC (self));

  self->started = FALSE;
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

void
vp_team_sync_sync_now (VpTeamSync *self)
{
  g_return_if_fail (VP_IS_TEAM_SYNC (self));

  _vp_team_sync_refresh (self);
  if (!self->enabled || self->state == VP_TEAM_SYNC_REMOVED)
    return;
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  self->retry = 0;
  queue_round (self);
}

void
vp_team_sync_note_local_change (VpTeamSync *self)
{
  g_return_if_fail (VP_IS_TEAM_SYNC (self));

  /* Offline, the backoff decides; otherwise soon, but once for a burst
   * of writes. */
  if (self->state == VP_TEAM_SYNC_OFFLINE)
    return;
  schedule (self, VP_TEAM_SYNC_AFTER_WRITE);
}

/* ---- The team leader's and the list's operations -------------------------- */

void
vp_team_sync_turn_on_async (VpTeamSync          *self,
                            const char          *device_name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpData *data;

  g_return_if_fail (VP_IS_TEAM_SYNC (self));

  task = new_op (self, OP_TURN_ON, cancellable, callback, user_data);
  g_task_set_source_tag (task, vp_team_sync_turn_on_async);
  data = g_task_get_task_data (task);
  data->device_name = g_strdup (device_name);
  data->round_after = TRUE;
  queue_op (self, task);
}

gboolean
vp_team_sync_turn_on_finish (VpTeamSync    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
vp_team_sync_remove_device_async (VpTeamSync          *self,
                                  const VpUid         *device,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpData *data;

  g_return_if_fail (VP_IS_TEAM_SYNC (self));
  g_return_if_fail (device != NULL);

  task = new_op (self, OP_REMOVE, cancellable, callback, user_data);
  g_task_set_source_tag (task, vp_team_sync_remove_device_async);
  data = g_task_get_task_data (task);
  data->device = *device;
  data->round_after = TRUE;
  queue_op (self, task);
}

gboolean
vp_team_sync_remove_device_finish (VpTeamSync    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
vp_team_sync_list_devices_async (VpTeamSync          *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (VP_IS_TEAM_SYNC (self));

  task = new_op (self, OP_DEVICES, cancellable, callback, user_data);
  g_task_set_source_tag (task, vp_team_sync_list_devices_async);
  queue_op (self, task);
}

static VpTeamMember *
member_from_device (const VpTeamDevice *d,
                    const VpUid        *self_device)
{
  VpTeamMember *m = g_new0 (VpTeamMember, 1);

  m->device = d->device;
  m->name = g_strdup (d->name != NULL ? d->name : "");
  m->role = d->role;
  m->is_self = vp_uid_equal (&d->device, self_device);
  m->removed = d->removed_at != NULL;
  if (d->last_synced_at != NULL)
    m->last_synced = g_date_time_new_from_iso8601 (d->last_synced_at, NULL);
  return m;
}

GPtrArray *
vp_team_sync_list_devices_finish (VpTeamSync    *self,
                                  GAsyncResult  *result,
                                  gboolean      *online,
                                  GError       **error)
{
  g_auto(VpTeamIdentity) identity = { 0 };
  g_autoptr(GPtrArray) members = NULL;
  OpData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  if (!vp_store_team_get_identity (self->store, &identity, error))
    return NULL;
  members = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_team_member_free);
  for (guint i = 0; i < data->members->len; i++)
    g_ptr_array_add (members, member_from_device (g_ptr_array_index (data->members, i), &identity.device));
  if (online != NULL)
    *online = data->online;
  return g_steal_pointer (&members);
}

/* ---- GObject ---------------------------------------------------------------- */

VpStore *
vp_team_sync_get_store (VpTeamSync *self)
{
  g_return_val_if_fail (VP_IS_TEAM_SYNC (self), NULL);
  return self->store;
}

gboolean
vp_team_sync_get_enabled (VpTeamSync *self)
{
  g_return_val_if_fail (VP_IS_TEAM_SYNC (self), FALSE);
  return self->enabled;
}

VpTeamSyncState
vp_team_sync_get_state (VpTeamSync *self)
{
  g_return_val_if_fail (VP_IS_TEAM_SYNC (self), VP_TEAM_SYNC_OFF);
  return self->state;
}

const char *
vp_team_sync_get_status_text (VpTeamSync *self)
{
  g_return_val_if_fail (VP_IS_TEAM_SYNC (self), NULL);
  return self->status_text;
}

GDateTime *
vp_team_sync_get_last_sync (VpTeamSync *self)
{
  g_return_val_if_fail (VP_IS_TEAM_SYNC (self), NULL);
  return self->last_sync;
}

gboolean
vp_team_sync_get_busy (VpTeamSync *self)
{
  g_return_val_if_fail (VP_IS_TEAM_SYNC (self), FALSE);
  return self->running != NULL;
}

VpTeamSync *
vp_team_sync_new (VpStore *store)
{
  VpTeamSync *self;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  self = g_object_new (VP_TYPE_TEAM_SYNC, NULL);
  self->store = g_object_ref (store);
  /* Every write on the window's store, whichever page made it. */
  g_signal_connect_object (store, "team-changes", G_CALLBACK (vp_team_sync_note_local_change),
                           self, G_CONNECT_SWAPPED);
  self->status_text = g_strdup (text_for_state (VP_TEAM_SYNC_OFF));
  _vp_team_sync_refresh (self);
  return self;
}

static void
vp_team_sync_dispose (GObject *object)
{
  VpTeamSync *self = VP_TEAM_SYNC (object);

  vp_team_sync_stop (self);
  g_queue_clear_full (&self->ops, g_object_unref);
  G_OBJECT_CLASS (vp_team_sync_parent_class)->dispose (object);
}

static void
vp_team_sync_finalize (GObject *object)
{
  VpTeamSync *self = VP_TEAM_SYNC (object);

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_sync, g_date_time_unref);
  g_free (self->status_text);
  G_OBJECT_CLASS (vp_team_sync_parent_class)->finalize (object);
}

static void
vp_team_sync_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  VpTeamSync *self = VP_TEAM_SYNC (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;
    case PROP_LAST_SYNC:
      g_value_set_boxed (value, self->last_sync);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->running != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vp_team_sync_class_init (VpTeamSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vp_team_sync_dispose;
  object_class->finalize = vp_team_sync_finalize;
  object_class->get_property = vp_team_sync_get_property;

  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, VP_TYPE_TEAM_SYNC_STATE, VP_TEAM_SYNC_OFF,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNC] =
    g_param_spec_boxed ("last-sync", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ROUND_FINISHED] =
    g_signal_new ("round-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
vp_team_sync_init (VpTeamSync *self)
{
  g_queue_init (&self->ops);
}
