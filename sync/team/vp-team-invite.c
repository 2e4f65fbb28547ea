/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-relay-client.h"
#include "vp-team-enrol.h"
#include "vp-team-invite.h"

/* The steps of vp-team-enrol.c, one at a time in a worker thread on a
 * clone of the store; between them, a timer. A relay that cannot be
 * reached for a moment is waited for; anything else ends the invitation. */

G_DEFINE_ENUM_TYPE (VpTeamInviteState, vp_team_invite_state,
                    G_DEFINE_ENUM_VALUE (VP_TEAM_INVITE_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_INVITE_WAITING, "waiting"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_INVITE_COMPARE, "compare"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_INVITE_CONFIRMING, "confirming"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_INVITE_DONE, "done"),
                    G_DEFINE_ENUM_VALUE (VP_TEAM_INVITE_FAILED, "failed"))

typedef enum {
  STEP_OPEN,
  STEP_POLL,
  STEP_CONFIRM,
} Step;

struct _VpTeamInvite
{
  GObject            parent_instance;

  VpTeamSync        *sync;
  VpTeamInviteState  state;
  VpInviteSteps      steps;     /* touched by one worker at a time */
  char              *code;
  char              *error_text;
  gboolean           working;
  guint              timer;
  GCancellable      *cancellable;
};

G_DEFINE_FINAL_TYPE (VpTeamInvite, vp_team_invite, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_CODE,
  PROP_SAFETY_NUMBER,
  PROP_ERROR_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void run_step (VpTeamInvite *self, Step step);

static void
set_state (VpTeamInvite      *self,
           VpTeamInviteState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
fail (VpTeamInvite *self,
      const char   *text)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  g_free (self->error_text);
  self->error_text = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_TEXT]);
  set_state (self, VP_TEAM_INVITE_FAILED);
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
  VpTeamInvite *self = source_object;
  StepData *data = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;

  switch (data->step)
    {
    case STEP_OPEN:
      ok = _vp_invite_open (data->clone, &self->steps, &error);
      break;
    case STEP_POLL:
      ok = _vp_invite_poll (data->clone, &self->steps, &error);
      break;
    case STEP_CONFIRM:
      ok = _vp_invite_confirm (data->clone, &self->steps, &error);
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
  VpTeamInvite *self = user_data;

  self->timer = 0;
  run_step (self, STEP_POLL);
  return G_SOURCE_REMOVE;
}

static void
poll_later (VpTeamInvite *self)
{
  g_clear_handle_id (&self->timer, g_source_remove);
  self->timer = g_timeout_add_seconds (VP_TEAM_ENROL_POLL, on_poll, self);
}

static void
step_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  VpTeamInvite *self = VP_TEAM_INVITE (object);
  StepData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->working = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (data->step == STEP_POLL && g_error_matches (error, VP_RELAY_ERROR, VP_RELAY_ERROR_NETWORK))
        poll_later (self);
      else
        fail (self, error->message);
      return;
    }
  if (self->state == VP_TEAM_INVITE_FAILED)
    return;
  switch (data->step)
    {
    case STEP_OPEN:
      self->code = vp_invite_code_format (self->steps.code);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODE]);
      set_state (self, VP_TEAM_INVITE_WAITING);
      poll_later (self);
      break;
    case STEP_POLL:
      if (!self->steps.joined)
        {
          poll_later (self);
          break;
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAFETY_NUMBER]);
      set_state (self, VP_TEAM_INVITE_COMPARE);
      break;
    case STEP_CONFIRM:
      set_state (self, VP_TEAM_INVITE_DONE);
      /* The roster goes out, with the new laptop in it. */
      vp_team_sync_sync_now (self->sync);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
run_step (VpTeamInvite *self,
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

VpTeamInvite *
vp_team_invite_new (VpTeamSync *sync)
{
  VpTeamInvite *self;

  g_return_val_if_fail (VP_IS_TEAM_SYNC (sync), NULL);

  self = g_object_new (VP_TYPE_TEAM_INVITE, NULL);
  self->sync = g_object_ref (sync);
  run_step (self, STEP_OPEN);
  return self;
}

void
vp_team_invite_confirm (VpTeamInvite *self)
{
  g_return_if_fail (VP_IS_TEAM_INVITE (self));
  g_return_if_fail (self->state == VP_TEAM_INVITE_COMPARE);

  set_state (self, VP_TEAM_INVITE_CONFIRMING);
  run_step (self, STEP_CONFIRM);
}

void
vp_team_invite_cancel (VpTeamInvite *self)
{
  g_return_if_fail (VP_IS_TEAM_INVITE (self));

  if (self->state == VP_TEAM_INVITE_DONE || self->state == VP_TEAM_INVITE_FAILED)
    return;
  g_cancellable_cancel (self->cancellable);
  fail (self, _("The invitation was cancelled"));
}

VpTeamInviteState
vp_team_invite_get_state (VpTeamInvite *self)
{
  g_return_val_if_fail (VP_IS_TEAM_INVITE (self), VP_TEAM_INVITE_FAILED);
  return self->state;
}

const char *
vp_team_invite_get_code (VpTeamInvite *self)
{
  g_return_val_if_fail (VP_IS_TEAM_INVITE (self), NULL);
  return self->code;
}

const char *
vp_team_invite_get_safety_number (VpTeamInvite *self)
{
  g_return_val_if_fail (VP_IS_TEAM_INVITE (self), NULL);
  return self->steps.joined && self->state != VP_TEAM_INVITE_FAILED ? self->steps.safety_number : NULL;
}

const char *
vp_team_invite_get_error_text (VpTeamInvite *self)
{
  g_return_val_if_fail (VP_IS_TEAM_INVITE (self), NULL);
  return self->error_text;
}

static void
vp_team_invite_dispose (GObject *object)
{
  VpTeamInvite *self = VP_TEAM_INVITE (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (vp_team_invite_parent_class)->dispose (object);
}

static void
vp_team_invite_finalize (GObject *object)
{
  VpTeamInvite *self = VP_TEAM_INVITE (object);

  g_clear_object (&self->sync);
  g_clear_object (&self->cancellable);
  g_free (self->code);
  g_free (self->error_text);
  G_OBJECT_CLASS (vp_team_invite_parent_class)->finalize (object);
}

static void
vp_team_invite_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  VpTeamInvite *self = VP_TEAM_INVITE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_SAFETY_NUMBER:
      g_value_set_string (value, vp_team_invite_get_safety_number (self));
      break;
    case PROP_ERROR_TEXT:
      g_value_set_string (value, self->error_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vp_team_invite_class_init (VpTeamInviteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vp_team_invite_dispose;
  object_class->finalize = vp_team_invite_finalize;
  object_class->get_property = vp_team_invite_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, VP_TYPE_TEAM_INVITE_STATE, VP_TEAM_INVITE_STARTING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL,
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
vp_team_invite_init (VpTeamInvite *self)
{
  self->cancellable = g_cancellable_new ();
}
