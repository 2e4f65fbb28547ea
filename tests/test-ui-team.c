/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Team sync end to end in the UI (#16): two laptops, each its own process
 * with a window on its own store, under the virtual display, through the
 * real relay (the endpoint binary, over TLS on 127.0.0.1). The team
 * leader's laptop is this process; the coach's laptop is this program
 * again (--coach DIR), told what to do and answering on its stdin and
 * stdout, as the two people would talk across the room. The team leader
 * turns team sync on and invites; the coach's laptop joins with the code;
 * both screens show the same safety number; the leader confirms. A
 * referral the coach makes then appears on the team leader's review page,
 * the team leader's review comes back to the coach, and the leader
 * removes the coach's laptop, which is told so at its next sync. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "vp-accounts.h"
#include "vp-consent.h"
#include "vp-referral.h"
#include "vp-referrals-page.h"
#include "vp-report-page.h"
#include "vp-store-private.h"
#include "vp-team-sync-page.h"
#include "vp-team-store.h"
#include "vp-test-process.h"
#include "vp-test-relay.h"
#include "vp-test-util.h"
#include "vp-ui-test-util.h"
#include "vp-unlock-page.h"

#define COACH "Coach Sanne"
#define COACH_PASSPHRASE "another correct horse battery"
#define ORGANISATION "Woonstichting Zuidoost"

/* A laptop of team-noord, its endpoint set as the municipality's IT
 * department sets it; with a coach's account too when asked. */
static char *
make_laptop (VpTestRelay *r,
             gboolean     coach)
{
  char *dir = vp_test_make_dir ();
  g_autoptr(VpStore) store = vp_test_create_store (dir);
  g_autoptr(GError) error = NULL;

  g_assert_true (vp_store_set_setting (store, "endpoint_url", r->url, NULL));
  g_assert_true (vp_store_set_setting (store, "endpoint_token", r->token, NULL));
  g_assert_true (vp_store_set_setting (store, "endpoint_ca_file", r->cert, NULL));
  if (coach)
    {
      g_assert_cmpint (vp_store_add_account (store, COACH, "coach", COACH_PASSPHRASE, &error), >, 0);
      g_assert_no_error (error);
    }
  vp_store_close (store);
  return dir;
}

static VpWindow *
open_as_coach (const char *dir)
{
  VpWindow *window = vp_window_new (NULL, dir);
  VpUnlockPage *unlock = vp_ui_child (window, VP_TYPE_WINDOW, "unlock_page");

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 760);
  gtk_window_present (GTK_WINDOW (window));
  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "name_row", COACH);
  vp_ui_set_text (unlock, VP_TYPE_UNLOCK_PAGE, "passphrase_row", COACH_PASSPHRASE);
  gtk_widget_activate_action (GTK_WIDGET (unlock), "unlock.unlock", NULL);
  vp_ui_wait_until (vp_ui_page_is_main, window);
  vp_ui_settle ();
  g_assert_cmpstr (vp_store_get_account_role (vp_window_get_store (window)), ==, "coach");
  return window;
}

static VpTeamSyncPage *
sync_page (VpWindow *window)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-sync", NULL);
  vp_ui_settle ();
  g_assert_cmpstr (vp_window_get_page_name (window), ==, "sync");
  return vp_ui_child (window, VP_TYPE_WINDOW, "team_sync_page");
}

static const char *
label_text (VpTeamSyncPage *page,
            const char     *name)
{
  return gtk_label_get_text (vp_ui_child (page, VP_TYPE_TEAM_SYNC_PAGE, name));
}

static gboolean
in_team (gpointer window)
{
  VpStore *store = vp_window_get_store (window);

  return store != NULL && vp_store_team_is_enabled (store);
}

/* The invite code is up: eight characters in two groups. */
static gboolean
code_shown (gpointer page)
{
  return strlen (label_text (page, "enrol_number")) == 9 &&
         gtk_widget_get_visible (vp_ui_child (page, VP_TYPE_TEAM_SYNC_PAGE, "enrol_box"));
}

static gboolean
number_shown (gpointer page)
{
  return strlen (label_text (page, "enrol_number")) == 14;
}

static gboolean
can_confirm (gpointer page)
{
  return gtk_widget_get_visible (vp_ui_child (page, VP_TYPE_TEAM_SYNC_PAGE, "confirm_button")) &&
         number_shown (page);
}

static gboolean
enrolment_over (gpointer page)
{
  return !gtk_widget_get_visible (vp_ui_child (page, VP_TYPE_TEAM_SYNC_PAGE, "enrol_box"));
}

typedef struct {
  VpStore    *store;
  const char *sql;
} Count;

static gboolean
count_is_one (gpointer data)
{
  Count *c = data;

  return vp_test_count (c->store, c->sql) == 1;
}

static gboolean
is_visible (gpointer widget)
{
  return gtk_widget_get_visible (widget);
}

static gboolean
has_rows (gpointer list)
{
  return gtk_widget_get_first_child (list) != NULL;
}

static GtkWidget *
find_action (GtkWidget  *root,
             const char *action)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_action (c, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static AdwMessageDialog *
top_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  vp_ui_settle ();
  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i - 1);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_open (gpointer data)
{
  return top_dialog () != NULL;
}

static gboolean
told_removed (gpointer page)
{
  AdwActionRow *row = vp_ui_child (page, VP_TYPE_TEAM_SYNC_PAGE, "status_row");

  return strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "removed") != NULL;
}

static gboolean
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (find_label (c, text))
      return TRUE;
  return FALSE;
}

/* ---- The coach's laptop: a process of its own --------------------------- */

/* The next thing the team leader says; the coach waits for it. */
static char *
read_command (const char *expected)
{
  char line[256];

  g_assert_nonnull (fgets (line, sizeof line, stdin));
  g_strchomp (line);
  g_assert_true (g_str_has_prefix (line, expected));
  return g_strdup (line + strlen (expected));
}

static void
say (const char *line)
{
  /* Marked: the test framework writes to stdout too. */
  g_print ("coach: %s\n", line);
  fflush (stdout);
}

static guint
unsent (VpWindow *window)
{
  return (guint) vp_test_count (vp_window_get_store (window),
                                "SELECT count(*) FROM team_change WHERE origin = 1 AND sent = 0");
}

static gboolean
all_sent (gpointer window)
{
  static gint64 next_press;

  if (unsent (window) == 0)
    return TRUE;
  if (g_get_monotonic_time () > next_press)
    {
      gtk_widget_activate_action (GTK_WIDGET (sync_page (window)), "team-sync.sync-now", NULL);
      next_press = g_get_monotonic_time () + G_USEC_PER_SEC;
    }
  return FALSE;
}

typedef struct {
  VpWindow   *window;
  const char *sql;
  gint64      next_press;
} SyncWait;

static gboolean
synced_until (gpointer data)
{
  SyncWait *w = data;

  if (vp_test_count (vp_window_get_store (w->window), w->sql) == 1)
    return TRUE;
  if (g_get_monotonic_time () > w->next_press)
    {
      gtk_widget_activate_action (GTK_WIDGET (sync_page (w->window)), "team-sync.sync-now", NULL);
      w->next_press = g_get_monotonic_time () + G_USEC_PER_SEC;
    }
  return FALSE;
}

static gboolean
reports_elsewhere (gpointer page)
{
  AdwActionRow *row = vp_ui_child (page, VP_TYPE_REPORT_PAGE, "status_row");

  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                    "Sent by the team leader’s laptop") == 0;
}

static int
coach_main (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  VpWindow *coach = open_as_coach (dir);
  VpTeamSyncPage *page = sync_page (coach);
  SyncWait review = { coach, "SELECT count(*) FROM referral WHERE leader_note = 'Goed gedaan'", 0 };

  /* A coach's account cannot start a team, only join one. */
  g_assert_false (gtk_widget_get_visible (vp_ui_child (page, VP_TYPE_TEAM_SYNC_PAGE, "turn_on_button")));
  say ("ready");

  code = read_command ("code ");
  vp_ui_set_text (page, VP_TYPE_TEAM_SYNC_PAGE, "name_row", "Laptop Sanne");
  vp_ui_set_text (page, VP_TYPE_TEAM_SYNC_PAGE, "code_row", code);
  gtk_widget_activate_action (GTK_WIDGET (page), "team-sync.join", NULL);
  vp_ui_wait_until (number_shown, page);
  /* Only the team leader's screen can admit a laptop. */
  g_assert_false (gtk_widget_get_visible (vp_ui_child (page, VP_TYPE_TEAM_SYNC_PAGE, "confirm_button")));
  g_assert_false (in_team (coach));
  vp_ui_save_screenshot (GTK_WIDGET (coach), "test-ui-team-compare-coach");
  {
    g_autofree char *line = g_strdup_printf ("number %s", label_text (page, "enrol_number"));
    say (line);
  }
  vp_ui_wait_until (in_team, coach);
  vp_ui_wait_until (enrolment_over, page);

  /* The coach refers a client on the coach's own laptop, and syncs. */
  {
    VpStore *store = vp_window_get_store (coach);
    VpReferralInput input = { 0 };
    gint64 client = vp_test_register (store, "Samira", 1984, "school", "first", NULL, NULL);

    g_assert_true (vp_store_give_consent (store, client, "referral", "verbal", "nld", "2026-2", &error));
    input.client_id = client;
    input.category = "housing";
    input.organisation = ORGANISATION;
    g_assert_cmpint (vp_store_add_referral (store, &input, &error), >, 0);
    g_assert_no_error (error);
  }
  vp_ui_wait_until (all_sent, coach);

  /* The team reports once, from the team leader's laptop: this one shows
   * the month but has nothing to send. */
  gtk_widget_activate_action (GTK_WIDGET (coach), "win.show-page", "s", "report");
  vp_ui_wait_until (reports_elsewhere, vp_ui_child (coach, VP_TYPE_WINDOW, "report_page"));
  g_assert_false (gtk_widget_is_sensitive (vp_ui_child (vp_ui_child (coach, VP_TYPE_WINDOW, "report_page"),
                                                        VP_TYPE_REPORT_PAGE, "send_button")));
  vp_ui_save_screenshot (GTK_WIDGET (coach), "test-ui-team-coach-report");
  say ("referred");

  /* The team leader's review comes back. */
  g_free (read_command ("reviewed"));
  vp_ui_wait_until (synced_until, &review);
  say ("got-review");

  /* Removed from the team: told so at the next sync. */
  g_free (read_command ("removed"));
  gtk_widget_activate_action (GTK_WIDGET (sync_page (coach)), "team-sync.sync-now", NULL);
  vp_ui_wait_until (told_removed, page);
  vp_ui_settle ();
  g_assert_false (gtk_widget_get_visible (vp_ui_child (page, VP_TYPE_TEAM_SYNC_PAGE, "sync_now_button")));
  vp_ui_save_screenshot (GTK_WIDGET (coach), "test-ui-team-removed");
  say ("told-removed");

  gtk_window_destroy (GTK_WINDOW (coach));
  vp_ui_settle ();
  return 0;
}

/* ---- The team leader's laptop: this process -------------------------------- */

typedef struct {
  GSubprocess      *process;
  GOutputStream    *to;
  GDataInputStream *from;
  char             *line;
  gboolean          got;
} Coach;

static void
line_read (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Coach *c = user_data;
  g_autoptr(GError) error = NULL;

  c->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c->line);
  c->got = TRUE;
}

static gboolean
line_arrived (gpointer data)
{
  return ((Coach *) data)->got;
}

/* Waits, with this window alive, for the coach's laptop to say @expected;
 * returns what follows it. */
static char *
hear (Coach      *c,
      const char *expected)
{
  do
    {
      g_clear_pointer (&c->line, g_free);
      c->got = FALSE;
      g_data_input_stream_read_line_async (c->from, G_PRIORITY_DEFAULT, NULL, line_read, c);
      vp_ui_wait_until (line_arrived, c);
    }
  while (!g_str_has_prefix (c->line, "coach: "));
  g_assert_true (g_str_has_prefix (c->line + 7, expected));
  return g_strdup (c->line + 7 + strlen (expected));
}

static void
tell (Coach      *c,
      const char *line)
{
  g_autofree char *text = g_strdup_printf ("%s\n", line);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (c->to, text, strlen (text), NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_referral_reaches_review (void)
{
  VpTestRelay relay = { 0 };
  g_autofree char *leader_dir = NULL, *coach_dir = NULL;
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *code = NULL, *coach_number = NULL;
  g_autoptr(GError) error = NULL;
  Coach coach = { 0 };
  VpWindow *leader;
  VpTeamSyncPage *leader_page;
  SyncWait referral = { NULL, "SELECT count(*) FROM referral WHERE organisation = '" ORGANISATION "'", 0 };

  vp_test_relay_init (&relay);
  leader_dir = make_laptop (&relay, FALSE);
  coach_dir = make_laptop (&relay, TRUE);
  leader = vp_ui_open_window (leader_dir);
  coach.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                    self_path, "--coach", coach_dir, NULL);
  g_assert_no_error (error);
  coach.to = g_subprocess_get_stdin_pipe (coach.process);
  coach.from = g_data_input_stream_new (g_subprocess_get_stdout_pipe (coach.process));
  g_free (hear (&coach, "ready"));

  /* The team leader turns team sync on; a name is asked first. */
  leader_page = sync_page (leader);
  gtk_widget_activate_action (GTK_WIDGET (leader_page), "team-sync.turn-on", NULL);
  g_assert_true (gtk_widget_get_visible (vp_ui_child (leader_page, VP_TYPE_TEAM_SYNC_PAGE, "error_label")));
  vp_ui_set_text (leader_page, VP_TYPE_TEAM_SYNC_PAGE, "name_row", "Laptop teamleider");
  gtk_widget_activate_action (GTK_WIDGET (leader_page), "team-sync.turn-on", NULL);
  vp_ui_wait_until (in_team, leader);

  /* The leader invites: a code to read out to the coach. */
  vp_ui_wait_until (is_visible, vp_ui_child (leader_page, VP_TYPE_TEAM_SYNC_PAGE, "invite_button"));
  gtk_widget_activate_action (GTK_WIDGET (leader_page), "team-sync.invite", NULL);
  vp_ui_wait_until (code_shown, leader_page);
  code = g_strdup_printf ("code %s", label_text (leader_page, "enrol_number"));
  vp_ui_save_screenshot (GTK_WIDGET (leader), "test-ui-team-invite");
  tell (&coach, code);

  /* Both screens show one number; the leader compares and confirms. */
  coach_number = hear (&coach, "number ");
  vp_ui_wait_until (can_confirm, leader_page);
  g_assert_cmpstr (label_text (leader_page, "enrol_number"), ==, coach_number);
  vp_ui_save_screenshot (GTK_WIDGET (leader), "test-ui-team-compare-leader");
  gtk_widget_activate_action (GTK_WIDGET (leader_page), "team-sync.confirm", NULL);
  vp_ui_wait_until (enrolment_over, leader_page);

  /* The coach's referral, once sent, reaches the review page. */
  g_free (hear (&coach, "referred"));
  referral.window = leader;
  vp_ui_wait_until (synced_until, &referral);
  gtk_widget_activate_action (GTK_WIDGET (leader), "win.show-referrals", NULL);
  vp_ui_settle ();
  vp_ui_wait_for_transitions (GTK_WIDGET (leader));
  vp_ui_save_screenshot (GTK_WIDGET (leader), "test-ui-team-review");
  g_assert_true (find_label (GTK_WIDGET (vp_ui_child (leader, VP_TYPE_WINDOW, "referrals_page")), ORGANISATION));
  /* The coach, on another laptop, is among those to filter by. */
  {
    AdwComboRow *coaches = vp_ui_child (vp_ui_child (leader, VP_TYPE_WINDOW, "referrals_page"),
                                        VP_TYPE_REFERRALS_PAGE, "coach_row");
    GListModel *names = adw_combo_row_get_model (coaches);
    gboolean listed = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (names); i++)
      listed = listed || g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (names), i), COACH);
    g_assert_true (listed);
  }
  g_assert_cmpint (vp_test_count (vp_window_get_store (leader),
                                  "SELECT count(*) FROM referral r JOIN account a ON a.id = r.account_id"
                                  " WHERE a.name = '" COACH "' AND a.team_device IS NOT NULL"), ==, 1);

  /* The leader's review goes back to the coach's laptop. */
  {
    VpStore *store = vp_window_get_store (leader);
    gint64 id = vp_test_count (store, "SELECT id FROM referral WHERE organisation = '" ORGANISATION "'");

    g_assert_true (vp_store_review_referral (store, id, "Goed gedaan", &error));
    g_assert_no_error (error);
  }
  vp_ui_wait_until (all_sent, leader);
  tell (&coach, "reviewed");
  g_free (hear (&coach, "got-review"));

  /* Both laptops are listed, by name. */
  vp_team_sync_page_refresh (leader_page);
  gtk_widget_activate_action (GTK_WIDGET (leader), "win.show-sync", NULL);
  vp_ui_wait_until (has_rows, vp_ui_child (leader_page, VP_TYPE_TEAM_SYNC_PAGE, "devices_list"));
  vp_ui_settle ();
  g_assert_true (find_label (GTK_WIDGET (leader_page), "Laptop Sanne"));
  vp_ui_save_screenshot (GTK_WIDGET (leader), "test-ui-team-laptops");

  /* The leader removes the coach's laptop, after a question whose default
   * keeps it; the coach's laptop is told at its next sync. */
  {
    AdwMessageDialog *dialog;
    GtkWidget *remove = find_action (GTK_WIDGET (leader_page), "team-sync.remove");

    g_assert_nonnull (remove);
    /* A button activated from the keyboard clicks a moment later. */
    g_assert_true (gtk_widget_activate (remove));
    vp_ui_wait_until (dialog_open, NULL);
    dialog = top_dialog ();
    g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
    adw_message_dialog_response (dialog, "remove");
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
  vp_ui_wait_until (count_is_one, &(Count) { vp_window_get_store (leader),
                                             "SELECT count(*) FROM team_device WHERE removed_at IS NOT NULL" });
  tell (&coach, "removed");
  g_free (hear (&coach, "told-removed"));
  g_assert_true (g_subprocess_wait_check (coach.process, NULL, &error));
  g_assert_no_error (error);

  g_clear_pointer (&coach.line, g_free);
  g_clear_object (&coach.from);
  g_clear_object (&coach.process);
  gtk_window_destroy (GTK_WINDOW (leader));
  vp_ui_settle ();
  vp_test_remove_dir (leader_dir);
  vp_test_remove_dir (coach_dir);
  vp_test_relay_clear (&relay);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--coach"))
    {
      int child_argc = 1;

      if (!vp_ui_test_init (&child_argc, &argv))
        return 1;
      return coach_main (argv[2]);
    }
  if (!vp_ui_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/ui-team/referral-reaches-review", test_referral_reaches_review);
  return g_test_run ();
}
