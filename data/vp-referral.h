/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_FEEDBACK_DEFAULT_DAYS 28

/* Derived, never stored (DESIGN §6 codes of the report's feedback status). */
typedef enum {
  VP_REFERRAL_AWAITING,
  VP_REFERRAL_OVERDUE,
  VP_REFERRAL_IN_TIME,
  VP_REFERRAL_LATE,
} VpReferralStatus;

typedef struct {
  gint64      client_id;
  gint64      contact_id;      /* 0 when not tied to a contact */
  const char *category;        /* referral category code */
  const char *organisation;
  GDate      *referred_on;     /* NULL: today */
  GDateTime  *entered_at;      /* when it was typed in; NULL: now */
  gboolean    warm_handover;
  GDate      *expected_by;     /* NULL: referred_on + the category's days */
} VpReferralInput;

typedef struct {
  gint64   id;
  gint64   client_id;
  char    *client_label;
  gint64   account_id;
  char    *category;
  char    *organisation;
  GDate    referred_on;
  gboolean warm_handover;
  GDate    expected_by;
  GDate    received_on;        /* invalid when no feedback yet */
  char    *outcome;
  char    *feedback_note;
  char    *leader_note;
  gboolean reviewed;
  VpReferralStatus status;
} VpReferral;

typedef struct {
  const char *category;        /* NULL: any */
  const char *organisation;    /* NULL: any */
  gint64      account_id;      /* 0: any */
  GDate      *from;            /* referred on or after; NULL: any */
  GDate      *until;           /* referred on or before; NULL: any */
  const char *search;          /* client label or organisation contains */
  gint64      client_id;       /* 0: any */
} VpReferralFilter;

const char      *vp_referral_status_code (VpReferralStatus status);
VpReferralStatus vp_referral_status      (const GDate *expected_by,
                                          const GDate *received_on,
                                          const GDate *today);
void             vp_referral_free        (VpReferral  *referral);

guint      vp_store_get_feedback_days    (VpStore               *store,
                                          const char            *category);
gboolean   vp_store_set_feedback_days    (VpStore               *store,
                                          const char            *category,
                                          guint                  days,
                                          GError               **error);
gint64     vp_store_add_referral         (VpStore               *store,
                                          const VpReferralInput *input,
                                          GError               **error);
gboolean   vp_store_update_referral      (VpStore               *store,
                                          gint64                 referral_id,
                                          const char            *category,
                                          const char            *organisation,
                                          gboolean               warm_handover,
                                          GError               **error);
gboolean   vp_store_delete_referral      (VpStore               *store,
                                          gint64                 referral_id,
                                          GError               **error);
gboolean   vp_store_record_feedback      (VpStore               *store,
                                          gint64                 referral_id,
                                          const GDate           *received_on,
                                          const char            *outcome,
                                          const char            *note,
                                          GError               **error);
gboolean   vp_store_review_referral      (VpStore               *store,
                                          gint64                 referral_id,
                                          const char            *leader_note,
                                          GError               **error);
GPtrArray *vp_store_list_referrals       (VpStore               *store,
                                          const VpReferralFilter *filter,
                                          const GDate           *today,
                                          GError               **error);
GStrv      vp_store_list_organisations   (VpStore               *store,
                                          const char            *prefix);
guint      vp_store_count_overdue_referrals (VpStore            *store,
                                             const GDate        *today);

/* Per referral category: the referrals made in the last 12 months, by
 * their status today (vp_referral_status()). */
typedef struct {
  const char *category; /* static code */
  guint       in_time;
  guint       late;
  guint       overdue;   /* no feedback, and the expected day has passed */
  guint       awaiting;  /* no feedback yet, and none expected yet */
} VpFeedbackCounts;

GArray    *vp_store_feedback_counts        (VpStore            *store,
                                            const GDate        *today,
                                            GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpReferral, vp_referral_free)

G_END_DECLS
