#include "storage/s3_xml.h"

#include <ctime>
#include <pugixml.hpp>

#include "core/object_key.h"

namespace salesflow::storage {
namespace {

bool Load(pugi::xml_document& document, std::string_view body) {
  return static_cast<bool>(document.load_buffer(body.data(), body.size()));
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Unquote(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return etag;
}

}  // namespace

S3Error ParseS3Error(std::string_view body) {
  pugi::xml_document document;
  if (!Load(document, body)) return {};
  const pugi::xml_node error = document.child("Error");
  if (!error) return {};
  std::string message = error.child_value("Message");
  if (message.size() > 200) message = message.substr(0, 200) + "...";
  return {error.child_value("Code"), message};
}

int64_t ParseIso8601(std::string_view text) {
  std::tm tm{};
  const std::string copy(text);
  if (::strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<int64_t>(::timegm(&tm));
}

Result<ListPage> ParseListObjectsV2(std::string_view body, std::string_view store_prefix) {
  pugi::xml_document document;
  if (!Load(document, body))
    return Status::Internal("S3 sent a ListObjectsV2 reply that is not XML");
  const pugi::xml_node result = document.child("ListBucketResult");
  if (!result) return Status::Internal("S3 sent a ListObjectsV2 reply without ListBucketResult");
  ListPage page;
  for (const pugi::xml_node contents : result.children("Contents")) {
    std::string_view key = contents.child_value("Key");
    if (!key.starts_with(store_prefix)) continue;
    key.remove_prefix(store_prefix.size());
    if (!ValidateObjectKey(key).ok()) continue;
    ObjectInfo info;
    info.key = std::string(key);
    info.size = contents.child("Size").text().as_ullong();
    info.etag = Unquote(contents.child_value("ETag"));
    info.last_modified = ParseIso8601(contents.child_value("LastModified"));
    page.objects.push_back(std::move(info));
  }
  if (std::string_view(result.child_value("IsTruncated")) == "true") {
    page.next_token = result.child_value("NextContinuationToken");
    if (page.next_token.empty()) {
      return Status::Internal("S3 said the listing is truncated but sent no continuation token");
    }
  }
  return page;
}

Result<std::string> ParseUploadId(std::string_view body) {
  pugi::xml_document document;
  std::string upload_id;
  if (Load(document, body)) {
    upload_id = document.child("InitiateMultipartUploadResult").child_value("UploadId");
  }
  if (upload_id.empty())
    return Status::Internal("S3 started a multipart upload without an UploadId");
  return upload_id;
}

std::string CompleteMultipartBody(const std::vector<std::string>& part_etags) {
  std::string out = "<CompleteMultipartUpload>";
  for (std::size_t i = 0; i < part_etags.size(); ++i) {
    out += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
           XmlEscape(part_etags[i]) + "</ETag></Part>";
  }
  return out + "</CompleteMultipartUpload>";
}

Result<std::string> ParseCompleteMultipart(std::string_view body) {
  const S3Error error = ParseS3Error(body);
  if (!error.code.empty()) {
    return Status::Unavailable("S3 failed to complete the multipart upload (" + error.code + ": " +
                               error.message + ")");
  }
  pugi::xml_document document;
  std::string etag;
  if (Load(document, body))
    etag = document.child("CompleteMultipartUploadResult").child_value("ETag");
  if (etag.empty()) return Status::Internal("S3 completed a multipart upload without an ETag");
  return etag;
}

}  // namespace salesflow::storage
