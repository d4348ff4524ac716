// A multipart/form-data body for the upload tests, as curl -F builds it.
//
//   MultipartBody m;
//   m.File("整改照片.jpg", jpeg_bytes).Field("note", "text");
//   client.Send("POST", "/api/v1/items/T-A1/evidence", m.Body(), {{"Content-Type", m.Type()}});
#pragma once

#include <string>

namespace rectify::test {

class MultipartBody {
 public:
  // A file part; `disposition_name` is written as it is into filename="..." (no escaping, so a
  // test can send what it wants), or as filename*= when `ext` is set.
  MultipartBody& File(const std::string& filename, const std::string& content,
                      const std::string& declared_type = "application/octet-stream",
                      bool ext = false) {
    body_ += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; " +
             (ext ? "filename*=UTF-8''" + filename : "filename=\"" + filename + "\"") +
             "\r\nContent-Type: " + declared_type + "\r\n\r\n" + content + "\r\n";
    return *this;
  }
  // A file part under the form field `field` (File's is "file").
  MultipartBody& FileAs(const std::string& field, const std::string& filename,
                        const std::string& content,
                        const std::string& declared_type = "application/octet-stream") {
    body_ += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + field +
             "\"; filename=\"" + filename + "\"\r\nContent-Type: " + declared_type + "\r\n\r\n" +
             content + "\r\n";
    return *this;
  }
  MultipartBody& Field(const std::string& name, const std::string& value) {
    body_ += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name +
             "\"\r\n\r\n" + value + "\r\n";
    return *this;
  }
  std::string Body() const { return body_ + "--" + kBoundary + "--\r\n"; }
  std::string Type() const { return "multipart/form-data; boundary=" + kBoundary; }

 private:
  inline static const std::string kBoundary = "----rectify-test-boundary-7MA4YWxkTrZu0gW";
  std::string body_;
};

// A small JPEG-looking file (the magic bytes and a unique tail) and a Windows executable.
inline std::string FakeJpeg(const std::string& tail) { return "\xFF\xD8\xFF\xE0JFIF " + tail; }
inline std::string FakeExe() { return std::string("MZ\x90\0\x03\0\0\0\x04\0", 10) + "PE program"; }

}  // namespace rectify::test
