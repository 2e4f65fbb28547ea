/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include "vp-idle-monitor.h"

/* Watches a window for input and emits "idle" once no key, click or
 * pointer motion has reached it for the timeout. Checked every few
 * seconds on the monotonic clock, so a suspended laptop locks on resume. */
struct _VpIdleMonitor
{
  GObject  parent_instance;

  gint64   last_activity;
  guint    timeout_minutes;
  guint    source_id;
};

G_DEFINE_FINAL_TYPE (VpIdleMonitor, vp_idle_monitor, G_TYPE_OBJECT)

enum {
  IDLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define CHECK_INTERVAL_SECONDS 5

void
vp_idle_monitor_poke (VpIdleMonitor *self)
{
  g_return_if_fail (VP_IS_IDLE_MONITOR (self));
  self->last_activity = g_get_monotonic_time ();
}

/* Emits "idle" when the timeout has passed at now_usec (monotonic time);
 * the tests pass a time in the future instead of waiting. */
gboolean
vp_idle_monitor_check (VpIdleMonitor *self,
                       gint64         now_usec)
{
  g_return_val_if_fail (VP_IS_IDLE_MONITOR (self), FALSE);

  if (self->timeout_minutes == 0 ||
      now_usec - self->last_activity < (gint64) self->timeout_minutes * 60 * G_USEC_PER_SEC)
    return FALSE;
  self->last_activity = now_usec;
  g_signal_emit (self, signals[IDLE], 0);
  return TRUE;
}

static gboolean
on_tick (gpointer user_data)
{
  vp_idle_monitor_check (user_data, g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

void
vp_idle_monitor_set_timeout (VpIdleMonitor *self,
                             guint          minutes)
{
  g_return_if_fail (VP_IS_IDLE_MONITOR (self));
  self->timeout_minutes = minutes;
}

static gboolean
on_key (GtkEventControllerKey *controller,
        guint                  keyval,
        guint                  keycode,
        GdkModifierType        state,
        VpIdleMonitor         *self)
{
  vp_idle_monitor_poke (self);
  return GDK_EVENT_PROPAGATE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           VpIdleMonitor            *self)
{
  vp_idle_monitor_poke (self);
}

static void
on_click (GtkGestureClick *gesture,
          int              n_press,
          double           x,
          double           y,
          VpIdleMonitor   *self)
{
  vp_idle_monitor_poke (self);
}

static void
vp_idle_monitor_finalize (GObject *object)
{
  VpIdleMonitor *self = VP_IDLE_MONITOR (object);

  g_clear_handle_id (&self->source_id, g_source_remove);
  G_OBJECT_CLASS (vp_idle_monitor_parent_class)->finalize (object);
}

static void
vp_idle_monitor_class_init (VpIdleMonitorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vp_idle_monitor_finalize;

  signals[IDLE] =
    g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vp_idle_monitor_init (VpIdleMonitor *self)
{
  self->last_activity = g_get_monotonic_time ();
  self->source_id = g_timeout_add_seconds (CHECK_INTERVAL_SECONDS, on_tick, self);
}

/* The controllers run in the capture phase, so input counts wherever it
 * lands in the widget. */
VpIdleMonitor *
vp_idle_monitor_new (GtkWidget *widget)
{
  VpIdleMonitor *self = g_object_new (VP_TYPE_IDLE_MONITOR, NULL);
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_propagation_phase (motion, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);

  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (click, "pressed", G_CALLBACK (on_click), self);

  gtk_widget_add_controller (widget, key);
  gtk_widget_add_controller (widget, motion);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));
  return self;
}
