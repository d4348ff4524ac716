// A bulletin (rectify/engine/bulletin.h) as a PDF of A4 pages, drawn from its frozen content in
// zh or en: a red head with the campaign's name, the number (2017年第5期), the title, the scope,
// each section's lines and table (rows continue on the next page), and the issuing unit and
// date at the foot. Used by GET /api/v1/campaigns/{id}/bulletins/{n}.pdf and `rectify bulletin
// show N --format pdf`.
//
// Thread-safety: a pure function; cairo and pango are used on the calling thread only.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "rectify/result.h"

namespace rectify::api {

// The PDF's bytes; kInternal when drawing fails.
Result<std::string> DrawBulletinPdf(const boost::json::object& content, const std::string& lang);

}  // namespace rectify::api
