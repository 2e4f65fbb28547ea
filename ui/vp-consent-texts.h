/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VP_CONSENT_TEXT_VERSION "2026-1"

/* The explanation read to (or by) the client before consent, in Dutch and
 * in English whatever language the app itself is in. */
typedef struct {
  const char *category;
  const char *title;   /* untranslated: pass through gettext */
  const char *text_nl;
  const char *text_en;
} VpConsentText;

const VpConsentText *vp_consent_text_lookup (const char *category);
const VpConsentText *vp_consent_texts       (guint      *n_texts);

G_END_DECLS
