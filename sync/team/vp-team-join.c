/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-relay-client.h"
#include "vp-team-enrol.h"
#include "vp-team-invite.h"
#include "vp-team-join.h"

/* As VpTeamInvite: the joiner's steps of vp-team-enrol.c, one at a time
 * in a worker thread on a clone of the store, a timer between them. The
 * last step joins the store itself, in the worker's connection; the
 * object then tells VpTeamSync to look again and sync. */

G_DEFINE_ENUM_TYPE (VpTeamJoinState, vp_team_join_state,
                    G_DEFINE_ENUM_VALUE (VP_TEAM_JOIN_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_JOIN_WAITING, "waiting"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_JOIN_COMPARE, "compare"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_JOIN_DONE, "done"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_JOIN_FAILED, "failed"))

typedef enum {
  STEP_OPEN,
  STEP_REVEAL,
  STEP_KEY,
} Step;

struct _VpTeamJoin
{
  GObject            parent_instance;

  VpTeamSync        *sync;
  VpTeamJoinState  state;
  VpJoinSteps        steps;     /* touched by one worker at a time */
  char              *code;       /* as typed, until the first step */
  char              *device_name;
  gboolean           joined;    /* the store is in the team */
  char              *error_text;
  gboolean           working;
  guint              timer;
  GCancellable      *cancellable;
};

G_DEFINE_FINAL_TYPE (VpTeamJoin, vp_team_join, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_SAFETY_NUMBER,
  PROP_ERROR_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void run_step (VpTeamJoin *self, Step step);

static void
set_state (VpTeamJoin      *self,
           VpTeamJoinState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
fail (VpTeamJoin *self,
      const char   *text)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  g_free (self->error_text);
  self->error_text = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_TEXT]);
  set_state (self, VP_TEAM_JOIN_FAILED);
}

typedef struct {
  Step     step;
  VpStore *clone;
} StepData;

static void
step_data_free (StepData *data)
{
  g_clear_object (&data->clone);
  g_free (data);
}

static void
step_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  VpTeamJoin *self = source_object;
  StepData *data = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (data->step)
    {
    case STEP_OPEN:
      ok = _vp_join_open (data->clone, &self->steps, self->code, self->device_name, &error);
      break;
    case STEP_REVEAL:
      ok = _vp_join_poll_reveal (data->clone, &self->steps, &error);
      break;
    case STEP_KEY:
      ok = _vp_join_poll_key (data->clone, &self->steps, &self->joined, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
on_poll (gpointer user_data)
{
  VpTeamJoin *self = user_data;

  self->timer = 0;
  run_step (self, self->steps.revealed ? STEP_KEY : STEP_REVEAL);
  return G_SOURCE_REMOVE;
}

static void
poll_later (VpTeamJoin *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  self->timer = g_timeout_add_seconds (VP_TEAM_ENROL_POLL, on_poll, self);
}

static void
step_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  VpTeamJoin *self = VP_TEAM_JOIN (object);
  StepData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->working = FALSE;
  /* The last step may have joined the store even if it was cancelled or
   * failed afterwards: the window's connection must know either way. */
  if (data->step == STEP_KEY)
    _vp_team_sync_store_joined (self->sync);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (data->step != STEP_OPEN && g_error_matches (error, VP_RELAY_ERROR, VP_RELAY_ERROR_NETWORK))
        poll_later (self);
      else
        fail (self, error->message);
      return;
    }
  if (self->state == VP_TEAM_JOIN_FAILED)
    return;
  switch (data->step)
    {
    case STEP_OPEN:
      set_state (self, VP_TEAM_JOIN_WAITING);
      poll_later (self);
      break;
    case STEP_REVEAL:
      if (self->steps.revealed)
        {
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAFETY_NUMBER]);
          set_state (self, VP_TEAM_JOIN_COMPARE);
        }
      poll_later (self);
      break;
    case STEP_KEY:
      if (!self->joined)
        {
          poll_later (self);
          break;
        }
      set_state (self, VP_TEAM_JOIN_DONE);
      /* The first round brings the team's caseload and sends this
       * laptop's own. */
      vp_team_sync_sync_now (self->sync);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
run_step (VpTeamJoin *self,
          Step          step)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  StepData *data;

  if (self->working)
    return;
  data = g_new0 (StepData, 1);
  data->step = step;
  task = g_task_new (self, self->cancellable, step_done, NULL);
  g_task_set_source_tag (task, run_step);
  g_task_set_task_data (task, data, (GDestroyNotify) step_data_free);
  data->clone = vp_store_open_clone (vp_team_sync_get_store (self->sync), &error);
  if (data->clone == NULL)
    {
      fail (self, error->message);
      return;
    }
  self->working = TRUE;
  g_task_run_in_thread (task, step_thread);
}

VpTeamJoin *
vp_team_join_new (VpTeamSync *sync,
                  const char *code,
                  const char *device_name)
{
  VpTeamJoin *self;

  g_return_val_if_fail (VP_IS_TEAM_SYNC (sync), NULL);

  self = g_object_new (VP_TYPE_TEAM_JOIN, NULL);
  self->sync = g_object_ref (sync);
  self->code = g_strdup (code != NULL ? code : "");
  self->device_name = g_strdup (device_name);
  run_step (self, STEP_OPEN);
  return self;
}

void
vp_team_join_cancel (VpTeamJoin *self)
{
  g_return_if_fail (VP_IS_TEAM_JOIN (self));

  if (self->state == VP_TEAM_JOIN_DONE || self->state == VP_TEAM_JOIN_FAILED)
    return;
  g_cancellable_cancel (self->cancellable);
  fail (self, _("Joining the team was cancelled"));
}

VpTeamJoinState
vp_team_join_get_state (VpTeamJoin *self)
{
  g_return_val_if_fail (VP_IS_TEAM_JOIN (self), VP_TEAM_JOIN_FAILED);
  return self->state;
}

const char *
vp_team_join_get_safety_number (VpTeamJoin *self)
{
  g_return_val_if_fail (VP_IS_TEAM_JOIN (self), NULL);
  return self->steps.revealed && self->state != VP_TEAM_JOIN_FAILED ? self->steps.safety_number : NULL;
}

const char *
vp_team_join_get_error_text (VpTeamJoin *self)
{
  g_return_val_if_fail (VP_IS_TEAM_JOIN (self), NULL);
  return self->error_text;
}

static void
vp_team_join_dispose (GObject *object)
{
  VpTeamJoin *self = VP_TEAM_JOIN (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (vp_team_join_parent_class)->dispose (object);
}

static void
vp_team_join_finalize (GObject *object)
{
  VpTeamJoin *self = VP_TEAM_JOIN (object);

  g_clear_object (&self->sync);
  g_clear_object (&self->cancellable);
  _vp_join_steps_clear (&self->steps);
  g_free (self->code);
  g_free (self->device_name);
  g_free (self->error_text);
  G_OBJECT_CLASS (vp_team_join_parent_class)->finalize (object);
}

static void
vp_team_join_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  VpTeamJoin *self = VP_TEAM_JOIN (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_SAFETY_NUMBER:
      g_value_set_string (value, vp_team_join_get_safety_number (self));
      break;
    case PROP_ERROR_TEXT:
      g_value_set_string (value, self->error_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vp_team_join_class_init (VpTeamJoinClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vp_team_join_dispose;
  object_class->finalize = vp_team_join_finalize;
  object_class->get_property = vp_team_join_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, VP_TYPE_TEAM_JOIN_STATE, VP_TEAM_JOIN_CONNECTING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAFETY_NUMBER] =
    g_param_spec_string ("safety-number", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR_TEXT] =
    g_param_spec_string ("error-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vp_team_join_init (VpTeamJoin *self)
{
  self->cancellable = g_cancellable_new ();
}
