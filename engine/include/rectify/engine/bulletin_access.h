// Who may issue a campaign's bulletins (bulletin.h), asked apart from issuing one: the console
// offers its issue form only to those who may (GET /api/v1/campaigns/{id}/bulletins answers
// `may_issue`), and BuildBulletin makes the same check when one is issued.
//
//   BulletinRequest who{.campaign = "xinshao-2017", .actor = "xs-0004"};
//   Status may = MayIssueBulletin(*campaign, who);   // OK, or kPermissionDenied saying why
#pragma once

#include "rectify/definition/campaign.h"
#include "rectify/engine/bulletin.h"
#include "rectify/result.h"

namespace rectify::engine {

// Whether `request.actor` (or an administrator, `request.admin`) may issue bulletins of campaign
// `c`: OK, or kPermissionDenied naming the role over the unit it takes (the campaign's
// `bulletins: { issued_by: }`, else inspector, over the org's top unit).
Status MayIssueBulletin(const definition::Campaign& c, const BulletinRequest& request);

}  // namespace rectify::engine
