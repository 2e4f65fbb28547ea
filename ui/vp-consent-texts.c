/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-consent-texts.h"

static const VpConsentText texts[] = {
  { "language", N_("Language needs"),
    "Mogen we noteren hoe goed u Nederlands spreekt en welke talen u het liefst gebruikt? "
    "Dat helpt ons u beter te helpen. Alleen uw wijkteam ziet dit. "
    "U kunt altijd zeggen dat we het weer moeten wissen.",
    "May we note how well you speak Dutch and which languages you prefer? "
    "It helps us help you. Only your neighbourhood team sees it. "
    "You can always ask us to erase it again." },
  { "interpreter", N_("Interpreter use"),
    "Mogen we noteren of er een tolk bij ons gesprek was, en wat voor tolk? "
    "Alleen uw wijkteam ziet dit. U kunt altijd zeggen dat we het weer moeten wissen.",
    "May we note whether an interpreter took part in our conversation, and what kind? "
    "Only your neighbourhood team sees it. You can always ask us to erase it again." },
  { "referral", N_("Referrals"),
    "Mogen we noteren naar welke organisatie we u doorverwijzen, zodat we kunnen nagaan "
    "of u daar geholpen wordt? U kunt altijd zeggen dat we het weer moeten wissen.",
    "May we note which organisation we refer you to, so that we can check that you "
    "get help there? You can always ask us to erase it again." },
};

const VpConsentText *
vp_consent_texts (guint *n_texts)
{
  if (n_texts != NULL)
    *n_texts = G_N_ELEMENTS (texts);
  return texts;
}

const VpConsentText *
vp_consent_text_lookup (const char *category)
{
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (g_strcmp0 (texts[i].category, category) == 0)
      return &texts[i];
  return NULL;
}
