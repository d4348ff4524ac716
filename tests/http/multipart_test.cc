// The multipart/form-data parser and the checks of an uploaded file (adapters/http/api/
// multipart.h), as pure functions: delimiters, CRLF, folded and missing headers, quoted and
// RFC 5987 file names, the boundary inside content, a body cut short; file names with path
// tricks; types found by content.
#include "adapters/http/api/multipart.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rectify::api {
namespace {

using namespace std::string_literals;
using ::testing::HasSubstr;

const std::string kType = "multipart/form-data; boundary=XyZ";

std::string Body(const std::string& parts) { return parts + "--XyZ--\r\n"; }

TEST(MultipartBoundaryTest, TakesQuotedAndPlainBoundaries) {
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(*MultipartBoundary("Multipart/Form-Data;boundary=\"a b:c\""), "a b:c");
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; charset=utf-8; boundary=z"), "z");
}

TEST(MultipartBoundaryTest, RefusesOtherTypesAndBadBoundaries) {
  EXPECT_THAT(MultipartBoundary("application/json").error().message(),
              HasSubstr("multipart/form-data"));
  EXPECT_FALSE(MultipartBoundary("").ok());
  EXPECT_THAT(MultipartBoundary("multipart/form-data").error().message(), HasSubstr("boundary"));
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=").ok());
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')).ok());
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=\"open").ok());
}

TEST(MultipartTest, ParsesFieldsAndFiles) {
  auto parts = ParseMultipart(
      kType, Body("--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                  "--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
                  "Content-Type: image/jpeg\r\n\r\n\xFF\xD8\xFFxx\r\n"));
  ASSERT_TRUE(parts.ok()) << parts.error().message();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "note");
  EXPECT_FALSE((*parts)[0].filename);
  EXPECT_EQ((*parts)[0].body, "hello");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ(*(*parts)[1].filename, "a.jpg");
  EXPECT_EQ((*parts)[1].content_type, "image/jpeg");
  EXPECT_EQ((*parts)[1].body, "\xFF\xD8\xFFxx");
}

TEST(MultipartTest, TheBoundaryInsideContentIsContent) {
  // "--XyZ" not right after CRLF is no delimiter, nor is CRLF followed by part of it.
  std::string content = "a--XyZ b\r\n-XyZ\r\n--Xy\r\n\0bin"s;
  auto parts = ParseMultipart(
      kType,
      Body("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\n" +
           content + "\r\n"));
  ASSERT_TRUE(parts.ok()) << parts.error().message();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].body, content);
}

TEST(MultipartTest, KeepsCrlfInsideContentAndIgnoresPreambleAndEpilogue) {
  auto parts =
      ParseMultipart(kType,
                     "preamble text\r\n--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n"
                     "line 1\r\nline 2\r\n\r\n--XyZ--\r\nepilogue");
  ASSERT_TRUE(parts.ok()) << parts.error().message();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].body, "line 1\r\nline 2\r\n");
}

TEST(MultipartTest, AllowsPaddingAfterTheDelimiterAndAnEmptyPart) {
  auto parts = ParseMultipart(
      kType, Body("--XyZ  \t\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n"));
  ASSERT_TRUE(parts.ok()) << parts.error().message();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].body, "");
}

TEST(MultipartTest, RefusesABodyWithoutItsFinalDelimiter) {
  auto cut = ParseMultipart(
      kType, "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nabc");
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(cut.error().message(), HasSubstr("final delimiter"));
  auto headers_cut = ParseMultipart(kType, "--XyZ\r\nContent-Disposition: form-data");
  ASSERT_FALSE(headers_cut.ok());
  EXPECT_THAT(headers_cut.error().message(), HasSubstr("blank line"));
  EXPECT_FALSE(ParseMultipart(kType, "").ok());
  EXPECT_THAT(ParseMultipart(kType, "no delimiter at all").error().message(),
              HasSubstr("no multipart delimiter"));
}

TEST(MultipartTest, RefusesBareLfLineEndsOfDelimiters) {
  auto lf =
      ParseMultipart(kType, "--XyZ\nContent-Disposition: form-data; name=\"a\"\n\nx\n--XyZ--");
  ASSERT_FALSE(lf.ok());
  EXPECT_THAT(lf.error().message(), HasSubstr("CRLF"));
}

TEST(MultipartTest, UnfoldsFoldedHeaders) {
  auto parts = ParseMultipart(
      kType, Body("--XyZ\r\nContent-Disposition: form-data;\r\n name=\"f\";\r\n\tfilename=\"a.txt\""
                  "\r\n\r\nx\r\n"));
  ASSERT_TRUE(parts.ok()) << parts.error().message();
  EXPECT_EQ((*parts)[0].name, "f");
  EXPECT_EQ(*(*parts)[0].filename, "a.txt");
}

TEST(MultipartTest, RefusesMissingOrBadHeaders) {
  auto none = ParseMultipart(kType, Body("--XyZ\r\n\r\nx\r\n"));
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error().message(), HasSubstr("no Content-Disposition"));
  auto no_name =
      ParseMultipart(kType, Body("--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n"));
  ASSERT_FALSE(no_name.ok());
  EXPECT_THAT(no_name.error().message(), HasSubstr("name="));
  auto inline_ =
      ParseMultipart(kType, Body("--XyZ\r\nContent-Disposition: inline; name=\"a\"\r\n\r\nx\r\n"));
  ASSERT_FALSE(inline_.ok());
  EXPECT_THAT(inline_.error().message(), HasSubstr("form-data"));
  auto no_colon = ParseMultipart(
      kType, Body("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nbroken\r\n\r\nx\r\n"));
  ASSERT_FALSE(no_colon.ok());
  EXPECT_THAT(no_colon.error().message(), HasSubstr("part 1"));
  auto fold_first = ParseMultipart(kType, Body("--XyZ\r\n folded\r\n\r\nx\r\n"));
  EXPECT_FALSE(fold_first.ok());
}

TEST(MultipartTest, DecodesQuotedAndRfc5987FileNames) {
  auto quoted = ParseMultipart(kType, Body("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
                                           "filename=\"say \\\"hi\\\".txt\"\r\n\r\nx\r\n"));
  ASSERT_TRUE(quoted.ok()) << quoted.error().message();
  EXPECT_EQ(*(*quoted)[0].filename, "say \"hi\".txt");
  // filename* wins over filename, whichever comes first.
  auto ext = ParseMultipart(
      kType, Body("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
                  "filename*=UTF-8''%E6%95%B4%E6%94%B9%20a.jpg; filename=\"fallback.jpg\"\r\n\r\n"
                  "x\r\n"));
  ASSERT_TRUE(ext.ok()) << ext.error().message();
  EXPECT_EQ(*(*ext)[0].filename, "整改 a.jpg");
  // A raw UTF-8 name (what browsers send) is kept as it is.
  auto raw = ParseMultipart(
      kType, Body("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"整改照片.jpg\""
                  "\r\n\r\nx\r\n"));
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*(*raw)[0].filename, "整改照片.jpg");
  for (const char* bad : {"filename*=latin1''a", "filename*=UTF-8''%E6%9", "filename*=UTF-8''%zz",
                          "filename*=noquotes"}) {
    auto r = ParseMultipart(kType, Body("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; " +
                                        std::string(bad) + "\r\n\r\nx\r\n"));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.error().message(), HasSubstr("RFC 5987")) << bad;
  }
}

TEST(FileNameTest, KeepsDisplayNames) {
  EXPECT_EQ(*CheckFileName("整改照片 (1).jpg"), "整改照片 (1).jpg");
  EXPECT_EQ(*CheckFileName(".hidden"), ".hidden");
  EXPECT_TRUE(CheckFileName(std::string(255, 'a')).ok());
}

TEST(FileNameTest, RefusesPathTricks) {
  for (std::string bad :
       {"../etc/passwd"s, "a/b.jpg"s, "C:\\x.jpg"s, ".."s, "."s, "a..b"s, "a\0b.jpg"s, "a\nb"s,
        "tab\tname"s, "del\x7f"s, "c1\xC2\x85x"s, ""s, std::string(256, 'a'), "bad\xFF.jpg"s}) {
    auto r = CheckFileName(bad);
    EXPECT_FALSE(r.ok()) << ::testing::PrintToString(bad);
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), ErrorCode::kBadInput);
    }
  }
  EXPECT_THAT(CheckFileName("../x").error().message(), HasSubstr("path separator"));
  EXPECT_THAT(CheckFileName("a\0b"s).error().message(), HasSubstr("control character"));
}

TEST(SniffTypeTest, FindsTypesByContent) {
  EXPECT_EQ(SniffType("\xFF\xD8\xFF\xE0rest"), "image/jpeg");
  EXPECT_EQ(SniffType("\x89PNG\r\n\x1A\n...."), "image/png");
  EXPECT_EQ(SniffType("GIF89a..."), "image/gif");
  EXPECT_EQ(SniffType("RIFF\x10\0\0\0WEBPVP8 "s), "image/webp");
  EXPECT_EQ(SniffType("%PDF-1.7\n"), "application/pdf");
  EXPECT_EQ(SniffType("PK\x03\x04....[Content_Types].xml....word/document.xml"s),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(SniffType("PK\x03\x04....[Content_Types].xml....xl/workbook.xml"s),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(SniffType("PK\x03\x04....other"s), "application/zip");
  EXPECT_EQ(SniffType("整改说明\r\n第二行\t完成"), "text/plain; charset=utf-8");
  EXPECT_EQ(SniffType("\xEF\xBB\xBFwith a BOM"), "text/plain; charset=utf-8");
}

TEST(SniffTypeTest, RefusesAnythingElse) {
  EXPECT_FALSE(SniffType(""));
  EXPECT_FALSE(SniffType("MZ\x90\0\x03\0\0\0"s));  // a Windows executable
  EXPECT_FALSE(
      SniffType("\x7F"
                "ELF\x02\x01\x01"));  // a Linux one
  EXPECT_FALSE(SniffType("text with a NUL\0inside"s));
  EXPECT_FALSE(SniffType("latin-1 \xE9t\xE9"));
  EXPECT_FALSE(SniffType("RIFF\x10\0\0\0WAVEfmt "s));  // audio, not WebP
  EXPECT_NE(AcceptedTypes().find("JPEG"), std::string::npos);
  EXPECT_EQ(ExtensionOf("image/jpeg"), "jpg");
  EXPECT_EQ(ExtensionOf("application/x-what"), "bin");
}

}  // namespace
}  // namespace rectify::api
