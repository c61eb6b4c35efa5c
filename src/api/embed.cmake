# cmake -DINPUT=<file> -DOUTPUT=<cpp> -DSYMBOL=<name> -P embed.cmake
# Writes a .cpp defining `std::string_view salesflow::api::<SYMBOL>()` with the file's bytes
# and `std::string_view salesflow::api::<SYMBOL>Sha256()` with their hex SHA-256 (for
# ETags), so web assets and the OpenAPI document ship inside the binary (no files to deploy).
file(READ "${INPUT}" content HEX)
file(SHA256 "${INPUT}" sha256)
string(LENGTH "${content}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
# Break the initializer into lines of 16 bytes so compilers and diffs stay happy.
string(REGEX REPLACE "(('[^']+',){16})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by src/api/embed.cmake. Do not edit.
#include <string_view>
namespace salesflow::api {
namespace {
constexpr char kData[] = {
${bytes} '\\0'};
}  // namespace
std::string_view ${SYMBOL}() { return std::string_view(kData, ${size}); }
std::string_view ${SYMBOL}Sha256() { return \"${sha256}\"; }
}  // namespace salesflow::api
")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
