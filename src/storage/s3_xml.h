// S3's XML bodies, parsed with pugixml. Internal to src/storage; pure, unit-tested alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/object_store.h"

namespace salesflow::storage {

struct S3Error {
  std::string code;     // "NoSuchKey"; empty when the body is not an S3 error document
  std::string message;  // the server's message, cut to 200 bytes
};
S3Error ParseS3Error(std::string_view body);

// A ListObjectsV2 result. Keys have `store_prefix` removed; keys outside it, and keys that are
// not valid object keys (directory markers "a/", "a//b" made by other tools), are left out:
// they could not be read through the store. Objects come back in the server's order.
Result<ListPage> ParseListObjectsV2(std::string_view body, std::string_view store_prefix);

// UploadId of an InitiateMultipartUploadResult.
Result<std::string> ParseUploadId(std::string_view body);

// The CompleteMultipartUpload request body; etags as returned by UploadPart (quoted).
std::string CompleteMultipartBody(const std::vector<std::string>& part_etags);

// The ETag of a CompleteMultipartUploadResult; an <Error> body (S3 can send one with
// HTTP 200) becomes a Status.
Result<std::string> ParseCompleteMultipart(std::string_view body);

// "2026-10-01T10:15:00.000Z" -> unix seconds; 0 when malformed.
int64_t ParseIso8601(std::string_view text);

}  // namespace salesflow::storage
