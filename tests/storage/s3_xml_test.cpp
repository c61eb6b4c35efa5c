#include "storage/s3_xml.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace salesflow::storage {
namespace {

TEST(S3Xml, ParsesErrors) {
  const S3Error error = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not "
      "exist.</Message><Key>a.csv</Key></Error>");
  EXPECT_EQ(error.code, "NoSuchKey");
  EXPECT_EQ(error.message, "The specified key does not exist.");
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(ParseS3Error("<html>502 Bad Gateway</html>").code, "");
  EXPECT_EQ(
      ParseS3Error("<Error><Code>X</Code><Message>" + std::string(1000, 'm') + "</Message></Error>")
          .message.size(),
      203u);
}

TEST(S3Xml, ParsesListObjectsV2) {
  const std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>reports</Name><Prefix>p/</Prefix><KeyCount>4</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</NextContinuationToken>
  <Contents><Key>p/a &amp; b.csv</Key><LastModified>2026-10-01T10:15:00.000Z</LastModified>
    <ETag>"9e107d9d372bb6826bd81d3542a419d6"</ETag><Size>12</Size></Contents>
  <Contents><Key>p/日本.csv</Key><LastModified>1970-01-01T00:00:01Z</LastModified>
    <ETag>&quot;abc-2&quot;</ETag><Size>5368709120</Size></Contents>
  <Contents><Key>p/dir/</Key><Size>0</Size></Contents>
  <Contents><Key>other/x.csv</Key><Size>1</Size></Contents>
</ListBucketResult>)";
  auto page = ParseListObjectsV2(body, "p/");
  ASSERT_OK(page.status());
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "a & b.csv");
  EXPECT_EQ(page->objects[0].etag, "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[0].last_modified, 1790849700);
  EXPECT_EQ(page->objects[1].key, "日本.csv");
  EXPECT_EQ(page->objects[1].etag, "abc-2");
  EXPECT_EQ(page->objects[1].size, 5368709120u);
  EXPECT_EQ(page->next_token, "tok+/=");
}

TEST(S3Xml, RejectsBrokenListings) {
  EXPECT_FALSE(ParseListObjectsV2("not xml <", "").ok());
  EXPECT_FALSE(ParseListObjectsV2("<Other/>", "").ok());
  EXPECT_FALSE(
      ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", "")
          .ok());
  auto empty = ParseListObjectsV2(
      "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>", "");
  ASSERT_OK(empty.status());
  EXPECT_TRUE(empty->objects.empty());
  EXPECT_TRUE(empty->next_token.empty());
}

TEST(S3Xml, Multipart) {
  auto id = ParseUploadId(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>2~abc/def</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_OK(id.status());
  EXPECT_EQ(*id, "2~abc/def");
  EXPECT_FALSE(ParseUploadId("<Error><Code>AccessDenied</Code></Error>").ok());
  EXPECT_EQ(
      CompleteMultipartBody({"\"a\"", "\"b\""}),
      "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>"
      "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></"
      "CompleteMultipartUpload>");
  auto etag = ParseCompleteMultipart(
      "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>");
  ASSERT_OK(etag.status());
  EXPECT_EQ(*etag, "\"x-2\"");
  // S3 can answer 200 with an error document.
  const auto late =
      ParseCompleteMultipart("<Error><Code>InternalError</Code><Message>m</Message></Error>");
  EXPECT_EQ(late.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace salesflow::storage
