// Measures GET throughput of one large object from the S3 endpoint in the environment
// (scripts/with-services.sh gives s3rver): salesflow's S3 client vs libcurl + CURLOPT_AWS_SIGV4.
//   scripts/with-services.sh build/<dir>/bench/storage/s3_get_compare [MiB] [runs]
#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "storage/object_store.h"
#include "storage/sigv4.h"

namespace {

using salesflow::Status;
namespace storage = salesflow::storage;

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::size_t CountBytes(char*, std::size_t size, std::size_t count, void* total) {
  *static_cast<uint64_t*>(total) += size * count;
  return size * count;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  const char* bucket = std::getenv("SALESFLOW_TEST_S3_BUCKET");
  const storage::StorageEnv env = storage::StorageEnv::FromEnvironment();
  auto store = storage::OpenObjectStore(std::string("s3://") + (bucket ? bucket : "reports"), env);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  const std::string key = "bench/get-compare.bin";
  {
    std::string block(1 << 20, 'x');
    auto writer = (*store)->OpenWriter(key, {});
    if (!writer.ok()) return 1;
    for (std::size_t i = 0; i < mib; ++i) {
      block[0] = static_cast<char>(i);
      if (!(*writer)->Write(block).ok()) return 1;
    }
    if (!(*writer)->Commit().ok()) return 1;
  }
  const double megabytes = static_cast<double>(mib) * 1.048576;

  for (int run = 0; run < runs; ++run) {
    uint64_t total = 0;
    const auto start = std::chrono::steady_clock::now();
    const Status status = (*store)->Get(key, {}, [&](std::string_view chunk) {
      total += chunk.size();
      return Status::Ok();
    });
    const double s = Seconds(std::chrono::steady_clock::now() - start);
    std::printf("salesflow (SigV4 + cpp-httplib)   run %d: %6.1f MB/s  (%llu bytes, %s)\n", run,
                megabytes / s, static_cast<unsigned long long>(total), status.ToString().c_str());
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string url = env.endpoint + "/" + (bucket ? bucket : "reports") + "/" +
                          storage::sigv4::UriEncode(key, true);
  const std::string user = env.access_key_id + ":" + env.secret_access_key;
  const std::string sigv4 = "aws:amz:" + env.region + ":s3";
  for (int run = 0; run < runs; ++run) {
    CURL* curl = curl_easy_init();
    uint64_t total = 0;
    curl_slist* headers = curl_slist_append(
        nullptr,
        ("x-amz-content-sha256: " + std::string(storage::sigv4::kEmptyPayloadHash)).c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, user.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CountBytes);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &total);
    const auto start = std::chrono::steady_clock::now();
    const CURLcode code = curl_easy_perform(curl);
    const double s = Seconds(std::chrono::steady_clock::now() - start);
    long http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
    std::printf(
        "libcurl (CURLOPT_AWS_SIGV4)       run %d: %6.1f MB/s  (%llu bytes, HTTP %ld, %s)\n", run,
        megabytes / s, static_cast<unsigned long long>(total), http, curl_easy_strerror(code));
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
  }
  curl_global_cleanup();
  (void)(*store)->Delete(key);
  return 0;
}
