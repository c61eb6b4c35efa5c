// Helpers shared by every test binary.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/status.h"

#define ASSERT_OK(expr)                                        \
  do {                                                         \
    const ::salesflow::Status sf_test_status_ = (expr);        \
    ASSERT_TRUE(sf_test_status_.ok()) << sf_test_status_.ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                        \
  do {                                                         \
    const ::salesflow::Status sf_test_status_ = (expr);        \
    EXPECT_TRUE(sf_test_status_.ok()) << sf_test_status_.ToString(); \
  } while (false)

namespace salesflow::testing {

// The value of an environment variable that `make test` (scripts/with-services.sh) sets.
// A test that needs a service fails, never skips, when it is missing.
inline std::string RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name << " is not set: run integration tests through `make test` "
                  << "(scripts/with-services.sh starts MariaDB and s3rver)";
    return {};
  }
  return value;
}

// A name unique to this test run and test, for databases, buckets prefixes and temp dirs.
std::string UniqueName(const std::string& stem);

}  // namespace salesflow::testing
