/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A category a client can consent to, with its title for the coach. */
typedef struct {
  const char *category;
  const char *title;   /* untranslated: pass through gettext */
} VpConsentText;

const VpConsentText *vp_consent_text_lookup (const char *category);
const VpConsentText *vp_consent_texts       (guint      *n_texts);

/* The explanation in one language, as read from ui/consent/LANG.ini. */
typedef struct {
  char       *language;        /* ISO 639-3 */
  char       *name;            /* in the language itself */
  char       *version;
  gboolean    rtl;
  char       *translated_from; /* NULL for the source text */
  char       *reviewer;        /* NULL until a review is recorded */
  char       *reviewed_on;     /* YYYY-MM-DD; set exactly when reviewer is */
  char       *draft_notice;    /* in the language itself; NULL for the source */
  GHashTable *texts;           /* category, and "common" -> text */
} VpConsentTranslation;

VpConsentTranslation        *vp_consent_translation_parse       (GBytes                     *bytes,
                                                                 GError                    **error);
void                         vp_consent_translation_free        (VpConsentTranslation       *translation);
gboolean                     vp_consent_translation_is_reviewed (const VpConsentTranslation *translation);
char                        *vp_consent_translation_format      (const VpConsentTranslation *translation,
                                                                 const char                 *category,
                                                                 guint                       retention_months);

const VpConsentTranslation *const *vp_consent_translations       (guint                      *n_translations);
const VpConsentTranslation  *vp_consent_translation_lookup      (const char                 *language);
const char                  *vp_consent_text_version            (const char                 *language);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpConsentTranslation, vp_consent_translation_free)

G_END_DECLS
