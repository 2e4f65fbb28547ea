/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define VP_ENDPOINT_DB_ERROR (vp_endpoint_db_error_quark ())

typedef enum {
  VP_ENDPOINT_DB_ERROR_FAILED,
} VpEndpointDbError;

typedef enum {
  VP_TOKEN_WRITE,
  VP_TOKEN_READ,
} VpTokenKind;

/* What became of a report that was offered for storage. */
typedef enum {
  VP_STORE_STORED,
  VP_STORE_ALREADY_STORED, /* the same revision with identical bytes: a replay */
  VP_STORE_DIFFERENT_BODY, /* the same revision with other bytes */
  VP_STORE_OLDER_REVISION, /* a higher revision is stored already */
} VpStoreOutcome;

typedef struct {
  char   *team;
  char   *installation;
  char   *period;
  gint64  revision;
  char   *municipality;
  char   *body;
  char   *received_at;
} VpStoredReport;

void vp_stored_report_free (VpStoredReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpStoredReport, vp_stored_report_free)

typedef struct {
  char *code;
  char *name;
  char *group;  /* "" when the team is in no group */
} VpEndpointTeam;

void vp_endpoint_team_free (VpEndpointTeam *team);

typedef struct {
  char *team;
  char *id;
  char *label;   /* NULL when its team leader gave it none */
  int   number;  /* within its team, in the order first seen, from 1 */
} VpEndpointInstallation;

void vp_endpoint_installation_free (VpEndpointInstallation *installation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpEndpointTeam, vp_endpoint_team_free)

#define VP_TYPE_ENDPOINT_DB (vp_endpoint_db_get_type ())

G_DECLARE_FINAL_TYPE (VpEndpointDb, vp_endpoint_db, VP, ENDPOINT_DB, GObject)

GQuark        vp_endpoint_db_error_quark    (void);

VpEndpointDb *vp_endpoint_db_open           (const char      *path,
                                             GError         **error);
char         *vp_endpoint_db_issue_token    (VpEndpointDb    *self,
                                             VpTokenKind      kind,
                                             const char      *scope,
                                             GError         **error);
gboolean      vp_endpoint_db_check_token    (VpEndpointDb    *self,
                                             const char      *token,
                                             const char      *team,
                                             gboolean        *allowed,
                                             GError         **error);
gboolean      vp_endpoint_db_read_scope     (VpEndpointDb    *self,
                                             const char      *token,
                                             char           **municipality,
                                             GError         **error);
gboolean      vp_endpoint_db_store_report   (VpEndpointDb    *self,
                                             const char      *team,
                                             const char      *installation,
                                             const char      *period,
                                             gint64           revision,
                                             const char      *municipality,
                                             const char      *body,
                                             gsize            body_len,
                                             VpStoreOutcome  *outcome,
                                             gint64          *stored_revision,
                                             GError         **error);
GPtrArray    *vp_endpoint_db_latest_reports (VpEndpointDb    *self,
                                             const char      *municipality,
                                             GError         **error);
gboolean      vp_endpoint_db_set_team       (VpEndpointDb    *self,
                                             const char      *code,
                                             const char      *name,
                                             const char      *municipality,
                                             const char      *group,
                                             GError         **error);
gboolean      vp_endpoint_db_team_municipality (VpEndpointDb *self,
                                             const char      *team,
                                             char           **municipality,
                                             GError         **error);
GPtrArray    *vp_endpoint_db_teams          (VpEndpointDb    *self,
                                             const char      *municipality,
                                             GError         **error);
gboolean      vp_endpoint_db_note_installation (VpEndpointDb *self,
                                             const char      *team,
                                             const char      *installation,
                                             const char      *label,
                                             GError         **error);
GPtrArray    *vp_endpoint_db_installations  (VpEndpointDb    *self,
                                             GError         **error);
char         *vp_endpoint_db_new_session    (VpEndpointDb    *self,
                                             const char      *municipality,
                                             gint64           lifetime,
                                             GError         **error);
gboolean      vp_endpoint_db_session_scope  (VpEndpointDb    *self,
                                             const char      *id,
                                             char           **municipality,
                                             GError         **error);
gboolean      vp_endpoint_db_end_session    (VpEndpointDb    *self,
                                             const char      *id,
                                             GError         **error);
gboolean      vp_endpoint_db_map_certificate (VpEndpointDb   *self,
                                             const char      *subject,
                                             const char      *team,
                                             GError         **error);
gboolean      vp_endpoint_db_certificate_team (VpEndpointDb  *self,
                                             const char      *subject,
                                             char           **team,
                                             GError         **error);

G_END_DECLS
